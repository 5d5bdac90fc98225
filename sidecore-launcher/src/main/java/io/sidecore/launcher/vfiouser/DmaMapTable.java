package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserVersion;

import java.util.Map;
import java.util.TreeMap;

/**
 * The DMA mappings a client has made, as the server checks them before the device sees them: each range 4 KiB
 * aligned, non-empty, free of 64-bit overflow and below {@link #IOVA_LIMIT}, its file range free of overflow, no
 * two ranges overlapping (vfio-user spec: EEXIST), at most {@code maxMappings} of them; an unmap names a mapping
 * exactly (spec: ENOENT otherwise). Addresses compare unsigned. Connection thread only; a cold path (QEMU sends a
 * few dozen maps while the guest's memory map settles).
 */
final class DmaMapTable
{
    /**
     * Guest-physical addresses end below 2^52, the x86-64 architectural limit of physical addresses; without a
     * vIOMMU (not supported) QEMU never maps above it, so a larger range is absurd.
     */
    static final long IOVA_LIMIT = 1L << 52;

    /**
     * One live mapping.
     *
     * @param iova      start address.
     * @param sizeBytes length.
     * @param flags     {@link VfioUserDmaMap#FLAG_READ} / {@link VfioUserDmaMap#FLAG_WRITE}.
     * @param hasFd     the client sent an fd (the range is directly accessible).
     */
    record Mapping(long iova, long sizeBytes, int flags, boolean hasFd)
    {
    }

    private final TreeMap<Long, Mapping> byIova = new TreeMap<>(Long::compareUnsigned);
    private final int maxMappings;

    /**
     * @param maxMappings most live mappings (the advertised or default {@code max_dma_maps}).
     */
    DmaMapTable(final int maxMappings)
    {
        this.maxMappings = maxMappings;
    }

    /**
     * Check a DMA_MAP before it reaches the device.
     *
     * @param iova       start.
     * @param sizeBytes  length.
     * @param fileOffset offset in the fd.
     * @param flags      map flags.
     * @param hasFd      an fd came with the request.
     * @return 0 when acceptable, else the errno.
     */
    int checkMap(final long iova, final long sizeBytes, final long fileOffset, final int flags, final boolean hasFd)
    {
        if (0 != (flags & ~VfioUserDmaMap.KNOWN_FLAGS) || 0 == sizeBytes ||
            !isPageAligned(iova) || !isPageAligned(sizeBytes))
        {
            return VfioUserErrno.EINVAL;
        }
        if (Long.compareUnsigned(sizeBytes, IOVA_LIMIT) > 0 || Long.compareUnsigned(iova, IOVA_LIMIT - sizeBytes) > 0)
        {
            return VfioUserErrno.EINVAL;
        }
        if (hasFd && (fileOffset < 0 || !isPageAligned(fileOffset) || fileOffset > Long.MAX_VALUE - sizeBytes))
        {
            return VfioUserErrno.EINVAL;
        }
        if (overlapsExisting(iova, sizeBytes))
        {
            return VfioUserErrno.EEXIST;
        }
        if (byIova.size() >= maxMappings)
        {
            return VfioUserErrno.ENOSPC;
        }
        return 0;
    }

    /**
     * Record a mapping that passed {@link #checkMap} and that the device accepted.
     *
     * @param mapping the mapping.
     */
    void add(final Mapping mapping)
    {
        byIova.put(mapping.iova(), mapping);
    }

    /**
     * @param iova      start.
     * @param sizeBytes length.
     * @return the mapping with exactly this range, or null.
     */
    Mapping findExact(final long iova, final long sizeBytes)
    {
        final Mapping mapping = byIova.get(iova);
        return null != mapping && mapping.sizeBytes() == sizeBytes ? mapping : null;
    }

    /**
     * @param mapping a mapping of this table.
     */
    void remove(final Mapping mapping)
    {
        byIova.remove(mapping.iova());
    }

    /**
     * Forget every mapping.
     */
    void clear()
    {
        byIova.clear();
    }

    /**
     * @return live mappings.
     */
    int size()
    {
        return byIova.size();
    }

    private boolean overlapsExisting(final long iova, final long sizeBytes)
    {
        final Map.Entry<Long, Mapping> below = byIova.floorEntry(iova);
        if (null != below && Long.compareUnsigned(iova - below.getKey(), below.getValue().sizeBytes()) < 0)
        {
            return true;
        }
        final Map.Entry<Long, Mapping> above = byIova.higherEntry(iova);
        return null != above && Long.compareUnsigned(above.getKey() - iova, sizeBytes) < 0;
    }

    private static boolean isPageAligned(final long value)
    {
        return 0 == (value & (VfioUserVersion.PAGE_SIZE - 1));
    }
}
