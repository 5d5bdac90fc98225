package io.sidecore.tools.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control client against a stand-in daemon on a real Unix socket: what it tells its user when the daemon
 * answered and closed before the request was written (the daemon's refusal without its linger).
 */
class ControlClientTest
{
    private static final String REFUSAL = "{\"version\":1,\"ok\":false,\"error\":{\"code\":\"unauthorized\"," +
        "\"message\":\"uid 65534 gid 65534 may not use this control socket\"}}\n";

    @TempDir
    Path directory;

    @Test
    void shouldNameTheLikelyRefusalWhenTheDaemonClosedBeforeTheRequest() throws Exception
    {
        final Path socket = directory.resolve("control.sock");
        try (AFUNIXServerSocket server = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(socket)))
        {
            final Thread daemon = answerAndClose(server);
            try (ControlClient client = ControlClient.connect(socket))
            {
                daemon.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(daemon.isAlive(), "the stand-in daemon answered and closed");

                final IOException failure = assertThrows(IOException.class,
                    () -> client.call(client.newRequest("list")));

                assertTrue(failure.getMessage().startsWith("the daemon closed the control connection before the " +
                    "request was written"), failure.getMessage());
                assertTrue(failure.getMessage().contains("sidecore.control.allowed.uids/gids"), failure.getMessage());
            }
        }
    }

    private static Thread answerAndClose(final AFUNIXServerSocket server)
    {
        final Thread thread = new Thread(() ->
        {
            try (AFUNIXSocket peer = server.accept())
            {
                peer.getOutputStream().write(REFUSAL.getBytes(StandardCharsets.UTF_8));
                peer.getOutputStream().flush();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "stand-in-daemon");
        thread.start();
        return thread;
    }
}
