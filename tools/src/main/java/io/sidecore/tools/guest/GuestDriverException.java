package io.sidecore.tools.guest;

/**
 * The driver gave up, as Linux e1000 would fail probe or open: the message says what the device answered and what
 * was expected.
 */
public final class GuestDriverException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with the observed and expected values.
     */
    public GuestDriverException(final String message)
    {
        super(message);
    }
}
