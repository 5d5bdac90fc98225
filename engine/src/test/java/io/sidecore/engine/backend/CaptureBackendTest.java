package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.sidecore.engine.backend.TestFrames.TCP_ACK;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureBackendTest
{
    private static final long EPOCH_NS = 1_750_000_000_000_000_000L;

    @TempDir
    Path directory;

    private final PortCounters counters = PortCounters.inHeap("capture-test");
    private final ManualEpochClock clock = new ManualEpochClock(EPOCH_NS);

    @Test
    void shouldAppendGuestFramesAndDeliverNothingWhenPolled() throws Exception
    {
        final Path file = directory.resolve("port.pcap");
        final CaptureBackend backend = new CaptureBackend(new PcapWriter(file), clock, counters, 0);
        final byte[] first = TestFrames.udp(false, 64, 1);
        final byte[] second = TestFrames.tcp(false, 200, 5, TCP_ACK, 2);

        backend.onFrame(new UnsafeBuffer(first), 0, first.length, TestFrames.PLAIN, 0L);
        clock.epochNs += 5_000;
        backend.onFrame(new UnsafeBuffer(second), 0, second.length, TestFrames.PLAIN, 0L);
        final int work = backend.poll(1, null, 64);

        assertEquals(0, work, "a capture port sends nothing to its guest");
        final PcapReader pcap = PcapReader.read(file);
        assertEquals(2, pcap.packets.size(), "flushed by poll while the port runs");
        assertArrayEquals(first, pcap.packets.get(0).data());
        assertArrayEquals(second, pcap.packets.get(1).data());
        assertEquals(5, pcap.packets.get(1).fraction() - pcap.packets.get(0).fraction(), "5 µs apart");
        assertFalse(backend.acceptsOffload(), "the device segments before capture");
        assertEquals("capture", backend.typeName());
        assertEquals(2, backend.framesCaptured());
        backend.close();
    }

    @Test
    void shouldFlushOnlyOncePerIntervalWhenPolled() throws Exception
    {
        final Path file = directory.resolve("interval.pcap");
        final CaptureBackend backend = new CaptureBackend(new PcapWriter(file), clock, counters, 1_000_000);
        final byte[] frame = TestFrames.udp(false, 64, 1);
        backend.poll(1_000_000, null, 64);
        backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, TestFrames.PLAIN, 0L);

        backend.poll(1_500_000, null, 64);
        assertEquals(0, PcapReader.read(file).packets.size(), "interval not elapsed: still staged");

        backend.poll(2_000_000, null, 64);
        assertEquals(1, PcapReader.read(file).packets.size());
        backend.close();
    }

    @Test
    void shouldCountTxDropBackendWhenFileCannotTakeFrame() throws Exception
    {
        final Path file = directory.resolve("closed.pcap");
        final PcapWriter writer = new PcapWriter(file);
        final CaptureBackend backend = new CaptureBackend(writer, clock, counters, 0);
        writer.close();
        final byte[] frame = TestFrames.udp(false, 64, 1);

        backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, TestFrames.PLAIN, 0L);

        assertEquals(1, counters.get(PortCounter.TX_DROP_BACKEND));
        assertEquals(1, backend.writeErrors());
        assertEquals(0, backend.framesCaptured());
        backend.close();
    }

    @Test
    void shouldRecordBothDirectionsAndForwardUnchangedWhenTeeingTap() throws Exception
    {
        final Path file = directory.resolve("tee.pcap");
        final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        final TapBackend tap = new TapBackend(TapDevice.adopt(pair[0], "tee", TapBackend.TAP_FLAGS), counters,
            1514, TapBackend.WANTED_OFFLOADS);
        final CaptureTap tee = new CaptureTap(tap, new PcapWriter(file), clock);
        final List<byte[]> toGuest = new ArrayList<>();
        final FrameSink guest = (frame, offset, length, metadata, nowNs) ->
        {
            final byte[] copy = new byte[length];
            frame.getBytes(offset, copy);
            toGuest.add(copy);
            return FrameSink.DELIVERED;
        };
        try (TapDevice kernel = TapDevice.adopt(pair[1], "kernel", TapBackend.TAP_FLAGS);
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(0x20000);
            final byte[] fromGuest = TestFrames.udp(false, 100, 1);
            tee.onFrame(new UnsafeBuffer(fromGuest), 0, fromGuest.length, TestFrames.PLAIN, 0L);
            final int read = kernel.read(buffer, 0x20000);
            assertEquals(VirtioNetHeader.LENGTH + fromGuest.length, read, "forwarded to the TAP");

            final byte[] gso = TestFrames.asGuestTso(TestFrames.tcp(false, 3000, 1, TCP_ACK, 1), false);
            final UnsafeBuffer header = new UnsafeBuffer(new byte[VirtioNetHeader.LENGTH]);
            VirtioNetHeader.write(header, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 1448, 34, 16);
            MemorySegment.copy(header.byteArray(), 0, buffer, JAVA_BYTE, 0, VirtioNetHeader.LENGTH);
            MemorySegment.copy(gso, 0, buffer, JAVA_BYTE, VirtioNetHeader.LENGTH, gso.length);
            final int messageBytes = VirtioNetHeader.LENGTH + gso.length;
            assertEquals(messageBytes, kernel.write(buffer, messageBytes));

            final int work = tee.poll(1, guest, 64);

            assertEquals(3, work);
            assertEquals(3, toGuest.size());
            assertEquals(4, tee.framesCaptured());
        }
        finally
        {
            tee.close();
        }
        final PcapReader pcap = PcapReader.read(file);
        assertEquals(4, pcap.packets.size());
        assertEquals(142, pcap.packets.get(0).originalLength(), "guest to host first");
        for (int i = 0; i < 3; i++)
        {
            assertArrayEquals(toGuest.get(i), pcap.packets.get(i + 1).data(), "segments as the guest got them");
        }
        assertEquals(3, PcapWriterTest.tcpdump(file).stream().filter(line -> line.contains("(correct)")).count());
    }

    @Test
    void shouldPollDelegateDirectlyAndRecordOnRequestWhenDelegateNotFrameSource() throws Exception
    {
        final Path file = directory.resolve("switch.pcap");
        final List<Integer> forwarded = new ArrayList<>();
        final PortBackend switchPort = new PortBackend()
        {
            public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget)
            {
                return 5;
            }

            public void close()
            {
            }

            public String typeName()
            {
                return "switch";
            }

            public int onFrame(final DirectBuffer frame, final int offset, final int lengthBytes,
                final FrameMetadata metadata, final long nowNs)
            {
                forwarded.add(lengthBytes);
                return DELIVERED;
            }
        };
        final CaptureTap tee = new CaptureTap(switchPort, new PcapWriter(file), clock);
        final byte[] frame = TestFrames.udp(false, 10, 1);

        assertEquals(5, tee.poll(1, null, 64));
        tee.onFrame(new UnsafeBuffer(frame), 0, frame.length, TestFrames.PLAIN, 0L);
        tee.captureFrame(new UnsafeBuffer(frame), 0, 20);
        tee.close();

        assertEquals(List.of(frame.length), forwarded);
        assertEquals("switch", tee.typeName());
        final PcapReader pcap = PcapReader.read(file);
        assertEquals(2, pcap.packets.size());
        assertEquals(20, pcap.packets.get(1).originalLength());
        assertTrue(Files.size(file) > 0);
    }
}
