package io.sidecore.shm.vfiouser;

import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * One message received by the client: its header fields, a copy of the whole message, and the fds that came with
 * it (owned by the receiver of this object, who closes them).
 *
 * @param id      message id.
 * @param command command.
 * @param size    whole length.
 * @param flags   header flags.
 * @param error   errno of an error reply.
 * @param message the message bytes, from offset 0.
 * @param fds     descriptors received with the header.
 */
public record VfioUserReply(int id, int command, int size, int flags, int error, UnsafeBuffer message, int[] fds)
{
    /**
     * @return true for an error reply.
     */
    public boolean isError()
    {
        return VfioUserHeader.isError(flags);
    }

    /**
     * @param offset byte offset in the message.
     * @return the 32-bit field there.
     */
    public int intAt(final int offset)
    {
        return message.getInt(offset, LITTLE_ENDIAN);
    }

    /**
     * @param offset byte offset in the message.
     * @return the 64-bit field there.
     */
    public long longAt(final int offset)
    {
        return message.getLong(offset, LITTLE_ENDIAN);
    }

    /**
     * Close every fd that came with the reply.
     */
    public void closeFds()
    {
        for (final int fd : fds)
        {
            ReceivedFds.closeQuietly(fd);
        }
    }

    @Override
    public String toString()
    {
        return "VfioUserReply{id=" + id + ", command=" + command + ", size=" + size + ", flags=0x" +
            Integer.toHexString(flags) + (isError() ? ", error=" + VfioUserErrno.name(error) : "") +
            ", fds=" + fds.length + "}";
    }
}
