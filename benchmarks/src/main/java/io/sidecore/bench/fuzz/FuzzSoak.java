package io.sidecore.bench.fuzz;

import java.io.PrintStream;

/**
 * Placeholder replaced below.
 */
final class FuzzSoak
{
    FuzzSoak(final long seed, final int window, final long seconds, final PrintStream out)
    {
    }

    int run()
    {
        return FuzzCommand.EXIT_FINDINGS;
    }
}
