package io.sidecore.bench.fuzz;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.Callable;

/**
 * {@code sidecore fuzz}: the hostile-guest fuzzer ({@link FuzzRig}), and with {@code --soak} the same for a given
 * time, watching the process's memory and descriptors too ({@link FuzzSoak}).
 */
@Command(
    name = "sidecore fuzz",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Drives random and adversarial register writes (trapped and shared-page), descriptor rings and wire frames " +
            "against a hostile guest's ports while three honest guests (the Linux e1000 driver model) carry " +
            "traffic on the same two sidecores (the real agents and switch, run on this thread with a manual " +
            "clock, so a run is reproducible from its seed). Every QEMU e1000 CVE trigger of the conformance " +
            "checklist is one of the named cases.",
        "",
        "After each case: no exception escaped the agent (crashes); no access left the guest's regions (oob: the " +
            "fuzzer's own shadow map of the regions, told of every range the device reads or writes, and canaries " +
            "around the regions); the case's rejection counted under its one named counter, honest frames intact " +
            "and not spoofed, a faulted port back after a guest reset, every frame delivered or counted (escapes). " +
            "Honest throughput: valid honest frames per window against the same work with the hostile guest idle.",
        "",
        "Prints FUZZ-CASE, FUZZ-CVE, FUZZ-DROP and FUZZ-FAULT hit counts, FUZZ-COVERAGE, FUZZ-ESCAPES, " +
            "FUZZ-THROUGHPUT, FUZZ-FINDING lines, and last:",
        "  FUZZ iterations=N crashes=C escapes=E oob=O honest_throughput_ratio=R",
        "",
        "Exit status: 0 when C, E and O are 0 and R >= 0.9, 1 otherwise, 2 on bad options.",
        ""
    })
public final class FuzzCommand implements Callable<Integer>
{
    /** Exit status of a clean run. */
    public static final int EXIT_OK = 0;
    /** Exit status of a run that found something. */
    public static final int EXIT_FINDINGS = 1;
    /** Exit status of bad options. */
    public static final int EXIT_USAGE = 2;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "100000",
        description = "cases to run (default ${DEFAULT-VALUE})")
    long iterations;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
        description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--window", paramLabel = "W", defaultValue = "1000",
        description = "iterations per throughput window and conservation check (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--soak", paramLabel = "SECONDS",
        description = "run for this long instead of a number of iterations, and check that the process's memory " +
            "and descriptors do not grow")
    Long soakSeconds;

    @Option(names = "--isolation",
        description = "instead: each attack of issue 10 §0 beside honest guests on the real clock; prints the " +
            "honest throughput and the sidecore's p99.9 pass time against their no-attack values")
    boolean isolation;

    @Option(names = "--attack-seconds", paramLabel = "S", defaultValue = "2",
        description = "with --isolation: seconds per measured window (default ${DEFAULT-VALUE})")
    int attackSeconds;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "3",
        description = "with --isolation: windows per attack, each between no-attack windows; the ratios are over " +
            "all of them, the spread of the per-round ratios beside (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--attacks", paramLabel = "A[,A...]", defaultValue = "all",
        description = "with --isolation: the attacks to run, by the names it prints (default ${DEFAULT-VALUE})")
    String attacks;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param out report lines.
     * @param err errors.
     */
    public FuzzCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Parse and run.
     *
     * @param args command line.
     * @param out  report lines.
     * @param err  errors.
     * @return the exit status.
     */
    public static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        final CommandLine commandLine = new CommandLine(new FuzzCommand(out, err));
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            err.println("sidecore fuzz: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        return commandLine.execute(args);
    }

    /**
     * {@inheritDoc}
     */
    public Integer call()
    {
        if (iterations < 1 || window < 10 || window > iterations && null == soakSeconds && !isolation)
        {
            throw new ParameterException(spec.commandLine(),
                "--iterations must be at least 1 and --window in [10, iterations]: " + iterations + ", " + window);
        }
        if (isolation)
        {
            if (attackSeconds < 1 || attackSeconds > 60)
            {
                throw new ParameterException(spec.commandLine(), "--attack-seconds must be in [1, 60]: " +
                    attackSeconds);
            }
            if (rounds < 1 || rounds > 20)
            {
                throw new ParameterException(spec.commandLine(), "--rounds must be in [1, 20]: " + rounds);
            }
            final EnumSet<IsolationRun.Attack> selected;
            try
            {
                selected = IsolationRun.Attack.parse(attacks);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(), "--attacks: " + ex.getMessage(), ex, null, attacks);
            }
            return new IsolationRun(attackSeconds, rounds, selected, out, err).run();
        }
        if (null != soakSeconds)
        {
            if (soakSeconds < 1)
            {
                throw new ParameterException(spec.commandLine(), "--soak must be at least 1 second: " + soakSeconds);
            }
            return new FuzzSoak(seed, window, soakSeconds, out).run();
        }
        try (FuzzRig rig = new FuzzRig(seed, window, out))
        {
            out.println("sidecore fuzz: seed " + seed + ", " + iterations + " iterations, windows of " + window);
            rig.measureBaseline();
            final long startNs = System.nanoTime();
            rig.run(0, iterations);
            rig.report(iterations, System.nanoTime() - startNs);
            return rig.isClean() ? EXIT_OK : EXIT_FINDINGS;
        }
    }
}
