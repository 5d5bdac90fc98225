package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The drop statistics a guest reads (SDM 13.7: MPC, RNBC, ROC, RUC, RLEC, cleared on read) agree with the port's drop
 * counters for the same events: one test per drop reason that has a hardware counterpart. The guest reads its
 * statistics between drops and adds them up as Linux's {@code e1000_update_stats} does every 2 s, so the sums it
 * reports ({@code rx_missed_errors}, {@code rx_no_buffer_count}, {@code rx_length_errors}) equal the port's counters.
 * Drop reasons with no hardware counterpart (filtered frames) move no statistic.
 */
class DropStatisticsAgreementTest
{
    private static final int RING = 8;
    private static final int DROPS = 5;
    private static final int[] DROP_STATISTICS = {
        E1000Registers.MPC, E1000Registers.RNBC, E1000Registers.ROC, E1000Registers.RUC, E1000Registers.RLEC,
    };

    private final DeviceHarness h = new DeviceHarness();
    private final long[] guestSums = new long[DROP_STATISTICS.length];

    @BeforeEach
    void setUp()
    {
        RxFrames.ready(h, RING);
    }

    @Test
    void shouldCountEachRingFullDropInMpcAndRnbcAsTheGuestSeesThem()
    {
        h.writeShared(E1000Registers.RDT, 0);

        dropEach(DeviceHarness.broadcastFrame(100, 1));

        assertEquals(DROPS, h.counter(PortCounter.RX_DROP_RING_FULL));
        assertEquals(h.counter(PortCounter.RX_DROP_RING_FULL), guestSum(E1000Registers.MPC),
            "SDM 13.7.5: missed packets");
        assertEquals(h.counter(PortCounter.RX_DROP_RING_FULL), guestSum(E1000Registers.RNBC),
            "SDM 13.7.33: receive no buffers");
        assertEquals(0, guestSum(E1000Registers.ROC) + guestSum(E1000Registers.RUC) + guestSum(E1000Registers.RLEC));
    }

    @Test
    void shouldCountEachOversizeDropInRocAsTheGuestSeesIt()
    {
        dropEach(DeviceHarness.broadcastFrame(1519, 1));

        assertEquals(DROPS, h.counter(PortCounter.RX_DROP_OVERSIZE));
        assertEquals(h.counter(PortCounter.RX_DROP_OVERSIZE), guestSum(E1000Registers.ROC),
            "SDM 13.7.36: receive oversize");
        assertEquals(h.counter(PortCounter.RX_DROP_OVERSIZE), guestSum(E1000Registers.RLEC),
            "SDM 13.7.15: a length error");
        assertEquals(0, guestSum(E1000Registers.MPC) + guestSum(E1000Registers.RNBC) + guestSum(E1000Registers.RUC));
    }

    @Test
    void shouldCountEachRuntDropInRucAsTheGuestSeesIt()
    {
        dropEach(Arrays.copyOf(DeviceHarness.broadcastFrame(100, 1), 13));

        assertEquals(DROPS, h.counter(PortCounter.RX_DROP_RUNT));
        assertEquals(h.counter(PortCounter.RX_DROP_RUNT), guestSum(E1000Registers.RUC),
            "SDM 13.7.34: receive undersize");
        assertEquals(h.counter(PortCounter.RX_DROP_RUNT), guestSum(E1000Registers.RLEC),
            "SDM 13.7.15: a length error");
        assertEquals(0, guestSum(E1000Registers.MPC) + guestSum(E1000Registers.RNBC) + guestSum(E1000Registers.ROC));
    }

    @Test
    void shouldMoveNoDropStatisticWhenTheAddressFilterDrops()
    {
        final byte[] otherUnicast = DeviceHarness.broadcastFrame(100, 1);
        otherUnicast[0] = 0x02;

        dropEach(otherUnicast);

        assertEquals(DROPS, h.counter(PortCounter.RX_DROP_FILTERED));
        for (final int statistic : DROP_STATISTICS)
        {
            assertEquals(0, guestSum(statistic), "statistic 0x" + Integer.toHexString(statistic));
        }
    }

    /**
     * Offer the frame {@link #DROPS} times, the guest reading its statistics after every other drop.
     */
    private void dropEach(final byte[] frame)
    {
        for (int i = 0; i < DROPS; i++)
        {
            h.receive(frame);
            if (1 == (i & 1))
            {
                guestReadsStatistics();
            }
        }
        guestReadsStatistics();
        guestReadsStatistics();
    }

    private void guestReadsStatistics()
    {
        for (int i = 0; i < DROP_STATISTICS.length; i++)
        {
            guestSums[i] += h.read(DROP_STATISTICS[i]) & 0xFFFF_FFFFL;
        }
    }

    private long guestSum(final int statistic)
    {
        for (int i = 0; i < DROP_STATISTICS.length; i++)
        {
            if (DROP_STATISTICS[i] == statistic)
            {
                return guestSums[i];
            }
        }
        throw new IllegalArgumentException("not a drop statistic: 0x" + Integer.toHexString(statistic));
    }
}
