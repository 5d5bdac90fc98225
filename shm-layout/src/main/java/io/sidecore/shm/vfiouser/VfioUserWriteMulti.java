package io.sidecore.shm.vfiouser;

/**
 * REGION_WRITE_MULTI (command 15): up to {@link #MAX_WRITES} small writes coalesced into one message (vfio-user
 * spec "VFIO_USER_REGION_WRITE_MULTI"; QEMU {@code VFIOUserWRMulti}). QEMU sends it only to a server that offered
 * {@code write_multiple} and only for posted writes (so always with NO_REPLY); without NO_REPLY the reply is the
 * header plus {@code wr_cnt}.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +---------------------------------------------------------------+
 *   |                 wr_cnt: number of writes (u64)                | 16
 *   +---------------------------------------------------------------+
 *   |  write i: offset (u64), region (u32), count (u32), data[8]    | 24 + 24 i
 *   +---------------------------------------------------------------+
 * </pre>
 * Each write's {@code count} is 1..8; only its first {@code count} data bytes are meaningful.
 */
public final class VfioUserWriteMulti
{
    public static final int WRITE_COUNT_OFFSET = VfioUserHeader.HEADER_LENGTH;
    /** First write entry. */
    public static final int WRITES_OFFSET = WRITE_COUNT_OFFSET + 8;
    /** One entry. */
    public static final int WRITE_LENGTH = 24;
    public static final int WRITE_OFFSET_OFFSET = 0;
    public static final int WRITE_REGION_OFFSET = 8;
    public static final int WRITE_COUNT_FIELD_OFFSET = 12;
    public static final int WRITE_DATA_OFFSET = 16;
    /** Data bytes an entry can hold. */
    public static final int WRITE_DATA_LENGTH = 8;
    /** Entries at most (QEMU {@code VFIO_USER_MULTI_MAX}). */
    public static final int MAX_WRITES = 200;
    /** Reply length when one is asked for: header plus wr_cnt. */
    public static final int REPLY_LENGTH = WRITES_OFFSET;

    private VfioUserWriteMulti()
    {
    }

    /**
     * @param writeCount entries.
     * @return message length holding them.
     */
    public static int messageLength(final int writeCount)
    {
        return WRITES_OFFSET + writeCount * WRITE_LENGTH;
    }
}
