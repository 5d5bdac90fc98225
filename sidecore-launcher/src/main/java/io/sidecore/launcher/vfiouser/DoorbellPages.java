package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;

import java.util.Arrays;

/**
 * The BAR0 pages a device lets the client map into the guest, from one fd: the sparse-mmap areas of BAR0's region
 * info. The client maps page {@code p} from the fd at file offset {@code regionFileOffset + p}, so the fd must be
 * at least {@code regionFileOffset + last page + 4096} bytes long; what lies in it besides the listed pages is
 * reachable by the client too, so a device's fd holds nothing but the pages (e.g. a 16 KiB memfd whose only
 * written pages are 0x2000 and 0x3000).
 *
 * @param fd               descriptor holding the pages; the device keeps owning it.
 * @param regionFileOffset file offset that corresponds to BAR0 offset 0 (4 KiB aligned, at least 0).
 * @param pageOffsets      BAR0 offsets of the mappable pages, ascending, 4 KiB aligned, inside BAR0.
 */
public record DoorbellPages(int fd, long regionFileOffset, long[] pageOffsets)
{
    /** Size of one mappable page. */
    public static final int PAGE_SIZE = VfioUserRegionInfo.MMAP_PAGE_SIZE;

    /**
     * @param fd               descriptor.
     * @param regionFileOffset file offset of BAR0 offset 0.
     * @param pageOffsets      BAR0 page offsets (copied).
     */
    public DoorbellPages
    {
        pageOffsets = pageOffsets.clone();
    }

    /**
     * @return the page offsets (a copy).
     */
    @Override
    public long[] pageOffsets()
    {
        return pageOffsets.clone();
    }

    /**
     * @return number of pages.
     */
    public int pageCount()
    {
        return pageOffsets.length;
    }

    /**
     * @param index 0 .. {@link #pageCount()} - 1.
     * @return BAR0 offset of that page.
     */
    public long pageOffset(final int index)
    {
        return pageOffsets[index];
    }

    /**
     * Check the description a device gave: a wrong one would make the client map the wrong memory.
     *
     * @return null when valid, else what is wrong.
     */
    public String problem()
    {
        if (fd < 0)
        {
            return "no fd: " + fd;
        }
        if (regionFileOffset < 0 || 0 != regionFileOffset % PAGE_SIZE)
        {
            return "region file offset not a non-negative multiple of " + PAGE_SIZE + ": " + regionFileOffset;
        }
        if (0 == pageOffsets.length || pageOffsets.length > E1000Registers.PAGE_COUNT)
        {
            return "page count out of 1.." + E1000Registers.PAGE_COUNT + ": " + pageOffsets.length;
        }
        long previous = -1;
        for (final long page : pageOffsets)
        {
            if (page < 0 || page > E1000Registers.BAR0_LENGTH - PAGE_SIZE || 0 != page % PAGE_SIZE)
            {
                return "page offset not a page inside BAR0: 0x" + Long.toHexString(page);
            }
            if (page <= previous)
            {
                return "page offsets not strictly ascending: " + Arrays.toString(pageOffsets);
            }
            if (regionFileOffset > Long.MAX_VALUE - E1000Registers.BAR0_LENGTH)
            {
                return "region file offset overflows: " + regionFileOffset;
            }
            previous = page;
        }
        return null;
    }
}
