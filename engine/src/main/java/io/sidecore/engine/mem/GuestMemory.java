package io.sidecore.engine.mem;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The guest-physical address space one port may DMA into, as the VMM maps it: any number of
 * {@link GuestMemoryRegion}s (RAM below and above the PCI hole, ROMs, ranges announced without a file), added,
 * removed and replaced as a vfio-user DMA_MAP/DMA_UNMAP stream or a native attach describes them.
 * <p>
 * <b>Translation.</b> Every guest address and length the device uses goes through {@link #translateForRead} or
 * {@link #translateForWrite} first, checked here, by this code, with overflow-safe arithmetic (Agrona's bounds checks
 * can be switched off and are never relied upon). A range is translated only when it lies wholly inside one region
 * the daemon has mapped and that grants the access: a write into a read-only region (BIOS and option ROMs, which QEMU
 * maps READ only) is refused. Everything else returns {@link #NO_MAPPING} and counts one {@link Rejection}, so the
 * caller completes its descriptor and counts its own drop. Device MMIO is never a mapped region, so a guest that
 * points a DMA at the device's own registers (CVE-2021-20257 (b), CVE-2021-3416) gets {@link #NO_MAPPING} too.
 * <p>
 * <b>A range across two adjacent regions is rejected</b> ({@link Rejection#SPANS_REGIONS}), not stitched together:
 * each region is its own host mapping, so two regions adjacent in guest-physical space are not adjacent in the host
 * and no single host address covers the range; serving it would mean scatter-gather on every ring, buffer and CSB
 * access. No real guest needs it: QEMU merges adjacent sections of one RAM block into one DMA_MAP when their
 * attributes match, and where two maps do touch (RAM next to a ROM in the first megabyte, which Linux keeps out of
 * its allocators; two hot-plugged DIMMs, whose boundaries are far more aligned than any buddy-allocated DMA buffer or
 * ring) an operating system's physically contiguous DMA buffers do not cross the boundary. A hostile descriptor that
 * does is rejected and counted under its own reason, and the device never reads or writes past a region.
 * <p>
 * <b>Speed.</b> The data path allocates nothing, boxes nothing and walks no iterator: a one-entry cache of the last
 * region hit (copied fields, so a change of the table can never leave it pointing at a stale slot), then a binary
 * search over the base addresses, kept sorted in parallel primitive arrays. Changing the table allocates (cold path).
 * <p>
 * <b>Threading: single writer.</b> A guest memory may be filled on any thread before it is handed to the engine
 * with its port (the command queue publishes it); from then on only the sidecore thread that owns the port translates
 * and changes regions, and other threads (the vfio-user or control socket) send it commands through the engine's
 * bounded queue. Translation takes no lock. A host address returned by a translation is valid until the next change
 * of this table; an object that keeps one across duty cycles (the CSB) re-translates when {@link #mappingEpoch()}
 * moves. Hence the DMA_UNMAP protocol: the socket thread has the owning thread {@link #remove} the region (once that
 * command has run, no translation can return an address inside it and nothing holds one), then
 * {@link GuestMemoryRegion#close() closes} it (munmap) and only then replies to the VMM.
 */
public final class GuestMemory
{
    /** Returned by a translation that is refused. */
    public static final long NO_MAPPING = 0L;

    /**
     * Regions one guest may map: the {@code max_dma_maps} QEMU's vfio-user client announces (65535). QEMU maps a
     * few dozen at most; a client that asks for more is refused, which also bounds what one port can cost in
     * mappings (the process has {@code vm.max_map_count}, 65530 by default, for all ports together).
     */
    public static final int MAX_REGIONS = 65_535;

    /**
     * System property naming a bug to plant, for the test that shows the fuzzer finds a missing range check
     * ({@code sidecore fuzz}): {@value #PLANTED_BUG_SKIP_REGION_END} makes every translation skip its region-end check,
     * so a range that starts inside a region and runs past its end is translated. Read once, when the class is
     * loaded; never set outside that test (the check it removes is what keeps a guest inside its memory).
     */
    public static final String PLANTED_BUG_PROP_NAME = "sidecore.test.planted.bug";
    /** {@link #PLANTED_BUG_PROP_NAME} value that removes the region-end check of every translation. */
    public static final String PLANTED_BUG_SKIP_REGION_END = "skip-region-end-check";

    private static final boolean SKIP_REGION_END_CHECK =
        PLANTED_BUG_SKIP_REGION_END.equals(System.getProperty(PLANTED_BUG_PROP_NAME));
    private static final int INITIAL_CAPACITY = 8;
    private static final int DESCRIBED_REGIONS = 8;

    /**
     * Why a translation was refused; each has its own count ({@link #rejectionCount}).
     */
    public enum Rejection
    {
        /** Length 0 or negative, or the range wraps past 2^64. */
        BAD_RANGE,
        /** The first byte is in no region. */
        UNMAPPED,
        /** The range starts in a region and runs past its end into unmapped space. */
        PAST_REGION_END,
        /** The range starts in a region and runs on into the adjacent one (see the class description). */
        SPANS_REGIONS,
        /** The range lies in a region the VMM announced without sharing its memory. */
        NOT_HOST_MAPPED,
        /** A write into a region the VMM mapped read-only (a ROM). */
        READ_ONLY
    }

    private static final int REJECTION_KINDS = Rejection.values().length;

    private GuestMemoryRegion[] regions = new GuestMemoryRegion[INITIAL_CAPACITY];
    private long[] gpaBases = new long[INITIAL_CAPACITY];
    private long[] lengthsBytes = new long[INITIAL_CAPACITY];
    private long[] hostAddresses = new long[INITIAL_CAPACITY];
    private boolean[] writable = new boolean[INITIAL_CAPACITY];
    private int regionCount;
    private int maxRegions = MAX_REGIONS;

    private long cachedGpaBase;
    private long cachedLengthBytes;
    private long cachedHostAddress;
    private boolean cachedWritable;

    private long mappingEpoch;
    private long regionSearches;
    private Rejection lastRejection;
    private final AtomicLongArray rejectionCounts = new AtomicLongArray(REJECTION_KINDS);
    private GuestMemoryAccessProbe accessProbe;

    /**
     * @return true when this JVM runs with the planted bug of {@link #PLANTED_BUG_PROP_NAME} (a test run only).
     */
    public static boolean isRegionEndCheckSkipped()
    {
        return SKIP_REGION_END_CHECK;
    }

    /**
     * Install the test hook told of every range the device accesses through this memory's views. Only before the
     * memory is handed to a port: views made earlier do not report.
     *
     * @param probe the probe, or null for none.
     * @return this.
     */
    public GuestMemory accessProbe(final GuestMemoryAccessProbe probe)
    {
        this.accessProbe = probe;
        return this;
    }

    /**
     * A view for the device to reach this memory through: re-wrapped over each range this memory translated, and
     * used only inside it, so it is a {@link DataPathBuffer} (no check of its own on each access outside the tests and
     * the fuzzer). With a probe installed ({@link #accessProbe(GuestMemoryAccessProbe)}) one that also reports every
     * range it is wrapped over. Made when a device is built, never on the data path.
     *
     * @param write true when the device writes through the view (it may also read), false for reads only.
     * @return the view, wrapped over nothing yet.
     */
    public DataPathBuffer newView(final boolean write)
    {
        final GuestMemoryAccessProbe probe = accessProbe;
        return null == probe ? new DataPathBuffer() : new ProbedView(probe, write);
    }

    /**
     * Translate a range the device will read.
     *
     * @param gpa         guest-physical address of the first byte (any 64-bit value, unsigned).
     * @param lengthBytes bytes to read, at least 1.
     * @return host address of {@code gpa}, or {@link #NO_MAPPING} unless {@code [gpa, gpa + lengthBytes)} lies
     *     wholly inside one host-mapped region.
     */
    public long translateForRead(final long gpa, final long lengthBytes)
    {
        return translateRead(gpa, lengthBytes, true);
    }

    /**
     * Translate a range the device may read ahead of time to pull it into the cache (the TX gather's touch phase):
     * the same checks as {@link #translateForRead}, but a refusal is not counted, because the read that acts on the
     * range translates it again and counts its own refusal.
     *
     * @param gpa         guest-physical address of the first byte (any 64-bit value, unsigned).
     * @param lengthBytes bytes to touch, at least 1.
     * @return host address of {@code gpa}, or {@link #NO_MAPPING} unless {@code [gpa, gpa + lengthBytes)} lies
     *     wholly inside one host-mapped region.
     */
    public long translateForTouch(final long gpa, final long lengthBytes)
    {
        return translateRead(gpa, lengthBytes, false);
    }

    private long translateRead(final long gpa, final long lengthBytes, final boolean counted)
    {
        // Cached regions are host mapped; an empty cache has length 0. gpa >= base >= 0, so the offset cannot wrap.
        final long offset = gpa - cachedGpaBase;
        if (gpa >= cachedGpaBase && offset < cachedLengthBytes &&
            lengthBytes > 0 && (lengthBytes <= cachedLengthBytes - offset || SKIP_REGION_END_CHECK))
        {
            return cachedHostAddress + offset;
        }
        return search(gpa, lengthBytes, false, counted);
    }

    /**
     * Translate a range the device will write (descriptor write-back, received frames, the CSB's host fields).
     *
     * @param gpa         guest-physical address of the first byte (any 64-bit value, unsigned).
     * @param lengthBytes bytes to write, at least 1.
     * @return host address of {@code gpa}, or {@link #NO_MAPPING} unless {@code [gpa, gpa + lengthBytes)} lies
     *     wholly inside one host-mapped, writable region.
     */
    public long translateForWrite(final long gpa, final long lengthBytes)
    {
        final long offset = gpa - cachedGpaBase;
        if (cachedWritable && gpa >= cachedGpaBase && offset < cachedLengthBytes &&
            lengthBytes > 0 && (lengthBytes <= cachedLengthBytes - offset || SKIP_REGION_END_CHECK))
        {
            return cachedHostAddress + offset;
        }
        return search(gpa, lengthBytes, true, true);
    }

    private long search(final long gpa, final long lengthBytes, final boolean forWrite, final boolean counted)
    {
        regionSearches++;
        if (lengthBytes <= 0)
        {
            return reject(Rejection.BAD_RANGE, counted);
        }
        if (gpa < 0)
        {
            // At or above 2^63, where no region can be. The range wraps iff gpa > 2^64 - length, unsigned.
            final boolean wraps = Long.compareUnsigned(gpa, -lengthBytes) > 0;
            return reject(wraps ? Rejection.BAD_RANGE : Rejection.UNMAPPED, counted);
        }
        final long[] bases = gpaBases;
        final int index = floorIndex(bases, regionCount, gpa);
        if (index < 0)
        {
            return reject(Rejection.UNMAPPED, counted);
        }
        final long base = bases[index];
        final long regionLength = lengthsBytes[index];
        final long offset = gpa - base;
        if (offset >= regionLength)
        {
            return reject(Rejection.UNMAPPED, counted);
        }
        if (lengthBytes > regionLength - offset && !SKIP_REGION_END_CHECK)
        {
            final boolean nextIsAdjacent = index + 1 < regionCount && bases[index + 1] - base == regionLength;
            return reject(nextIsAdjacent ? Rejection.SPANS_REGIONS : Rejection.PAST_REGION_END, counted);
        }
        final long hostAddress = hostAddresses[index];
        if (NO_MAPPING == hostAddress)
        {
            return reject(Rejection.NOT_HOST_MAPPED, counted);
        }
        cachedGpaBase = base;
        cachedLengthBytes = regionLength;
        cachedHostAddress = hostAddress;
        cachedWritable = writable[index];
        if (forWrite && !cachedWritable)
        {
            return reject(Rejection.READ_ONLY, counted);
        }
        return hostAddress + offset;
    }

    /**
     * @return index of the last region whose base is at or below {@code gpa}, or -1.
     */
    private static int floorIndex(final long[] bases, final int count, final long gpa)
    {
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high)
        {
            final int middle = (low + high) >>> 1;
            if (bases[middle] <= gpa)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found;
    }

    private long reject(final Rejection rejection, final boolean counted)
    {
        if (!counted)
        {
            return NO_MAPPING;
        }
        lastRejection = rejection;
        final int index = rejection.ordinal();
        rejectionCounts.setOpaque(index, rejectionCounts.getPlain(index) + 1);
        return NO_MAPPING;
    }

    /**
     * Add guest RAM held in a segment the caller keeps owning, readable and writable.
     *
     * @param gpaBase guest-physical address of the first byte.
     * @param segment native segment holding the region's bytes.
     * @throws GuestMemoryException on overlap, a heap or empty segment, a range past 2^63 or a full table.
     */
    public void addRegion(final long gpaBase, final MemorySegment segment)
    {
        add(GuestMemoryRegion.ofSegment(gpaBase, segment, GuestMemoryRegion.READ_WRITE));
    }

    /**
     * Add a region (a DMA_MAP). Owning thread only.
     *
     * @param region the region; it must not be in a guest memory already, nor closed.
     * @throws GuestMemoryException ({@link GuestMemoryException.Reason#OVERLAP}, naming both regions) when it
     *     overlaps a mapped region, or when the table is full; nothing changes.
     */
    public void add(final GuestMemoryRegion region)
    {
        final int index = floorIndex(gpaBases, regionCount, region.gpaBase()) + 1;
        checkNoOverlap(region, index - 1, index);
        if (regionCount >= maxRegions)
        {
            throw new GuestMemoryException(GuestMemoryException.Reason.TOO_MANY_REGIONS,
                "too many guest memory regions: at most " + maxRegions +
                " (the port's sidecore.port.max.dma.regions, at most " + MAX_REGIONS + "), refusing " + region);
        }
        region.attach();
        insertAt(index, region);
    }

    /**
     * Limit the regions this guest may have (the port's {@code sidecore.port.max.dma.regions}): an {@link #add} past
     * it is refused. Regions already mapped beyond a lowered limit stay until they are removed. Owning thread only.
     *
     * @param maxRegions 1 to {@link #MAX_REGIONS}.
     * @throws IllegalArgumentException when out of range.
     */
    public void maxRegions(final int maxRegions)
    {
        if (maxRegions < 1 || maxRegions > MAX_REGIONS)
        {
            throw new IllegalArgumentException("maxRegions must be 1 to " + MAX_REGIONS + ": " + maxRegions);
        }
        this.maxRegions = maxRegions;
    }

    /**
     * @return the regions this guest may have.
     */
    public int maxRegions()
    {
        return maxRegions;
    }

    /**
     * Remove the region mapped at exactly this base and length (a DMA_UNMAP). Owning thread only. Once this
     * returns, no translation yields an address inside it; the caller then closes it.
     *
     * @param gpaBase     base of the region.
     * @param lengthBytes its length.
     * @return the removed region.
     * @throws GuestMemoryException ({@link GuestMemoryException.Reason#NOT_MAPPED}) when no region has exactly
     *     that base and length; nothing changes.
     */
    public GuestMemoryRegion remove(final long gpaBase, final long lengthBytes)
    {
        final int index = exactIndex(gpaBase, lengthBytes);
        final GuestMemoryRegion removed = regions[index];
        deleteAt(index);
        removed.detach();
        invalidate();
        return removed;
    }

    /**
     * Remove every region (vfio-user DMA_UNMAP with the ALL flag, a client that went away). Owning thread only.
     *
     * @return the removed regions, in address order, for the caller to close.
     */
    public GuestMemoryRegion[] removeAll()
    {
        final GuestMemoryRegion[] removed = new GuestMemoryRegion[regionCount];
        System.arraycopy(regions, 0, removed, 0, regionCount);
        Arrays.fill(regions, 0, regionCount, null);
        regionCount = 0;
        for (int i = 0; i < removed.length; i++)
        {
            removed[i].detach();
        }
        invalidate();
        return removed;
    }

    /**
     * Replace the region mapped at exactly this base and length with another in one step (a remap that must not
     * leave a window without the memory). Owning thread only.
     *
     * @param gpaBase     base of the region to replace.
     * @param lengthBytes its length.
     * @param replacement the new region; it may cover a different range but must overlap no other region.
     * @return the replaced region, for the caller to close.
     * @throws GuestMemoryException when no region has exactly that base and length, or the replacement overlaps
     *     another region; nothing changes.
     */
    public GuestMemoryRegion replace(final long gpaBase, final long lengthBytes, final GuestMemoryRegion replacement)
    {
        final int index = exactIndex(gpaBase, lengthBytes);
        // Neighbours of the replacement among the other regions: skip the one being replaced.
        final int position = floorIndex(gpaBases, regionCount, replacement.gpaBase()) + 1;
        final int previous = position - 1 == index ? position - 2 : position - 1;
        final int next = position == index ? position + 1 : position;
        checkNoOverlap(replacement, previous, next);
        replacement.attach();
        final GuestMemoryRegion replaced = regions[index];
        deleteAt(index);
        insertAt(floorIndex(gpaBases, regionCount, replacement.gpaBase()) + 1, replacement);
        replaced.detach();
        invalidate();
        return replaced;
    }

    private void checkNoOverlap(final GuestMemoryRegion region, final int previous, final int next)
    {
        if (previous >= 0 && regions[previous].lastGpa() >= region.gpaBase())
        {
            throw overlap(region, regions[previous]);
        }
        if (next < regionCount && gpaBases[next] <= region.lastGpa())
        {
            throw overlap(region, regions[next]);
        }
    }

    private static GuestMemoryException overlap(final GuestMemoryRegion added, final GuestMemoryRegion mapped)
    {
        return new GuestMemoryException(GuestMemoryException.Reason.OVERLAP,
            "guest memory regions overlap: " + added + " and mapped " + mapped);
    }

    private int exactIndex(final long gpaBase, final long lengthBytes)
    {
        final int index = floorIndex(gpaBases, regionCount, gpaBase);
        if (index < 0 || gpaBases[index] != gpaBase || lengthsBytes[index] != lengthBytes)
        {
            throw new GuestMemoryException(GuestMemoryException.Reason.NOT_MAPPED,
                "no guest memory region at exactly gpa=" + GuestMemoryRegion.hex(gpaBase) + " length=0x" +
                Long.toHexString(lengthBytes) + (index < 0 ? "" : " (nearest below: " + regions[index] + ")"));
        }
        return index;
    }

    private void insertAt(final int index, final GuestMemoryRegion region)
    {
        ensureCapacity(regionCount + 1);
        final int tail = regionCount - index;
        System.arraycopy(regions, index, regions, index + 1, tail);
        System.arraycopy(gpaBases, index, gpaBases, index + 1, tail);
        System.arraycopy(lengthsBytes, index, lengthsBytes, index + 1, tail);
        System.arraycopy(hostAddresses, index, hostAddresses, index + 1, tail);
        System.arraycopy(writable, index, writable, index + 1, tail);
        regions[index] = region;
        gpaBases[index] = region.gpaBase();
        lengthsBytes[index] = region.lengthBytes();
        hostAddresses[index] = region.hostAddress();
        writable[index] = region.isWritable();
        regionCount++;
    }

    private void deleteAt(final int index)
    {
        final int tail = regionCount - index - 1;
        System.arraycopy(regions, index + 1, regions, index, tail);
        System.arraycopy(gpaBases, index + 1, gpaBases, index, tail);
        System.arraycopy(lengthsBytes, index + 1, lengthsBytes, index, tail);
        System.arraycopy(hostAddresses, index + 1, hostAddresses, index, tail);
        System.arraycopy(writable, index + 1, writable, index, tail);
        regionCount--;
        regions[regionCount] = null;
    }

    private void ensureCapacity(final int required)
    {
        if (required > regions.length)
        {
            final int capacity = Math.min(MAX_REGIONS, Math.max(required, regions.length * 2));
            regions = Arrays.copyOf(regions, capacity);
            gpaBases = Arrays.copyOf(gpaBases, capacity);
            lengthsBytes = Arrays.copyOf(lengthsBytes, capacity);
            hostAddresses = Arrays.copyOf(hostAddresses, capacity);
            writable = Arrays.copyOf(writable, capacity);
        }
    }

    /**
     * A region went away: forget the cached one and tell holders of host addresses to re-translate.
     */
    private void invalidate()
    {
        cachedGpaBase = 0;
        cachedLengthBytes = 0;
        cachedHostAddress = NO_MAPPING;
        cachedWritable = false;
        mappingEpoch++;
    }

    /**
     * @return number of regions.
     */
    public int regionCount()
    {
        return regionCount;
    }

    /**
     * @param index 0 .. {@link #regionCount()} - 1, in ascending address order.
     * @return that region.
     */
    public GuestMemoryRegion region(final int index)
    {
        if (index < 0 || index >= regionCount)
        {
            throw new IndexOutOfBoundsException("region " + index + " of " + regionCount);
        }
        return regions[index];
    }

    /**
     * @param gpa guest-physical address.
     * @return the region holding it, or null (cold path: diagnostics and protocol checks).
     */
    public GuestMemoryRegion regionContaining(final long gpa)
    {
        if (gpa < 0)
        {
            return null;
        }
        final int index = floorIndex(gpaBases, regionCount, gpa);
        return index >= 0 && gpa - gpaBases[index] < lengthsBytes[index] ? regions[index] : null;
    }

    /**
     * @return a number that changes whenever a region is removed or replaced: a host address translated under an
     *     older value may point into memory that is gone.
     */
    public long mappingEpoch()
    {
        return mappingEpoch;
    }

    /**
     * @param rejection a reason.
     * @return translations refused for it so far (readable from any thread).
     */
    public long rejectionCount(final Rejection rejection)
    {
        return rejectionCounts.getOpaque(rejection.ordinal());
    }

    /**
     * @return the reason of the last refused translation, or null if none was refused (owning thread).
     */
    public Rejection lastRejection()
    {
        return lastRejection;
    }

    /**
     * @return translations that missed the last-hit cache and searched the table (owning thread).
     */
    public long regionSearches()
    {
        return regionSearches;
    }

    /**
     * @return e.g. {@code GuestMemory[2 regions: [0x0, 0xa0000) rw segment, ...]}, at most eight regions listed.
     */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder("GuestMemory[").append(regionCount).append(" regions");
        for (int i = 0; i < Math.min(regionCount, DESCRIBED_REGIONS); i++)
        {
            text.append(i == 0 ? ": " : ", ").append(regions[i]);
        }
        return text.append(regionCount > DESCRIBED_REGIONS ? ", ...]" : "]").toString();
    }
}
