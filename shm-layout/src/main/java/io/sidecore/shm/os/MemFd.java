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
    /** Back the file with the kernel's reserved huge pages (hugetlbfs), as {@code memory-backend-memfd,hugetlb=on}. */
    public static final int MFD_HUGETLB = 0x4;
    /** With {@link #MFD_HUGETLB}: 2 MiB pages (log2 of the page size in bits 26 and up, memfd_create(2)). */
    public static final int MFD_HUGE_2MB = 21 << 26;
    /** The huge page size of {@link #create(String, long, boolean)}. */
    public static final long HUGE_PAGE_BYTES = 2L << 20;

    /** The seals QEMU's {@code memory-backend-memfd} adds with {@code seal=on} (its default): fixed size, final. */
    public static final int GUEST_MEMORY_SEALS = LibC.F_SEAL_GROW | LibC.F_SEAL_SHRINK | LibC.F_SEAL_SEAL;

    private final int fd;
    private final String name;
    private final boolean hugePages;
    private boolean closed;

    private MemFd(final int fd, final String name, final boolean hugePages)
    {
        this.fd = fd;
        this.name = name;
        this.hugePages = hugePages;
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
        return create(name, sizeBytes, 0, false);
    }

    /**
     * Create a memfd in 4 KiB pages or in 2 MiB huge pages, and size it; sealing allowed, no seal yet. Huge pages
     * come from the pool the host reserved ({@code vm.nr_hugepages}) when the file is first mapped: a pool too small
     * for it makes {@link #map} fail with a message that says how to reserve more, not (normally) a fault later.
     *
     * @param name      label (visible as {@code memfd:name} in /proc/PID/fd).
     * @param sizeBytes initial size (zero-filled); with huge pages a positive multiple of {@link #HUGE_PAGE_BYTES}.
     * @param hugePages true for 2 MiB huge pages ({@link #MFD_HUGETLB}).
     * @return the memfd.
     * @throws IllegalArgumentException for a huge-page size that is not a whole number of huge pages.
     * @throws OsException when the kernel refuses (EINVAL from a kernel without hugetlbfs).
     */
    public static MemFd create(final String name, final long sizeBytes, final boolean hugePages)
    {
        return create(name, sizeBytes, 0, hugePages);
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
        return create(name, sizeBytes, GUEST_MEMORY_SEALS, false);
    }

    /**
     * {@link #createSealed(String, long)} in 4 KiB or 2 MiB huge pages (see {@link #create(String, long, boolean)}):
     * QEMU's {@code memory-backend-memfd,hugetlb=on}.
     *
     * @param name      label.
     * @param sizeBytes size (zero-filled), fixed from now on; with huge pages a multiple of {@link #HUGE_PAGE_BYTES}.
     * @param hugePages true for 2 MiB huge pages.
     * @return the sealed memfd.
     * @throws IllegalArgumentException for a huge-page size that is not a whole number of huge pages.
     * @throws OsException when the kernel refuses.
     */
    public static MemFd createSealed(final String name, final long sizeBytes, final boolean hugePages)
    {
        return create(name, sizeBytes, GUEST_MEMORY_SEALS, hugePages);
    }

    private static MemFd create(final String name, final long sizeBytes, final int seals, final boolean hugePages)
    {
        if (hugePages && (sizeBytes <= 0 || 0 != sizeBytes % HUGE_PAGE_BYTES))
        {
            throw new IllegalArgumentException("memory in 2 MiB huge pages must be a positive whole number of " +
                "them: memfd=" + name + " sizeBytes=" + sizeBytes);
        }
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING | (hugePages ? MFD_HUGETLB | MFD_HUGE_2MB : 0);
            final int fd = LibC.memfdCreate(state, scratch.allocateFrom(name), flags);
            if (fd < 0)
            {
                throw new OsException("memfd_create(" + name + (hugePages ? ", MFD_HUGETLB | MFD_HUGE_2MB)" : ")"),
                    LibC.errno(state));
            }
            final MemFd memFd = new MemFd(fd, name, hugePages);
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
        return new MemFd(fd, name, false);
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
     * @return true when made in 2 MiB huge pages by {@link #create(String, long, boolean)} (false for adopted ones).
     */
    public boolean isHugePages()
    {
        return hugePages;
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
        return map(0, sizeBytes(), arena);
    }

    /**
     * Reserve a huge-page file's pages in the pool now, by mapping it once: a shared hugetlbfs mapping reserves the
     * file's pages for as long as the file lives, so a process this file is handed to later (the daemon, on DMA_MAP)
     * cannot find the pool short, and a short pool fails here, with {@link #map}'s message. Nothing for 4 KiB pages.
     */
    public void reservePages()
    {
        if (hugePages)
        {
            try (Arena once = Arena.ofConfined())
            {
                map(once);
            }
        }
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
        try
        {
            return Mmap.mapShared(fd, offsetBytes, lengthBytes, true, arena);
        }
        catch (final OsException ex)
        {
            if (hugePages && Errno.ENOMEM == ex.errno())
            {
                // A shared hugetlbfs mapping reserves its pages from the pool when it is made (so a short pool fails
                // here, not with SIGBUS at first touch); say how to grow the pool.
                throw new OsException("mmap(memfd=" + name + ", length=" + lengthBytes + ")", ex.errno(),
                    "not enough free 2 MiB huge pages for " + (lengthBytes + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES +
                    " of them (HugePages_Free in /proc/meminfo): reserve more, e.g. " +
                    "'sysctl vm.nr_hugepages=N' as root (or another limit was reached: vm.max_map_count, a hugetlb " +
                    "cgroup)");
            }
            throw ex;
        }
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
