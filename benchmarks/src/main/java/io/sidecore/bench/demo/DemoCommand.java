package io.sidecore.bench.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code sidecore demo}: the options, their validation and the help text; the run itself is {@link DemoRunner}.
 */
@Command(
    name = "sidecore demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Starts a sidecore with the embedded default configuration (pinned to a free core, busy polling), " +
            "attaches N synthetic guests (the Linux e1000 driver model on shared memory and eventfds, all played " +
            "by one thread on another core) and makes each guest send to the next one through the L2 switch. " +
            "A single guest sends to itself over a loopback cable instead (a switch never sends a frame back out " +
            "of the port it came from).",
        "",
        "Prints one line per second, then one PORT line per guest (with --capture, one CAPTURE line per port) and, " +
            "last, the SUMMARY line:",
        "  PORT name=g0 tx_frames=T rx_frames=R dropped=D",
        "  CAPTURE port=g0 file=DIR/g0.pcapng frames=F rotations=R",
        "  SUMMARY guests=N seconds=S tx_frames=T rx_frames=R dropped=D unaccounted=U mpps=X gbps=Y",
        "",
        "  tx_frames    frames the guests' devices emitted (engine counter tx_frames)",
        "  rx_frames    frames the devices wrote into the guests' RX rings (rx_frames)",
        "  dropped      emitted frames counted in a drop counter: rx_drop_* at the destination, the switch's and " +
            "backends' drops at the source, the sidecores' switch drops",
        "  unaccounted  tx_frames - rx_frames - dropped; 0 means every frame was delivered or counted",
        "  mpps         rx_frames / seconds / 1e6",
        "  gbps         rx_bytes * 8 / seconds / 1e9 (rx_bytes: bytes written into the guests' RX buffers)",
        "",
        "Counts cover the measured run only: before it the guests send for the warm-up seconds and the engine is " +
            "drained, so the run starts from idle with the data path compiled. The switch knows every port's MAC " +
            "address from the start, so no frame is flooded. Engine settings come from the sidecore.* system " +
            "properties (SIDECORE_JAVA_OPTS), else the built-in defaults.",
        "",
        "Exit status: 0 when every frame is accounted for, 1 on failure, 2 on bad options.",
        ""
    })
public final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--guests", paramLabel = "N", defaultValue = "" + DemoOptions.DEFAULT_GUESTS,
        description = "synthetic guests, " + DemoOptions.MIN_GUESTS + ".." + DemoOptions.MAX_GUESTS +
            " (default ${DEFAULT-VALUE})")
    int guests;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "" + DemoOptions.DEFAULT_SECONDS,
        description = "length of the measured run, " + DemoOptions.MIN_SECONDS + ".." + DemoOptions.MAX_SECONDS +
            " (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup-seconds", paramLabel = "W", defaultValue = "" + DemoOptions.DEFAULT_WARMUP_SECONDS,
        description = "seconds of sending before the measured run, not counted, " + DemoOptions.MIN_WARMUP_SECONDS +
            ".." + DemoOptions.MAX_WARMUP_SECONDS + " (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--frame-bytes", paramLabel = "B", defaultValue = "" + DemoOptions.DEFAULT_FRAME_BYTES,
        description = "bytes per frame handed to the NIC, Ethernet header included, FCS excluded, " +
            DemoOptions.MIN_FRAME_BYTES + ".." + DemoOptions.MAX_FRAME_BYTES + " (default ${DEFAULT-VALUE})")
    int frameBytes;

    @Option(names = "--csb",
        description = "guests use the Communication Status Block instead of doorbell writes")
    boolean csb;

    @Option(names = "--no-pin", description = "do not pin the sidecore (nor keep the guests off its core)")
    boolean noPin;

    @Option(names = "--counters-file", paramLabel = "PATH",
        description = "publish the counters in this file for 'sidecore stat' (default: kept in memory)")
    Path countersFile;

    @Option(names = "--capture", paramLabel = "DIR",
        description = "capture each port's traffic, both directions, into DIR/<port>.pcapng (tcpdump -r, " +
            "Wireshark; the direction is in each packet's flags); DIR is created if missing")
    Path captureDirectory;

    @Option(names = "--capture-file-bytes", paramLabel = "B",
        defaultValue = "" + DemoOptions.DEFAULT_CAPTURE_FILE_BYTES,
        description = "with --capture, rotate a port's file before it exceeds B bytes, keeping the newest " +
            DemoOptions.CAPTURE_FILES + " (<port>.pcapng and <port>.pcapng.1), " + DemoOptions.MIN_CAPTURE_FILE_BYTES +
            ".." + DemoOptions.MAX_CAPTURE_FILE_BYTES + " (default ${DEFAULT-VALUE})")
    long captureFileBytes;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param out progress, PORT and SUMMARY lines.
     * @param err warnings and errors.
     */
    public DemoCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Parse the arguments and run the demo.
     *
     * @param args command-line arguments.
     * @param out  progress, PORT and SUMMARY lines (and the help text).
     * @param err  warnings and errors; a bad option is one line here.
     * @return the exit status: {@link DemoRunner#EXIT_OK}, {@link DemoRunner#EXIT_FAILURE} or
     *     {@link DemoRunner#EXIT_USAGE}.
     */
    public static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        final CommandLine commandLine = new CommandLine(new DemoCommand(out, err));
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            err.println("sidecore demo: " + ex.getMessage() + " (see --help)");
            return DemoRunner.EXIT_USAGE;
        });
        return commandLine.execute(args);
    }

    /**
     * @return the validated options.
     * @throws ParameterException naming the bad option.
     */
    DemoOptions options()
    {
        try
        {
            return new DemoOptions(guests, seconds, warmupSeconds, frameBytes, csb, !noPin, countersFile,
                captureDirectory, captureFileBytes);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public Integer call()
    {
        return new DemoRunner(options(), out, err).run();
    }
}
