package io.sidecore.shm.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Fds#listenUnix} and {@link Fds#changeMode}: the socket file is created with the mode set before bind and
 * keeps it (junixsocket's own bind makes it 0666), which is how the daemon's device sockets come into existence
 * already restricted.
 */
class FdsListenUnixTest
{
    @TempDir
    Path directory;

    @Test
    void shouldCreateAListeningSocketWhoseFileHasTheModeAskedFromTheStart() throws IOException
    {
        final Path path = directory.resolve("restricted.sock");

        final int fd = Fds.listenUnix(path.toString(), 0, 1);

        try (AFUNIXServerSocket socket = FileDescriptorCast.unsafeUsing(fd).as(AFUNIXServerSocket.class))
        {
            assertEquals("---------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            try (AFUNIXSocket client = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(path));
                AFUNIXSocket accepted = socket.accept())
            {
                assertTrue(accepted.isConnected(), "the socket listens, and junixsocket serves it");
                assertTrue(client.isConnected());
            }
        }
    }

    @Test
    void shouldRefuseAPathTooLongForSockaddrUn()
    {
        final OsException refused = assertThrows(OsException.class,
            () -> Fds.listenUnix(directory.resolve("x".repeat(LibC.SUN_PATH_MAX_BYTES)).toString(), 0, 1));

        assertEquals(Errno.ENAMETOOLONG, refused.errno());
    }

    @Test
    void shouldNameTheDescriptorWhenTheKernelRefuses()
    {
        final OsException refused = assertThrows(OsException.class, () -> Fds.changeMode(-1, 0600));

        assertEquals(Errno.EBADF, refused.errno());
    }
}
