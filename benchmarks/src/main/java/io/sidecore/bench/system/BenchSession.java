package io.sidecore.bench.system;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code tools/sidecore bench} run: a daemon with a busy-polling sidecore serves every case in turn (each case
 * brings its own ports and guests' process), then, with {@code idle}, a daemon with the adaptive idle strategy
 * measures the wake-up latency and CPU cost of an idle sidecore; the daemons' JFR recordings attribute the outliers
 * and show where the sidecore spent its time; everything is written to the results directory and summarised on
 * standard output.
 */
final class BenchSession
{
    private static final String IDLE_STRATEGY_BUSY = "busy";
    private static final String IDLE_STRATEGY_ADAPTIVE = "adaptive";
    private static final long IDLE_PROBE_INTERVAL_US = 5_000;
    private static final double HOST_STALL_SECONDS = 3.0;

    private final BenchSettings settings;
    private final List<BenchCase> cases;
    private final boolean idle;
    private final ResultsWriter writer;
    private final Path workDirectory;
    private final Map<String, String> metadata;
    private final PrintStream out;
    private final PrintStream err;
    private final List<String> report = new ArrayList<>();

    BenchSession(
        final BenchSettings settings,
        final List<BenchCase> cases,
        final boolean idle,
        final ResultsWriter writer,
        final Path workDirectory,
        final Map<String, String> metadata,
        final PrintStream out,
        final PrintStream err)
    {
        this.settings = settings;
        this.cases = cases;
        this.idle = idle;
        this.writer = writer;
        this.workDirectory = workDirectory;
        this.metadata = metadata;
        this.out = out;
        this.err = err;
    }

    /**
     * Measure what the host takes from a thread spinning on the sidecore's core while no sidecore runs there, print
     * it and keep it in the report and the metadata: the cases' pass-time outliers are read against it.
     */
    private void hostStalls(final String when) throws InterruptedException
    {
        if (settings.sidecoreCpu() < 0)
        {
            return;
        }
        final String line = HostStallMeter.measure(settings.sidecoreCpu(), firstGuestCpu(), HOST_STALL_SECONDS)
            .line(settings.sidecoreCpu(), when);
        out.println(line);
        out.flush();
        report.add(line);
        metadata.put("host_stalls_" + when, line.substring(line.indexOf(' ') + 1));
    }

    /**
     * @return the first of the guests' cores, or -1 when there is none.
     */
    private int firstGuestCpu()
    {
        // The first number of a taskset list: "0", "0,2", "0-2".
        final String cpus = settings.guestCpus().trim();
        int end = 0;
        while (end < cpus.length() && Character.isDigit(cpus.charAt(end)))
        {
            end++;
        }
        return 0 == end ? -1 : Integer.parseInt(cpus.substring(0, end));
    }

    /**
     * @return 0 when every case was measured, 1 otherwise.
     * @throws IOException when the results cannot be written.
     * @throws InterruptedException when interrupted.
     */
    int run() throws IOException, InterruptedException
    {
        final List<CaseSummary> summaries = new ArrayList<>();
        final List<RunResult> allRuns = new ArrayList<>();
        int failures = 0;
        final Path daemonDirectory = workDirectory.resolve("daemon");
        final Map<String, String> daemonSettings = BenchDaemon.settings(daemonDirectory,
            countersFile("busy"), settings.sidecoreCpu(), IDLE_STRATEGY_BUSY, settings.daemonSettings());
        metadata.put("daemon.settings", daemonSettings.toString());
        JfrAttribution attribution = null;
        hostStalls("before");
        try (TapNamespace namespace = usesTap() ? TapNamespace.create() : null)
        {
            try (BenchDaemon daemon = BenchDaemon.start(daemonDirectory, daemonSettings, settings.guestCpus(),
                settings.jfr(), settings.daemonJvmOptions()))
            {
                metadata.put("daemon.jvm.options", String.join(" ", ChildJvm.projectJvmFlags()) + " " +
                    String.join(" ", daemon.jvmOptions()));
                writer.writeMetadata(metadata);
                final CaseRunner runner = new CaseRunner(daemon, settings, namespace, workDirectory, out);
                for (int i = 0; i < cases.size(); i++)
                {
                    final BenchCase benchCase = cases.get(i);
                    out.println("CASE " + (i + 1) + "/" + cases.size() + " " + benchCase.label());
                    out.flush();
                    try
                    {
                        final List<RunResult> runs = runner.run(benchCase, i);
                        summaries.add(new CaseSummary(benchCase, runs));
                        allRuns.addAll(runs);
                    }
                    catch (final IOException | RuntimeException ex)
                    {
                        failures++;
                        final String line = "FAILED " + benchCase.label() + ": " + ex.getMessage();
                        out.println(line);
                        report.add(line);
                    }
                }
                if (settings.jfr())
                {
                    try
                    {
                        daemon.dumpRecording();
                    }
                    catch (final IOException ex)
                    {
                        err.println("sidecore bench: no JFR recording: " + ex.getMessage());
                    }
                }
            }
            if (settings.jfr())
            {
                attribution = JfrAttribution.read(daemonDirectory.resolve("daemon.jfr"), err);
            }
        }
        hostStalls("after");
        writer.writeMetadata(metadata);
        for (final CaseSummary summary : summaries)
        {
            report.add(summary.resultLine());
        }
        report.addAll(CaseSummary.ratioLines(summaries, BenchPlan.frameSizes(cases), settings.attach()));
        if (idle)
        {
            failures += measureIdle();
        }
        for (final CaseSummary summary : summaries)
        {
            report.add(outlierLine(summary, attribution));
            if (null != attribution)
            {
                report.add("PROFILE " + summary.benchCase().label() + " " + attribution.profile(summary.runs()));
            }
        }
        deleteCountersFiles();
        writer.writeRuns(allRuns);
        writer.writeSummaries(summaries);
        writer.plotThroughput(summaries);
        writer.plotLatency(summaries);
        writer.writeReport(report);
        for (final String line : report)
        {
            out.println(line);
        }
        out.println("RESULTS " + writer.directory());
        out.flush();
        return 0 == failures ? 0 : 1;
    }

    private static String outlierLine(final CaseSummary summary, final JfrAttribution attribution)
    {
        long over100Us = 0;
        long over1Ms = 0;
        long runQueueWaitNs = 0;
        long involuntary = 0;
        final StringBuilder jfr = new StringBuilder();
        for (final RunResult run : summary.runs())
        {
            for (int bucket = 0; bucket < run.passTimeBuckets().length; bucket++)
            {
                final long lower = io.sidecore.shm.PassTimeHistogram.lowerBoundNs(bucket);
                over100Us += lower >= 100_000 ? run.passTimeBuckets()[bucket] : 0;
                over1Ms += lower >= 1_000_000 ? run.passTimeBuckets()[bucket] : 0;
            }
            runQueueWaitNs += Math.max(0, run.sidecoreThread().runQueueWaitNs());
            involuntary += Math.max(0, run.sidecoreThread().involuntarySwitches());
            if (null != attribution)
            {
                jfr.append(" [repeat ").append(run.repeat()).append(": ").append(attribution.outliers(run))
                    .append(']');
            }
        }
        return String.format(Locale.ROOT, "OUTLIERS %s passes_ge_100us=%d passes_ge_1ms=%d " +
                "sidecore_runqueue_wait_ms=%.2f sidecore_involuntary_switches=%d%s",
            summary.benchCase().label(), over100Us, over1Ms, runQueueWaitNs / 1e6, involuntary,
            null == attribution ? " jfr=off" : jfr.toString());
    }

    /**
     * The adaptive idle strategy's wake-up latency (a doorbell after an idle period, to DD) and the idle sidecore's
     * CPU, next to the busy strategy's: a daemon each, one probe guest ringing every {@value #IDLE_PROBE_INTERVAL_US}
     * µs and nothing else.
     */
    private int measureIdle() throws InterruptedException
    {
        int failures = 0;
        for (final String strategy : List.of(IDLE_STRATEGY_ADAPTIVE, IDLE_STRATEGY_BUSY))
        {
            final Path directory = workDirectory.resolve("idle-" + strategy);
            final Map<String, String> daemonSettings =
                BenchDaemon.settings(directory, countersFile("idle-" + strategy), settings.sidecoreCpu(), strategy,
                    settings.daemonSettings());
            try (BenchDaemon daemon = BenchDaemon.start(directory, daemonSettings, settings.guestCpus(), false,
                settings.daemonJvmOptions()))
            {
                daemon.createPort(CaseRunner.PROBE_PORT, CaseRunner.mac(1), "null", false);
                final List<String> args = new ArrayList<>(List.of("--socket", daemon.controlSocket().toString(),
                    "--probe", CaseRunner.PROBE_PORT + "," + CaseRunner.SINK_MAC, "--frame-bytes", "64",
                    "--probe-interval-us", Long.toString(IDLE_PROBE_INTERVAL_US)));
                if (settings.hugePages())
                {
                    // Its probe's RAM like every case's guests' (the run's metadata says one page size for all).
                    args.add("--huge-pages");
                }
                try (GuestProcess guests = GuestProcess.start(settings.guestCpus(), args,
                    directory.resolve("guests.log"), 600_000))
                {
                    Thread.sleep((long)(settings.warmupSeconds() * 1000));
                    final long tid = daemon.sidecoreThreadId();
                    guests.command("MEASURE");
                    final ThreadStats before = ThreadStats.read(daemon.pid(), tid);
                    final long startNs = System.nanoTime();
                    Thread.sleep(1000L * settings.measureSeconds() * settings.repeats());
                    final ThreadStats used = ThreadStats.read(daemon.pid(), tid).minus(before);
                    final double wallNs = System.nanoTime() - startNs;
                    final Map<String, String> latency = guests.report();
                    guests.quit();
                    final String line = String.format(Locale.ROOT,
                        "IDLE strategy=%s doorbell_every_us=%d wake_p50_us=%.1f wake_p99_us=%.1f wake_p999_us=%.1f " +
                            "wake_max_us=%.1f samples=%s sidecore_cpu=%.3f",
                        strategy, IDLE_PROBE_INTERVAL_US, micros(latency, "latency.p50_ns"),
                        micros(latency, "latency.p99_ns"), micros(latency, "latency.p999_ns"),
                        micros(latency, "latency.max_ns"), latency.getOrDefault("latency.samples", "0"),
                        used.cpuNs() < 0 ? Double.NaN : used.cpuNs() / wallNs);
                    out.println(line);
                    report.add(line);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                failures++;
                final String line = "FAILED idle strategy=" + strategy + ": " + ex.getMessage();
                out.println(line);
                report.add(line);
            }
        }
        return failures;
    }

    private static double micros(final Map<String, String> fields, final String key)
    {
        return Long.parseLong(fields.getOrDefault(key, "0")) / 1e3;
    }

    private boolean usesTap()
    {
        for (final BenchCase benchCase : cases)
        {
            if (BenchCase.Path.TAP == benchCase.path())
            {
                return true;
            }
        }
        return false;
    }

    private static void deleteCountersFiles() throws IOException
    {
        final Path directory = countersFile("none").getParent();
        if (Files.isDirectory(directory))
        {
            try (var files = Files.list(directory))
            {
                for (final Path file : files.toList())
                {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(directory);
        }
    }

    private static Path countersFile(final String name)
    {
        return Path.of("/dev/shm", "sidecore-bench-" + ProcessHandle.current().pid(), name + ".dat");
    }

    /**
     * @param text lines.
     * @return them joined, for metadata.
     */
    static String join(final List<String> text)
    {
        return String.join(" ", text);
    }

    /**
     * @param file a small text file.
     * @return its content, trimmed, or "unknown".
     */
    static String readOrUnknown(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
