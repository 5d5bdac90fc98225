package io.sidecore.engine.net;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Internet checksum against RFC 1071's worked example and against a plain 16-bit reference.
 */
final class InternetChecksumTest
{
    @Test
    void shouldMatchRfc1071Example()
    {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (folded).
        final byte[] bytes = {0x00, 0x01, (byte)0xF2, 0x03, (byte)0xF4, (byte)0xF5, (byte)0xF6, (byte)0xF7};

        assertEquals(0xDDF2, InternetChecksum.fold(InternetChecksum.sum(new UnsafeBuffer(bytes), 0, 8)));
        assertEquals(0x220D, InternetChecksum.compute(new UnsafeBuffer(bytes), 0, 8));
    }

    @Test
    void shouldPadOddTrailingByteWithZero()
    {
        final byte[] bytes = {0x12, 0x34, 0x56};

        assertEquals(0x1234 + 0x5600, InternetChecksum.fold(InternetChecksum.sum(new UnsafeBuffer(bytes), 0, 3)));
    }

    @Test
    void shouldAddWithEndAroundCarry()
    {
        assertEquals(0x0002, InternetChecksum.add(0xFFFF, 0x0002));
        assertEquals(0x0001, InternetChecksum.add(0x8000, 0x8000));
        assertEquals(0xFFFF, InternetChecksum.add(0xFFFF, 0x0000));
    }

    @Property(tries = 300)
    void sumShouldEqualSixteenBitReference(
        @ForAll @Size(max = 3000) final byte[] bytes,
        @ForAll @IntRange(min = 0, max = 7) final int offset)
    {
        final byte[] shifted = new byte[bytes.length + offset];
        System.arraycopy(bytes, 0, shifted, offset, bytes.length);

        final int actual = InternetChecksum.fold(InternetChecksum.sum(new UnsafeBuffer(shifted), offset, bytes.length));

        assertEquals(referenceFold(referenceSum16(bytes)), actual);
    }

    @Property(tries = 200)
    void sumShouldEqualSixteenBitReferenceWhenSplitAtEvenPositionsOfDirectMemory(
        @ForAll @Size(max = 3000) final byte[] bytes,
        @ForAll @IntRange(min = 0, max = 1500) final int split)
    {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length + 1));
        direct.putBytes(1, bytes);
        final int first = Math.min(split & ~1, bytes.length);

        final long running = InternetChecksum.sum(direct, 1, first);
        final long total = InternetChecksum.sum(direct, 1 + first, bytes.length - first, running);

        final int actual = InternetChecksum.fold(total);

        assertEquals(referenceFold(referenceSum16(bytes)), actual);
    }

    @Test
    void shouldFoldNonZeroDataWhoseSumIsAMultipleOfAllOnesToAllOnesNotZero()
    {
        final byte[] bytes = {(byte)0xFF, (byte)0xFF, 0x00, 0x00, (byte)0xFF, (byte)0xFF};

        assertEquals(0xFFFF, InternetChecksum.fold(InternetChecksum.sum(new UnsafeBuffer(bytes), 0, bytes.length)));
        assertEquals(0, InternetChecksum.fold(InternetChecksum.sum(new UnsafeBuffer(new byte[6]), 0, 6)));
    }

    @Test
    void shouldRefuseRangeOutsideBufferWithoutReadingIt()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

        assertThrows(IndexOutOfBoundsException.class, () -> InternetChecksum.sum(buffer, 60, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> InternetChecksum.sum(buffer, -2, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> InternetChecksum.sum(buffer, 8, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> InternetChecksum.sum(buffer, 8, Integer.MAX_VALUE));
        assertEquals(0, InternetChecksum.sum(buffer, 64, 0));
    }

    @Test
    void shouldSendZeroUdpChecksumAsAllOnesWhenSumFoldsToAllOnes()
    {
        assertEquals(0xFFFF, InternetChecksum.finishTransport(0xFFFF, true));
        assertEquals(0x0000, InternetChecksum.finishTransport(0xFFFF, false));
        assertEquals(0x220D, InternetChecksum.finishTransport(0xDDF2, true));
    }

    @Test
    void shouldSumAddressesProtocolAndLengthWhenPseudoHeaderIsIpv4()
    {
        final UnsafeBuffer ip = new UnsafeBuffer(new byte[40]);
        ip.putInt(12, 0x0A00_0001, ByteOrder.BIG_ENDIAN);
        ip.putInt(16, 0xC0A8_0102, ByteOrder.BIG_ENDIAN);

        final long sum = InternetChecksum.pseudoHeader(ip, 0, false, PacketHeaders.PROTOCOL_UDP, 0x0105);

        assertEquals(0x0A00 + 0x0001 + 0xC0A8 + 0x0102 + 17 + 0x0105, InternetChecksum.fold(sum));
    }

    @Test
    void shouldSumBothAddressesAndThirtyTwoBitLengthWhenPseudoHeaderIsIpv6()
    {
        final UnsafeBuffer ip = new UnsafeBuffer(new byte[40]);
        ip.putShort(8, (short)0x2001, ByteOrder.BIG_ENDIAN);
        ip.putShort(38, (short)0x0002, ByteOrder.BIG_ENDIAN);
        // Next header and hop limit are not part of the pseudo header (RFC 8200 8.1).
        ip.putShort(6, (short)0x7777, ByteOrder.BIG_ENDIAN);

        final long sum = InternetChecksum.pseudoHeader(ip, 0, true, PacketHeaders.PROTOCOL_TCP, 0x1_0005);

        assertEquals(0x2001 + 0x0002 + 6 + 0x0001 + 0x0005, InternetChecksum.fold(sum));
    }

    /** Plain reference: big-endian 16-bit words, an odd last byte padded with zero. */
    private static long referenceSum16(final byte[] bytes)
    {
        long sum = 0;
        for (int i = 0; i < bytes.length; i += 2)
        {
            final int low = i + 1 < bytes.length ? bytes[i + 1] & 0xFF : 0;
            sum += ((bytes[i] & 0xFF) << 8) | low;
        }
        return sum;
    }

    private static int referenceFold(final long sum)
    {
        long folded = sum;
        while (0 != (folded >>> 16))
        {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return (int)folded;
    }
}
