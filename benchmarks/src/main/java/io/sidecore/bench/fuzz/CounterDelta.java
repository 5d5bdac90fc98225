package io.sidecore.bench.fuzz;

import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;

/**
 * A port's counters at one instant, to compare with later: what a case changed.
 */
final class CounterDelta
{
    private static final PortCounter[] COUNTERS = PortCounter.values();

    private final PortCounters counters;
    private final long[] before = new long[COUNTERS.length];

    CounterDelta(final PortCounters counters)
    {
        this.counters = counters;
        for (int i = 0; i < COUNTERS.length; i++)
        {
            before[i] = counters.get(COUNTERS[i]);
        }
    }

    long delta(final PortCounter counter)
    {
        return counters.get(counter) - before[counter.ordinal()];
    }

    /**
     * @param expected the drop counter that should have moved (null: none).
     * @return the sum of every other drop counter's delta.
     */
    long otherDrops(final PortCounter expected)
    {
        long sum = 0;
        for (int i = 0; i < COUNTERS.length; i++)
        {
            if (COUNTERS[i].isDrop() && COUNTERS[i] != expected)
            {
                sum += counters.get(COUNTERS[i]) - before[i];
            }
        }
        return sum;
    }

    /**
     * @return the drop counters that moved, e.g. {@code tx_drop_dma_fault+1}.
     */
    String describeDrops()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < COUNTERS.length; i++)
        {
            final long delta = counters.get(COUNTERS[i]) - before[i];
            if (COUNTERS[i].isDrop() && 0 != delta)
            {
                text.append(text.length() > 0 ? " " : "").append(COUNTERS[i].counterName()).append('+').append(delta);
            }
        }
        return text.length() > 0 ? text.toString() : "no drop counter moved";
    }
}
