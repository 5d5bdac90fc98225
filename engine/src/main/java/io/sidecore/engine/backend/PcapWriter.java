package io.sidecore.engine.backend;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes Ethernet frames to a classic libpcap file ({@code LINKTYPE_ETHERNET}) that {@code tcpdump -r} and
 * Wireshark read, with optional size rotation (see {@link CaptureFileWriter}).
 * <pre>
 * global header (24 bytes, little-endian):
 *   magic 0xA1B2C3D4 (µs) or 0xA1B23C4D (ns) | version 2.4 | thiszone 0 | sigfigs 0 | snaplen | linktype 1
 * per frame: ts_sec | ts_usec or ts_nsec | incl_len | orig_len (16 bytes), then incl_len bytes
 * </pre>
 * Timestamps come from the wall clock the caller passes in. Not thread-safe: one writer thread.
 */
public final class PcapWriter extends CaptureFileWriter
{
    /** Magic for microsecond timestamps. */
    public static final int MAGIC_MICROS = 0xA1B2C3D4;
    /** Magic for nanosecond timestamps. */
    public static final int MAGIC_NANOS = 0xA1B23C4D;
    /** Link type: Ethernet. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Global header length. */
    public static final int GLOBAL_HEADER_BYTES = 24;
    /** Per-record header length. */
    public static final int RECORD_HEADER_BYTES = 16;
    /** tcpdump's default (and maximum usual) snap length. */
    public static final int DEFAULT_SNAP_LENGTH = 262_144;
    /** Default staging buffer. */
    public static final int DEFAULT_BUFFER_BYTES = 1 << 20;

    private final int snapLengthBytes;
    private final boolean nanos;

    /**
     * A writer without rotation, microsecond timestamps, default snap length.
     *
     * @param file the capture file (replaced if it exists).
     */
    public PcapWriter(final Path file)
    {
        this(file, DEFAULT_SNAP_LENGTH, false, 0, 1, DEFAULT_BUFFER_BYTES);
    }

    /**
     * @param file            the capture file (replaced if it exists).
     * @param snapLengthBytes bytes of each frame kept (longer frames are truncated; orig_len keeps the length).
     * @param nanos           nanosecond (else microsecond) timestamps.
     * @param maxFileBytes    rotate before a file would exceed this; 0 for no rotation.
     * @param maxFiles        files kept with rotation, including the current one (at least 1).
     * @param bufferBytes     staging buffer (raised to hold at least one full record).
     */
    public PcapWriter(
        final Path file,
        final int snapLengthBytes,
        final boolean nanos,
        final long maxFileBytes,
        final int maxFiles,
        final int bufferBytes)
    {
        super(file, maxFileBytes, maxFiles, bufferBytes,
            GLOBAL_HEADER_BYTES + RECORD_HEADER_BYTES + checkSnapLength(snapLengthBytes));
        this.snapLengthBytes = snapLengthBytes;
        this.nanos = nanos;
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

    /**
     * {@inheritDoc}
     */
    protected int putFileHeader(final UnsafeBuffer buffer, final int position)
    {
        buffer.putInt(position, nanos ? MAGIC_NANOS : MAGIC_MICROS, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(position + 4, (short)2, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(position + 6, (short)4, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 8, 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 12, 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 16, snapLengthBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 20, LINKTYPE_ETHERNET, ByteOrder.LITTLE_ENDIAN);
        return GLOBAL_HEADER_BYTES;
    }

    /**
     * Append one frame.
     *
     * @param epochNs     wall-clock time of the frame, nanoseconds since the Unix epoch.
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes frame length (without FCS).
     * @throws UncheckedIOException when the file cannot be written.
     */
    public void write(final long epochNs, final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        final int capturedBytes = Math.min(lengthBytes, snapLengthBytes);
        final int recordBytes = RECORD_HEADER_BYTES + capturedBytes;
        final int position = claim(recordBytes);
        final UnsafeBuffer buffer = buffer();
        final long seconds = Math.floorDiv(epochNs, 1_000_000_000L);
        final long fractionNs = Math.floorMod(epochNs, 1_000_000_000L);
        buffer.putInt(position, (int)seconds, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 4, (int)(nanos ? fractionNs : fractionNs / 1_000L), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 8, capturedBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 12, lengthBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(position + RECORD_HEADER_BYTES, frame, offset, capturedBytes);
        commit(recordBytes);
    }
}
