package io.sidecore.tools.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DynamicItrTest
{
    @Test
    void shouldConvertRateToItrUnitsOf256Ns()
    {
        assertEquals(195, DynamicItr.itrRegister(20_000));
        assertEquals(976, DynamicItr.itrRegister(4_000));
        assertEquals(55, DynamicItr.itrRegister(70_000));
    }

    @Test
    void shouldMoveToBulkWhenLargeFramesDominate()
    {
        assertEquals(DynamicItr.BULK_LATENCY, DynamicItr.classify(DynamicItr.LOW_LATENCY, 20, 20 * 1500));
        assertEquals(DynamicItr.BULK_LATENCY, DynamicItr.classify(DynamicItr.LOWEST_LATENCY, 2, 2 * 9000));
    }

    @Test
    void shouldMoveToLowestLatencyWhenFewSmallPackets()
    {
        assertEquals(DynamicItr.LOWEST_LATENCY, DynamicItr.classify(DynamicItr.LOW_LATENCY, 2, 128));
        assertEquals(DynamicItr.LOW_LATENCY, DynamicItr.classify(DynamicItr.BULK_LATENCY, 10, 1000));
        assertEquals(DynamicItr.LOW_LATENCY, DynamicItr.classify(DynamicItr.LOW_LATENCY, 0, 0));
    }

    @Test
    void shouldNeverChooseLowestLatencyInConservativeMode()
    {
        final DynamicItr conservative = new DynamicItr(true);

        assertEquals(-1, conservative.update(1000, 1, 64, 1, 64));
        assertEquals(DynamicItr.INITIAL_RATE, conservative.rate());
    }

    @Test
    void shouldStepUpByQuarterWhenRateRises()
    {
        final DynamicItr dynamic = new DynamicItr(false);

        // Jumbo frames first: bulk, 20000 -> 4000, written at once.
        assertEquals(DynamicItr.itrRegister(4_000), dynamic.update(1000, 2, 2 * 9000, 0, 0));
        // Then light traffic asks for low latency (20000/s): climb to 4000 + 20000/4 = 9000 first.
        assertEquals(DynamicItr.itrRegister(9_000), dynamic.update(1000, 1, 64, 0, 0));
        assertEquals(9_000, dynamic.rate());
    }

    @Test
    void shouldFixRateAt4000WhenLinkSlowerThanGigabit()
    {
        final DynamicItr dynamic = new DynamicItr(true);

        assertEquals(DynamicItr.itrRegister(4_000), dynamic.update(100, 5, 500, 5, 500));
        assertEquals(-1, dynamic.update(100, 5, 500, 5, 500));
    }
}
