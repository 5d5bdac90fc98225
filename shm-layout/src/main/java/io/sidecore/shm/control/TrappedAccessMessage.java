package io.sidecore.shm.control;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * One trapped register access of an attached guest, and its reply, on the control connection after
 * {@link ControlProtocol#CMD_ATTACH}: fixed 16-byte messages, little-endian, one reply per request, in order.
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------+---------------+---------------+---------------+
 *   |     kind      |     space     |  size (bytes) |    status     |  0
 *   +---------------+---------------+---------------+---------------+
 *   |                 offset in the space (bytes)                   |  4
 *   +---------------------------------------------------------------+
 *   |        value (write: to write; reply to a read: read)         |  8
 *   +---------------------------------------------------------------+
 *   |                 sequence (chosen by the client, echoed)       | 12
 *   +---------------------------------------------------------------+
 * </pre>
 * A request has kind {@link #KIND_READ} or {@link #KIND_WRITE}, status 0; space {@link #SPACE_CONFIG} (PCI
 * configuration space), {@link #SPACE_BAR0} (memory registers outside the shared pages) or {@link #SPACE_BAR1} (the
 * I/O window); size 1, 2 or 4, passed to the device as it is (only the {@code size} low bytes of a write's value
 * count). The reply has kind {@link #KIND_REPLY}, the request's space, size, offset and sequence, and status
 * {@link #STATUS_OK} or an error; a read's value is zero-extended. A request with a bad kind, space or size gets a
 * reply with {@link #STATUS_BAD_REQUEST}, and the connection continues; the device itself counts and ignores accesses
 * to offsets it does not have.
 */
public final class TrappedAccessMessage
{
    /** Length of every message. */
    public static final int LENGTH = 16;

    /** Field: message kind, one byte. */
    public static final int KIND_OFFSET = 0;
    /** Field: address space, one byte. */
    public static final int SPACE_OFFSET = 1;
    /** Field: access size in bytes, one byte. */
    public static final int SIZE_OFFSET = 2;
    /** Field: reply status, one byte. */
    public static final int STATUS_OFFSET = 3;
    /** Field: byte offset in the space, 32 bits. */
    public static final int ADDRESS_OFFSET = 4;
    /** Field: value, 32 bits. */
    public static final int VALUE_OFFSET = 8;
    /** Field: sequence, 32 bits. */
    public static final int SEQUENCE_OFFSET = 12;

    /** Kind: read request. */
    public static final int KIND_READ = 1;
    /** Kind: write request. */
    public static final int KIND_WRITE = 2;
    /** Kind: reply. */
    public static final int KIND_REPLY = 3;

    /** Space: PCI configuration space (256 bytes). */
    public static final int SPACE_CONFIG = 0;
    /** Space: BAR0, the memory-mapped registers (128 KiB). */
    public static final int SPACE_BAR0 = 1;
    /** Space: BAR1, the I/O window (IOADDR, IODATA). */
    public static final int SPACE_BAR1 = 2;

    /** Status: done. */
    public static final int STATUS_OK = 0;
    /** Status: the request's kind, space or size is not one of this protocol's. */
    public static final int STATUS_BAD_REQUEST = 1;
    /** Status: the device did not answer (its sidecore is stuck or the port is being destroyed). */
    public static final int STATUS_DEVICE_ERROR = 2;

    private TrappedAccessMessage()
    {
    }

    /**
     * @param sizeBytes an access size.
     * @return true for 1, 2 or 4.
     */
    public static boolean isValidSize(final int sizeBytes)
    {
        return 1 == sizeBytes || 2 == sizeBytes || 4 == sizeBytes;
    }

    /**
     * @param space an address space.
     * @return true for one this protocol defines.
     */
    public static boolean isValidSpace(final int space)
    {
        return SPACE_CONFIG == space || SPACE_BAR0 == space || SPACE_BAR1 == space;
    }

    /**
     * Write a message.
     *
     * @param buffer   destination.
     * @param offset   where the message starts.
     * @param kind     kind.
     * @param space    space.
     * @param size     size in bytes.
     * @param status   status (0 in requests).
     * @param address  offset in the space.
     * @param value    value.
     * @param sequence sequence.
     */
    public static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int kind,
        final int space,
        final int size,
        final int status,
        final int address,
        final int value,
        final int sequence)
    {
        buffer.putByte(offset + KIND_OFFSET, (byte)kind);
        buffer.putByte(offset + SPACE_OFFSET, (byte)space);
        buffer.putByte(offset + SIZE_OFFSET, (byte)size);
        buffer.putByte(offset + STATUS_OFFSET, (byte)status);
        buffer.putInt(offset + ADDRESS_OFFSET, address, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + VALUE_OFFSET, value, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + SEQUENCE_OFFSET, sequence, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buffer a message.
     * @param offset where it starts.
     * @return its kind.
     */
    public static int kind(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + KIND_OFFSET) & 0xFF;
    }

    /**
     * @param buffer a message.
     * @param offset where it starts.
     * @return its space.
     */
    public static int space(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + SPACE_OFFSET) & 0xFF;
    }

    /**
     * @param buffer a message.
     * @param offset where it starts.
     * @return its size in bytes.
     */
    public static int size(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + SIZE_OFFSET) & 0xFF;
    }

    /**
     * @param buffer a message.
     * @param offset where it starts.
     * @return its status.
     */
    public static int status(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + STATUS_OFFSET) & 0xFF;
    }

    /**
     * @param buffer a message.
     * @param offset where it starts.
     * @return the offset in the space it addresses.
     */
    public static int address(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + ADDRESS_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buffer a message.
     * @param offset where it starts.
     * @return its value.
     */
    public static int value(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + VALUE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param buffer a message.
     * @param offset where it starts.
     * @return its sequence.
     */
    public static int sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
