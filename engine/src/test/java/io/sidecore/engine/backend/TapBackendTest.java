package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.DeviceHarness;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.os.Errno;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.sidecore.engine.backend.TestFrames.TCP_ACK;
import static io.sidecore.engine.backend.TestFrames.TCP_PSH;
import static io.sidecore.engine.backend.TestFrames.u16;
import static io.sidecore.engine.backend.TestFrames.u32;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TapBackend against a SOCK_SEQPACKET socket pair standing in for the TAP: one message per frame, exactly as a TAP
 * with IFF_VNET_HDR reads and writes, so every byte the backend writes can be inspected and every byte the kernel
 * could send can be injected.
 */
class TapBackendTest
{
    private static final int MAX_RX = 1514;

    private final PortCounters counters = PortCounters.inPrivateMemory("tap-test");
    private final List<byte[]> delivered = new ArrayList<>();
    private final FrameSink collector = (frame, offset, length, metadata, nowNs) ->
    {
        final byte[] copy = new byte[length];
        frame.getBytes(offset, copy);
        delivered.add(copy);
        return FrameSink.DELIVERED;
    };
    private final FrameMetadata offload = new FrameMetadata();
    private TapBackend backend;
    private TapDevice kernelSide;
    private Arena arena;
    private MemorySegment peerBuffer;

    @BeforeEach
    void connect()
    {
        final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        backend = new TapBackend(TapDevice.adopt(pair[0], "sc-test", TapOpener.TAP_FLAGS), counters, MAX_RX,
            TapOpener.WANTED_OFFLOADS);
        kernelSide = TapDevice.adopt(pair[1], "kernel", TapOpener.TAP_FLAGS);
        arena = Arena.ofConfined();
        peerBuffer = arena.allocate(0x20000);
    }

    @AfterEach
    void disconnect()
    {
        backend.close();
        kernelSide.close();
        arena.close();
    }

    private byte[] kernelReads()
    {
        final int length = kernelSide.read(peerBuffer, (int)peerBuffer.byteSize());
        if (length == -Errno.EAGAIN)
        {
            return null;
        }
        assertTrue(length > 0, "read failed: " + length);
        return peerBuffer.asSlice(0, length).toArray(JAVA_BYTE);
    }

    private void kernelSends(final int flags, final int gsoType, final int hdrLen, final int gsoSize,
        final int csumStart, final int csumOffset, final byte[] frame)
    {
        final UnsafeBuffer header = new UnsafeBuffer(new byte[VirtioNetHeader.LENGTH]);
        VirtioNetHeader.write(header, 0, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
        MemorySegment.copy(header.byteArray(), 0, peerBuffer, JAVA_BYTE, 0, VirtioNetHeader.LENGTH);
        MemorySegment.copy(frame, 0, peerBuffer, JAVA_BYTE, VirtioNetHeader.LENGTH, frame.length);
        assertEquals(VirtioNetHeader.LENGTH + frame.length,
            kernelSide.write(peerBuffer, VirtioNetHeader.LENGTH + frame.length));
    }

    private static byte[] frameOf(final byte[] message)
    {
        final byte[] frame = new byte[message.length - VirtioNetHeader.LENGTH];
        System.arraycopy(message, VirtioNetHeader.LENGTH, frame, 0, frame.length);
        return frame;
    }

    @Test
    void shouldWriteEmptyVnetHeaderThenFrameWhenPlainFrame()
    {
        final byte[] frame = TestFrames.udp(false, 100, 1);

        backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, TestFrames.PLAIN, 0L);

        final byte[] message = kernelReads();
        assertArrayEquals(new byte[VirtioNetHeader.LENGTH], java.util.Arrays.copyOf(message, 10));
        assertArrayEquals(frame, frameOf(message));
        assertEquals(1, backend.txFramesWritten());
        assertNull(kernelReads());
    }

