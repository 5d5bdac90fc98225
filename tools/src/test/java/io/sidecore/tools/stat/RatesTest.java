package io.sidecore.tools.stat;

import io.sidecore.shm.CounterTypes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RatesTest
{
    @Test
    void shouldHaveNoRatesWithoutPreviousSnapshot()
    {
        final Snapshot current = snapshot(1_000_000_000L, counter(0, "port=g0 tx_frames", false, 10));

        final Rates rates = Rates.between(null, current);

        assertFalse(rates.isAvailable());
        assertTrue(Double.isNaN(rates.perSecond(current.groups().getFirst().entries().getFirst())));
    }

    @Test
    void shouldDivideDeltaByMonotonicIntervalWhenCounterGrew()
    {
        final Snapshot previous = snapshot(1_000_000_000L, counter(0, "port=g0 tx_frames", false, 10));
        final CounterEntry grown = counter(0, "port=g0 tx_frames", false, 60);

        final Rates rates = Rates.between(previous, snapshot(1_250_000_000L, grown));

        assertTrue(rates.isAvailable());
        assertEquals(250, rates.intervalMs());
        assertEquals(200.0, rates.perSecond(grown));
    }

    @Test
    void shouldHaveNoRateForGaugeNewCounterReusedSlotOrBackwardsValue()
    {
        final Snapshot previous = snapshot(0,
            counter(0, "sidecore=0 busy_ratio_ppm", true, 10),
            counter(1, "port=g0 tx_frames", false, 10),
            counter(2, "port=g0 rx_frames", false, 10));
        final CounterEntry gauge = counter(0, "sidecore=0 busy_ratio_ppm", true, 20);
        final CounterEntry reused = counter(1, "port=g9 tx_frames", false, 20);
        final CounterEntry backwards = counter(2, "port=g0 rx_frames", false, 5);
        final CounterEntry added = counter(3, "port=g0 rx_bytes", false, 5);

        final Rates rates = Rates.between(previous, snapshot(1_000_000_000L, gauge, reused, backwards, added));

        assertTrue(Double.isNaN(rates.perSecond(gauge)));
        assertTrue(Double.isNaN(rates.perSecond(reused)));
        assertTrue(Double.isNaN(rates.perSecond(backwards)));
        assertTrue(Double.isNaN(rates.perSecond(added)));
    }

    @Test
    void shouldHaveNoRatesWhenClockDidNotAdvance()
    {
        final Snapshot previous = snapshot(5, counter(0, "port=g0 tx_frames", false, 10));

        assertFalse(Rates.between(previous, snapshot(5, counter(0, "port=g0 tx_frames", false, 20))).isAvailable());
    }

    private static CounterEntry counter(final int counterId, final String label, final boolean gauge, final long value)
    {
        return new CounterEntry(counterId, CounterTypes.PORT_COUNTER_TYPE_ID, label, CounterKind.OTHER, -1, "", label,
            gauge, value);
    }

    private static Snapshot snapshot(final long nanoTime, final CounterEntry... entries)
    {
        final Snapshot.CounterGroup group = new Snapshot.CounterGroup(CounterKind.OTHER, -1, "", List.of(entries));
        return new Snapshot("f", "2.0.0", 1, true, 0, 0, 0, nanoTime, List.of(group), List.of(), List.of(), Map.of());
    }
}
