package io.sidecore.tools.e2e;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code tools/sidecore e2e}: the real-VM end-to-end test. Prepares (or reuses) the cached Debian root with QEMU and
 * the guest image, boots a guest under TCG with the chosen NIC, runs the checks and prints one
 * {@code E2E PASS/FAIL} line per check, then the throughput table. Exit 0 when every check passed.
 */
@Command(
    name = "sidecore e2e",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Boot a Linux guest under QEMU (TCG, shared memfd RAM, -nic none) with one NIC and check it end to end: " +
            "probe and link, ping, TCP and UDP both ways, latency, counters, MTU 9000, driver reload, two guests, " +
            "reboot, and the e1000 driver's self-test (ethtool -t; not in virtio mode, whose driver has none).",
        "Modes: sidecore (the product: -device vfio-user-pci to a sidecore port), qemu-e1000 and virtio (QEMU's own " +
            "NICs on a TAP: the baselines)." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every check passed",
        "1:a check failed, or the guest environment could not be prepared (the reason is printed)",
        "2:usage error" })
public final class E2eMain implements Callable<Integer>
{
    /** Exit code of a usage error. */
    static final int EXIT_USAGE = 2;
    /** The check names for the help text (a test keeps it equal to {@link E2eCheck#names()}). */
    static final String CHECK_NAMES = "identity, probe, ping, path, tcp, udp, latency, counters, mtu9000, reload, " +
        "two-guests, reboot, selftest";

    @Spec
    private CommandSpec spec;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "sidecore",
        description = "sidecore, qemu-e1000 or virtio (default: ${DEFAULT-VALUE})")
    private String mode;

    @Option(names = "--checks", paramLabel = "LIST", defaultValue = "all",
        description = "comma-separated checks (default: ${DEFAULT-VALUE}); identity, probe, ping and path always " +
            "run. Checks: " + CHECK_NAMES)
    private String checks;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "" + E2eSettings.TRAFFIC_SECONDS_DEFAULT,
        description = "length of each iperf3/netperf measurement (default: ${DEFAULT-VALUE})")
    private int trafficSeconds;

    @Option(names = "--boot-timeout-s", paramLabel = "S",
        defaultValue = "" + E2eSettings.BOOT_TIMEOUT_SECONDS_DEFAULT,
        description = "how long a guest may take to boot to its shell (default: ${DEFAULT-VALUE})")
    private int bootTimeoutSeconds;

    @Option(names = "--command-timeout-s", paramLabel = "S",
        defaultValue = "" + E2eSettings.COMMAND_TIMEOUT_SECONDS_DEFAULT,
        description = "how long an ordinary guest command may take (default: ${DEFAULT-VALUE})")
    private int commandTimeoutSeconds;

    @Option(names = "--memory-mib", paramLabel = "MIB", defaultValue = "" + E2eSettings.GUEST_MEMORY_MIB_DEFAULT,
        description = "guest RAM, a shared memfd (default: ${DEFAULT-VALUE})")
    private int memoryMib;

    @Option(names = "--cache-dir", paramLabel = "DIR",
        description = "the prepared environment (default: $" + E2eSettings.CACHE_DIR_ENV + " or " +
            E2eSettings.CACHE_DIR_DEFAULT + ")")
    private Path cacheDir;

    @Option(names = "--log-dir", paramLabel = "DIR",
        description = "console transcripts and logs (default: a new directory under /tmp)")
    private Path logDir;

    @Option(names = "--qemu-arg", paramLabel = "ARG",
        description = "an extra QEMU argument, repeatable (e.g. --qemu-arg=-trace --qemu-arg='vfio_user_*')")
    private List<String> extraQemuArgs = new ArrayList<>();

    @Option(names = "--vfio-user-msg-timeout-ms", paramLabel = "MS", defaultValue = "0",
        description = "sidecore mode: QEMU's vfio-user reply timeout (x-msg-timeout); 0 keeps QEMU's 5000")
    private int vfioUserMsgTimeoutMs;

    @Option(names = "--sidecore-home", paramLabel = "DIR",
        description = "the checkout whose tools/ are used (default: the sidecore.home property tools/sidecore sets)")
    private Path sidecoreHome;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new E2eMain()).execute(args));
    }

    /**
     * Validate the options, prepare the environment and run.
     *
     * @return the exit code.
     */
    public Integer call()
    {
        final NicMode nicMode;
        final Set<E2eCheck> selected;
        try
        {
            nicMode = NicMode.fromCliName(mode);
            selected = E2eCheck.parseList(checks, nicMode);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        if (trafficSeconds < 1 || bootTimeoutSeconds < 1 || commandTimeoutSeconds < 1 || memoryMib < 128)
        {
            throw new ParameterException(spec.commandLine(),
                "--seconds, --boot-timeout-s and --command-timeout-s must be positive, --memory-mib at least 128");
        }
        final PrintStream out = System.out;
        final CheckReport report = new CheckReport(out);
        final Path home;
        final GuestCache cache;
        final Path logs;
        try
        {
            home = null != sidecoreHome ? sidecoreHome : findHome();
            cache = GuestCache.prepare(home.resolve("tools/e2e"), null != cacheDir ? cacheDir :
                E2eSettings.defaultCacheDir());
            logs = E2eRun.createLogDir(null != logDir ? logDir : Path.of("/tmp", "sidecore-e2e-" +
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        }
        catch (final E2eException ex)
        {
            out.println("E2E FAIL setup " + ex.getMessage());
            return 1;
        }
        final E2eSettings settings = new E2eSettings(nicMode, selected, trafficSeconds,
            Duration.ofSeconds(bootTimeoutSeconds), Duration.ofSeconds(commandTimeoutSeconds), memoryMib, logs,
            List.copyOf(extraQemuArgs), home, vfioUserMsgTimeoutMs);
        final E2eRun run = new E2eRun(settings, cache, report);
        final Thread cleanup = new Thread(run::close, "e2e-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        final int failures;
        try
        {
            failures = run.execute();
        }
        finally
        {
            run.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        return 0 == failures ? 0 : 1;
    }

    /**
     * @return the checkout: the {@code sidecore.home} property, else the first directory upwards from the working
     * directory that holds {@code tools/e2e/prepare.sh}.
     */
    static Path findHome()
    {
        final String property = System.getProperty("sidecore.home");
        if (null != property && !property.isBlank())
        {
            return Path.of(property);
        }
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            if (Files.isRegularFile(dir.resolve("tools/e2e/prepare.sh")))
            {
                return dir;
            }
        }
        throw new E2eException("cannot find the sidecore checkout (tools/e2e/prepare.sh) from " +
            Path.of("").toAbsolutePath() + "; set -Dsidecore.home or --sidecore-home");
    }
}
