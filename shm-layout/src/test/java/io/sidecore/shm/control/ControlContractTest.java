package io.sidecore.shm.control;

import io.sidecore.shm.CountersFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control connection's fixed contracts both sides compile against: the 16-byte trapped-access message
 * ({@link TrappedAccessMessage}) byte for byte, and where tools find a daemon's sockets and counters file from its
 * properties ({@link DaemonFiles}).
 */
class ControlContractTest
{
    @TempDir
    Path directory;

    @Test
    void shouldWriteTrappedAccessLittleEndianAtTheDiagramsOffsets()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4 + TrappedAccessMessage.LENGTH]);

        TrappedAccessMessage.write(buffer, 4, TrappedAccessMessage.KIND_WRITE, TrappedAccessMessage.SPACE_BAR0, 4,
            TrappedAccessMessage.STATUS_OK, 0x0000_00D0, 0x8000_009D, 0x0102_0304);

        assertArrayEquals(new byte[]{
            0, 0, 0, 0,
            2, 1, 4, 0,
            (byte)0xD0, 0, 0, 0,
            (byte)0x9D, 0, 0, (byte)0x80,
            4, 3, 2, 1}, buffer.byteArray());
    }

    @Test
    void shouldReadBackEveryFieldOfReplyWhenWritten()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TrappedAccessMessage.LENGTH]);

        TrappedAccessMessage.write(buffer, 0, TrappedAccessMessage.KIND_REPLY, TrappedAccessMessage.SPACE_CONFIG, 2,
            TrappedAccessMessage.STATUS_BAD_REQUEST, 0x3C, 0xFFFF_FFFF, -7);

        assertEquals(TrappedAccessMessage.KIND_REPLY, TrappedAccessMessage.kind(buffer, 0));
        assertEquals(TrappedAccessMessage.SPACE_CONFIG, TrappedAccessMessage.space(buffer, 0));
        assertEquals(2, TrappedAccessMessage.size(buffer, 0));
        assertEquals(TrappedAccessMessage.STATUS_BAD_REQUEST, TrappedAccessMessage.status(buffer, 0));
        assertEquals(0x3C, TrappedAccessMessage.address(buffer, 0));
        assertEquals(0xFFFF_FFFF, TrappedAccessMessage.value(buffer, 0));
        assertEquals(-7, TrappedAccessMessage.sequence(buffer, 0));
    }

    @Test
    void shouldReadUnsignedBytesWhenKindSpaceSizeOrStatusHaveTheirHighBitSet()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TrappedAccessMessage.LENGTH]);

        TrappedAccessMessage.write(buffer, 0, 0xFF, 0x80, 0xFE, 0x81, 0, 0, 0);

        assertEquals(0xFF, TrappedAccessMessage.kind(buffer, 0));
        assertEquals(0x80, TrappedAccessMessage.space(buffer, 0));
        assertEquals(0xFE, TrappedAccessMessage.size(buffer, 0));
        assertEquals(0x81, TrappedAccessMessage.status(buffer, 0));
        assertFalse(TrappedAccessMessage.isValidSpace(0x80));
        assertFalse(TrappedAccessMessage.isValidSize(0xFE));
    }

    @Test
    void shouldAcceptOnlyDefinedSizesAndSpaces()
    {
        assertTrue(TrappedAccessMessage.isValidSize(1));
        assertTrue(TrappedAccessMessage.isValidSize(2));
        assertTrue(TrappedAccessMessage.isValidSize(4));
        assertFalse(TrappedAccessMessage.isValidSize(0));
        assertFalse(TrappedAccessMessage.isValidSize(3));
        assertFalse(TrappedAccessMessage.isValidSize(8), "8-byte accesses are split by the VMM, not sent");
        assertTrue(TrappedAccessMessage.isValidSpace(TrappedAccessMessage.SPACE_CONFIG));
        assertTrue(TrappedAccessMessage.isValidSpace(TrappedAccessMessage.SPACE_BAR0));
        assertTrue(TrappedAccessMessage.isValidSpace(TrappedAccessMessage.SPACE_BAR1));
        assertFalse(TrappedAccessMessage.isValidSpace(3));
        assertFalse(TrappedAccessMessage.isValidSpace(-1));
    }

    @Test
    void shouldFindDefaultSocketAndCountersFileWhenPropertiesNameNeither()
    {
        final Properties none = new Properties();

        assertEquals(Path.of(DaemonFiles.DEFAULT_CONTROL_SOCKET), DaemonFiles.controlSocket(none));
        assertEquals(Path.of(CountersFileDescriptor.DEFAULT_FILE), DaemonFiles.countersFile(none));
    }

    @Test
    void shouldFindTrimmedPathsWhenPropertiesFileNamesThem() throws IOException
    {
        final Path file = directory.resolve("sidecore.properties");
        Files.writeString(file, DaemonFiles.CONTROL_SOCKET_PROP_NAME + " = /tmp/s/control.sock  \n" +
            DaemonFiles.COUNTERS_FILE_PROP_NAME + "=/dev/shm/x/counters.dat\n" +
            "# comment\nsidecore.ports=g0\n", StandardCharsets.UTF_8);

        final Properties properties = DaemonFiles.load(file);

        assertEquals(Path.of("/tmp/s/control.sock"), DaemonFiles.controlSocket(properties));
        assertEquals(Path.of("/dev/shm/x/counters.dat"), DaemonFiles.countersFile(properties));
        assertEquals("g0", properties.getProperty("sidecore.ports"));
    }

    @Test
    void shouldFailWithTheFileWhenPropertiesFileIsMissing()
    {
        final Path missing = directory.resolve("missing.properties");

        assertTrue(assertThrows(IOException.class, () -> DaemonFiles.load(missing)).getMessage()
            .contains("missing.properties"));
    }
}
