package io.sidecore.engine.backend;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes Ethernet frames to a classic libpcap file ({@code LINKTYPE_ETHERNET}) that {@code tcpdump -r} and
 * Wireshark read, with optional size rotation.
 * <pre>
 * global header (24 bytes, little-endian):
 *   magic 0xA1B2C3D4 (µs) or 0xA1B23C4D (ns) | version 2.4 | thiszone 0 | sigfigs 0 | snaplen | linktype 1
 * per frame: ts_sec | ts_usec or ts_nsec | incl_len | orig_len (16 bytes), then incl_len bytes
 * </pre>
 * Records are appended to a preallocated direct buffer and written through a {@link FileChannel} when it fills,
 * on {@link #flush()}, on rotation and on {@link #close()}; nothing is allocated per frame. With
 * {@code maxFileBytes > 0}, a record that would take the current file past the limit first rotates:
 * {@code file} becomes {@code file.1}, {@code file.1} becomes {@code file.2}, ..., and the oldest beyond
 * {@code maxFiles} is deleted; every file starts with its own global header. Timestamps come from the wall clock
 * the caller passes in. Not thread-safe: one writer thread.
 */
public final class PcapWriter implements AutoCloseable
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

    private final Path[] paths;
    private final int snapLengthBytes;
    private final boolean nanos;
    private final long maxFileBytes;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private FileChannel channel;
    private long fileBytes;
    private long framesWritten;
    private long filesRotated;
    private boolean closed;

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
        if (snapLengthBytes <= 0 || maxFiles < 1 || maxFileBytes < 0)
        {
            throw new IllegalArgumentException("snapLength=" + snapLengthBytes + " maxFiles=" + maxFiles +
                " maxFileBytes=" + maxFileBytes);
        }
        this.snapLengthBytes = snapLengthBytes;
        this.nanos = nanos;
        this.maxFileBytes = maxFileBytes;
        this.paths = new Path[maxFiles];
        paths[0] = file;
        for (int i = 1; i < maxFiles; i++)
        {
            paths[i] = file.resolveSibling(file.getFileName() + "." + i);
        }
        final int capacity = Math.max(bufferBytes, GLOBAL_HEADER_BYTES + RECORD_HEADER_BYTES + snapLengthBytes);
        this.byteBuffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.buffer = new UnsafeBuffer(byteBuffer);
        openFile();
    }

    private void openFile()
    {
        try
        {
            channel = FileChannel.open(paths[0], StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open capture file " + paths[0], ex);
        }
        final int position = byteBuffer.position();
        buffer.putInt(position, nanos ? MAGIC_NANOS : MAGIC_MICROS, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(position + 4, (short)2, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(position + 6, (short)4, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 8, 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 12, 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 16, snapLengthBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 20, LINKTYPE_ETHERNET, ByteOrder.LITTLE_ENDIAN);
        byteBuffer.position(position + GLOBAL_HEADER_BYTES);
        fileBytes = GLOBAL_HEADER_BYTES;
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
        if (closed)
        {
            throw new IllegalStateException("capture writer closed: " + paths[0]);
        }
        final int capturedBytes = Math.min(lengthBytes, snapLengthBytes);
        final int recordBytes = RECORD_HEADER_BYTES + capturedBytes;
        if (maxFileBytes > 0 && fileBytes + recordBytes > maxFileBytes && fileBytes > GLOBAL_HEADER_BYTES)
        {
            rotate();
        }
        if (byteBuffer.remaining() < recordBytes)
        {
            flush();
        }
        final long seconds = Math.floorDiv(epochNs, 1_000_000_000L);
        final long fractionNs = Math.floorMod(epochNs, 1_000_000_000L);
        final int position = byteBuffer.position();
        buffer.putInt(position, (int)seconds, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 4, (int)(nanos ? fractionNs : fractionNs / 1_000L), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 8, capturedBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(position + 12, lengthBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(position + RECORD_HEADER_BYTES, frame, offset, capturedBytes);
        byteBuffer.position(position + recordBytes);
        fileBytes += recordBytes;
        framesWritten++;
    }

    /**
     * Write buffered records to the current file.
     *
     * @throws UncheckedIOException on I/O failure.
     */
    public void flush()
    {
        byteBuffer.flip();
        try
        {
            while (byteBuffer.hasRemaining())
            {
                channel.write(byteBuffer);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write capture file " + paths[0], ex);
        }
        finally
        {
            byteBuffer.clear();
        }
    }

    private void rotate()
    {
        flush();
        try
        {
            channel.close();
            final int last = paths.length - 1;
            Files.deleteIfExists(paths[last]);
            for (int i = last - 1; i >= 0; i--)
            {
                if (Files.exists(paths[i]))
                {
                    Files.move(paths[i], paths[i + 1], StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rotate capture file " + paths[0], ex);
        }
        filesRotated++;
        openFile();
    }

    /**
     * @return frames written since creation (across rotations).
     */
    public long framesWritten()
    {
        return framesWritten;
    }

    /**
     * @return rotations done.
     */
    public long filesRotated()
    {
        return filesRotated;
    }

    /**
     * @return the current file.
     */
    public Path path()
    {
        return paths[0];
    }

    /**
     * Flush and close the file. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                flush();
            }
            finally
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot close capture file " + paths[0], ex);
                }
            }
        }
    }
}
