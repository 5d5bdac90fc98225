package io.sidecore.engine.mem;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data path's buffer: its accessors read and write exactly what Agrona's do, and in the tests' checked mode
 * every access that leaves the wrapped range is refused before it touches a byte (a canary on each side stays).
 */
class DataPathBufferTest
{
    private static final int CANARY_BYTES = 16;
    private static final int WRAPPED_BYTES = 64;
    private static final byte CANARY = (byte)0xA5;

    private final ByteBuffer memory = ByteBuffer.allocateDirect(CANARY_BYTES + WRAPPED_BYTES + CANARY_BYTES);
    private final UnsafeBuffer whole = new UnsafeBuffer(memory);
    private final long wrappedAddress = whole.addressOffset() + CANARY_BYTES;
    private final DataPathBuffer view = new DataPathBuffer();
    private final UnsafeBuffer agrona = new UnsafeBuffer(wrappedAddress, WRAPPED_BYTES);

    DataPathBufferTest()
    {
        for (int index = 0; index < CANARY_BYTES; index++)
        {
            whole.putByte(index, CANARY);
            whole.putByte(CANARY_BYTES + WRAPPED_BYTES + index, CANARY);
        }
        view.wrap(wrappedAddress, WRAPPED_BYTES);
    }

    @Test
    void shouldCheckEveryAccessInTheTestRun()
    {
        // The build sets the property for every test JVM (pom.xml, sidecore.test.argLine): without it, a test whose
        // device strays out of a view would read or write memory unseen instead of failing.
        assertTrue(DataPathBuffer.isChecked(), DataPathBuffer.CHECKS_PROP_NAME + " is set for the tests");
    }

