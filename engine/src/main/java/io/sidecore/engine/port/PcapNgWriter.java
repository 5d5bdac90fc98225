package io.sidecore.engine.port;

import io.sidecore.engine.backend.CaptureFileWriter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes one port's frames, both directions, to a pcapng file (IETF draft-ietf-opsawg-pcapng) that
 * {@code tcpdump -r}, tshark and Wireshark read: one section, one Ethernet interface named after the port, and an
 * enhanced packet block per frame whose {@code epb_flags} option says the direction. Inbound is a frame delivered
 * towards the guest (received by its NIC), outbound one the guest transmitted. Timestamps are nanoseconds since the
 * Unix epoch ({@code if_tsresol} = 9). Size rotation as {@link CaptureFileWriter} does; each file starts with its
 * own section header and interface description.
 * <pre>
 * all blocks little-endian, lengths padded to 32 bits, a block ends with its total length repeated
 *
 * section header block (28 bytes)
 *   0x0A0D0D0A | total length | byte-order magic 0x1A2B3C4D | major 1 | minor 0 | section length -1 (64 bits)
 *   | total length
 * interface description block
 *   0x00000001 | total length | link type 1 (Ethernet) | reserved | snap length
 *   | if_name (2) = port name | if_tsresol (9) = 9 | opt_endofopt | total length
 * enhanced packet block, one per frame
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                   block type = 0x00000006                     |  0
 *   +---------------------------------------------------------------+
 *   |                      block total length                       |  4
 *   +---------------------------------------------------------------+
 *   |                      interface id = 0                         |  8
 *   +---------------------------------------------------------------+
 *   |                 timestamp, upper 32 bits (ns)                 | 12
 *   +---------------------------------------------------------------+
 *   |                 timestamp, lower 32 bits (ns)                 | 16
 *   +---------------------------------------------------------------+
 *   |                     captured length                           | 20
 *   +---------------------------------------------------------------+
 *   |                     original length                           | 24
 *   +---------------------------------------------------------------+
 *   |          frame bytes, padded to 32 bits ...                   | 28
 *   +-------------------------------+-------------------------------+
 *   |     epb_flags code = 2        |        length = 4             |
 *   +-------------------------------+-------------------------------+
 *   |     flags: bits 0-1 direction, 01 inbound, 10 outbound        |
 *   +-------------------------------+-------------------------------+
 *   |     opt_endofopt = 0          |        0                      |
 *   +-------------------------------+-------------------------------+
 *   |                      block total length                       |
 *   +---------------------------------------------------------------+
 * </pre>
 * Nothing is allocated per frame. Not thread-safe: one writer thread at a time.
 */
public final class PcapNgWriter extends CaptureFileWriter
{
    /** Block type of the section header block. */
    public static final int SECTION_HEADER_BLOCK_TYPE = 0x0A0D0D0A;
    /** Block type of the interface description block. */
    public static final int INTERFACE_DESCRIPTION_BLOCK_TYPE = 0x00000001;
    /** Block type of the enhanced packet block. */
    public static final int ENHANCED_PACKET_BLOCK_TYPE = 0x00000006;
    /** Byte-order magic of the section header. */
    public static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    /** Link type: Ethernet. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Option code of the interface name. */
    public static final int OPTION_IF_NAME = 2;
    /** Option code of the interface timestamp resolution. */
    public static final int OPTION_IF_TSRESOL = 9;
    /** Option code of the enhanced packet block's flags. */
    public static final int OPTION_EPB_FLAGS = 2;
    /** Timestamp resolution written: 10^-9 s. */
    public static final int TSRESOL_NANOSECONDS = 9;
    /** epb_flags direction of a frame delivered towards the guest. */
    public static final int DIRECTION_INBOUND = 1;
    /** epb_flags direction of a frame the guest transmitted. */
    public static final int DIRECTION_OUTBOUND = 2;
    /** Length of the section header block. */
    public static final int SECTION_HEADER_BLOCK_BYTES = 28;
    /** Bytes of an enhanced packet block besides the padded frame: 28 before, flags option, end, trailer. */
    public static final int ENHANCED_PACKET_OVERHEAD_BYTES = 28 + 8 + 4 + 4;
    /** Snap length written when none is given: longer than any frame (a 64 KiB TSO frame plus headers). */
    public static final int DEFAULT_SNAP_LENGTH = 262_144;
    /** Default staging buffer. */
    public static final int DEFAULT_BUFFER_BYTES = 1 << 20;

    private static final int MAX_INTERFACE_NAME_BYTES = 256;

    private final int snapLengthBytes;
    private final byte[] interfaceName;

    /**
     * @param file          the capture file (replaced if it exists).
     * @param interfaceName the interface name recorded (the port's name).
     * @param maxFileBytes  rotate before a file would exceed this; 0 for no rotation.
     * @param maxFiles      files kept with rotation, including the current one (at least 1).
     * @throws UncheckedIOException     when the file cannot be opened.
     * @throws IllegalArgumentException when a limit is out of range.
     */
    public PcapNgWriter(final Path file, final String interfaceName, final long maxFileBytes, final int maxFiles)
    {
        this(file, interfaceName, DEFAULT_SNAP_LENGTH, maxFileBytes, maxFiles, DEFAULT_BUFFER_BYTES);
    }

