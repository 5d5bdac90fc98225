package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.sidecore.engine.backend.TestFrames.TCP_ACK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class CaptureBackendTest
{
    private static final long EPOCH_NS = 1_750_000_000_000_000_000L;

    @TempDir
    Path directory;

    private final PortCounters counters = PortCounters.inPrivateMemory("capture-test");
    private final ManualEpochClock clock = new ManualEpochClock(EPOCH_NS);

    @Test
    void shouldAppendGuestFramesAndDeliverNothingWhenPolled() throws Exception
    {
        final Path file = directory.resolve("port.pcap");
        final CaptureBackend backend = new CaptureBackend(new PcapWriter(file), clock, counters, 0);
        final byte[] first = TestFrames.udp(false, 64, 1);
        final byte[] second = TestFrames.tcp(false, 200, 5, TCP_ACK, 2);

        assertEquals(FrameSink.DELIVERED,
            backend.onFrame(new UnsafeBuffer(first), 0, first.length, TestFrames.PLAIN, 0L));
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

        final int outcome = backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, TestFrames.PLAIN, 0L);

        assertEquals(PortCounter.TX_DROP_BACKEND.id(), outcome);
        assertEquals(1, counters.get(PortCounter.TX_DROP_BACKEND));
        assertEquals(1, backend.writeErrors());
        assertEquals(0, backend.framesCaptured());
        backend.close();
    }
}
