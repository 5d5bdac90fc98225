package io.sidecore.tools.stat;

/**
 * An expected failure of {@code sidecore stat} (file missing, not ready, invalid): reported as one line on stderr,
 * never with a stack trace, so it carries none.
 */
final class StatException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the one line shown to the operator.
     */
    StatException(final String message)
    {
        super(message, null, false, false);
    }
}
