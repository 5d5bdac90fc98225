package io.sidecore.launcher.daemon;

/**
 * The daemon cannot start, for a reason the operator must fix (another daemon on the same control socket, a
 * directory owned by another user, a port declared in the file that cannot be created). The message is the one line
 * printed before the daemon exits with status 1.
 */
public final class DaemonStartException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the reason, for people.
     * @param cause   what failed, or null.
     */
    public DaemonStartException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
