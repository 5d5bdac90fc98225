package io.sidecore.engine.e1000;

import io.sidecore.engine.e1000.HostileGuestActionsTest.Action;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Actions;
import io.sidecore.engine.e1000.HostileGuestActionsTest.PollTx;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Port;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Receive;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Recover;
import io.sidecore.engine.e1000.HostileGuestActionsTest.Rig;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.tools.guest.Descriptors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.StatisticsReport;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Two guests, one hostile and one well-behaved (SPEC: a guest cannot "reach another guest's memory, or stall other
 * guests"). The well-behaved port B runs a driver-like script (transmit, receive and refill, interrupt handling,
 * timers) interleaved with any hostile actions on port A; B must end in exactly the state it reaches when it runs
 * the same script, at the same times, with A idle: registers, RAM, counters, frames on its wire (count, bytes and
 * CRC), interrupt line history and every call's result. A second property points every one of A's DMA addresses and
 * ring bases at B's guest-physical range and at the host memory around A's RAM.
 * <p>
 * Each try runs under one {@code assertTimeoutPreemptively} (one helper thread per try).
 */
class HostileGuestIsolationTest
{
    private static final int B_RING = 64;
    private static final int B_BUFFER_SPACING = 2048;
    private static final int B_TX_SLOTS = 32;

    @Property(tries = 60)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldLeaveWellBehavedPortUnchangedWhenNeighbourIsHostile(@ForAll("interleavings") final List<Step> steps)
    {
        final Rig together = new Rig(false, true, false);
        final Rig alone = new Rig(false, true, false);
        setUpGood(together);
        setUpGood(alone);
        final List<Long> times = new ArrayList<>();
        final List<Long> resultsTogether = new ArrayList<>();
        assertTimeoutPreemptively(Rig.TRY_TIMEOUT, () ->
        {
            for (int i = 0; i < steps.size(); i++)
            {
                together.step = i;
                final Step step = steps.get(i);
                if (step instanceof Hostile hostile)
                {
                    together.apply(hostile.action());
                    times.add(together.nowNs);
                }
                else
                {
                    if (step instanceof Tick tick)
                    {
                        together.nowNs += tick.deltaNs();
                        together.a.device.onTimers(together.nowNs);
                    }
                    times.add(together.nowNs);
                    resultsTogether.add(good(together.b, step, together.nowNs));
                    together.checkGlobal("step " + i + " " + step + ": ");
                }
            }
        });
        final List<Long> resultsAlone = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++)
        {
            final Step step = steps.get(i);
            if (!(step instanceof Hostile))
            {
                resultsAlone.add(good(alone.b, step, times.get(i)));
            }
        }

