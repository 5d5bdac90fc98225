package io.sidecore.shm.vfiouser;

/**
 * DMA_MAP (command 2): the client makes a range of guest memory available to the device (vfio-user spec
 * "VFIO_USER_DMA_MAP"; QEMU {@code VFIOUserDMAMap}).
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |                          argsz = 32                           | 16
 *   +-----------------------------------------------------------+-+-+
 *   |                      reserved (zero)                      |W|R| 20
 *   +-----------------------------------------------------------+-+-+
 *   |             file offset of the range in the fd (u64)          | 24
 *   +---------------------------------------------------------------+
 *   |                  iova: guest-physical address (u64)           | 32
 *   +---------------------------------------------------------------+
 *   |                       size in bytes (u64)                     | 40
 *   +---------------------------------------------------------------+
 * </pre>
 * Zero or one fd arrives with the header: the fd of the RAM block behind the range (a memfd for
 * {@code memory-backend-memfd}), mapped at {@code file offset}. QEMU sends no fd for anonymous RAM, firmware ROMs
 * and the device's own mmapped BAR pages (then the offset is 0): such a range is recorded as not directly
 * accessible. The reply is the header alone (QEMU's {@code rsize} is the request size, 48). Ranges are 4 KiB
 * aligned (QEMU maps page-aligned sections; {@link VfioUserVersion#PAGE_SIZE}). A range that overlaps an existing
 * mapping fails with {@link VfioUserErrno#EEXIST}.
 */
public final class VfioUserDmaMap
{
    public static final int ARGSZ_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int FLAGS_OFFSET = ARGSZ_OFFSET + 4;
    public static final int FILE_OFFSET_OFFSET = FLAGS_OFFSET + 4;
    public static final int IOVA_OFFSET = FILE_OFFSET_OFFSET + 8;
    public static final int SIZE_OFFSET = IOVA_OFFSET + 8;
    /** Request length. */
    public static final int MESSAGE_LENGTH = SIZE_OFFSET + 8;
    /** The {@code argsz} value: the payload length. */
    public static final int ARGSZ = MESSAGE_LENGTH - VfioUserHeader.HEADER_LENGTH;

    /** The device may read the range. */
    public static final int FLAG_READ = 0x1;
    /** The device may write the range. */
    public static final int FLAG_WRITE = 0x2;
    /** Every flag this version defines. */
    public static final int KNOWN_FLAGS = FLAG_READ | FLAG_WRITE;

    /** Reply length: the header alone. */
    public static final int REPLY_LENGTH = VfioUserHeader.HEADER_LENGTH;
    /** fds at most in a request. */
    public static final int MAX_FDS = 1;

    private VfioUserDmaMap()
    {
    }
}
