package io.sidecore.engine.e1000;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of 16-bit big-endian
 * words, as the 8254x inserts it for IP, TCP and UDP (SDM 3.3.3 legacy IC, 3.3.6 IPCSS/TUCSS, 3.5 TSO).
 * <p>
 * Sums are accumulated unfolded in a {@code long} over 32-bit big-endian words: because 2^16 is congruent to 1
 * modulo 0xFFFF, folding the wide sum gives the same value as adding 16-bit words with end-around carry. A trailing
 * odd byte is the high byte of a final word padded with zero. Callers pass ranges they have validated.
 */
public final class InternetChecksum
{
    private InternetChecksum()
    {
    }

    /**
     * Unfolded sum of the bytes {@code [offset, offset + lengthBytes)} taken as big-endian 16-bit words starting at
     * {@code offset}.
     *
     * @param buffer      bytes.
     * @param offset      first byte, the high byte of the first word.
     * @param lengthBytes number of bytes, 0 or more.
     * @return unfolded sum; fold it with {@link #fold(long)}.
     */
    public static long sum(final DirectBuffer buffer, final int offset, final int lengthBytes)
    {
        long sum = 0;
        int index = offset;
        final int wordsEnd = offset + (lengthBytes & ~3);
        while (index < wordsEnd)
        {
            sum += buffer.getInt(index, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            index += 4;
        }
        final int end = offset + lengthBytes;
        if (end - index >= 2)
        {
            sum += buffer.getShort(index, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            index += 2;
        }
        if (index < end)
        {
            sum += (buffer.getByte(index) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * Fold an unfolded sum to 16 bits with end-around carry.
     *
     * @param sum unfolded, non-negative sum.
     * @return folded sum in {@code [0, 0xFFFF]}.
     */
    public static int fold(final long sum)
    {
        long folded = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        folded = (folded & 0xFFFF) + (folded >>> 16);
        folded = (folded & 0xFFFF) + (folded >>> 16);
        folded = (folded & 0xFFFF) + (folded >>> 16);
        return (int)folded;
    }

    /**
     * The checksum to store: the ones' complement of the folded sum.
     *
     * @param buffer      bytes.
     * @param offset      first byte.
     * @param lengthBytes number of bytes.
     * @return checksum in {@code [0, 0xFFFF]}.
     */
    public static int compute(final DirectBuffer buffer, final int offset, final int lengthBytes)
    {
        return ~fold(sum(buffer, offset, lengthBytes)) & 0xFFFF;
    }

    /**
     * Ones' complement addition of two 16-bit values (used to add a segment's length into a pre-filled pseudo-header
     * sum, SDM 3.5).
     *
     * @param a 16-bit value.
     * @param b 16-bit value.
     * @return {@code a + b} with end-around carry, 16 bits.
     */
    public static int add(final int a, final int b)
    {
        final int sum = (a & 0xFFFF) + (b & 0xFFFF);
        return (sum & 0xFFFF) + (sum >>> 16);
    }
}
