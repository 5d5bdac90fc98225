package io.sidecore.bench;

import io.sidecore.engine.mem.DataPathBuffer;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * One frame copied between two page-aligned buffers, as the TX path stages a guest's buffer and the RX path writes a
 * staged frame into a guest's buffer ({@code DataPathBuffer.putBytes}, the JIT's copy): the source at
 * {@code sourceLineOffset} within a 64-byte line, the destination at the same offset ({@code skewBytes=0}, where the
 * TX path now stages a packet: {@code TxProcessor.packetStartFor}) or 4 bytes further ({@code skewBytes=4}, where the
 * fixed 4-byte headroom put it before). The variant the alignment should beat is {@code skewBytes=4}; the variant
 * {@code copyFromLine} should beat is {@code copy} at {@code sourceLineOffset=2}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
@State(Scope.Thread)
public class FrameCopyBenchmark
{
    private static final int BUFFER_BYTES = 4096;

    /** Frame length. */
    @Param({"64", "1514"})
    public int lengthBytes;

    /** The source's offset within a 64-byte line (0: an aligned guest buffer; 2: Linux's IP-aligned headers). */
    @Param({"0", "2"})
    public int sourceLineOffset;

    /** The destination's distance from the source's offset within a line. */
    @Param({"0", "4"})
    public int skewBytes;

    private final DataPathBuffer source = new DataPathBuffer();
    private final DataPathBuffer destination = new DataPathBuffer();
    /** The pages the buffers are wrapped over, held so the automatic arena cannot free them during the trial. */
    private MemorySegment sourcePage;
    private MemorySegment destinationPage;

    /**
     * Two page-aligned buffers, the source filled with a pattern.
     */
    @Setup
    public void setUp()
    {
        final Arena arena = Arena.ofAuto();
        sourcePage = arena.allocate(BUFFER_BYTES, BUFFER_BYTES);
        destinationPage = arena.allocate(BUFFER_BYTES, BUFFER_BYTES);
        source.wrap(sourcePage.address() + sourceLineOffset, lengthBytes);
        destination.wrap(destinationPage.address() + sourceLineOffset + skewBytes, lengthBytes);
        for (int i = 0; i < lengthBytes; i++)
        {
            source.putByte(i, (byte)(i * 31 + 7));
        }
    }

    /**
     * @return a byte of the copy.
     */
    @Benchmark
    public byte copy()
    {
        destination.putBytes(0, source, 0, lengthBytes);
        return destination.getByte(lengthBytes - 1);
    }

    /**
     * @return a byte of the copy, made by {@link DataPathBuffer#putBytesFromLine} (the TX staging copy): from the
     *         source's next line boundary, the bytes before it copied first.
     */
    @Benchmark
    public byte copyFromLine()
    {
        destination.putBytesFromLine(0, source, 0, lengthBytes);
        return destination.getByte(lengthBytes - 1);
    }
}
