package io.sidecore.shm;

import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.VarHandle;

/**
 * Layout of one port fault record in the counters file's port fault section ({@link CountersFileDescriptor}): the
 * daemon's own record of the {@link PortFault} a port is quarantined by, with the offending register, its value,
 * when it happened and how often the port faulted. The daemon allocates a record per port when the port is created
 * and frees it when the port is removed; only the sidecore that owns the port writes it. Tools read it lock-free.
 * <p>
 * It lives in the counters file, the daemon's own memory, rather than in the port region, which the VMM maps and
 * could forge; the port region only mirrors the state for the guest side
 * ({@link PortRegionDescriptor#PORT_STATE_FIELD_OFFSET}).
 * <pre>
 *   port fault record (native byte order, little-endian on x86-64), one cache line
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |     sequence (64 bits): odd while written, even when stable   | 0
 *   |                         0: the slot was never used            |
 *   +---------------------------------------------------------------+
 *   |               slot state: 0 free, 1 in use                    | 8
 *   +---------------------------------------------------------------+
 *   |                          port id                              | 12
 *   +---------------------------------------------------------------+
 *   |          fault id (PortFault.id(), 0: no fault now)           | 16
 *   +---------------------------------------------------------------+
 *   |           register: BAR0 offset the fault names               | 20
 *   +---------------------------------------------------------------+
 *   |                 value of that register (64 bits)              | 24
 *   +---------------------------------------------------------------+
 *   |         time the fault was recorded, epoch ms (64 bits)       | 32
 *   +---------------------------------------------------------------+
 *   |     faults of this port since its record was allocated (64)   | 40
 *   +---------------------------------------------------------------+
 *   |                       reserved up to 64                       | 48
 *   +---------------------------------------------------------------+
 * </pre>
 * <b>Writer</b> (a seqlock with one writer, {@link #write}): {@link #beginWrite} makes the sequence odd and fences,
 * the writer stores the fields, {@link #endWrite} makes it even again with a release store. A reset clears the fault
 * id, register and value and keeps the count and the time of the last fault.
 * <p>
 * <b>Reader</b>: {@link #read} takes the sequence (acquire), the fields, a load fence and the sequence again, and
 * retries while a write is in progress or happened meanwhile.
 */
public final class PortFaultDescriptor
{
    /** Length of one record: a cache line. */
    public static final int RECORD_LENGTH = LayoutUtil.CACHE_LINE_LENGTH;

    /** Sequence, 64 bits. */
    public static final int SEQUENCE_FIELD_OFFSET;
    /** Slot state ({@link #SLOT_FREE} or {@link #SLOT_IN_USE}). */
    public static final int SLOT_STATE_FIELD_OFFSET;
    /** Port id. */
    public static final int PORT_ID_FIELD_OFFSET;
    /** Fault id, {@link PortFault#NO_FAULT_ID} when the port is not faulted. */
    public static final int FAULT_ID_FIELD_OFFSET;
    /** BAR0 offset of the register the fault names. */
    public static final int REGISTER_FIELD_OFFSET;
    /** Value of that register, 64 bits (a ring base spans two registers). */
    public static final int VALUE_FIELD_OFFSET;
    /** When the last fault was recorded, epoch ms. */
    public static final int TIMESTAMP_FIELD_OFFSET;
    /** Faults recorded for the port since its record was allocated. */
    public static final int FAULT_COUNT_FIELD_OFFSET;

    /** Slot state: not allocated to a port. */
    public static final int SLOT_FREE = 0;
    /** Slot state: allocated to the port in {@link #PORT_ID_FIELD_OFFSET}. */
    public static final int SLOT_IN_USE = 1;

    static
    {
        int offset = 0;
        SEQUENCE_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        SLOT_STATE_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        PORT_ID_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        FAULT_ID_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        REGISTER_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        VALUE_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        TIMESTAMP_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        FAULT_COUNT_FIELD_OFFSET = offset;
    }

    /**
     * One consistent reading of a record.
     *
     * @param slotState   {@link #SLOT_FREE} or {@link #SLOT_IN_USE}.
     * @param portId      the port the slot belongs to.
     * @param faultId     the current fault, {@link PortFault#NO_FAULT_ID} for none.
     * @param register    BAR0 offset of the register the fault names (0 when none).
     * @param value       its value.
     * @param timestampMs when the last fault was recorded, epoch ms (0 if never).
     * @param faultCount  faults since the slot was allocated.
     */
    public record Reading(
        int slotState, int portId, int faultId, int register, long value, long timestampMs, long faultCount)
    {
        /**
         * @return the current fault, or null when the port is not faulted (or the id is unknown to this reader).
         */
        public PortFault fault()
        {
            return PortFault.byId(faultId);
        }
    }

