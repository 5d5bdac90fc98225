package io.sidecore.bench;

import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.MacTable;
import io.sidecore.engine.l2.ShardRing;
import io.sidecore.engine.l2.SwitchBackend;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.os.MemFd;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What many guests cost the sidecore when nothing else differs: {@link GuestToGuestPathBenchmark}'s 64-byte UDP path
 * (context + data descriptor per frame, checksum inserted, switched, verified from the carried checksum, written into
 * the peer's RX ring inside one RX batch) over {@code pairs} independent sender/receiver pairs, one call visiting
 * every pair once with {@link #FRAMES_PER_VISIT} frames, as the agent's pass visits every port. One thread, no guest
 * on another core: the difference between {@code pairs=1} and {@code pairs=64} is the working set alone (rings,
 * buffers, each port's registers, counters and device objects; a lap of the rings touches ~194 guest pages per
 * pair), which the system benchmark's 64-guest case adds on top of the cross-core traffic.
 * <p>
 * Each pair has its own two-port {@link L2Switch}, so the MAC table's size is not what is measured. Frames per visit
 * is about what the daemon finds per port visit with 64 guests under load (~36). The guests' part (the RX
 * descriptors handed back, TDT and RDT) is written on the measuring thread just before each visit, so those lines are
 * in its cache, where a real guest's are on another core: for the RX read-ahead, which at its default depth reads
 * exactly the 32 buffers each visit fills here, this is the best case, and its gain here an upper bound.
 * <p>
 * Scores are ns per call; the {@code frames} secondary result is ns per frame.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class GuestPairsPathBenchmark
{
    /** Frames per pair per call. */
    static final int FRAMES_PER_VISIT = 32;
    private static final int TX_DESCRIPTORS = 2 * FRAMES_PER_VISIT;
    private static final int TX_RING_DESCRIPTORS = 256;
    private static final int RX_RING_DESCRIPTORS = 256;
    private static final int RX_DESCRIPTOR_BUDGET = 1024;
    private static final long AGING_NS = 300_000_000_000L;

    /** Sender/receiver pairs visited per call. */
    @Param({"1", "64"})
    public int pairs;

    /** Frame length. */
    @Param({"64"})
    public int frameBytes;

    /**
     * Guest RAM pages: {@code 4k} (anonymous memory) or {@code 2m} (memfd in 2 MiB huge pages, as
     * {@code bench --huge-pages} backs its guests; needs {@code 4 * 2 * pairs} free pages, e.g.
     * {@code sysctl vm.nr_hugepages=520} for 64 pairs).
     */
    @Param({"4k"})
    public String pages;

    /**
     * The receivers' RX read-ahead ({@code sidecore.rx.read.ahead.descriptors}): 32 as the daemon runs, 0 for none:
     * both in one build, so a comparison is not also one of two builds.
     */
    @Param({"32"})
    public int readAheadDescriptors;

    private final List<MemFd> hugePageFiles = new ArrayList<>();
    private final Arena arena = Arena.ofShared();

    private BenchPort[] senders;
    private BenchPort[] receivers;
    /**
     * RX ring index of each pair's next visit (its TX ring index is twice it, modulo the ring): the rings are walked
     * round, as a guest's are.
     */
    private int[] positions;

    /**
     * Build every pair and check that one call carries every frame of every pair.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        senders = new BenchPort[pairs];
        receivers = new BenchPort[pairs];
        positions = new int[pairs];
        for (int p = 0; p < pairs; p++)
        {
            final L2Switch l2Switch =
                new L2Switch(0, 2, new MacTable(64, AGING_NS), new ShardRing[1], SidecoreCounters.inPrivateMemory(0));
            final BenchPort sender = new BenchPort(BenchPort.MAC, new SwitchBackend(l2Switch, 0), ram("a" + p));
            final BenchPort receiver = new BenchPort(BenchPort.PEER_MAC, null, ram("b" + p));
            receiver.device.rxReadAheadDescriptors(readAheadDescriptors);
            l2Switch.nowNs(BenchPort.NOW_NS);
            l2Switch.attachLocal(0, 0, L2Switch.macToLong(BenchPort.MAC), new BenchPort.NullSink(), sender.counters);
            l2Switch.attachLocal(1, 1, L2Switch.macToLong(BenchPort.PEER_MAC),
                new BenchPort.ReceiveSink(receiver, true),
                PortCounters.inPrivateMemory("b" + p));
            sender.setUpTxRing(TX_RING_DESCRIPTORS);
            sender.putUdpChecksumFrames(TX_RING_DESCRIPTORS / 2, frameBytes);
            receiver.setUpRxRing(RX_RING_DESCRIPTORS, E1000Registers.RCTL_BAM);
            receiver.write(E1000Registers.RXCSUM, E1000Registers.RXCSUM_TUOFL);
            senders[p] = sender;
            receivers[p] = receiver;
        }
        final long frames = pass();
        if ((long)pairs * FRAMES_PER_VISIT != frames)
        {
            throw new IllegalStateException("frames=" + frames + " expected " + (long)pairs * FRAMES_PER_VISIT);
        }
        for (int p = 0; p < pairs; p++)
        {
            receivers[p].requireVerifiedChecksums(FRAMES_PER_VISIT, "pair " + p);
        }
        checkHealthy();
    }

    private MemorySegment ram(final String name)
    {
        switch (pages)
        {
            case "4k":
                return arena.allocate(BenchPort.RAM_BYTES, 4096);
            case "2m":
                final MemFd file = MemFd.create("bench-" + name, BenchPort.RAM_BYTES, true);
                hugePageFiles.add(file);
                return file.map(arena);
            default:
                throw new IllegalArgumentException("pages=" + pages + ": 4k or 2m");
        }
    }

    /**
     * Unmap every pair's guest RAM and close the huge-page files, giving their pages back.
     */
    @TearDown(Level.Trial)
    public void release()
    {
        arena.close();
        hugePageFiles.forEach(MemFd::close);
        hugePageFiles.clear();
    }

    /**
     * Every pair must have carried every frame.
     */
    @TearDown(Level.Iteration)
    public void checkHealthy()
    {
        for (int p = 0; p < pairs; p++)
        {
            senders[p].requireNoFaultOrDrop("sender " + p);
            receivers[p].requireNoFaultOrDrop("receiver " + p);
            final long sent = senders[p].counters.get(PortCounter.TX_FRAMES);
            final long received = receivers[p].counters.get(PortCounter.RX_FRAMES);
            if (sent != received)
            {
                throw new IllegalStateException("pair " + p + ": tx_frames=" + sent + " rx_frames=" + received);
            }
        }
    }

    /**
     * One visit of every pair, as the daemon runs (Agrona's checks on; the data path's buffers skip them).
     *
     * @param counters frames done.
     * @return frames done.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
    public long visitEveryPair(final PathCounters counters)
    {
        final long frames = pass();
        counters.frames += frames;
        counters.descriptors += 2 * frames;
        return frames;
    }

    private long pass()
    {
        long frames = 0;
        final int pairs = this.pairs;
        for (int p = 0; p < pairs; p++)
        {
            frames += visit(p);
        }
        return frames;
    }

    /**
     * One visit of a pair: the receiver's guest hands back the 32 RX descriptors after the last visit's, the
     * sender's guest the next 64 TX descriptors (the frames written at set-up stay in place), and the device does
     * one TX pass into the receiver's RX batch.
     */
    private long visit(final int pair)
    {
        final BenchPort sender = senders[pair];
        final BenchPort receiver = receivers[pair];
        final int rxStart = positions[pair];
        for (int i = 0; i < FRAMES_PER_VISIT; i++)
        {
            receiver.putRxDescriptor((rxStart + i) % RX_RING_DESCRIPTORS);
        }
        final int rxTail = (rxStart + FRAMES_PER_VISIT) % RX_RING_DESCRIPTORS;
        receiver.registers.setRelease(E1000Registers.RDT, rxTail);
        final int txStart = (2 * rxStart) % TX_RING_DESCRIPTORS;
        final int txTail = (txStart + TX_DESCRIPTORS) % TX_RING_DESCRIPTORS;
        sender.registers.setRelease(E1000Registers.TDT, txTail);
        final long before = receiver.counters.get(PortCounter.RX_FRAMES);
        receiver.device.beginPass(RX_DESCRIPTOR_BUDGET);
        receiver.device.rxBatching(true, BenchPort.NOW_NS);
        sender.device.pollTx(BenchPort.NOW_NS, TX_DESCRIPTORS);
        receiver.device.rxBatching(false, BenchPort.NOW_NS);
        positions[pair] = rxTail;
        return receiver.counters.get(PortCounter.RX_FRAMES) - before;
    }
}