    /**
     * @param file            the capture file (replaced if it exists).
     * @param interfaceName   the interface name recorded (the port's name; at most 256 bytes of UTF-8 are kept).
     * @param snapLengthBytes bytes of each frame kept (longer frames are truncated; the original length is kept).
     * @param maxFileBytes    rotate before a file would exceed this; 0 for no rotation.
     * @param maxFiles        files kept with rotation, including the current one (at least 1).
     * @param bufferBytes     staging buffer (raised to hold the file header and one full record).
     * @throws UncheckedIOException     when the file cannot be opened.
     * @throws IllegalArgumentException when a limit is out of range.
     */
    public PcapNgWriter(
        final Path file,
        final String interfaceName,
        final int snapLengthBytes,
        final long maxFileBytes,
        final int maxFiles,
        final int bufferBytes)
    {
        super(file, maxFileBytes, maxFiles, bufferBytes,
            SECTION_HEADER_BLOCK_BYTES + interfaceBlockBytes(MAX_INTERFACE_NAME_BYTES) +
            ENHANCED_PACKET_OVERHEAD_BYTES + padded(checkSnapLength(snapLengthBytes)));
        final byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        this.interfaceName = name.length > MAX_INTERFACE_NAME_BYTES ?
            Arrays.copyOf(name, MAX_INTERFACE_NAME_BYTES) : name;
        this.snapLengthBytes = snapLengthBytes;
        openFile();
    }

    private static int checkSnapLength(final int snapLengthBytes)
    {
        if (snapLengthBytes <= 0)
        {
            throw new IllegalArgumentException("snapLength=" + snapLengthBytes);
        }
        return snapLengthBytes;
    }

    private static int padded(final int lengthBytes)
    {
        return (lengthBytes + 3) & ~3;
    }

    private static int interfaceBlockBytes(final int nameBytes)
    {
        // type, length, link type + reserved, snap length; if_name; if_tsresol; opt_endofopt; trailer
        return 16 + 4 + padded(nameBytes) + 4 + 4 + 4 + 4;
    }

    /**
     * {@inheritDoc}
     */
    protected int putFileHeader(final UnsafeBuffer buffer, final int offset)
    {
        buffer.putInt(offset, SECTION_HEADER_BLOCK_TYPE, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + 4, SECTION_HEADER_BLOCK_BYTES, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + 8, BYTE_ORDER_MAGIC, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + 12, (short)1, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + 14, (short)0, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + 16, -1L, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + 24, SECTION_HEADER_BLOCK_BYTES, ByteOrder.LITTLE_ENDIAN);

        final int idb = offset + SECTION_HEADER_BLOCK_BYTES;
        final int idbBytes = interfaceBlockBytes(interfaceName.length);
        buffer.putInt(idb, INTERFACE_DESCRIPTION_BLOCK_TYPE, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(idb + 4, idbBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(idb + 8, (short)LINKTYPE_ETHERNET, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(idb + 10, (short)0, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(idb + 12, snapLengthBytes, ByteOrder.LITTLE_ENDIAN);
        int option = idb + 16;
        buffer.putShort(option, (short)OPTION_IF_NAME, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(option + 2, (short)interfaceName.length, ByteOrder.LITTLE_ENDIAN);
        buffer.setMemory(option + 4, padded(interfaceName.length), (byte)0);
        buffer.putBytes(option + 4, interfaceName);
        option += 4 + padded(interfaceName.length);
        buffer.putShort(option, (short)OPTION_IF_TSRESOL, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(option + 2, (short)1, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(option + 4, TSRESOL_NANOSECONDS, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(option + 8, 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(option + 12, idbBytes, ByteOrder.LITTLE_ENDIAN);
        return SECTION_HEADER_BLOCK_BYTES + idbBytes;
    }

    /**
     * Append one frame.
     *
     * @param epochNs     wall-clock time of the frame, nanoseconds since the Unix epoch.
     * @param direction   {@link #DIRECTION_INBOUND} or {@link #DIRECTION_OUTBOUND}.
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes frame length (without FCS).
     * @throws UncheckedIOException  when the file cannot be written.
     * @throws IllegalStateException when the writer is closed.
     */
    public void write(
        final long epochNs, final int direction, final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        final int capturedBytes = Math.min(lengthBytes, snapLengthBytes);
        final int paddedBytes = padded(capturedBytes);
        final int blockBytes = ENHANCED_PACKET_OVERHEAD_BYTES + paddedBytes;
        final int position = claim(blockBytes);
        final UnsafeBuffer buffer = buffer();
        buffer.putInt(position, ENHANCED_PACKET_BLOCK_TYPE, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 4, blockBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 8, 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 12, (int)(epochNs >>> 32), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 16, (int)epochNs, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 20, capturedBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 24, lengthBytes, ByteOrder.LITTLE_ENDIAN);
        if (paddedBytes != capturedBytes)
        {
            buffer.putInt(position + 28 + paddedBytes - 4, 0, ByteOrder.LITTLE_ENDIAN);
        }
        buffer.putBytes(position + 28, frame, offset, capturedBytes);
        final int options = position + 28 + paddedBytes;
        buffer.putShort(options, (short)OPTION_EPB_FLAGS, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(options + 2, (short)4, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(options + 4, direction & 0x3, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(options + 8, 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(options + 12, blockBytes, ByteOrder.LITTLE_ENDIAN);
        commit(blockBytes);
    }
}