    @Test
    void shouldWriteWholeTcpv4FrameWithGsoHeaderAndFixedHeadersWhenGuestTso()
    {
        final byte[] correct = TestFrames.tcp(false, 20_000, 1000, TCP_ACK | TCP_PSH, 7);
        final byte[] guestTso = TestFrames.asGuestTso(correct, false);
        offload.gsoType = FrameMetadata.GSO_TCPV4;
        offload.gsoSizeBytes = 1448;
        offload.headerLengthBytes = 54;
        offload.needsChecksum = true;
        offload.checksumStartBytes = 34;
        offload.checksumOffsetBytes = 16;

        backend.onFrame(new UnsafeBuffer(guestTso), 0, guestTso.length, offload, 0L);

        final byte[] message = kernelReads();
        final UnsafeBuffer header = new UnsafeBuffer(message);
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(header, 0));
        assertEquals(VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(header, 0));
        assertEquals(54, VirtioNetHeader.headerLength(header, 0));
        assertEquals(1448, VirtioNetHeader.gsoSize(header, 0));
        assertEquals(34, VirtioNetHeader.checksumStart(header, 0));
        assertEquals(16, VirtioNetHeader.checksumOffset(header, 0));
        final byte[] written = frameOf(message);
        assertEquals(correct.length, written.length, "written whole, not segmented");
        assertEquals(written.length - 14, u16(written, 16), "IPv4 total length set");
        assertTrue(TestFrames.isIpv4HeaderValid(written, 14));
        assertEquals(TestFrames.fold(TestFrames.pseudo(written, 14, false, 6, written.length - 34)),
            u16(written, 50), "TCP checksum field holds the partial (pseudo-header) sum over the whole L4 length");
        assertEquals(1, backend.txOffloadFramesWritten());
        assertKernelSegmentationYieldsValidSegments(written, false);
    }

    /**
     * Do what the kernel does with a CHECKSUM_PARTIAL GSO frame: complete the checksum, then segment. Every segment
     * must verify and carry the original payload.
     */
    private void assertKernelSegmentationYieldsValidSegments(final byte[] written, final boolean ipv6)
    {
        final int l4 = ipv6 ? 54 : 34;
        final byte[] completed = written.clone();
        final int checksum = TestFrames.finish(TestFrames.sum(completed, l4, completed.length - l4, 0));
        completed[l4 + 16] = (byte)(checksum >>> 8);
        completed[l4 + 17] = (byte)checksum;
        assertTrue(TestFrames.isL4ChecksumValid(completed, 14, ipv6, 6, l4), "completed partial checksum verifies");
        final GsoSegmenter kernel = new GsoSegmenter();
        final int count = kernel.prepare(new UnsafeBuffer(completed), 0, completed.length, 6, ipv6, 0, 1448);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[2000]);
        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++)
        {
            final int length = kernel.buildSegment(i, out, 0);
            payload.write(out.byteArray(), l4 + 20, length - l4 - 20);
        }
        final byte[] reassembled = payload.toByteArray();
        assertEquals(completed.length - l4 - 20, reassembled.length);
        for (int i = 0; i < reassembled.length; i++)
        {
            assertEquals(TestFrames.payloadByte(i), reassembled[i]);
        }
    }

    @Test
    void shouldWriteWholeTcpv6FrameWithPayloadLengthSetWhenGuestTso()
    {
        final byte[] correct = TestFrames.tcp(true, 9000, 5, TCP_ACK, 0);
        final byte[] guestTso = TestFrames.asGuestTso(correct, true);
        offload.gsoType = FrameMetadata.GSO_TCPV6;
        offload.gsoSizeBytes = 1440;
        offload.headerLengthBytes = 74;
        offload.needsChecksum = true;
        offload.checksumStartBytes = 54;
        offload.checksumOffsetBytes = 16;

        backend.onFrame(new UnsafeBuffer(guestTso), 0, guestTso.length, offload, 0L);

        final byte[] message = kernelReads();
        assertEquals(VirtioNetHeader.GSO_TCPV6, VirtioNetHeader.gsoType(new UnsafeBuffer(message), 0));
        final byte[] written = frameOf(message);
        assertEquals(correct.length, written.length);
        assertEquals(written.length - 54, u16(written, 18), "IPv6 payload length set");
        assertEquals(TestFrames.fold(TestFrames.pseudo(written, 14, true, 6, written.length - 54)), u16(written, 70));
        assertKernelSegmentationYieldsValidSegments(written, true);
    }

    @Test
    void shouldWriteNeedsCsumHeaderWithFrameUnchangedWhenChecksumOffloadOnly()
    {
        final byte[] frame = TestFrames.udp(false, 300, 1);
        offload.needsChecksum = true;
        offload.checksumStartBytes = 34;
        offload.checksumOffsetBytes = 6;
        offload.headerLengthBytes = 42;

        backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, offload, 0L);

        final byte[] message = kernelReads();
        final UnsafeBuffer header = new UnsafeBuffer(message);
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(header, 0));
        assertEquals(VirtioNetHeader.GSO_NONE, VirtioNetHeader.gsoType(header, 0));
        assertEquals(34, VirtioNetHeader.checksumStart(header, 0));
        assertEquals(6, VirtioNetHeader.checksumOffset(header, 0));
        assertArrayEquals(frame, frameOf(message));
    }

    @Test
    void shouldSegmentInSoftwareWhenGuestUsesUdpTso()
    {
        final byte[] frame = TestFrames.udp(false, 3000, 1);
        offload.gsoType = FrameMetadata.GSO_UDP;
        offload.gsoSizeBytes = 1200;
        offload.needsChecksum = true;
        offload.checksumStartBytes = 34;
        offload.checksumOffsetBytes = 6;

        backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, offload, 0L);

        final int[] expectedLengths = {1200 + 42, 1200 + 42, 600 + 42};
        for (final int expected : expectedLengths)
        {
            final byte[] message = kernelReads();
            assertArrayEquals(new byte[VirtioNetHeader.LENGTH], java.util.Arrays.copyOf(message, 10));
            final byte[] segment = frameOf(message);
            assertEquals(expected, segment.length);
            assertTrue(TestFrames.isL4ChecksumValid(segment, 14, false, 17, 34));
        }
        assertNull(kernelReads());
        assertEquals(3, backend.txSoftwareSegments());
        assertEquals(1, backend.txFramesWritten());
    }

    @Test
    void shouldCountMalformedAndWriteNothingWhenTsoFrameHeadersInconsistent()
    {
        final byte[] frame = TestFrames.tcp(false, 3000, 1, TCP_ACK, 1);
        frame[23] = 17;
        offload.gsoType = FrameMetadata.GSO_TCPV4;
        offload.gsoSizeBytes = 1448;
        offload.needsChecksum = true;
        offload.checksumStartBytes = 34;
        offload.checksumOffsetBytes = 16;

        backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, offload, 0L);

        assertEquals(1, counters.get(PortCounter.TX_DROP_MALFORMED));
        assertEquals(0, counters.get(PortCounter.TX_DROP_BACKEND));
        assertNull(kernelReads());
    }

    @Test
    void shouldCountMalformedWhenChecksumFieldBeyondFrame()
    {
        final byte[] frame = TestFrames.udp(false, 10, 1);
        offload.needsChecksum = true;
        offload.checksumStartBytes = frame.length - 4;
        offload.checksumOffsetBytes = 6;

        backend.onFrame(new UnsafeBuffer(frame), 0, frame.length, offload, 0L);

        assertEquals(1, counters.get(PortCounter.TX_DROP_MALFORMED));
        assertNull(kernelReads());
    }

    @Test
    void shouldCountBackendDropWithErrnoWhenKernelSideQueueFull()
    {
        final byte[] frame = TestFrames.udp(false, 1400, 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        int attempts = 0;
        while (counters.get(PortCounter.TX_DROP_BACKEND) == 0 && attempts < 100_000)
        {
            backend.onFrame(buffer, 0, frame.length, TestFrames.PLAIN, 0L);
            attempts++;
        }

        assertEquals(1, counters.get(PortCounter.TX_DROP_BACKEND));
        assertEquals(1, backend.txWriteErrors());
        assertEquals(Errno.EAGAIN, backend.lastTxErrno());
        assertEquals(attempts - 1, backend.txFramesWritten(), "every other frame was written");
    }

    @Test
    void shouldDeliverPlainHostFrameUnchangedWhenNoOffloadWork()
    {
        final byte[] frame = TestFrames.tcp(false, 500, 1, TCP_ACK, 1);
        kernelSends(0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0, frame);

        assertEquals(1, backend.poll(1, collector, 64));

        assertEquals(1, delivered.size());
        assertArrayEquals(frame, delivered.get(0));
        assertEquals(1, backend.rxFramesRead());
    }

    @Test
    void shouldCompleteChecksumWhenHostFrameNeedsCsum()
    {
        final byte[] correct = TestFrames.udp(false, 333, 1);
        final byte[] partial = correct.clone();
        final int seed = TestFrames.fold(TestFrames.pseudo(partial, 14, false, 17, partial.length - 34));
        partial[40] = (byte)(seed >>> 8);
        partial[41] = (byte)seed;
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 42, 0, 34, 6, partial);

        backend.poll(1, collector, 64);

        assertArrayEquals(correct, delivered.get(0));
        assertEquals(1, backend.rxChecksumsCompleted());
    }

    /**
     * Hole 6: a host GSO frame with gso_size 1 became one frame per payload byte in a single poll (the poll's budget
     * counted super-frames read, not frames handed to the guest). A poll now hands the guest at most its frame
     * budget, after segmentation.
     */
    @Test
    void shouldHandGuestAtMostFrameBudgetPerPollWhenHostGsoFrameHasGsoSizeOne()
    {
        final byte[] partial = TestFrames.asGuestTso(TestFrames.tcp(false, 10_000, 1, TCP_ACK, 40), false);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 1, 34, 16, partial);

        final int work = backend.poll(1, collector, 64);

        assertTrue(work <= 64, "work " + work);
        assertTrue(delivered.size() <= 64, delivered.size() + " frames handed to the guest in one poll");
    }

    @Test
    void shouldRefuseAndCountHostGsoFrameWhenGsoSizeBelowLinuxFloor()
    {
        final byte[] partial = TestFrames.asGuestTso(TestFrames.tcp(false, 1000, 1, TCP_ACK, 40), false);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, TapBackend.MIN_GSO_SIZE_BYTES - 1,
            34, 16, partial);

        assertEquals(1, backend.poll(1, collector, 64));

        assertEquals(0, delivered.size());
        assertEquals(1, counters.get(PortCounter.RX_DROP_GSO_SIZE));
        assertEquals(0, counters.get(PortCounter.RX_DROP_BACKEND));
        assertEquals(0, backend.rxGsoFrames());
    }

    /**
     * A super-frame of more segments than the frame budget goes on in the next poll, where the last one stopped,
     * before anything more is read: every segment reaches the guest once, in order.
     */
    @Test
    void shouldResumeSegmentingHostGsoFrameInNextPollWhenItHasMoreSegmentsThanBudget()
    {
        final byte[] partial = TestFrames.asGuestTso(TestFrames.tcp(false, 10_000, 0x1000, TCP_ACK, 40), false);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 100, 34, 16, partial);
        final byte[] after = TestFrames.udp(false, 100, 9);
        kernelSends(0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0, after);

        assertEquals(64, backend.poll(1, collector, 64));
        assertEquals(64, delivered.size());
        assertEquals(37, backend.poll(2, collector, 64), "36 segments, then the next frame");

        assertEquals(101, delivered.size());
        for (int i = 0; i < 100; i++)
        {
            assertEquals(0x1000 + 100 * i, u32(delivered.get(i), 38), "segment " + i + " in order");
            assertTrue(TestFrames.isL4ChecksumValid(delivered.get(i), 14, false, 6, 34));
        }
        assertArrayEquals(after, delivered.get(100));
    }

    /**
     * While another thread waits for the sidecore (a guest's trapped read), a poll stops after 16 segments of a host
     * GSO super-frame instead of its whole frame budget, and the super-frame resumes at its next segment in the next
     * poll: the TAP GSO attacker of the isolation run held honest trapped reads for 32 segments and a 60 KB read.
     */
    @Test
    void shouldStopAfter16SegmentsWhileAnAccessWaitsAndResumeInTheNextPoll()
    {
        final boolean[] accessWaiting = {true};
        backend.yieldInputWhen(() -> accessWaiting[0]);
        final byte[] partial = TestFrames.asGuestTso(TestFrames.tcp(false, 10_000, 0x1000, TCP_ACK, 40), false);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 100, 34, 16, partial);

        assertEquals(TapBackend.YIELD_AFTER_FRAMES, backend.poll(1, collector, 64), "stopped for the access");
        accessWaiting[0] = false;
        assertEquals(64, backend.poll(2, collector, 64), "the whole budget once nothing waits");
        assertEquals(20, backend.poll(3, collector, 64));

        assertEquals(100, delivered.size());
        for (int i = 0; i < 100; i++)
        {
            assertEquals(0x1000 + 100 * i, u32(delivered.get(i), 38), "segment " + i + " in order, none lost");
        }
    }

    @Test
    void shouldSegmentHostGsoFrameIntoGuestSizedFramesWhenTcpv4Gso()
    {
        final byte[] big = TestFrames.tcp(false, 10_000, 0x1234_5678, TCP_ACK | TCP_PSH, 40);
        final byte[] partial = TestFrames.asGuestTso(big, false);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 1448, 34, 16, partial);

        final int work = backend.poll(1, collector, 64);

        assertEquals(7, work);
        assertEquals(7, delivered.size());
        assertEquals(1, backend.rxGsoFrames());
        assertEquals(7, backend.rxSegments());
        int sequence = 0x1234_5678;
        int payloadIndex = 0;
        for (final byte[] segment : delivered)
        {
            assertTrue(segment.length <= MAX_RX);
            assertTrue(TestFrames.isIpv4HeaderValid(segment, 14));
            assertTrue(TestFrames.isL4ChecksumValid(segment, 14, false, 6, 34));
            assertEquals(sequence, u32(segment, 38));
            for (int i = 54; i < segment.length; i++)
            {
                assertEquals(TestFrames.payloadByte(payloadIndex++), segment[i]);
            }
            sequence += segment.length - 54;
        }
        assertEquals(10_000, payloadIndex);
        assertEquals(0, counters.get(PortCounter.RX_DROP_BACKEND));
    }

    @Test
    void shouldCapSegmentsToGuestFrameLimitWhenHostMssLarger()
    {
        final byte[] big = TestFrames.tcp(true, 9000, 1, TCP_ACK, 0);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6, 74, 8940, 54, 16,
            TestFrames.asGuestTso(big, true));

        backend.poll(1, collector, 64);

        assertEquals(7, delivered.size(), "9000 bytes in segments of 1514 - 74 = 1440");
        for (final byte[] segment : delivered)
        {
            assertTrue(segment.length <= MAX_RX, "segment of " + segment.length);
            assertTrue(TestFrames.isL4ChecksumValid(segment, 14, true, 6, 54));
        }
    }

    @Test
    void shouldCountBackendDropWhenHostGsoTypeUnsupported()
    {
        final byte[] frame = TestFrames.udp(false, 3000, 1);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP, 42, 1400, 34, 6, frame);

        assertEquals(1, backend.poll(1, collector, 64));

        assertEquals(0, delivered.size());
        assertEquals(1, counters.get(PortCounter.RX_DROP_BACKEND));
    }

    @Test
    void shouldCountBackendDropWhenHostFrameIsRunt()
    {
        kernelSends(0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0, new byte[10]);

        backend.poll(1, collector, 64);

        assertEquals(0, delivered.size());
        assertEquals(1, counters.get(PortCounter.RX_DROP_BACKEND));
    }

    @Test
    void shouldCountBackendDropWhenChecksumOffsetsBeyondFrame()
    {
        final byte[] frame = TestFrames.udp(false, 20, 1);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, frame.length - 2, 6, frame);

        backend.poll(1, collector, 64);

        assertEquals(0, delivered.size());
        assertEquals(1, counters.get(PortCounter.RX_DROP_BACKEND));
    }

    @Test
    void shouldStopAtBudgetAndResumeOnNextPollWhenMoreFramesPending()
    {
        for (int i = 0; i < 5; i++)
        {
            kernelSends(0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0, TestFrames.udp(false, 10 + i, i));
        }

        assertEquals(3, backend.poll(1, collector, 3));
        assertEquals(3, delivered.size());
        assertEquals(2, backend.poll(1, collector, 3));
        assertEquals(5, delivered.size());
        assertEquals(0, backend.poll(1, collector, 3));
    }

    @Test
    void shouldReturnNoWorkWhenNothingPending()
    {
        assertEquals(0, backend.poll(1, collector, 64));
        assertEquals(0, counters.get(PortCounter.BACKEND_READ_ERRORS), "EAGAIN is no error");
        assertEquals("tap", backend.typeName());
        assertTrue(backend.acceptsOffload());
    }

    @Test
    void shouldPassDeviceTsoFrameWholeWithGsoHeaderWhenDeviceTransmitsThroughBackend()
    {
        final DeviceHarness guest = GuestTso.device(backend);
        final byte[] correct = TestFrames.tcp(false, 12_000, 99, TCP_ACK | TCP_PSH, 5);

        GuestTso.transmitTcpv4(guest, TestFrames.asGuestTso(correct, false), 1448);

        final byte[] message = kernelReads();
        final UnsafeBuffer header = new UnsafeBuffer(message);
        assertEquals(VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(header, 0));
        assertEquals(1448, VirtioNetHeader.gsoSize(header, 0));
        assertEquals(34, VirtioNetHeader.checksumStart(header, 0));
        assertEquals(16, VirtioNetHeader.checksumOffset(header, 0));
        final byte[] written = frameOf(message);
        assertEquals(correct.length, written.length);
        assertTrue(TestFrames.isIpv4HeaderValid(written, 14));
        assertEquals(TestFrames.fold(TestFrames.pseudo(written, 14, false, 6, written.length - 34)),
            u16(written, 50));
        assertKernelSegmentationYieldsValidSegments(written, false);
        assertNull(kernelReads(), "one frame, not segments");
        assertEquals(1, guest.counter(PortCounter.TX_FRAMES));
        assertEquals(0, guest.counter(PortCounter.TX_TSO_SEGMENTS));
    }

    @Test
    void shouldCountRuntWhenGuestFrameShorterThanEthernetHeader()
    {
        backend.onFrame(new UnsafeBuffer(new byte[13]), 0, 13, TestFrames.PLAIN, 0L);

        assertEquals(1, counters.get(PortCounter.TX_DROP_RUNT));
        assertNull(kernelReads());
    }

    @Test
    void shouldSegmentWhenHostGsoTypeCarriesEcnBit()
    {
        final byte[] big = TestFrames.tcp(false, 3000, 1, TCP_ACK | TestFrames.TCP_CWR, 1);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN, 54, 1448,
            34, 16, TestFrames.asGuestTso(big, false));

        backend.poll(1, collector, 64);

        assertEquals(3, delivered.size());
        assertEquals(TestFrames.TCP_CWR, delivered.get(0)[47] & TestFrames.TCP_CWR, "CWR on the first segment");
        assertEquals(0, delivered.get(1)[47] & TestFrames.TCP_CWR, "and only there");
        assertEquals(0, counters.get(PortCounter.RX_DROP_BACKEND));
    }

    /**
     * The device's receive path as the port's receive side hands frames to it.
     */
    private static FrameSink toDevice(final DeviceHarness guest)
    {
        return (frame, offset, lengthBytes, metadata, nowNs) -> guest.device.receive(frame, offset, lengthBytes, nowNs);
    }

    private DeviceHarness guestWithRxRing(final int descriptors, final int freeDescriptors)
    {
        final DeviceHarness guest = new DeviceHarness(false, backend);
        guest.registers.set(E1000Registers.STATUS, guest.registers.get(E1000Registers.STATUS) |
            E1000Registers.STATUS_LU);
        guest.setUpRxRing(descriptors);
        guest.write(E1000Registers.RDT, freeDescriptors);
        return guest;
    }

    @Test
    void shouldWriteHostGsoSegmentsIntoDeviceRxRingWhenPolledWithDevice()
    {
        final DeviceHarness guest = guestWithRxRing(16, 15);
        final byte[] big = TestFrames.tcp(false, 10_000, 500, TCP_ACK, 3);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 1448, 34, 16,
            TestFrames.asGuestTso(big, false));

        final int work = backend.poll(guest.nowNs, toDevice(guest), 64);

        assertEquals(7, work);
        assertEquals(7, guest.counter(PortCounter.RX_FRAMES));
        int payloadIndex = 0;
        for (int i = 0; i < 7; i++)
        {
            assertTrue((guest.rxStatus(i) & 0x03) == 0x03, "DD and EOP on descriptor " + i);
            // Without RCTL.SECRC the descriptor length includes the 4-byte FCS (SDM 3.2.3); the IP length bounds it.
            final int ipTotalLength = u16(guest.getBytes(guest.rxBufferGpa(i), 18), 16);
            assertEquals(14 + ipTotalLength + 4, guest.rxLength(i));
            final byte[] segment = guest.getBytes(guest.rxBufferGpa(i), 14 + ipTotalLength);
            assertTrue(TestFrames.isL4ChecksumValid(segment, 14, false, 6, 34), "segment " + i);
            for (int b = 54; b < segment.length; b++)
            {
                assertEquals(TestFrames.payloadByte(payloadIndex++), segment[b]);
            }
        }
        assertEquals(10_000, payloadIndex);
        assertEquals(0, guest.rxStatus(7), "nothing beyond the segments");
    }

    @Test
    void shouldAccountEverySegmentWhenGuestRingTooSmallForWholeGsoFrame()
    {
        final DeviceHarness guest = guestWithRxRing(8, 3);
        final byte[] big = TestFrames.tcp(false, 10_000, 500, TCP_ACK, 3);
        kernelSends(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 54, 1448, 34, 16,
            TestFrames.asGuestTso(big, false));

        backend.poll(guest.nowNs, toDevice(guest), 64);

        assertEquals(3, guest.counter(PortCounter.RX_FRAMES), "three free descriptors");
        assertEquals(4, guest.counter(PortCounter.RX_DROP_RING_FULL), "the rest counted by the device");
        assertEquals(0, counters.get(PortCounter.RX_DROP_BACKEND), "not a backend drop");
    }
}
