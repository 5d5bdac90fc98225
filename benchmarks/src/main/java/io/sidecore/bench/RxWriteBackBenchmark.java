package io.sidecore.bench;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The RX write-back of {@value #FRAMES} frames to one guest in one pass, as the e1000 ordering rules demand (SDM
 * 3.2.3; the engine's package notes): per frame the descriptor's length, then status with DD in one release store;
 * RDH published with a release store.
 * <ul>
 *   <li>{@code rdhPerFrame}: RDH published after every frame (what {@code RxProcessor} does today);</li>
 *   <li>{@code rdhPerPass}: the variant to beat (issue 11 §0, "RDH published once per destination per pass"): the
 *       same descriptor stores, RDH once at the end.</li>
 * </ul>
 * Scores are ns per frame. The frame bytes themselves are not copied here ({@code RxPathBenchmark} has the copy).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS, ForkOptions.NO_BOUNDS_CHECKS})
@State(Scope.Thread)
public class RxWriteBackBenchmark
{
    /** Frames per pass. */
    static final int FRAMES = 32;

    private static final int RING = 256;
    private static final int DESCRIPTOR_BYTES = 16;
    private static final int LENGTH_OFFSET = 8;
    private static final int STATUS_OFFSET = 12;
    private static final int STATUS_DD_EOP = 0x03;
    private static final int RDH = 0;

    private UnsafeBuffer ring;
    private UnsafeBuffer registers;
    private int head;

    /**
     * A ring in native memory, and a register page.
     */
    @Setup
    public void setUp()
    {
        ring = new UnsafeBuffer(Arena.ofAuto().allocate(RING * DESCRIPTOR_BYTES, 4096).address(),
            RING * DESCRIPTOR_BYTES);
        registers = new UnsafeBuffer(Arena.ofAuto().allocate(4096, 4096).address(), 4096);
    }

    /**
     * @return the head.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int rdhPerFrame()
    {
        int index = head;
        for (int i = 0; i < FRAMES; i++)
        {
            writeBack(index);
            index = (index + 1) & (RING - 1);
            registers.putIntRelease(RDH, index);
        }
        head = index;
        return index;
    }

    /**
     * @return the head.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int rdhPerPass()
    {
        int index = head;
        for (int i = 0; i < FRAMES; i++)
        {
            writeBack(index);
            index = (index + 1) & (RING - 1);
        }
        registers.putIntRelease(RDH, index);
        head = index;
        return index;
    }

    private void writeBack(final int index)
    {
        final int descriptor = index * DESCRIPTOR_BYTES;
        ring.putInt(descriptor + LENGTH_OFFSET, 64, ByteOrder.LITTLE_ENDIAN);
        ring.putIntRelease(descriptor + STATUS_OFFSET, STATUS_DD_EOP);
    }
}
