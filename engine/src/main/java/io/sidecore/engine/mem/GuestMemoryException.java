package io.sidecore.engine.mem;

import io.sidecore.shm.os.Errno;

/**
 * A guest-memory change or mapping that was refused, with the reason as a {@link Reason} and the errno a VMM
 * protocol reply should carry (vfio-user answers a failed DMA_MAP or DMA_UNMAP with an errno). The message names the
 * offending range or file and, where the operator can act, what to change. Nothing was changed when it is thrown.
 */
public final class GuestMemoryException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /**
     * Why a change or mapping was refused.
     */
    public enum Reason
    {
        /** Empty range, range past 2^63, unaligned file offset, or access bits other than READ or READ|WRITE. */
        INVALID_REGION(Errno.EINVAL),
        /** The new region overlaps a mapped one (vfio-user: EEXIST). */
        OVERLAP(Errno.EEXIST),
        /** No region is mapped at exactly that base and length. */
        NOT_MAPPED(Errno.ENOENT),
        /** The guest already has its port's limit of regions (at most {@link GuestMemory#MAX_REGIONS}). */
        TOO_MANY_REGIONS(Errno.ENOSPC),
        /** The descriptor is not a regular file (memfd, tmpfs, hugetlbfs or disk file). */
        NOT_A_REGULAR_FILE(Errno.EINVAL),
        /** The file is shorter than the file offset plus the region's length. */
        FILE_TOO_SHORT(Errno.EINVAL),
        /** The file can shrink under the mapping (no {@code F_SEAL_SHRINK}) and the policy refuses that. */
        NOT_SEALED(Errno.EPERM),
        /** A writable region over a file sealed against writes. */
        WRITE_SEALED(Errno.EPERM),
        /** The kernel refused a call (fstat, fcntl, mmap): the errno is the kernel's. */
        OS_ERROR(Errno.EINVAL);

        private final int errno;

        Reason(final int errno)
        {
            this.errno = errno;
        }

        /**
         * @return the errno a protocol reply carries for this reason.
         */
        public int errno()
        {
            return errno;
        }
    }

    private final Reason reason;
    private final int errno;

    /**
     * @param reason  why.
     * @param message what, with the range or file, and what to change.
     */
    public GuestMemoryException(final Reason reason, final String message)
    {
        this(reason, reason.errno(), message, null);
    }

    /**
     * @param reason  why.
     * @param errno   errno for a protocol reply (the kernel's, for {@link Reason#OS_ERROR}).
     * @param message what, with the range or file.
     * @param cause   the underlying failure, or null.
     */
    public GuestMemoryException(final Reason reason, final int errno, final String message, final Throwable cause)
    {
        super(message, cause);
        this.reason = reason;
        this.errno = errno;
    }

    static GuestMemoryException invalidRegion(final String message)
    {
        return new GuestMemoryException(Reason.INVALID_REGION, message);
    }

    /**
     * @return why the change was refused.
     */
    public Reason reason()
    {
        return reason;
    }

    /**
     * @return errno for a protocol reply.
     */
    public int errno()
    {
        return errno;
    }
}
