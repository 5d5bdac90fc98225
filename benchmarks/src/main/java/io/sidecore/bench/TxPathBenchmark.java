package io.sidecore.bench;

import io.sidecore.engine.e1000.TxProcessor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
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
 * The transmit data path: one {@code pollTx} over a ring pre-filled with a fixed batch of descriptors, into a sink
 * that only counts. Each call first hands the same descriptors back to the device (TDH = 0, TDT = batch), so the
 * steady state allocates nothing and touches the same guest memory.
 * <p>
 * Scenarios ({@link #scenario}):
 * <ul>
 *   <li>{@code LEGACY_64}, {@code LEGACY_1514}: 256 legacy descriptors, one frame each (EOP | IFCS | RS), each with
 *       its own buffer;</li>
 *   <li>{@code UDP_CSUM_64}: 128 IPv4/UDP frames of 64 bytes, each as the system benchmark's guest (and Linux
 *       {@code e1000_tx_csum}) sends it: a TCP/IP context descriptor asking for the UDP checksum, then one data
 *       descriptor with POPTS.TXSM (EOP | IFCS | RS); 256 descriptors per call, the same count as
 *       {@code LEGACY_64}, half the frames. Side by side with {@code LEGACY_64} it prices what the system
 *       benchmark's 64-byte case costs per frame over the demo's non-IP frames: a second descriptor and a
 *       checksum;</li>
 *   <li>{@code TSO_64K}: 8 IPv4/TCP packets of 64 KiB (54 header bytes + 65482 payload bytes, MSS 1448, IXSM and
 *       TXSM) laid out as Linux e1000 does: a context descriptor, a header descriptor and 16 payload descriptors of at
 *       most 4 KiB; 144 descriptors and 8 x 46 = 368 frames per call.</li>
 * </ul>
 * {@code pollTx} runs as the daemon does: Agrona's bounds checks on, which the data path's own buffers skip
 * ({@code DataPathBuffer}); {@code pollTxNoBoundsChecks} in a JVM with {@code -Dagrona.disable.bounds.checks=true}:
 * the device's own validation of guest addresses and lengths is the guard in both, so the second must behave
 * identically (the per-trial and per-iteration checks below enforce it) and shows what Agrona's checks still cost.
 * <p>
 * Scores are ns per call; the {@code descriptors} and {@code frames} secondary results ({@link PathCounters}) are ns
 * per descriptor and per frame.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class TxPathBenchmark
{
    /** Ring size; larger than any batch so TDT != TDH after re-arming. */
    static final int RING_DESCRIPTORS = 512;
    /** Legacy descriptors (= frames) per call. */
    static final int LEGACY_BATCH = 256;
    /** UDP frames per call (two descriptors each). */
    static final int UDP_FRAMES = LEGACY_BATCH / 2;
    /** The system benchmark's small frame: Ethernet, IPv4, UDP and 22 payload bytes. */
    static final int UDP_FRAME_BYTES = 64;
    /** TSO packets per call. */
    static final int TSO_PACKETS = 8;
    /** TSO packet size, the staging buffer's capacity. */
    static final int TSO_PACKET_BYTES = TxProcessor.MAX_PACKET_BYTES;
    /** The MSS for a 1500-byte MTU with TCP timestamps (1500 - 20 - 20 - 12). */
    static final int TSO_MSS = 1448;

    private static final int TSO_BUFFER_STRIDE = 0x1_0000;

    /** What the ring holds. */
    @Param({"LEGACY_64", "LEGACY_1514", "UDP_CSUM_64", "TSO_64K"})
    String scenario;

    private BenchPort port;
    private int batchDescriptors;
    private long expectedFramesPerCall;

    /**
     * Build the port and the ring, then run one call and check the device did exactly the expected work: a drop or
     * a fault would make the benchmark measure an early exit.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        port = new BenchPort();
        port.setUpTxRing(RING_DESCRIPTORS);
        switch (scenario)
        {
            case "LEGACY_64":
                fillLegacy(64);
                break;

            case "LEGACY_1514":
                fillLegacy(1514);
                break;

            case "UDP_CSUM_64":
                fillUdpChecksum();
                break;

            case "TSO_64K":
                fillTso();
                break;

            default:
                throw new IllegalArgumentException("unknown scenario: " + scenario);
        }
        final long framesBefore = port.sink.frames;
        port.rearmTx(batchDescriptors);
        final int done = port.device.pollTx(BenchPort.NOW_NS, batchDescriptors);
        final long frames = port.sink.frames - framesBefore;
        final int head = port.registers.get(E1000Registers.TDH);
        if (done != batchDescriptors || frames != expectedFramesPerCall || head != batchDescriptors)
        {
            throw new IllegalStateException("scenario " + scenario + ": descriptors=" + done + "/" +
                batchDescriptors + " frames=" + frames + "/" + expectedFramesPerCall + " TDH=" + head);
        }
        checkHealthy();
    }

    /**
     * Every iteration must have sent every frame.
     */
    @TearDown(Level.Iteration)
    public void checkHealthy()
    {
        port.requireNoFaultOrDrop("scenario " + scenario);
        if (port.counters.get(PortCounter.TX_FRAMES) != port.sink.frames)
        {
            throw new IllegalStateException("tx_frames=" + port.counters.get(PortCounter.TX_FRAMES) +
                " but the sink saw " + port.sink.frames);
        }
    }

    /**
     * One pass over the batch, as the daemon runs.
     *
     * @param counters descriptors and frames done.
     * @return descriptors consumed.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
    public int pollTx(final PathCounters counters)
    {
        return pass(counters);
    }

    /**
     * One pass over the batch, Agrona's bounds checks off everywhere.
     *
     * @param counters descriptors and frames done.
     * @return descriptors consumed.
     */
    @Benchmark
    @Fork(value = 1,
        jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS, ForkOptions.NO_BOUNDS_CHECKS})
    public int pollTxNoBoundsChecks(final PathCounters counters)
    {
        return pass(counters);
    }

    private int pass(final PathCounters counters)
    {
        final BenchPort port = this.port;
        final long framesBefore = port.sink.frames;
        port.rearmTx(batchDescriptors);
        final int done = port.device.pollTx(BenchPort.NOW_NS, batchDescriptors);
        counters.descriptors += done;
        counters.frames += port.sink.frames - framesBefore;
        return done;
    }

    private void fillLegacy(final int frameBytes)
    {
        final int command = E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RS;
        for (int i = 0; i < LEGACY_BATCH; i++)
        {
            final long bufferGpa = BenchPort.TX_BUFFERS_GPA + (long)i * BenchPort.SMALL_TX_BUFFER_STRIDE;
            BenchPort.putEthernetFrame(port.ramBuffer, port.ramOffset(bufferGpa), BenchPort.PEER_MAC, BenchPort.MAC,
                frameBytes);
            port.putLegacyTx(i, bufferGpa, frameBytes, command);
        }
        batchDescriptors = LEGACY_BATCH;
        expectedFramesPerCall = LEGACY_BATCH;
    }

    private void fillUdpChecksum()
    {
        batchDescriptors = port.putUdpChecksumFrames(UDP_FRAMES, UDP_FRAME_BYTES);
        expectedFramesPerCall = UDP_FRAMES;
    }

    /**
     * Per packet: context (SDM 3.3.6, TSE), header data descriptor with POPTS (read from the first data descriptor,
     * SDM 3.3.7.1), payload data descriptors of at most 4 KiB, RS only on the EOP descriptor as Linux sets it.
     */
    private void fillTso()
    {
        final int headerLength = BenchPort.TCP_HEADERS_LENGTH;
        final int payloadLength = TSO_PACKET_BYTES - headerLength;
        final int ipStart = BenchPort.ETHERNET_HEADER_LENGTH;
        final int tcpStart = ipStart + BenchPort.IPV4_HEADER_LENGTH;
        final int tucmd = E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TSE;
        final int dataCommand = E1000TxDescriptor.CMD_TSE | E1000TxDescriptor.CMD_IFCS;
        final int popts = E1000TxDescriptor.POPTS_IXSM | E1000TxDescriptor.POPTS_TXSM;
        int index = 0;
        for (int p = 0; p < TSO_PACKETS; p++)
        {
            final long packetGpa = BenchPort.TX_BUFFERS_GPA + (long)p * TSO_BUFFER_STRIDE;
            port.putTsoPacket(packetGpa, payloadLength);
            port.putContextTx(index++, ipStart, ipStart + 10, tcpStart - 1, tcpStart, tcpStart + 16,
                payloadLength, tucmd, headerLength, TSO_MSS);
            port.putDataTx(index++, packetGpa, headerLength, dataCommand, popts);
            int offset = headerLength;
            while (offset < TSO_PACKET_BYTES)
            {
                final int length = Math.min(BenchPort.MAX_DATA_PER_TX_DESCRIPTOR, TSO_PACKET_BYTES - offset);
                final boolean last = offset + length == TSO_PACKET_BYTES;
                final int command = dataCommand |
                    (last ? E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS : 0);
                port.putDataTx(index++, packetGpa + offset, length, command, popts);
                offset += length;
            }
        }
        batchDescriptors = index;
        expectedFramesPerCall = (long)TSO_PACKETS * ((payloadLength + TSO_MSS - 1) / TSO_MSS);
    }
}
