package io.sidecore.engine.proxy;

/**
 * A sidecore refused a port because it serves its maximum of ports ({@code maxPortsPerSidecore}): nothing was
 * created. The cause of the exception the proxy's add throws, so a caller can tell "no room" from other refusals.
 */
public final class SidecoreFullException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message which sidecore, and the setting that bounds it.
     */
    public SidecoreFullException(final String message)
    {
        super(message);
    }
}
