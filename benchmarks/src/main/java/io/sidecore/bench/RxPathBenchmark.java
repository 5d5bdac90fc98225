package io.sidecore.bench;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The receive data path: one {@code device.receive} of a frame from a direct buffer (as a backend holds it) into
 * an RX ring of 2048-byte buffers, followed by the guest driver's recycle of that descriptor, so the ring never fills
 * and nothing is allocated.
 * <p>
 * The ring keeps all descriptors but one owned by the device (RDT one behind RDH). Each call receives into
 * descriptor {@code h = RDH}, then does what a driver's clean and refill do: rewrites descriptor {@code h} with its
 * buffer address and a cleared status, and advances RDT by one (to {@code h}), handing back the descriptor cleaned in
 * the previous call.
 * <p>
 * Parameters: frame length 64 or 1514 bytes (without FCS) and the address filter that accepts it: {@code BROADCAST}
 * (destination ff:ff:ff:ff:ff:ff, RCTL.BAM) or {@code UNICAST} (destination = the port's MAC, exact match in
 * RAL0/RAH0; SDM 3.2.1). RCTL is EN | BAM in both, as Linux e1000 sets it.
 * <p>
 * {@code receive} runs as the daemon does: Agrona's bounds checks on, which the data path's own buffers skip
 * ({@code DataPathBuffer}); {@code receiveNoBoundsChecks} with {@code -Dagrona.disable.bounds.checks=true}, so the
 * difference is what Agrona's checks still cost on this path; every iteration is checked to have delivered every
 * frame.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class RxPathBenchmark
{
    /** RX ring size. */
    static final int RING_DESCRIPTORS = 256;

    private static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};

    /** Frame length without FCS. */
    @Param({"64", "1514"})
    int frameBytes;

    /** Which filter accepts the frame. */
    @Param({"BROADCAST", "UNICAST"})
    String filter;

    private BenchPort port;
    private UnsafeBuffer frame;

    /**
     * Build the port, the ring and the frame, then receive once and check the frame landed in the ring: a drop
     * would make the benchmark measure an early exit.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final byte[] destination;
        switch (filter)
        {
            case "BROADCAST":
                destination = BROADCAST_MAC;
                break;

            case "UNICAST":
                destination = BenchPort.MAC;
                break;

            default:
                throw new IllegalArgumentException("unknown filter: " + filter);
        }
        port = new BenchPort();
        port.setUpRxRing(RING_DESCRIPTORS, E1000Registers.RCTL_BAM);
        port.write(E1000Registers.RDT, RING_DESCRIPTORS - 1);
        frame = new UnsafeBuffer(ByteBuffer.allocateDirect(BenchPort.RX_BUFFER_BYTES));
        BenchPort.putEthernetFrame(frame, 0, destination, BenchPort.PEER_MAC, frameBytes);

        final boolean delivered =
            FrameSink.DELIVERED == port.device.receive(frame, 0, frameBytes, BenchPort.NOW_NS);
        final int head = port.registers.get(E1000Registers.RDH);
        final int status = port.rxStatus(0);
        final int done = E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP;
        if (!delivered || 1 != head || done != (status & done))
        {
            throw new IllegalStateException("filter " + filter + " frameBytes " + frameBytes + ": delivered=" +
                delivered + " RDH=" + head + " status=0x" + Integer.toHexString(status) + " drops=" +
                port.counters.totalDrops());
        }
        recycle(0);
        checkHealthy();
    }

    /**
     * Every iteration must have delivered every frame.
     */
    @TearDown(Level.Iteration)
    public void checkHealthy()
    {
        port.requireNoFaultOrDrop("filter " + filter);
        if (port.counters.get(PortCounter.RX_FRAMES) != port.counters.get(PortCounter.RX_DESCRIPTORS))
        {
            throw new IllegalStateException("rx_frames=" + port.counters.get(PortCounter.RX_FRAMES) +
                " rx_descriptors=" + port.counters.get(PortCounter.RX_DESCRIPTORS) + ": one buffer per frame expected");
        }
    }

    /**
     * One frame in, one descriptor recycled; as the daemon runs.
     *
     * @param counters descriptors and frames done.
     * @return whether the frame was delivered.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
    public boolean receive(final PathCounters counters)
    {
        return pass(counters);
    }

    /**
     * One frame in, one descriptor recycled; Agrona's bounds checks off everywhere.
     *
     * @param counters descriptors and frames done.
     * @return whether the frame was delivered.
     */
    @Benchmark
    @Fork(value = 1,
        jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS, ForkOptions.NO_BOUNDS_CHECKS})
    public boolean receiveNoBoundsChecks(final PathCounters counters)
    {
        return pass(counters);
    }

    private boolean pass(final PathCounters counters)
    {
        final BenchPort port = this.port;
        final int head = port.registers.getAcquire(E1000Registers.RDH);
        final boolean delivered =
            FrameSink.DELIVERED == port.device.receive(frame, 0, frameBytes, BenchPort.NOW_NS);
        final int used = (port.registers.getAcquire(E1000Registers.RDH) - head) & (RING_DESCRIPTORS - 1);
        recycle(head);
        counters.descriptors += used;
        counters.frames += delivered ? 1 : 0;
        return delivered;
    }

    /**
     * The driver's clean and refill of descriptor {@code index}: cleared status, RDT advanced to it (the descriptor
     * before it, cleaned one call earlier, goes back to the device).
     */
    private void recycle(final int index)
    {
        port.putRxDescriptor(index);
        port.registers.setRelease(E1000Registers.RDT, index);
    }
}
