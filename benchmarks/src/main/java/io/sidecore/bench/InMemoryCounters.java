package io.sidecore.bench;

import io.sidecore.engine.status.CountersFile;
import org.agrona.concurrent.status.CountersManager;

/**
 * Counters in private memory, for an in-process run that publishes no counters file (the demo, the fuzzer): direct
 * and cache-line aligned, as the mapped file would be (Agrona's counters need 8-byte alignment, which a heap array
 * does not guarantee).
 */
public final class InMemoryCounters
{
    /** Most counters a run may ask for. */
    public static final int MAX_COUNTERS = 1 << 20;

    private InMemoryCounters()
    {
    }

    /**
     * @param maxCounters counters to hold, 1..{@link #MAX_COUNTERS}.
     * @return a counters manager over fresh direct memory.
     */
    public static CountersManager create(final int maxCounters)
    {
        if (maxCounters <= 0 || maxCounters > MAX_COUNTERS)
        {
            throw new IllegalArgumentException("maxCounters must be in [1, " + MAX_COUNTERS + "]: " + maxCounters);
        }
        return CountersFile.privateCountersManager(maxCounters);
    }
}
