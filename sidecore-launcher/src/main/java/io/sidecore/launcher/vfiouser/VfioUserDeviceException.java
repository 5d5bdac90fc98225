package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserErrno;

/**
 * A {@link VfioUserDevice} refuses or cannot complete a request; the server answers the message with
 * {@link #errno()} and keeps serving.
 */
public final class VfioUserDeviceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param errno   positive errno for the reply ({@link VfioUserErrno}).
     * @param message what went wrong, for the log.
     */
    public VfioUserDeviceException(final int errno, final String message)
    {
        super(message + " (" + VfioUserErrno.name(errno) + ")");
        this.errno = errno;
    }

    /**
     * @return the errno to reply with.
     */
    public int errno()
    {
        return errno;
    }
}
