package io.sidecore.engine.backend;

import org.agrona.concurrent.EpochNanoClock;

/**
 * Test support: a wall clock the test sets.
 */
final class ManualEpochClock implements EpochNanoClock
{
    long epochNs;

    ManualEpochClock(final long epochNs)
    {
        this.epochNs = epochNs;
    }

    public long nanoTime()
    {
        return epochNs;
    }
}
