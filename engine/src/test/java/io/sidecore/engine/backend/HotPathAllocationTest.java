package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.TxOffloadInfo;
import io.sidecore.engine.os.EventFd;
import io.sidecore.engine.os.Fds;
import io.sidecore.engine.os.LibC;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static io.sidecore.engine.backend.TestFrames.TCP_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The data-path calls allocate nothing once warm: eventfd signal/drain, TAP writes (plain and TSO with
 * virtio_net_hdr) and TAP polling with GSO segmentation. Measured with the JVM's per-thread allocation counter.
 */
class HotPathAllocationTest
{
    private static final int WARMUP = 30_000;
    private static final int MEASURED = 5_000;

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

    @Test
    void shouldAllocateNothingWhenSignallingAndDrainingEventFd()
    {
        try (EventFd eventFd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))
        {
            long total = 0;
            for (int i = 0; i < WARMUP; i++)
            {
                eventFd.signal();
                total += eventFd.drain();
            }
            final long overhead = measurementOverhead();
            final long before = allocatedBytes();
            for (int i = 0; i < MEASURED; i++)
            {
                eventFd.signal();
                total += eventFd.drain();
            }
            final long allocated = allocatedBytes() - before - overhead;

            assertEquals(WARMUP + MEASURED, total);
            assertEquals(0, allocated, "bytes allocated by " + MEASURED + " signal/drain pairs");
        }
    }

    @Test
    void shouldAllocateNothingWhenWritingAndPollingTapFrames()
    {
        final PortCounters counters = PortCounters.inHeap("alloc");
        final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        final TapBackend guestSide = new TapBackend(TapDevice.adopt(pair[0], "guest", TapBackend.TAP_FLAGS),
            counters, 1514, TapBackend.WANTED_OFFLOADS);
        final TapBackend hostSide = new TapBackend(TapDevice.adopt(pair[1], "host", TapBackend.TAP_FLAGS),
            PortCounters.inHeap("alloc-host"), 0x10000, TapBackend.WANTED_OFFLOADS);
        try
        {
            final byte[] plain = TestFrames.udp(false, 1000, 1);
            final byte[] tso = TestFrames.asGuestTso(TestFrames.tcp(false, 8000, 1, TCP_ACK, 1), false);
            final UnsafeBuffer plainBuffer = new UnsafeBuffer(plain);
            final UnsafeBuffer tsoBuffer = new UnsafeBuffer(tso);
            final TxOffloadInfo offload = new TxOffloadInfo();
            offload.gsoType = TxOffloadInfo.GSO_TCPV4;
            offload.gsoSizeBytes = 1448;
            offload.needsChecksum = true;
            offload.checksumStartBytes = 34;
            offload.checksumOffsetBytes = 16;
            final CountingReceiver receiver = new CountingReceiver();

            for (int i = 0; i < WARMUP; i++)
            {
                roundTrip(guestSide, hostSide, plainBuffer, plain.length, tsoBuffer, tso.length, offload, receiver);
            }
            final long overhead = measurementOverhead();
            final long before = allocatedBytes();
            for (int i = 0; i < MEASURED; i++)
            {
                roundTrip(guestSide, hostSide, plainBuffer, plain.length, tsoBuffer, tso.length, offload, receiver);
            }
            final long allocated = allocatedBytes() - before - overhead;

            assertEquals((long)(WARMUP + MEASURED) * (1 + 6), receiver.frames, "1 plain frame + 6 segments each");
            assertEquals(0, counters.get(PortCounter.RX_DROP_BACKEND));
            assertEquals(0, allocated, "bytes allocated by " + MEASURED + " TX/RX round trips");
        }
        finally
        {
            guestSide.close();
            hostSide.close();
        }
    }

    private static void roundTrip(final TapBackend guestSide, final TapBackend hostSide, final DirectBuffer plain,
        final int plainLength, final DirectBuffer tso, final int tsoLength, final TxOffloadInfo offload,
        final CountingReceiver receiver)
    {
        // The host side writes a plain frame and a TSO frame with a GSO virtio_net_hdr, exactly as the kernel
        // would send them; the guest side reads, segments and delivers them.
        hostSide.onFrame(0, plain, 0, plainLength);
        hostSide.onOffloadFrame(0, tso, 0, tsoLength, offload);
        guestSide.pollInto(1, receiver, 64);
        guestSide.onFrame(0, plain, 0, plainLength);
        hostSide.pollInto(1, receiver, 64);
        receiver.frames--;
    }

    private static final class CountingReceiver implements FrameReceiver
    {
        long frames;

        public boolean receive(final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
        {
            frames++;
            return true;
        }
    }
}
