package io.sidecore.engine.port;

import io.sidecore.engine.backend.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PcapNgWriterTest
{
    private static final long EPOCH_NS = 1_700_000_000_123_456_789L;

    @TempDir
    Path directory;

    @Test
    void shouldWriteSectionHeaderAndEthernetInterfaceNamedAfterPortWhenCreated() throws IOException
    {
        final Path file = directory.resolve("empty.pcapng");
        new PcapNgWriter(file, "g7", 0, 1).close();

        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(PcapNgWriter.SECTION_HEADER_BLOCK_TYPE, bytes.getInt(0));
        assertEquals(PcapNgWriter.SECTION_HEADER_BLOCK_BYTES, bytes.getInt(4));
        assertEquals(PcapNgWriter.BYTE_ORDER_MAGIC, bytes.getInt(8));
        assertEquals(-1L, bytes.getLong(16), "section length unknown");
        final PcapNgReader pcapng = PcapNgReader.read(file);
        assertEquals(1, pcapng.sections);
        assertEquals(List.of(new PcapNgReader.Interface(
            PcapNgWriter.LINKTYPE_ETHERNET, PcapNgWriter.DEFAULT_SNAP_LENGTH, "g7",
            PcapNgWriter.TSRESOL_NANOSECONDS)), pcapng.interfaces);
        assertEquals(0, pcapng.packets.size());
    }

    @Test
    void shouldWriteEachFrameWithItsDirectionNanosecondTimestampAndPaddedBytes() throws IOException
    {
        final Path file = directory.resolve("records.pcapng");
        final byte[] odd = TestFrames.numbered(1, 61);
        final byte[] full = TestFrames.numbered(2, 1514);
        try (PcapNgWriter writer = new PcapNgWriter(file, "g0", 0, 1))
        {
            writer.write(EPOCH_NS, PcapNgWriter.DIRECTION_OUTBOUND, new UnsafeBuffer(odd), 0, odd.length);
            writer.write(EPOCH_NS + 1_000, PcapNgWriter.DIRECTION_INBOUND, new UnsafeBuffer(full), 0, full.length);
            assertEquals(2, writer.framesWritten());
        }

        final PcapNgReader pcapng = PcapNgReader.read(file);
        assertEquals(2, pcapng.packets.size());
        final PcapNgReader.Packet first = pcapng.packets.get(0);
        assertEquals(EPOCH_NS, first.timestampUnits());
        assertEquals(PcapNgReader.OUTBOUND, first.direction());
        assertEquals(61, first.originalLength());
        assertArrayEquals(odd, first.data());
        final PcapNgReader.Packet second = pcapng.packets.get(1);
        assertEquals(EPOCH_NS + 1_000, second.timestampUnits());
        assertEquals(PcapNgReader.INBOUND, second.direction());
        assertArrayEquals(full, second.data());
        final long headerBytes = Files.size(file) - (PcapNgWriter.ENHANCED_PACKET_OVERHEAD_BYTES + 64) -
            (PcapNgWriter.ENHANCED_PACKET_OVERHEAD_BYTES + 1516);
        assertEquals(0, headerBytes % 4, "every block padded to 32 bits");
    }

    @Test
    void shouldTruncateToSnapLengthButKeepOriginalLength() throws IOException
    {
        final Path file = directory.resolve("snap.pcapng");
        final byte[] frame = TestFrames.numbered(1, 1000);
        try (PcapNgWriter writer = new PcapNgWriter(file, "g0", 128, 0, 1, 4096))
        {
            writer.write(EPOCH_NS, PcapNgWriter.DIRECTION_INBOUND, new UnsafeBuffer(frame), 0, frame.length);
        }

        final PcapNgReader.Packet packet = PcapNgReader.read(file).packets.get(0);
        assertEquals(1000, packet.originalLength());
        assertArrayEquals(Arrays.copyOf(frame, 128), packet.data());
    }

    @Test
    void shouldStartEveryRotatedFileWithItsOwnSectionAndInterface() throws IOException
    {
        final Path file = directory.resolve("rot.pcapng");
        final long oneRecord = PcapNgWriter.ENHANCED_PACKET_OVERHEAD_BYTES + 100;
        try (PcapNgWriter writer = new PcapNgWriter(file, "g3", 65535, 200 + 2 * oneRecord, 2, 65536))
        {
            for (int i = 1; i <= 5; i++)
            {
                final UnsafeBuffer frame = new UnsafeBuffer(TestFrames.numbered(i, 100));
                writer.write(EPOCH_NS + i, PcapNgWriter.DIRECTION_OUTBOUND, frame, 0, 100);
            }
            assertEquals(2, writer.filesRotated());
        }

        final PcapNgReader newest = PcapNgReader.read(file);
        final PcapNgReader older = PcapNgReader.read(directory.resolve("rot.pcapng.1"));
        assertEquals("g3", newest.interfaces.get(0).name());
        assertEquals("g3", older.interfaces.get(0).name());
        assertEquals(List.of(5), numbers(newest));
        assertEquals(List.of(3, 4), numbers(older));
        assertFalse(Files.exists(directory.resolve("rot.pcapng.2")), "only two files kept");
    }

    @Test
    void shouldRefuseLimitsOutOfRange()
    {
        final Path file = directory.resolve("bad.pcapng");

        assertEquals("snapLength=0", assertThrows(IllegalArgumentException.class,
            () -> new PcapNgWriter(file, "g0", 0, 0, 1, 4096)).getMessage());
        assertEquals("maxFiles=0 maxFileBytes=0", assertThrows(IllegalArgumentException.class,
            () -> new PcapNgWriter(file, "g0", 0, 0)).getMessage());
        assertFalse(Files.exists(file), "nothing opened");
    }

    private static List<Integer> numbers(final PcapNgReader pcapng)
    {
        return pcapng.packets.stream().map(packet -> (int)packet.data()[0]).toList();
    }
}
