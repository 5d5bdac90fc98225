package io.sidecore.bench;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.MacTable;
import io.sidecore.engine.l2.ShardRing;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The switch's forwarding decision for one 64-byte unicast frame between local ports, with {@code ports} ports
 * attached (their MACs pinned, as the daemon pins a port's configured MAC): source learning, destination lookup in
 * the {@link MacTable} and the hand-off to the destination's sink (a sink that only counts, so the copy into a ring is
 * not measured). Each call forwards one frame from port {@code i} to port {@code i + 1}, round-robin.
 * <ul>
 *   <li>{@code forward}: {@link L2Switch#forward} as the engine calls it per frame;</li>
 *   <li>{@code lookupOnly}: the MAC table lookup alone, the part a per-source cache of the last destination would
 *       skip when consecutive frames of a port go to one destination (the variant to beat);</li>
 *   <li>{@code lastDestinationCache}: that cache: compare the destination MAC with the source's last one and look
 *       up only on a change.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
@State(Scope.Thread)
public class SwitchForwardBenchmark
{
    private static final int FRAME_BYTES = 64;
    private static final long AGING_NS = 300_000_000_000L;

    /** Ports attached to the switch. */
    @Param({"2", "64", "256"})
    int ports;

    private L2Switch l2Switch;
    private MacTable macTable;
    private UnsafeBuffer[] frames;
    private long[] destinationMacs;
    private long[] lastDestinationMac;
    private int[] lastDestinationSlot;
    private final FrameMetadata metadata = new FrameMetadata();
    private final BenchPort.NullSink sink = new BenchPort.NullSink();
    private int next;

    /**
     * Attach the ports and build one frame per source.
     */
    @Setup
    public void setUp()
    {
        macTable = new MacTable(4096, AGING_NS);
        l2Switch = new L2Switch(0, ports, macTable, new ShardRing[1], SidecoreCounters.inPrivateMemory(0));
        l2Switch.nowNs(1_000_000_000L);
        frames = new UnsafeBuffer[ports];
        destinationMacs = new long[ports];
        lastDestinationMac = new long[ports];
        lastDestinationSlot = new int[ports];
        for (int slot = 0; slot < ports; slot++)
        {
            l2Switch.attachLocal(slot, slot + 1, mac(slot), sink, PortCounters.inPrivateMemory("p" + slot));
        }
        for (int slot = 0; slot < ports; slot++)
        {
            final long destination = mac((slot + 1) % ports);
            destinationMacs[slot] = destination;
            lastDestinationMac[slot] = L2Switch.NO_MAC;
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_BYTES));
            putMac(frame, 0, destination);
            putMac(frame, 6, mac(slot));
            frames[slot] = frame;
        }
    }

    private static long mac(final int slot)
    {
        return 0x0200_0000_0000L | (slot + 1);
    }

    private static void putMac(final UnsafeBuffer frame, final int offset, final long mac)
    {
        for (int i = 0; i < 6; i++)
        {
            frame.putByte(offset + i, (byte)(mac >>> (40 - 8 * i)));
        }
    }

    private int nextSource()
    {
        final int source = next;
        next = source + 1 == ports ? 0 : source + 1;
        return source;
    }

    /**
     * @return the outcome.
     */
    @Benchmark
    public int forward()
    {
        final int source = nextSource();
        return l2Switch.forward(source, frames[source], 0, FRAME_BYTES, metadata);
    }

    /**
     * @return the destination slot.
     */
    @Benchmark
    public int lookupOnly()
    {
        return macTable.lookup(destinationMacs[nextSource()], 1_000_000_000L);
    }

    /**
     * @return the destination slot.
     */
    @Benchmark
    public int lastDestinationCache()
    {
        final int source = nextSource();
        final long destination = destinationMacs[source];
        if (destination == lastDestinationMac[source])
        {
            return lastDestinationSlot[source];
        }
        final int slot = macTable.lookup(destination, 1_000_000_000L);
        lastDestinationMac[source] = destination;
        lastDestinationSlot[source] = slot;
        return slot;
    }
}
