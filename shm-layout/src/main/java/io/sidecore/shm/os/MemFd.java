package io.sidecore.shm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An anonymous memory file ({@code memfd_create}): the shared-memory object behind guest RAM
 * ({@code memory-backend-memfd}), device pages and rings shared between sidecore and a guest process. Every
 * {@link #map} of it, in this or another process, sees the same bytes.
 */
public final class MemFd implements AutoCloseable
{
    /** Close on exec. */
    public static final int MFD_CLOEXEC = 0x1;
    /** Allow seals (F_ADD_SEALS). */
    public static final int MFD_ALLOW_SEALING = 0x2;

    private final int fd;
    private final String name;
    private boolean closed;

    private MemFd(final int fd, final String name)
    {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Create a memfd and size it.
     *
     * @param name      label (visible as {@code memfd:name} in /proc/PID/fd).
     * @param sizeBytes initial size (zero-filled).
     * @return the memfd.
     * @throws OsException when the kernel refuses.
     */
    public static MemFd create(final String name, final long sizeBytes)
    {
        return create(name, sizeBytes, MFD_CLOEXEC);
    }

    /**
     * Create a memfd that accepts seals ({@link Seals}), as guest memory handed to the daemon must be (it needs
     * {@link Seals#F_SEAL_SHRINK}), and size it.
     *
     * @param name      label.
     * @param sizeBytes initial size (zero-filled).
     * @return the memfd, with no seal yet.
     * @throws OsException when the kernel refuses.
     */
    public static MemFd createSealable(final String name, final long sizeBytes)
    {
        return create(name, sizeBytes, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    }

    private static MemFd create(final String name, final long sizeBytes, final int flags)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final int fd = LibC.memfdCreate(state, scratch.allocateFrom(name), flags);
            if (fd < 0)
            {
                throw new OsException("memfd_create(" + name + ")", LibC.errno(state));
            }
            final MemFd memFd = new MemFd(fd, name);
            try
            {
                memFd.resize(sizeBytes);
            }
            catch (final RuntimeException ex)
            {
                memFd.close();
                throw ex;
            }
            return memFd;
        }
    }

    /**
     * Wrap a memfd (or any mappable file) descriptor received from elsewhere; the instance owns and closes it.
     *
     * @param fd   descriptor.
     * @param name label for messages.
     * @return the wrapper.
     */
    public static MemFd adopt(final int fd, final String name)
    {
        if (fd < 0)
        {
            throw new IllegalArgumentException("bad descriptor: " + fd);
        }
        return new MemFd(fd, name);
    }

    /**
     * @return the descriptor.
     */
    public int fd()
    {
        return fd;
    }

    /**
     * @return the label.
     */
    public String name()
    {
        return name;
    }

    /**
     * Grow or shrink the file ({@code ftruncate}).
     *
     * @param sizeBytes new size.
     */
    public void resize(final long sizeBytes)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            if (LibC.ftruncate(state, fd, sizeBytes) < 0)
            {
                throw new OsException("ftruncate(memfd=" + name + ", " + sizeBytes + ")", LibC.errno(state));
            }
        }
    }

    /**
     * @return current size of the file.
     */
    public long sizeBytes()
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final long size = LibC.lseek(state, fd, 0, LibC.SEEK_END);
            if (size < 0)
            {
                throw new OsException("lseek(memfd=" + name + ", SEEK_END)", LibC.errno(state));
            }
            return size;
        }
    }

    /**
     * Map the whole file read-write and shared.
     *
     * @param arena owner of the mapping (closing it unmaps).
     * @return the mapping.
     */
    public MemorySegment map(final Arena arena)
    {
        return Mmap.mapShared(fd, 0, sizeBytes(), true, arena);
    }

    /**
     * Map part of the file read-write and shared.
     *
     * @param offsetBytes page-aligned offset.
     * @param lengthBytes length.
     * @param arena       owner of the mapping.
     * @return the mapping.
     */
    public MemorySegment map(final long offsetBytes, final long lengthBytes, final Arena arena)
    {
        return Mmap.mapShared(fd, offsetBytes, lengthBytes, true, arena);
    }

    /**
     * Close the descriptor; existing mappings stay valid until their arenas close. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            Fds.close(fd);
        }
    }
}
