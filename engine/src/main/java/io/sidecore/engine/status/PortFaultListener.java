package io.sidecore.engine.status;

import io.sidecore.shm.PortFault;

/**
 * Told when a port is quarantined by a {@link PortFault} and when a device reset lifts the quarantine. The daemon
 * logs through it; the engine itself publishes every fault in the counters file ({@link PortFaultPublisher}).
 * <p>
 * Called on the sidecore thread that owns the port, once per fault: an implementation must not block (hand the
 * event to a logger that queues, as the daemon's does).
 */
public interface PortFaultListener
{
    /** A listener that does nothing. */
    PortFaultListener NONE = new PortFaultListener()
    {
        public void onPortFault(
            final int portId, final String portName, final PortFault fault, final int register, final long value)
        {
        }
    };

    /**
     * The port stopped serving its rings until a device reset.
     *
     * @param portId   the port's id.
     * @param portName the port's name.
     * @param fault    what the guest did.
     * @param register BAR0 offset of the register the fault names.
     * @param value    the register's offending value.
     */
    void onPortFault(int portId, String portName, PortFault fault, int register, long value);

    /**
     * A device reset cleared the port's fault: it serves again.
     *
     * @param portId   the port's id.
     * @param portName the port's name.
     */
    default void onPortFaultCleared(final int portId, final String portName)
    {
    }
}
