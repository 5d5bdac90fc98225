package io.sidecore.shm.os;

import org.newsclub.net.unix.FileDescriptorCast;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;

/**
 * Taking over a descriptor that arrived with SCM_RIGHTS on a junixsocket socket.
 * <p>
 * junixsocket remembers every descriptor it received and, when the socket closes, closes each one whose
 * {@link FileDescriptor} object is still valid. Reading the number out of that object and closing it with
 * {@link Fds#close} leaves the object valid, so the number is closed a second time when the socket closes: by then
 * it may be a descriptor the daemon still uses (another guest's memory, an eventfd) that reused the number, or one
 * the daemon is about to close itself (which then fails with EBADF). Every received descriptor therefore goes through
 * {@link #takeOver}: a duplicate becomes the caller's, and the received one is closed through its own object, which
 * tells junixsocket it is gone.
 */
public final class ReceivedDescriptors
{
    private ReceivedDescriptors()
    {
    }

    /**
     * @param received a descriptor from {@code getReceivedFileDescriptors()}; closed by this call, whatever happens.
     * @return a duplicate (close-on-exec) that only the caller closes.
     * @throws IOException when the descriptor cannot be read out of the object.
     * @throws OsException when it cannot be duplicated.
     */
    public static int takeOver(final FileDescriptor received) throws IOException
    {
        final int raw = FileDescriptorCast.using(received).as(Integer.class);
        try
        {
            return Fds.duplicate(raw);
        }
        finally
        {
            // Closes raw through the object: junixsocket drops it from the descriptors it closes with the socket.
            new FileInputStream(received).close();
        }
    }
}
