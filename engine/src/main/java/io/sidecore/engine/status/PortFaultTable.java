package io.sidecore.engine.status;

import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortFaultDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The port fault records of the counters file ({@link PortFaultDescriptor}): one slot per port, allocated when the
 * port is created and freed when it is removed, written only by the sidecore that owns the port (a seqlock with one
 * writer) and read lock-free by tools.
 * <p>
 * Allocation and release run on the control thread ({@link #allocate}, {@link Slot#release()} are synchronised on
 * the table); {@link Slot#recordFault} and {@link Slot#clearFault} run on the owning sidecore.
 */
public final class PortFaultTable
{
    private final AtomicBuffer section;
    private final boolean[] inUse;

    /**
     * @param section the port fault section of a counters file ({@link CountersFileDescriptor#createPortFaultsBuffer})
     *                or any zeroed buffer of whole records.
     */
    public PortFaultTable(final AtomicBuffer section)
    {
        this.section = section;
        this.inUse = new boolean[PortFaultDescriptor.slotCount(section.capacity())];
    }

    /**
     * Records in private memory (off the heap, aligned), for an engine without a counters file.
     *
     * @param slots ports the table can hold.
     * @return the table.
     */
    public static PortFaultTable inPrivateMemory(final int slots)
    {
        final int lengthBytes = CountersFileDescriptor.portFaultsLength(slots);
        return new PortFaultTable(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(Math.max(lengthBytes, PortFaultDescriptor.RECORD_LENGTH),
            PortFaultDescriptor.RECORD_LENGTH), 0, lengthBytes));
    }

    /**
     * Give a port a record, cleared (no fault, count 0).
     *
     * @param portId the port.
     * @return its slot.
     * @throws IllegalStateException {@code "port fault records full: slots=<n>"}.
     */
    public synchronized Slot allocate(final int portId)
    {
        for (int slot = 0; slot < inUse.length; slot++)
        {
            if (!inUse[slot])
            {
                inUse[slot] = true;
                final Slot allocated = new Slot(slot, PortFaultDescriptor.recordOffset(slot));
                allocated.write(PortFaultDescriptor.SLOT_IN_USE, portId, PortFault.NO_FAULT_ID, 0, 0L, 0L, 0L);
                return allocated;
            }
        }
        throw new IllegalStateException("port fault records full: slots=" + inUse.length);
    }

    /**
     * @return the section the records live in.
     */
    public AtomicBuffer section()
    {
        return section;
    }

    /**
     * @return ports the table can hold.
     */
    public int slotCount()
    {
        return inUse.length;
    }

    private synchronized void release(final Slot slot)
    {
        slot.write(PortFaultDescriptor.SLOT_FREE, 0, PortFault.NO_FAULT_ID, 0, 0L, 0L, 0L);
        inUse[slot.index] = false;
    }

    /**
     * One port's record.
     */
    public final class Slot
    {
        private final int index;
        private final int recordOffset;
        private int portId;
        private long timestampMs;
        private long faultCount;

        private Slot(final int index, final int recordOffset)
        {
            this.index = index;
            this.recordOffset = recordOffset;
        }

        /**
         * Record a fault. Owning sidecore.
         *
         * @param fault       what the guest did.
         * @param register    BAR0 offset of the register the fault names.
         * @param value       its offending value.
         * @param timestampMs when, epoch ms.
         */
        public void recordFault(final PortFault fault, final int register, final long value, final long timestampMs)
        {
            faultCount++;
            this.timestampMs = timestampMs;
            write(PortFaultDescriptor.SLOT_IN_USE, portId, fault.id(), register, value, timestampMs, faultCount);
        }

        /**
         * The port serves again (device reset): no current fault; the count and the last fault's time stay.
         * Owning sidecore.
         */
        public void clearFault()
        {
            write(PortFaultDescriptor.SLOT_IN_USE, portId, PortFault.NO_FAULT_ID, 0, 0L, timestampMs, faultCount);
        }

        /**
         * Free the record (port removed). Control thread, after the port left its sidecore.
         */
        public void release()
        {
            PortFaultTable.this.release(this);
        }

        /**
         * @return the record's index in the section.
         */
        public int index()
        {
            return index;
        }

        private void write(
            final int slotState,
            final int portId,
            final int faultId,
            final int register,
            final long value,
            final long timestampMs,
            final long faultCount)
        {
            this.portId = portId;
            PortFaultDescriptor.write(
                section, recordOffset, slotState, portId, faultId, register, value, timestampMs, faultCount);
        }
    }
}
