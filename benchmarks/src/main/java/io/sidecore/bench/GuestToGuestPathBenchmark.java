package io.sidecore.bench;

import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.MacTable;
import io.sidecore.engine.l2.ShardRing;
import io.sidecore.engine.l2.SwitchBackend;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The whole guest-to-guest path of the system benchmark's 64-byte case (and of 1514-byte UDP frames), one sidecore,
 * no threads: port A's TX ring holds 128 IPv4/UDP frames as Linux e1000 sends them with checksum offload (a context
 * descriptor and a data descriptor with POPTS.TXSM each, as in {@link TxPathBenchmark}'s {@code UDP_CSUM_64}); one
 * call is one TX pass of A whose frames go through the {@link L2Switch} (A's {@link SwitchBackend}, as the daemon
 * wires a switch port) into port B's receive path, which filters each (exact match on B's address), verifies its UDP
 * checksum (RXCSUM.TUOFL, as Linux e1000 sets it) and writes it into B's RX ring inside one RX batch, as the agent's
 * pass does.
 * <p>
 * Each call first hands both rings back: A's 256 TX descriptors (TDH = 0, TDT = 256) and B's first 128 RX descriptors
 * rewritten with a cleared status (RDH = 0, RDT = 128), the guest drivers' part, which is in the score. Nothing is
 * allocated; every iteration is checked to have delivered every frame with a good checksum status.
 * <p>
 * Scores are ns per call; the {@code frames} secondary result ({@link PathCounters}) is ns per frame through the
 * whole path (1000 / it = Mpps on one core).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class GuestToGuestPathBenchmark
{
    /** Frames per call. */
    static final int FRAMES = TxPathBenchmark.UDP_FRAMES;
    /** TX descriptors per call: a context and a data descriptor per frame. */
    static final int TX_DESCRIPTORS = 2 * FRAMES;
    /** RX ring: larger than a call's frames, so RDT != RDH after re-arming. */
    static final int RX_RING_DESCRIPTORS = 256;
    /** RX descriptors a pass may examine, above any frame's need ({@code RxProcessor.MAX_BUFFERS_PER_FRAME}). */
    static final int RX_DESCRIPTOR_BUDGET = 1024;

    private static final int SLOT_A = 0;
    private static final int SLOT_B = 1;
    private static final long AGING_NS = 300_000_000_000L;

    /**
     * {@code carried}: the receiver gets the frame's metadata, as the daemon's port hands it over, and verifies the
     * UDP checksum the sender inserted from the pseudo header ({@code FrameMetadata#checksumCarried}); {@code summed}:
     * it gets none and sums the segment again, as before (the variant the carried checksum should beat).
     */
    @Param({"carried", "summed"})
    public String rxChecksum;

    /** Frame length: the system benchmark's 64-byte case, and a 1514-byte one where the segment sum is long. */
    @Param({"64", "1514"})
    public int frameBytes;

    private BenchPort sender;
    private BenchPort receiver;
    private L2Switch l2Switch;

    /**
     * Build both ports and the switch, run one call and check every frame arrived with a verified checksum: a drop
     * or a checksum error would make the benchmark measure something else.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        l2Switch = new L2Switch(0, 2, new MacTable(64, AGING_NS), new ShardRing[1],
            SidecoreCounters.inPrivateMemory(0));
        sender = new BenchPort(BenchPort.MAC, new SwitchBackend(l2Switch, SLOT_A));
        receiver = new BenchPort(BenchPort.PEER_MAC, null);
        l2Switch.nowNs(BenchPort.NOW_NS);
        l2Switch.attachLocal(SLOT_A, SLOT_A, L2Switch.macToLong(BenchPort.MAC), new BenchPort.NullSink(),
            sender.counters);
        l2Switch.attachLocal(SLOT_B, SLOT_B, L2Switch.macToLong(BenchPort.PEER_MAC),
            new BenchPort.ReceiveSink(receiver, "carried".equals(rxChecksum)),
            PortCounters.inPrivateMemory("b"));

        sender.setUpTxRing(TxPathBenchmark.RING_DESCRIPTORS);
        sender.putUdpChecksumFrames(FRAMES, frameBytes);
        receiver.setUpRxRing(RX_RING_DESCRIPTORS, E1000Registers.RCTL_BAM);
        receiver.write(E1000Registers.RXCSUM, E1000Registers.RXCSUM_TUOFL);

        final int done = pass();
        final long received = receiver.counters.get(PortCounter.RX_FRAMES);
        if (TX_DESCRIPTORS != done || FRAMES != received)
        {
            throw new IllegalStateException("descriptors=" + done + "/" + TX_DESCRIPTORS + " received=" + received +
                "/" + FRAMES);
        }
        receiver.requireVerifiedChecksums(FRAMES, "receiver");
        checkHealthy();
    }

    /**
     * Every iteration must have carried every frame from A's ring into B's.
     */
    @TearDown(Level.Iteration)
    public void checkHealthy()
    {
        sender.requireNoFaultOrDrop("sender");
        receiver.requireNoFaultOrDrop("receiver");
        final long sent = sender.counters.get(PortCounter.TX_FRAMES);
        final long received = receiver.counters.get(PortCounter.RX_FRAMES);
        if (sent != received)
        {
            throw new IllegalStateException("tx_frames=" + sent + " rx_frames=" + received);
        }
    }

    /**
     * One TX pass of A through the switch into B, as the daemon runs (the data path's buffers skip Agrona's
     * checks).
     *
     * @param counters descriptors and frames done.
     * @return TX descriptors consumed.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
    public int guestToGuest(final PathCounters counters)
    {
        return countedPass(counters);
    }

    /**
     * One TX pass of A through the switch into B, Agrona's bounds checks off everywhere (what they still cost on this
     * path): the device's own overflow-safe validation of every guest address and length is the guard in both.
     *
     * @param counters descriptors and frames done.
     * @return TX descriptors consumed.
     */
    @Benchmark
    @Fork(value = 1,
        jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS, ForkOptions.NO_BOUNDS_CHECKS})
    public int guestToGuestNoBoundsChecks(final PathCounters counters)
    {
        return countedPass(counters);
    }

    private int countedPass(final PathCounters counters)
    {
        final long before = receiver.counters.get(PortCounter.RX_FRAMES);
        final int done = pass();
        counters.descriptors += done;
        counters.frames += receiver.counters.get(PortCounter.RX_FRAMES) - before;
        return done;
    }

    private int pass()
    {
        final BenchPort receiver = this.receiver;
        for (int i = 0; i < FRAMES; i++)
        {
            receiver.putRxDescriptor(i);
        }
        receiver.registers.setRelease(E1000Registers.RDH, 0);
        receiver.registers.setRelease(E1000Registers.RDT, FRAMES);
        sender.rearmTx(TX_DESCRIPTORS);
        receiver.device.beginPass(RX_DESCRIPTOR_BUDGET);
        receiver.device.rxBatching(true, BenchPort.NOW_NS);
        final int done = sender.device.pollTx(BenchPort.NOW_NS, TX_DESCRIPTORS);
        receiver.device.rxBatching(false, BenchPort.NOW_NS);
        return done;
    }
}
