package io.sidecore.engine.e1000;

import io.sidecore.engine.net.InternetChecksum;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

        assertEquals(TxPacketVerifier.fold(TxPacketVerifier.sum16(bytes, 0, bytes.length)), actual);
    }
}
