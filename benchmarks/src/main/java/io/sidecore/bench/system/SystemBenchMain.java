package io.sidecore.bench.system;

import io.sidecore.launcher.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code tools/sidecore bench}: the system benchmark (issue 11 §2). A daemon process with one pinned, busy-polling
 * sidecore; synthetic guests in another process on the other cores, attached as a VMM attaches them; each case
 * measured in polling and trap-baseline doorbell mode; RESULT and RATIO lines on standard output; CSV, PNG and
 * metadata in the results directory. {@code --quick} runs a representative subset.
 */
@Command(
    name = "sidecore bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "The system benchmark: synthetic guests in their own process drive a sidecore daemon; polling against the " +
            "trap baseline, guest counts, frame sizes, paths and CSB.",
        "'tools/sidecore bench jmh ARGS' runs the JMH micro-benchmarks; 'tools/sidecore bench --realvm' the real-VM " +
            "table." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { "0:every case measured", "1:a case failed (FAILED line)", "2:usage error" })
public final class SystemBenchMain implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "a representative subset (under five minutes on an idle machine)")
    private boolean quick;

    @Option(names = "--modes", split = ",", paramLabel = "M", description = "polling,trap (default: both)")
    private List<String> modes = new ArrayList<>(List.of("polling", "trap"));

    @Option(names = "--paths", split = ",", paramLabel = "P", description = "g2g,null,tap (default: all)")
    private List<String> paths = new ArrayList<>(List.of("g2g", "null", "tap"));

    @Option(names = "--guests", split = ",", paramLabel = "N", description = "guest counts (default: 1,4,16,64,256)")
    private List<Integer> guests = new ArrayList<>(BenchPlan.GUESTS);

    @Option(names = "--frames", split = ",", paramLabel = "B",
        description = "frame lengths: 64 (UDP), 512, 1514 (TCP), 65536 (TSO) (default: all four)")
    private List<Integer> frames = new ArrayList<>(BenchPlan.FRAMES);

    @Option(names = "--csb", split = ",", paramLabel = "on|off", description = "off,on (default: both)")
    private List<String> csb = new ArrayList<>(List.of("off", "on"));

    @Option(names = "--loads", split = ",", paramLabel = "L",
        description = "all (every guest sends), paced (no guest sends; the probe's paced frames among idle guests: " +
            "latency), one (one guest sends among idle ones: what idle ports cost); paced and one at the first " +
            "frame length only (default: all three)")
    private List<String> loads = new ArrayList<>(List.of("all", "paced", "one"));

    @Option(names = "--attach", defaultValue = "native", paramLabel = "native|vfio-user",
        description = "how guests attach: the control socket's native attach, or vfio-user on the port's socket " +
            "(default: ${DEFAULT-VALUE})")
    private String attach;

    @Option(names = "--repeats", defaultValue = "3", description = "measured intervals per case (default: 3)")
    private int repeats;

    @Option(names = "--seconds", defaultValue = "3", converter = WholeSeconds.class,
        description = "length of each interval, in whole seconds for a case (at least 1): it starts and ends at the " +
            "sidecore's once-a-second reading of its allocated bytes, so alloc_bytes covers exactly it (default: 3)")
    private int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "2", description = "sending before measuring (default: 2)")
    private double warmupSeconds;

    @Option(names = "--tx-batch", defaultValue = "32", description = "frames per doorbell (default: 32)")
    private int txBatch;

    @Option(names = "--irq", defaultValue = "poll", paramLabel = "poll|napi",
        description = "guests poll with interrupts masked (Linux NAPI under load), or take moderated interrupts " +
            "(default: ${DEFAULT-VALUE})")
    private String irq;

    @Option(names = "--guest-threads", defaultValue = "0",
        description = "guest threads (default 0: one per guest core when polling, one per guest up to 64 in trap)")
    private int guestThreads;

    @Option(names = "--probe-interval-us", defaultValue = "200", description = "pause between latency probes")
    private long probeIntervalUs;

    @Option(names = "--sidecore-cpu", defaultValue = "-1", description = "the sidecore's core (default: the last)")
    private int sidecoreCpu;

    @Option(names = "--huge-pages",
        description = "each guest's RAM in 2 MiB huge pages (memfd MFD_HUGETLB), as a host tuned for VMs backs guest " +
            "memory; the daemon then maps it in huge pages too. Needs the pages reserved (vm.nr_hugepages): checked " +
            "before the run starts (default: 4 KiB pages)")
    private boolean hugePages;

    @Option(names = "--no-idle", description = "skip the idle strategy measurement")
    private boolean noIdle;

    @Option(names = "--no-jfr", description = "do not record the daemon with JFR")
    private boolean noJfr;

    @Option(names = "--daemon-jvm-option", paramLabel = "OPTION",
        description = "a further JVM option of the daemon, repeatable (e.g. -XX:-UseTLAB: every allocation of the " +
            "sidecore thread becomes a JFR event with its stack, attributed in the OUTLIERS lines)")
    private List<String> daemonJvmOptions = new ArrayList<>();

    @Option(names = "--daemon-setting", paramLabel = "KEY=VALUE",
        description = "a daemon setting over the embedded default, repeatable (see 'tools/sidecore daemon " +
            "--print-settings'), e.g. sidecore.rx.read.ahead.descriptors=0 to compare the same build with a " +
            "feature off; the settings the benchmark itself needs (sockets, counters file, cores, idle strategy, " +
            "capacities) and declared ports cannot be given")
    private List<String> daemonSettingArguments = new ArrayList<>();

    private final Map<String, String> daemonSettings = new LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR",
        description = "results directory (default: benchmarks/results/<timestamp>)")
    private Path out;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.setProperty("java.awt.headless", "true");
        // Interrupted (SIGINT, SIGTERM): stop the daemon and the guests this run started, and remove its namespace.
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
            TapNamespace.deleteLeftOver();
        }, "bench-cleanup"));
        System.exit(new CommandLine(new SystemBenchMain()).execute(args));
    }

    /**
     * {@inheritDoc}
     */
    public Integer call() throws IOException, InterruptedException
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2)
        {
            throw usage("the benchmark needs at least 2 cores (one sidecore, one for the guests): " + cpus);
        }
        final int sidecore = sidecoreCpu < 0 ? cpus - 1 : sidecoreCpu;
        if (sidecore >= cpus)
        {
            throw usage("--sidecore-cpu must be below " + cpus + ": " + sidecore);
        }
        checkDaemonSettings();
        if (repeats < 1 || warmupSeconds < 0 || txBatch < 1 || probeIntervalUs < 1)
        {
            throw usage("--repeats, --tx-batch and --probe-interval-us must be positive");
        }
        final String attachMode = switch (attach)
        {
            case "native" -> "NATIVE";
            case "vfio-user" -> "VFIO_USER";
            default -> throw usage("--attach must be native or vfio-user: " + attach);
        };
        if (!"poll".equals(irq) && !"napi".equals(irq))
        {
            throw usage("--irq must be poll or napi: " + irq);
        }
        final List<BenchCase> cases = quick ? BenchPlan.quick() : BenchPlan.matrix(parse(modes, BenchCase.Mode.class),
            parse(paths, BenchCase.Path.class), guests, frames, parseCsb(), parse(loads, BenchCase.Load.class));
        for (final BenchCase benchCase : cases)
        {
            if (benchCase.guests() < 1 || benchCase.guests() > 256)
            {
                throw usage("guest counts must be in [1, 256]: " + benchCase.guests());
            }
            if (!BenchPlan.FRAMES.contains(benchCase.frameBytes()))
            {
                throw usage("frame lengths must be among " + BenchPlan.FRAMES + ": " + benchCase.frameBytes());
            }
        }
        if (hugePages)
        {
            final String shortage = BenchSettings.hugePagesShortage(BenchSettings.hugePagesNeeded(cases),
                BenchSession.readOrUnknown(Path.of("/proc/meminfo")));
            if (null != shortage)
            {
                throw usage(shortage);
            }
        }
        final String guestCpus = guestCpus(cpus, sidecore);
        final BenchSettings settings = new BenchSettings(attachMode, sidecore, guestCpus, cpus - 1, warmupSeconds,
            seconds, repeats, txBatch, irq.toUpperCase(Locale.ROOT), guestThreads, probeIntervalUs, !noJfr,
            List.copyOf(daemonJvmOptions), Map.copyOf(daemonSettings), hugePages);
        final Path home = Path.of(System.getProperty("sidecore.home", "."));
        final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        final Path results = null != out ? out.toAbsolutePath() : home.resolve("benchmarks/results").resolve(stamp);
        final ResultsWriter writer = new ResultsWriter(results);
        final Path work = Files.createDirectories(results.resolve("work"));
        final Map<String, String> metadata = metadata(home, settings, cases);
        writer.writeMetadata(metadata);
        final var stdout = System.out;
        stdout.println("BENCH cases=" + cases.size() + " repeats=" + repeats + " seconds=" + seconds +
            " sidecore_cpu=" + sidecore + " guest_cpus=" + guestCpus + " attach=" + attach +
            " guest_ram_pages=" + (hugePages ? "2m" : "4k") + " results=" + results);
        return new BenchSession(settings, cases, !noIdle, writer, work, metadata, stdout, System.err).run();
    }

    private Map<String, String> metadata(final Path home, final BenchSettings settings, final List<BenchCase> cases)
    {
        final Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("started", LocalDateTime.now().toString());
        metadata.put("command", "tools/sidecore bench " + String.join(" ", spec.commandLine().getParseResult()
            .originalArgs()));
        metadata.put("commit", command(home, "git", "rev-parse", "HEAD") +
            (command(home, "git", "status", "--porcelain", "--untracked-files=no").isEmpty() ? "" : " (modified)"));
        metadata.put("cpu", cpuModel() + " x " + Runtime.getRuntime().availableProcessors());
        metadata.put("kernel", BenchSession.readOrUnknown(Path.of("/proc/sys/kernel/osrelease")));
        metadata.put("load_average_at_start", BenchSession.readOrUnknown(Path.of("/proc/loadavg")));
        metadata.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        metadata.put("bench.jvm.flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        metadata.put("guest.jvm.flags", String.join(" ", ChildJvm.projectJvmFlags()) + " -Xmx2g");
        metadata.put("settings", settings.toString());
        metadata.put("guest.ram.pages", settings.hugePages() ? "2 MiB huge pages (memfd MFD_HUGETLB)" : "4 KiB pages");
        metadata.put("cases", Integer.toString(cases.size()));
        return metadata;
    }

    private static String cpuModel()
    {
        final String cpuinfo = BenchSession.readOrUnknown(Path.of("/proc/cpuinfo"));
        for (final String line : cpuinfo.split("\n"))
        {
            if (line.startsWith("model name"))
            {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    private static String command(final Path directory, final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes()).trim();
            return process.waitFor(10, TimeUnit.SECONDS) && 0 == process.exitValue() ? output : "unknown";
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String guestCpus(final int cpus, final int sidecore)
    {
        final List<String> others = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++)
        {
            if (cpu != sidecore)
            {
                others.add(Integer.toString(cpu));
            }
        }
        return String.join(",", others);
    }

    private <E extends Enum<E>> List<E> parse(final List<String> names, final Class<E> type)
    {
        final List<E> values = new ArrayList<>();
        for (final String name : names)
        {
            try
            {
                values.add(Enum.valueOf(type, name.trim().toUpperCase(Locale.ROOT)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw usage("unknown " + type.getSimpleName().toLowerCase(Locale.ROOT) + ": " + name);
            }
        }
        return values;
    }

    private List<Boolean> parseCsb()
    {
        final List<Boolean> values = new ArrayList<>();
        for (final String value : csb)
        {
            switch (value.trim())
            {
                case "off" -> values.add(false);
                case "on" -> values.add(true);
                default -> throw usage("--csb takes off and on: " + value);
            }
        }
        return values;
    }

    /**
     * Refuse a daemon setting the benchmark needs for itself or one the daemon would refuse, naming it, before
     * anything starts.
     */
    private void checkDaemonSettings()
    {
        for (final String argument : daemonSettingArguments)
        {
            final int equals = argument.indexOf('=');
            if (equals <= 0)
            {
                throw usage("--daemon-setting takes KEY=VALUE: " + argument);
            }
            final String key = argument.substring(0, equals);
            final String value = argument.substring(equals + 1);
            if (BenchDaemon.isBenchmarkKey(key))
            {
                throw usage("--daemon-setting cannot change " + key + ": the benchmark sets it");
            }
            // The daemon reads a properties file: a backslash or a line end would make it read something else.
            if (value.indexOf('\\') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)
            {
                throw usage("--daemon-setting " + key + ": a value with a backslash or a line end is not passed on");
            }
            if (null != daemonSettings.put(key, value))
            {
                throw usage("--daemon-setting " + key + " given twice");
            }
        }
        // What the daemon will check at start, on what it will be given: each value, then the engine's combinations.
        final Configuration config = Configuration.of(
            BenchDaemon.settings(Path.of("/nonexistent"), Path.of("/nonexistent"), 0, "busy", daemonSettings));
        try
        {
            config.validate();
            config.engineContext().countersFile(null).conclude().close();
        }
        catch (final IllegalArgumentException ex)
        {
            throw usage("--daemon-setting " + config.nameSetting(ex).getMessage());
        }
    }

    /**
     * {@code --seconds}: a whole number of seconds, at least 1 (a measured interval runs from one of the sidecore's
     * once-a-second readings to another); anything else is refused saying so.
     */
    static final class WholeSeconds implements CommandLine.ITypeConverter<Integer>
    {
        /**
         * {@inheritDoc}
         */
        public Integer convert(final String text)
        {
            final int value;
            try
            {
                value = Integer.parseInt(text);
            }
            catch (final NumberFormatException ex)
            {
                throw refused(text);
            }
            if (value < 1)
            {
                throw refused(text);
            }
            return value;
        }

        private static CommandLine.TypeConversionException refused(final String text)
        {
            return new CommandLine.TypeConversionException("'" + text + "': it takes a whole number of seconds, at " +
                "least 1 (each interval runs from one of the sidecore's once-a-second readings to another)");
        }
    }

    private CommandLine.ParameterException usage(final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
