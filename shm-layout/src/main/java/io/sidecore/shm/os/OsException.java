package io.sidecore.shm.os;

/**
 * A failed system call: names the call and its arguments, the errno, its symbolic name and the {@code strerror}
 * text, e.g. {@code TUNSETIFF(name=tap0) failed: EPERM (Operation not permitted)}.
 */
public final class OsException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;

    /**
     * @param operation what was attempted, with its arguments.
     * @param errno     errno captured after the call.
     */
    public OsException(final String operation, final int errno)
    {
        super(operation + " failed: " + Errno.name(errno) + " (" + LibC.strerror(errno) + ")");
        this.errno = errno;
        this.operation = operation;
    }

    /**
     * @param operation what was attempted.
     * @param errno     errno.
     * @param hint      what the operator can do about it.
     */
    public OsException(final String operation, final int errno, final String hint)
    {
        super(operation + " failed: " + Errno.name(errno) + " (" + LibC.strerror(errno) + "); " + hint);
        this.errno = errno;
        this.operation = operation;
    }

    /**
     * @return errno of the failed call.
     */
    public int errno()
    {
        return errno;
    }

    /**
     * @return the operation that failed.
     */
    public String operation()
    {
        return operation;
    }
}
