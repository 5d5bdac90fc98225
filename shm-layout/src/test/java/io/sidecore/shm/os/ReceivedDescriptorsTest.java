package io.sidecore.shm.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A descriptor taken over from junixsocket ({@link ReceivedDescriptors#takeOver}) is the caller's alone: closing the
 * socket it came on does not close it (junixsocket closes what it received when its socket closes), so the caller's
 * one close is the only one and never hits a number reused by someone else.
 */
class ReceivedDescriptorsTest
{
    private static final int MAX_REUSE_ATTEMPTS = 1024;

    @TempDir
    Path directory;

    @Test
    void shouldKeepATakenOverDescriptorOpenWhenTheSocketItCameOnCloses() throws IOException
    {
        final int taken;
        try (Pair pair = Pair.connected(directory.resolve("s.sock")))
        {
            final FileDescriptor received = pair.sendOneDescriptor();
            taken = ReceivedDescriptors.takeOver(pair.accepted, received);
        }

        assertDoesNotThrow(() -> Fds.fstat(taken), "the socket's close left the taken-over descriptor open");
        Fds.close(taken);
    }

    /**
     * The socket's close (another thread: a port destroyed, the daemon stopping) won the race against the reader's
     * take-over: junixsocket closed the received descriptor, and its number may already be another file's. The
     * take-over must refuse, and must neither duplicate nor close that number.
     */
    @Test
    void shouldRefuseToTakeOverADescriptorItsSocketClosedAndLeaveTheReusedNumberAlone() throws IOException
    {
        try (Pair pair = Pair.connected(directory.resolve("r.sock")))
        {
            final AFUNIXSocket accepted = pair.accepted;
            final FileDescriptor received = pair.sendOneDescriptor();
            final int number = FileDescriptorCast.using(received).as(Integer.class);

            ReceivedDescriptors.closeSocket(accepted);
            final List<EventFd> opened = new ArrayList<>();
            try
            {
                // Open files until one gets the number junixsocket's close freed (lower free numbers go first).
                EventFd reuser = null;
                while (null == reuser && opened.size() < MAX_REUSE_ATTEMPTS)
                {
                    final EventFd next = EventFd.create(EventFd.EFD_CLOEXEC);
                    opened.add(next);
                    reuser = number == next.fd() ? next : null;
                }
                assertNotNull(reuser, "the number " + number + " was freed by the socket's close and reused");
                final int reused = reuser.fd();

                assertThrows(IOException.class, () -> ReceivedDescriptors.takeOver(accepted, received));

                assertDoesNotThrow(() -> Fds.fstat(reused), "the file now at that number stays open");
            }
            finally
            {
                for (final EventFd eventFd : opened)
                {
                    eventFd.close();
                }
            }
        }
    }

    /**
     * A connected socket pair over which one eventfd is sent.
     */
    private static final class Pair implements AutoCloseable
    {
        private final EventFd sent = EventFd.create(EventFd.EFD_CLOEXEC);
        private final AFUNIXServerSocket server;
        private final AFUNIXSocket client;
        private final AFUNIXSocket accepted;

        private Pair(final AFUNIXServerSocket server, final AFUNIXSocket client, final AFUNIXSocket accepted)
        {
            this.server = server;
            this.client = client;
            this.accepted = accepted;
        }

        static Pair connected(final Path path) throws IOException
        {
            final AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
            final AFUNIXSocketAddress address = AFUNIXSocketAddress.of(path);
            server.bind(address);
            final AFUNIXSocket client = AFUNIXSocket.connectTo(address);
            return new Pair(server, client, server.accept());
        }

        FileDescriptor sendOneDescriptor() throws IOException
        {
            accepted.setAncillaryReceiveBufferSize(1024);
            client.setOutboundFileDescriptors(FileDescriptorCast.unsafeUsing(sent.fd()).getFileDescriptor());
            client.getOutputStream().write(1);
            assertEquals(1, accepted.getInputStream().read());
            final FileDescriptor[] received = accepted.getReceivedFileDescriptors();
            assertNotNull(received, "the descriptor arrived");
            assertEquals(1, received.length);
            return received[0];
        }

        @Override
        public void close() throws IOException
        {
            accepted.close();
            client.close();
            server.close();
            sent.close();
        }
    }
}
