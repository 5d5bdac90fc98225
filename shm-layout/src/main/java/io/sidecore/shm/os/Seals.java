package io.sidecore.shm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * File seals ({@code fcntl(2)} {@code F_ADD_SEALS}/{@code F_GET_SEALS}, memfds only): promises the kernel enforces on
 * every holder of the file. A process that maps another process's memory must know it cannot shrink: touching a page
 * past the end of a truncated file raises SIGBUS, which the JVM does not survive. {@link #F_SEAL_SHRINK} rules that
 * out (QEMU's {@code memory-backend-memfd} sets it with its default {@code seal=on}).
 */
public final class Seals
{
    /** {@code fcntl} command: add seals. */
    public static final int F_ADD_SEALS = 1033;
    /** {@code fcntl} command: read seals. */
    public static final int F_GET_SEALS = 1034;
    /** Seal: no further seals may be added. */
    public static final int F_SEAL_SEAL = 0x0001;
    /** Seal: the file cannot shrink. */
    public static final int F_SEAL_SHRINK = 0x0002;
    /** Seal: the file cannot grow. */
    public static final int F_SEAL_GROW = 0x0004;
    /** Seal: the contents cannot be written. */
    public static final int F_SEAL_WRITE = 0x0008;

    private Seals()
    {
    }

    /**
     * @param fd a descriptor.
     * @return its seals.
     * @throws OsException EINVAL when the file does not support seals (not a memfd, or created without
     *                     {@code MFD_ALLOW_SEALING} on old kernels), EBADF for a bad descriptor.
     */
    public static int get(final int fd)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final int seals = LibC.fcntl(state, fd, F_GET_SEALS, 0);
            if (seals < 0)
            {
                throw new OsException("fcntl(fd=" + fd + ", F_GET_SEALS)", LibC.errno(state));
            }
            return seals;
        }
    }

    /**
     * @param fd    a memfd created with {@code MFD_ALLOW_SEALING}.
     * @param seals the {@code F_SEAL_*} bits to add.
     * @throws OsException EPERM when sealing was not allowed or is sealed off, EBUSY for a write seal over writable
     *                     mappings.
     */
    public static void add(final int fd, final int seals)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            if (LibC.fcntl(state, fd, F_ADD_SEALS, seals) < 0)
            {
                throw new OsException("fcntl(fd=" + fd + ", F_ADD_SEALS, 0x" + Integer.toHexString(seals) + ")",
                    LibC.errno(state));
            }
        }
    }
}
