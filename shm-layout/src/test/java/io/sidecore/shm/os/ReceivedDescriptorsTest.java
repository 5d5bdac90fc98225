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

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A descriptor taken over from junixsocket ({@link ReceivedDescriptors#takeOver}) is the caller's alone: closing the
 * socket it came on does not close it (junixsocket closes what it received when its socket closes), so the caller's
 * one close is the only one and never hits a number reused by someone else.
 */
class ReceivedDescriptorsTest
{
    @TempDir
    Path directory;

    @Test
    void shouldKeepATakenOverDescriptorOpenWhenTheSocketItCameOnCloses() throws IOException
    {
        final int taken;
        try (EventFd sent = EventFd.create(EventFd.EFD_CLOEXEC);
            AFUNIXServerSocket server = AFUNIXServerSocket.newInstance())
        {
            final AFUNIXSocketAddress address = AFUNIXSocketAddress.of(directory.resolve("s.sock"));
            server.bind(address);
            try (AFUNIXSocket client = AFUNIXSocket.connectTo(address);
                AFUNIXSocket accepted = server.accept())
            {
                accepted.setAncillaryReceiveBufferSize(1024);
                client.setOutboundFileDescriptors(FileDescriptorCast.unsafeUsing(sent.fd()).getFileDescriptor());
                client.getOutputStream().write(1);
                assertEquals(1, accepted.getInputStream().read());
                final FileDescriptor[] received = accepted.getReceivedFileDescriptors();
                assertNotNull(received, "the descriptor arrived");
                assertEquals(1, received.length);
                taken = ReceivedDescriptors.takeOver(received[0]);
            }
        }

        assertDoesNotThrow(() -> Fds.fstat(taken), "the socket's close left the taken-over descriptor open");
        Fds.close(taken);
    }
}
