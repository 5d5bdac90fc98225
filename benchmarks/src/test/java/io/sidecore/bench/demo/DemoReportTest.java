package io.sidecore.bench.demo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DemoReportTest
{
    private static TrafficSnapshot twoPorts(
        final long tx0, final long rx0, final long rxBytes0, final long dropped0,
        final long tx1, final long rx1, final long rxBytes1, final long dropped1)
    {
        return new TrafficSnapshot(
            new long[]{ tx0, tx1 },
            new long[]{ rx0, rx1 },
            new long[]{ rxBytes0, rxBytes1 },
            new long[]{ dropped0, dropped1 },
            new long[]{ 0, 0 },
            0,
            0);
    }

    @Test
    void shouldFormatPortLineWithNameAndCounts()
    {
        final TrafficSnapshot total = twoPorts(10, 9, 576, 1, 20, 19, 1216, 2);

        assertEquals("PORT name=g1 tx_frames=20 rx_frames=19 dropped=2", DemoReport.portLine("g1", total, 1));
    }

    @Test
    void shouldFormatSummaryLineWithRatesOverRequestedSeconds()
    {
        // 3,000,000 frames in 2 s = 1.5 Mpps; 192,000,000 bytes * 8 / 2 s = 0.768 Gbps.
        final TrafficSnapshot total =
            twoPorts(1_500_001, 1_500_000, 96_000_000, 1, 1_500_000, 1_500_000, 96_000_000, 0);

        assertEquals(
            "SUMMARY guests=2 seconds=2 tx_frames=3000001 rx_frames=3000000 dropped=1 unaccounted=0 mpps=1.500 " +
                "gbps=0.768",
            DemoReport.summaryLine(2, 2, total));
    }

    @Test
    void shouldShowNonZeroUnaccountedInSummary()
    {
        final TrafficSnapshot total = twoPorts(5, 0, 0, 0, 0, 3, 192, 1);

        assertEquals(
            "SUMMARY guests=2 seconds=1 tx_frames=5 rx_frames=3 dropped=1 unaccounted=1 mpps=0.000 gbps=0.000",
            DemoReport.summaryLine(2, 1, total));
    }

    @Test
    void shouldComputeMppsFromFramesAndSeconds()
    {
        assertEquals(2.5, DemoReport.mpps(5_000_000, 2.0), 1e-12);
    }

    @Test
    void shouldComputeGbpsFromBytesAndSeconds()
    {
        assertEquals(1.0, DemoReport.gbps(250_000_000, 2.0), 1e-12);
    }

    @Test
    void shouldShowTotalsAndPerPortMinimumAndMaximumInProgressLine()
    {
        final TrafficSnapshot interval = twoPorts(1_000_000, 400_000, 25_600_000, 0, 1_000_000, 600_000, 38_400_000, 7);

        assertEquals(
            "   3s  rx 1.000 Mpps 0.512 Gbps  tx 2.000 Mpps  per port rx Mpps min 0.400 max 0.600  dropped 7  " +
                "sidecore busy 97.5%",
            DemoReport.progressLine(3, interval, 1.0, 0.975));
    }

    @Test
    void shouldShowUnknownBusyRatioInProgressLine()
    {
        final TrafficSnapshot interval = twoPorts(0, 0, 0, 0, 0, 0, 0, 0);

        assertEquals(
            "   1s  rx 0.000 Mpps 0.000 Gbps  tx 0.000 Mpps  per port rx Mpps min 0.000 max 0.000  dropped 0  " +
                "sidecore busy n/a",
            DemoReport.progressLine(1, interval, 1.0, -1));
    }
}
