package io.sidecore.engine.e1000;

import io.sidecore.engine.e1000.HostileGuestActionsTest.Action;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Actions;
import io.sidecore.engine.e1000.HostileGuestActionsTest.HostileDescriptors;
import io.sidecore.engine.e1000.HostileGuestActionsTest.PollTx;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Port;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Receive;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Rig;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.tools.guest.Descriptors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.StatisticsReport;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded work for any ring state a guest can create (CVE-2016-1981: QEMU looped forever on a head beyond the ring;
 * CVE-2020-28916: e1000e looped on a ring of null RX buffers). A single {@code pollTx(budget)} consumes at most
 * {@code budget} descriptors and returns; repeated passes drain any ring in {@code ceil(pending / budget)} calls; a
 * single {@code receive} consumes fewer descriptors than the ring holds. Every device call runs under its own
 * {@code assertTimeoutPreemptively} (a helper thread per call) so a loop fails the test rather than hanging it.
 */
class HostileGuestBoundedWorkTest
{
    private static final int[] RING_COUNTS = {8, 64, 256, 1024, 4096, 65528};

    @Property(tries = 60)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldConsumeAtMostBudgetWhenTxRingHoldsAnything(
        @ForAll @IntRange(min = 0, max = 5) final int countSelect,
        @ForAll("indexes") final int headSeed,
        @ForAll("indexes") final int tailSeed,
        @ForAll("budgets") final int budget,
        @ForAll final long seed)
    {
        final Rig rig = new Rig(false, false, false);
        final Port port = rig.a;
        final int count = RING_COUNTS[countSelect];
        setUpTx(rig, count, seed);
        final int head = index(headSeed, count);
        final int tail = index(tailSeed, count);
        port.registers.setRelease(E1000Registers.TDH, head);
        port.registers.setRelease(E1000Registers.TDT, tail);

        rig.runEachBounded(List.of(new PollTx(budget)));

        final boolean inRing = head < count && tail < count;
        assertEquals(!inRing && head != tail && budget > 0, port.device.isFaulted(),
            "fault iff head or tail beyond the ring");
        if (!inRing || budget <= 0)
        {
            return;
        }
        final int pending = Math.floorMod(tail - head, count);
        final long expectedFirst = Math.min(pending, budget);
        assertEquals(expectedFirst, port.counters.get(PortCounter.TX_DESCRIPTORS), "first pass");
        final long passes = (pending + (long)budget - 1) / budget;
        assertTimeoutPreemptively(Rig.TRY_TIMEOUT, () ->
        {
            long remaining = pending - expectedFirst;
            for (long pass = 1; pass < passes; pass++)
            {
                final int consumed = port.device.pollTx(rig.nowNs, budget);
                assertEquals(Math.min(remaining, budget), consumed, "pass " + pass);
                remaining -= consumed;
            }
        });
        rig.checkGlobal("after draining: ");
        assertEquals(tail, port.reg(E1000Registers.TDH), "ring drained in ceil(pending / budget) passes");
        assertEquals(pending, port.counters.get(PortCounter.TX_DESCRIPTORS), "every descriptor consumed once");
        rig.runEachBounded(List.of(new PollTx(budget)));
        assertEquals(pending, port.counters.get(PortCounter.TX_DESCRIPTORS), "an empty ring costs nothing");
    }

