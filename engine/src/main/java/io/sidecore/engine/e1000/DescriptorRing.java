package io.sidecore.engine.e1000;

import io.sidecore.engine.mem.GuestMemory;

/**
 * Validated geometry of one descriptor ring (TX or RX) and the head/tail arithmetic, in one place.
 * <p>
 * The geometry (base, length) is re-read from the register image and validated by {@link #load} whenever the
 * processor starts a pass, so a guest that rewrites TDBAL/TDLEN while enabled cannot make the device use stale or
 * unchecked values. A ring is usable only when its whole descriptor array lies in guest memory (SDM 3.2.6/3.4: the
 * ring is a circular array of 16-byte descriptors, length a multiple of 128 bytes).
 */
public final class DescriptorRing
{
    /** Descriptor size, SDM 3.2.3 / 3.3.3. */
    public static final int DESCRIPTOR_LENGTH = 16;

    /** {@link #load} result: ring usable. */
    public static final int OK = 0;
    /** {@link #load} result: length 0 - nothing to do, not a fault (the ring is simply not set up). */
    public static final int EMPTY_RING = 1;
    /** {@link #load} result: the descriptor array is not inside writable guest memory (the device writes back). */
    public static final int BAD_BASE = 2;

    private long baseGpa;
    private int lengthBytes;
    private int descriptorCount;
    private long hostAddress;

    /**
     * Load and validate geometry.
     *
     * @param dbal        descriptor base low register value.
     * @param dbah        descriptor base high register value.
     * @param dlen        descriptor ring length register value (already masked to 0xFFF80).
     * @param guestMemory where the ring must lie.
     * @return {@link #OK}, {@link #EMPTY_RING} or {@link #BAD_BASE}.
     */
    public int load(final int dbal, final int dbah, final int dlen, final GuestMemory guestMemory)
    {
        baseGpa = ((dbah & 0xFFFFFFFFL) << 32) | (dbal & 0xFFFFFFF0L);
        lengthBytes = dlen & io.sidecore.shm.E1000Registers.DLEN_MASK;
        descriptorCount = lengthBytes / DESCRIPTOR_LENGTH;
        hostAddress = GuestMemory.NO_MAPPING;
        if (0 == descriptorCount)
        {
            return EMPTY_RING;
        }
        hostAddress = guestMemory.translateForWrite(baseGpa, lengthBytes);
        return GuestMemory.NO_MAPPING == hostAddress ? BAD_BASE : OK;
    }

    /**
     * @return descriptors in the ring.
     */
    public int descriptorCount()
    {
        return descriptorCount;
    }

    /**
     * @return ring base guest-physical address.
     */
    public long baseGpa()
    {
        return baseGpa;
    }

    /**
     * @return ring length in bytes.
     */
    public int lengthBytes()
    {
        return lengthBytes;
    }

    /**
     * @param index descriptor index, must be below {@link #descriptorCount()}.
     * @return host address of the descriptor.
     */
    public long descriptorAddress(final int index)
    {
        return hostAddress + (long)index * DESCRIPTOR_LENGTH;
    }

    /**
     * @param index head or tail value from a register.
     * @return true if it names a descriptor of this ring (CVE-2016-1981: a head or tail beyond the ring must never
     *     cause a read).
     */
    public boolean isValidIndex(final int index)
    {
        return index >= 0 && index < descriptorCount;
    }

    /**
     * @param index a valid index.
     * @return the next index, wrapping to 0.
     */
    public int next(final int index)
    {
        final int next = index + 1;
        return next == descriptorCount ? 0 : next;
    }

    /**
     * Descriptors between head and tail (owned by hardware). Both must be valid.
     *
     * @param head head index.
     * @param tail tail index.
     * @return count in {@code [0, descriptorCount)}.
     */
    public int pending(final int head, final int tail)
    {
        final int diff = tail - head;
        return diff >= 0 ? diff : diff + descriptorCount;
    }
}
