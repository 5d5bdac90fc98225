package io.sidecore.launcher.control;

/**
 * A control request that cannot be carried out, with the protocol's error code ({@code ControlProtocol.E_*}) and a
 * reason for people; it becomes the error response, and the daemon goes on.
 */
public final class ControlException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final String code;

    /**
     * @param code    a {@code ControlProtocol.E_*} code.
     * @param message the reason.
     */
    public ControlException(final String code, final String message)
    {
        super(message);
        this.code = code;
    }

    /**
     * @param code    a {@code ControlProtocol.E_*} code.
     * @param message the reason.
     * @param cause   what failed.
     */
    public ControlException(final String code, final String message, final Throwable cause)
    {
        super(message, cause);
        this.code = code;
    }

    /**
     * @return the error code.
     */
    public String code()
    {
        return code;
    }
}
