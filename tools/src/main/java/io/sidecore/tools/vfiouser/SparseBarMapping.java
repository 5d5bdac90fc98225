package io.sidecore.tools.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserRegion;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A BAR's address range in this process with its sparse-mmap areas mapped from the server's fd, as QEMU builds a
 * BAR's RAM-device regions: the whole range is reserved with a private anonymous mapping, then each area is
 * mapped over it with {@code MAP_SHARED | MAP_FIXED} at {@code regionFileOffset + area offset}. Bytes outside the
 * areas are private scratch that the device never sees (an access there must go through a message instead).
 * Closing the arena unmaps the whole range.
 */
// Binding native code is what this class is for; the JVM runs with --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
final class SparseBarMapping
{
    /** {@code mmap} flag: private copy-on-write mapping. */
    private static final int MAP_PRIVATE = 0x02;
    /** {@code mmap} flag: place the mapping exactly at the address given. */
    private static final int MAP_FIXED = 0x10;
    /** {@code mmap} flag: no file, zero-filled memory. */
    private static final int MAP_ANONYMOUS = 0x20;

    private SparseBarMapping()
    {
    }

    /**
     * @param region the region with its areas and fd.
     * @param arena  owner of the mapping.
     * @return a segment of the region's size, offset 0 = region offset 0.
     */
    static MemorySegment map(final VfioUserRegion region, final Arena arena)
    {
        final long length = region.sizeBytes();
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final MemorySegment base = LibC.mmap(state, MemorySegment.NULL, length,
                LibC.PROT_READ | LibC.PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (-1L == base.address())
            {
                throw new OsException("mmap(anonymous, " + length + ")", LibC.errno(state));
            }
            final MemorySegment whole = base.reinterpret(length, arena, address -> unmap(address, length));
            for (int i = 0; i < region.areaCount(); i++)
            {
                final long areaOffset = region.areaOffsets()[i];
                final long areaSize = region.areaSizes()[i];
                if (areaOffset < 0 || areaSize <= 0 || areaOffset > length - areaSize)
                {
                    throw new IllegalArgumentException("sparse area outside the region: offset=" + areaOffset +
                        " size=" + areaSize + " region=" + length);
                }
                final MemorySegment placed = LibC.mmap(state, MemorySegment.ofAddress(base.address() + areaOffset),
                    areaSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | MAP_FIXED, region.fd(),
                    region.regionFileOffset() + areaOffset);
                if (placed.address() != base.address() + areaOffset)
                {
                    throw new OsException("mmap(fd=" + region.fd() + ", area " + i + ", MAP_FIXED)",
                        LibC.errno(state));
                }
            }
            return whole;
        }
    }

    private static void unmap(final MemorySegment address, final long length)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            LibC.munmap(LibC.allocateCallState(scratch), address, length);
        }
    }
}
