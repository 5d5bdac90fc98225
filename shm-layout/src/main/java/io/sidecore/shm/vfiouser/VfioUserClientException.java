package io.sidecore.shm.vfiouser;


/**
 * The server answered a request with an error reply, or a reply QEMU itself would reject.
 */
public final class VfioUserClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param command the request's command.
     * @param errno   the reply's errno (0 when the reply was malformed rather than an error).
     * @param detail  what was wrong.
     */
    public VfioUserClientException(final int command, final int errno, final String detail)
    {
        super(VfioUserCommand.name(command) + " failed" + (0 == errno ? "" : " with " + VfioUserErrno.name(errno)) +
            ": " + detail);
        this.errno = errno;
    }

    /**
     * @return the errno of the error reply, or 0.
     */
    public int errno()
    {
        return errno;
    }
}
