package io.sidecore.engine.proxy;

/**
 * An add that failed after its sidecore took the port and that was undone, except on a sidecore the port had been
 * announced to (or may have been), which did not take the port's leaving: the port is not served and what it used
 * (backend, counters, fault slot, id) is freed, but that sidecore may still hold the port's switch slot, so the slot
 * is quarantined: handed to no other port (whose announcement that sidecore would refuse, "slot already in use")
 * until that sidecore ran the slot's leaving, offered to it again without waiting. Nothing the caller brought is in
 * use; the add may be retried. The first failure is the cause, the undo's is suppressed.
 */
public final class SwitchSlotQuarantinedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final int switchSlot;

    /**
     * @param switchSlot the slot quarantined.
     * @param message    what failed and what is left.
     * @param cause      the add's first failure.
     */
    public SwitchSlotQuarantinedException(final int switchSlot, final String message, final Throwable cause)
    {
        super(message, cause);
        this.switchSlot = switchSlot;
    }

    /**
     * @return the switch slot that is never allocated again.
     */
    public int switchSlot()
    {
        return switchSlot;
    }
}
