package io.sidecore.bench;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The memory side of TX descriptor parse + copy over a whole TDT window of {@value #WINDOW} descriptors whose buffers
 * are not in the cache (a 256 MiB ring of buffers walked in order, as guests' buffers come from another core or from
 * memory): each descriptor's address and length read, its buffer copied into a staging buffer.
 * <ul>
 *   <li>{@code perDescriptor}: read a descriptor, copy its buffer, next (the engine's order today: each copy waits
 *       for its own cache misses, one line at a time);</li>
 *   <li>{@code twoPhase}: the variant to beat (issue 11 §0): first read every descriptor of the window and touch
 *       every line of every buffer, so the misses overlap, then copy.</li>
 * </ul>
 * Scores are ns per descriptor. A single-threaded model of the guest-writes-on-another-core stall: the data comes
 * from DRAM here, from the other core's cache in the daemon.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS, ForkOptions.NO_BOUNDS_CHECKS})
@State(Scope.Thread)
public class TxGatherBenchmark
{
    /** Descriptors per window. */
    static final int WINDOW = 64;

    private static final int BUFFER_STRIDE = 2048;
    private static final long SLAB_BYTES = 256L << 20;
    private static final int DESCRIPTOR_BYTES = 16;
    private static final int CACHE_LINE = 64;

    /** Bytes per buffer. */
    @Param({"64", "1514"})
    int frameBytes;

    private UnsafeBuffer slab;
    private UnsafeBuffer descriptors;
    private final UnsafeBuffer staging = new UnsafeBuffer(new byte[WINDOW * BUFFER_STRIDE]);
    private final long[] addresses = new long[WINDOW];
    private final int[] lengths = new int[WINDOW];
    private int windows;
    private int window;

    /**
     * Fill the slab and one descriptor table per window position.
     */
    @Setup
    public void setUp()
    {
        slab = new UnsafeBuffer(Arena.ofAuto().allocate(SLAB_BYTES, 4096).address(), (int)SLAB_BYTES);
        for (long i = 0; i < SLAB_BYTES; i += 4096)
        {
            slab.putByte((int)i, (byte)i);
        }
        windows = (int)(SLAB_BYTES / ((long)WINDOW * BUFFER_STRIDE));
        final int tableBytes = windows * WINDOW * DESCRIPTOR_BYTES;
        descriptors = new UnsafeBuffer(Arena.ofAuto().allocate(tableBytes, 64).address(), tableBytes);
        for (int i = 0; i < windows * WINDOW; i++)
        {
            descriptors.putLong(i * DESCRIPTOR_BYTES, (long)i * BUFFER_STRIDE, ByteOrder.LITTLE_ENDIAN);
            descriptors.putShort(i * DESCRIPTOR_BYTES + 8, (short)frameBytes, ByteOrder.LITTLE_ENDIAN);
        }
    }

    private int nextWindow()
    {
        final int current = window;
        window = current + 1 == windows ? 0 : current + 1;
        return current * WINDOW;
    }

    /**
     * @return bytes copied.
     */
    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public int perDescriptor()
    {
        final int first = nextWindow();
        int copied = 0;
        for (int i = 0; i < WINDOW; i++)
        {
            final int descriptor = (first + i) * DESCRIPTOR_BYTES;
            final long address = descriptors.getLong(descriptor, ByteOrder.LITTLE_ENDIAN);
            final int length = descriptors.getShort(descriptor + 8, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            staging.putBytes(i * BUFFER_STRIDE, slab, (int)address, length);
            copied += length;
        }
        return copied;
    }

    /**
     * @return bytes copied.
     */
    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public int twoPhase()
    {
        final int first = nextWindow();
        int touched = 0;
        for (int i = 0; i < WINDOW; i++)
        {
            final int descriptor = (first + i) * DESCRIPTOR_BYTES;
            final long address = descriptors.getLong(descriptor, ByteOrder.LITTLE_ENDIAN);
            final int length = descriptors.getShort(descriptor + 8, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            addresses[i] = address;
            lengths[i] = length;
            for (int line = 0; line < length; line += CACHE_LINE)
            {
                touched += slab.getByte((int)address + line);
            }
        }
        int copied = touched & 0;
        for (int i = 0; i < WINDOW; i++)
        {
            staging.putBytes(i * BUFFER_STRIDE, slab, (int)addresses[i], lengths[i]);
            copied += lengths[i];
        }
        return copied;
    }
}
