package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;

import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostStallMeterTest
{
    @Test
    void shouldCountOnlyGapsOverTheThresholdAndBinThemBy100UsAnd1Ms()
    {
        final LongSupplier clock = scripted(0, 10, 20_010, 50_010, 150_020, 150_030, 1_150_040, 1_150_050, 3_000_000);

        final long[] tally = HostStallMeter.count(clock, 2_000_000);

        // gaps: 10, 20_000 (not over), 30_000, 100_010, 10, 1_000_010, 10, 1_849_950
        assertArrayEquals(new long[]{4, 3, 2, 1_849_950, 30_000 + 100_010 + 1_000_010 + 1_849_950}, tally);
    }

    @Test
    void shouldSayHowMuchOfTheStalledTimeTheSchedulerDoesNotExplain()
    {
        final HostStallMeter.Result result = new HostStallMeter.Result(2.0, 10, 4, 2, 3_500_000, 6_000_000,
            1_500_000, 3, 812.4, 244.6);

        assertEquals("HOST cpu=1 when=before seconds=2.0 stalls_ge_20us=10 stalls_ge_100us=4 stalls_ge_1ms=2 " +
            "max_stall_us=3500.0 stalled_ms=6.00 runqueue_wait_ms=1.50 involuntary_switches=3 " +
            "stalled_not_scheduler_ms=4.50 work_unit_ns=812 line_transfer_ns=245", result.line(1, "before"));
    }

    @Test
    void shouldSayTheLineTransferWasNotMeasuredWithoutAGuestCore()
    {
        final HostStallMeter.Result result = new HostStallMeter.Result(2.0, 0, 0, 0, 0, 0, 0, 0, 800, Double.NaN);

        assertTrue(result.line(0, "after").endsWith(" work_unit_ns=800 line_transfer_ns=n/a"), result.line(0, "after"));
    }

    private static LongSupplier scripted(final long... readingsNs)
    {
        final int[] next = {0};
        return () -> readingsNs[Math.min(next[0]++, readingsNs.length - 1)];
    }
}
