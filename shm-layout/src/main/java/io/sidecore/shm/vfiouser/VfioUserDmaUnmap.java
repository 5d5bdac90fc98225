package io.sidecore.shm.vfiouser;

/**
 * DMA_UNMAP (command 3): the client takes a range of guest memory back (vfio-user spec "VFIO_USER_DMA_UNMAP"; QEMU
 * {@code VFIOUserDMAUnmap}).
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |                          argsz = 24                           | 16
 *   +-----------------------------------------------------------+-+-+
 *   |                      reserved (zero)                      |A|D| 20
 *   +-----------------------------------------------------------+-+-+
 *   |                          iova (u64)                           | 24
 *   +---------------------------------------------------------------+
 *   |                       size in bytes (u64)                     | 32
 *   +---------------------------------------------------------------+
 * </pre>
 * {@code iova}/{@code size} must match an earlier DMA_MAP exactly (spec), else {@link VfioUserErrno#ENOENT}.
 * {@code A} = {@link #FLAG_ALL}: with iova = size = 0, remove every mapping. {@code D} (dirty bitmap, migration v1)
 * is not served. The server must drop every reference to the range, in-flight DMA included, <em>before</em> it
 * replies. The reply echoes the request's payload ({@link #REPLY_LENGTH}, within QEMU's {@code rsize} of 40).
 */
public final class VfioUserDmaUnmap
{
    public static final int ARGSZ_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int FLAGS_OFFSET = ARGSZ_OFFSET + 4;
    public static final int IOVA_OFFSET = FLAGS_OFFSET + 4;
    public static final int SIZE_OFFSET = IOVA_OFFSET + 8;
    /** Request length. */
    public static final int MESSAGE_LENGTH = SIZE_OFFSET + 8;
    /** The {@code argsz} value. */
    public static final int ARGSZ = MESSAGE_LENGTH - VfioUserHeader.HEADER_LENGTH;

    /** Dirty-page bitmap requested (migration v1): not served. */
    public static final int FLAG_GET_DIRTY_BITMAP = 0x1;
    /** Remove every mapping (iova and size 0). */
    public static final int FLAG_ALL = 0x2;

    /** Reply length: header plus the echoed payload. */
    public static final int REPLY_LENGTH = MESSAGE_LENGTH;

    private VfioUserDmaUnmap()
    {
    }
}
