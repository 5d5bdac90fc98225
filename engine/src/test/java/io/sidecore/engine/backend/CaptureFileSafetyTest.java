package io.sidecore.engine.backend;

import io.sidecore.engine.port.PcapNgWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture files are written by the daemon (often root) at a path a control client names, so opening one must not
 * become a way to write or truncate another file (issue 10 §0 hole 7): the file is never reached through a symbolic
 * link (O_NOFOLLOW), is created readable by the daemon's user only (0600, the frames are guests' traffic), lies in a
 * directory only the daemon's user can change, and only a previous capture (or an empty file) is ever replaced.
 */
class CaptureFileSafetyTest
{
    @TempDir
    Path directory;

    @Test
    void shouldRefuseAndLeaveTargetUntouchedWhenCaptureFileIsSymlink() throws IOException
    {
        final Path victim = directory.resolve("victim.txt");
        Files.writeString(victim, "precious", StandardCharsets.US_ASCII);
        final Path link = Files.createSymbolicLink(directory.resolve("capture.pcap"), victim);

        final UncheckedIOException ex = assertThrows(UncheckedIOException.class, () -> new PcapWriter(link));

        assertTrue(ex.getMessage().contains(link.toString()), ex.getMessage());
        assertEquals("precious", Files.readString(victim, StandardCharsets.US_ASCII), "the link's target is intact");
        assertTrue(Files.isSymbolicLink(link), "the link is left as it was");
    }

    @Test
    void shouldCreateCaptureFileReadableByOwnerOnly() throws IOException
    {
        final Path file = directory.resolve("owner-only.pcapng");

        new PcapNgWriter(file, "g0", 0, 1).close();

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void shouldCreateRotatedFilesReadableByOwnerOnly() throws IOException
    {
        final Path file = directory.resolve("rotating.pcap");
        final byte[] frame = new byte[1000];
        try (PcapWriter writer = new PcapWriter(file, 65535, false, 3000, 3, 4096))
        {
            for (int i = 0; i < 8; i++)
            {
                writer.write(1_000L * i, new UnsafeBuffer(frame), 0, frame.length);
            }
            assertTrue(writer.filesRotated() > 0, "the test rotates");
        }

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rw-------", PosixFilePermissions.toString(
            Files.getPosixFilePermissions(directory.resolve("rotating.pcap.1"))));
    }

    @Test
    void shouldRefuseDirectoryOthersCanWrite() throws IOException
    {
        final Path shared = Files.createDirectory(directory.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        final Path file = shared.resolve("capture.pcap");

        final UncheckedIOException ex = assertThrows(UncheckedIOException.class, () -> new PcapWriter(file));

        assertTrue(ex.getMessage().contains("writable by others"), ex.getMessage());
        assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS), "nothing created");
    }

    @Test
    void shouldRefuseDirectoryThatIsSymlink() throws IOException
    {
        final Path real = Files.createDirectory(directory.resolve("real"));
        final Path linked = Files.createSymbolicLink(directory.resolve("linked"), real);

        final UncheckedIOException ex =
            assertThrows(UncheckedIOException.class, () -> new PcapWriter(linked.resolve("capture.pcap")));

        assertTrue(ex.getMessage().contains("symbolic link"), ex.getMessage());
        assertFalse(Files.exists(real.resolve("capture.pcap")), "nothing created");
    }

    @Test
    void shouldRefuseToReplaceFileThatIsNotCapture() throws IOException
    {
        final Path notCapture = directory.resolve("passwd");
        Files.writeString(notCapture, "root:x:0:0:root:/root:/bin/bash\n", StandardCharsets.US_ASCII);

        final UncheckedIOException ex = assertThrows(UncheckedIOException.class, () -> new PcapWriter(notCapture));

        assertTrue(ex.getMessage().contains("not a capture"), ex.getMessage());
        assertEquals("root:x:0:0:root:/root:/bin/bash\n", Files.readString(notCapture, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldReplacePreviousCaptureWithOwnerOnlyFile() throws IOException
    {
        final Path file = directory.resolve("again.pcapng");
        try (PcapNgWriter first = new PcapNgWriter(file, "g0", 0, 1))
        {
            first.write(1L, PcapNgWriter.DIRECTION_INBOUND, new UnsafeBuffer(new byte[60]), 0, 60);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        final long firstSize = Files.size(file);

        new PcapNgWriter(file, "g0", 0, 1).close();

        assertTrue(Files.size(file) < firstSize, "the previous capture was replaced, not appended to");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
}
