package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static io.sidecore.engine.backend.TestFrames.TCP_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data-path calls allocate nothing once warm: eventfd signal/drain, TAP writes (plain and TSO with
 * virtio_net_hdr), TAP polling with GSO segmentation, and pcap capture including its file writes. Measured with
 * the JVM's per-thread allocation counter.
 */
class HotPathAllocationTest
{
    private static final int WARMUP = 30_000;
    private static final int MEASURED = 5_000;
    private static final int MAX_ROUNDS = 40;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private static long allocatedBytes()
    {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * What reading the counter twice costs by itself (the first reads allocate inside the management code).
     */
    private static long measurementOverhead()
    {
        long overhead = 0;
        for (int i = 0; i < 3; i++)
        {
            final long before = allocatedBytes();
            overhead = allocatedBytes() - before;
        }
        return overhead;
    }

    /**
     * Bytes {@code body} allocates over {@link #MEASURED} runs once compiled: rounds are repeated (at most
     * {@link #MAX_ROUNDS}) until one allocates nothing, since the JIT compiles in the background and interpreted
     * method-handle calls may box. Code that allocates on every run never reaches 0.
     */
    private static long steadyStateAllocatedBytes(final Runnable body)
    {
        long allocated = -1;
        for (int round = 0; round < MAX_ROUNDS && allocated != 0; round++)
        {
            final long overhead = measurementOverhead();
            final long before = allocatedBytes();
            for (int i = 0; i < MEASURED; i++)
            {
                body.run();
            }
            allocated = allocatedBytes() - before - overhead;
        }
        return allocated;
    }

    @Test
    void shouldAllocateNothingWhenSignallingAndDrainingEventFd()
    {
        try (EventFd eventFd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))
        {
            final long[] total = new long[1];
            final Runnable signalAndDrain = () ->
            {
                eventFd.signal();
                total[0] += eventFd.drain();
            };
            for (int i = 0; i < WARMUP; i++)
            {
                signalAndDrain.run();
            }

            final long allocated = steadyStateAllocatedBytes(signalAndDrain);

            assertEquals(0, allocated, "bytes allocated by " + MEASURED + " signal/drain pairs");
            assertEquals(0, total[0] % MEASURED, "every signal drained exactly once");
            assertTrue(total[0] >= WARMUP + MEASURED);
        }
    }

    @Test
    void shouldAllocateNothingWhenWritingAndPollingTapFrames()
    {
        final PortCounters counters = PortCounters.inPrivateMemory("alloc");
        final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        final TapBackend guestSide = new TapBackend(TapDevice.adopt(pair[0], "guest", TapOpener.TAP_FLAGS),
            counters, 1514, TapOpener.WANTED_OFFLOADS);
        final TapBackend hostSide = new TapBackend(TapDevice.adopt(pair[1], "host", TapOpener.TAP_FLAGS),
            PortCounters.inPrivateMemory("alloc-host"), 0x10000, TapOpener.WANTED_OFFLOADS);
        try
        {
            final byte[] plain = TestFrames.udp(false, 1000, 1);
            final byte[] tso = TestFrames.asGuestTso(TestFrames.tcp(false, 8000, 1, TCP_ACK, 1), false);
            final UnsafeBuffer plainBuffer = new UnsafeBuffer(plain);
            final UnsafeBuffer tsoBuffer = new UnsafeBuffer(tso);
            final FrameMetadata offload = new FrameMetadata();
            offload.gsoType = FrameMetadata.GSO_TCPV4;
            offload.gsoSizeBytes = 1448;
            offload.needsChecksum = true;
            offload.checksumStartBytes = 34;
            offload.checksumOffsetBytes = 16;
            final CountingReceiver receiver = new CountingReceiver();
            final Runnable roundTrip = () -> roundTrip(guestSide, hostSide, plainBuffer, plain.length, tsoBuffer,
                tso.length, offload, receiver);
            for (int i = 0; i < WARMUP; i++)
            {
                roundTrip.run();
            }

            final long allocated = steadyStateAllocatedBytes(roundTrip);

            assertEquals(0, allocated, "bytes allocated by " + MEASURED + " TX/RX round trips");
            assertEquals(0, receiver.frames % (MEASURED * (1 + 6L)), "1 plain frame + 6 segments each");
            assertEquals(0, counters.get(PortCounter.RX_DROP_BACKEND));
        }
        finally
        {
            guestSide.close();
            hostSide.close();
        }
    }

    @Test
    void shouldAllocateNothingWhenCapturingFramesIncludingFileWrites(@TempDir final Path directory)
    {
        final byte[] frame = TestFrames.udp(false, 1000, 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final PcapWriter writer = new PcapWriter(directory.resolve("alloc.pcap"), 65535, true, 0, 1, 64 * 1024);
        final CaptureBackend capture = new CaptureBackend(writer, new ManualEpochClock(1L),
            PortCounters.inPrivateMemory("c"), 0);
        try
        {
            final Runnable captureOne = () -> capture.onFrame(buffer, 0, frame.length, TestFrames.PLAIN, 0L);
            for (int i = 0; i < WARMUP; i++)
            {
                captureOne.run();
            }

            final long allocated = steadyStateAllocatedBytes(captureOne);

            assertEquals(0, allocated, "bytes allocated by " + MEASURED + " captured frames (with ~80 file writes)");
            assertEquals(0, capture.framesCaptured() % MEASURED);
            assertEquals(0, capture.writeErrors());
        }
        finally
        {
            capture.close();
        }
    }

    private static void roundTrip(final TapBackend guestSide, final TapBackend hostSide, final DirectBuffer plain,
        final int plainLength, final DirectBuffer tso, final int tsoLength, final FrameMetadata offload,
        final CountingReceiver receiver)
    {
        // The host side writes a plain frame and a TSO frame with a GSO virtio_net_hdr, exactly as the kernel
        // would send them; the guest side reads, segments and delivers them.
        hostSide.onFrame(plain, 0, plainLength, TestFrames.PLAIN, 0L);
        hostSide.onFrame(tso, 0, tsoLength, offload, 0L);
        guestSide.poll(1, receiver, 64);
        guestSide.onFrame(plain, 0, plainLength, TestFrames.PLAIN, 0L);
        hostSide.poll(1, receiver, 64);
        receiver.frames--;
    }

    private static final class CountingReceiver implements FrameSink
    {
        long frames;

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            frames++;
            return DELIVERED;
        }
    }
}
