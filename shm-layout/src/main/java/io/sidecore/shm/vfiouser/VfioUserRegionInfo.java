package io.sidecore.shm.vfiouser;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;

/**
 * DEVICE_GET_REGION_INFO (command 5): one region's size, access flags and, for a region with directly mappable
 * parts, the sparse-mmap capability and the fd to map (vfio-user spec "VFIO_USER_DEVICE_GET_REGION_INFO"; QEMU
 * {@code VFIOUserRegionInfo}, Linux {@code struct vfio_region_info} and
 * {@code struct vfio_region_info_cap_sparse_mmap}). Request and reply share the first 48 bytes.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |  argsz: request = room for the reply payload; reply = needed  | 16
 *   +---------------------------------------------------------+-+-+-+-+
 *   |                     reserved (zero)                   |C|M|W|R| 20
 *   +---------------------------------------------------------+-+-+-+-+
 *   |                      index (region number)                    | 24
 *   +---------------------------------------------------------------+
 *   |        cap_offset: first capability, relative to byte 16      | 28
 *   +---------------------------------------------------------------+
 *   |                     size of the region (u64)                  | 32
 *   +---------------------------------------------------------------+
 *   |      offset: file offset in the fd where the region starts    | 40
 *   +===============================================================+ reply only, when C is set:
 *   |          version = 1          |       id = 1 (sparse mmap)    | 48
 *   +-------------------------------+-------------------------------+
 *   |              next = 0 (end of chain, relative to 16)          | 52
 *   +---------------------------------------------------------------+
 *   |                           nr_areas                            | 56
 *   +---------------------------------------------------------------+
 *   |                        reserved (zero)                        | 60
 *   +---------------------------------------------------------------+
 *   |   area[i].offset within the region (u64), area[i].size (u64)  | 64 + 16 i
 *   +---------------------------------------------------------------+
 * </pre>
 * <b>The argsz two-step.</b> QEMU asks first with argsz = {@link #INFO_ARGSZ} (32). If the full reply needs more,
 * the server answers the 32-byte structure only, with argsz set to the full size and no fd, and QEMU asks again
 * with that argsz; only that second reply carries the capability, the CAPS flag and the fd. A reply never exceeds
 * 16 + the request's argsz (QEMU's receive buffer). QEMU accepts at most one fd in this reply ("unexpected FDs"
 * otherwise), so all areas of a region come from one fd. It maps area i with {@code mmap(size, prot,
 * MAP_SHARED|MAP_FIXED, fd, offset + area.offset)}: offsets and sizes are 4 KiB multiples. QEMU rejects a CAPS
 * flag with cap_offset below 32 or above argsz. Any reply with the MMAP flag makes QEMU stop posting writes for the
 * whole device (it can no longer order them against direct accesses).
 * <p>
 * <b>Regions of a PCI device.</b> Indexes {@link #BAR0_REGION_INDEX}..{@link #BAR5_REGION_INDEX}, then
 * {@link #ROM_REGION_INDEX}, {@link #CONFIG_REGION_INDEX}, {@link #VGA_REGION_INDEX}: {@link #REGION_COUNT} in
 * all. QEMU queries 0-5 and 7 at realize. For the 82540EM: BAR0 {@link E1000Registers#BAR0_LENGTH} (memory),
 * BAR1 {@link E1000Registers#BAR1_LENGTH} (I/O), config space {@link PciConfig#CONFIG_SPACE_LENGTH} bytes (256
 * makes QEMU treat the device as conventional PCI), the others size 0 and flags 0.
 */
