package io.sidecore.engine.e1000;

import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.PortFaultListener;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;

/**
 * Whether one port is quarantined, and by which {@link PortFault}: the TX and RX processors raise a fault when a ring
 * cannot be trusted, and from then on the port moves nothing until a device reset clears it.
 * <p>
 * The first fault wins and is counted once in {@link PortCounter#RING_FAULTS} and told once to the listener (which
 * records it in the counters file and the port region and logs it); later ones change nothing until the reset.
 * Owning sidecore only.
 */
public final class PortFaultState
{
    private final PortConfig config;
    private final PortCounters counters;
    private final PortFaultListener listener;
    private PortFault fault;
    private int register;
    private long value;

    /**
     * @param config   the port, named in what the listener is told.
     * @param counters where {@link PortCounter#RING_FAULTS} is counted.
     * @param listener told of every fault and of every reset that clears one.
     */
    PortFaultState(final PortConfig config, final PortCounters counters, final PortFaultListener listener)
    {
        this.config = config;
        this.counters = counters;
        this.listener = listener;
    }

    /**
     * Quarantine the port, unless it already is.
     *
     * @param fault    what the guest did.
     * @param register BAR0 offset of the register the fault names.
     * @param value    the register's offending value.
     */
    void raise(final PortFault fault, final int register, final long value)
    {
        if (null != this.fault)
        {
            return;
        }
        this.fault = fault;
        this.register = register;
        this.value = value;
        counters.increment(PortCounter.RING_FAULTS);
        listener.onPortFault(config.portId(), config.name(), fault, register, value);
    }

    /**
     * Lift the quarantine (device reset).
     */
    void clear()
    {
        if (null == fault)
        {
            return;
        }
        fault = null;
        register = 0;
        value = 0;
        listener.onPortFaultCleared(config.portId(), config.name());
    }

    /**
     * @return true while the port is quarantined.
     */
    public boolean isFaulted()
    {
        return null != fault;
    }

    /**
     * @return the fault, or null when the port serves.
     */
    public PortFault fault()
    {
        return fault;
    }

    /**
     * @return BAR0 offset of the register the fault names (0 when not faulted).
     */
    public int register()
    {
        return register;
    }

    /**
     * @return the register's offending value (0 when not faulted).
     */
    public long value()
    {
        return value;
    }
}
