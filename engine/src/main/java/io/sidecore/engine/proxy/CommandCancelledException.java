package io.sidecore.engine.proxy;

/**
 * A control call whose command the sidecore did not start within the command timeout (its queue stayed full, or it
 * was busy or wedged in an earlier command): the command was cancelled and will never run, and any step of the same
 * call that other sidecores had taken was undone, so the call changed nothing. What the caller brought for it is its
 * own again, and the call may be retried.
 */
public final class CommandCancelledException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was not started, by which sidecore, and within what time.
     */
    public CommandCancelledException(final String message)
    {
        super(message);
    }

    /**
     * @param message what was undone.
     * @param cause   the cancellation that made the call undo its other steps.
     */
    public CommandCancelledException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
