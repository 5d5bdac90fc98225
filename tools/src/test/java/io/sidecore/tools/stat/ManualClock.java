package io.sidecore.tools.stat;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

/**
 * Wall and monotonic clock moved only by the test: the monotonic clock is the wall clock in ns.
 */
final class ManualClock implements EpochClock, NanoClock
{
    private long nowMs;

    ManualClock(final long nowMs)
    {
        this.nowMs = nowMs;
    }

    void advanceMs(final long durationMs)
    {
        nowMs += durationMs;
    }

    void setMs(final long nowMs)
    {
        this.nowMs = nowMs;
    }

    public long time()
    {
        return nowMs;
    }

    public long nanoTime()
    {
        return nowMs * 1_000_000L;
    }
}
