package io.sidecore.engine.status;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoreSpeedTest
{
    @Test
    void shouldKeepTheFastestTimingWhenOneIsStalled()
    {
        // Start and end of each timing: 900 ns, a 40 us stall, then 790 ns and 800 ns.
        final long[] readings = { 1_000, 1_900, 5_000, 45_000, 50_000, 50_790, 60_000, 60_800 };
        final int[] next = { 0 };

        final long fastestNs = new CoreSpeed().fastestWorkUnitNs(() -> readings[next[0]++], 4);

        assertEquals(790, fastestNs);
        assertEquals(readings.length, next[0], "two clock readings per timing, no more");
    }

    @Test
    void shouldChainFromTheSeed()
    {
        final long[] data = new long[CoreSpeed.WORK_UNIT_LONGS];

        // Over zeros the chain is h -> 31h + (h >>> 17), 512 times: the seed decides it, and 0 stays 0.
        assertEquals(0, CoreSpeed.workUnit(data, 0));
        assertNotEquals(CoreSpeed.workUnit(data, 7), CoreSpeed.workUnit(data, 8));
    }

    @Test
    void shouldWarmUpByTakingReadingsOnTheClockItIsGiven()
    {
        final long[] readings = { 0 };
        final CoreSpeed speed = new CoreSpeed().warmUp(() -> readings[0]++, 3);

        assertEquals(3 * CoreSpeed.SIDECORE_TIMINGS * 2, readings[0], "two clock readings per timing");
        assertEquals(1, speed.fastestWorkUnitNs(() -> readings[0]++, 1));
    }

    @Test
    void shouldTimeCompiledCodeOnceWarmed()
    {
        // Interpreted the loop takes about 17 us here, compiled about 0.8 us: a warmed reading far below the former.
        final long fastestNs = CoreSpeed.warmed().fastestWorkUnitNs(CoreSpeed.SYSTEM_CLOCK, 100);

        assertTrue(fastestNs > 0 && fastestNs < 5_000, "fastest warmed work unit: " + fastestNs + " ns");
    }

    @Test
    void shouldTakeMeasurableTimeOnTheRealClock()
    {
        final long fastestNs = new CoreSpeed().fastestWorkUnitNs(System::nanoTime, CoreSpeed.SIDECORE_TIMINGS);

        assertTrue(fastestNs > 0 && fastestNs < 1_000_000_000L, "fastest work unit: " + fastestNs + " ns");
    }

    @Test
    void shouldRefuseNoTimingsAndANegativeWarmUp()
    {
        assertThrows(IllegalArgumentException.class, () -> new CoreSpeed().fastestWorkUnitNs(System::nanoTime, 0));
        assertThrows(IllegalArgumentException.class, () -> new CoreSpeed().warmUp(CoreSpeed.SYSTEM_CLOCK, -1));
    }
}
