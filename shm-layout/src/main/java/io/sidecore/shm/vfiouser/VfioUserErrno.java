package io.sidecore.shm.vfiouser;

import io.sidecore.shm.os.Errno;

/**
 * The errno values a vfio-user server puts in the {@code error} field of an error reply (Linux numbering, as QEMU
 * reads them), with what each means in this protocol.
 */
public final class VfioUserErrno
{
    /** No such mapping: a DMA_UNMAP that matches no earlier DMA_MAP exactly. */
    public static final int ENOENT = Errno.ENOENT;
    /** The device failed the access (a trapped access it could not complete in time). */
    public static final int EIO = Errno.EIO;
    /** Argument list too long: a message larger than the server's limit. */
    public static final int E2BIG = 7;
    /** A DMA_MAP that overlaps an existing mapping (vfio-user spec: "must be failed ... with EEXIST"). */
    public static final int EEXIST = Errno.EEXIST;
    /** Malformed message: a size or argsz that lies, a bad flag, an out-of-range or misaligned access. */
    public static final int EINVAL = Errno.EINVAL;
    /** Not supported for this device: DEVICE_FEATURE (no migration, no DMA logging), like the kernel's vfio. */
    public static final int ENOTTY = 25;
    /** Too many DMA mappings (more than the advertised {@code max_dma_maps}). */
    public static final int ENOSPC = Errno.ENOSPC;
    /** Unknown or unserved command. */
    public static final int ENOSYS = Errno.ENOSYS;
    /** The device is not ready for the request (e.g. busy releasing a region). */
    public static final int EBUSY = Errno.EBUSY;

    private VfioUserErrno()
    {
    }

    /**
     * @param errno value.
     * @return symbolic name for logs and test messages.
     */
    public static String name(final int errno)
    {
        return switch (errno)
        {
            case E2BIG -> "E2BIG";
            case ENOTTY -> "ENOTTY";
            default -> Errno.name(errno);
        };
    }
}
