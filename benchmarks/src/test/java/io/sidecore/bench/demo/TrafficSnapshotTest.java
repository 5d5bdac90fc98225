package io.sidecore.bench.demo;

import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafficSnapshotTest
{
    private PortCounters g0;
    private PortCounters g1;
    private SidecoreCounters sidecore;

    @BeforeEach
    void setUp()
    {
        final CountersManager manager = TestCounters.manager(256);
        g0 = new PortCounters(manager, 0, "g0");
        g1 = new PortCounters(manager, 1, "g1");
        sidecore = new SidecoreCounters(manager, 0);
    }

    @Test
    void shouldCountEveryRxDropAsDropOfEmittedFrame()
    {
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.isDrop() && counter.counterName().startsWith("rx_drop_"))
            {
                assertTrue(TrafficSnapshot.isDropOfEmitted(counter), counter.counterName());
            }
        }
    }

    @Test
    void shouldCountSwitchDropsAtSourceAsDropsOfEmittedFrames()
    {
        assertTrue(TrafficSnapshot.isDropOfEmitted(PortCounter.TX_DROP_NO_DESTINATION));
        assertTrue(TrafficSnapshot.isDropOfEmitted(PortCounter.TX_DROP_SWITCH_RING_FULL));
    }

    @Test
    void shouldNotCountRefusalsBeforeEmissionAsDropsOfEmittedFrames()
    {
        assertFalse(TrafficSnapshot.isDropOfEmitted(PortCounter.TX_DROP_MALFORMED));
        assertFalse(TrafficSnapshot.isDropOfEmitted(PortCounter.TX_DROP_DMA_FAULT));
        assertFalse(TrafficSnapshot.isDropOfEmitted(PortCounter.TX_DROP_RUNT));
        assertFalse(TrafficSnapshot.isDropOfEmitted(PortCounter.TX_FRAMES));
        assertFalse(TrafficSnapshot.isDropOfEmitted(PortCounter.TX_BUDGET_EXHAUSTED));
    }

    @Test
    void shouldSplitPortCountsIntoDeliveredDroppedAndRefused()
    {
        g0.add(PortCounter.TX_FRAMES, 10);
        g1.add(PortCounter.RX_FRAMES, 7);
        g1.add(PortCounter.RX_BYTES, 7 * 64);
        g1.add(PortCounter.RX_DROP_RING_FULL, 2);
        g0.increment(PortCounter.TX_DROP_NO_DESTINATION);
        g0.add(PortCounter.TX_DROP_MALFORMED, 3);

        final TrafficSnapshot snapshot = snapshot();

        assertEquals(10, snapshot.txFrames(0));
        assertEquals(7, snapshot.rxFrames(1));
        assertEquals(7 * 64, snapshot.rxBytes(1));
        assertEquals(1, snapshot.dropped(0));
        assertEquals(2, snapshot.dropped(1));
        assertEquals(3, snapshot.refused(0));
        assertEquals(3, snapshot.totalDropped());
        assertEquals(3, snapshot.totalRefused());
        assertEquals(0, snapshot.unaccounted());
    }

    @Test
    void shouldAddSidecoreSwitchDropsToTotalDropped()
    {
        g0.add(PortCounter.TX_FRAMES, 3);
        g1.add(PortCounter.RX_FRAMES, 1);
        sidecore.switchDropNoDestination().increment();
        sidecore.switchDropStalePort().increment();

        final TrafficSnapshot snapshot = snapshot();

        assertEquals(2, snapshot.sidecoreDrops());
        assertEquals(2, snapshot.totalDropped());
        assertEquals(0, snapshot.dropped(0) + snapshot.dropped(1));
        assertEquals(0, snapshot.unaccounted());
    }

    @Test
    void shouldReportUnaccountedWhenFrameNeitherDeliveredNorDropped()
    {
        g0.add(PortCounter.TX_FRAMES, 5);
        g1.add(PortCounter.RX_FRAMES, 4);

        assertEquals(1, snapshot().unaccounted());
    }

    @Test
    void shouldReportNegativeUnaccountedWhenFloodingCopiedFrames()
    {
        g0.add(PortCounter.TX_FRAMES, 1);
        g1.add(PortCounter.RX_FRAMES, 1);
        g0.add(PortCounter.RX_FRAMES, 1);
        sidecore.switchFloodCopies().increment();

        final TrafficSnapshot snapshot = snapshot();

        assertEquals(1, snapshot.floodCopies());
        assertEquals(-1, snapshot.unaccounted());
    }

    @Test
    void shouldGiveIntervalCountsWhenSubtractingEarlierSnapshot()
    {
        g0.add(PortCounter.TX_FRAMES, 100);
        g1.add(PortCounter.RX_FRAMES, 99);
        g1.increment(PortCounter.RX_DROP_FILTERED);
        sidecore.switchFloodCopies().increment();
        final TrafficSnapshot baseline = snapshot();
        g0.add(PortCounter.TX_FRAMES, 10);
        g1.add(PortCounter.RX_FRAMES, 8);
        g1.add(PortCounter.RX_BYTES, 512);
        g1.add(PortCounter.RX_DROP_RING_FULL, 2);

        final TrafficSnapshot interval = snapshot().minus(baseline);

        assertEquals(10, interval.totalTxFrames());
        assertEquals(8, interval.totalRxFrames());
        assertEquals(512, interval.totalRxBytes());
        assertEquals(2, interval.totalDropped());
        assertEquals(0, interval.floodCopies());
        assertEquals(0, interval.unaccounted());
    }

    @Test
    void shouldCompareEqualOnlyWhenEveryCountIsTheSame()
    {
        final TrafficSnapshot first = snapshot();
        assertTrue(first.sameCounts(snapshot()));

        g1.increment(PortCounter.RX_DROP_OVERSIZE);

        assertFalse(first.sameCounts(snapshot()));
        assertNotEquals(first.totalDropped(), snapshot().totalDropped());
    }

    @Test
    void shouldRejectSubtractingSnapshotOfOtherPorts()
    {
        final TrafficSnapshot two = snapshot();
        final TrafficSnapshot one = TrafficSnapshot.take(new PortCounters[]{ g0 }, new SidecoreCounters[]{ sidecore });

        assertThrows(IllegalArgumentException.class, () -> two.minus(one));
    }

    private TrafficSnapshot snapshot()
    {
        return TrafficSnapshot.take(new PortCounters[]{ g0, g1 }, new SidecoreCounters[]{ sidecore });
    }
}
