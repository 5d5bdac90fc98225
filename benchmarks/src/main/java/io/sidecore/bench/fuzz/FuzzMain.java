package io.sidecore.bench.fuzz;

/**
 * Entry point of {@code tools/sidecore fuzz} ({@link FuzzCommand}).
 */
public final class FuzzMain
{
    private FuzzMain()
    {
    }

    /**
     * @param args {@code [--iterations N] [--seed S] [--window W] [--soak SECONDS] [--isolation]}.
     */
    public static void main(final String[] args)
    {
        // The vfio-user server warns on every message it refuses; the fuzzer sends thousands on purpose and counts
        // the outcomes itself. Its errors (a failed connection, a failed device) still show.
        System.setProperty("org.slf4j.simpleLogger.log.io.sidecore.launcher.vfiouser", "error");
        System.exit(FuzzCommand.execute(args, System.out, System.err));
    }
}