    @Property(tries = 60)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldConsumeLessThanRingWhenRxRingHoldsAnything(
        @ForAll @IntRange(min = 0, max = 5) final int countSelect,
        @ForAll("indexes") final int headSeed,
        @ForAll("indexes") final int tailSeed,
        @ForAll @IntRange(min = 0, max = 3) final int contents,
        @ForAll @IntRange(min = 0, max = 70_000) final int lengthBytes,
        @ForAll final long seed)
    {
        final Rig rig = new Rig(false, false, false);
        final Port port = rig.a;
        final int count = RING_COUNTS[countSelect];
        final SplittableRandom random = new SplittableRandom(seed);
        final int rctl = E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_UPE |
            E1000Registers.RCTL_MPE | E1000Registers.RCTL_SBP | E1000Registers.RCTL_LPE |
            (random.nextInt() & (E1000Registers.RCTL_BSIZE_MASK | E1000Registers.RCTL_BSEX |
            E1000Registers.RCTL_SECRC));
        port.setUp(8, 8, rctl, E1000Registers.CTRL_SLU, E1000Registers.ICR_VALID_MASK, rig.nowNs);
        port.device.mmioWrite(E1000Registers.RDBAL, (int)port.ramGpa, rig.nowNs);
        port.device.mmioWrite(E1000Registers.RDLEN, count * 16, rig.nowNs);
        for (int i = 0; i < count; i++)
        {
            final long bufferGpa = switch (contents)
            {
                case 0 -> 0L;
                case 1 -> port.rxBufferGpa(i & 63);
                case 2 -> HostileDescriptors.hostileAddress(random, port);
                default -> random.nextLong();
            };
            port.putRxDescriptor(i * 16, bufferGpa, random.nextInt());
        }
        final int head = index(headSeed, count);
        final int tail = index(tailSeed, count);
        port.registers.setRelease(E1000Registers.RDH, head);
        port.registers.setRelease(E1000Registers.RDT, tail);

        final List<Action> twice = List.of(new Receive(lengthBytes, seed), new Receive(lengthBytes, seed));
        rig.runEachBounded(twice);

        assertTrue(port.counters.get(PortCounter.RX_DESCRIPTORS) < 2L * count, "descriptors consumed");
        assertEquals(2, port.counters.get(PortCounter.RX_FRAMES) + port.rxDrops(), "two frames, two outcomes");
        if (0 == contents && head < count && tail < count)
        {
            assertEquals(0, port.counters.get(PortCounter.RX_FRAMES), "a ring of null buffers takes no frame");
            assertEquals(head, port.reg(E1000Registers.RDH), "a ring of null buffers is not consumed");
        }
    }

    @Property(tries = 40)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldReturnFromEveryCallWhenGuestRunsRandomActionSequences(
        @ForAll("mixedSequences") final List<Action> actions)
    {
        final Rig rig = new Rig(false, false, false);

        rig.runEachBounded(actions);

        rig.checkGlobal("after the sequence: ");
        final Port port = rig.a;
        assertEquals(rig.receiveCalls + port.loopedFrames, port.counters.get(PortCounter.RX_FRAMES) + port.rxDrops(),
            "every frame offered (or looped back) was delivered or counted in one RX drop counter");
        assertEquals(port.counters.get(PortCounter.TX_FRAMES), port.sink.frames + port.keptFrames,
            "every TX frame counted reached the wire, or was looped back or dropped while the link was down");
        assertEquals(port.counters.get(PortCounter.TX_BYTES), port.sink.bytes + port.keptBytes, "and its bytes");
    }

    /**
     * The most work one TX descriptor can ask for: a 64 KiB TSO packet at MSS 1, 65 K segments. Each budgeted call
     * consumes the two descriptors at most once and emits at most its frame budget of segments, and calls go on
     * where the last stopped until every segment is out.
     */
    @Example
    void shouldSegmentMss1PacketWithinFrameBudgetPerCall()
    {
        final Rig rig = new Rig(false, false, false);
        final Port port = rig.a;
        final int payload = postLargestTsoPacket(rig, port, TsoSegmenter.MIN_MSS_BYTES);
        final int frameBudget = 256;

        int calls = 0;
        long consumed = 0;
        while (port.counters.get(PortCounter.TX_TSO_SEGMENTS) < payload)
        {
            final long before = port.counters.get(PortCounter.TX_TSO_SEGMENTS);
            consumed += assertTimeoutPreemptively(Rig.ACTION_TIMEOUT,
                () -> port.device.pollTx(rig.nowNs, 64, frameBudget, 256 * 1024));
            final long segments = port.counters.get(PortCounter.TX_TSO_SEGMENTS) - before;
            assertTrue(segments > 0 && segments <= frameBudget, "call " + calls + ": " + segments + " segments");
            calls++;
        }

        assertEquals(payload, port.counters.get(PortCounter.TX_TSO_SEGMENTS));
        assertEquals(payload, port.sink.frames);
        assertEquals((payload + frameBudget - 1) / frameBudget, calls);
        assertEquals(2 + payload - frameBudget, consumed, "two descriptors, then the resumed segments as work");
    }

