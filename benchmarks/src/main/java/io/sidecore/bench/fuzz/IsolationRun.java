package io.sidecore.bench.fuzz;

import java.io.PrintStream;

/**
 * Placeholder replaced below.
 */
final class IsolationRun
{
    IsolationRun(final int seconds, final PrintStream out, final PrintStream err)
    {
    }

    int run()
    {
        return FuzzCommand.EXIT_FINDINGS;
    }
}
