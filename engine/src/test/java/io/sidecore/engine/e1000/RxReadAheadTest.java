package io.sidecore.engine.e1000;

import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RX read-ahead (a batch's first frame reads the first line of the next buffers, see {@link RxProcessor}): how
 * much it reads is bounded by the port's previous batch, by {@link RxProcessor#READ_AHEAD_DESCRIPTORS} and by the
 * descriptors the guest gave, it reads nothing for paced traffic or outside a batch, and it changes nothing a guest or
 * the daemon can see: the same descriptors, buffers, RDH, interrupt causes, counters and guest-memory refusal counts
 * as without it, bad buffer addresses included.
 */
class RxReadAheadTest
{
    private static final int RING = 32;

    @Test
    void shouldReadAheadAsManyBuffersAsThePreviousBatchReceived()
    {
        final DeviceHarness h = ready(RING - 1);

        batch(h, 5, 0);
        assertEquals(0, h.device.rx.readAheadTouchedDescriptors(), "no batch before: nothing to go by");

        batch(h, 3, 5);
        assertEquals(5, h.device.rx.readAheadTouchedDescriptors(), "as many as the batch of 5 received");

        batch(h, 1, 8);
        assertEquals(5 + 3, h.device.rx.readAheadTouchedDescriptors(), "as many as the batch of 3 received");
        assertEquals(9, h.registers.get(E1000Registers.RDH));
        assertEquals(9, h.counter(PortCounter.RX_FRAMES));
    }

    @Test
    void shouldReadAheadNoMoreThanTheLimit()
    {
        final DeviceHarness h = ready(RING - 1);
        h.device.rx.readAheadDescriptors(4);

        batch(h, 10, 0);
        batch(h, 10, 10);

        assertEquals(4, h.device.rx.readAheadTouchedDescriptors());
        assertEquals(20, h.counter(PortCounter.RX_FRAMES));
    }

    @Test
    void shouldRefuseADepthOutsideZeroToItsMaximumAndKeepTheOneItHad()
    {
        final DeviceHarness h = ready(RING - 1);
        h.device.rxReadAheadDescriptors(7);

        assertThrows(IllegalArgumentException.class,
            () -> h.device.rxReadAheadDescriptors(RxProcessor.MAX_READ_AHEAD_DESCRIPTORS + 1));
        assertThrows(IllegalArgumentException.class, () -> h.device.rxReadAheadDescriptors(-1));

        assertEquals(7, h.device.rxReadAheadDescriptors());
        h.device.rxReadAheadDescriptors(RxProcessor.MAX_READ_AHEAD_DESCRIPTORS);
        assertEquals(RxProcessor.MAX_READ_AHEAD_DESCRIPTORS, h.device.rxReadAheadDescriptors());
    }

    @Test
    void shouldReadAheadNoFurtherThanTheDescriptorsTheGuestGave()
    {
        final DeviceHarness h = ready(12);

        batch(h, 10, 0);
        batch(h, 2, 10);

        assertEquals(2, h.device.rx.readAheadTouchedDescriptors(), "RDT 12, RDH 10: two buffers to read");
        assertEquals(12, h.registers.get(E1000Registers.RDH));
    }

    @Test
    void shouldReadNothingAheadForOneFrameABatch()
    {
        final DeviceHarness h = ready(RING - 1);

        for (int i = 0; i < 20; i++)
        {
            batch(h, 1, i);
        }

        assertEquals(0, h.device.rx.readAheadTouchedDescriptors(), "paced traffic: the write fetches its one line");
        assertEquals(20, h.counter(PortCounter.RX_FRAMES));
    }

    @Test
    void shouldNotForgetThePreviousBatchOverEmptyBatches()
    {
        final DeviceHarness h = ready(RING - 1);
        batch(h, 6, 0);
        for (int i = 0; i < 3; i++)
        {
            batch(h, 0, 6);
        }

        batch(h, 2, 6);

        assertEquals(6, h.device.rx.readAheadTouchedDescriptors(), "an idle port's empty batches say nothing");
    }

    @Test
    void shouldForgetThePreviousBatchAtReset()
    {
        final DeviceHarness h = ready(RING - 1);
        batch(h, 6, 0);

        h.device.rx.reset();
        batch(h, 2, 6);

        assertEquals(0, h.device.rx.readAheadTouchedDescriptors());
    }

    @Test
    void shouldReadNothingAheadOutsideABatch()
    {
        final DeviceHarness h = ready(RING - 1);
        batch(h, 6, 0);
        batch(h, 2, 6);
        assertEquals(6, h.device.rx.readAheadTouchedDescriptors(), "a batch of 6 before: the next reads 6 ahead");

        for (int i = 8; i < 18; i++)
        {
            assertTrue(h.receive(DeviceHarness.broadcastFrame(60, i)));
        }

        assertEquals(6, h.device.rx.readAheadTouchedDescriptors(), "frames outside a batch read nothing ahead");
        assertEquals(18, h.registers.get(E1000Registers.RDH));
    }

    @Test
    void shouldLeaveTheSameStateWithReadAheadAsWithoutIncludingBadBuffers()
    {
        final DeviceHarness withReadAhead = ready(0);
        final DeviceHarness without = ready(0);
        without.device.rx.readAheadDescriptors(0);

        final List<String> expected = drive(without);
        final List<String> actual = drive(withReadAhead);

        assertTrue(withReadAhead.device.rx.readAheadTouchedDescriptors() > 2L * RING,
            "read ahead over laps: " + withReadAhead.device.rx.readAheadTouchedDescriptors());
        assertEquals(0, without.device.rx.readAheadTouchedDescriptors());
        final String last = expected.get(expected.size() - 1);
        assertTrue(!last.contains(" " + PortCounter.RX_DROP_DMA_FAULT.counterName() + "=0 "), last);
        assertTrue(!last.contains(" " + PortCounter.RX_DROP_RING_FULL.counterName() + "=0 "), last);
        for (int batch = 0; batch < Math.max(expected.size(), actual.size()); batch++)
        {
            assertEquals(batch < expected.size() ? expected.get(batch) : "(none)",
                batch < actual.size() ? actual.get(batch) : "(none)", "batch " + batch);
        }
    }

    /**
     * Five laps of the ring in batches of 1 to 9 frames of 60 to 1514 bytes, the guest giving back what was used
     * before each batch with every fifth buffer address 0 (consumed without data), every seventh outside guest
     * memory and every eleventh at the top of the address space (DMA faults), and sometimes giving fewer descriptors
     * than the batch needs (ring full); each batch described.
     */
    private static List<String> drive(final DeviceHarness h)
    {
        final List<String> batches = new ArrayList<>();
        int given = 0;
        int frame = 0;
        for (int batch = 0; given < 5 * RING; batch++)
        {
            assertTrue(batch < 50 * RING && !h.device.isFaulted(), "the laps end: batch " + batch);
            final int frames = 1 + batch % 9;
            final int give = batch % 4 == 3 ? frames / 2 : frames + 1;
            final int head = h.registers.get(E1000Registers.RDH);
            final int tail = h.registers.get(E1000Registers.RDT);
            final int room = (head - tail - 1 + RING) % RING;
            for (int i = 0; i < Math.min(give, room); i++)
            {
                final int index = (tail + i) % RING;
                final int n = given + i;
                final long outside = DeviceHarness.RAM_GPA + DeviceHarness.RAM_BYTES;
                final long bufferGpa =
                    n % 11 == 10 ? -64L : n % 7 == 6 ? outside : n % 5 == 4 ? 0 : h.rxBufferGpa(index);
                h.putRxDescriptor(index, bufferGpa);
            }
            given += Math.min(give, room);
            h.writeShared(E1000Registers.RDT, (tail + Math.min(give, room)) % RING);
            h.nowNs += 1_000;
            h.device.rxBatching(true, h.nowNs);
            final int[] outcomes = new int[frames];
            for (int i = 0; i < frames; i++)
            {
                outcomes[i] = h.receiveOutcome(DeviceHarness.broadcastFrame(60 + (frame * 367) % 1455, frame));
                frame++;
            }
            h.device.rxBatching(false, h.nowNs);
            batches.add(describe(h, outcomes));
        }
        return batches;
    }

    private static String describe(final DeviceHarness h, final int[] outcomes)
    {
        final StringBuilder text = new StringBuilder("outcomes=").append(Arrays.toString(outcomes))
            .append(" rdh=").append(h.registers.get(E1000Registers.RDH))
            .append(" icr=").append(Integer.toHexString(h.read(E1000Registers.ICR)))
            .append(" faulted=").append(h.device.isFaulted()).append(' ');
        for (final PortCounter counter : PortCounter.values())
        {
            text.append(counter.counterName()).append('=').append(h.counter(counter)).append(' ');
        }
        for (final GuestMemory.Rejection rejection : GuestMemory.Rejection.values())
        {
            text.append(" rejected_").append(rejection).append('=').append(h.guestMemory.rejectionCount(rejection));
        }
        for (int i = 0; i < RING; i++)
        {
            text.append(" d").append(i).append('=').append(h.rxStatus(i)).append('/').append(h.rxLength(i))
                .append('/').append(h.rxErrors(i)).append('/')
                .append(Arrays.hashCode(h.getBytes(h.rxBufferGpa(i), 2048)));
        }
        return text.toString();
    }

    /**
     * Receive {@code frames} broadcast frames in one batch, each delivered.
     */
    private static void batch(final DeviceHarness h, final int frames, final int firstSeed)
    {
        h.device.rxBatching(true, h.nowNs);
        for (int i = 0; i < frames; i++)
        {
            assertTrue(h.receive(DeviceHarness.broadcastFrame(60, firstSeed + i)), "frame " + (firstSeed + i));
        }
        h.device.rxBatching(false, h.nowNs);
    }

    private static DeviceHarness ready(final int tail)
    {
        final DeviceHarness h = new DeviceHarness();
        h.setUpRxRing(RING);
        h.write(E1000Registers.IMS, E1000Registers.ICR_RXT0 | E1000Registers.ICR_RXDMT0);
        h.writeShared(E1000Registers.RDT, tail);
        return h;
    }
}
