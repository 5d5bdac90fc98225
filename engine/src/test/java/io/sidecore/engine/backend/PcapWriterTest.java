package io.sidecore.engine.backend;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapWriterTest
{
    private static final long EPOCH_NS = 1_700_000_000_123_456_789L;

    @TempDir
    Path directory;

    @Test
    void shouldWriteMicrosecondEthernetGlobalHeaderWhenCreated() throws IOException
    {
        final Path file = directory.resolve("empty.pcap");
        new PcapWriter(file).close();

        final byte[] bytes = Files.readAllBytes(file);
        assertEquals(PcapWriter.GLOBAL_HEADER_BYTES, bytes.length);
        assertArrayEquals(new byte[]{(byte)0xD4, (byte)0xC3, (byte)0xB2, (byte)0xA1, 2, 0, 4, 0}, java.util.Arrays
            .copyOf(bytes, 8), "little-endian magic, version 2.4");
        final PcapReader pcap = PcapReader.read(file);
        assertFalse(pcap.nanos);
        assertEquals(PcapWriter.DEFAULT_SNAP_LENGTH, pcap.snapLength);
        assertEquals(PcapWriter.LINKTYPE_ETHERNET, pcap.linkType);
        assertEquals(0, pcap.packets.size());
    }

    @Test
    void shouldWriteRecordsWithMicrosecondTimestampsLengthsAndBytes() throws IOException
    {
        final Path file = directory.resolve("records.pcap");
        final byte[] first = TestFrames.numbered(1, 60);
        final byte[] second = TestFrames.numbered(2, 1514);
        try (PcapWriter writer = new PcapWriter(file))
        {
            writer.write(EPOCH_NS, new UnsafeBuffer(first), 0, first.length);
            writer.write(EPOCH_NS + 2_000_000_999L, new UnsafeBuffer(second), 0, second.length);
            assertEquals(2, writer.framesWritten());
        }

        final PcapReader pcap = PcapReader.read(file);
        assertEquals(2, pcap.packets.size());
        assertEquals(1_700_000_000L, pcap.packets.get(0).seconds());
        assertEquals(123_456L, pcap.packets.get(0).fraction());
        assertEquals(1_700_000_002L, pcap.packets.get(1).seconds());
        assertEquals(123_457L, pcap.packets.get(1).fraction());
        assertEquals(60, pcap.packets.get(0).capturedLength());
        assertEquals(60, pcap.packets.get(0).originalLength());
        assertArrayEquals(first, pcap.packets.get(0).data());
        assertArrayEquals(second, pcap.packets.get(1).data());
    }

    @Test
    void shouldWriteNanosecondMagicAndFractionWhenNanos() throws IOException
    {
        final Path file = directory.resolve("nanos.pcap");
        try (PcapWriter writer = new PcapWriter(file, 65535, true, 0, 1, 4096))
        {
            writer.write(EPOCH_NS, new UnsafeBuffer(TestFrames.numbered(1, 64)), 0, 64);
        }

        final PcapReader pcap = PcapReader.read(file);
        assertTrue(pcap.nanos);
        assertEquals(123_456_789L, pcap.packets.get(0).fraction());
    }

    @Test
    void shouldTruncateToSnapLengthButKeepOriginalLength() throws IOException
    {
        final Path file = directory.resolve("snap.pcap");
        final byte[] frame = TestFrames.numbered(1, 1000);
        try (PcapWriter writer = new PcapWriter(file, 128, false, 0, 1, 4096))
        {
            writer.write(EPOCH_NS, new UnsafeBuffer(frame), 0, frame.length);
        }

        final PcapReader.Packet packet = PcapReader.read(file).packets.get(0);
        assertEquals(128, packet.capturedLength());
        assertEquals(1000, packet.originalLength());
        assertArrayEquals(java.util.Arrays.copyOf(frame, 128), packet.data());
    }

    @Test
    void shouldRotateAndDeleteOldestWhenFilesExceedMaxBytes() throws IOException
    {
        final Path file = directory.resolve("rot.pcap");
        final long maxBytes = PcapWriter.GLOBAL_HEADER_BYTES + 2 * (PcapWriter.RECORD_HEADER_BYTES + 100);
        try (PcapWriter writer = new PcapWriter(file, 65535, false, maxBytes, 3, 65536))
        {
            for (int i = 1; i <= 7; i++)
            {
                writer.write(EPOCH_NS + i, new UnsafeBuffer(TestFrames.numbered(i, 100)), 0, 100);
            }
            assertEquals(3, writer.filesRotated());
        }

        assertEquals(List.of(7), frameNumbers(file));
        assertEquals(List.of(5, 6), frameNumbers(directory.resolve("rot.pcap.1")));
        assertEquals(List.of(3, 4), frameNumbers(directory.resolve("rot.pcap.2")));
        assertFalse(Files.exists(directory.resolve("rot.pcap.3")), "oldest (frames 1, 2) deleted");
        assertTrue(Files.size(directory.resolve("rot.pcap.1")) <= maxBytes);
    }

    private static List<Integer> frameNumbers(final Path file) throws IOException
    {
        final List<Integer> numbers = new ArrayList<>();
        for (final PcapReader.Packet packet : PcapReader.read(file).packets)
        {
            numbers.add((int)packet.data()[0]);
        }
        return numbers;
    }

    @Test
    void shouldWriteThroughToFileWhenStagingBufferFills() throws IOException
    {
        final Path file = directory.resolve("small.pcap");
        try (PcapWriter writer = new PcapWriter(file, 200, false, 0, 1, 0))
        {
            writer.write(EPOCH_NS, new UnsafeBuffer(TestFrames.numbered(1, 200)), 0, 200);
            assertEquals(0, Files.size(file), "first record still staged");

            writer.write(EPOCH_NS, new UnsafeBuffer(TestFrames.numbered(2, 200)), 0, 200);

            assertEquals(PcapWriter.GLOBAL_HEADER_BYTES + PcapWriter.RECORD_HEADER_BYTES + 200, Files.size(file));
        }
        assertEquals(List.of(1, 2), frameNumbers(file));
    }
}