    @Test
    void shouldReadWhatAgronaReadsInBothByteOrders()
    {
        final Random random = new Random(7);
        for (int index = 0; index < WRAPPED_BYTES; index++)
        {
            agrona.putByte(index, (byte)random.nextInt());
        }
        for (final ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN))
        {
            for (int index = 0; index + Long.BYTES <= WRAPPED_BYTES; index++)
            {
                assertEquals(agrona.getLong(index, order), view.getLong(index, order));
                assertEquals(agrona.getInt(index, order), view.getInt(index, order));
                assertEquals(agrona.getShort(index, order), view.getShort(index, order));
            }
        }
        for (int index = 0; index + Long.BYTES <= WRAPPED_BYTES; index++)
        {
            assertEquals(agrona.getLong(index), view.getLong(index));
            assertEquals(agrona.getInt(index), view.getInt(index));
            assertEquals(agrona.getIntVolatile(index), view.getIntVolatile(index));
            assertEquals(agrona.getIntAcquire(index), view.getIntAcquire(index));
            assertEquals(agrona.getShort(index), view.getShort(index));
            assertEquals(agrona.getByte(index), view.getByte(index));
        }
    }

    @Test
    void shouldWriteWhatAgronaWritesInBothByteOrders()
    {
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[WRAPPED_BYTES]);
        for (final ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN))
        {
            view.putLong(0, 0x0102_0304_0506_0708L, order);
            view.putInt(8, 0x1112_1314, order);
            view.putShort(12, (short)0x2122, order);
            view.putByte(14, (byte)0x31);
            view.putLong(16, 0x4142_4344_4546_4748L);
            view.putInt(24, 0x5152_5354);
            view.putIntVolatile(28, 0x6162_6364);
            view.putIntRelease(32, 0x7172_7374);
            view.putShort(36, (short)0x8182);
            expected.putLong(0, 0x0102_0304_0506_0708L, order);
            expected.putInt(8, 0x1112_1314, order);
            expected.putShort(12, (short)0x2122, order);
            expected.putByte(14, (byte)0x31);
            expected.putLong(16, 0x4142_4344_4546_4748L);
            expected.putInt(24, 0x5152_5354);
            expected.putInt(28, 0x6162_6364);
            expected.putInt(32, 0x7172_7374);
            expected.putShort(36, (short)0x8182);
            for (int index = 0; index < 38; index++)
            {
                assertEquals(expected.getByte(index), agrona.getByte(index), order + " byte " + index);
            }
        }
    }

    @Test
    void shouldCopyAndFillWithinTheRangesGiven()
    {
        final DataPathBuffer scratch = new DataPathBuffer(new byte[WRAPPED_BYTES]);
        for (int index = 0; index < WRAPPED_BYTES; index++)
        {
            scratch.putByte(index, (byte)index);
        }
        view.setMemory(0, WRAPPED_BYTES, (byte)0);
        view.putBytes(10, scratch, 20, 30);
        view.setMemory(40, 4, (byte)0x7F);

        for (int index = 0; index < 30; index++)
        {
            assertEquals((byte)(20 + index), agrona.getByte(10 + index));
        }
        assertEquals(0, agrona.getByte(9));
        assertEquals(0x7F7F_7F7F, agrona.getInt(40));
        assertEquals(0, agrona.getByte(44));
        assertCanariesKept();
    }

    @Test
    void shouldCopyFromALineBoundaryWhatOneCopyCopiesAtEveryOffsetAndLength()
    {
        final int pageBytes = 4096;
        final ByteBuffer sourcePage = ByteBuffer.allocateDirect(2 * pageBytes);
        final DataPathBuffer source = new DataPathBuffer(sourcePage);
        final int lineBase = (int)(-source.addressOffset() & (pageBytes - 1));
        for (int index = 0; index < source.capacity(); index++)
        {
            source.putByte(index, (byte)(index * 7 + 3));
        }
        final DataPathBuffer split = new DataPathBuffer(ByteBuffer.allocateDirect(pageBytes));
        final DataPathBuffer whole = new DataPathBuffer(ByteBuffer.allocateDirect(pageBytes));
        final int[] lengths = {0, 1, 63, 64, 65, DataPathBuffer.LINE_SPLIT_MIN_BYTES - 1,
            DataPathBuffer.LINE_SPLIT_MIN_BYTES, DataPathBuffer.LINE_SPLIT_MIN_BYTES + 1, 1514, 2000};
        for (int sourceOffset = 0; sourceOffset < 64; sourceOffset++)
        {
            for (final int length : lengths)
            {
                split.setMemory(0, pageBytes, (byte)0x5A);
                whole.setMemory(0, pageBytes, (byte)0x5A);
                final int srcIndex = lineBase + sourceOffset;

                split.putBytesFromLine(7, source, srcIndex, length);
                whole.putBytes(7, source, srcIndex, length);

                for (int index = 0; index < pageBytes; index++)
                {
                    assertEquals(whole.getByte(index), split.getByte(index),
                        "offset " + sourceOffset + " length " + length + " byte " + index);
                }
            }
        }
    }

    @Test
    void shouldRefuseALineSplitCopyThatLeavesARangeBeforeCopyingAnything()
    {
        final DataPathBuffer source = new DataPathBuffer(ByteBuffer.allocateDirect(4096));
        final int lineInside = (int)(-source.addressOffset() & 63) + 2;
        view.setMemory(0, WRAPPED_BYTES, (byte)0);
        final DataPathBuffer target = new DataPathBuffer(ByteBuffer.allocateDirect(512));
        target.setMemory(0, 512, (byte)0);
        for (int index = 0; index < source.capacity(); index++)
        {
            source.putByte(index, (byte)1);
        }

        assertThrows(IndexOutOfBoundsException.class, () -> view.putBytesFromLine(0, source, lineInside, 300));
        assertThrows(IndexOutOfBoundsException.class, () -> target.putBytesFromLine(0, source, 4096 - 299, 300));
        assertThrows(IndexOutOfBoundsException.class, () -> target.putBytesFromLine(300, source, lineInside, 300));

        for (int index = 0; index < WRAPPED_BYTES; index++)
        {
            assertEquals(0, view.getByte(index), "nothing copied into the view, byte " + index);
        }
        for (int index = 0; index < 512; index++)
        {
            assertEquals(0, target.getByte(index), "nothing copied into the target, byte " + index);
        }
        assertCanariesKept();
    }

    @Test
    void shouldRefuseEveryAccessThatLeavesTheWrappedRange()
    {
        final DataPathBuffer small = new DataPathBuffer(new byte[8]);
        final List<Executable> strays = List.of(
            () -> view.getLong(WRAPPED_BYTES - 7),
            () -> view.getLong(-1, ByteOrder.BIG_ENDIAN),
            () -> view.putLong(WRAPPED_BYTES - 4, -1L),
            () -> view.putLong(WRAPPED_BYTES, -1L, ByteOrder.BIG_ENDIAN),
            () -> view.getInt(WRAPPED_BYTES - 3),
            () -> view.getInt(Integer.MIN_VALUE, ByteOrder.LITTLE_ENDIAN),
            () -> view.putInt(WRAPPED_BYTES - 2, -1),
            () -> view.putInt(-4, -1, ByteOrder.BIG_ENDIAN),
            () -> view.getIntVolatile(WRAPPED_BYTES - 1),
            () -> view.putIntVolatile(WRAPPED_BYTES, -1),
            () -> view.getIntAcquire(-2),
            () -> view.putIntRelease(WRAPPED_BYTES - 3, -1),
            () -> view.getShort(WRAPPED_BYTES - 1),
            () -> view.getShort(-1, ByteOrder.BIG_ENDIAN),
            () -> view.putShort(WRAPPED_BYTES, (short)-1),
            () -> view.putShort(-2, (short)-1, ByteOrder.LITTLE_ENDIAN),
            () -> view.getByte(WRAPPED_BYTES),
            () -> view.putByte(-1, (byte)-1),
            () -> view.setMemory(WRAPPED_BYTES - 4, 5, (byte)-1),
            () -> view.setMemory(-CANARY_BYTES, 4, (byte)-1),
            () -> view.setMemory(1, Integer.MAX_VALUE, (byte)-1),
            () -> view.putBytes(WRAPPED_BYTES - 4, small, 0, 8),
            () -> view.putBytes(0, small, 4, 8),
            () -> view.putBytes(0, small, -1, 4),
            () -> view.putBytes(0, small, 0, -1));
        for (int stray = 0; stray < strays.size(); stray++)
        {
            assertThrows(IndexOutOfBoundsException.class, strays.get(stray), "stray access " + stray);
        }
        assertCanariesKept();
    }

    @Test
    void shouldRefuseEveryAccessOfAViewWrappedOverNothing()
    {
        final DataPathBuffer unwrapped = new DataPathBuffer();

        assertThrows(IndexOutOfBoundsException.class, () -> unwrapped.getByte(0));
        assertThrows(IndexOutOfBoundsException.class, () -> unwrapped.putLong(0, 1L));
    }

    private void assertCanariesKept()
    {
        for (int index = 0; index < CANARY_BYTES; index++)
        {
            assertEquals(CANARY, whole.getByte(index), "canary before the range, byte " + index);
            assertEquals(CANARY, whole.getByte(CANARY_BYTES + WRAPPED_BYTES + index), "canary after, byte " + index);
        }
    }
}
