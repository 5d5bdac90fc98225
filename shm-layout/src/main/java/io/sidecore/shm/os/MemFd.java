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

    /** The seals QEMU's {@code memory-backend-memfd} adds with {@code seal=on} (its default): fixed size, final. */
    public static final int GUEST_MEMORY_SEALS = LibC.F_SEAL_GROW | LibC.F_SEAL_SHRINK | LibC.F_SEAL_SEAL;

    private final int fd;
    private final String name;
    private boolean closed;

    private MemFd(final int fd, final String name)
    {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Create a memfd and size it. It allows sealing ({@link #addSeals}) but carries no seal yet.
     *
     * @param name      label (visible as {@code memfd:name} in /proc/PID/fd).
     * @param sizeBytes initial size (zero-filled).
     * @return the memfd.
     * @throws OsException when the kernel refuses.
     */
    public static MemFd create(final String name, final long sizeBytes)
    {
        return create(name, sizeBytes, 0);
    }

    /**
     * Create guest memory the way QEMU's {@code memory-backend-memfd} does by default ({@code seal=on}): sized, then
     * sealed with {@link #GUEST_MEMORY_SEALS}, so no process can shrink it under a mapping (which would raise SIGBUS
     * in whoever touches the lost pages) and the daemon accepts it as guest memory.
     *
     * @param name      label.
     * @param sizeBytes size (zero-filled), fixed from now on.
     * @return the sealed memfd.
     * @throws OsException when the kernel refuses.
     */
    public static MemFd createSealed(final String name, final long sizeBytes)
    {
        return create(name, sizeBytes, GUEST_MEMORY_SEALS);
    }

    private static MemFd create(final String name, final long sizeBytes, final int seals)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final int fd = LibC.memfdCreate(state, scratch.allocateFrom(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (fd < 0)
            {
                throw new OsException("memfd_create(" + name + ")", LibC.errno(state));
            }
            final MemFd memFd = new MemFd(fd, name);
            try
            {
                memFd.resize(sizeBytes);
                if (0 != seals)
                {
                    memFd.addSeals(seals);
                }
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
     * @return the file's {@code F_SEAL_*} seals ({@link Fds#seals}).
     */
    public int seals()
    {
        return Fds.seals(fd);
    }

    /**
     * Add seals ({@link Fds#addSeals}); they can never be removed.
     *
     * @param seals {@code F_SEAL_*} bits.
     */
    public void addSeals(final int seals)
    {
        Fds.addSeals(fd, seals);
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
