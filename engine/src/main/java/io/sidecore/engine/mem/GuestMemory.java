package io.sidecore.engine.mem;

import java.lang.foreign.MemorySegment;

/**
 * The guest-physical address space one port may DMA into: a small table of RAM regions, each a guest-physical base
 * and a native {@link MemorySegment} (shared memory mapped from the VMM, or an arena segment in tests).
 * <p>
 * Every guest address and length is checked here, by this code, with overflow-safe arithmetic before any access;
 * Agrona's bounds checks can be switched off and are never relied upon. Device MMIO is never in the table, so a
 * guest that points a DMA at the device's own registers (CVE-2021-20257 (b), CVE-2021-3416) gets
 * {@link #NO_MAPPING}.
 * <p>
 * Regions are added before the port starts; the translation path allocates nothing.
 */
public final class GuestMemory
{
    /** Returned by {@link #translate(long, long)} when the range is not wholly inside one region. */
    public static final long NO_MAPPING = 0L;

    /** Upper bound on regions per guest (QEMU presents RAM below and above the PCI hole, plus hotplug). */
    public static final int MAX_REGIONS = 16;

    private final long[] gpaBases = new long[MAX_REGIONS];
    private final long[] lengthsBytes = new long[MAX_REGIONS];
    private final long[] hostAddresses = new long[MAX_REGIONS];
    private final MemorySegment[] segments = new MemorySegment[MAX_REGIONS];
    private int regionCount;

    /**
     * Add a region. Regions must not overlap.
     *
     * @param gpaBase guest-physical address of the first byte.
     * @param segment native segment holding the region's bytes.
     * @throws IllegalArgumentException on overlap, wrap-around, a heap segment or a full table.
     */
    public void addRegion(final long gpaBase, final MemorySegment segment)
    {
        if (!segment.isNative())
        {
            throw new IllegalArgumentException("guest memory region must be a native segment");
        }
        final long lengthBytes = segment.byteSize();
        if (lengthBytes <= 0)
        {
            throw new IllegalArgumentException("guest memory region is empty: gpa=0x" + Long.toHexString(gpaBase));
        }
        if (gpaBase < 0 || Long.MAX_VALUE - gpaBase < lengthBytes)
        {
            throw new IllegalArgumentException("guest memory region wraps: gpa=0x" + Long.toHexString(gpaBase) +
                " length=" + lengthBytes);
        }
        if (regionCount == MAX_REGIONS)
        {
            throw new IllegalArgumentException("too many guest memory regions: max=" + MAX_REGIONS);
        }
        for (int i = 0; i < regionCount; i++)
        {
            final boolean disjoint = gpaBase + lengthBytes <= gpaBases[i] || gpaBases[i] + lengthsBytes[i] <= gpaBase;
            if (!disjoint)
            {
                throw new IllegalArgumentException("guest memory regions overlap: gpa=0x" +
                    Long.toHexString(gpaBase) + " and gpa=0x" + Long.toHexString(gpaBases[i]));
            }
        }
        gpaBases[regionCount] = gpaBase;
        lengthsBytes[regionCount] = lengthBytes;
        hostAddresses[regionCount] = segment.address();
        segments[regionCount] = segment;
        regionCount++;
    }

    /**
     * Translate a guest-physical range to a host address.
     *
     * @param gpa         guest-physical address (any 64-bit value, treated as unsigned).
     * @param lengthBytes length of the access, 0..Integer.MAX_VALUE.
     * @return the host address of {@code gpa}, or {@link #NO_MAPPING} unless {@code [gpa, gpa + lengthBytes)} lies
     *     wholly inside one region.
     */
    public long translate(final long gpa, final long lengthBytes)
    {
        if (lengthBytes < 0 || gpa < 0)
        {
            return NO_MAPPING;
        }
        for (int i = 0; i < regionCount; i++)
        {
            final long base = gpaBases[i];
            if (gpa >= base)
            {
                final long offset = gpa - base;
                final long regionLength = lengthsBytes[i];
                if (offset < regionLength && lengthBytes <= regionLength - offset)
                {
                    return hostAddresses[i] + offset;
                }
            }
        }
        return NO_MAPPING;
    }

    /**
     * @return number of regions.
     */
    public int regionCount()
    {
        return regionCount;
    }

    /**
     * @param index region index.
     * @return the segment of that region.
     */
    public MemorySegment segment(final int index)
    {
        return segments[index];
    }

    /**
     * @param index region index.
     * @return guest-physical base of that region.
     */
    public long gpaBase(final int index)
    {
        return gpaBases[index];
    }
}
