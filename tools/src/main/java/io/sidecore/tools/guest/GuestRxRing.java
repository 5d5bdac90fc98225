package io.sidecore.tools.guest;

import io.sidecore.shm.E1000RxDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The receive ring as Linux e1000 keeps it on its non-jumbo path ({@code e1000_clean_rx_irq},
 * {@code e1000_alloc_rx_buffers}): descriptors in guest RAM, one preallocated buffer per descriptor,
 * {@code next_to_clean} (next descriptor to harvest) and {@code next_to_use} (next to refill). RDT is written as the
 * index of the last refilled descriptor, so one filled buffer is always held back, exactly as Linux does. Frames
 * that span several descriptors are dropped (all receives must fit one buffer), frames with CE/SE/SEQ/CXE/RXE are
 * dropped. Allocation-free after construction.
 */
final class GuestRxRing
{
    /** Linux returns buffers to the device every 16 harvested descriptors ({@code E1000_RX_BUFFER_WRITE}). */
    static final int RX_BUFFER_WRITE = 16;
    /** Linux {@code E1000_RXD_ERR_FRAME_ERR_MASK}: CE | SE | SEQ | CXE | RXE. */
    static final int FRAME_ERROR_MASK = E1000RxDescriptor.ERR_CE | E1000RxDescriptor.ERR_SE |
        E1000RxDescriptor.ERR_SEQ | E1000RxDescriptor.ERR_CXE | E1000RxDescriptor.ERR_RXE;
    /** Bytes of FCS the device counts in the length when RCTL.SECRC is clear. */
    static final int FCS_BYTES = 4;

    private final AtomicBuffer memory;
    private final int count;
    private final long ringGpa;
    private final int ringOffset;
    private final long buffersGpa;
    private final int buffersOffset;
    private final int bufferBytes;
    private final TailPublisher publisher;
    private int nextToUse;
    private int nextToClean;
    private boolean discarding;
    private long frames;
    private long bytes;
    private long frameErrors;
    private long multiDescriptorDrops;
    private long runts;

    GuestRxRing(final GuestRam ram, final int count, final int bufferBytes, final TailPublisher publisher)
    {
        this.memory = ram.buffer();
        this.count = count;
        this.bufferBytes = bufferBytes;
        this.publisher = publisher;
        this.ringGpa = ram.allocate(GuestTxRing.align4k(count * E1000RxDescriptor.LENGTH), 4096);
        this.ringOffset = ram.offset(ringGpa, count * E1000RxDescriptor.LENGTH);
        this.buffersGpa = ram.allocate(count * bufferBytes, 64);
        this.buffersOffset = ram.offset(buffersGpa, count * bufferBytes);
        reset();
    }

    /**
     * Empty the ring and zero the descriptors.
     */
    void reset()
    {
        memory.setMemory(ringOffset, count * E1000RxDescriptor.LENGTH, (byte)0);
        nextToUse = 0;
        nextToClean = 0;
        discarding = false;
    }

    /**
     * @return {@code E1000_DESC_UNUSED}: descriptors that may be refilled.
     */
    int unused()
    {
        return (nextToClean > nextToUse ? 0 : count) + nextToClean - nextToUse - 1;
    }

    /**
     * Linux {@code e1000_alloc_rx_buffers}: refill {@code cleanedCount} descriptors from {@code next_to_use} and
     * publish RDT = index of the last one refilled.
     *
     * @param cleanedCount descriptors to refill.
     */
    void allocBuffers(final int cleanedCount)
    {
        int index = nextToUse;
        for (int i = 0; i < cleanedCount; i++)
        {
            Descriptors.putRx(memory, ringOffset + index * E1000RxDescriptor.LENGTH, bufferGpa(index));
            index = next(index);
        }
        if (index != nextToUse)
        {
            nextToUse = index;
            publisher.publishRxTail(0 == index ? count - 1 : index - 1);
        }
    }

    /**
     * Harvest completed descriptors in ring order, at most {@code budget}, handing good frames to {@code handler}
     * and returning buffers to the device every {@link #RX_BUFFER_WRITE} descriptors and at the end.
     *
     * @param budget        most descriptors to look at.
     * @param stripFcs      the device counted the FCS in the length (RCTL.SECRC clear).
     * @param handler       receives each good frame.
     * @return descriptors harvested (Linux's {@code work_done}).
     */
    int poll(final int budget, final boolean stripFcs, final GuestFrameHandler handler)
    {
        int index = nextToClean;
        int workDone = 0;
        int cleanedCount = 0;
        while (workDone < budget)
        {
            final int descriptorOffset = ringOffset + index * E1000RxDescriptor.LENGTH;
            final int statusWord = Descriptors.rxStatusWord(memory, descriptorOffset);
            final int status = statusWord & 0xFF;
            if (0 == (status & E1000RxDescriptor.STA_DD))
            {
                break;
            }
            workDone++;
            final int errors = (statusWord >>> 8) & 0xFF;
            final int special = statusWord >>> 16;
            final int length = Descriptors.rxLength(memory, descriptorOffset);
            final int current = index;
            index = next(index);
            cleanedCount++;

            if (0 == (status & E1000RxDescriptor.STA_EOP))
            {
                // A frame larger than one buffer: the non-jumbo path throws the whole chain away.
                discarding = true;
            }
            if (discarding)
            {
                if (0 != (status & E1000RxDescriptor.STA_EOP))
                {
                    discarding = false;
                    multiDescriptorDrops++;
                }
            }
            else if (0 != (errors & FRAME_ERROR_MASK))
            {
                frameErrors++;
            }
            else
            {
                final int frameBytes = stripFcs ? length - FCS_BYTES : length;
                if (frameBytes <= 0 || frameBytes > bufferBytes)
                {
                    runts++;
                }
                else
                {
                    frames++;
                    bytes += frameBytes;
                    handler.onFrame(memory, buffersOffset + current * bufferBytes, frameBytes, status, special);
                }
            }
            // Linux clears the status so the slot reads as not done until the device writes it again.
            memory.putInt(descriptorOffset + E1000RxDescriptor.STATUS_OFFSET, 0);
            if (cleanedCount >= RX_BUFFER_WRITE)
            {
                allocBuffers(cleanedCount);
                cleanedCount = 0;
            }
        }
        nextToClean = index;
        final int unused = unused();
        if (unused > 0)
        {
            allocBuffers(unused);
        }
        return workDone;
    }

    /**
     * @return true when the next descriptor to harvest has DD.
     */
    boolean hasWork()
    {
        final int statusWord = Descriptors.rxStatusWord(memory, ringOffset + nextToClean * E1000RxDescriptor.LENGTH);
        return 0 != (statusWord & E1000RxDescriptor.STA_DD);
    }

    int next(final int index)
    {
        final int next = index + 1;
        return next == count ? 0 : next;
    }

    long bufferGpa(final int index)
    {
        return buffersGpa + (long)index * bufferBytes;
    }

    int count()
    {
        return count;
    }

    long ringGpa()
    {
        return ringGpa;
    }

    int ringOffset()
    {
        return ringOffset;
    }

    int nextToUse()
    {
        return nextToUse;
    }

    int nextToClean()
    {
        return nextToClean;
    }

    long frames()
    {
        return frames;
    }

    long bytes()
    {
        return bytes;
    }

    long frameErrors()
    {
        return frameErrors;
    }

    long multiDescriptorDrops()
    {
        return multiDescriptorDrops;
    }

    long runts()
    {
        return runts;
    }
}
