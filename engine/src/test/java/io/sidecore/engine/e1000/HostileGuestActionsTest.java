package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
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
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whole-device hostile-guest properties: random sequences of everything a guest (and a hostile peer sending frames)
 * can do to one port, with the device's invariants checked after every single action (issue 2: "No exception
 * escapes the device model for any guest input"; SPEC "Guest memory is hostile": nothing a guest does can crash the
 * daemon or reach another guest's memory).
 * <p>
 * The actions: trapped BAR0 reads/writes at any offset (biased to the registers with side effects), writes of any
 * dword or byte into the shared ring-register pages (TDT/RDT/TDH/RDH and the geometry), I/O BAR and PCI
 * configuration accesses (bus mastering toggled), random bytes and random legacy/context/data/RX descriptors written
 * into guest RAM with addresses at 0, inside RAM, straddling its end, in the host guard regions, in the neighbour
 * guest's range and huge, plausible offload bursts with perturbed contexts, {@code pollTx} with any budget,
 * {@code receive} of frames of 0..20000 bytes with random headers, and time that only moves forward.
 * <p>
 * After every action ({@link Rig#apply}): no exception; the host guard regions around guest RAM and the neighbour
 * guest's RAM are byte-for-byte intact; every frame handed to the sink lies inside its buffer and is counted in
 * TX_FRAMES/TX_BYTES; every {@code receive} is delivered XOR counted in exactly one RX drop counter; every
 * {@code pollTx} consumes at most its budget, moves TDH by exactly what it consumed, leaves TDH inside the ring, and
 * ends each packet (EOP) it completes in frames or exactly one TX drop counter; RDH moves by exactly the RX
 * descriptors consumed; a TX pass writes guest RAM only in the status bytes of the descriptors it consumed, a receive
 * only in bytes 8-15 of the descriptors it consumed and in the buffers they named; no counter decreases; the
 * interrupt line is never asserted without a pending unmasked cause and only reports real level changes.
 * <p>
 * Further properties: the line equals {@code (ICR & IMS) != 0} after every action when no moderation is configured;
 * no interrupt is lost once every moderation deadline has passed (clock origins include the 64-bit wrap); TX frames
 * looped straight back into RX from inside the TX pass stay contained and cannot re-enter TX; after whatever the
 * guest did, CTRL.RST and a fresh ring set-up give a working port again.
 * <p>
 * Each try runs under one {@code assertTimeoutPreemptively} (one helper thread per try) so a device loop fails the
 * test instead of hanging the build; all inputs come from the jqwik seed, time from the test's own clock.
 */
class HostileGuestActionsTest
{
    @Property(tries = 120)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldContainEveryEffectWhenGuestRunsRandomActionSequences(
        @ForAll("mixedSequences") final List<Action> actions)
    {
        final Rig rig = new Rig(false, false, false);
        rig.runBounded(actions);
        Rig.cover("tx frames sent", rig.a.counters.get(PortCounter.TX_FRAMES) > 0, 3);
        Rig.cover("rx frames delivered", rig.a.counters.get(PortCounter.RX_FRAMES) > 0, 10);
        Rig.cover("port faulted by a bad ring", rig.a.counters.get(PortCounter.RING_FAULTS) > 0, 1);
    }

    @Property(tries = 80)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldContainEveryEffectWhenSinkTakesOffloadFrames(@ForAll("txSequences") final List<Action> actions)
    {
        final Rig rig = new Rig(true, false, false);
        rig.runBounded(actions);
        Rig.cover("offload frames", rig.a.sink.offloadFrames > 0, 5);
    }

    @Property(tries = 80)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldAccountEveryTxPacketWhenTxRingIsHostile(@ForAll("txSequences") final List<Action> actions)
    {
        final Rig rig = new Rig(false, false, false);
        rig.runBounded(actions);
        final PortCounters counters = rig.a.counters;
        assertEquals(counters.get(PortCounter.TX_FRAMES), rig.a.sink.frames + rig.a.keptFrames,
            "frames on the wire, looped back or dropped while the link was down");
        assertEquals(counters.get(PortCounter.TX_BYTES), rig.a.sink.bytes + rig.a.keptBytes,
            "bytes on the wire, looped back or dropped while the link was down");
        Rig.cover("tx frames sent", counters.get(PortCounter.TX_FRAMES) > 0, 10);
        Rig.cover("tso segments", counters.get(PortCounter.TX_TSO_SEGMENTS) > 0, 1);
        Rig.cover("tx dma faults", counters.get(PortCounter.TX_DROP_DMA_FAULT) > 0, 15);
        Rig.cover("tx malformed", counters.get(PortCounter.TX_DROP_MALFORMED) > 0, 1);
    }

    @Property(tries = 80)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldAccountEveryFrameWhenRxRingIsHostile(@ForAll("rxSequences") final List<Action> actions)
    {
        final Rig rig = new Rig(false, false, false);
        rig.runBounded(actions);
        final PortCounters counters = rig.a.counters;
        assertEquals(rig.receiveCalls + rig.a.loopedFrames, counters.get(PortCounter.RX_FRAMES) + rig.a.rxDrops(),
            "every frame offered (or looped back) is delivered or counted in one RX drop counter");
        Rig.cover("rx frames delivered", counters.get(PortCounter.RX_FRAMES) > 0, 15);
        Rig.cover("rx dma faults", counters.get(PortCounter.RX_DROP_DMA_FAULT) > 0, 1);
        Rig.cover("rx ring full", counters.get(PortCounter.RX_DROP_RING_FULL) > 0, 1);
    }

    @Property(tries = 60)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldContainEveryEffectWhenTxFramesLoopBackIntoRx(
        @ForAll("txSequences") final List<Action> actions,
        @ForAll("startTimes") final long startNs)
    {
        final Rig rig = new Rig(false, false, false, true, startNs);
        rig.runBounded(actions);
        Rig.cover("looped-back frames", rig.a.sink.loopbackReceives > 0, 8);
    }

    @Property(tries = 80)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldKeepLineEqualToPendingCausesWhenNoModerationIsConfigured(
        @ForAll("mixedSequences") final List<Action> actions,
        @ForAll("startTimes") final long startNs)
    {
        final Rig rig = new Rig(false, false, true, false, startNs);
        rig.runBounded(actions);
        Rig.cover("interrupts posted", rig.a.counters.get(PortCounter.INTERRUPTS_POSTED) > 0, 10);
    }

    @Property(tries = 80)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldDeliverEveryPendingInterruptWhenModerationTimersRunOut(
        @ForAll("interruptSequences") final List<Action> actions,
        @ForAll("startTimes") final long startNs)
    {
        final Rig rig = new Rig(false, false, false, false, startNs);
        rig.runBounded(actions);
        rig.drainTimers();
        final InterruptController interrupts = rig.a.device.interrupts();
        assertEquals(InterruptController.NO_DEADLINE, rig.a.device.nextTimerDeadlineNs(), "timers left armed");
        assertEquals(0, interrupts.heldCauses(), "causes still held after every timer expired");
        assertEquals(0 != rig.a.pendingCauses(), interrupts.isLineAsserted(),
            "line must equal (ICR & IMS) != 0 once moderation has run out");
        rig.checkGlobal("after draining timers: ");
        Rig.cover("interrupts moderated", rig.a.counters.get(PortCounter.INTERRUPTS_MODERATED) > 0, 5);
    }

    @Property(tries = 60)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void shouldWorkAgainAfterDriverResetWhateverGuestDid(@ForAll("mixedSequences") final List<Action> actions)
    {
        final Rig rig = new Rig(false, false, false);
        rig.runBounded(actions);
        final Port port = rig.a;
        // A driver's reset: the PHY reset pulse (CTRL.PHY_RST), the MAC reset, then autonegotiation.
        port.device.mmioWrite(E1000Registers.CTRL, E1000Registers.CTRL_PHY_RST, rig.nowNs);
        port.device.mmioWrite(E1000Registers.CTRL, E1000Registers.CTRL_RST, rig.nowNs);
        final long now = rig.nowNs + Phy.AUTONEGOTIATION_NS;
        port.device.onTimers(now);
        port.setUp(64, 64, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM, E1000Registers.CTRL_SLU,
            E1000Registers.ICR_VALID_MASK, now);
        assertFalse(port.device.isFaulted(), "CTRL.RST clears a ring fault");

        final byte[] sent = DeviceHarness.broadcastFrame(300, 7);
        final long bufferGpa = port.txSlotGpa(0);
        port.ramBuffer.putBytes((int)(bufferGpa - port.ramGpa), sent);
        Descriptors.putLegacyTx(port.ramBuffer, (int)Port.TX_RING_OFFSET, bufferGpa, sent.length,
            E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS);
        port.registers.setRelease(E1000Registers.TDT, 1);
        final long framesBefore = port.sink.frames;
        final long bytesBefore = port.sink.bytes;
        assertEquals(1, port.device.pollTx(now, 64), "the first descriptor after the reset");
        assertEquals(framesBefore + 1, port.sink.frames, "one frame on the wire");
        assertEquals(bytesBefore + sent.length, port.sink.bytes, "its bytes");

        final byte[] received = DeviceHarness.broadcastFrame(200, 9);
        assertEquals(FrameSink.DELIVERED, port.device.receive(new UnsafeBuffer(received), 0, received.length, now),
            "a frame after reset");
        final byte[] placed = new byte[received.length];
        port.ramBuffer.getBytes((int)(port.rxBufferGpa(0) - port.ramGpa), placed);
        assertArrayEquals(received, placed, "frame bytes in the first RX buffer");
        assertEquals(1, port.reg(E1000Registers.RDH));

        final int icr = port.device.mmioRead(E1000Registers.ICR, now);
        assertEquals(E1000Registers.ICR_TXDW | E1000Registers.ICR_RXT0,
            icr & (E1000Registers.ICR_TXDW | E1000Registers.ICR_RXT0), "both causes reported");
        assertFalse(port.device.interrupts().isLineAsserted(), "ICR read deasserts");
    }

    /**
     * Clock origins: the usual, negative, and just before the 64-bit wrap (System.nanoTime has an arbitrary origin).
     */
    @Provide
    Arbitrary<Long> startTimes()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.just(Rig.START_NS)),
            Tuple.of(1, Arbitraries.longs()),
            Tuple.of(2, Arbitraries.longs().between(Long.MAX_VALUE - 200_000_000L, Long.MAX_VALUE)),
            Tuple.of(1, Arbitraries.longs().between(-2_000_000_000L, 0)));
    }

    @Provide
    Arbitrary<List<Action>> mixedSequences()
    {
        return Actions.sequences(Actions.mixed(), 80);
    }

    @Provide
    Arbitrary<List<Action>> interruptSequences()
    {
        return Actions.sequences(Actions.interruptHeavy(), 80);
    }

    @Provide
    Arbitrary<List<Action>> txSequences()
    {
        return Actions.sequences(Actions.txHeavy(), 80);
    }

    @Provide
    Arbitrary<List<Action>> rxSequences()
    {
        return Actions.sequences(Actions.rxHeavy(), 80);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Actions
    // ------------------------------------------------------------------------------------------------------------

    /** Something a guest or the outside world does to a port. */
    sealed interface Action permits MmioWrite, MmioRead, SharedWrite, SharedByteWrite, IoWrite, IoRead, ConfigWrite,
        ConfigRead, RamBytes, TxDescriptors, OffloadBurst, RxDescriptors, PollTx, Receive, AdvanceTime, Recover
    {
    }

    /** Trapped BAR0 write. */
    record MmioWrite(int offset, int value) implements Action
    {
        @Override
        public String toString()
        {
            return "MmioWrite[0x" + Integer.toHexString(offset) + " <- 0x" + Integer.toHexString(value) + "]";
        }
    }

    /** Trapped BAR0 read. */
    record MmioRead(int offset) implements Action
    {
        @Override
        public String toString()
        {
            return "MmioRead[0x" + Integer.toHexString(offset) + "]";
        }
    }

    /** Guest store of a dword into a shared (mapped, untrapped) BAR0 page. */
    record SharedWrite(int offset, int value) implements Action
    {
        @Override
        public String toString()
        {
            return "SharedWrite[0x" + Integer.toHexString(offset) + " <- 0x" + Integer.toHexString(value) + "]";
        }
    }

    /** Guest store of one byte anywhere in the shared pages. */
    record SharedByteWrite(int offset, byte value) implements Action
    {
    }

    /** Trapped BAR1 write. */
    record IoWrite(int offset, int value) implements Action
    {
        @Override
        public String toString()
        {
            return "IoWrite[0x" + Integer.toHexString(offset) + " <- 0x" + Integer.toHexString(value) + "]";
        }
    }

    /** Trapped BAR1 read. */
    record IoRead(int offset) implements Action
    {
    }

    /** PCI configuration write. */
    record ConfigWrite(int offset, int sizeBytes, int value) implements Action
    {
        @Override
        public String toString()
        {
            return "ConfigWrite[0x" + Integer.toHexString(offset) + "/" + sizeBytes + " <- 0x" +
                Integer.toHexString(value) + "]";
        }
    }

    /** PCI configuration read. */
    record ConfigRead(int offset, int sizeBytes) implements Action
    {
    }

    /** Random bytes written by the guest into its RAM: near a ring (target 0 TX, 1 RX) or anywhere (2). */
    record RamBytes(int target, int offset, int lengthBytes, long seed) implements Action
    {
    }

    /** Random TX descriptors written at TDT, then TDT advanced (shared page or trapped) when {@code bump}. */
    record TxDescriptors(int count, long seed, boolean bump, boolean trapped) implements Action
    {
    }

    /** A plausible TSO / checksum / legacy-IC packet with possibly perturbed context fields, queued at TDT. */
    record OffloadBurst(int mode, long seed) implements Action
    {
    }

    /** RX descriptors (random buffer addresses and status) written at RDT, then RDT advanced when {@code bump}. */
    record RxDescriptors(int count, long seed, boolean bump) implements Action
    {
    }

    /** One TX pass. */
    record PollTx(int budget) implements Action
    {
    }

    /** A frame from the wire or a peer: any length, random headers, random offset in its buffer. */
    record Receive(int lengthBytes, long seed) implements Action
    {
    }

    /** The clock moves forward, then the moderation timers run. */
    record AdvanceTime(long deltaNs) implements Action
    {
    }

    /** What a driver does to get going again: optional CTRL.RST, bus mastering, sane rings, TX and RX enabled. */
    record Recover(long seed) implements Action
    {
    }

    /**
     * Arbitraries for {@link Action}s. Structured payloads (descriptors, frames, bursts) are derived from a seed
     * drawn by jqwik, so a run is reproducible from the jqwik seed alone.
     */
    static final class Actions
    {
        static final Integer[] INTERESTING_OFFSETS =
        {
            E1000Registers.CTRL, E1000Registers.CTRL_DUP, E1000Registers.STATUS, E1000Registers.EECD,
            E1000Registers.EERD, E1000Registers.CTRL_EXT, E1000Registers.MDIC, E1000Registers.VET,
            E1000Registers.ICR, E1000Registers.ITR, E1000Registers.ICS, E1000Registers.IMS, E1000Registers.IMC,
            E1000Registers.RCTL, E1000Registers.TCTL, E1000Registers.TIPG, E1000Registers.PBA,
            E1000Registers.RDBAL, E1000Registers.RDBAH, E1000Registers.RDLEN, E1000Registers.RDH, E1000Registers.RDT,
            E1000Registers.RDTR, E1000Registers.RADV, E1000Registers.RXDCTL, E1000Registers.CSBAL,
            E1000Registers.CSBAH, E1000Registers.TDBAL, E1000Registers.TDBAH, E1000Registers.TDLEN,
            E1000Registers.TDH, E1000Registers.TDT, E1000Registers.TIDV, E1000Registers.TADV, E1000Registers.TXDCTL,
            E1000Registers.CRCERRS, E1000Registers.MPC, E1000Registers.GPRC, E1000Registers.GPTC,
            E1000Registers.GORCL, E1000Registers.GORCH, E1000Registers.RNBC, E1000Registers.ROC,
            E1000Registers.TORH, E1000Registers.TOTH, E1000Registers.TPR, E1000Registers.TPT, E1000Registers.TSCTC,
            E1000Registers.TSCTFC, E1000Registers.RXCSUM, E1000Registers.MTA, E1000Registers.VFTA,
            E1000Registers.ral(0), E1000Registers.rah(0), E1000Registers.rah(15), E1000Registers.WUS,
            E1000Registers.MANC, E1000Registers.PBM, E1000Registers.BAR0_LENGTH - 4, E1000Registers.BAR0_LENGTH,
            0x5F00, 0x1F000,
        };

        static final Integer[] SHARED_OFFSETS =
        {
            E1000Registers.TDT, E1000Registers.TDT, E1000Registers.TDT, E1000Registers.RDT, E1000Registers.RDT,
            E1000Registers.RDT, E1000Registers.TDH, E1000Registers.RDH, E1000Registers.TDLEN, E1000Registers.RDLEN,
            E1000Registers.TDBAL, E1000Registers.TDBAH, E1000Registers.RDBAL, E1000Registers.RDBAH,
            E1000Registers.RDTR, E1000Registers.RADV, E1000Registers.TIDV, E1000Registers.TADV,
        };

        static final Integer[] INTERESTING_VALUES =
        {
            0, -1, 1, 0x7FFFFFFF, 0x80000000, 0xFFFF, 0x10000, 0xFFFE, 0x7F, 0x80, 0xFFF80, 0xFFFFF, 0xFFFFFFF0,
            E1000Registers.CTRL_RST, E1000Registers.CTRL_SLU, E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME,
            E1000Registers.CTRL_PHY_RST, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM,
            E1000Registers.RCTL_EN | E1000Registers.RCTL_UPE | E1000Registers.RCTL_MPE | E1000Registers.RCTL_LPE |
                E1000Registers.RCTL_SBP,
            E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_BSEX |
                E1000Registers.RCTL_BSIZE_MASK,
            E1000Registers.TCTL_EN | E1000Registers.TCTL_PSP, E1000Registers.ICR_VALID_MASK,
            E1000Registers.RDTR_FPD | 1, (int)Rig.RAM_GPA, (int)(Rig.RAM_GPA + Rig.RAM_BYTES - 128),
            (int)(Rig.RAM_GPA + Rig.RAM_BYTES), (int)Rig.OTHER_GPA, 8 * 16, 64 * 16, 4096 * 16, 1 << 21 | 1 << 26,
            1 << 21 | 2 << 26 | 0x1F << 16, 1 << 21 | 1 << 26 | 1 << 29, 0x0800_0000,
        };

        private Actions()
        {
        }

        /**
         * Sequences that start as a driver does after probe (a {@link Recover}) and then go anywhere.
         */
        static Arbitrary<List<Action>> sequences(final Arbitrary<Action> actions, final int maxSize)
        {
            return Combinators.combine(
                recover(),
                actions.list().ofMinSize(1).ofMaxSize(maxSize).withSizeDistribution(RandomDistribution.uniform()))
                .as((first, rest) ->
                {
                    final List<Action> all = new ArrayList<>(rest.size() + 1);
                    all.add(first);
                    all.addAll(rest);
                    return all;
                });
        }

        static Arbitrary<Action> mixed()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(14, mmioWrite()),
                Tuple.of(4, mmioRead()),
                Tuple.of(5, interruptRegisters()),
                Tuple.of(8, sharedWrite()),
                Tuple.of(2, sharedByteWrite()),
                Tuple.of(2, ioWrite()),
                Tuple.of(2, ioRead()),
                Tuple.of(3, configWrite()),
                Tuple.of(1, configRead()),
                Tuple.of(4, ramBytes()),
                Tuple.of(8, txDescriptors()),
                Tuple.of(4, offloadBurst()),
                Tuple.of(5, rxDescriptors()),
                Tuple.of(10, pollTx()),
                Tuple.of(10, receive()),
                Tuple.of(5, advanceTime()),
                Tuple.of(4, recover()));
        }

        static Arbitrary<Action> interruptHeavy()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(4, mmioWrite()),
                Tuple.of(8, interruptRegisters()),
                Tuple.of(6, moderationWrites()),
                Tuple.of(2, configWrite()),
                Tuple.of(6, txDescriptors()),
                Tuple.of(8, pollTx()),
                Tuple.of(4, rxDescriptors()),
                Tuple.of(12, receive()),
                Tuple.of(10, advanceTime()),
                Tuple.of(3, recover()));
        }

        /**
         * ITR, RDTR (with or without FPD), RADV, TIDV (with or without FPD), TADV: trapped or straight into the shared
         * page (where no mask applies).
         */
        static Arbitrary<Action> moderationWrites()
        {
            final Arbitrary<Integer> offsets = Arbitraries.of(E1000Registers.ITR, E1000Registers.RDTR,
                E1000Registers.RADV, E1000Registers.TIDV, E1000Registers.TADV);
            final Arbitrary<Integer> values = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 300)),
                Tuple.of(2, Arbitraries.integers().between(0, 0xFFFF)),
                Tuple.of(1, Arbitraries.of(E1000Registers.RDTR_FPD, E1000Registers.RDTR_FPD | 16, -1)));
            return Arbitraries.frequencyOf(
                Tuple.of(3, Combinators.combine(offsets, values).as(MmioWrite::new)),
                Tuple.of(1, Combinators.combine(offsets.filter(o -> o != E1000Registers.ITR), values)
                    .as(SharedWrite::new)));
        }

        static Arbitrary<Action> txHeavy()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(4, mmioWrite()),
                Tuple.of(4, sharedWrite()),
                Tuple.of(2, configWrite()),
                Tuple.of(3, ramBytes()),
                Tuple.of(14, txDescriptors()),
                Tuple.of(10, offloadBurst()),
                Tuple.of(14, pollTx()),
                Tuple.of(2, advanceTime()),
                Tuple.of(3, recover()));
        }

        static Arbitrary<Action> rxHeavy()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(4, mmioWrite()),
                Tuple.of(4, sharedWrite()),
                Tuple.of(2, configWrite()),
                Tuple.of(3, ramBytes()),
                Tuple.of(12, rxDescriptors()),
                Tuple.of(18, receive()),
                Tuple.of(2, advanceTime()),
                Tuple.of(3, recover()));
        }

        static Arbitrary<Integer> registerValues()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers()),
                Tuple.of(3, Arbitraries.integers().between(0, 0x1000)),
                Tuple.of(4, Arbitraries.of(INTERESTING_VALUES)));
        }

        static Arbitrary<Action> mmioWrite()
        {
            return Combinators.combine(bar0Offsets(), registerValues()).as(MmioWrite::new);
        }

        /**
         * What an interrupt handler does: ICR reads, ICR/ICS/IMS/IMC writes with cause bits.
         */
        static Arbitrary<Action> interruptRegisters()
        {
            final Arbitrary<Integer> causes = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(E1000Registers.ICR_VALID_MASK, E1000Registers.ICR_RXT0,
                    E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE, E1000Registers.ICR_LSC, -1)),
                Tuple.of(1, Arbitraries.integers()));
            return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(new MmioRead(E1000Registers.ICR))),
                Tuple.of(4, Combinators.combine(Arbitraries.of(E1000Registers.ICR, E1000Registers.ICS,
                    E1000Registers.IMS, E1000Registers.IMC), causes).as(MmioWrite::new)));
        }

        static Arbitrary<Action> mmioRead()
        {
            return bar0Offsets().map(MmioRead::new);
        }

        static Arbitrary<Integer> bar0Offsets()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of(INTERESTING_OFFSETS)),
                Tuple.of(2, Arbitraries.integers().between(0, E1000Registers.BAR0_LENGTH / 4 - 1).map(i -> i * 4)),
                Tuple.of(1, Combinators.combine(Arbitraries.of(INTERESTING_OFFSETS), Arbitraries.integers()
                    .between(1, 3)).as(Integer::sum)),
                Tuple.of(1, Arbitraries.integers()));
        }

        static Arbitrary<Action> sharedWrite()
        {
            final Arbitrary<Integer> offsets = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(SHARED_OFFSETS)),
                Tuple.of(1, Arbitraries.integers().between(0x2000 / 4, 0x3FFC / 4).map(i -> i * 4)));
            final Arbitrary<Integer> values = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers()),
                Tuple.of(6, Arbitraries.integers().between(0, 300)),
                Tuple.of(2, Arbitraries.of(INTERESTING_VALUES)));
            return Combinators.combine(offsets, values).as(SharedWrite::new);
        }

        static Arbitrary<Action> sharedByteWrite()
        {
            return Combinators.combine(Arbitraries.integers().between(0x2000, 0x3FFF), Arbitraries.bytes())
                .as(SharedByteWrite::new);
        }

        static Arbitrary<Action> ioWrite()
        {
            final Arbitrary<Integer> offsets = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(E1000Registers.IOADDR, E1000Registers.IODATA)),
                Tuple.of(1, Arbitraries.integers().between(-8, 0x48)),
                Tuple.of(1, Arbitraries.integers()));
            final Arbitrary<Integer> values = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(INTERESTING_OFFSETS)),
                Tuple.of(3, registerValues()));
            return Combinators.combine(offsets, values).as(IoWrite::new);
        }

        static Arbitrary<Action> ioRead()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(E1000Registers.IOADDR, E1000Registers.IODATA)),
                Tuple.of(1, Arbitraries.integers())).map(IoRead::new);
        }

        static Arbitrary<Action> configWrite()
        {
            final int enabled =
                PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER;
            final Arbitrary<Action> command = Arbitraries.of(
                enabled, 0, PciConfig.COMMAND_MEMORY_SPACE, enabled | PciConfig.COMMAND_INTX_DISABLE,
                PciConfig.COMMAND_INTX_DISABLE, 0xFFFF, -1)
                .map(value -> new ConfigWrite(PciConfig.COMMAND_OFFSET, 2, value));
            final Arbitrary<Action> any = Combinators.combine(
                Arbitraries.frequencyOf(
                    Tuple.of(4, Arbitraries.integers().between(0, 0xFF)),
                    Tuple.of(1, Arbitraries.integers())),
                Arbitraries.frequencyOf(
                    Tuple.of(6, Arbitraries.of(1, 2, 4)),
                    Tuple.of(1, Arbitraries.integers())),
                registerValues()).as(ConfigWrite::new);
            return Arbitraries.frequencyOf(Tuple.of(3, command), Tuple.of(2, any));
        }

        static Arbitrary<Action> configRead()
        {
            return Combinators.combine(Arbitraries.integers().between(-4, 0x104), Arbitraries.of(1, 2, 3, 4, 8))
                .as(ConfigRead::new);
        }

        static Arbitrary<Action> ramBytes()
        {
            return Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, Rig.RAM_BYTES - 1),
                Arbitraries.integers().between(1, 4096),
                Arbitraries.longs()).as(RamBytes::new);
        }

        static Arbitrary<Action> txDescriptors()
        {
            return Combinators.combine(
                Arbitraries.integers().between(1, 12),
                Arbitraries.longs(),
                Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false))),
                Arbitraries.of(true, false)).as(TxDescriptors::new);
        }

        static Arbitrary<Action> offloadBurst()
        {
            return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.longs())
                .as(OffloadBurst::new);
        }

        static Arbitrary<Action> rxDescriptors()
        {
            return Combinators.combine(
                Arbitraries.integers().between(1, 40),
                Arbitraries.longs(),
                Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false))))
                .as(RxDescriptors::new);
        }

        static Arbitrary<Action> pollTx()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(1, 64)),
                Tuple.of(2, Arbitraries.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 16, 256)),
                Tuple.of(1, Arbitraries.integers().between(-1000, 5000))).map(PollTx::new);
        }

        static Arbitrary<Action> receive()
        {
            final Arbitrary<Integer> lengths = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, 80)),
                Tuple.of(4, Arbitraries.integers().between(80, 1600)),
                Tuple.of(2, Arbitraries.of(1514, 1518, 1519, 1522, 1523, 16380, 16381, 9000, 20000)),
                Tuple.of(2, Arbitraries.integers().between(0, 20000)));
            return Combinators.combine(lengths, Arbitraries.longs()).as(Receive::new);
        }

        static Arbitrary<Action> advanceTime()
        {
            return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.longs().between(0, 2_000)),
                Tuple.of(3, Arbitraries.longs().between(0, 300_000)),
                Tuple.of(2, Arbitraries.longs().between(0, 70_000_000L)),
                Tuple.of(1, Arbitraries.of(256L, 1024L, 65_535L * 1024, 65_536L * 1024, 65_535L * 256)))
                .map(AdvanceTime::new);
        }

        static Arbitrary<Action> recover()
        {
            return Arbitraries.longs().map(Recover::new);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The rig: memory layout, ports, invariants
    // ------------------------------------------------------------------------------------------------------------

    /** A sink that counts what it is given, checks every frame lies in its buffer and hashes the bytes. */
    static final class CountingSink implements FrameSink
    {
        final boolean offload;
        final int portId;
        final byte[] scratch = new byte[TxProcessor.MAX_PACKET_BYTES + 64];
        final CRC32 crc = new CRC32();
        long frames;
        long bytes;
        long offloadFrames;
        long loopbackReceives;
        String violation;
        E1000Device loopback;
        long nowNs;

        CountingSink(final int portId, final boolean offload)
        {
            this.portId = portId;
            this.offload = offload;
        }

        /**
         * Feed every frame back into {@code device}'s receive path from inside the TX pass, as PHY loopback or a
         * switch port looping to itself would, and try to re-enter its TX path (must do nothing, CVE-2021-20257).
         */
        void loopBackInto(final E1000Device device)
        {
            loopback = device;
        }

        private void loopBack(final DirectBuffer frame, final int offset, final int lengthBytes)
        {
            if (null == loopback)
            {
                return;
            }
            final PortCounters counters = loopback.counters();
            final long outcomesBefore = counters.get(PortCounter.RX_FRAMES) + Port.rxDrops(counters);
            final int outcome = loopback.receive(frame, offset, lengthBytes, nowNs);
            loopbackReceives++;
            final long outcomes = counters.get(PortCounter.RX_FRAMES) + Port.rxDrops(counters) - outcomesBefore;
            if (null == violation && 1 != outcomes)
            {
                violation = "looped-back frame has " + outcomes + " outcomes (outcome=" + outcome + ")";
            }
            final int reentered = loopback.pollTx(nowNs, 64);
            if (null == violation && 0 != reentered)
            {
                violation = "TX re-entered from its own sink consumed " + reentered;
            }
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata info,
            final long nowNs)
        {
            if (info.isComplete())
            {
                check(frame, offset, lengthBytes);
                return DELIVERED;
            }
            offloadFrames++;
            if (null == violation && !offload)
            {
                violation = "offload frame handed to a sink that does not accept offload";
            }
            if (null == violation && (info.headerLengthBytes < 0 || info.headerLengthBytes > lengthBytes ||
                (FrameMetadata.GSO_NONE != info.gsoType && info.gsoSizeBytes <= 0) ||
                (info.needsChecksum && (info.checksumStartBytes < 0 ||
                info.checksumStartBytes + info.checksumOffsetBytes + 2 > lengthBytes))))
            {
                violation = "offload info outside the frame: length=" + lengthBytes + " header=" +
                    info.headerLengthBytes + " gso=" + info.gsoType + "/" + info.gsoSizeBytes + " csum=" +
                    info.needsChecksum + "@" + info.checksumStartBytes + "+" + info.checksumOffsetBytes;
            }
            check(frame, offset, lengthBytes);
            return DELIVERED;
        }

        public boolean acceptsOffload()
        {
            return offload;
        }

        private void check(final DirectBuffer frame, final int offset, final int lengthBytes)
        {
            frames++;
            bytes += lengthBytes;
            if (null == violation && (offset < 0 || lengthBytes < 14 ||
                lengthBytes > scratch.length || (long)offset + lengthBytes > frame.capacity()))
            {
                violation = "frame outside its buffer or malformed: port=" + portId + " offset=" + offset +
                    " length=" + lengthBytes + " capacity=" + frame.capacity();
                return;
            }
            frame.getBytes(offset, scratch, 0, lengthBytes);
            crc.update(lengthBytes);
            crc.update(scratch, 0, lengthBytes);
            loopBack(frame, offset, lengthBytes);
        }
    }

    /** Records the interrupt output and checks it only reports real level changes. */
    static final class LevelRecorder implements InterruptLine
    {
        boolean level;
        long changes;
        String violation;

        public void onLevelChange(final boolean asserted)
        {
            if (asserted == level && null == violation)
            {
                violation = "line reported level " + asserted + " twice";
            }
            level = asserted;
            changes++;
        }
    }

    /** One emulated port over a slice of the rig's native memory. */
    static final class Port
    {
        static final long TX_RING_OFFSET = 0;
        static final long RX_RING_OFFSET = 0x1_0000;
        static final long TX_BUFFERS_OFFSET = 0x2_0000;
        static final int TX_SLOT_BYTES = 0x1_0000;
        static final int TX_SLOTS = 6;
        static final long RX_BUFFERS_OFFSET = 0x8_0000;
        static final int RX_BUFFER_SPACING = 0x1000;

        final int portId;
        final long ramGpa;
        final MemorySegment ram;
        final UnsafeBuffer ramBuffer;
        final GuestMemory guestMemory = new GuestMemory();
        final RegisterImage registers = RegisterImage.allocate();
        final PortCounters counters;
        final CountingSink sink;
        final LevelRecorder line = new LevelRecorder();
        final E1000Device device;
        /** Frames (and bytes) the device emitted but kept: looped back (MAC/PHY loopback) or dropped, link down. */
        long keptFrames;
        long keptBytes;
        /** Frames the device looped back into its own receive path (MAC/PHY loopback): RX outcomes without a call. */
        long loopedFrames;

        Port(final int portId, final long ramGpa, final MemorySegment ram, final boolean offloadSink)
        {
            this.portId = portId;
            this.ramGpa = ramGpa;
            this.ram = ram;
            this.ramBuffer = new UnsafeBuffer(ram.address(), (int)ram.byteSize());
            guestMemory.addRegion(ramGpa, ram);
            counters = PortCounters.inPrivateMemory("hostile" + portId);
            sink = new CountingSink(portId, offloadSink);
            final byte[] mac = {0x02, 0x00, 0x00, 0x00, 0x00, (byte)(portId + 1)};
            device = new E1000Device(PortConfig.of(portId, "hostile" + portId, mac), registers, guestMemory,
                counters, sink, line);
            device.configWrite(PciConfig.COMMAND_OFFSET, 2,
                PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        }

        long[] snapshot()
        {
            final long[] values = new long[PortCounter.SLOTS_PER_PORT];
            for (final PortCounter counter : PortCounter.values())
            {
                values[counter.id()] = counters.get(counter);
            }
            return values;
        }

        long rxDrops()
        {
            return rxDrops(counters);
        }

        static long rxDrops(final PortCounters counters)
        {
            long total = 0;
            for (final PortCounter counter : PortCounter.values())
            {
                if (counter.isDrop() && counter.counterName().startsWith("rx_"))
                {
                    total += counters.get(counter);
                }
            }
            return total;
        }

        static long txDrops(final long[] snapshot)
        {
            long total = 0;
            for (final PortCounter counter : PortCounter.values())
            {
                // Link-down drops are counted per emitted frame (segment), after the packet was sent.
                if (counter.isDrop() && counter.counterName().startsWith("tx_") &&
                    PortCounter.TX_DROP_LINK_DOWN != counter)
                {
                    total += snapshot[counter.id()];
                }
            }
            return total;
        }

        static long rxDrops(final long[] snapshot)
        {
            long total = 0;
            for (final PortCounter counter : PortCounter.values())
            {
                if (counter.isDrop() && counter.counterName().startsWith("rx_"))
                {
                    total += snapshot[counter.id()];
                }
            }
            return total;
        }

        int pendingCauses()
        {
            return registers.get(E1000Registers.ICR) & registers.get(E1000Registers.IMS);
        }

        int reg(final int offset)
        {
            return registers.get(offset);
        }

        int txRingCount()
        {
            return (reg(E1000Registers.TDLEN) & E1000Registers.DLEN_MASK) / DescriptorRing.DESCRIPTOR_LENGTH;
        }

        int rxRingCount()
        {
            return (reg(E1000Registers.RDLEN) & E1000Registers.DLEN_MASK) / DescriptorRing.DESCRIPTOR_LENGTH;
        }

        long txRingGpa()
        {
            return (reg(E1000Registers.TDBAH) & 0xFFFFFFFFL) << 32 | (reg(E1000Registers.TDBAL) & 0xFFFFFFF0L);
        }

        long rxRingGpa()
        {
            return (reg(E1000Registers.RDBAH) & 0xFFFFFFFFL) << 32 | (reg(E1000Registers.RDBAL) & 0xFFFFFFF0L);
        }

        /**
         * @return the RAM offset of a guest range, or -1 when it is not wholly inside RAM.
         */
        long ramOffset(final long gpa, final long lengthBytes)
        {
            if (gpa < ramGpa || lengthBytes < 0)
            {
                return -1;
            }
            final long offset = gpa - ramGpa;
            return offset <= ram.byteSize() && lengthBytes <= ram.byteSize() - offset ? offset : -1;
        }

        long txSlotGpa(final int slot)
        {
            return ramGpa + TX_BUFFERS_OFFSET + (long)slot * TX_SLOT_BYTES;
        }

        long rxBufferGpa(final int index)
        {
            return ramGpa + RX_BUFFERS_OFFSET + (long)index * RX_BUFFER_SPACING;
        }

        /**
         * A sane set-up, as a driver does after probe: rings in RAM, RX buffers given to hardware, TX and RX on.
         */
        void setUp(final int txCount, final int rxCount, final int rctl, final int ctrl, final int ims,
            final long nowNs)
        {
            device.configWrite(PciConfig.COMMAND_OFFSET, 2,
                PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
            device.mmioWrite(E1000Registers.CTRL, ctrl, nowNs);
            device.mmioWrite(E1000Registers.TDBAL, (int)(ramGpa + TX_RING_OFFSET), nowNs);
            device.mmioWrite(E1000Registers.TDBAH, (int)((ramGpa + TX_RING_OFFSET) >>> 32), nowNs);
            device.mmioWrite(E1000Registers.TDLEN, txCount * DescriptorRing.DESCRIPTOR_LENGTH, nowNs);
            device.mmioWrite(E1000Registers.TDH, 0, nowNs);
            device.mmioWrite(E1000Registers.TDT, 0, nowNs);
            device.mmioWrite(E1000Registers.TCTL, E1000Registers.TCTL_EN | E1000Registers.TCTL_PSP, nowNs);
            device.mmioWrite(E1000Registers.RDBAL, (int)(ramGpa + RX_RING_OFFSET), nowNs);
            device.mmioWrite(E1000Registers.RDBAH, (int)((ramGpa + RX_RING_OFFSET) >>> 32), nowNs);
            device.mmioWrite(E1000Registers.RDLEN, rxCount * DescriptorRing.DESCRIPTOR_LENGTH, nowNs);
            device.mmioWrite(E1000Registers.RDH, 0, nowNs);
            for (int i = 0; i < rxCount; i++)
            {
                putRxDescriptor((int)RX_RING_OFFSET + i * DescriptorRing.DESCRIPTOR_LENGTH, rxBufferGpa(i), 0);
            }
            device.mmioWrite(E1000Registers.RDT, rxCount - 1, nowNs);
            device.mmioWrite(E1000Registers.RCTL, rctl, nowNs);
            device.mmioWrite(E1000Registers.IMS, ims, nowNs);
        }

        void putRxDescriptor(final int ramOffset, final long bufferGpa, final int statusWord)
        {
            Descriptors.putRx(ramBuffer, ramOffset, bufferGpa, statusWord);
        }
    }

    /**
     * Native memory laid out {@code [guard | guest RAM | guard | neighbour RAM | guard]}: the port under test maps
     * only the first RAM; the neighbour RAM is either just memory (a guest the hostile one must not reach) or the RAM
     * of a second, well-behaved port. Guards hold a canary pattern; nothing may ever change them.
     */
    static final class Rig
    {
        static final long RAM_GPA = DeviceHarness.RAM_GPA;
        static final long OTHER_GPA = 0x4000_0000L;
        static final int RAM_BYTES = 1024 * 1024;
        static final int GUARD_BYTES = 64 * 1024;
        static final long START_NS = 1_000_000_000L;
        static final Duration ACTION_TIMEOUT = Duration.ofSeconds(2);
        static final Duration TRY_TIMEOUT = Duration.ofSeconds(30);

        private static final int[] MODERATION_REGISTERS =
        {
            E1000Registers.ITR, E1000Registers.RDTR, E1000Registers.RADV, E1000Registers.TIDV, E1000Registers.TADV,
        };

        final MemorySegment block;
        final MemorySegment[] guards = new MemorySegment[3];
        final MemorySegment canary;
        final MemorySegment neighbourRam;
        final MemorySegment neighbourSnapshot;
        final Port a;
        final Port b;
        final boolean noModeration;
        final boolean loopback;
        private final byte[] ramBefore = new byte[RAM_BYTES];
        private final MemorySegment ramBeforeSegment = MemorySegment.ofArray(ramBefore);
        private final UnsafeBuffer ramBeforeBuffer = new UnsafeBuffer(ramBefore);
        long nowNs;
        long receiveCalls;
        int ioAddressMirror;
        int step;
        Action current;
        private long[] lastSnapshot;

        /**
         * @param offloadSink  port A's sink takes offload frames.
         * @param neighbourIsPort the neighbour RAM belongs to a second, well-behaved port B.
         * @param noModeration writes that would configure ITR/RDTR/RADV/TIDV/TADV are replaced by 0, so the line
         *                     must always equal {@code (ICR & IMS) != 0}.
         */
        Rig(final boolean offloadSink, final boolean neighbourIsPort, final boolean noModeration)
        {
            this(offloadSink, neighbourIsPort, noModeration, false, START_NS);
        }

        /**
         * @param loopback TX frames of port A go straight back into A's receive path, from inside the TX pass.
         * @param startNs  the clock's first value (any: the device must compare times wrap-safely).
         */
        Rig(final boolean offloadSink, final boolean neighbourIsPort, final boolean noModeration,
            final boolean loopback, final long startNs)
        {
            this.noModeration = noModeration;
            this.loopback = loopback;
            this.nowNs = startNs;
            block = Arena.ofAuto().allocate(3L * GUARD_BYTES + 2L * RAM_BYTES, 4096);
            guards[0] = block.asSlice(0, GUARD_BYTES);
            final MemorySegment ram = block.asSlice(GUARD_BYTES, RAM_BYTES);
            guards[1] = block.asSlice(GUARD_BYTES + RAM_BYTES, GUARD_BYTES);
            neighbourRam = block.asSlice(2L * GUARD_BYTES + RAM_BYTES, RAM_BYTES);
            guards[2] = block.asSlice(2L * GUARD_BYTES + 2L * RAM_BYTES, GUARD_BYTES);
            canary = MemorySegment.ofArray(new byte[GUARD_BYTES]);
            for (int i = 0; i < GUARD_BYTES; i++)
            {
                canary.set(ValueLayout.JAVA_BYTE, i, (byte)(0xA5 ^ (i * 0x9E3779B1 >>> 23)));
            }
            for (final MemorySegment guard : guards)
            {
                guard.copyFrom(canary);
            }
            for (int i = 0; i < RAM_BYTES; i++)
            {
                neighbourRam.set(ValueLayout.JAVA_BYTE, i, (byte)(0x3C + i * 7));
            }
            neighbourSnapshot = MemorySegment.ofArray(new byte[RAM_BYTES]);
            neighbourSnapshot.copyFrom(neighbourRam);
            a = new Port(0, RAM_GPA, ram, offloadSink);
            b = neighbourIsPort ? new Port(1, OTHER_GPA, neighbourRam, false) : null;
            if (loopback)
            {
                a.sink.loopBackInto(a.device);
            }
            lastSnapshot = a.snapshot();
        }

        /**
         * Run the actions on port A inside one preemptive timeout, then check the memory layout.
         */
        void runBounded(final List<Action> actions)
        {
            assertTimeoutPreemptively(TRY_TIMEOUT, () -> run(actions), "a try did not finish: the device looped");
        }

        void run(final List<Action> actions)
        {
            for (int i = 0; i < actions.size(); i++)
            {
                step = i;
                apply(actions.get(i));
            }
            checkNeighbour();
        }


        /**
         * Run each action under its own preemptive timeout (bounded-work checks).
         */
        void runEachBounded(final List<Action> actions)
        {
            for (int i = 0; i < actions.size(); i++)
            {
                step = i;
                final Action action = actions.get(i);
                assertTimeoutPreemptively(ACTION_TIMEOUT, () -> apply(action), () -> "did not return: " + action);
            }
            checkNeighbour();
        }

        /**
         * Require that a share of the tries reached a path, so the property cannot pass vacuously. Call on the
         * jqwik thread.
         */
        static void cover(final String label, final boolean reached, final double minPercent)
        {
            Statistics.label(label).collect(reached);
            Statistics.label(label).coverage(coverage -> coverage.check(true).percentage(p -> p >= minPercent));
        }

        String where()
        {
            return "step " + step + " " + current + ": ";
        }

        void apply(final Action action)
        {
            current = action;
            final Port port = a;
            port.sink.nowNs = nowNs;
            final long[] before = port.snapshot();
            final long framesBefore = port.sink.frames;
            switch (action)
            {
                case MmioWrite w -> port.device.mmioWrite(w.offset(), moderated(w.offset(), w.value()), nowNs);
                case MmioRead r -> port.device.mmioRead(r.offset(), nowNs);
                case SharedWrite s -> port.registers.setRelease(s.offset(), moderated(s.offset(), s.value()));
                case SharedByteWrite s -> sharedByteWrite(port, s);
                case IoWrite w -> ioWrite(port, w);
                case IoRead r -> port.device.ioRead(r.offset(), nowNs);
                case ConfigWrite w -> port.device.configWrite(w.offset(), w.sizeBytes(), w.value());
                case ConfigRead r -> port.device.configRead(r.offset(), r.sizeBytes());
                case RamBytes r -> ramBytes(port, r);
                case TxDescriptors t -> queueTx(port, HostileDescriptors.randomTx(port, t.count(), t.seed()), t.bump(),
                    t.trapped());
                case OffloadBurst o -> queueTx(port, HostileDescriptors.burst(port, o.mode(), o.seed()), true, false);
                case RxDescriptors r -> queueRx(port, r);
                case PollTx p -> pollTx(port, p.budget(), before);
                case Receive r -> receive(port, r, before);
                case AdvanceTime t ->
                {
                    nowNs += t.deltaNs();
                    port.sink.nowNs = nowNs;
                    assertTrue(port.device.onTimers(nowNs) >= 0, where() + "onTimers");
                }
                case Recover r -> recover(port, r.seed());
            }
            if (!(action instanceof PollTx))
            {
                assertEquals(framesBefore, port.sink.frames, where() + "only pollTx puts frames on the wire");
            }
            checkGlobal(where());
        }

        /**
         * In no-moderation mode a write to a moderation timer register keeps only its FPD bit (flush).
         */
        private int moderated(final int offset, final int value)
        {
            return noModeration && isModerationRegister(offset) ? value & E1000Registers.RDTR_FPD : value;
        }

        private static boolean isModerationRegister(final int offset)
        {
            for (final int register : MODERATION_REGISTERS)
            {
                if (register == offset)
                {
                    return true;
                }
            }
            return false;
        }

        private void sharedByteWrite(final Port port, final SharedByteWrite write)
        {
            if (noModeration && isModerationRegister(write.offset() & ~3))
            {
                return;
            }
            port.registers.doorbellPages().putByte(write.offset(), write.value());
        }

        private void ioWrite(final Port port, final IoWrite write)
        {
            int value = write.value();
            if (E1000Registers.IOADDR == write.offset())
            {
                ioAddressMirror = value & E1000Registers.IOADDR_MASK;
            }
            else if (E1000Registers.IODATA == write.offset())
            {
                value = moderated(ioAddressMirror, value);
            }
            port.device.ioWrite(write.offset(), value, nowNs);
        }

        private static void ramBytes(final Port port, final RamBytes action)
        {
            final long base = switch (action.target())
            {
                case 0 -> port.ramOffset(port.txRingGpa(), 16);
                case 1 -> port.ramOffset(port.rxRingGpa(), 16);
                default -> action.offset();
            };
            final long start = base < 0 ? action.offset() : base + (action.offset() & 0xFFF0);
            final long length = Math.min(action.lengthBytes(), port.ram.byteSize() - Math.min(start,
                port.ram.byteSize()));
            final SplittableRandom random = new SplittableRandom(action.seed());
            for (long i = 0; i < length; i++)
            {
                port.ramBuffer.putByte((int)(start + i), (byte)random.nextInt());
            }
        }

        /**
         * Write TX descriptors (two words each) at TDT (or at the start of the default ring when TDT/TDLEN/TDBA are
         * unusable) and advance TDT, through the shared page or trapped, when {@code bump}.
         */
        void queueTx(final Port port, final long[] words, final boolean bump, final boolean trapped)
        {
            final int descriptors = words.length / 2;
            final int count = port.txRingCount();
            final long ringOffset = port.ramOffset(port.txRingGpa(), (long)count * DescriptorRing.DESCRIPTOR_LENGTH);
            final int tail = port.reg(E1000Registers.TDT) & E1000Registers.HEAD_TAIL_MASK;
            if (0 == count || ringOffset < 0 || tail >= count)
            {
                for (int i = 0; i < descriptors; i++)
                {
                    Descriptors.put(port.ramBuffer, (int)Port.TX_RING_OFFSET + i * DescriptorRing.DESCRIPTOR_LENGTH,
                        words[2 * i], words[2 * i + 1]);
                }
                return;
            }
            int index = tail;
            for (int i = 0; i < descriptors; i++)
            {
                final int offset = (int)ringOffset + index * DescriptorRing.DESCRIPTOR_LENGTH;
                Descriptors.put(port.ramBuffer, offset, words[2 * i], words[2 * i + 1]);
                index = index + 1 == count ? 0 : index + 1;
            }
            if (bump)
            {
                if (trapped)
                {
                    port.device.mmioWrite(E1000Registers.TDT, index, nowNs);
                }
                else
                {
                    port.registers.setRelease(E1000Registers.TDT, index);
                }
            }
        }

        private void queueRx(final Port port, final RxDescriptors action)
        {
            final SplittableRandom random = new SplittableRandom(action.seed());
            final long[] bufferGpas = new long[action.count()];
            final int[] statusWords = new int[action.count()];
            for (int i = 0; i < bufferGpas.length; i++)
            {
                bufferGpas[i] = random.nextInt(3) == 0 ?
                    HostileDescriptors.hostileAddress(random, port) : port.rxBufferGpa(random.nextInt(64));
                statusWords[i] = random.nextInt(4) == 0 ? random.nextInt() : 0;
            }
            queueRxBuffers(port, bufferGpas, statusWords, action.bump());
        }

        /**
         * Write RX descriptors at RDT (or at the start of the default ring when RDT/RDLEN/RDBA are unusable) and
         * advance RDT through the shared page when {@code bump}.
         */
        private void queueRxBuffers(
            final Port port, final long[] bufferGpas, final int[] statusWords, final boolean bump)
        {
            final int count = port.rxRingCount();
            final long ringOffset = port.ramOffset(port.rxRingGpa(), (long)count * DescriptorRing.DESCRIPTOR_LENGTH);
            final int tail = port.reg(E1000Registers.RDT) & E1000Registers.HEAD_TAIL_MASK;
            final boolean usable = 0 != count && ringOffset >= 0 && tail < count;
            int index = usable ? tail : 0;
            for (int i = 0; i < bufferGpas.length; i++)
            {
                final int offset = usable ? (int)ringOffset + index * DescriptorRing.DESCRIPTOR_LENGTH :
                    (int)Port.RX_RING_OFFSET + i * DescriptorRing.DESCRIPTOR_LENGTH;
                port.putRxDescriptor(offset, bufferGpas[i], statusWords[i]);
                index = usable ? (index + 1 == count ? 0 : index + 1) : index;
            }
            if (usable && bump)
            {
                port.registers.setRelease(E1000Registers.RDT, index);
            }
        }

        private void recover(final Port port, final long seed)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            if (random.nextBoolean())
            {
                port.device.mmioWrite(E1000Registers.CTRL, E1000Registers.CTRL_RST, nowNs);
            }
            final int txCount = 8 << random.nextInt(6);
            final int rxCount = 8 << random.nextInt(4);
            final int rctlBits = E1000Registers.RCTL_UPE | E1000Registers.RCTL_MPE | E1000Registers.RCTL_LPE |
                E1000Registers.RCTL_SBP | E1000Registers.RCTL_SECRC | E1000Registers.RCTL_VFE |
                E1000Registers.RCTL_RDMTS_MASK | E1000Registers.RCTL_MO_MASK | E1000Registers.RCTL_BSIZE_MASK |
                E1000Registers.RCTL_BSEX;
            final int rctl = E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | (random.nextInt() & rctlBits);
            final int ctrl = E1000Registers.CTRL_SLU | (random.nextBoolean() ? E1000Registers.CTRL_VME : 0);
            final int ims = random.nextBoolean() ? E1000Registers.ICR_VALID_MASK : random.nextInt();
            port.setUp(txCount, rxCount, rctl, ctrl, ims, nowNs);
            if (random.nextBoolean())
            {
                for (final int register : MODERATION_REGISTERS)
                {
                    final int units = random.nextInt(3) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 64 : 0x1_0000);
                    port.device.mmioWrite(register, moderated(register, units), nowNs);
                }
            }
        }

        /**
         * One TX pass: bounded by the budget, TDH moved by exactly what was consumed and left inside the ring,
         * every completed packet sent or counted once.
         */
        private void pollTx(final Port port, final int budget, final long[] before)
        {
            final boolean faultedBefore = port.device.isFaulted();
            final int headBefore = port.reg(E1000Registers.TDH);
            final int tail = port.reg(E1000Registers.TDT) & E1000Registers.HEAD_TAIL_MASK;
            final boolean txEnabled = 0 != (port.reg(E1000Registers.TCTL) & E1000Registers.TCTL_EN) &&
                port.device.isBusMasterEnabled();
            final long framesBefore = port.sink.frames;
            final byte[] ringBefore = ringSnapshot(port);
            MemorySegment.copy(port.ram, 0, ramBeforeSegment, 0, RAM_BYTES);
            // Device loopback writes the guest's RX ring from inside the pass; the link cannot change inside it.
            final boolean deviceLoopback = port.device.isLoopback();
            final boolean looped = loopback || deviceLoopback;
            final boolean linkDown = !port.device.isLinkUp();

            final int consumed = port.device.pollTx(nowNs, budget);

            final long[] after = port.snapshot();
            final String where = where();
            final long emittedFrames = after[PortCounter.TX_FRAMES.id()] - before[PortCounter.TX_FRAMES.id()];
            final long emittedBytes = after[PortCounter.TX_BYTES.id()] - before[PortCounter.TX_BYTES.id()];
            final long linkDownDrops =
                after[PortCounter.TX_DROP_LINK_DOWN.id()] - before[PortCounter.TX_DROP_LINK_DOWN.id()];
            if (deviceLoopback || linkDown)
            {
                assertEquals(framesBefore, port.sink.frames, where + "a frame left a port in loopback or link down");
                assertEquals(deviceLoopback ? 0 : emittedFrames, linkDownDrops, where + "link-down drops");
                port.keptFrames += emittedFrames;
                port.keptBytes += emittedBytes;
                if (deviceLoopback)
                {
                    port.loopedFrames += emittedFrames;
                }
            }
            else
            {
                assertEquals(0, linkDownDrops, where + "link-down drops with the link up");
            }
            assertTrue(consumed >= 0 && consumed <= Math.max(0, budget), where + "consumed " + consumed);
            assertEquals(consumed, after[PortCounter.TX_DESCRIPTORS.id()] - before[PortCounter.TX_DESCRIPTORS.id()],
                where + "TX_DESCRIPTORS delta");
            final int headAfter = port.reg(E1000Registers.TDH);
            if (faultedBefore || consumed == 0)
            {
                assertEquals(headBefore, headAfter, where + "TDH moved without consuming");
                assertEquals(framesBefore, port.sink.frames, where + "frames without consuming");
            }
            final int count = port.txRingCount();
            if (consumed > 0)
            {
                assertTrue(headAfter >= 0 && headAfter < count, where + "TDH " + headAfter + " outside ring of " +
                    count);
                final int head = headBefore & E1000Registers.HEAD_TAIL_MASK;
                final int pending = tail >= head ? tail - head : tail - head + count;
                assertTrue(consumed <= pending, where + "consumed beyond TDT");
                assertEquals(consumed, Math.floorMod(headAfter - head, count), where + "TDH movement");
                if (!looped)
                {
                    checkTxPacketAccounting(
                        port, ringBefore, head, consumed, count, before, after, framesBefore - linkDownDrops, where);
                }
            }
            if (!looped)
            {
                checkTxWrites(port, headBefore & E1000Registers.HEAD_TAIL_MASK, consumed, where);
            }
            final boolean hadWork = (headBefore & E1000Registers.HEAD_TAIL_MASK) != tail;
            if (!faultedBefore && !port.device.isFaulted() && txEnabled && budget > 0 && hadWork)
            {
                assertTrue(consumed > 0, where + "a healthy ring with work consumed nothing");
                assertTrue(headAfter < count, where + "TDH outside the ring on a healthy port");
            }
        }

        /**
         * A TX pass writes guest RAM only in the status byte of descriptors it consumed (SDM 3.3.3.2: only the
         * status field is written back).
         */
        private void checkTxWrites(final Port port, final int head, final int consumed, final String where)
        {
            final int count = port.txRingCount();
            final long ringOffset = port.ramOffset(port.txRingGpa(), (long)count * DescriptorRing.DESCRIPTOR_LENGTH);
            long from = 0;
            long changed;
            while (-1 != (changed = nextChange(port, from)))
            {
                final long inRing = changed - ringOffset;
                final boolean allowed = ringOffset >= 0 && inRing >= 0 &&
                    inRing < (long)count * DescriptorRing.DESCRIPTOR_LENGTH &&
                    E1000TxDescriptor.STATUS_OFFSET == (inRing & 15) &&
                    Math.floorMod((int)(inRing >>> 4) - head, count) < consumed;
                assertTrue(allowed, where + "TX wrote guest RAM at offset 0x" + Long.toHexString(changed) +
                    " outside the status of a consumed descriptor");
                from = changed + 1;
            }
        }

        /**
         * A receive writes guest RAM only in bytes 8-15 of descriptors it consumed and in the buffers (of the
         * configured size, clipped to RAM) those descriptors named before the call.
         */
        private void checkRxWrites(final Port port, final int head, final int descriptors, final String where)
        {
            final int count = port.rxRingCount();
            final long ringOffset = port.ramOffset(port.rxRingGpa(), (long)count * DescriptorRing.DESCRIPTOR_LENGTH);
            final int bufferBytes = E1000Registers.rxBufferSizeBytes(port.reg(E1000Registers.RCTL));
            final long[] bufferStarts = new long[descriptors];
            for (int i = 0; i < descriptors; i++)
            {
                final int index = (head + i) % count;
                final long bufferGpa = ramBeforeBuffer.getLong((int)ringOffset + index * 16, ByteOrder.LITTLE_ENDIAN);
                // The device writes only the frame's bytes, so a buffer whose nominal size runs past RAM is fine.
                bufferStarts[i] = port.ramOffset(bufferGpa, 1);
            }
            long from = 0;
            long changed;
            while (-1 != (changed = nextChange(port, from)))
            {
                final long inRing = changed - ringOffset;
                boolean allowed = descriptors > 0 && ringOffset >= 0 && inRing >= 0 &&
                    inRing < (long)count * DescriptorRing.DESCRIPTOR_LENGTH && (inRing & 15) >= 8 &&
                    Math.floorMod((int)(inRing >>> 4) - head, count) < descriptors;
                for (int i = 0; !allowed && i < descriptors; i++)
                {
                    allowed = bufferStarts[i] >= 0 && changed >= bufferStarts[i] &&
                        changed < bufferStarts[i] + bufferBytes;
                }
                assertTrue(allowed, where + "RX wrote guest RAM at offset 0x" + Long.toHexString(changed) +
                    " outside a consumed descriptor and its buffer");
                from = changed + 1;
            }
        }

        /**
         * @return the first RAM offset at or after {@code from} that differs from the copy taken before the call.
         */
        private long nextChange(final Port port, final long from)
        {
            if (from >= RAM_BYTES)
            {
                return -1;
            }
            final long mismatch = port.ram.asSlice(from).mismatch(ramBeforeSegment.asSlice(from));
            return -1 == mismatch ? -1 : from + mismatch;
        }

        /**
         * The TX ring as the pass will find it (RX written from inside the pass, by loopback, may overwrite it
         * after the device has read a descriptor), or null when it is not inside RAM.
         */
        private static byte[] ringSnapshot(final Port port)
        {
            final int count = port.txRingCount();
            final long ringOffset = port.ramOffset(port.txRingGpa(), (long)count * DescriptorRing.DESCRIPTOR_LENGTH);
            if (ringOffset < 0)
            {
                return null;
            }
            final byte[] ring = new byte[count * DescriptorRing.DESCRIPTOR_LENGTH];
            port.ramBuffer.getBytes((int)ringOffset, ring);
            return ring;
        }

        /**
         * Packets completed in this pass (an EOP on a non-context descriptor) = sent + dropped, where each dropped
         * packet is one TX drop count and each sent packet is one frame, or (TSO segmented here) one or more frames
         * counted in TX_TSO_SEGMENTS.
         */
        private static void checkTxPacketAccounting(
            final Port port,
            final byte[] ring,
            final int head,
            final int consumed,
            final int count,
            final long[] before,
            final long[] after,
            final long framesBefore,
            final String where)
        {
            assertTrue(null != ring && ring.length == count * DescriptorRing.DESCRIPTOR_LENGTH,
                where + "consumed descriptors of a ring outside RAM");
            int completed = 0;
            int index = head;
            for (int i = 0; i < consumed; i++)
            {
                final int offset = index * DescriptorRing.DESCRIPTOR_LENGTH;
                final int command = ring[offset + E1000TxDescriptor.CMD_OFFSET] & 0xFF;
                final int dtyp = (ring[offset + 10] & 0xF0) >>> 4;
                final boolean context = 0 != (command & E1000TxDescriptor.CMD_DEXT) &&
                    E1000TxDescriptor.DTYP_CONTEXT == dtyp;
                if (!context && 0 != (command & E1000TxDescriptor.CMD_EOP))
                {
                    completed++;
                }
                index = index + 1 == count ? 0 : index + 1;
            }
            final long drops = Port.txDrops(after) - Port.txDrops(before);
            final long frames = port.sink.frames - framesBefore;
            final long segments = after[PortCounter.TX_TSO_SEGMENTS.id()] - before[PortCounter.TX_TSO_SEGMENTS.id()];
            final long sent = completed - drops;
            final String detail = " completed=" + completed + " drops=" + drops + " frames=" + frames +
                " segments=" + segments;
            assertTrue(drops <= completed, where + "more drops than packets" + detail);
            if (0 == segments)
            {
                assertEquals(frames, sent, where + "each packet is one frame or one drop" + detail);
            }
            else
            {
                assertTrue(sent >= frames - segments + 1 && sent <= frames, where + "TSO accounting" + detail);
            }
        }

        /**
         * One frame offered: delivered XOR exactly one RX drop counter; RDH moved by exactly the descriptors
         * consumed and left inside the ring.
         */
        private void receive(final Port port, final Receive action, final long[] before)
        {
            final SplittableRandom random = new SplittableRandom(action.seed());
            final int offset = random.nextInt(4) == 0 ? random.nextInt(64) : 0;
            final boolean backendBug = random.nextInt(64) == 0;
            final byte[] frame = Frames.hostile(random, action.lengthBytes(), port);
            final byte[] backing = new byte[offset + frame.length - (backendBug && frame.length > 0 ? 1 : 0)];
            System.arraycopy(frame, 0, backing, offset, backing.length - offset);
            final boolean faultedBefore = port.device.isFaulted();
            final int headBefore = port.reg(E1000Registers.RDH);
            MemorySegment.copy(port.ram, 0, ramBeforeSegment, 0, RAM_BYTES);
            receiveCalls++;

            final int outcome = port.device.receive(new UnsafeBuffer(backing), offset, action.lengthBytes(), nowNs);
            final boolean delivered = FrameSink.DELIVERED == outcome;

            final long[] after = port.snapshot();
            final String where = where();
            final long framesDelta = after[PortCounter.RX_FRAMES.id()] - before[PortCounter.RX_FRAMES.id()];
            final long dropsDelta = Port.rxDrops(after) - Port.rxDrops(before);
            assertEquals(1, framesDelta + dropsDelta, where + "frames " + framesDelta + " drops " + dropsDelta);
            assertEquals(delivered, 1 == framesDelta, where + "return value vs RX_FRAMES");
            if (!delivered)
            {
                assertEquals(1, after[outcome] - before[outcome], where + "drop outcome " + outcome +
                    " names the counter the frame was counted under");
            }
            if (faultedBefore)
            {
                assertFalse(delivered, where + "faulted port delivered");
            }
            final long descriptors = after[PortCounter.RX_DESCRIPTORS.id()] - before[PortCounter.RX_DESCRIPTORS.id()];
            final int headAfter = port.reg(E1000Registers.RDH);
            final int count = port.rxRingCount();
            if (headAfter != headBefore || descriptors > 0)
            {
                assertTrue(headAfter >= 0 && headAfter < count, where + "RDH " + headAfter + " outside ring " + count);
                assertTrue(descriptors < count, where + "one frame consumed the whole ring");
                assertEquals(descriptors, Math.floorMod(headAfter - (headBefore & E1000Registers.HEAD_TAIL_MASK),
                    count), where + "RDH movement");
            }
            if (delivered)
            {
                assertTrue(descriptors >= 1, where + "delivered without a descriptor");
            }
            checkRxWrites(port, headBefore & E1000Registers.HEAD_TAIL_MASK, (int)descriptors, where);
            for (final PortCounter counter : PortCounter.values())
            {
                if (counter.counterName().startsWith("tx_"))
                {
                    assertEquals(before[counter.id()], after[counter.id()], where + "receive changed " + counter);
                }
            }
        }

        /**
         * Invariants that hold after every action.
         */
        void checkGlobal(final String where)
        {
            for (int i = 0; i < guards.length; i++)
            {
                final long mismatch = guards[i].mismatch(canary);
                if (-1 != mismatch)
                {
                    fail(where + "host memory outside guest RAM changed: guard " + i + " byte " + mismatch);
                }
            }
            if (null == b)
            {
                checkNeighbour();
            }
            final Port port = a;
            assertEquals(null, port.sink.violation, where);
            assertEquals(null, port.line.violation, where);
            assertEquals(port.counters.get(PortCounter.TX_FRAMES), port.sink.frames + port.keptFrames,
                where + "TX_FRAMES vs wire, looped and link-down drops");
            assertEquals(port.counters.get(PortCounter.TX_BYTES), port.sink.bytes + port.keptBytes,
                where + "TX_BYTES vs wire, looped and link-down drops");
            final long[] snapshot = port.snapshot();
            for (final PortCounter counter : PortCounter.values())
            {
                assertTrue(snapshot[counter.id()] >= lastSnapshot[counter.id()], where + counter + " decreased");
            }
            lastSnapshot = snapshot;

            final InterruptController interrupts = port.device.interrupts();
            final boolean asserted = interrupts.isLineAsserted();
            final int pending = port.pendingCauses();
            if (asserted)
            {
                assertTrue(0 != pending, where + "line asserted with (ICR & IMS) == 0");
            }
            if (noModeration)
            {
                assertEquals(0 != pending, asserted, where + "line != ((ICR & IMS) != 0) without moderation");
            }
            assertEquals(asserted && !port.device.pci.isIntxDisabled(), interrupts.isOutputAsserted(),
                where + "output vs INTx disable");
            assertEquals(interrupts.isOutputAsserted(), port.line.level, where + "recorded line level");
        }

        void checkNeighbour()
        {
            if (null == b)
            {
                final long mismatch = neighbourRam.mismatch(neighbourSnapshot);
                if (-1 != mismatch)
                {
                    fail(where() + "the neighbour guest's RAM changed at byte " + mismatch);
                }
            }
            for (int i = 0; i < guards.length; i++)
            {
                assertEquals(-1, guards[i].mismatch(canary), "guard " + i);
            }
        }

        /**
         * Let every moderation deadline pass (the agent's timer wheel would), bounded.
         */
        void drainTimers()
        {
            for (int i = 0; i < 64; i++)
            {
                final long deadline = a.device.nextTimerDeadlineNs();
                if (InterruptController.NO_DEADLINE == deadline)
                {
                    return;
                }
                if (deadline - nowNs > 0)
                {
                    nowNs = deadline;
                }
                a.device.onTimers(nowNs);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Hostile content
    // ------------------------------------------------------------------------------------------------------------

    /** Descriptor contents derived from a seed. */
    static final class HostileDescriptors
    {
        private static final long[] HUGE =
        {
            -1L, Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFF_FFFFL, 0x1_0000_0000L | Rig.RAM_GPA, -Rig.RAM_GPA,
            Long.MAX_VALUE - Rig.RAM_BYTES, 0xFFFF_FFFF_FFFF_F000L, 1L << 47,
        };

        private HostileDescriptors()
        {
        }

        /**
         * An address a hostile guest might put in a descriptor.
         */
        static long hostileAddress(final SplittableRandom random, final Port port)
        {
            final long ram = port.ramGpa;
            final long size = port.ram.byteSize();
            return switch (random.nextInt(13))
            {
                case 0 -> 0;
                case 12 -> ram + size - random.nextInt(64);
                case 1, 2, 3 -> port.txSlotGpa(random.nextInt(Port.TX_SLOTS)) + random.nextInt(0x8000);
                case 4 -> ram + size - random.nextInt(0, 2049);
                case 5 -> ram - 1 - random.nextInt(Rig.GUARD_BYTES);
                case 6 -> ram + size + random.nextInt(Rig.GUARD_BYTES);
                case 7 -> (port.ramGpa == Rig.OTHER_GPA ? Rig.RAM_GPA : Rig.OTHER_GPA) + random.nextInt(Rig.RAM_BYTES);
                case 8 -> HUGE[random.nextInt(HUGE.length)] - random.nextInt(4096);
                case 9 -> random.nextLong();
                case 10 -> ram + random.nextLong(size);
                default -> (1L << 32) + ram + random.nextLong(size);
            };
        }

        private static int hostileLength(final SplittableRandom random, final int mask)
        {
            return switch (random.nextInt(7))
            {
                case 0 -> 0;
                case 1 -> random.nextInt(14);
                case 2 -> 14 + random.nextInt(1501);
                case 3 -> random.nextInt(0x1_0000) & mask;
                case 4 -> (0xFFFF - random.nextInt(8)) & mask;
                case 5 -> random.nextInt() & mask;
                default -> 60;
            };
        }

        /**
         * Random legacy, context, data, reserved-DTYP and raw descriptors (two longs each).
         */
        static long[] randomTx(final Port port, final int count, final long seed)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final long[] words = new long[2 * count];
            for (int i = 0; i < count; i++)
            {
                final int cmd = random.nextBoolean() ?
                    E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS | (random.nextInt() & 0xC6) :
                    random.nextInt(256);
                final int kind = random.nextInt(10);
                final long low;
                final long high;
                if (kind < 4)
                {
                    low = hostileAddress(random, port);
                    final int length = hostileLength(random, 0xFFFF);
                    final int cso = random.nextInt(256);
                    final int status = random.nextInt(256);
                    final int css = random.nextInt(256);
                    high = Descriptors.legacyTxHigh(length, cmd, cso, status, css, random.nextInt(0x1_0000));
                }
                else if (kind < 6)
                {
                    final int tucmd = random.nextInt(256) | E1000TxDescriptor.TUCMD_DEXT;
                    low = random.nextInt(3) == 0 ? random.nextLong() : randomContextLow(random);
                    final int mss = random.nextInt(3) == 0 ? random.nextInt(0x1_0000) : random.nextInt(1600);
                    final int hdrlen = random.nextInt(3) == 0 ? random.nextInt(256) : random.nextInt(100);
                    final int payloadBytes = hostileLength(random, 0xFFFFF);
                    high = Descriptors.extendedTxHigh(payloadBytes, E1000TxDescriptor.DTYP_CONTEXT, tucmd,
                        random.nextInt(16), hdrlen, mss);
                }
                else if (kind < 9)
                {
                    low = hostileAddress(random, port);
                    final int dtyp = random.nextInt(8) == 0 ? random.nextInt(16) : E1000TxDescriptor.DTYP_DATA;
                    final int length = hostileLength(random, 0xFFFFF);
                    final int status = random.nextInt(256);
                    final int popts = random.nextInt(256);
                    high = Descriptors.extendedTxHigh(length, dtyp, cmd, status, popts, random.nextInt(0x1_0000));
                }
                else
                {
                    low = random.nextLong();
                    high = random.nextLong();
                }
                words[2 * i] = low;
                words[2 * i + 1] = high;
            }
            return words;
        }

        /**
         * The checksum fields of a context descriptor, each within a few hundred bytes of the packet's start.
         */
        private static long randomContextLow(final SplittableRandom random)
        {
            final int ipcss = random.nextInt(100);
            final int ipcso = random.nextInt(100);
            final int ipcse = random.nextInt(200);
            final int tucss = random.nextInt(100);
            final int tucso = random.nextInt(100);
            return Descriptors.contextTxLow(ipcss, ipcso, ipcse, tucss, tucso, random.nextInt(200));
        }

        /**
         * A plausible packet (Ethernet, IPv4 or IPv6, TCP or UDP, payload) in a TX buffer slot, and the descriptors
         * that send it: mode 0 TSO (context + data), 1 checksum offload (context + data), 2 legacy with IC. One
         * context field or one length is perturbed half of the time.
         */
        static long[] burst(final Port port, final int mode, final long seed)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final boolean ipv6 = random.nextBoolean();
            final boolean udp = random.nextInt(3) == 0;
            final int ipLength = ipv6 ? 40 : 20;
            final int l4Length = udp ? 8 : 20;
            final int header = 14 + ipLength + l4Length;
            final int payload = random.nextInt(4) == 0 ? random.nextInt(TxProcessor.MAX_PACKET_BYTES - header) :
                random.nextInt(3000);
            final int total = header + payload;
            final int slot = random.nextInt(Port.TX_SLOTS);
            final long packetGpa = port.txSlotGpa(slot);
            final byte[] packet = Frames.packet(random, total, ipv6, udp);
            port.ramBuffer.putBytes((int)(packetGpa - port.ramGpa), packet);

            final int ipcss = 14;
            final int ipcso = ipv6 ? 0 : 14 + 10;
            final int ipcse = ipv6 ? 0 : 14 + ipLength - 1;
            final int tucss = 14 + ipLength;
            final int tucso = tucss + (udp ? 6 : 16);
            int[] fields = {ipcss, ipcso, ipcse, tucss, tucso, 0, payload, header,
                random.nextInt(4) == 0 ? random.nextInt(3) : 64 + random.nextInt(1460)};
            int tucmd = (mode == 0 ? E1000TxDescriptor.TUCMD_TSE : 0) | (udp ? 0 : E1000TxDescriptor.TUCMD_TCP) |
                (ipv6 ? 0 : E1000TxDescriptor.TUCMD_IP) | E1000TxDescriptor.TUCMD_DEXT;
            final boolean perturb = random.nextBoolean();
            if (perturb)
            {
                final int which = random.nextInt(fields.length + 1);
                if (which == fields.length)
                {
                    tucmd = random.nextInt(256) | E1000TxDescriptor.TUCMD_DEXT;
                }
                else
                {
                    fields = fields.clone();
                    fields[which] = random.nextBoolean() ? random.nextInt(256) : fields[which] + random.nextInt(9) - 4;
                }
            }
            final int chunks = 1 + random.nextInt(4);
            final long[] words = new long[2 * (chunks + (mode == 2 ? 0 : 1))];
            int w = 0;
            if (mode != 2)
            {
                words[w++] = Descriptors.contextTxLow(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
                words[w++] = Descriptors.contextTxHigh(fields[6], tucmd, fields[7], fields[8]);
            }
            int done = 0;
            for (int c = 0; c < chunks; c++)
            {
                final boolean last = c == chunks - 1;
                int length = last ? total - done : Math.min(total - done, random.nextInt(total / chunks + 1));
                if (perturb && random.nextInt(8) == 0)
                {
                    length += random.nextInt(64) - 32;
                }
                final long gpa = packetGpa + done;
                final int eop = last ? E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS : 0;
                final int vle = random.nextInt(8) == 0 ? E1000TxDescriptor.CMD_VLE : 0;
                if (mode == 2)
                {
                    final int ic = random.nextBoolean() ? E1000TxDescriptor.CMD_IC : 0;
                    words[w++] = gpa;
                    words[w++] = Descriptors.legacyTxHigh(length, eop | ic | vle, fields[4], 0, fields[3],
                        random.nextInt(0x1_0000));
                }
                else
                {
                    final int tse = mode == 0 ? E1000TxDescriptor.CMD_TSE : 0;
                    final int popts = E1000TxDescriptor.POPTS_TXSM | (ipv6 ? 0 : E1000TxDescriptor.POPTS_IXSM);
                    words[w++] = gpa;
                    words[w++] = Descriptors.dataTxHigh(length, eop | tse | vle, popts, random.nextInt(0x1_0000));
                }
                done += Math.max(0, length);
            }
            return words;
        }
    }

    /** Frame contents derived from a seed. */
    static final class Frames
    {
        private Frames()
        {
        }

        /**
         * A frame a hostile peer might send: random destination (broadcast, the port's MAC, multicast, random),
         * random EtherType (IPv4/IPv6/802.1Q/random) with partly valid, partly random L3/L4 headers.
         */
        static byte[] hostile(final SplittableRandom random, final int lengthBytes, final Port port)
        {
            final byte[] frame = new byte[lengthBytes];
            for (int i = 0; i < lengthBytes; i++)
            {
                frame[i] = (byte)random.nextInt();
            }
            switch (random.nextInt(4))
            {
                case 0 -> fill(frame, 0, (byte)0xFF, 6);
                case 1 ->
                {
                    put(frame, 0, 0x02);
                    fill(frame, 1, (byte)0, 4);
                    put(frame, 5, port.portId + 1);
                }
                case 2 ->
                {
                    put(frame, 0, 0x01);
                    put(frame, 1, 0x00);
                    put(frame, 2, 0x5E);
                }
                default ->
                {
                }
            }
            int l3 = 14;
            int etherType = random.nextInt(4);
            if (etherType == 2)
            {
                put16(frame, 12, 0x8100);
                l3 = 18;
                etherType = random.nextInt(2);
            }
            switch (etherType)
            {
                case 0 ->
                {
                    put16(frame, l3 - 2, 0x0800);
                    put(frame, l3, random.nextInt(4) == 0 ? random.nextInt(256) : 0x45);
                    put16(frame, l3 + 2, random.nextBoolean() ? lengthBytes - l3 : random.nextInt(0x1_0000));
                    put(frame, l3 + 9, random.nextBoolean() ? 6 : (random.nextBoolean() ? 17 : random.nextInt(256)));
                }
                case 1 ->
                {
                    put16(frame, l3 - 2, 0x86DD);
                    put(frame, l3, 0x60);
                    put16(frame, l3 + 4, random.nextBoolean() ? lengthBytes - l3 - 40 : random.nextInt(0x1_0000));
                    put(frame, l3 + 6, random.nextBoolean() ? 6 : (random.nextBoolean() ? 17 : random.nextInt(256)));
                }
                default ->
                {
                }
            }
            return frame;
        }

        /**
         * A packet with well-formed headers of the given kind and random payload.
         */
        static byte[] packet(final SplittableRandom random, final int total, final boolean ipv6, final boolean udp)
        {
            final byte[] packet = new byte[total];
            for (int i = 0; i < total; i++)
            {
                packet[i] = (byte)random.nextInt();
            }
            fill(packet, 0, (byte)0xFF, 6);
            put(packet, 6, 0x02);
            final int ipLength = ipv6 ? 40 : 20;
            final int protocol = udp ? 17 : 6;
            if (ipv6)
            {
                put16(packet, 12, 0x86DD);
                put(packet, 14, 0x60);
                put16(packet, 18, total - 14 - 40);
                put(packet, 20, protocol);
            }
            else
            {
                put16(packet, 12, 0x0800);
                put(packet, 14, 0x45);
                put16(packet, 16, total - 14);
                put(packet, 23, protocol);
            }
            if (!udp)
            {
                put(packet, 14 + ipLength + 12, 0x50);
            }
            return packet;
        }

        private static void put(final byte[] bytes, final int offset, final int value)
        {
            if (offset >= 0 && offset < bytes.length)
            {
                bytes[offset] = (byte)value;
            }
        }

        private static void put16(final byte[] bytes, final int offset, final int value)
        {
            put(bytes, offset, value >>> 8);
            put(bytes, offset + 1, value);
        }

        private static void fill(final byte[] bytes, final int offset, final byte value, final int count)
        {
            for (int i = 0; i < count; i++)
            {
                put(bytes, offset + i, value);
            }
        }
    }
}
