package io.sidecore.engine.status;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.util.Locale;

/**
 * Where one port's faults go, once each: the port's record in the counters file (the daemon's own memory, which
 * tools read), the port region's header (a mirror for the guest side, {@link PortRegionDescriptor#publishFault}), the
 * counters file's error log, and the daemon's listener. A device reset clears the record and the mirror.
 * <p>
 * Runs on the owning sidecore. A fault is rare (the port stops until the guest resets it, and a reset is a trapped
 * access), so recording it may read the wall clock and build the error log entry.
 */
public final class PortFaultPublisher implements PortFaultListener
{
    private final PortFaultTable.Slot record;
    private final AtomicBuffer portHeader;
    private final DistinctErrorLog errorLog;
    private final PortFaultListener listener;
    private final EpochClock epochClock;

    /**
     * @param record     the port's record in the counters file.
     * @param portHeader the port region's header to mirror the state into, or null when the port has none.
     * @param errorLog   the counters file's error log, or null when there is no counters file.
     * @param listener   the daemon's listener.
     * @param epochClock wall clock for the record's timestamp.
     */
    public PortFaultPublisher(
        final PortFaultTable.Slot record,
        final AtomicBuffer portHeader,
        final DistinctErrorLog errorLog,
        final PortFaultListener listener,
        final EpochClock epochClock)
    {
        this.record = record;
        this.portHeader = portHeader;
        this.errorLog = errorLog;
        this.listener = listener;
        this.epochClock = epochClock;
    }

    /**
     * {@inheritDoc}
     */
    public void onPortFault(
        final int portId, final String portName, final PortFault fault, final int register, final long value)
    {
        record.recordFault(fault, register, value, epochClock.time());
        if (null != portHeader)
        {
            PortRegionDescriptor.publishFault(portHeader, fault.id(), register, value);
        }
        if (null != errorLog)
        {
            errorLog.record(new PortFaultException(describe(portId, portName, fault, register, value)));
        }
        listener.onPortFault(portId, portName, fault, register, value);
    }

    /**
     * {@inheritDoc}
     */
    public void onPortFaultCleared(final int portId, final String portName)
    {
        record.clearFault();
        if (null != portHeader)
        {
            PortRegionDescriptor.clearFault(portHeader);
        }
        listener.onPortFaultCleared(portId, portName);
    }

    /**
     * @return index of the port's record in the counters file's port fault section.
     */
    public int recordIndex()
    {
        return record.index();
    }

    /**
     * Free the port's record in the counters file (the port was removed). Control thread, after the port left its
     * sidecore.
     */
    public void release()
    {
        record.release();
    }

    /**
     * The one line that says what a fault is, for logs: port, fault name, description, register and value.
     *
     * @param portId   the port's id.
     * @param portName the port's name.
     * @param fault    the fault.
     * @param register BAR0 offset of the register it names.
     * @param value    the register's value.
     * @return {@code "port g0 (id 0) faulted: tx_tail_beyond_ring (TDT names no descriptor of the TX ring; value:
     *         TDT): TDT (0x03818) = 0x400"}.
     */
    public static String describe(
        final int portId, final String portName, final PortFault fault, final int register, final long value)
    {
        return "port " + portName + " (id " + portId + ") faulted: " + fault.faultName() + " (" +
            fault.description() + "): " + E1000Registers.registerName(register) + " (0x" +
            String.format(Locale.ROOT, "%05X", register) + ") = 0x" + Long.toHexString(value);
    }

    /**
     * A port fault as the error log records it: the message is the whole story, a stack trace would only say where
     * the engine noticed it.
     */
    static final class PortFaultException extends Exception
    {
        private static final long serialVersionUID = 1L;

        PortFaultException(final String message)
        {
            super(message, null, false, false);
        }
    }
}
