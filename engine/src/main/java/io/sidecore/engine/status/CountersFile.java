package io.sidecore.engine.status;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The daemon's counters file, mapped into memory, with a {@link CountersManager} over its counters sections, so
 * that other processes can read every counter lock-free while the sidecores run.
 * <p>
 * PROVISIONAL layout (metadata section followed by values section) until the shm-layout
 * {@code CountersFileDescriptor} lands; the engine only depends on {@link #countersManager()}.
 */
public final class CountersFile implements AutoCloseable
{
    private final Path path;
    private final MappedByteBuffer mapped;
    private final CountersManager countersManager;

    private CountersFile(final Path path, final MappedByteBuffer mapped, final int maxCounters)
    {
        this.path = path;
        this.mapped = mapped;
        final int metadataLength = maxCounters * CountersManager.METADATA_LENGTH;
        final int valuesLength = maxCounters * CountersManager.COUNTER_LENGTH;
        this.countersManager = new CountersManager(
            new UnsafeBuffer(mapped, 0, metadataLength),
            new UnsafeBuffer(mapped, metadataLength, valuesLength));
    }

    /**
     * Create (or replace) and map the counters file.
     *
     * @param path        where.
     * @param maxCounters counters it can hold.
     * @return the mapped file.
     */
    public static CountersFile create(final Path path, final int maxCounters)
    {
        final File file = path.toFile();
        final File parent = file.getParentFile();
        if (null != parent)
        {
            IoUtil.ensureDirectoryExists(parent, "counters file directory");
        }
        IoUtil.deleteIfExists(file);
        final long lengthBytes =
            (long)maxCounters * (CountersManager.METADATA_LENGTH + CountersManager.COUNTER_LENGTH);
        return new CountersFile(path, IoUtil.mapNewFile(file, lengthBytes), maxCounters);
    }

    /**
     * @return the manager every counter is allocated from.
     */
    public CountersManager countersManager()
    {
        return countersManager;
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
