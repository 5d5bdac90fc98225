package io.sidecore.tools.stat;

import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.control.DaemonFiles;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.Console;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongPredicate;

/**
 * {@code tools/sidecore stat}: the live counter viewer (the AeronStat analogue). Maps the sidecore counters file
 * read-only, checks it, and prints the daemon's pid, start time and heartbeat age, every port's and sidecore's
 * counters (with per-second rates in watch mode) and the error log; as text or as JSON lines.
 * <p>
 * Depends on shm-layout, Agrona and picocli only, never on the engine: counter ids, names and key layouts come from
 * {@link io.sidecore.shm.PortCounter}, {@link io.sidecore.shm.SidecoreCounter} and
 * {@link io.sidecore.shm.CounterTypes}.
 */
@Command(
    name = "sidecore stat",
    mixinStandardHelpOptions = true,
    versionProvider = StatMain.VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Show the live counters of a running sidecore from its counters file (read-only).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the counters were shown and the heartbeat is fresh",
        "1:counters file missing, not ready or invalid, or the sidecore not running (heartbeat stale)",
        "2:usage error" })
public final class StatMain implements Callable<Integer>
{
    /** Exit code of a usage error (picocli's own for bad options). */
    static final int EXIT_USAGE = 2;
    /** Default watch interval. */
    static final long DEFAULT_INTERVAL_MS = 1000;

    @Spec
    private CommandSpec spec;

    @Option(names = "--file", paramLabel = "PATH",
        description = "counters file (default: --config's sidecore.counters.file, else " +
            CountersFileDescriptor.DEFAULT_FILE + ", the daemon's default)")
    private Path file;

    @Option(names = "--config", paramLabel = "FILE",
        description = "the daemon's properties file: read the counters file it names (sidecore.counters.file)")
    private Path config;

    @Option(names = "--prometheus", description = "print the Prometheus text exposition format (one snapshot)")
    private boolean prometheus;

    @Option(names = "--listen", paramLabel = "ADDR:PORT", description = "with --prometheus: serve it over HTTP at " +
        "http://ADDR:PORT/metrics until interrupted")
    private String listen;

    @Option(names = "--once", description = "print one snapshot and exit (the default)")
    private boolean once;

    @Option(names = "--watch", description = "print a snapshot every interval, with per-second rates, until " +
        "interrupted (Ctrl-C) or --count snapshots")
    private boolean watch;

    @Option(names = "--interval-ms", paramLabel = "MS",
        description = "watch interval in milliseconds (default: " + DEFAULT_INTERVAL_MS + ")")
    private Long intervalMs;

    @Option(names = "--count", paramLabel = "N", description = "with --watch: stop after N snapshots")
    private Long count;

    @Option(names = "--filter", paramLabel = "[KEY=]REGEX",
        description = "show only matching counters; repeatable, all must match. KEY: label (default: the regex is " +
            "found in the label 'port=g0 tx_frames'), counter (whole counter name), port (whole port name), " +
            "sidecore (whole sidecore index)")
    private List<String> filters = new ArrayList<>();

    @Option(names = "--port", paramLabel = "NAME",
        description = "show only this port's counters (repeatable); sidecore counters are hidden")
    private List<String> ports = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json (one JSON object per snapshot, one per line); default: ${DEFAULT-VALUE}")
    private Format format;

    @Option(names = "--no-errors", description = "leave out the error log")
    private boolean noErrors;

    private final EpochClock epochClock;
    private final NanoClock nanoClock;
    private final Sleeper sleeper;
    private final LongPredicate processAlive;
    private final boolean terminal;

    /**
     * Output formats.
     */
    enum Format
    {
        /** Human-readable, see {@link TextRenderer}. */
        TEXT,
        /** JSON lines, see {@link JsonRenderer}. */
        JSON
    }

    /**
     * Reports the counters file version this tool reads.
     */
    static final class VersionProvider implements CommandLine.IVersionProvider
    {
        /**
         * {@inheritDoc}
         */
        public String[] getVersion()
        {
            return new String[]{ "sidecore stat, reads counters file version " +
                SemanticVersion.toString(CountersFileDescriptor.COUNTERS_FILE_VERSION) };
        }
    }

    /**
     * The command with the system clocks, real sleeping, the host's process table, and screen clearing in watch mode
     * when standard output is a terminal.
     */
    public StatMain()
    {
        this(SystemEpochClock.INSTANCE, new SystemNanoClock(), Thread::sleep, StatMain::isProcessAlive,
            isTerminal());
    }

