package io.sidecore.engine.backend;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static io.sidecore.engine.backend.TestFrames.TCP_ACK;
import static io.sidecore.engine.backend.TestFrames.TCP_CWR;
import static io.sidecore.engine.backend.TestFrames.TCP_FIN;
import static io.sidecore.engine.backend.TestFrames.TCP_PSH;
import static io.sidecore.engine.backend.TestFrames.u16;
import static io.sidecore.engine.backend.TestFrames.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GsoSegmenterTest
{
    private final GsoSegmenter segmenter = new GsoSegmenter();

    private List<byte[]> segment(final byte[] frame, final int protocol, final boolean ipv6, final int mss)
    {
        final int count = segmenter.prepare(new UnsafeBuffer(frame), 0, frame.length, protocol, ipv6, 0, mss);
        assertTrue(count > 0, "prepare failed: " + count);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[0x10000]);
        final List<byte[]> segments = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final int length = segmenter.buildSegment(i, out, 0);
            final byte[] copy = new byte[length];
            out.getBytes(0, copy);
            segments.add(copy);
        }
        return segments;
    }

    @Test
    void shouldMatchRfc1071ExampleWhenSummingBytes()
    {
        final byte[] data = {0x00, 0x01, (byte)0xf2, 0x03, (byte)0xf4, (byte)0xf5, (byte)0xf6, (byte)0xf7};

        final long sum = InternetChecksum.add(new UnsafeBuffer(data), 0, data.length, 0);

        assertEquals(0xddf2, InternetChecksum.fold(sum));
        assertEquals(0x220d, InternetChecksum.finish(sum));
        assertEquals(TestFrames.fold(TestFrames.sum(data, 1, 7, 0)),
            InternetChecksum.fold(InternetChecksum.add(new UnsafeBuffer(data), 1, 7, 0)), "odd length pads a zero");
    }

    @Test
    void shouldSegmentTcpv4WithContiguousSequenceAndValidChecksumsWhenPayloadExceedsMss()
    {
        final byte[] frame = TestFrames.tcp(false, 4000, 0x7FFF_FF00, TCP_ACK | TCP_PSH, 100);

        final List<byte[]> segments = segment(frame, GsoSegmenter.PROTOCOL_TCP, false, 1448);

        assertEquals(3, segments.size());
        int expectedSequence = 0x7FFF_FF00;
        for (final byte[] s : segments)
        {
            assertEquals(s.length - 14, u16(s, 16), "IPv4 total length");
            assertTrue(TestFrames.isIpv4HeaderValid(s, 14));
            assertTrue(TestFrames.isL4ChecksumValid(s, 14, false, 6, 34));
            assertEquals(expectedSequence, u32(s, 38));
            expectedSequence += s.length - 54;
        }
        assertEquals(1448 + 54, segments.get(0).length);
        assertEquals(4000 - 2 * 1448 + 54, segments.get(2).length);
    }

    @Test
    void shouldIncrementIpv4IdentificationPerSegment()
    {
        final byte[] frame = TestFrames.tcp(false, 3000, 1, TCP_ACK, 0xFFFF);

        final List<byte[]> segments = segment(frame, GsoSegmenter.PROTOCOL_TCP, false, 1000);

        assertEquals(0xFFFF, u16(segments.get(0), 18));
        assertEquals(0x0000, u16(segments.get(1), 18), "16-bit wrap");
        assertEquals(0x0001, u16(segments.get(2), 18));
    }

    @Test
    void shouldKeepFinAndPshOnLastSegmentAndCwrOnFirstOnly()
    {
        final byte[] frame = TestFrames.tcp(false, 3000, 1, TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, 1);

        final List<byte[]> segments = segment(frame, GsoSegmenter.PROTOCOL_TCP, false, 1000);

        assertEquals(TCP_ACK | TCP_CWR, segments.get(0)[47] & 0xFF);
        assertEquals(TCP_ACK, segments.get(1)[47] & 0xFF);
        assertEquals(TCP_ACK | TCP_PSH | TCP_FIN, segments.get(2)[47] & 0xFF);
    }

    @Test
    void shouldSetIpv6PayloadLengthAndChecksumPerSegment()
    {
        final byte[] frame = TestFrames.tcp(true, 5000, 77, TCP_ACK, 0);

        final List<byte[]> segments = segment(frame, GsoSegmenter.PROTOCOL_TCP, true, 1440);

        assertEquals(4, segments.size());
        for (final byte[] s : segments)
        {
            assertEquals(s.length - 54, u16(s, 18), "IPv6 payload length");
            assertTrue(TestFrames.isL4ChecksumValid(s, 14, true, 6, 54));
        }
    }

    @Test
    void shouldGiveEachUdpSegmentItsOwnHeaderWhenUdpTso()
    {
        final byte[] frame = TestFrames.udp(false, 2500, 9);

        final List<byte[]> segments = segment(frame, GsoSegmenter.PROTOCOL_UDP, false, 1000);

        assertEquals(3, segments.size());
        for (final byte[] s : segments)
        {
            assertEquals(s.length - 34, u16(s, 38), "UDP length");
            assertTrue(TestFrames.isIpv4HeaderValid(s, 14));
            assertTrue(TestFrames.isL4ChecksumValid(s, 14, false, 17, 34));
        }
        assertEquals(500 + 42, segments.get(2).length);
    }

    @Test
    void shouldProduceOneSegmentWhenPayloadFitsMss()
    {
        final byte[] frame = TestFrames.tcp(false, 100, 5, TCP_ACK | TCP_PSH, 3);

        final List<byte[]> segments = segment(frame, GsoSegmenter.PROTOCOL_TCP, false, 1448);

        assertEquals(1, segments.size());
        assertArrayEquals(frame, segments.get(0), "an already valid frame comes out unchanged");
    }

    @Test
    void shouldRejectWhenTcpHeaderExtendsBeyondFrame()
    {
        final byte[] frame = TestFrames.tcp(false, 0, 1, TCP_ACK, 1);
        frame[46] = (byte)(15 << 4);

        assertEquals(GsoSegmenter.MALFORMED,
            segmenter.prepare(new UnsafeBuffer(frame), 0, frame.length, GsoSegmenter.PROTOCOL_TCP, false, 0, 1448));
        assertEquals(0, segmenter.segmentCount());
    }

    @Test
    void shouldRejectWhenEtherTypeDoesNotMatchGsoType()
    {
        final byte[] frame = TestFrames.tcp(false, 2000, 1, TCP_ACK, 1);

        assertEquals(GsoSegmenter.MALFORMED,
            segmenter.prepare(new UnsafeBuffer(frame), 0, frame.length, GsoSegmenter.PROTOCOL_TCP, true, 0, 1448));
        assertEquals(GsoSegmenter.MALFORMED,
            segmenter.prepare(new UnsafeBuffer(frame), 0, frame.length, GsoSegmenter.PROTOCOL_UDP, false, 0, 1448));
    }

    @Test
    void shouldRejectWhenMssIsZeroOrFrameTruncated()
    {
        final byte[] frame = TestFrames.tcp(false, 2000, 1, TCP_ACK, 1);

        assertEquals(GsoSegmenter.MALFORMED,
            segmenter.prepare(new UnsafeBuffer(frame), 0, frame.length, GsoSegmenter.PROTOCOL_TCP, false, 0, 0));
        assertEquals(GsoSegmenter.MALFORMED,
            segmenter.prepare(new UnsafeBuffer(frame), 0, 40, GsoSegmenter.PROTOCOL_TCP, false, 0, 1448));
    }

    @Test
    void shouldSkipVlanTagWhenLocatingIpHeader()
    {
        final byte[] plain = TestFrames.tcp(false, 3000, 1, TCP_ACK, 1);
        final byte[] tagged = new byte[plain.length + 4];
        System.arraycopy(plain, 0, tagged, 0, 12);
        tagged[12] = (byte)0x81;
        tagged[13] = 0x00;
        tagged[14] = 0x00;
        tagged[15] = 0x05;
        System.arraycopy(plain, 12, tagged, 16, plain.length - 12);

        final List<byte[]> segments = segment(tagged, GsoSegmenter.PROTOCOL_TCP, false, 1448);

        assertEquals(18, segmenter.l3Offset());
        assertEquals(38, segmenter.l4Offset());
        for (final byte[] s : segments)
        {
            assertTrue(TestFrames.isIpv4HeaderValid(s, 18));
            assertTrue(TestFrames.isL4ChecksumValid(s, 18, false, 6, 38));
        }
    }

    @Property(tries = 200)
    void reassembledPayloadShouldEqualOriginalAndEveryChecksumVerify(
        @ForAll @IntRange(min = 0, max = 20_000) final int payloadBytes,
        @ForAll @IntRange(min = 1, max = 9000) final int mss,
        @ForAll final boolean ipv6,
        @ForAll final boolean udp,
        @ForAll final int sequence)
    {
        final int protocol = udp ? GsoSegmenter.PROTOCOL_UDP : GsoSegmenter.PROTOCOL_TCP;
        final byte[] frame = udp ? TestFrames.udp(ipv6, payloadBytes, 1) :
            TestFrames.tcp(ipv6, payloadBytes, sequence, TCP_ACK | TCP_FIN, 1);
        final int l4 = ipv6 ? 54 : 34;
        final int headerBytes = l4 + (udp ? 8 : 20);

        final List<byte[]> segments = segment(frame, protocol, ipv6, mss);

        assertEquals(payloadBytes == 0 ? 1 : (payloadBytes + mss - 1) / mss, segments.size());
        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int expectedSequence = sequence;
        for (int i = 0; i < segments.size(); i++)
        {
            final byte[] s = segments.get(i);
            assertTrue(s.length - headerBytes <= mss);
            assertTrue(TestFrames.isL4ChecksumValid(s, 14, ipv6, protocol, l4), "segment " + i);
            if (!ipv6)
            {
                assertTrue(TestFrames.isIpv4HeaderValid(s, 14));
            }
            if (!udp)
            {
                assertEquals(expectedSequence, u32(s, l4 + 4));
                assertEquals(i == segments.size() - 1, (s[l4 + 13] & TCP_FIN) != 0);
            }
            expectedSequence += s.length - headerBytes;
            payload.write(s, headerBytes, s.length - headerBytes);
        }
        final byte[] original = new byte[payloadBytes];
        System.arraycopy(frame, headerBytes, original, 0, payloadBytes);
        assertArrayEquals(original, payload.toByteArray());
    }
}
