package io.sidecore.engine.backend;

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
 * What every capture file writer shares: the file and its rotation, and a preallocated staging buffer of
 * little-endian records written through a {@link FileChannel} when it fills, on {@link #flush()}, on rotation and on
 * {@link #close()}; nothing is allocated per record. A format ({@link PcapWriter}, pcapng) puts its file header with
 * {@link #putFileHeader} and each record between {@link #claim} and {@link #commit}.
 * <p>
 * With {@code maxFileBytes > 0}, a record that would take the current file past the limit first rotates:
 * {@code file} becomes {@code file.1}, {@code file.1} becomes {@code file.2}, ..., and the oldest beyond
 * {@code maxFiles} is deleted; every file starts with its own file header. Not thread-safe: one writer thread at a
 * time (a file may be handed from one thread to another through a happens-before edge, as a command queue gives).
 */
public abstract class CaptureFileWriter implements AutoCloseable
{
    private final Path[] paths;
    private final long maxFileBytes;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private FileChannel channel;
    private long fileBytes;
    private long fileHeaderBytes;
    private long framesWritten;
    private long filesRotated;
    private boolean closed;

    /**
     * @param file               the capture file (replaced if it exists).
     * @param maxFileBytes       rotate before a file would exceed this; 0 for no rotation.
     * @param maxFiles           files kept with rotation, including the current one (at least 1).
     * @param bufferBytes        staging buffer (raised to hold at least {@code largestRecordBytes}).
     * @param largestRecordBytes the longest file header plus record the format writes.
     * @throws IllegalArgumentException when maxFiles or maxFileBytes is out of range.
     */
    protected CaptureFileWriter(
        final Path file, final long maxFileBytes, final int maxFiles, final int bufferBytes,
        final int largestRecordBytes)
    {
        if (maxFiles < 1 || maxFileBytes < 0)
        {
            throw new IllegalArgumentException("maxFiles=" + maxFiles + " maxFileBytes=" + maxFileBytes);
        }
        this.maxFileBytes = maxFileBytes;
        this.paths = new Path[maxFiles];
        paths[0] = file;
        for (int i = 1; i < maxFiles; i++)
        {
            paths[i] = file.resolveSibling(file.getFileName() + "." + i);
        }
        final int capacity = Math.max(bufferBytes, largestRecordBytes);
        this.byteBuffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.buffer = new UnsafeBuffer(byteBuffer);
    }

    /**
     * Put the format's file header at {@code offset}.
     *
     * @param buffer the staging buffer.
     * @param offset where the header starts.
     * @return the header's length in bytes.
     */
    protected abstract int putFileHeader(UnsafeBuffer buffer, int offset);

    /**
     * Open (create or truncate) the current file and stage its header. The subclass calls it once, at the end of
     * its constructor, when everything {@link #putFileHeader} reads is set.
     *
     * @throws UncheckedIOException when the file cannot be opened.
     */
    protected final void openFile()
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
        final int headerBytes = putFileHeader(buffer, position);
        byteBuffer.position(position + headerBytes);
        fileBytes = headerBytes;
        fileHeaderBytes = headerBytes;
    }

    /**
     * Make room for one record: rotate first if it would take the file past its limit, flush if the staging buffer
     * cannot take it.
     *
     * @param recordBytes the record's length.
     * @return where in {@link #buffer()} to put it.
     * @throws IllegalStateException when the writer is closed.
     * @throws UncheckedIOException  when the file cannot be written or rotated.
     */
    protected final int claim(final int recordBytes)
    {
        if (closed)
        {
            throw new IllegalStateException("capture writer closed: " + paths[0]);
        }
        if (maxFileBytes > 0 && fileBytes + recordBytes > maxFileBytes && fileBytes > fileHeaderBytes)
        {
            rotate();
        }
        if (byteBuffer.remaining() < recordBytes)
        {
            flush();
        }
        return byteBuffer.position();
    }

    /**
     * The record put at the position {@link #claim} returned is complete.
     *
     * @param recordBytes its length.
     */
    protected final void commit(final int recordBytes)
    {
        byteBuffer.position(byteBuffer.position() + recordBytes);
        fileBytes += recordBytes;
        framesWritten++;
    }

    /**
     * @return the staging buffer records are put into.
     */
    protected final UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Write staged records to the current file.
     *
     * @throws UncheckedIOException on I/O failure.
     */
    public final void flush()
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
    public final long framesWritten()
    {
        return framesWritten;
    }

    /**
     * @return rotations done.
     */
    public final long filesRotated()
    {
        return filesRotated;
    }

    /**
     * @return the current file.
     */
    public final Path path()
    {
        return paths[0];
    }

    /**
     * Flush and close the file. Idempotent.
     *
     * @throws UncheckedIOException when the last records cannot be written or the file not closed.
     */
    public final void close()
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
