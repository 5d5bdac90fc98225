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
    void shouldComputeTheSameChainForTheSameSeed()
    {
        final long[] data = new long[CoreSpeed.WORK_UNIT_LONGS];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = i * 0x9E3779B97F4A7C15L;
        }

        assertEquals(CoreSpeed.workUnit(data, 7), CoreSpeed.workUnit(data, 7));
        assertNotEquals(CoreSpeed.workUnit(data, 7), CoreSpeed.workUnit(data, 8));
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
        assertThrows(IllegalArgumentException.class, () -> new CoreSpeed().warmUp(-1));
    }
}
