package io.sidecore.tools.e2e;

/**
 * A step of the end-to-end run could not be done: the message says what, and why, with the evidence (command
 * output, console tail) a reader needs to act on it. Caught per check, so one failure becomes one
 * {@code E2E FAIL} line and the run goes on where it can.
 */
public final class E2eException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and why.
     */
    public E2eException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed and why.
     * @param cause   the underlying exception.
     */
    public E2eException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
