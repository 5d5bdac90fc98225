package io.sidecore.bench.fuzz;

import io.sidecore.engine.mem.DataPathBuffer;

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
        // Every access of the data path checks its range here, so one that strays is a crash the fuzzer reports,
        // not an unseen write (the daemon runs without these checks: DataPathBuffer). Set before any engine class
        // loads; the property is read once.
        System.setProperty(DataPathBuffer.CHECKS_PROP_NAME, "true");
        if (!DataPathBuffer.isChecked())
        {
            System.err.println("sidecore fuzz: the data path's access checks could not be switched on (" +
                DataPathBuffer.CHECKS_PROP_NAME + ")");
            System.exit(2);
        }
        System.exit(FuzzCommand.execute(args, System.out, System.err));
    }
}
