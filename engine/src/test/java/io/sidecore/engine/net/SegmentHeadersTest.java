package io.sidecore.engine.net;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-segment header fields both segmenters write.
 */
final class SegmentHeadersTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);

    @Test
    void shouldCountOneSegmentWhenPayloadIsEmptyAndRoundUpOtherwise()
    {
        assertEquals(1, SegmentHeaders.segmentCount(0, 1448));
        assertEquals(1, SegmentHeaders.segmentCount(1448, 1448));
        assertEquals(2, SegmentHeaders.segmentCount(1449, 1448));
    }

    @Test
    void shouldWriteTotalLengthAndIdentificationWhenIpv4()
    {
        buffer.putShort(10 + PacketHeaders.IPV4_FRAGMENT_OFFSET, (short)0x5555, ByteOrder.BIG_ENDIAN);

        SegmentHeaders.writeIp(buffer, 10, false, 1500, 0x1_2345);

        assertEquals(1500, buffer.getShort(10 + PacketHeaders.IPV4_TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN));
        assertEquals(0x2345, buffer.getShort(10 + PacketHeaders.IPV4_IDENTIFICATION_OFFSET, ByteOrder.BIG_ENDIAN));
        assertEquals(0x5555, buffer.getShort(10 + PacketHeaders.IPV4_FRAGMENT_OFFSET, ByteOrder.BIG_ENDIAN));
    }

    @Test
    void shouldWritePayloadLengthWithoutFixedHeaderWhenIpv6()
    {
        SegmentHeaders.writeIp(buffer, 10, true, 1500, 0x1234);

        assertEquals(1460, buffer.getShort(10 + PacketHeaders.IPV6_PAYLOAD_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN));
        assertEquals(0, buffer.getShort(10 + PacketHeaders.IPV4_TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN));
        assertEquals(1460, SegmentHeaders.ipLengthField(true, 1500));
        assertEquals(1500, SegmentHeaders.ipLengthField(false, 1500));
    }

    @Test
    void shouldWriteSequenceAndClearOnlyGivenFlagsWhenTcp()
    {
        final int flags = PacketHeaders.TCP_FLAG_CWR | 0x10 | PacketHeaders.TCP_FLAG_PSH | PacketHeaders.TCP_FLAG_FIN;
        buffer.putByte(20 + PacketHeaders.TCP_FLAGS_OFFSET, (byte)flags);

        SegmentHeaders.writeTransport(buffer, 20, true, 1000, 0xFFFF_FFF0,
            PacketHeaders.TCP_FLAG_FIN | PacketHeaders.TCP_FLAG_PSH);

        assertEquals(0xFFFF_FFF0, buffer.getInt(20 + PacketHeaders.TCP_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN));
        assertEquals(PacketHeaders.TCP_FLAG_CWR | 0x10, buffer.getByte(20 + PacketHeaders.TCP_FLAGS_OFFSET) & 0xFF);
    }

    @Test
    void shouldWriteOnlyLengthWhenUdp()
    {
        buffer.putInt(20 + PacketHeaders.TCP_SEQUENCE_OFFSET, 0x1234_5678, ByteOrder.BIG_ENDIAN);

        SegmentHeaders.writeTransport(buffer, 20, false, 1008, 0x7777_7777, 0xFF);

        assertEquals(1008, buffer.getShort(20 + PacketHeaders.UDP_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN));
        assertEquals(0x5678, buffer.getShort(20 + PacketHeaders.UDP_CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN));
    }

    @Test
    void shouldMakeHeaderSumToAllOnesWhenIpv4ChecksumIsWritten()
    {
        buffer.putByte(10, (byte)0x46);
        buffer.putShort(10 + PacketHeaders.IPV4_TOTAL_LENGTH_OFFSET, (short)84, ByteOrder.BIG_ENDIAN);
        buffer.putShort(10 + PacketHeaders.IPV4_CHECKSUM_OFFSET, (short)0xABCD, ByteOrder.BIG_ENDIAN);
        buffer.putInt(10 + PacketHeaders.IPV4_SOURCE_OFFSET, 0x0A00_0001, ByteOrder.BIG_ENDIAN);
        buffer.putInt(10 + 20, 0x0102_0304, ByteOrder.BIG_ENDIAN);

        SegmentHeaders.writeIpv4HeaderChecksum(buffer, 10);

        assertEquals(InternetChecksum.FOLDED_ALL_ONES, InternetChecksum.fold(InternetChecksum.sum(buffer, 10, 24)));
        assertEquals(0x0102_0304, buffer.getInt(10 + 20, ByteOrder.BIG_ENDIAN));
    }
}
