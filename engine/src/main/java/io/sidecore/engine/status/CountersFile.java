package io.sidecore.engine.status;

import io.sidecore.shm.CountersFileDescriptor;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.CountersManager;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The daemon's counters file ({@link CountersFileDescriptor}), created and mapped, with a {@link CountersManager}
 * over its counters sections, a {@link PortFaultTable} over its port fault records and a {@link DistinctErrorLog} over
 * its error log, so that other processes can read every counter, port fault and engine error lock-free while the
 * sidecores run.
 * <p>
 * Creation follows the descriptor's protocol: size the file, map it, fill the metadata (version 0 first), build the
 * counters manager; {@link #signalReady()} then writes the version last, once the engine's own counters exist.
 * {@link #heartbeat} is called by sidecore 0's agent about once a second ({@code SidecoreAgent}).
 */
public final class CountersFile implements AutoCloseable
{
    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final CountersManager countersManager;
    private final PortFaultTable portFaults;
    private final DistinctErrorLog errorLog;

    private CountersFile(
        final Path path, final MappedByteBuffer mapped, final UnsafeBuffer buffer, final EpochClock epochClock)
    {
        this.path = path;
        this.mapped = mapped;
        this.buffer = buffer;
        this.countersManager = new CountersManager(
            CountersFileDescriptor.createCountersMetaDataBuffer(buffer),
            CountersFileDescriptor.createCountersValuesBuffer(buffer));
        this.portFaults = new PortFaultTable(CountersFileDescriptor.createPortFaultsBuffer(buffer));
        this.errorLog = new DistinctErrorLog(CountersFileDescriptor.createErrorLogBuffer(buffer), epochClock);
    }

    /**
     * Create (or replace) and map the counters file, and fill its metadata.
     *
     * @param path           where.
     * @param maxCounters    counters it can hold.
     * @param portSlots      ports whose faults it can record.
     * @param errorLogLength bytes of the error log section, a positive multiple of 8.
     * @param pid            daemon process id.
     * @param epochClock     wall clock for the start time and error timestamps.
     * @return the mapped file, not yet signalled ready.
     * @throws IllegalArgumentException when the section lengths are invalid.
     */
    public static CountersFile create(
        final Path path,
        final int maxCounters,
        final int portSlots,
        final int errorLogLength,
        final long pid,
        final EpochClock epochClock)
    {
        final int valuesLength = CountersFileDescriptor.countersValuesLength(maxCounters);
        final int metaDataLength = CountersFileDescriptor.countersMetaDataLength(valuesLength);
        final int portFaultsLength = CountersFileDescriptor.portFaultsLength(portSlots);
        CountersFileDescriptor.checkSectionLengths(metaDataLength, valuesLength, portFaultsLength, errorLogLength);
        final long fileLength = CountersFileDescriptor.computeFileLength(
            metaDataLength, valuesLength, portFaultsLength, errorLogLength);

        final File file = path.toFile();
        final File parent = file.getAbsoluteFile().getParentFile();
        if (null != parent)
        {
            IoUtil.ensureDirectoryExists(parent, "counters file directory");
        }
        IoUtil.deleteIfExists(file);
        final MappedByteBuffer mapped = mapNewFile(path, fileLength);
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
        CountersFileDescriptor.fillMetaData(
            buffer, metaDataLength, valuesLength, portFaultsLength, errorLogLength, pid, epochClock.time());
        return new CountersFile(path, mapped, buffer, epochClock);
    }

    /**
     * Create the file exclusively ({@code O_CREAT|O_EXCL}, which never follows a symlink, and {@code O_NOFOLLOW}),
     * size it and map it: a file or link someone placed at the path since it was deleted makes this fail rather than
     * write the daemon's counters through it.
     */
    private static MappedByteBuffer mapNewFile(final Path path, final long lengthBytes)
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
        {
            channel.write(java.nio.ByteBuffer.allocate(1), lengthBytes - 1);
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, lengthBytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create counters file " + path + ": " + ex, ex);
        }
    }

    /**
     * Publish the file: readers may use it from now on.
     */
    public void signalReady()
    {
        CountersFileDescriptor.signalReady(buffer);
    }

    /**
     * Record that the daemon is alive.
     *
     * @param nowMs epoch ms.
     */
    public void heartbeat(final long nowMs)
    {
        CountersFileDescriptor.updateHeartbeat(buffer, nowMs);
    }

    /**
     * @return the manager every counter is allocated from.
     */
    public CountersManager countersManager()
    {
        return countersManager;
    }

    /**
     * @return the port fault records.
     */
    public PortFaultTable portFaults()
    {
        return portFaults;
    }

    /**
     * @return the error log (record engine errors here; distinct errors are counted, not repeated).
     */
    public DistinctErrorLog errorLog()
    {
        return errorLog;
    }

    /**
     * @return an error handler that records each error in this file's error log (distinct errors counted, not
     *         repeated), and prints it when the log is full.
     */
    public ErrorHandler errorHandler()
    {
        final DistinctErrorLog log = errorLog;
        return throwable ->
        {
            if (!log.record(throwable))
            {
                throwable.printStackTrace();
            }
        };
    }

    /** Most counters in private memory: their metadata is one buffer, whose length is an int. */
    public static final int MAX_PRIVATE_COUNTERS = Integer.MAX_VALUE / CountersManager.METADATA_LENGTH;

    /**
     * Counters in private memory, for an engine that publishes no counters file (tests, embedded use): off the heap
     * and aligned, as the file is (an atomic counter over a {@code byte[]} makes Agrona print "not correctly aligned
     * by 8" on standard error).
     *
     * @param maxCounters counters the area holds.
     * @return a manager over private buffers.
     */
    public static CountersManager privateCountersManager(final int maxCounters)
    {
        if (maxCounters < 1 || maxCounters > MAX_PRIVATE_COUNTERS)
        {
            throw new IllegalArgumentException("maxCounters must be in [1, " + MAX_PRIVATE_COUNTERS + "] for " +
                "counters in private memory (a counters file holds more): " + maxCounters);
        }
        return new CountersManager(
            alignedPrivateBuffer(maxCounters * CountersManager.METADATA_LENGTH),
            alignedPrivateBuffer(maxCounters * CountersManager.COUNTER_LENGTH));
    }

    /**
     * @param lengthBytes capacity.
     * @return a zeroed buffer off the heap, aligned to a cache line, as counters in a mapped file are.
     */
    private static UnsafeBuffer alignedPrivateBuffer(final int lengthBytes)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(lengthBytes, BitUtil.CACHE_LINE_LENGTH));
    }

    /**
     * @return the whole mapped file.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the file's path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Unmap the file (it stays on disk for post-mortem reading).
     */
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
