package io.sidecore.tools.bench;

import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.tools.guest.TxOffload;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BenchFramesTest
{
    private static final byte[] DESTINATION = {2, 0, 0, 0, 0, 2};
    private static final byte[] SOURCE = {2, 0, 0, 0, 0, 1};

    @ParameterizedTest(name = "{0} bytes -> {1}")
    @CsvSource({ "60, UDP", "64, UDP", "65, TCP", "512, TCP", "1514, TCP", "1515, TCP_TSO", "65536, TCP_TSO" })
    void shouldMakeSmallFramesUdpMtuFramesTcpAndLargerOnesTso(final int frameBytes, final BenchFrames.Kind kind)
    {
        assertEquals(kind, BenchFrames.kindOf(frameBytes));
    }

    @Test
    void shouldRefuseLengthOutsideEthernetAndTso()
    {
        assertThrows(IllegalArgumentException.class, () -> BenchFrames.kindOf(59));
        assertThrows(IllegalArgumentException.class, () -> BenchFrames.kindOf(65_537));
    }

    @Test
    void shouldBuildUdpFrameWithValidIpChecksumAndPseudoHeaderSumForTheDevice()
    {
        final UnsafeBuffer frame = BenchFrames.build(64, DESTINATION, SOURCE, 0x0A00_0001, 0x0A00_0002);

        assertEquals(0x0800, frame.getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        assertEquals(50, frame.getShort(16, ByteOrder.BIG_ENDIAN), "IP total length");
        assertEquals(17, frame.getByte(23), "UDP");
        assertEquals(0, onesComplementSum(frame, 14, 20) ^ 0xFFFF, "the IP header checksums to 0xFFFF");
        assertEquals(30, frame.getShort(38, ByteOrder.BIG_ENDIAN), "UDP length");
        final int pseudo = fold(0x0A00 + 0x0001 + 0x0A00 + 0x0002 + 17 + 30);
        assertEquals(pseudo, frame.getShort(40, ByteOrder.BIG_ENDIAN) & 0xFFFF, "pseudo-header sum, not complemented");
        final TxOffload offload = BenchFrames.offloadFor(64);
        assertEquals(34, offload.tucss());
        assertEquals(40, offload.tucso());
        assertEquals(E1000TxDescriptor.POPTS_TXSM, offload.popts());
    }

    @Test
    void shouldBuildTsoPacketAsLinuxHandsItOver()
    {
        final UnsafeBuffer frame = BenchFrames.build(65_536, DESTINATION, SOURCE, 0x0A00_0001, 0x0A00_0002);

        assertEquals(0, frame.getShort(16, ByteOrder.BIG_ENDIAN), "IP total length left 0");
        assertEquals(0, frame.getShort(24, ByteOrder.BIG_ENDIAN), "IP checksum left 0");
        assertEquals(6, frame.getByte(23), "TCP");
        final int pseudo = fold(0x0A00 + 0x0001 + 0x0A00 + 0x0002 + 6);
        assertEquals(pseudo, frame.getShort(50, ByteOrder.BIG_ENDIAN) & 0xFFFF, "pseudo-header sum with length 0");
        final TxOffload offload = BenchFrames.offloadFor(65_536);
        assertEquals(true, offload.isTso());
        assertEquals(54, offload.headerBytes());
        assertEquals(BenchFrames.TSO_MSS, offload.mss());
    }

    private static int onesComplementSum(final UnsafeBuffer buffer, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            sum += buffer.getShort(offset + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        return fold(sum);
    }

    private static int fold(final long value)
    {
        long sum = value;
        while (0 != (sum >>> 16))
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}