    /**
     * @param epochClock   wall clock (heartbeat age).
     * @param nanoClock    monotonic clock (rates).
     * @param sleeper      waits between watch snapshots.
     * @param processAlive whether a pid is alive.
     * @param terminal     standard output is a terminal: clear the screen between watch snapshots.
     */
    StatMain(
        final EpochClock epochClock,
        final NanoClock nanoClock,
        final Sleeper sleeper,
        final LongPredicate processAlive,
        final boolean terminal)
    {
        this.epochClock = epochClock;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.processAlive = processAlive;
        this.terminal = terminal;
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine(new StatMain()).execute(args));
    }

    /**
     * @param command the command object.
     * @return its command line, configured as {@code main} uses it.
     */
    static CommandLine commandLine(final StatMain command)
    {
        return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /**
     * Validate the option combination and run.
     *
     * @return the exit code.
     */
    public Integer call()
    {
        if (once && watch)
        {
            throw usage("--once and --watch exclude each other");
        }
        if (!watch && (null != intervalMs || null != count))
        {
            throw usage((null != intervalMs ? "--interval-ms" : "--count") + " needs --watch");
        }
        final long interval = null != intervalMs ? intervalMs : DEFAULT_INTERVAL_MS;
        if (interval <= 0)
        {
            throw usage("--interval-ms must be positive: " + interval);
        }
        if (null != count && count <= 0)
        {
            throw usage("--count must be positive: " + count);
        }

        final CounterSelection selection;
        try
        {
            selection = CounterSelection.parse(filters, ports);
        }
        catch (final IllegalArgumentException ex)
        {
            throw usage(ex.getMessage());
        }

        final Path countersFile = countersFile();
        if (null != listen && !prometheus)
        {
            throw usage("--listen needs --prometheus");
        }
        if (prometheus && (watch || Format.TEXT != format))
        {
            throw usage("--prometheus prints one snapshot in its own format: no --watch, no --format " +
                "(serve it with --listen)");
        }
        if (null != listen)
        {
            return serve(countersFile, selection);
        }
        final SnapshotRenderer renderer = prometheus ? new PrometheusRenderer() :
            Format.JSON == format ? new JsonRenderer() : new TextRenderer(watch && terminal);
        return new StatSession(
            countersFile,
            watch,
            interval,
            null != count ? count : 0,
            selection,
            !noErrors && !prometheus,
            renderer,
            epochClock,
            nanoClock,
            sleeper,
            processAlive,
            spec.commandLine().getOut(),
            spec.commandLine().getErr()).run();
    }

    private Path countersFile()
    {
        if (null != file && null != config)
        {
            throw usage("--file and --config exclude each other");
        }
        try
        {
            return countersFile(file, config);
        }
        catch (final IOException ex)
        {
            throw usage(ex.getMessage());
        }
    }

    /**
     * @param file   {@code --file}, or null.
     * @param config {@code --config}, or null.
     * @return {@code --file}, else the counters file the daemon's properties name, else the daemon's default.
     * @throws IOException when the properties file cannot be read (the message names it).
     */
    static Path countersFile(final Path file, final Path config) throws IOException
    {
        if (null != file)
        {
            return file;
        }
        if (null == config)
        {
            return Path.of(CountersFileDescriptor.DEFAULT_FILE);
        }
        try
        {
            return DaemonFiles.countersFile(DaemonFiles.load(config));
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot read --config " + config + ": " + ex.getMessage(), ex);
        }
    }

    private int serve(final Path countersFile, final CounterSelection selection)
    {
        final int colon = listen.lastIndexOf(':');
        final int port;
        try
        {
            port = Integer.parseInt(listen.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw usage("--listen must be ADDR:PORT: " + listen);
        }
        if (colon <= 0 || port < 0 || port > 65535)
        {
            throw usage("--listen must be ADDR:PORT: " + listen);
        }
        final InetSocketAddress address = new InetSocketAddress(listen.substring(0, colon), port);
        try (PrometheusHttpServer server = PrometheusHttpServer.start(
            address, countersFile, selection, epochClock, nanoClock, processAlive))
        {
            spec.commandLine().getOut().println("serving " + countersFile + " at http://" +
                server.address().getHostString() + ":" + server.address().getPort() +
                PrometheusHttpServer.METRICS_PATH);
            spec.commandLine().getOut().flush();
            new CountDownLatch(1).await();
            return StatSession.EXIT_OK;
        }
        catch (final IOException ex)
        {
            spec.commandLine().getErr().println(StatSession.ERROR_PREFIX + "cannot listen on " + listen + ": " +
                ex.getMessage());
            return StatSession.EXIT_NOT_RUNNING;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return StatSession.EXIT_OK;
        }
    }

    private ParameterException usage(final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }

    private static boolean isProcessAlive(final long pid)
    {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean isTerminal()
    {
        final Console console = System.console();
        return null != console && console.isTerminal();
    }
}
