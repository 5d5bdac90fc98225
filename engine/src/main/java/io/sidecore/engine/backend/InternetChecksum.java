package io.sidecore.engine.backend;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the ones'-complement sum of big-endian 16-bit words. Sums are accumulated in a
 * {@code long} (32-bit words at a time, carries folded at the end), so any frame up to 64 KiB sums without overflow.
 */
public final class InternetChecksum
{
    private InternetChecksum()
    {
    }

    /**
     * Add {@code lengthBytes} starting at an even position of the checksummed area to an accumulator; an odd tail
     * byte is padded with zero.
     *
     * @param buffer      bytes.
     * @param offset      first byte.
     * @param lengthBytes bytes to add.
     * @param accumulator running sum.
     * @return new running sum (unfolded).
     */
    public static long add(final DirectBuffer buffer, final int offset, final int lengthBytes, final long accumulator)
    {
        long sum = accumulator;
        int i = 0;
        final int wordEnd = lengthBytes - 3;
        while (i < wordEnd)
        {
            sum += buffer.getInt(offset + i, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (i + 1 < lengthBytes)
        {
            sum += buffer.getShort(offset + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            i += 2;
        }
        if (i < lengthBytes)
        {
            sum += (buffer.getByte(offset + i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * Fold an accumulator to 16 bits with end-around carries (not inverted).
     *
     * @param accumulator running sum.
     * @return folded sum 0..0xFFFF.
     */
    public static int fold(final long accumulator)
    {
        long sum = accumulator;
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    /**
     * The checksum field value for data whose sum is {@code accumulator}: the folded sum inverted.
     *
     * @param accumulator running sum including the pseudo header when there is one.
     * @return 16-bit checksum.
     */
    public static int finish(final long accumulator)
    {
        return ~fold(accumulator) & 0xFFFF;
    }

    /**
     * Sum of the TCP/UDP pseudo header (RFC 793 / RFC 8200 8.1) of an IPv4 or IPv6 packet.
     *
     * @param buffer         frame.
     * @param ipOffset       offset of the IP header.
     * @param ipv6           IPv6 (else IPv4).
     * @param protocol       upper-layer protocol number (6 TCP, 17 UDP).
     * @param l4LengthBytes  upper-layer length (header + payload).
     * @return unfolded sum.
     */
    public static long pseudoHeader(final DirectBuffer buffer, final int ipOffset, final boolean ipv6,
        final int protocol, final int l4LengthBytes)
    {
        final long addresses = ipv6 ? add(buffer, ipOffset + 8, 32, 0) : add(buffer, ipOffset + 12, 8, 0);
        return addresses + protocol + (l4LengthBytes >>> 16) + (l4LengthBytes & 0xFFFF);
    }

    /**
     * Does this IPv4 header carry a correct checksum?
     *
     * @param buffer      frame.
     * @param ipOffset    offset of the IPv4 header.
     * @param headerBytes IHL * 4.
     * @return true when the header sums to 0xFFFF.
     */
    public static boolean isValidIpv4Header(final DirectBuffer buffer, final int ipOffset, final int headerBytes)
    {
        return fold(add(buffer, ipOffset, headerBytes, 0)) == 0xFFFF;
    }
}