    private static int postLargestTsoPacket(final Rig rig, final Port port, final int mss)
    {
        port.setUp(64, 8, E1000Registers.RCTL_EN, E1000Registers.CTRL_SLU, 0, rig.nowNs);
        final int header = 14 + 20 + 20;
        final int total = TxProcessor.MAX_PACKET_BYTES - 1;
        final int payload = total - header;
        final long packetGpa = port.txSlotGpa(0);
        final byte[] packet = HostileGuestActionsTest.Frames.packet(new SplittableRandom(1), total, false, false);
        port.ramBuffer.putBytes((int)(packetGpa - port.ramGpa), packet);
        Descriptors.putContextTx(port.ramBuffer, 0, 14, 24, 33, 34, 50, 0, payload,
            E1000TxDescriptor.TUCMD_TSE | E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_IP, header, mss);
        Descriptors.putDataTx(port.ramBuffer, 16, packetGpa, total,
            E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_TSE,
            E1000TxDescriptor.POPTS_IXSM | E1000TxDescriptor.POPTS_TXSM, 0);
        port.registers.setRelease(E1000Registers.TDT, 2);
        return payload;
    }

    @Provide
    Arbitrary<Integer> indexes()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.integers().between(0, Integer.MAX_VALUE)),
            Tuple.of(1, Arbitraries.integers().between(-1, 16)));
    }

    @Provide
    Arbitrary<Integer> budgets()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.integers().between(1, 64)),
            Tuple.of(2, Arbitraries.of(0, -1, Integer.MIN_VALUE, 256, 4096, Integer.MAX_VALUE)));
    }

    @Provide
    Arbitrary<List<Action>> mixedSequences()
    {
        return Actions.sequences(Actions.mixed(), 60);
    }

    /**
     * A head or tail value: usually inside the ring, one time in eight anywhere in 16 bits (the registers keep 16),
     * sometimes exactly the ring size.
     */
    private static int index(final int seed, final int count)
    {
        if (seed < 0)
        {
            return count;
        }
        return 0 == (seed & 7) ? (seed >>> 3) & E1000Registers.HEAD_TAIL_MASK : (seed >>> 3) % count;
    }

    /**
     * Enable TX on a ring of {@code count} descriptors at the start of RAM, filled with random descriptors (small
     * rings) or random bytes (rings too large for every descriptor to copy 64 KiB within the time bound).
     */
    private static void setUpTx(final Rig rig, final int count, final long seed)
    {
        final Port port = rig.a;
        port.setUp(8, 8, E1000Registers.RCTL_EN, E1000Registers.CTRL_SLU, E1000Registers.ICR_VALID_MASK, rig.nowNs);
        port.device.mmioWrite(E1000Registers.TDLEN, count * 16, rig.nowNs);
        final SplittableRandom random = new SplittableRandom(seed);
        if (count <= 4096)
        {
            final long[] words = HostileDescriptors.randomTx(port, count, seed);
            for (int i = 0; i < count; i++)
            {
                Descriptors.put(port.ramBuffer, i * 16, words[2 * i], words[2 * i + 1]);
            }
        }
        else
        {
            for (int i = 0; i < count * 2; i++)
            {
                port.ramBuffer.putLong(i * 8, random.nextLong());
            }
        }
    }
}
