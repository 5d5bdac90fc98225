package io.sidecore.bench.demo;

import io.sidecore.engine.status.CountersFile;
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
        return CountersFile.privateCountersManager(maxCounters);
    }
}
