package io.sidecore.engine.proxy;

import io.sidecore.engine.port.Port;

/**
 * An add that failed after its sidecore took the port (another sidecore's switch did not take its announcement),
 * and whose undo did not finish either: the port's own sidecore did not let it go. The proxy keeps the port listed
 * as added, with its backend, counters and switch slot, so nothing its sidecore may use is freed; the caller gets
 * the port's handle here, so it can remember the port and finish it with {@link EngineProxy#removePort} (which
 * tolerates sidecores that never learnt of it). The first failure is the cause, the undo's is suppressed.
 */
public final class PortKeptAfterFailedAddException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /** Not serialised: the handle is meaningful only in this process. */
    private final transient Port port;
    private final boolean outcomeUnknown;

    /**
     * @param port           the port the proxy keeps listed.
     * @param outcomeUnknown whether a step (the add's or its undo's) may still be running on a sidecore.
     * @param message        what failed and what is left.
     * @param cause          the add's first failure.
     */
    public PortKeptAfterFailedAddException(
        final Port port, final boolean outcomeUnknown, final String message, final Throwable cause)
    {
        super(message, cause);
        this.port = port;
        this.outcomeUnknown = outcomeUnknown;
    }

    /**
     * @return the port the proxy keeps listed as added: {@link EngineProxy#removePort} finishes it.
     */
    public Port port()
    {
        return port;
    }

    /**
     * @return whether a step of the add or its undo may still be running (a {@link CommandOutcomeUnknownException}):
     *         otherwise every step either ran or was cancelled, and the port is known to be served by its own
     *         sidecore only.
     */
    public boolean outcomeUnknown()
    {
        return outcomeUnknown;
    }
}
