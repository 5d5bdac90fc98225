package io.sidecore.engine.port;

import io.sidecore.engine.backend.PcapWriter;
import io.sidecore.engine.backend.Tcpdump;
import io.sidecore.engine.backend.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The capture files as operators read them: {@code tcpdump -r} (another process) reads what {@link PcapWriter} and
 * {@link PcapNgWriter} write, with nanosecond timestamps and the checksums the frames carry. The files' own layout is
 * checked without tcpdump in {@code PcapWriterTest} and {@code PcapNgWriterTest}.
 */
class CaptureTcpdumpSystemTest
{
    private static final long EPOCH_NS = 1_700_000_000_123_456_789L;
    private static final byte[] TCP = TestFrames.tcp(false, 100, 1000, TestFrames.TCP_ACK | TestFrames.TCP_PSH, 1);
    private static final byte[] UDP = TestFrames.udp(true, 50, 0);

    @TempDir
    Path directory;

    @Test
    void shouldBeReadableByTcpdumpWhenPcapWritten() throws Exception
    {
        final Path file = directory.resolve("tcpdump.pcap");
        try (PcapWriter writer = new PcapWriter(file, 65535, true, 0, 1, 65536))
        {
            writer.write(EPOCH_NS, new UnsafeBuffer(TCP), 0, TCP.length);
            writer.write(EPOCH_NS + 1000, new UnsafeBuffer(UDP), 0, UDP.length);
        }

        assertTcpThenUdp(Tcpdump.read(file));
    }

    @Test
    void shouldBeReadableByTcpdumpWithBothDirectionsWhenPcapNgWritten() throws Exception
    {
        final Path file = directory.resolve("tcpdump.pcapng");
        try (PcapNgWriter writer = new PcapNgWriter(file, "g0", 0, 1))
        {
            writer.write(EPOCH_NS, PcapNgWriter.DIRECTION_OUTBOUND, new UnsafeBuffer(TCP), 0, TCP.length);
            writer.write(EPOCH_NS + 1000, PcapNgWriter.DIRECTION_INBOUND, new UnsafeBuffer(UDP), 0, UDP.length);
        }

        assertTcpThenUdp(Tcpdump.read(file));
        final PcapNgReader pcapng = PcapNgReader.read(file);
        assertEquals(List.of(PcapNgReader.OUTBOUND, PcapNgReader.INBOUND),
            pcapng.packets.stream().map(PcapNgReader.Packet::direction).toList());
    }

    private static void assertTcpThenUdp(final List<String> lines)
    {
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("1700000000.123456789 "), lines.get(0));
        assertTrue(lines.get(0).contains("192.0.2.1.40000 > 192.0.2.2.80: Flags [P.], cksum"), lines.get(0));
        assertTrue(lines.get(0).contains("(correct), seq 1000:1100"), lines.get(0));
        assertTrue(lines.get(1).startsWith("1700000000.123457789 IP6"), lines.get(1));
        assertTrue(lines.get(1).contains("2001:db8::1.5000 > 2001:db8::2.6000: [udp sum ok] UDP, length 50"),
            lines.get(1));
    }
}
