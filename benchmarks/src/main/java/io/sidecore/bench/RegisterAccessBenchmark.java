package io.sidecore.bench;

import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The plain register reads the RX path makes per frame (RCTL, STATUS, VET, CTRL, RXCSUM, RAL[0], RAH[0], ICR, IMS,
 * RDTR): the register image's accessor (its own range check, folded for constant offsets, then an unchecked load)
 * against the replaced one (the page's Agrona buffer and its bounds check on every access), Agrona's checks on as in
 * the daemon.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
@State(Scope.Thread)
public class RegisterAccessBenchmark
{
    private static final int PAGE_SHIFT = Integer.numberOfTrailingZeros(E1000Registers.PAGE_LENGTH);

    private final RegisterImage image = RegisterImage.allocate();
    private final AtomicBuffer[] pages = new AtomicBuffer[E1000Registers.PAGE_COUNT];

    /**
     * The replaced variant's page table over buffers of its own.
     */
    @Setup
    public void setUp()
    {
        final UnsafeBuffer privateImage = new UnsafeBuffer(ByteBuffer.allocateDirect(E1000Registers.BAR0_LENGTH));
        final UnsafeBuffer doorbellPages = new UnsafeBuffer(ByteBuffer.allocateDirect(E1000Registers.BAR0_LENGTH));
        for (int page = 0; page < pages.length; page++)
        {
            pages[page] = 0 != (PortRegionDescriptor.DEFAULT_SHARED_PAGES & (1 << page)) ? doorbellPages : privateImage;
        }
    }

    /**
     * @return the sum of ten reads through the register image.
     */
    @Benchmark
    public int imageGet()
    {
        final RegisterImage r = image;
        return r.get(E1000Registers.RCTL) + r.get(E1000Registers.STATUS) + r.get(E1000Registers.VET) +
            r.get(E1000Registers.CTRL) + r.get(E1000Registers.RXCSUM) + r.get(E1000Registers.RA) +
            r.get((E1000Registers.RA + 4)) + r.get(E1000Registers.ICR) + r.get(E1000Registers.IMS) +
            r.get(E1000Registers.RDTR);
    }

    /**
     * @return the sum of ten reads through the page's bounds-checked buffer.
     */
    @Benchmark
    public int checkedBufferGet()
    {
        return get(E1000Registers.RCTL) + get(E1000Registers.STATUS) + get(E1000Registers.VET) +
            get(E1000Registers.CTRL) + get(E1000Registers.RXCSUM) + get(E1000Registers.RA) +
            get((E1000Registers.RA + 4)) + get(E1000Registers.ICR) + get(E1000Registers.IMS) +
            get(E1000Registers.RDTR);
    }

    private int get(final int offset)
    {
        return pages[offset >>> PAGE_SHIFT].getInt(offset);
    }
}
