package io.sidecore.tools.stat;

import io.sidecore.shm.CountersFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The sidecore counters file ({@link CountersFileDescriptor}) mapped read-only, checked as the descriptor's reader
 * protocol says (version first, then magic, then length) and sliced into a {@link CountersReader}, the port fault
 * records and the error log.
 * The tool never writes to the file: it takes no part in the daemon's protocol (as Aeron's {@code CncFileReader}).
 * <p>
 * Every failure is a {@link StatException} with one line for the operator.
 */
final class CountersFileReader implements AutoCloseable
{
    private final Path path;
    private final Object fileKey;
    private final long fileLengthBytes;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final CountersReader countersReader;
    private final UnsafeBuffer errorLogBuffer;
    private final UnsafeBuffer portFaultsBuffer;

    private CountersFileReader(
        final Path path, final Object fileKey, final long fileLengthBytes, final MappedByteBuffer mapped)
    {
        this.path = path;
        this.fileKey = fileKey;
        this.fileLengthBytes = fileLengthBytes;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.countersReader = new CountersReader(
            CountersFileDescriptor.createCountersMetaDataBuffer(buffer),
            CountersFileDescriptor.createCountersValuesBuffer(buffer));
        this.errorLogBuffer = CountersFileDescriptor.createErrorLogBuffer(buffer);
        this.portFaultsBuffer = CountersFileDescriptor.createPortFaultsBuffer(buffer);
    }

    /**
     * Map and check the counters file.
     *
     * @param path the file.
     * @return the mapped, checked file.
     * @throws StatException when the file is missing, unreadable, not ready, or fails a check.
     */
    static CountersFileReader open(final Path path)
    {
        final BasicFileAttributes attributes = attributes(path);
        if (!attributes.isRegularFile())
        {
            throw new StatException("counters file is not a regular file: " + path);
        }

        final MappedByteBuffer mapped;
        final long lengthBytes;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            lengthBytes = channel.size();
            if (lengthBytes > Integer.MAX_VALUE)
            {
                throw new StatException("counters file too large: length=" + lengthBytes + " (" + path + ")");
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, lengthBytes);
        }
        catch (final NoSuchFileException ex)
        {
            throw new StatException(notFound(path));
        }
        catch (final AccessDeniedException ex)
        {
            throw new StatException("counters file not readable: " + path + " (permission denied)");
        }
        catch (final IOException ex)
        {
            throw new StatException("cannot map counters file " + path + ": " + ex.getMessage());
        }

        try
        {
            check(new UnsafeBuffer(mapped), lengthBytes, path);
            return new CountersFileReader(path, attributes.fileKey(), lengthBytes, mapped);
        }
        catch (final RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
    }

    /**
     * @param path the counters file.
     * @return the line shown when it does not exist.
     */
    static String notFound(final Path path)
    {
        return "counters file not found: " + path + " (is the sidecore running?)";
    }

    /**
     * @return the file mapped.
     */
    Path path()
    {
        return path;
    }

    /**
     * @return the version, as {@code major.minor.patch}.
     */
    String versionText()
    {
        return SemanticVersion.toString(CountersFileDescriptor.version(buffer));
    }

    /**
     * @return the daemon's pid.
     */
    long pid()
    {
        return CountersFileDescriptor.pid(buffer);
    }

    /**
     * @return the daemon's start time, epoch ms.
     */
    long startTimestampMs()
    {
        return CountersFileDescriptor.startTimestampMs(buffer);
    }

    /**
     * @return the daemon's last heartbeat, epoch ms.
     */
    long heartbeatMs()
    {
        return CountersFileDescriptor.heartbeatMs(buffer);
    }

    /**
     * @return a reader over the counters sections.
     */
    CountersReader countersReader()
    {
        return countersReader;
    }

    /**
     * @return the port fault section ({@link io.sidecore.shm.PortFaultDescriptor} records).
     */
    AtomicBuffer portFaultsBuffer()
    {
        return portFaultsBuffer;
    }

    /**
     * @return the error log section ({@code DistinctErrorLog} format).
     */
    AtomicBuffer errorLogBuffer()
    {
        return errorLogBuffer;
    }

    /**
     * Has the path been removed or replaced since it was mapped? A restarted daemon deletes and recreates the file,
     * and this mapping keeps showing the old one.
     *
     * @return true when the path is gone, or names a different file or one of a different length.
     */
    boolean isReplaced()
    {
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return !Objects.equals(fileKey, attributes.fileKey()) || attributes.size() != fileLengthBytes;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /**
     * Unmap the file.
     */
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    private static BasicFileAttributes attributes(final Path path)
    {
        try
        {
            return Files.readAttributes(path, BasicFileAttributes.class);
        }
        catch (final NoSuchFileException ex)
        {
            throw new StatException(notFound(path));
        }
        catch (final IOException ex)
        {
            throw new StatException("cannot read counters file " + path + ": " + ex.getMessage());
        }
    }

    /**
     * The descriptor's reader checks, with the not-yet-ready case (version still 0) told apart from a bad file.
     */
    private static void check(final UnsafeBuffer buffer, final long lengthBytes, final Path path)
    {
        try
        {
            if (lengthBytes >= CountersFileDescriptor.END_OF_METADATA_OFFSET &&
                0 == CountersFileDescriptor.version(buffer))
            {
                throw new StatException("counters file not ready: " + path +
                    " (version 0: the sidecore is still starting, or failed while starting)");
            }
            CountersFileDescriptor.checkReady(buffer, lengthBytes);
        }
        catch (final IllegalStateException ex)
        {
            throw new StatException(ex.getMessage() + " (" + path + ")");
        }
    }
}
