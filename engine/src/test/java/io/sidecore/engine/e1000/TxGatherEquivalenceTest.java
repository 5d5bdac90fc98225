package io.sidecore.engine.e1000;

import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.sidecore.engine.e1000.TxTestSupport.harness;
import static io.sidecore.engine.e1000.TxTestSupport.putContext;
import static io.sidecore.engine.e1000.TxTestSupport.putData;
import static io.sidecore.engine.e1000.TxTestSupport.putLegacy;
import static io.sidecore.engine.e1000.TxTestSupport.ring;
import static io.sidecore.shm.E1000TxDescriptor.CMD_DEXT;
import static io.sidecore.shm.E1000TxDescriptor.CMD_EOP;
import static io.sidecore.shm.E1000TxDescriptor.CMD_IDE;
import static io.sidecore.shm.E1000TxDescriptor.CMD_RS;
import static io.sidecore.shm.E1000TxDescriptor.TUCMD_IP;
import static io.sidecore.shm.E1000TxDescriptor.TUCMD_TCP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-phase TX gather (touch the window's buffer lines, then copy) changes nothing a guest or the daemon can
 * see: for the same rings, passes with touch windows of every size produce, pass by pass, the same frames, the same
 * DD write-backs, TDH, interrupt causes, port counters and guest-memory refusal counts as the one-phase gather
 * (window 0), including bad descriptors in the middle of a window and passes cut by each budget.
 */
final class TxGatherEquivalenceTest
{
    private static final int RING_DESCRIPTORS = 64;
    private static final int LAPS = 3;
    private static final long BUFFER_SLOT_BYTES = 2048;
    private static final int[] WINDOWS = {0, 1, 100, 256, 2048, TxProcessor.GATHER_WINDOW_BYTES};

    @Test
    void sameOutcomeAsOnePhaseGatherUnderTightBudgets()
    {
        assertSameOutcomeForEveryWindow(5, 3, 2500, 4 * LAPS);
    }

    @Test
    void sameOutcomeAsOnePhaseGatherWhenOnlyTheByteBudgetCuts()
    {
        assertSameOutcomeForEveryWindow(RING_DESCRIPTORS, Integer.MAX_VALUE, 1000, 4 * LAPS);
    }

    @Test
    void sameOutcomeAsOnePhaseGatherWithoutBudgets()
    {
        assertSameOutcomeForEveryWindow(RING_DESCRIPTORS, Integer.MAX_VALUE, Long.MAX_VALUE, LAPS);
    }

    private static void assertSameOutcomeForEveryWindow(
        final int descriptorBudget, final int frameBudget, final long byteBudget, final int minimumPasses)
    {
        final List<List<String>> outcomes = new ArrayList<>();
        for (final int window : WINDOWS)
        {
            outcomes.add(run(window, descriptorBudget, frameBudget, byteBudget));
        }
        final List<String> onePhase = outcomes.get(0);
        assertTrue(onePhase.size() >= minimumPasses, "passes: " + onePhase.size());
        final String last = onePhase.get(onePhase.size() - 1);
        for (final PortCounter counter : new PortCounter[] {PortCounter.TX_DROP_DMA_FAULT,
            PortCounter.TX_DROP_OVERSIZE, PortCounter.TX_DROP_RUNT})
        {
            assertTrue(!last.contains(" " + counter.counterName() + "=0 "), "the rings hold a " + counter);
        }
        for (final GuestMemory.Rejection rejection : new GuestMemory.Rejection[] {GuestMemory.Rejection.BAD_RANGE,
            GuestMemory.Rejection.UNMAPPED, GuestMemory.Rejection.PAST_REGION_END})
        {
            assertTrue(!last.contains(" rejected_" + rejection + "=0 "), "the copy counted a refusal: " + rejection);
        }
        for (int i = 1; i < WINDOWS.length; i++)
        {
            final List<String> twoPhase = outcomes.get(i);
            for (int pass = 0; pass < Math.max(onePhase.size(), twoPhase.size()); pass++)
            {
                assertEquals(pass < onePhase.size() ? onePhase.get(pass) : "(no pass)",
                    pass < twoPhase.size() ? twoPhase.get(pass) : "(no pass)",
                    "window " + WINDOWS[i] + " bytes, pass " + pass);
            }
        }
    }

    /**
     * Fill the ring with the same mixed packets lap after lap (each lap's content from the same seed), drive passes
     * within the budgets until the lap is done, and describe every pass.
     */
    private static List<String> run(
        final int windowBytes, final int descriptorBudget, final int frameBudget, final long byteBudget)
    {
        final DeviceHarness h = harness(RING_DESCRIPTORS);
        h.device.tx.gatherWindowBytes(windowBytes);
        final List<String> passes = new ArrayList<>();
        final Random random = new Random(20261204L);
        int tail = 0;
        for (int lap = 0; lap < LAPS; lap++)
        {
            // One descriptor slot stays free: TDT == TDH means an empty ring.
            tail = fill(h, random, tail, RING_DESCRIPTORS - 1);
            ring(h, tail);
            int guard = 0;
            while (h.registers.get(E1000Registers.TDH) != tail)
            {
                assertTrue(guard++ < 10 * RING_DESCRIPTORS, "the lap ends");
                h.nowNs += 1_000;
                final int work = h.device.pollTx(h.nowNs, descriptorBudget, frameBudget, byteBudget);
                passes.add(describe(h, work));
            }
        }
        return passes;
    }

    /**
     * Write {@code descriptors} descriptors from {@code first}: good frames of one to three buffers, a context
     * descriptor with its data packet, and every kind of bad buffer in between.
     *
     * @return the new tail.
     */
    private static int fill(final DeviceHarness h, final Random random, final int first, final int descriptors)
    {
        int index = first;
        int written = 0;
        while (written < descriptors)
        {
            final int left = descriptors - written;
            final int choice = random.nextInt(11);
            final long gpa = DeviceHarness.BUFFERS_GPA + index * BUFFER_SLOT_BYTES;
            final int rs = random.nextBoolean() ? CMD_RS : CMD_RS | CMD_IDE;
            if (choice <= 3 || left < 3)
            {
                final byte[] frame = DeviceHarness.broadcastFrame(60 + random.nextInt(1455), random.nextInt());
                h.putBytes(gpa, frame);
                putLegacy(h, index, gpa, frame.length, CMD_EOP | rs, 0, 0, 0);
                index = next(index);
                written++;
            }
            else if (4 == choice)
            {
                // A frame in three buffers, the first of them beginning in the middle of a cache line.
                final byte[] frame = DeviceHarness.broadcastFrame(200 + random.nextInt(1300), random.nextInt());
                final int[] cuts = {frame.length / 3, 2 * frame.length / 3, frame.length};
                int from = 0;
                for (int part = 0; part < 3; part++)
                {
                    final long partGpa = DeviceHarness.BUFFERS_GPA + index * BUFFER_SLOT_BYTES + 24;
                    final byte[] bytes = Arrays.copyOfRange(frame, from, cuts[part]);
                    h.putBytes(partGpa, bytes);
                    putLegacy(h, index, partGpa, bytes.length, 2 == part ? CMD_EOP | rs : 0, 0, 0, 0);
                    from = cuts[part];
                    index = next(index);
                    written++;
                }
            }
            else if (5 == choice)
            {
                putContext(h, index, 14, 24, 33, 34, 50, 0, 0, TUCMD_IP | TUCMD_TCP, 0, 0);
                index = next(index);
                final byte[] frame = DeviceHarness.broadcastFrame(64 + random.nextInt(1000), random.nextInt());
                final long dataGpa = DeviceHarness.BUFFERS_GPA + index * BUFFER_SLOT_BYTES;
                h.putBytes(dataGpa, frame);
                putData(h, index, dataGpa, frame.length, CMD_DEXT | CMD_EOP | rs, 0, 0);
                index = next(index);
                written += 2;
            }
            else if (10 == choice)
            {
                // DTALEN of 1 MiB - 1 at a mapped address: beyond the staging buffer, dropped as oversize.
                putData(h, index, DeviceHarness.BUFFERS_GPA, 0xF_FFFF, CMD_DEXT | CMD_EOP | rs, 0, 0);
                index = next(index);
                written++;
            }
            else
            {
                putLegacy(h, index, badBufferGpa(choice), badLength(choice), CMD_EOP | rs, 0, 0, 0);
                index = next(index);
                written++;
            }
        }
        return index;
    }

    /** Buffers the gather must refuse to read (unmapped, past the region's end, wrapping), and a runt. */
    private static long badBufferGpa(final int choice)
    {
        switch (choice)
        {
            case 6:
                return 0x10;
            case 7:
                return DeviceHarness.RAM_GPA + DeviceHarness.RAM_BYTES - 100;
            case 8:
                return -64L;
            default:
                return DeviceHarness.BUFFERS_GPA;
        }
    }

    private static int badLength(final int choice)
    {
        switch (choice)
        {
            case 6:
                return 256;
            case 7:
                return 1000;
            case 8:
                return 128;
            default:
                return 10;
        }
    }

    private static int next(final int index)
    {
        return (index + 1) % RING_DESCRIPTORS;
    }

    private static String describe(final DeviceHarness h, final int work)
    {
        final StringBuilder text = new StringBuilder();
        text.append("work=").append(work)
            .append(" tdh=").append(h.registers.get(E1000Registers.TDH))
            .append(" icr=").append(Integer.toHexString(h.registers.get(E1000Registers.ICR)))
            .append(" budgetSpent=").append(h.device.tx.isBudgetSpent())
            .append(" frames=").append(h.wire.size());
        for (final byte[] frame : h.wire)
        {
            text.append(" frame=").append(Arrays.hashCode(frame)).append('/').append(frame.length);
        }
        h.wire.clear();
        for (final PortCounter counter : PortCounter.values())
        {
            text.append(' ').append(counter.counterName()).append('=').append(h.counter(counter));
        }
        for (final GuestMemory.Rejection rejection : GuestMemory.Rejection.values())
        {
            text.append(" rejected_").append(rejection).append('=').append(h.guestMemory.rejectionCount(rejection));
        }
        final byte[] ringBytes = h.getBytes(DeviceHarness.TX_RING_GPA, RING_DESCRIPTORS * 16);
        text.append(" ring=").append(Arrays.hashCode(ringBytes));
        return text.toString();
    }

    @Test
    void everyWindowSizeSendsTheFramesTheGuestWrote()
    {
        for (final int window : WINDOWS)
        {
            final DeviceHarness h = harness(RING_DESCRIPTORS);
            h.device.tx.gatherWindowBytes(window);
            final List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                final byte[] frame = DeviceHarness.broadcastFrame(60 + 180 * i, i);
                final long gpa = DeviceHarness.BUFFERS_GPA + i * BUFFER_SLOT_BYTES + 8 * i;
                h.putBytes(gpa, frame);
                putLegacy(h, i, gpa, frame.length, CMD_EOP | CMD_RS, 0, 0, 0);
                sent.add(frame);
            }
            ring(h, 8);
            assertEquals(8, h.device.pollTx(h.nowNs, RING_DESCRIPTORS, Integer.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(8, h.wire.size(), "window " + window);
            for (int i = 0; i < 8; i++)
            {
                assertArrayEquals(sent.get(i), h.wire.get(i), "window " + window + ", frame " + i);
            }
        }
    }
}
