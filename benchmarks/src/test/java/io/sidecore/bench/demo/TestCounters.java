package io.sidecore.bench.demo;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;

/**
 * Test support: a counters area in aligned direct memory, as the engine's counters file would be.
 */
final class TestCounters
{
    private TestCounters()
    {
    }

    /**
     * @param maxCounters counters the area holds.
     * @return a fresh counters manager.
     */
    static CountersManager manager(final int maxCounters)
    {
        return new CountersManager(
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                maxCounters * CountersManager.METADATA_LENGTH, BitUtil.CACHE_LINE_LENGTH)),
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                maxCounters * CountersManager.COUNTER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
    }
}
