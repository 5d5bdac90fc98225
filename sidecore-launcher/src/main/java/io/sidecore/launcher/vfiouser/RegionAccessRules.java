package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;

/**
 * Which trapped accesses the 82540EM's regions accept, checked by the server before a device sees them, with
 * overflow-safe arithmetic on the client's 64-bit offset.
 * <ul>
 *   <li>Region sizes: BAR0 {@link E1000Registers#BAR0_LENGTH}, BAR1 {@link E1000Registers#BAR1_LENGTH}, config
 *   space {@link PciConfig#CONFIG_SPACE_LENGTH}; every other region has size 0 and accepts nothing.</li>
 *   <li>BARs: 1, 2, 4 or 8 bytes, naturally aligned. QEMU's memory core refuses unaligned BAR accesses before they
 *   reach the socket, so a misaligned one is malformed. (SDM 13.4: registers are 32-bit and dword aligned; a
 *   narrower aligned access touches only its bytes, a wider one spans two registers.)</li>
 *   <li>Config space: 1, 2 or 4 bytes, naturally aligned (a PCI configuration transaction addresses one dword
 *   with byte enables, PCI Local Bus Specification 3.0 §3.2.2.3.2); a read may also cover whole dwords from a
 *   dword boundary (QEMU reads all 256 bytes at realize).</li>
 * </ul>
 */
final class RegionAccessRules
{
    /** Largest single device access. */
    static final int MAX_ACCESS_BYTES = 8;
    /** A config read may cover several dwords, each of this size. */
    static final int CONFIG_DWORD_BYTES = 4;

    private RegionAccessRules()
    {
    }

    /**
     * @param regionIndex region.
     * @return its size in bytes (0 for a region the device does not implement or an unknown index).
     */
    static long regionSize(final int regionIndex)
    {
        return switch (regionIndex)
        {
            case VfioUserRegionInfo.BAR0_REGION_INDEX -> E1000Registers.BAR0_LENGTH;
            case VfioUserRegionInfo.BAR1_REGION_INDEX -> E1000Registers.BAR1_LENGTH;
            case VfioUserRegionInfo.CONFIG_REGION_INDEX -> PciConfig.CONFIG_SPACE_LENGTH;
            default -> 0;
        };
    }

    /**
     * @param regionIndex region.
     * @param offset      client's offset, unsigned.
     * @param count       bytes.
     * @return true when {@code [offset, offset + count)} lies inside the region.
     */
    static boolean isInside(final int regionIndex, final long offset, final long count)
    {
        final long size = regionSize(regionIndex);
        return count > 0 && Long.compareUnsigned(offset, size) < 0 && count <= size - offset;
    }

    /**
     * @param regionIndex region.
     * @param offset      client's offset.
     * @param count       bytes.
     * @param write       direction.
     * @return null when the access is acceptable, else why not (for the log).
     */
    static String problem(final int regionIndex, final long offset, final long count, final boolean write)
    {
        if (!isInside(regionIndex, offset, count))
        {
            return "outside region " + regionIndex + " (size " + regionSize(regionIndex) + ")";
        }
        if (VfioUserRegionInfo.CONFIG_REGION_INDEX == regionIndex)
        {
            final boolean dwordRun = !write && count > CONFIG_DWORD_BYTES && 0 == count % CONFIG_DWORD_BYTES &&
                0 == offset % CONFIG_DWORD_BYTES;
            return dwordRun || isNaturalAccess(offset, count, CONFIG_DWORD_BYTES) ? null :
                "config access not 1, 2 or 4 naturally aligned bytes (or a dword-aligned run of dwords for a read)";
        }
        return isNaturalAccess(offset, count, MAX_ACCESS_BYTES) ? null :
            "BAR access not 1, 2, 4 or 8 naturally aligned bytes";
    }

    private static boolean isNaturalAccess(final long offset, final long count, final int maxBytes)
    {
        return count <= maxBytes && 1 == Long.bitCount(count) && 0 == (offset & (count - 1));
    }
}
