package io.sidecore.tools.stat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-second rates of the counters between two snapshots (watch mode), measured on the monotonic clock.
 * A counter has a rate when it is not a gauge, was present in the previous snapshot with the same type and label,
 * and did not go backwards (a freed and reused counter slot starts again from 0).
 */
final class Rates
{
    /** No previous snapshot: no rates. */
    static final Rates NONE = new Rates(Map.of(), 0);

    private final Map<Integer, CounterEntry> previous;
    private final long elapsedNs;

    private Rates(final Map<Integer, CounterEntry> previous, final long elapsedNs)
    {
        this.previous = previous;
        this.elapsedNs = elapsedNs;
    }

    /**
     * @param previous the earlier snapshot, or null.
     * @param current  the later snapshot.
     * @return rates from {@code previous} to {@code current}.
     */
    static Rates between(final Snapshot previous, final Snapshot current)
    {
        if (null == previous || current.nanoTime() <= previous.nanoTime())
        {
            return NONE;
        }
        final Map<Integer, CounterEntry> byCounterId = new HashMap<>();
        for (final Snapshot.CounterGroup group : previous.groups())
        {
            final List<CounterEntry> entries = group.entries();
            for (int i = 0; i < entries.size(); i++)
            {
                byCounterId.put(entries.get(i).counterId(), entries.get(i));
            }
        }
        return new Rates(byCounterId, current.nanoTime() - previous.nanoTime());
    }

    /**
     * @return true when rates were measured (there was an earlier snapshot).
     */
    boolean isAvailable()
    {
        return elapsedNs > 0;
    }

    /**
     * @return the interval the rates were measured over, ms.
     */
    long intervalMs()
    {
        return elapsedNs / 1_000_000L;
    }

    /**
     * @param entry a counter of the current snapshot.
     * @return its change per second, or NaN when it has no rate.
     */
    double perSecond(final CounterEntry entry)
    {
        if (elapsedNs <= 0 || entry.gauge())
        {
            return Double.NaN;
        }
        final CounterEntry before = previous.get(entry.counterId());
        if (null == before || before.typeId() != entry.typeId() || !before.label().equals(entry.label()) ||
            entry.value() < before.value())
        {
            return Double.NaN;
        }
        return (entry.value() - before.value()) * 1e9 / elapsedNs;
    }
}
