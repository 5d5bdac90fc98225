package io.sidecore.engine.mem;

import io.sidecore.shm.os.FileStatus;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.Mmap;
import io.sidecore.shm.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Maps a VMM's guest-memory file descriptor (vfio-user DMA_MAP: fd, file offset, guest-physical address, size,
 * READ/WRITE flags; or one entry of a native attach) into this process as a {@link GuestMemoryRegion}, after
 * checking that the file cannot hurt the daemon.
 * <p>
 * <b>Why seals.</b> Guest memory is hostile, and so is the file behind it: a shared file that is truncated while
 * mapped loses the pages past its new end, and the next access to them raises SIGBUS. One sidecore serves many
 * guests, so a VMM (or anyone holding the fd) that shrinks its memory file must not be able to kill the daemon.
 * A memfd sealed with {@code F_SEAL_SHRINK} cannot shrink, for anyone, for the rest of its life (seals are never
 * removed), which is what QEMU's {@code memory-backend-memfd} does by default: {@code seal=on} adds
 * {@code F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL} ({@code backends/hostmem-memfd.c}). VMM-side code of this
 * project (a synthetic guest attaching natively) must create its RAM with the same seals: {@code MemFd.createSealed}.
 * <p>
 * <b>Checks, in this order</b> (seals first: once {@code F_SEAL_SHRINK} is seen it stays, so the size checked after
 * it can only grow):
 * <ol>
 *     <li>the range and access: at least one byte, below 2^63, READ or READ|WRITE, a page-aligned file offset and no
 *     overflow of offset + size;</li>
 *     <li>{@code F_GET_SEALS}: {@code F_SEAL_SHRINK} required (see the policy below); a writable region over a file
 *     sealed against writes is refused with a clear reason rather than an mmap EPERM;</li>
 *     <li>{@code fstat}: a regular file (memfd, tmpfs, hugetlbfs or disk file; not a device, pipe or socket) at least
 *     {@code offset + size} bytes long;</li>
 *     <li>{@code mmap(MAP_SHARED)}, {@code PROT_READ} for a read-only region (so not even a bug in the device model
 *     can write a ROM) and {@code PROT_READ|PROT_WRITE} otherwise. {@link GuestMemoryRegion#close()} unmaps.</li>
 * </ol>
 * <b>Policy for files that can shrink</b> ({@link SealPolicy}). By default ({@link SealPolicy#REQUIRE_SHRINK_SEAL})
 * they are refused with a {@link GuestMemoryException} ({@link GuestMemoryException.Reason#NOT_SEALED}) that says
 * why and what to change. That refuses every file that cannot carry seals: a {@code memory-backend-file} on hugetlbfs
 * or under /dev/shm (tmpfs files not made by {@code memfd_create} report {@code F_SEAL_SEAL} alone), a file on a disk
 * filesystem, and a memfd created without {@code MFD_ALLOW_SEALING} ({@code memory-backend-memfd,seal=off}).
 * {@link SealPolicy#ALLOW_UNSEALED} accepts them, for hosts that must use hugetlbfs-backed files; the risk then is
 * the daemon's: whoever can truncate the file can make the sidecore's next access to it fault. (HotSpot 25, tried
 * here on reads, writes and bulk copies through {@code UnsafeBuffer} and {@code MemorySegment}, interpreted and
 * compiled, turns that SIGBUS into an {@code InternalError} "a fault occurred in an unsafe memory access operation"
 * instead of dying. sidecore does not rely on it: it is an implementation detail (compiled code may report it late,
 * after more of the duty cycle ran), the error would escape the duty cycle instead of faulting one port, and native
 * code touching the mapping would still kill the process.)
 * <p>
 * Residual risk even with the seal: on hugetlbfs ({@code memory-backend-memfd,hugetlb=on}) a VMM that punches a
 * hole in the file ({@code fallocate(PUNCH_HOLE)}, which {@code F_SEAL_SHRINK} does not stop; balloon and virtio-mem
 * do it) gives the pages back, and a later fault needs a free huge page: with the pool exhausted that access raises
 * SIGBUS. On tmpfs a punched hole simply reads back as zeros.
 * <p>
 * A mapper holds no state but its policy; it may be used from any thread (the socket thread maps, then hands the
 * region to the owning sidecore thread, which adds it to the port's {@link GuestMemory}). The descriptor is not kept:
 * the caller closes it when it wants, the mapping holds the file.
 */
public final class GuestMemoryMapper
{
    /**
     * What to do with guest memory whose file can shrink under the mapping.
     */
    public enum SealPolicy
    {
        /** Refuse it: only files sealed with {@code F_SEAL_SHRINK} become guest memory (the default). */
        REQUIRE_SHRINK_SEAL,
        /**
         * Accept it (hugetlbfs-backed {@code memory-backend-file}, files under /dev/shm). Risk: truncating the file
         * makes the daemon's next access to the lost pages raise SIGBUS, which can stop every port it serves.
         */
        ALLOW_UNSEALED
    }

    private static final int WRITE_SEALS = LibC.F_SEAL_WRITE | LibC.F_SEAL_FUTURE_WRITE;

    private final SealPolicy sealPolicy;

    /**
     * @param sealPolicy what to do with files that can shrink.
     */
    public GuestMemoryMapper(final SealPolicy sealPolicy)
    {
        this.sealPolicy = sealPolicy;
    }

    /**
     * @return the policy for files that can shrink.
     */
    public SealPolicy sealPolicy()
    {
        return sealPolicy;
    }

    /**
     * Check and map one region of a guest-memory file.
     *
     * @param fd              descriptor of the file (memfd); not closed, not kept.
     * @param fileOffsetBytes where the region starts in the file, page aligned.
     * @param gpaBase         guest-physical address of the region's first byte.
     * @param lengthBytes     region length.
     * @param access          {@link GuestMemoryRegion#READ} or {@link GuestMemoryRegion#READ_WRITE}.
     * @return the region, owning its mapping.
     * @throws GuestMemoryException when a check fails or the kernel refuses; nothing stays mapped.
     */
    public GuestMemoryRegion map(
        final int fd, final long fileOffsetBytes, final long gpaBase, final long lengthBytes, final int access)
    {
        GuestMemoryRegion.checkRange(gpaBase, lengthBytes);
        GuestMemoryRegion.checkAccess(access);
        final String what = "guest memory fd=" + fd + " offset=0x" + Long.toHexString(fileOffsetBytes) + " length=0x" +
            Long.toHexString(lengthBytes);
        if (fileOffsetBytes < 0 || 0 != fileOffsetBytes % Mmap.pageSizeBytes())
        {
            throw GuestMemoryException.invalidRegion(what + ": the file offset must be a non-negative multiple of " +
                "the page size " + Mmap.pageSizeBytes());
        }
        if (lengthBytes > Long.MAX_VALUE - fileOffsetBytes)
        {
            throw GuestMemoryException.invalidRegion(what + ": file offset + length overflows");
        }
        final boolean writable = 0 != (access & GuestMemoryRegion.WRITE);

        final int seals = sealsOf(fd, what);
        final FileStatus status = statusOf(fd, what);
        final String file = what + " (" + status.filesystemName() + " " + status.typeName() + ", seals " +
            Fds.sealNames(seals) + ")";
        if (!status.isRegularFile())
        {
            throw new GuestMemoryException(GuestMemoryException.Reason.NOT_A_REGULAR_FILE, file +
                " is not a regular file: guest memory must be a memfd or another shared file");
        }
        if (writable && Fds.SEALS_UNSUPPORTED != seals && 0 != (seals & WRITE_SEALS))
        {
            throw new GuestMemoryException(GuestMemoryException.Reason.WRITE_SEALED, file +
                " is sealed against writes, so the device could not write it; map it READ only or unseal it");
        }
        final boolean shrinkSealed = Fds.SEALS_UNSUPPORTED != seals && 0 != (seals & LibC.F_SEAL_SHRINK);
        if (!shrinkSealed && SealPolicy.REQUIRE_SHRINK_SEAL == sealPolicy)
        {
            throw new GuestMemoryException(GuestMemoryException.Reason.NOT_SEALED, file + " can shrink under " +
                "the mapping (no F_SEAL_SHRINK): truncating it would make the daemon's next access raise SIGBUS. " +
                sealHint(seals) + ", or allow unsealed guest memory at that risk");
        }
        if (status.sizeBytes() < fileOffsetBytes + lengthBytes)
        {
            throw new GuestMemoryException(GuestMemoryException.Reason.FILE_TOO_SHORT, file + " is 0x" +
                Long.toHexString(status.sizeBytes()) + " bytes long, shorter than offset + length");
        }

        final Arena owner = Arena.ofShared();
        final MemorySegment mapping;
        try
        {
            mapping = Mmap.mapShared(fd, fileOffsetBytes, lengthBytes, writable, owner);
        }
        catch (final OsException ex)
        {
            owner.close();
            throw osError(file, ex);
        }
        final String origin = "fd=" + fd + " " + status.filesystemName() + " offset=0x" +
            Long.toHexString(fileOffsetBytes) + (shrinkSealed ? "" : " UNSEALED (may SIGBUS if truncated)");
        return GuestMemoryRegion.ofMapping(gpaBase, mapping, access, owner, origin);
    }

    private static String sealHint(final int seals)
    {
        if (Fds.SEALS_UNSUPPORTED == seals)
        {
            return "Its filesystem has no seals: share guest RAM as a memfd (QEMU: -object memory-backend-memfd," +
                "share=on, which seals by default)";
        }
        if (0 != (seals & LibC.F_SEAL_SEAL))
        {
            return "It can no longer be sealed (a tmpfs or hugetlbfs file such as memory-backend-file under " +
                "/dev/shm, or a memfd made without MFD_ALLOW_SEALING such as memory-backend-memfd,seal=off): use " +
                "QEMU's memory-backend-memfd with seal=on, its default";
        }
        return "Add F_SEAL_SHRINK before handing it over (fcntl F_ADD_SEALS), as memory-backend-memfd does with " +
            "seal=on";
    }

    private static int sealsOf(final int fd, final String what)
    {
        try
        {
            return Fds.seals(fd);
        }
        catch (final OsException ex)
        {
            throw osError(what, ex);
        }
    }

    private static FileStatus statusOf(final int fd, final String what)
    {
        try
        {
            return Fds.fstat(fd);
        }
        catch (final OsException ex)
        {
            throw osError(what, ex);
        }
    }

    private static GuestMemoryException osError(final String what, final OsException ex)
    {
        return new GuestMemoryException(GuestMemoryException.Reason.OS_ERROR, ex.errno(),
            what + ": " + ex.getMessage(), ex);
    }
}