        final Port b = together.b;
        final Port reference = alone.b;
        assertEquals(resultsAlone, resultsTogether, "results of B's calls");
        assertArrayEquals(registers(reference), registers(b), "B's registers");
        assertEquals(-1, together.neighbourRam.mismatch(alone.neighbourRam), "B's RAM");
        assertArrayEquals(reference.snapshot(), b.snapshot(), "B's counters");
        assertEquals(reference.sink.frames, b.sink.frames, "B's frames");
        assertEquals(reference.sink.bytes, b.sink.bytes, "B's bytes");
        assertEquals(reference.sink.crc.getValue(), b.sink.crc.getValue(), "B's frame contents");
        assertEquals(reference.line.changes, b.line.changes, "B's interrupt edges");
        assertEquals(reference.line.level, b.line.level, "B's interrupt level");
        assertEquals(reference.device.nextTimerDeadlineNs(), b.device.nextTimerDeadlineNs(), "B's timers");
        assertFalse(b.device.isFaulted(), "B faulted");
        assertEquals(null, b.sink.violation);
        Rig.cover("B transmitted", b.counters.get(PortCounter.TX_FRAMES) > 0, 15);
        Rig.cover("B received", b.counters.get(PortCounter.RX_FRAMES) > 0, 15);
    }

    @Property(tries = 80)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldNeverReachNeighbourWhenDescriptorsNameItsAddresses(
        @ForAll("foreignAttacks") final List<Attack> attacks)
    {
        final Rig rig = new Rig(false, false, false);
        rig.apply(new Recover(0));
        assertTimeoutPreemptively(Rig.TRY_TIMEOUT, () ->
        {
            for (int i = 0; i < attacks.size(); i++)
            {
                rig.step = i;
                attack(rig, attacks.get(i));
            }
        });
        rig.checkNeighbour();
        final Port a = rig.a;
        assertEquals(0, a.counters.get(PortCounter.TX_FRAMES), "a frame was assembled from foreign memory");
        assertEquals(0, a.counters.get(PortCounter.RX_FRAMES), "a frame was written to foreign memory");
        Rig.cover("tx dma faults", a.counters.get(PortCounter.TX_DROP_DMA_FAULT) > 0, 25);
        Rig.cover("rx dma faults", a.counters.get(PortCounter.RX_DROP_DMA_FAULT) > 0, 10);
        Rig.cover("ring faults", a.counters.get(PortCounter.RING_FAULTS) > 0, 3);
    }

    @Provide
    Arbitrary<List<Step>> interleavings()
    {
        final Arbitrary<Step> hostile = Actions.mixed().map(Hostile::new);
        final Arbitrary<Step> good = Arbitraries.frequencyOf(
            Tuple.of(4, Combinators.combine(Arbitraries.integers().between(14, 1514), Arbitraries.integers())
                .as(GoodTx::new)),
            Tuple.of(4, Combinators.combine(Arbitraries.integers().between(14, 1514), Arbitraries.integers())
                .as(GoodRx::new)),
            Tuple.of(2, Arbitraries.just(new GoodIrq())),
            Tuple.of(2, Arbitraries.longs().between(0, 500_000).map(Tick::new)));
        return Combinators.combine(
            Actions.recover().map(Hostile::new),
            Arbitraries.frequencyOf(Tuple.of(3, hostile), Tuple.of(2, good)).list()
                .ofMinSize(1).ofMaxSize(120).withSizeDistribution(RandomDistribution.uniform()))
            .as((first, rest) ->
            {
                final List<Step> all = new ArrayList<>(rest.size() + 1);
                all.add(first);
                all.addAll(rest);
                return all;
            });
    }

    @Provide
    Arbitrary<List<Attack>> foreignAttacks()
    {
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.longs()).as(Attack::new)
            .list().ofMinSize(1).ofMaxSize(40);
    }

    /** One step of the two-port schedule. */
    sealed interface Step permits Hostile, GoodTx, GoodRx, GoodIrq, Tick
    {
    }

    /** A hostile action on port A. */
    record Hostile(Action action) implements Step
    {
    }

    /** B's driver transmits one broadcast frame and the sidecore polls B. */
    record GoodTx(int lengthBytes, int seed) implements Step
    {
    }

    /** A broadcast frame arrives for B; B's driver takes it and gives the buffers back. */
    record GoodRx(int lengthBytes, int seed) implements Step
    {
    }

    /** B's interrupt handler: read ICR, re-enable every cause. */
    record GoodIrq() implements Step
    {
    }

    /** The shared clock moves forward and both ports' timers run. */
    record Tick(long deltaNs) implements Step
    {
    }

    /** A's descriptors or ring bases aimed at foreign memory: 0 TX, 1 RX, 2 TX ring base, 3 RX ring base, 4 both. */
    record Attack(int kind, long seed)
    {
    }

    private static void setUpGood(final Rig rig)
    {
        final Port b = rig.b;
        b.setUp(B_RING, B_RING, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM, E1000Registers.CTRL_SLU,
            E1000Registers.ICR_VALID_MASK, rig.nowNs);
        b.device.mmioWrite(E1000Registers.ITR, 500, rig.nowNs);
        b.device.mmioWrite(E1000Registers.RDTR, 8, rig.nowNs);
        b.device.mmioWrite(E1000Registers.RADV, 32, rig.nowNs);
        b.device.mmioWrite(E1000Registers.TIDV, 8, rig.nowNs);
        b.device.mmioWrite(E1000Registers.TADV, 32, rig.nowNs);
    }

    /**
     * Run one of B's steps at {@code nowNs}.
     *
     * @return what the step observed (a call's result), compared between the two runs.
     */
    private static long good(final Port b, final Step step, final long nowNs)
    {
        return switch (step)
        {
            case GoodTx tx -> goodTx(b, tx, nowNs);
            case GoodRx rx -> goodRx(b, rx, nowNs);
            case GoodIrq irq ->
            {
                final int icr = b.device.mmioRead(E1000Registers.ICR, nowNs);
                b.device.mmioWrite(E1000Registers.IMS, E1000Registers.ICR_VALID_MASK, nowNs);
                yield icr;
            }
            case Tick tick -> b.device.onTimers(nowNs);
            default -> throw new IllegalStateException("not a step of B: " + step);
        };
    }

    private static long goodTx(final Port b, final GoodTx tx, final long nowNs)
    {
        final int head = b.reg(E1000Registers.TDH);
        final int tail = b.reg(E1000Registers.TDT);
        final int next = (tail + 1) % B_RING;
        if (next != head)
        {
            final long bufferGpa = b.txSlotGpa(0) + (long)(tail % B_TX_SLOTS) * B_BUFFER_SPACING;
            b.ramBuffer.putBytes((int)(bufferGpa - b.ramGpa), DeviceHarness.broadcastFrame(tx.lengthBytes(),
                tx.seed()));
            final int command = E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_IFCS |
                (0 != (tx.seed() & 1) ? E1000TxDescriptor.CMD_IDE : 0);
            Descriptors.putLegacyTx(b.ramBuffer, (int)Port.TX_RING_OFFSET + tail * 16, bufferGpa, tx.lengthBytes(),
                command);
            b.registers.setRelease(E1000Registers.TDT, next);
        }
        return b.device.pollTx(nowNs, 16);
    }

    private static long goodRx(final Port b, final GoodRx rx, final long nowNs)
    {
        final byte[] frame = DeviceHarness.broadcastFrame(rx.lengthBytes(), rx.seed());
        final boolean delivered =
            FrameSink.DELIVERED == b.device.receive(new UnsafeBuffer(frame), 0, frame.length, nowNs);
        final int head = b.reg(E1000Registers.RDH);
        int index = (b.reg(E1000Registers.RDT) + 1) % B_RING;
        while (index != head)
        {
            b.putRxDescriptor((int)Port.RX_RING_OFFSET + index * 16, b.rxBufferGpa(index), 0);
            index = (index + 1) % B_RING;
        }
        b.registers.setRelease(E1000Registers.RDT, (head + B_RING - 1) % B_RING);
        return delivered ? 1 : 0;
    }

    private static byte[] registers(final Port port)
    {
        final byte[] bytes = new byte[E1000Registers.BAR0_LENGTH];
        port.registers.copyTo(new org.agrona.concurrent.UnsafeBuffer(bytes));
        return bytes;
    }

    /**
     * An address outside A's RAM: in B's guest-physical range, just past A's RAM end (host guard memory), just
     * below A's RAM start, or straddling A's RAM end by fewer than 14 bytes (so any frame-sized access crosses it).
     */
    private static long foreignAddress(final SplittableRandom random)
    {
        return switch (random.nextInt(5))
        {
            case 0, 1 -> Rig.OTHER_GPA + random.nextInt(Rig.RAM_BYTES);
            case 2 -> Rig.RAM_GPA + Rig.RAM_BYTES + random.nextInt(Rig.GUARD_BYTES);
            case 3 -> Rig.RAM_GPA - 1 - random.nextInt(Rig.GUARD_BYTES);
            default -> Rig.RAM_GPA + Rig.RAM_BYTES - random.nextInt(14);
        };
    }

    private static void attack(final Rig rig, final Attack attack)
    {
        final Port a = rig.a;
        final SplittableRandom random = new SplittableRandom(attack.seed());
        if (a.device.isFaulted() || random.nextInt(8) == 0)
        {
            rig.apply(new Recover(random.nextLong()));
        }
        final int kind = attack.kind();
        if (0 == kind || 4 == kind)
        {
            final int count = 1 + random.nextInt(8);
            final long[] words = new long[2 * count];
            for (int i = 0; i < count; i++)
            {
                final int length = 14 + random.nextInt(1501);
                final boolean endOfPacket = random.nextBoolean() || i == count - 1;
                final int command = (endOfPacket ? E1000TxDescriptor.CMD_EOP : 0) | E1000TxDescriptor.CMD_RS;
                words[2 * i] = foreignAddress(random);
                words[2 * i + 1] = random.nextBoolean() ?
                    Descriptors.legacyTxHigh(length, command, 0, 0, 0, 0) :
                    Descriptors.dataTxHigh(length, command, 0, 0);
            }
            rig.queueTx(a, words, true, random.nextBoolean());
            rig.apply(new PollTx(64));
        }
        if (1 == kind || 4 == kind)
        {
            final int count = a.rxRingCount();
            final long ringOffset = a.ramOffset(a.rxRingGpa(), count * 16L);
            for (int i = 0; ringOffset >= 0 && i < count; i++)
            {
                a.putRxDescriptor((int)ringOffset + i * 16, foreignAddress(random), 0);
            }
            rig.apply(new Receive(14 + random.nextInt(3000), random.nextLong()));
        }
        if (2 == kind || 4 == kind)
        {
            final long ring = foreignAddress(random) & ~0xFL;
            a.registers.setRelease(E1000Registers.TDBAL, (int)ring);
            a.registers.setRelease(E1000Registers.TDBAH, (int)(ring >>> 32));
            a.registers.setRelease(E1000Registers.TDT, 1 + random.nextInt(7));
            rig.apply(new PollTx(64));
        }
        if (3 == kind || 4 == kind)
        {
            final long ring = foreignAddress(random) & ~0xFL;
            a.registers.setRelease(E1000Registers.RDBAL, (int)ring);
            a.registers.setRelease(E1000Registers.RDBAH, (int)(ring >>> 32));
            rig.apply(new Receive(14 + random.nextInt(3000), random.nextLong()));
        }
    }
}
