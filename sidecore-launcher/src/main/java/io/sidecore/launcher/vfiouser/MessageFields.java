package io.sidecore.launcher.vfiouser;

import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Little-endian field access for vfio-user messages held in an {@link UnsafeBuffer}: unsigned 16- and 32-bit reads
 * widened so that comparisons cannot go negative, and the 1/2/4/8-byte data of region accesses.
 */
final class MessageFields
{
    private MessageFields()
    {
    }

    static int u16(final UnsafeBuffer buffer, final int offset)
    {
        return buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
    }

    static long u32(final UnsafeBuffer buffer, final int offset)
    {
        return Integer.toUnsignedLong(buffer.getInt(offset, LITTLE_ENDIAN));
    }

    static long u64(final UnsafeBuffer buffer, final int offset)
    {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    /**
     * @param buffer    message.
     * @param offset    first data byte.
     * @param sizeBytes 1, 2, 4 or 8.
     * @return the value, zero-extended.
     */
    static long getData(final UnsafeBuffer buffer, final int offset, final int sizeBytes)
    {
        return switch (sizeBytes)
        {
            case 1 -> buffer.getByte(offset) & 0xFFL;
            case 2 -> buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFFL;
            case 4 -> Integer.toUnsignedLong(buffer.getInt(offset, LITTLE_ENDIAN));
            case 8 -> buffer.getLong(offset, LITTLE_ENDIAN);
            default -> throw new IllegalArgumentException("access size " + sizeBytes);
        };
    }

    /**
     * @param buffer    message.
     * @param offset    first data byte.
     * @param sizeBytes 1, 2, 4 or 8.
     * @param value     value; its low {@code sizeBytes} bytes are written.
     */
    static void putData(final UnsafeBuffer buffer, final int offset, final int sizeBytes, final long value)
    {
        switch (sizeBytes)
        {
            case 1 -> buffer.putByte(offset, (byte)value);
            case 2 -> buffer.putShort(offset, (short)value, LITTLE_ENDIAN);
            case 4 -> buffer.putInt(offset, (int)value, LITTLE_ENDIAN);
            case 8 -> buffer.putLong(offset, value, LITTLE_ENDIAN);
            default -> throw new IllegalArgumentException("access size " + sizeBytes);
        }
    }
}
