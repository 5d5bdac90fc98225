package io.sidecore.tools.guest;

import io.sidecore.shm.CsbDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The guest's side of the Communication Status Block ({@link CsbDescriptor}): a block in guest RAM whose
 * guest-written group the model fills and whose host-written group it only reads. Stores of the guest's fields are
 * volatile so that a following load of a host flag is ordered after them (the full fence the kick protocol needs).
 */
final class GuestCsb
{
    private final AtomicBuffer memory;
    private final long gpa;
    private final int offset;

    GuestCsb(final GuestRam ram)
    {
        this.memory = ram.buffer();
        this.gpa = ram.allocate(CsbDescriptor.CSB_LENGTH, CsbDescriptor.CSB_ALIGNMENT);
        this.offset = ram.offset(gpa, CsbDescriptor.CSB_LENGTH);
    }

    /**
     * Zero the block and write the guest group, version last with a release store (registration, step 1).
     *
     * @param txTail the tail last written to TDT.
     * @param rxTail the tail last written to RDT.
     */
    void initialise(final int txTail, final int rxTail)
    {
        memory.setMemory(offset, CsbDescriptor.CSB_LENGTH, (byte)0);
        memory.putInt(offset + CsbDescriptor.GUEST_TDT_FIELD_OFFSET, txTail);
        memory.putInt(offset + CsbDescriptor.GUEST_RDT_FIELD_OFFSET, rxTail);
        memory.putInt(offset + CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        // The RX ring starts empty: ask to be interrupted for the first frame.
        memory.putInt(offset + CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        memory.putInt(offset + CsbDescriptor.MAGIC_FIELD_OFFSET, CsbDescriptor.MAGIC);
        memory.putIntRelease(offset + CsbDescriptor.VERSION_FIELD_OFFSET, CsbDescriptor.CSB_VERSION);
    }

    long gpa()
    {
        return gpa;
    }

    int offset()
    {
        return offset;
    }

    boolean isServedByHost()
    {
        return CsbDescriptor.isServedByHost(memory.getIntVolatile(offset + CsbDescriptor.HOST_VERSION_FIELD_OFFSET));
    }

    void guestTdt(final int tail)
    {
        memory.putIntVolatile(offset + CsbDescriptor.GUEST_TDT_FIELD_OFFSET, tail);
    }

    void guestRdt(final int tail)
    {
        memory.putIntVolatile(offset + CsbDescriptor.GUEST_RDT_FIELD_OFFSET, tail);
    }

    void guestNeedTxKick(final int flag)
    {
        memory.putIntVolatile(offset + CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET, flag);
    }

    void guestNeedRxKick(final int flag)
    {
        memory.putIntVolatile(offset + CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, flag);
    }

    int guestTdt()
    {
        return memory.getIntVolatile(offset + CsbDescriptor.GUEST_TDT_FIELD_OFFSET);
    }

    int guestRdt()
    {
        return memory.getIntVolatile(offset + CsbDescriptor.GUEST_RDT_FIELD_OFFSET);
    }

    int guestNeedTxKick()
    {
        return memory.getIntVolatile(offset + CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET);
    }

    int guestNeedRxKick()
    {
        return memory.getIntVolatile(offset + CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET);
    }

    boolean hostNeedsTxKick()
    {
        return CsbDescriptor.NEED_KICK ==
            memory.getIntVolatile(offset + CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET);
    }

    boolean hostNeedsRxKick()
    {
        return CsbDescriptor.NEED_KICK ==
            memory.getIntVolatile(offset + CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET);
    }

    int hostRdh()
    {
        return memory.getIntVolatile(offset + CsbDescriptor.HOST_RDH_FIELD_OFFSET);
    }

    int hostTdh()
    {
        return memory.getIntVolatile(offset + CsbDescriptor.HOST_TDH_FIELD_OFFSET);
    }
}