    private PortFaultDescriptor()
    {
    }

    /**
     * @param slot record index in the section.
     * @return byte offset of the record in the section.
     */
    public static int recordOffset(final int slot)
    {
        return slot * RECORD_LENGTH;
    }

    /**
     * @param sectionLength bytes of the section.
     * @return records it holds.
     */
    public static int slotCount(final int sectionLength)
    {
        return sectionLength / RECORD_LENGTH;
    }

    /**
     * Start changing a record: the sequence becomes odd, and the stores that follow cannot be seen before it.
     *
     * @param section      the port fault section.
     * @param recordOffset offset of the record.
     * @return the odd sequence to pass to {@link #endWrite}.
     */
    public static long beginWrite(final AtomicBuffer section, final int recordOffset)
    {
        final long sequence = section.getLong(recordOffset + SEQUENCE_FIELD_OFFSET) | 1L;
        section.putLongRelease(recordOffset + SEQUENCE_FIELD_OFFSET, sequence);
        VarHandle.storeStoreFence();
        return sequence;
    }

    /**
     * Publish the record's new fields: the sequence becomes even (and larger), with a release store.
     *
     * @param section      the port fault section.
     * @param recordOffset offset of the record.
     * @param sequence     what {@link #beginWrite} returned.
     */
    public static void endWrite(final AtomicBuffer section, final int recordOffset, final long sequence)
    {
        section.putLongRelease(recordOffset + SEQUENCE_FIELD_OFFSET, sequence + 1);
    }

    /**
     * Write a whole record under the seqlock ({@link #beginWrite}, the fields, {@link #endWrite}). The record's one
     * writer only.
     *
     * @param section      the port fault section.
     * @param recordOffset offset of the record.
     * @param slotState    {@link #SLOT_FREE} or {@link #SLOT_IN_USE}.
     * @param portId       the port.
     * @param faultId      {@link PortFault#id()}, or {@link PortFault#NO_FAULT_ID}.
     * @param register     BAR0 offset of the register the fault names.
     * @param value        its value.
     * @param timestampMs  when the last fault was recorded, epoch ms.
     * @param faultCount   faults since the slot was allocated.
     */
    public static void write(
        final AtomicBuffer section,
        final int recordOffset,
        final int slotState,
        final int portId,
        final int faultId,
        final int register,
        final long value,
        final long timestampMs,
        final long faultCount)
    {
        final long sequence = beginWrite(section, recordOffset);
        section.putInt(recordOffset + SLOT_STATE_FIELD_OFFSET, slotState);
        section.putInt(recordOffset + PORT_ID_FIELD_OFFSET, portId);
        section.putInt(recordOffset + FAULT_ID_FIELD_OFFSET, faultId);
        section.putInt(recordOffset + REGISTER_FIELD_OFFSET, register);
        section.putLong(recordOffset + VALUE_FIELD_OFFSET, value);
        section.putLong(recordOffset + TIMESTAMP_FIELD_OFFSET, timestampMs);
        section.putLong(recordOffset + FAULT_COUNT_FIELD_OFFSET, faultCount);
        endWrite(section, recordOffset, sequence);
    }

    /**
     * Read a record consistently.
     *
     * @param section     the port fault section.
     * @param slot        record index.
     * @param maxAttempts how often to retry while the writer is busy, at least 1.
     * @return the reading, or null when the slot was never used or no consistent reading was had in
     *         {@code maxAttempts}.
     */
    public static Reading read(final AtomicBuffer section, final int slot, final int maxAttempts)
    {
        final int recordOffset = recordOffset(slot);
        for (int attempt = 0; attempt < maxAttempts; attempt++)
        {
            final long before = section.getLongAcquire(recordOffset + SEQUENCE_FIELD_OFFSET);
            if (0 == before)
            {
                return null;
            }
            if (0 != (before & 1))
            {
                Thread.onSpinWait();
                continue;
            }
            final Reading reading = new Reading(
                section.getInt(recordOffset + SLOT_STATE_FIELD_OFFSET),
                section.getInt(recordOffset + PORT_ID_FIELD_OFFSET),
                section.getInt(recordOffset + FAULT_ID_FIELD_OFFSET),
                section.getInt(recordOffset + REGISTER_FIELD_OFFSET),
                section.getLong(recordOffset + VALUE_FIELD_OFFSET),
                section.getLong(recordOffset + TIMESTAMP_FIELD_OFFSET),
                section.getLong(recordOffset + FAULT_COUNT_FIELD_OFFSET));
            VarHandle.loadLoadFence();
            if (section.getLongVolatile(recordOffset + SEQUENCE_FIELD_OFFSET) == before)
            {
                return reading;
            }
        }
        return null;
    }
}
