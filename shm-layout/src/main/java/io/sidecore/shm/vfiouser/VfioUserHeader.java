package io.sidecore.shm.vfiouser;

/**
 * The 16-byte header in front of every vfio-user message, request or reply (vfio-user spec "Header"; QEMU
 * {@code hw/vfio-user/protocol.h} {@code VFIOUserHdr}). All fields are host order, little-endian on x86-64, packed.
 * <pre>
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +-------------------------------+-------------------------------+
 *   |            command            |          message id           | 0
 *   +-------------------------------+-------------------------------+
 *   |         size: whole message in bytes, header included         | 4
 *   +-------------------------------------------------------+-+-+---+
 *   |                   reserved (zero)                     |E|N|typ| 8
 *   +-------------------------------------------------------+-+-+---+
 *   |           error: positive errno, valid when E is set          | 12
 *   +---------------------------------------------------------------+
 *   |                 command-specific payload ...                  | 16
 * </pre>
 * {@code typ} (bits 0-3) is {@link #TYPE_COMMAND} or {@link #TYPE_REPLY}; QEMU treats any other value as a fatal
 * protocol error. {@code N} is {@link #FLAG_NO_REPLY} (a command that wants no reply: QEMU's posted writes),
 * {@code E} is {@link #FLAG_ERROR} (a reply reporting a failed command). A reply echoes the request's id and
 * command. An error reply is the header alone: flags {@code TYPE_REPLY | FLAG_ERROR}, the errno in {@code error}
 * ({@link #ERROR_REPLY_FLAGS}).
 * <p>
 * File descriptors travel as {@code SCM_RIGHTS} on the same {@code sendmsg} as the header bytes: QEMU sends each
 * message with one {@code writev} and collects fds on the {@code recvmsg} that reads the 16 header bytes, then
 * reads the payload with plain reads. A receiver must therefore read the header exactly (no more), take the fds
 * that arrived with it, then read exactly {@code size - 16} payload bytes.
 */
public final class VfioUserHeader
{
    /** Header length; also the smallest valid {@code size}. */
    public static final int HEADER_LENGTH = 16;

    public static final int MESSAGE_ID_OFFSET = 0;
    public static final int COMMAND_OFFSET = 2;
    public static final int SIZE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 8;
    public static final int ERROR_OFFSET = 12;

    /** Mask of the message-type bits in {@code flags}. */
    public static final int TYPE_MASK = 0xF;
    /** Type: a command (request). */
    public static final int TYPE_COMMAND = 0x0;
    /** Type: a reply to the command with the same id. */
    public static final int TYPE_REPLY = 0x1;
    /** The sender wants no reply (posted writes, WRITE_MULTI). */
    public static final int FLAG_NO_REPLY = 0x10;
    /** The reply reports an error; {@code error} holds the errno. */
    public static final int FLAG_ERROR = 0x20;
    /** Flags of an error reply. */
    public static final int ERROR_REPLY_FLAGS = TYPE_REPLY | FLAG_ERROR;
    /** Every flag bit this protocol version defines; a command with others set is malformed. */
    public static final int KNOWN_FLAGS = TYPE_MASK | FLAG_NO_REPLY | FLAG_ERROR;

    private VfioUserHeader()
    {
    }

    /**
     * @param flags header flags.
     * @return the message type ({@link #TYPE_COMMAND}, {@link #TYPE_REPLY} or another, invalid, value).
     */
    public static int type(final int flags)
    {
        return flags & TYPE_MASK;
    }

    /**
     * @param flags header flags.
     * @return true when the sender asked for no reply.
     */
    public static boolean isNoReply(final int flags)
    {
        return (flags & FLAG_NO_REPLY) != 0;
    }

    /**
     * @param flags header flags.
     * @return true for an error reply.
     */
    public static boolean isError(final int flags)
    {
        return (flags & FLAG_ERROR) != 0;
    }
}
