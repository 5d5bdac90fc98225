package io.sidecore.engine.backend;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * {@code struct virtio_net_hdr} (virtio spec 5.1.6, {@code include/uapi/linux/virtio_net.h}) as a TAP with
 * {@code IFF_VNET_HDR} prefixes every frame with: 10 bytes, little-endian (the TUN driver's byte order on a
 * little-endian host, and virtio 1.0's everywhere).
 * <pre>
 *  0      1          2         4          6            8             10
 *  +------+----------+---------+----------+------------+-------------+
 *  |flags | gso_type | hdr_len | gso_size | csum_start | csum_offset |
 *  +------+----------+---------+----------+------------+-------------+
 * </pre>
 */
public final class VirtioNetHeader
{
    /** Size of the legacy header (no {@code num_buffers}). */
    public static final int LENGTH = 10;

    /** Offset of {@code flags}. */
    public static final int FLAGS_OFFSET = 0;
    /** Offset of {@code gso_type}. */
    public static final int GSO_TYPE_OFFSET = 1;
    /** Offset of {@code hdr_len}. */
    public static final int HDR_LEN_OFFSET = 2;
    /** Offset of {@code gso_size}. */
    public static final int GSO_SIZE_OFFSET = 4;
    /** Offset of {@code csum_start}. */
    public static final int CSUM_START_OFFSET = 6;
    /** Offset of {@code csum_offset}. */
    public static final int CSUM_OFFSET_OFFSET = 8;

    /** The checksum from csum_start to the end still has to be computed and stored at csum_start+csum_offset. */
    public static final int F_NEEDS_CSUM = 1;
    /** The checksum was verified (receive side hint). */
    public static final int F_DATA_VALID = 2;

    /** Not a GSO frame. */
    public static final int GSO_NONE = 0;
    /** TCP over IPv4 super-frame. */
    public static final int GSO_TCPV4 = 1;
    /** UDP fragmentation offload (IP fragments). */
    public static final int GSO_UDP = 3;
    /** TCP over IPv6 super-frame. */
    public static final int GSO_TCPV6 = 4;
    /** UDP segmentation (one UDP header per segment). */
    public static final int GSO_UDP_L4 = 5;
    /** Flag bit: the TCP super-frame has ECN/CWR set. */
    public static final int GSO_ECN = 0x80;

    private VirtioNetHeader()
    {
    }

    /**
     * Write a header.
     *
     * @param buffer            destination.
     * @param offset            first byte.
     * @param flags             {@code F_*}.
     * @param gsoType           {@code GSO_*}.
     * @param headerLengthBytes L2..L4 header length (a hint to the kernel).
     * @param gsoSizeBytes      MSS.
     * @param checksumStart     where checksumming starts.
     * @param checksumOffset    field offset from checksumStart.
     */
    public static void write(final MutableDirectBuffer buffer, final int offset, final int flags, final int gsoType,
        final int headerLengthBytes, final int gsoSizeBytes, final int checksumStart, final int checksumOffset)
    {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        buffer.putByte(offset + GSO_TYPE_OFFSET, (byte)gsoType);
        buffer.putShort(offset + HDR_LEN_OFFSET, (short)headerLengthBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + GSO_SIZE_OFFSET, (short)gsoSizeBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + CSUM_START_OFFSET, (short)checksumStart, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short)checksumOffset, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Write an all-zero header: a plain frame with nothing left to do.
     *
     * @param buffer destination.
     * @param offset first byte.
     */
    public static void writeNone(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset, 0L);
        buffer.putShort(offset + 8, (short)0);
    }

    /**
     * @param buffer header.
     * @param offset first byte.
     * @return flags.
     */
    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    /**
     * @param buffer header.
     * @param offset first byte.
     * @return gso_type including the ECN bit.
     */
    public static int gsoType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xFF;
    }

    /**
     * @param buffer header.
     * @param offset first byte.
     * @return hdr_len.
     */
    public static int headerLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + HDR_LEN_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param buffer header.
     * @param offset first byte.
     * @return gso_size.
     */
    public static int gsoSize(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + GSO_SIZE_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param buffer header.
     * @param offset first byte.
     * @return csum_start.
     */
    public static int checksumStart(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + CSUM_START_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param buffer header.
     * @param offset first byte.
     * @return csum_offset.
     */
    public static int checksumOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + CSUM_OFFSET_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }
}
