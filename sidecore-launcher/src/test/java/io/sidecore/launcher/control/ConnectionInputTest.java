package io.sidecore.launcher.control;

import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The descriptors a control request brings are the daemon's once handed out with their line: a guest's memfds and
 * eventfd outlive the request's connection only through the attachment that keeps them, and closing the connection
 * closes none of them behind the attachment's back (junixsocket closes what it received when its socket closes; a
 * second close of a number the attachment closes, or that another guest's descriptor reused, was the bug).
 */
class ConnectionInputTest
{
    private static final int MAX_LINE_BYTES = 1024;

    @TempDir
    Path directory;

    @Test
    void shouldKeepTheDescriptorsOfALineOpenWhenTheConnectionCloses() throws IOException
    {
        final int[] handedOut;
        try (EventFd sent = EventFd.create(EventFd.EFD_CLOEXEC);
            AFUNIXServerSocket server = AFUNIXServerSocket.newInstance())
        {
            final AFUNIXSocketAddress address = AFUNIXSocketAddress.of(directory.resolve("control.sock"));
            server.bind(address);
            try (AFUNIXSocket client = AFUNIXSocket.connectTo(address);
                AFUNIXSocket accepted = server.accept())
            {
                accepted.setAncillaryReceiveBufferSize(1024);
                final ConnectionInput input = new ConnectionInput(accepted, MAX_LINE_BYTES);
                client.setOutboundFileDescriptors(FileDescriptorCast.unsafeUsing(sent.fd()).getFileDescriptor());
                client.getOutputStream().write("{\"command\":\"attach\"}\n".getBytes(StandardCharsets.UTF_8));

                assertEquals(ConnectionInput.Status.LINE, input.readLine(MAX_LINE_BYTES));
                handedOut = input.lineDescriptors();
                assertEquals(1, handedOut.length, "the eventfd came with the line");
            }
        }

        assertDoesNotThrow(() -> Fds.fstat(handedOut[0]), "closing the connection left the line's descriptor open");
        Fds.close(handedOut[0]);
    }
}
