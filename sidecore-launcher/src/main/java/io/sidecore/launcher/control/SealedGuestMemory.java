package io.sidecore.launcher.control;

import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.Mmap;
import io.sidecore.shm.os.OsException;
import io.sidecore.shm.os.Seals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Maps a guest's memory file, checked first: guest memory is hostile. The one check that keeps a guest from killing
 * the daemon is that the file cannot shrink: touching a page past the end of a truncated file raises SIGBUS, which
 * the JVM does not survive. So a region's file must be a memfd sealed with {@code F_SEAL_SHRINK} (QEMU's
 * {@code memory-backend-memfd} seals it by default), and at least {@code fileOffset + size} long at map time; the seal
 * keeps it so. Anything else (a memfd without the seal, a tmpfs or hugetlbfs file, a socket) is refused with
 * {@link ControlProtocol#E_UNSAFE_MEMORY}: its owner could truncate it under the mapping.
 * <p>
 * The only place the daemon maps guest memory from a descriptor; the engine's checking mapper (issue 9's
 * {@code engine/mem}) can take its place.
 */
final class SealedGuestMemory
{
    /** Page size regions and offsets must be multiples of. */
    static final long PAGE_BYTES = 4096;

    private SealedGuestMemory()
    {
    }

    /**
     * Check a guest memory file and map part of it.
     *
     * @param fd         the guest's descriptor (not closed here).
     * @param fileOffset offset of the region in the file, page-aligned.
     * @param sizeBytes  length of the region, page-aligned, positive.
     * @param arena      owner of the mapping (closing it unmaps).
     * @return the mapping, read-write, shared.
     * @throws ControlException {@link ControlProtocol#E_UNSAFE_MEMORY} when the file could shrink or is too short,
     *                          {@link ControlProtocol#E_INVALID_ARGUMENT} for unaligned or absurd ranges.
     */
    static MemorySegment map(final int fd, final long fileOffset, final long sizeBytes, final Arena arena)
        throws ControlException
    {
        if (sizeBytes <= 0 || fileOffset < 0 || 0 != sizeBytes % PAGE_BYTES || 0 != fileOffset % PAGE_BYTES ||
            Long.MAX_VALUE - fileOffset < sizeBytes)
        {
            throw RequestFields.invalid("a region's size must be a positive multiple of 4096 and its file offset " +
                "a multiple of 4096: size=" + sizeBytes + " file_offset=" + fileOffset);
        }
        final int seals;
        try
        {
            seals = Seals.get(fd);
        }
        catch (final OsException ex)
        {
            throw new ControlException(ControlProtocol.E_UNSAFE_MEMORY, "guest memory must be a memfd sealed with " +
                "F_SEAL_SHRINK; this descriptor has no seals (" + ex.getMessage() + ")", ex);
        }
        if (0 == (seals & Seals.F_SEAL_SHRINK))
        {
            throw new ControlException(ControlProtocol.E_UNSAFE_MEMORY, "guest memory memfd is not sealed with " +
                "F_SEAL_SHRINK (seals 0x" + Integer.toHexString(seals) + "): it could be truncated under the " +
                "daemon's mapping");
        }
        final long fileBytes = fileLength(fd);
        if (fileBytes < fileOffset + sizeBytes)
        {
            throw new ControlException(ControlProtocol.E_UNSAFE_MEMORY, "guest memory file is " + fileBytes +
                " bytes, shorter than the region's end " + (fileOffset + sizeBytes));
        }
        try
        {
            return Mmap.mapShared(fd, fileOffset, sizeBytes, true, arena);
        }
        catch (final OsException ex)
        {
            throw new ControlException(ControlProtocol.E_UNSAFE_MEMORY, "cannot map guest memory: " +
                ex.getMessage(), ex);
        }
    }

    private static long fileLength(final int fd) throws ControlException
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final long length = LibC.lseek(state, fd, 0, LibC.SEEK_END);
            if (length < 0)
            {
                throw new ControlException(ControlProtocol.E_UNSAFE_MEMORY, "cannot size guest memory file: " +
                    LibC.strerror(LibC.errno(state)));
            }
            return length;
        }
    }
}