public final class VfioUserRegionInfo
{
    public static final int ARGSZ_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int FLAGS_OFFSET = ARGSZ_OFFSET + 4;
    public static final int INDEX_OFFSET = FLAGS_OFFSET + 4;
    public static final int CAP_OFFSET_OFFSET = INDEX_OFFSET + 4;
    public static final int SIZE_OFFSET = CAP_OFFSET_OFFSET + 4;
    public static final int REGION_FILE_OFFSET_OFFSET = SIZE_OFFSET + 8;
    /** Request length, and the length of a reply without capabilities. */
    public static final int MESSAGE_LENGTH = REGION_FILE_OFFSET_OFFSET + 8;
    /** argsz of the bare {@code vfio_region_info}: QEMU's first query. */
    public static final int INFO_ARGSZ = MESSAGE_LENGTH - VfioUserHeader.HEADER_LENGTH;

    /** Offset of the sparse-mmap capability in a reply, from the message start. */
    public static final int CAP_HEADER_OFFSET = MESSAGE_LENGTH;
    /** Its offset as written in {@code cap_offset}: relative to the argsz field. */
    public static final int CAP_OFFSET_VALUE = CAP_HEADER_OFFSET - ARGSZ_OFFSET;
    public static final int CAP_ID_OFFSET = CAP_HEADER_OFFSET;
    public static final int CAP_VERSION_OFFSET = CAP_ID_OFFSET + 2;
    public static final int CAP_NEXT_OFFSET = CAP_VERSION_OFFSET + 2;
    public static final int SPARSE_NR_AREAS_OFFSET = CAP_NEXT_OFFSET + 4;
    public static final int SPARSE_RESERVED_OFFSET = SPARSE_NR_AREAS_OFFSET + 4;
    /** First area entry. */
    public static final int SPARSE_AREAS_OFFSET = SPARSE_RESERVED_OFFSET + 4;
    /** One area: u64 offset within the region, u64 size. */
    public static final int SPARSE_AREA_LENGTH = 16;
    public static final int SPARSE_AREA_OFFSET_OFFSET = 0;
    public static final int SPARSE_AREA_SIZE_OFFSET = 8;

    /** Capability id of the sparse mmap capability (Linux {@code VFIO_REGION_INFO_CAP_SPARSE_MMAP}). */
    public static final int CAP_SPARSE_MMAP_ID = 1;
    /** Its version. */
    public static final int CAP_SPARSE_MMAP_VERSION = 1;

    /** Region flag: the client may read it by message. */
    public static final int FLAG_READ = 0x1;
    /** Region flag: the client may write it by message. */
    public static final int FLAG_WRITE = 0x2;
    /** Region flag: (parts of) the region can be mmapped from the reply's fd. */
    public static final int FLAG_MMAP = 0x4;
    /** Region flag: a capability chain follows. */
    public static final int FLAG_CAPS = 0x8;

    public static final int BAR0_REGION_INDEX = 0;
    public static final int BAR1_REGION_INDEX = 1;
    public static final int BAR5_REGION_INDEX = 5;
    public static final int ROM_REGION_INDEX = 6;
    public static final int CONFIG_REGION_INDEX = 7;
    public static final int VGA_REGION_INDEX = 8;
    /** Regions a PCI device reports. */
    public static final int REGION_COUNT = 9;

    /** Granularity of mmapped areas. */
    public static final int MMAP_PAGE_SIZE = 4096;
    /** fds at most in a reply (QEMU). */
    public static final int MAX_REPLY_FDS = 1;

    private VfioUserRegionInfo()
    {
    }

    /**
     * @param areaCount sparse-mmap areas in the capability (0 for none: no capability).
     * @return the argsz of the full reply payload: 32, or 32 + 16 + 16 per area.
     */
    public static int fullArgsz(final int areaCount)
    {
        return 0 == areaCount ? INFO_ARGSZ : SPARSE_AREAS_OFFSET - ARGSZ_OFFSET + areaCount * SPARSE_AREA_LENGTH;
    }

    /**
     * @param areaIndex index of a sparse-mmap area.
     * @return its offset from the message start.
     */
    public static int areaOffset(final int areaIndex)
    {
        return SPARSE_AREAS_OFFSET + areaIndex * SPARSE_AREA_LENGTH;
    }
}
