package io.sidecore.shm.os;

import org.newsclub.net.unix.AFUNIXSocket;
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
 * <p>
 * A socket may be closed by another thread (a port destroyed, the daemon stopping) while its reader takes over what
 * it received; junixsocket then closes the received descriptors, under a lock of its own that we cannot take. So both
 * sides hold the socket's monitor: {@link #takeOver} and {@link #closeSocket}, which every close of such a socket
 * goes through.
 */
public final class ReceivedDescriptors
{
    private ReceivedDescriptors()
    {
    }

    /**
     * @param socket   the socket the descriptor came on: its monitor orders this take-over against a close of the
     *                 socket made with {@link #closeSocket} from another thread.
     * @param received a descriptor from {@code getReceivedFileDescriptors()}; closed by this call whatever happens, or
     *                 by the socket's close when that came first.
     * @return a duplicate (close-on-exec) that only the caller closes.
     * @throws IOException when the socket was closed first (junixsocket then closed the descriptor, and its number
     *                     may be another file's by now: neither duplicated nor closed here), or when the descriptor
     *                     cannot be read out of the object.
     * @throws OsException when it cannot be duplicated.
     */
    public static int takeOver(final AFUNIXSocket socket, final FileDescriptor received) throws IOException
    {
        synchronized (socket)
        {
            if (socket.isClosed() || !received.valid())
            {
                throw new IOException("a descriptor received on the socket was closed with it before it was " +
                    "taken over");
            }
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

    /**
     * Close a socket whose received descriptors another thread may be taking over: under the socket's monitor, so
     * the close (which closes every received descriptor not yet taken over) happens wholly before or wholly after a
     * {@link #takeOver}, never between its read of a descriptor's number and its close of it; a number is never
     * closed twice, and never duplicated after someone else reused it.
     *
     * @param socket the socket.
     * @throws IOException from the close.
     */
    public static void closeSocket(final AFUNIXSocket socket) throws IOException
    {
        synchronized (socket)
        {
            socket.close();
        }
    }
}
