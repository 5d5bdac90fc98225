package io.sidecore.shm.vfiouser;

import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.OsException;

import java.util.Arrays;

/**
 * File descriptors that arrived with one vfio-user message, owned until a handler {@link #take takes} one; whatever
 * is left is closed by {@link #closeRemaining()}, so a malformed message (wrong fd count, fds on a command that
 * takes none) leaks nothing. Reused from message to message by one thread.
 */
public final class ReceivedFds
{
    /** Marks a slot whose descriptor was taken or closed. */
    private static final int NONE = -1;

    private int[] fds = new int[VfioUserSocket.MAX_FDS_PER_MESSAGE];
    private int count;

    /**
     * Add a descriptor this object now owns.
     *
     * @param fd an open descriptor.
     */
    void add(final int fd)
    {
        if (count == fds.length)
        {
            fds = Arrays.copyOf(fds, fds.length * 2);
        }
        fds[count++] = fd;
    }

    /**
     * @return how many descriptors arrived with the message.
     */
    public int count()
    {
        return count;
    }

    /**
     * Take ownership of one descriptor: the caller closes it from now on.
     *
     * @param index 0 .. {@link #count()} - 1.
     * @return the descriptor.
     * @throws IllegalStateException when already taken.
     */
    public int take(final int index)
    {
        if (index < 0 || index >= count || NONE == fds[index])
        {
            throw new IllegalStateException("no descriptor to take at index " + index + " of " + count);
        }
        final int fd = fds[index];
        fds[index] = NONE;
        return fd;
    }

    /**
     * Close every descriptor not taken and forget them all.
     *
     * @return how many were closed.
     */
    public int closeRemaining()
    {
        int closed = 0;
        for (int i = 0; i < count; i++)
        {
            if (NONE != fds[i])
            {
                closeQuietly(fds[i]);
                fds[i] = NONE;
                closed++;
            }
        }
        count = 0;
        return closed;
    }

    /**
     * Close a descriptor, ignoring a failure (there is nothing a caller could do about EBADF or EIO on close).
     *
     * @param fd descriptor.
     */
    public static void closeQuietly(final int fd)
    {
        try
        {
            Fds.close(fd);
        }
        catch (final OsException ignored)
        {
            // the descriptor is gone either way
        }
    }
}
