package io.sidecore.engine.net;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum of 16-bit big-endian
 * words, as IPv4, TCP and UDP carry it, and as the 8254x inserts (SDM 3.3.3 legacy IC, 3.3.6 IPCSS/TUCSS, 3.5 TSO)
 * and verifies it (SDM 3.2.9 RXCSUM).
 * <p>
 * Sums are accumulated unfolded in a {@code long}, 64 bits of the buffer at a time as two 32-bit words: because
 * 2^16 is congruent to 1 modulo 0xFFFF, folding the wide sum gives the same value as adding 16-bit words with
 * end-around carry, and a frame of any size the engine handles sums without overflow. The words are loaded in native
 * byte order and the folded result swapped once (RFC 1071 2(B)), with one overflow-safe range check per call and
 * unchecked loads after it (issue 11 §0: with a bounds check and a byte swap per load a 1480-byte sum took 157 ns,
 * 17 ns without). Word alignment is relative to the first byte summed; a trailing odd byte is the high byte of a
 * final word padded with zero. Callers pass ranges they have validated. An unfolded sum is only defined up to
 * multiples of 0xFFFF: fold it before comparing.
 */
public final class InternetChecksum
{
    /** A folded sum of data that carries a correct checksum (the field included). */
    public static final int FOLDED_ALL_ONES = 0xFFFF;

    private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

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
        return sum(buffer, offset, lengthBytes, 0);
    }

    /**
     * Add the bytes {@code [offset, offset + lengthBytes)} to a running sum. The range must start at an even position
     * of the checksummed data (its words are taken from {@code offset}).
     *
     * @param buffer      bytes.
     * @param offset      first byte, the high byte of the first word.
     * @param lengthBytes number of bytes, 0 or more.
     * @param accumulator running unfolded sum, non-negative.
     * @return the new unfolded sum.
     */
    public static long sum(final DirectBuffer buffer, final int offset, final int lengthBytes, final long accumulator)
    {
        checkRange(buffer, offset, lengthBytes);
        final byte[] array = buffer.byteArray();
        final long address = buffer.addressOffset() + offset;
        // Native-order words: RFC 1071 2(B), the ones' complement sum is independent of byte order up to a swap of
        // the folded result. Unchecked loads: the one range check above covers every byte read below.
        long nativeSum = 0;
        int index = 0;
        final int wholeLongs = lengthBytes & ~7;
        while (index < wholeLongs)
        {
            final long word = UnsafeApi.getLong(array, address + index);
            nativeSum += (word >>> 32) + (word & 0xFFFF_FFFFL);
            index += 8;
        }
        if (lengthBytes - index >= 4)
        {
            nativeSum += UnsafeApi.getInt(array, address + index) & 0xFFFF_FFFFL;
            index += 4;
        }
        if (lengthBytes - index >= 2)
        {
            nativeSum += UnsafeApi.getShort(array, address + index) & 0xFFFF;
            index += 2;
        }
        if (lengthBytes - index > 0)
        {
            // The trailing byte is the high byte of a big-endian word padded with zero: in native order, where that
            // word's bytes sit.
            final int trailing = UnsafeApi.getByte(array, address + index) & 0xFF;
            nativeSum += NATIVE_BIG_ENDIAN ? trailing << 8 : trailing;
        }
        final int folded = fold(nativeSum);
        return accumulator + (NATIVE_BIG_ENDIAN ? folded : Integer.reverseBytes(folded) >>> 16);
    }

    /**
     * The check every {@link #sum} makes once before its unchecked loads: {@code [offset, offset + lengthBytes)}
     * inside the buffer, overflow-safe. Callers pass ranges they validated; this keeps an engine bug from reading
     * outside the buffer whether or not Agrona's own bounds checks are enabled.
     */
    private static void checkRange(final DirectBuffer buffer, final int offset, final int lengthBytes)
    {
        if (offset < 0 || lengthBytes < 0 || lengthBytes > buffer.capacity() - offset)
        {
            throw new IndexOutOfBoundsException("checksum range outside the buffer: offset=" + offset +
                " lengthBytes=" + lengthBytes + " capacity=" + buffer.capacity());
        }
    }

    /**
     * Fold an unfolded sum to 16 bits with end-around carry (not inverted).
     *
     * @param sum unfolded sum, taken as unsigned.
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
     * The checksum field value for data whose sum is {@code sum}: the folded sum inverted.
     *
     * @param sum unfolded sum, including the pseudo header when there is one.
     * @return checksum in {@code [0, 0xFFFF]}.
     */
    public static int finish(final long sum)
    {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * The TCP or UDP checksum field for a segment whose sum (pseudo header included) is {@code sum}: as
     * {@link #finish(long)}, except that a UDP result of 0 is sent as 0xFFFF (RFC 768: 0 in the field means "no
     * checksum"; in ones' complement both are zero).
     *
     * @param sum unfolded sum over the pseudo header and the segment, with the field's own contribution.
     * @param udp UDP (else TCP).
     * @return checksum in {@code [0, 0xFFFF]}, never 0 for UDP.
     */
    public static int finishTransport(final long sum, final boolean udp)
    {
        final int checksum = finish(sum);
        return udp && 0 == checksum ? 0xFFFF : checksum;
    }

    /**
     * The checksum to store for a byte range: {@code finish(sum(buffer, offset, lengthBytes))}.
     *
     * @param buffer      bytes.
     * @param offset      first byte.
     * @param lengthBytes number of bytes.
     * @return checksum in {@code [0, 0xFFFF]}.
     */
    public static int compute(final DirectBuffer buffer, final int offset, final int lengthBytes)
    {
        return finish(sum(buffer, offset, lengthBytes, 0));
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

    /**
     * Unfolded sum of the TCP/UDP pseudo header (RFC 793 3.1 / RFC 768 for IPv4, RFC 8200 8.1 for IPv6): source and
     * destination addresses, the protocol number and the upper-layer length.
     *
     * @param buffer        frame.
     * @param ipOffset      offset of the IP header.
     * @param ipv6          IPv6 (else IPv4).
     * @param protocol      upper-layer protocol number ({@link PacketHeaders#PROTOCOL_TCP} or
     *                      {@link PacketHeaders#PROTOCOL_UDP}).
     * @param l4LengthBytes upper-layer length (header and payload), 0 or more; 32 bits for IPv6.
     * @return unfolded sum.
     */
    public static long pseudoHeader(
        final DirectBuffer buffer, final int ipOffset, final boolean ipv6, final int protocol, final int l4LengthBytes)
    {
        final long addresses = ipv6 ?
            sum(buffer, ipOffset + PacketHeaders.IPV6_SOURCE_OFFSET, PacketHeaders.IPV6_ADDRESSES_BYTES, 0) :
            sum(buffer, ipOffset + PacketHeaders.IPV4_SOURCE_OFFSET, PacketHeaders.IPV4_ADDRESSES_BYTES, 0);
        return addresses + protocol + (l4LengthBytes >>> 16) + (l4LengthBytes & 0xFFFF);
    }
}
