package io.sidecore.engine.mem;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The buffers of the data path: every view the device reaches guest memory through ({@link GuestMemory#newView}) and
 * the device's own scratch (the TX staging area, the RX padding, the TSO header). Its accessors skip Agrona's check on
 * every access, because on the data path our own code has already checked the range (style: copy, validate, use):
 * <ul>
 *     <li>a view is wrapped only over a range {@link GuestMemory} translated, by its own overflow-safe checks, for at
 *     least the bytes the caller then uses: a descriptor's fixed fields, a buffer's length, the CSB's fields;</li>
 *     <li>an offset taken from a guest (a checksum's start and offset, a TSO header's length, a frame's length) is
 *     checked against the frame's or the scratch's length by the code that reads it, before it is used.</li>
 * </ul>
 * Agrona's own check on those accesses only repeats ours, and it cost 6-16 % of a 64-byte frame on the engine's paths
 * (benchmarks/results/HISTORY.md, "Round thirteen: the data path's buffers without Agrona's checks"). Its switch is
 * JVM-wide, so it cannot simply be turned off for the daemon: the vfio-user server and the control socket parse their
 * messages with Agrona's buffers too, and keep its checks.
 * <p>
 * <b>Checked mode.</b> With {@code -D}{@value #CHECKS_PROP_NAME}{@code =true} every accessor checks its range against
 * the wrapped capacity by this class's own overflow-safe code and throws {@link IndexOutOfBoundsException} outside it.
 * The test suite runs this way (the build sets the property), and so does {@code sidecore fuzz} (it sets the property
 * itself), so an access of the data path that leaves the range it was wrapped over fails a test or is a crash the
 * fuzzer reports, instead of touching memory it should not. The property is read once, when the class loads; a
 * constant, so the unchecked accessors carry no trace of it.
 * <p>
 * Only the accessors the data path uses are overridden; everything else is Agrona's (checked as Agrona is configured).
 */
public class DataPathBuffer extends UnsafeBuffer
{
    /** System property that makes every access check its range (tests, the fuzzer, debugging); false by default. */
    public static final String CHECKS_PROP_NAME = "sidecore.data.path.bounds.checks";

    /** Read once: a constant, so the unchecked accessors carry no trace of it ({@link #isChecked()} outside). */
    private static final boolean CHECKED = Boolean.getBoolean(CHECKS_PROP_NAME);

    /** Copies at least this long are split at their source's next line by {@link #putBytesFromLine}. */
    public static final int LINE_SPLIT_MIN_BYTES = 256;

    private static final int LINE_BYTES = 64;
    private static final ByteOrder NATIVE = BufferUtil.NATIVE_BYTE_ORDER;
    private static final byte[] NO_BYTES = new byte[0];

    /**
     * A view wrapped over nothing yet (capacity 0): {@link #wrap(long, int)} it over a translated range.
     */
    public DataPathBuffer()
    {
        super(NO_BYTES);
    }

    /**
     * Scratch over a direct buffer the device owns.
     *
     * @param buffer direct buffer, kept for the buffer's lifetime.
     */
    public DataPathBuffer(final ByteBuffer buffer)
    {
        super(buffer);
    }

    /**
     * Scratch over an array the device owns.
     *
     * @param array the array, kept for the buffer's lifetime.
     */
    public DataPathBuffer(final byte[] array)
    {
        super(array);
    }

    /**
     * @return true when every access of this class checks its range ({@link #CHECKS_PROP_NAME}).
     */
    public static boolean isChecked()
    {
        return CHECKED;
    }

    private void check(final int index, final int length)
    {
        checkRange(index, length, capacity);
    }

    private static void checkRange(final int index, final int length, final int capacity)
    {
        // capacity >= 0, so capacity - length cannot overflow for length >= 0; a negative index or length fails.
        if (index < 0 || length < 0 || index > capacity - length)
        {
            throw new IndexOutOfBoundsException(
                "data path access of " + length + " bytes at " + index + " outside a capacity of " + capacity);
        }
    }

    @Override
    public long getLong(final int index, final ByteOrder byteOrder)
    {
        if (CHECKED)
        {
            check(index, Long.BYTES);
        }
        final long bits = UnsafeApi.getLong(byteArray, addressOffset + index);
        return NATIVE == byteOrder ? bits : Long.reverseBytes(bits);
    }

    @Override
    public long getLong(final int index)
    {
        if (CHECKED)
        {
            check(index, Long.BYTES);
        }
        return UnsafeApi.getLong(byteArray, addressOffset + index);
    }

    @Override
    public void putLong(final int index, final long value, final ByteOrder byteOrder)
    {
        if (CHECKED)
        {
            check(index, Long.BYTES);
        }
        UnsafeApi.putLong(byteArray, addressOffset + index, NATIVE == byteOrder ? value : Long.reverseBytes(value));
    }

    @Override
    public void putLong(final int index, final long value)
    {
        if (CHECKED)
        {
            check(index, Long.BYTES);
        }
        UnsafeApi.putLong(byteArray, addressOffset + index, value);
    }

    @Override
    public int getInt(final int index, final ByteOrder byteOrder)
    {
        if (CHECKED)
        {
            check(index, Integer.BYTES);
        }
        final int bits = UnsafeApi.getInt(byteArray, addressOffset + index);
        return NATIVE == byteOrder ? bits : Integer.reverseBytes(bits);
    }

    @Override
    public int getInt(final int index)
    {
        if (CHECKED)
        {
            check(index, Integer.BYTES);
        }
        return UnsafeApi.getInt(byteArray, addressOffset + index);
    }

    @Override
    public void putInt(final int index, final int value, final ByteOrder byteOrder)
    {
        if (CHECKED)
        {
            check(index, Integer.BYTES);
        }
        UnsafeApi.putInt(byteArray, addressOffset + index, NATIVE == byteOrder ? value : Integer.reverseBytes(value));
    }

    @Override
    public void putInt(final int index, final int value)
    {
        if (CHECKED)
        {
            check(index, Integer.BYTES);
        }
        UnsafeApi.putInt(byteArray, addressOffset + index, value);
    }

    @Override
    public int getIntVolatile(final int index)
    {
        if (CHECKED)
        {
            check(index, Integer.BYTES);
        }
        return UnsafeApi.getIntVolatile(byteArray, addressOffset + index);
    }

    @Override
    public void putIntVolatile(final int index, final int value)
    {
        if (CHECKED)
        {
            check(index, Integer.BYTES);
        }
        UnsafeApi.putIntVolatile(byteArray, addressOffset + index, value);
    }

    @Override
    public int getIntAcquire(final int index)
    {
        if (CHECKED)
        {
            check(index, Integer.BYTES);
        }
        return UnsafeApi.getIntAcquire(byteArray, addressOffset + index);
    }

    @Override
    public void putIntRelease(final int index, final int value)
    {
        if (CHECKED)
        {
            check(index, Integer.BYTES);
        }
        UnsafeApi.putIntRelease(byteArray, addressOffset + index, value);
    }

    @Override
    public short getShort(final int index, final ByteOrder byteOrder)
    {
        if (CHECKED)
        {
            check(index, Short.BYTES);
        }
        final short bits = UnsafeApi.getShort(byteArray, addressOffset + index);
        return NATIVE == byteOrder ? bits : Short.reverseBytes(bits);
    }

    @Override
    public short getShort(final int index)
    {
        if (CHECKED)
        {
            check(index, Short.BYTES);
        }
        return UnsafeApi.getShort(byteArray, addressOffset + index);
    }

    @Override
    public void putShort(final int index, final short value, final ByteOrder byteOrder)
    {
        if (CHECKED)
        {
            check(index, Short.BYTES);
        }
        UnsafeApi.putShort(byteArray, addressOffset + index, NATIVE == byteOrder ? value : Short.reverseBytes(value));
    }

    @Override
    public void putShort(final int index, final short value)
    {
        if (CHECKED)
        {
            check(index, Short.BYTES);
        }
        UnsafeApi.putShort(byteArray, addressOffset + index, value);
    }

    @Override
    public byte getByte(final int index)
    {
        if (CHECKED)
        {
            check(index, Byte.BYTES);
        }
        return UnsafeApi.getByte(byteArray, addressOffset + index);
    }

    @Override
    public void putByte(final int index, final byte value)
    {
        if (CHECKED)
        {
            check(index, Byte.BYTES);
        }
        UnsafeApi.putByte(byteArray, addressOffset + index, value);
    }

    @Override
    public void putBytes(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
    {
        if (CHECKED)
        {
            checkCopy(index, srcBuffer, srcIndex, length);
        }
        UnsafeApi.copyMemory(
            srcBuffer.byteArray(), srcBuffer.addressOffset() + srcIndex, byteArray, addressOffset + index, length);
    }

    /**
     * {@link #putBytes(int, DirectBuffer, int, int)} in two copies when a long range's source starts inside a 64-byte
     * line: the bytes up to the source's next line, then the rest from that line on. Measured rather than derived
     * ({@code FrameCopyBenchmark}, 1514 bytes with both sides two bytes into a line: 94-96 ns in one copy, 68-74 in
     * two; with the sides at different offsets within their lines no better): from a line boundary the JIT's copy
     * does not straddle lines with its loads (nor with its stores when the destination sits at the same offset within
     * a line), and the split may also let it move wider units.
     * {@link #LINE_SPLIT_MIN_BYTES} is not tuned: only 64-byte copies (never split) and 1514-byte ones were measured.
     * For a source on the heap the split point is arbitrary (the array may move); the copy is as correct.
     * In checked mode the whole range is checked before either copy, so a refused copy writes nothing.
     *
     * @param index     first byte written in this buffer.
     * @param srcBuffer the source.
     * @param srcIndex  first byte read in the source.
     * @param length    bytes copied.
     */
    public void putBytesFromLine(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
    {
        if (CHECKED)
        {
            checkCopy(index, srcBuffer, srcIndex, length);
        }
        final int head = (int)(-(srcBuffer.addressOffset() + srcIndex) & (LINE_BYTES - 1));
        if (0 == head || length < LINE_SPLIT_MIN_BYTES)
        {
            putBytes(index, srcBuffer, srcIndex, length);
            return;
        }
        putBytes(index, srcBuffer, srcIndex, head);
        putBytes(index + head, srcBuffer, srcIndex + head, length - head);
    }

    private void checkCopy(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
    {
        check(index, length);
        checkRange(srcIndex, length, srcBuffer.capacity());
    }

    @Override
    public void setMemory(final int index, final int length, final byte value)
    {
        if (CHECKED)
        {
            check(index, length);
        }
        UnsafeApi.setMemory(byteArray, addressOffset + index, length, value);
    }
}
