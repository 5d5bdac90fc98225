package io.sidecore.shm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Shared mappings of file descriptors (memfd guest RAM, device pages, the counters file) as {@link MemorySegment}s
 * whose lifetime is an {@link Arena}: closing the arena unmaps, and the segment then refuses access instead of
 * touching freed memory.
 */
// Binding native code is what this class is for; the JVM runs with --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
public final class Mmap
{
    private static final int PAGE_SIZE_BYTES = LibC.getpagesize();

    private Mmap()
    {
    }

    /**
     * @return the base page size: file offsets of a mapping must be a multiple of it.
     */
    public static int pageSizeBytes()
    {
        return PAGE_SIZE_BYTES;
    }

    /**
     * {@code mmap(NULL, length, PROT_READ[|PROT_WRITE], MAP_SHARED, fd, offset)}.
     *
     * @param fd          descriptor to map.
     * @param offsetBytes file offset, a multiple of the page size.
     * @param lengthBytes bytes to map (the file must be at least {@code offset + length} long to touch them all).
     * @param writable    map read-write (else read-only).
     * @param arena       owner: closing it unmaps. Use a shared arena for memory other threads touch.
     * @return a segment of {@code lengthBytes} over the mapping.
     * @throws OsException when the kernel refuses (EBADF, EACCES, EINVAL for a bad offset, ENOMEM).
     */
    public static MemorySegment mapShared(final int fd, final long offsetBytes, final long lengthBytes,
        final boolean writable, final Arena arena)
    {
        if (lengthBytes <= 0)
        {
            throw new IllegalArgumentException("mapping length must be positive: " + lengthBytes);
        }
        final int protection = writable ? LibC.PROT_READ | LibC.PROT_WRITE : LibC.PROT_READ;
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final MemorySegment address = LibC.mmap(state, MemorySegment.NULL, lengthBytes, protection,
                LibC.MAP_SHARED, fd, offsetBytes);
            if (address.address() == -1L)
            {
                throw new OsException("mmap(fd=" + fd + ", offset=" + offsetBytes + ", length=" + lengthBytes +
                    ", " + (writable ? "rw" : "ro") + ", MAP_SHARED)", LibC.errno(state));
            }
            // Mapping is a cold path: the cleanup lambda capturing the length is allocated once per mapping.
            return address.reinterpret(lengthBytes, arena, zeroLength -> unmap(zeroLength, lengthBytes));
        }
    }

    private static void unmap(final MemorySegment address, final long lengthBytes)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            if (LibC.munmap(state, address, lengthBytes) < 0)
            {
                throw new OsException("munmap(length=" + lengthBytes + ")", LibC.errno(state));
            }
        }
    }
}
