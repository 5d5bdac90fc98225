package io.sidecore.bench;

import io.sidecore.engine.net.InternetChecksum;
import org.agrona.DirectBuffer;
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
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The Internet checksum over a staged frame in direct memory, as TX offload and RXCSUM sum it: the engine's sum (one
 * range check, unchecked native-order loads, one swap of the folded result) against the variant it replaced (a
 * big-endian load through Agrona's bounds-checked accessor per 8 bytes), with Agrona's bounds checks on, as they are
 * in the daemon.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
@State(Scope.Thread)
public class ChecksumBenchmark
{
    @Param({"46", "1480", "65495"})
    int lengthBytes;

    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024 + 64));

    /**
     * Fill the frame with a fixed pattern.
     */
    @Setup
    public void setUp()
    {
        for (int i = 0; i < frame.capacity(); i++)
        {
            frame.putByte(i, (byte)(i * 31 + 7));
        }
    }

    /**
     * @return the folded sum, by the engine.
     */
    @Benchmark
    public int engineSum()
    {
        return InternetChecksum.fold(InternetChecksum.sum(frame, 34, lengthBytes));
    }

    /**
     * @return the folded sum, by the replaced variant.
     */
    @Benchmark
    public int checkedBigEndianSum()
    {
        return InternetChecksum.fold(checkedBigEndian(frame, 34, lengthBytes));
    }

    private static long checkedBigEndian(final DirectBuffer buffer, final int offset, final int lengthBytes)
    {
        long sum = 0;
        int index = offset;
        int remaining = lengthBytes;
        while (remaining >= 8)
        {
            final long word = buffer.getLong(index, ByteOrder.BIG_ENDIAN);
            sum += (word >>> 32) + (word & 0xFFFF_FFFFL);
            index += 8;
            remaining -= 8;
        }
        if (remaining >= 4)
        {
            sum += buffer.getInt(index, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            index += 4;
            remaining -= 4;
        }
        if (remaining >= 2)
        {
            sum += buffer.getShort(index, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            index += 2;
            remaining -= 2;
        }
        if (remaining > 0)
        {
            sum += (buffer.getByte(index) & 0xFF) << 8;
        }
        return sum;
    }
}
