package io.sidecore.shm.vfiouser;

/**
 * REGION_READ (command 9) and REGION_WRITE (command 10): a trapped access to a device region (vfio-user spec
 * "VFIO_USER_REGION_READ/WRITE"; QEMU {@code VFIOUserRegionRW}). Requests and replies share the layout.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |               offset within the region (u64)                  | 16
 *   +---------------------------------------------------------------+
 *   |                         region index                          | 24
 *   +---------------------------------------------------------------+
 *   |                      count: bytes of data                     | 28
 *   +---------------------------------------------------------------+
 *   |    data: write request and read reply only ...                | 32
 * </pre>
 * A read request is {@link #MESSAGE_LENGTH} bytes; its reply carries exactly {@code count} bytes of data (a short
 * read makes QEMU return all-ones). A write request carries {@code count} bytes of data; its reply echoes offset,
 * region and count without data ({@link #MESSAGE_LENGTH}). A write with {@link VfioUserHeader#FLAG_NO_REPLY} is
 * posted: it is applied in order with the other messages and never answered. QEMU's accesses: BARs 1, 2, 4 or 8
 * bytes, naturally aligned (its memory core refuses unaligned ones); config space 1, 2 or 4 bytes, plus one
 * 256-byte read of the whole config space at realize. {@code count} is at most {@code max_data_xfer_size}.
 */
public final class VfioUserRegionAccess
{
    public static final int OFFSET_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int REGION_OFFSET = OFFSET_OFFSET + 8;
    public static final int COUNT_OFFSET = REGION_OFFSET + 4;
    public static final int DATA_OFFSET = COUNT_OFFSET + 4;
    /** Read request and write reply length; read reply and write request add {@code count} bytes. */
    public static final int MESSAGE_LENGTH = DATA_OFFSET;

    private VfioUserRegionAccess()
    {
    }

    /**
     * @param count data bytes.
     * @return length of a write request or read reply carrying them.
     */
    public static int lengthWithData(final int count)
    {
        return DATA_OFFSET + count;
    }
}
