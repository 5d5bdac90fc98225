package io.sidecore.shm.vfiouser;

/**
 * A region as DEVICE_GET_REGION_INFO described it.
 *
 * @param index            region index.
 * @param flags            region flags ({@code VfioUserRegionInfo.FLAG_*}).
 * @param sizeBytes        region size.
 * @param regionFileOffset file offset of the region's start in {@link #fd()}.
 * @param areaOffsets      sparse-mmap areas: offsets within the region.
 * @param areaSizes        sparse-mmap areas: sizes.
 * @param fd               the fd to map the areas from, or -1; owned by whoever asked for the region.
 */
public record VfioUserRegion(
    int index, int flags, long sizeBytes, long regionFileOffset, long[] areaOffsets, long[] areaSizes, int fd)
{
    /**
     * @return number of sparse-mmap areas.
     */
    public int areaCount()
    {
        return areaOffsets.length;
    }
}
