package io.sidecore.shm.vfiouser;

/**
 * VERSION (command 1): the first message of a connection, request and reply in the same format (vfio-user spec
 * "VFIO_USER_VERSION"; QEMU {@code VFIOUserVersion}, {@code vfio_user_validate_version}).
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                      header (16 bytes)                        | 0
 *   +-------------------------------+-------------------------------+
 *   |             minor             |             major             | 16
 *   +-------------------------------+-------------------------------+
 *   |  capabilities: UTF-8 JSON object, NUL-terminated ...          | 20
 * </pre>
 * QEMU proposes 0.0 with {@code {"capabilities":{"max_msg_fds":16,"max_data_xfer_size":1048576,"pgsizes":4096,
 * "max_dma_maps":65535,"migration":{...},"write_multiple":true}}}. QEMU's checks of the reply, all fatal:
 * <ul>
 *   <li>major equal to {@link #MAJOR}, minor at most {@link #MINOR};</li>
 *   <li>the reply is received into a buffer the size of the request ({@link #replyFits}): a larger reply fails
 *   with "reply larger than recv buffer";</li>
 *   <li>the last byte of the message is NUL, and JSON is present (a 20-byte reply is read out of bounds);</li>
 *   <li>the JSON is an object; {@link #CAPABILITIES}, if present, an object; {@link #MAX_MSG_FDS} at most
 *   {@link #MAX_MSG_FDS_LIMIT}, {@link #MAX_DATA_XFER_SIZE} at most {@link #MAX_DATA_XFER_SIZE_LIMIT},
 *   {@link #PGSIZES} a multiple of 4096. Unknown keys only warn. {@link #WRITE_MULTIPLE} must not be offered by a
 *   server that does not serve REGION_WRITE_MULTI: QEMU would coalesce posted writes into it.</li>
 * </ul>
 * The reply a server should send: 0.0 and {@link #SERVER_CAPABILITIES_JSON} (as libvfio-user does), or a shorter
 * one when the request is too small to hold it ({@link #MINIMAL_CAPABILITIES_JSON}): the values it carries are
 * QEMU's defaults anyway.
 */
public final class VfioUserVersion
{
    public static final int MAJOR_OFFSET = VfioUserHeader.HEADER_LENGTH;
    public static final int MINOR_OFFSET = MAJOR_OFFSET + 2;
    /** Start of the NUL-terminated JSON. */
    public static final int JSON_OFFSET = MINOR_OFFSET + 2;
    /** Smallest message with a JSON part: header, version and at least {@code "{}"} plus NUL. */
    public static final int MIN_MESSAGE_LENGTH = JSON_OFFSET + 3;
    /** Largest VERSION request a server reads; QEMU's is about 200 bytes. */
    public static final int MAX_MESSAGE_LENGTH = 4096;

    /** Protocol major version spoken. */
    public static final int MAJOR = 0;
    /** Protocol minor version spoken. */
    public static final int MINOR = 0;

    /** Top-level key of the capability object. */
    public static final String CAPABILITIES = "capabilities";
    /** Most fds the sender can receive in one message (default 1 in the spec, 8 in QEMU). */
    public static final String MAX_MSG_FDS = "max_msg_fds";
    /** Largest {@code count} of a region or DMA read/write (default 1 MiB). */
    public static final String MAX_DATA_XFER_SIZE = "max_data_xfer_size";
    /** DMA page sizes or'ed together (default 4096). */
    public static final String PGSIZES = "pgsizes";
    /** Most DMA mappings at once (default 65535). */
    public static final String MAX_DMA_MAPS = "max_dma_maps";
    /** Migration capability object. */
    public static final String MIGRATION = "migration";
    /** REGION_WRITE_MULTI supported. */
    public static final String WRITE_MULTIPLE = "write_multiple";

    /** QEMU rejects a {@link #MAX_MSG_FDS} above this. */
    public static final int MAX_MSG_FDS_LIMIT = 16;
    /** QEMU rejects a {@link #MAX_DATA_XFER_SIZE} above this (64 MiB). */
    public static final long MAX_DATA_XFER_SIZE_LIMIT = 64L * 1024 * 1024;
    /** Default and advertised {@link #MAX_DATA_XFER_SIZE}: 1 MiB. */
    public static final int DEFAULT_MAX_DATA_XFER_SIZE = 1024 * 1024;
    /** fds a server accepts in one message and advertises ({@link #MAX_MSG_FDS}); QEMU's own default. */
    public static final int SERVER_MAX_MSG_FDS = 8;
    /** Default and largest {@link #MAX_DMA_MAPS}. */
    public static final int DEFAULT_MAX_DMA_MAPS = 65535;
    /** DMA page size: the only one supported. */
    public static final int PAGE_SIZE = 4096;

    /** The capabilities a server replies with when the request has room for them. */
    public static final String SERVER_CAPABILITIES_JSON =
        "{\"capabilities\":{\"max_msg_fds\":8,\"max_data_xfer_size\":1048576}}";
    /** The reply JSON when the request is too short for {@link #SERVER_CAPABILITIES_JSON}. */
    public static final String MINIMAL_CAPABILITIES_JSON = "{}";

    private VfioUserVersion()
    {
    }

    /**
     * QEMU's rule for the VERSION reply: it must fit the buffer the request occupied.
     *
     * @param replyLength   bytes of the reply, header included.
     * @param requestLength bytes of the request, header included.
     * @return true when QEMU accepts the size.
     */
    public static boolean replyFits(final int replyLength, final int requestLength)
    {
        return replyLength <= requestLength;
    }

    /**
     * @param jsonBytes UTF-8 length of the JSON text, without the NUL.
     * @return message length carrying it: header, version, JSON and NUL.
     */
    public static int messageLength(final int jsonBytes)
    {
        return JSON_OFFSET + jsonBytes + 1;
    }
}
