package io.sidecore.tools.guest;

import org.agrona.concurrent.AtomicBuffer;

/**
 * What the receive and transmit rings of Linux e1000 have in common ({@code struct e1000_rx_ring},
 * {@code struct e1000_tx_ring}): the descriptors in guest RAM (the ring rounded up to 4 KiB and page aligned), one
 * preallocated buffer per descriptor, and the {@code next_to_use} / {@code next_to_clean} indices with
 * {@code E1000_DESC_UNUSED}. Allocation-free after construction.
 */
abstract class GuestRing
{
    /** Guest RAM. */
    protected final AtomicBuffer memory;
    /** Descriptors in the ring. */
    protected final int count;
    /** Guest-physical address of descriptor 0. */
    protected final long ringGpa;
    /** Offset of descriptor 0 in {@link #memory}. */
    protected final int ringOffset;
    /** Guest-physical address of buffer 0. */
    protected final long buffersGpa;
    /** Offset of buffer 0 in {@link #memory}. */
    protected final int buffersOffset;
    /** Size of every buffer. */
    protected final int bufferBytes;
    private final int descriptorBytes;
    /** Next descriptor the driver fills. */
    protected int nextToUse;
    /** Oldest descriptor the driver has not reclaimed. */
    protected int nextToClean;

    /**
     * Allocate the ring and its buffers in guest RAM. Subclasses call {@link #clearRing()} (through their reset)
     * once their own state exists.
     *
     * @param ram             guest RAM.
     * @param count           descriptors.
     * @param descriptorBytes bytes per descriptor.
     * @param bufferBytes     bytes per buffer.
     */
    GuestRing(final GuestRam ram, final int count, final int descriptorBytes, final int bufferBytes)
    {
        this.memory = ram.buffer();
        this.count = count;
        this.descriptorBytes = descriptorBytes;
        this.bufferBytes = bufferBytes;
        // Linux rounds the ring to 4 KiB and allocates it page aligned.
        this.ringGpa = ram.allocate(align4k(count * descriptorBytes), 4096);
        this.ringOffset = ram.offset(ringGpa, count * descriptorBytes);
        this.buffersGpa = ram.allocate(count * bufferBytes, 64);
        this.buffersOffset = ram.offset(buffersGpa, count * bufferBytes);
    }

    static int align4k(final int bytes)
    {
        return (bytes + 4095) & ~4095;
    }

    /**
     * Zero the descriptors and both indices.
     */
    protected final void clearRing()
    {
        memory.setMemory(ringOffset, count * descriptorBytes, (byte)0);
        nextToUse = 0;
        nextToClean = 0;
    }

    /**
     * Linux {@code E1000_DESC_UNUSED}: free descriptors, always leaving one so that head never meets tail.
     *
     * @return descriptors the driver may fill.
     */
    int unused()
    {
        return (nextToClean > nextToUse ? 0 : count) + nextToClean - nextToUse - 1;
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
}
