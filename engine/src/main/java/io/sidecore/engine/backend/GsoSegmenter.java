package io.sidecore.engine.backend;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Software segmentation of a TCP or UDP super-frame (a GSO frame from the host kernel, or a guest TSO frame that
 * cannot go out whole) into wire-sized frames, each with its own complete, valid headers:
 * <ul>
 *   <li>IPv4: total length per segment, identification incremented per segment, header checksum recomputed;</li>
 *   <li>IPv6: payload length per segment;</li>
 *   <li>TCP: sequence number advanced by the payload before it, FIN and PSH only on the last segment, CWR only on
 *       the first, checksum over the pseudo header and segment;</li>
 *   <li>UDP (the 8254x's UDP TSO, SDM 3.5.4, and Linux's UDP_L4 GSO): one UDP header per segment with its length
 *       and checksum.</li>
 * </ul>
 * Use: {@link #prepare} parses and validates the super-frame once and returns the segment count; then
 * {@link #buildSegment} writes segment {@code i}. Nothing is allocated. The input is never trusted: every header
 * offset and length is checked against the frame before use.
 */
public final class GsoSegmenter
{
    /** Ethertype IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** Ethertype IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** Ethertype 802.1Q VLAN tag. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** Ethertype 802.1ad service tag. */
    public static final int ETHERTYPE_QINQ = 0x88A8;
    /** IP protocol TCP. */
    public static final int PROTOCOL_TCP = 6;
    /** IP protocol UDP. */
    public static final int PROTOCOL_UDP = 17;

    /** {@link #prepare} result: the super-frame could not be parsed or is inconsistent. */
    public static final int MALFORMED = -1;
    /** {@link #prepare} result: the GSO type is not one this segmenter handles. */
    public static final int UNSUPPORTED = -2;

    private static final int ETHERNET_HEADER_BYTES = 14;
    private static final int IPV4_MIN_HEADER_BYTES = 20;
    private static final int IPV6_HEADER_BYTES = 40;
    private static final int TCP_MIN_HEADER_BYTES = 20;
    private static final int UDP_HEADER_BYTES = 8;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private DirectBuffer source;
    private int sourceOffset;
    private int l3Offset;
    private int l4Offset;
    private int headerLengthBytes;
    private int payloadLengthBytes;
    private int mssBytes;
    private int segmentCount;
    private boolean ipv6;
    private int protocol;
    private int firstIpId;
    private int firstSequence;
    private int tcpFlags;

    /**
     * Parse and validate a super-frame.
     *
     * @param frame         the super-frame.
     * @param offset        first byte.
     * @param lengthBytes   frame length.
     * @param protocol      {@link #PROTOCOL_TCP} or {@link #PROTOCOL_UDP}.
     * @param ipv6          expected IP version (the GSO type says which).
     * @param l4OffsetHint  offset of the L4 header when known (virtio csum_start), else 0: needed only for IPv6
     *                      with extension headers.
     * @param segmentBytes  payload bytes per segment (MSS), at least 1.
     * @return the number of segments (at least 1), or {@link #MALFORMED}.
     */
    public int prepare(
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes,
        final int protocol,
        final boolean ipv6,
        final int l4OffsetHint,
        final int segmentBytes)
    {
        segmentCount = 0;
        if (segmentBytes <= 0 || !parse(frame, offset, lengthBytes, protocol, ipv6, l4OffsetHint))
        {
            return MALFORMED;
        }
        this.source = frame;
        this.sourceOffset = offset;
        this.mssBytes = segmentBytes;
        final int count = payloadLengthBytes == 0 ? 1 : (payloadLengthBytes + segmentBytes - 1) / segmentBytes;
        if (!ipv6)
        {
            firstIpId = frame.getShort(offset + l3Offset + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        if (protocol == PROTOCOL_TCP)
        {
            firstSequence = frame.getInt(offset + l4Offset + 4, ByteOrder.BIG_ENDIAN);
            tcpFlags = frame.getByte(offset + l4Offset + 13) & 0xFF;
        }
        segmentCount = count;
        return count;
    }

    /**
     * Parse the L2/L3/L4 headers of a frame and record their offsets (for {@link #l3Offset()}, {@link #l4Offset()},
     * {@link #headerLengthBytes()}), without preparing segmentation.
     *
     * @param frame        frame.
     * @param offset       first byte.
     * @param lengthBytes  frame length.
     * @param protocol     expected L4 protocol.
     * @param ipv6         expected IP version.
     * @param l4OffsetHint L4 offset when known, else 0.
     * @return true when the headers are present and consistent.
     */
    public boolean parse(
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes,
        final int protocol,
        final boolean ipv6,
        final int l4OffsetHint)
    {
        if (lengthBytes < ETHERNET_HEADER_BYTES || lengthBytes > 0xFFFF + 64)
        {
            return false;
        }
        int l3 = 12;
        int etherType = frame.getShort(offset + l3, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        for (int tags = 0; tags < 2 && (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ); tags++)
        {
            l3 += 4;
            if (l3 + 2 > lengthBytes)
            {
                return false;
            }
            etherType = frame.getShort(offset + l3, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        l3 += 2;
        final int l4;
        if (!ipv6)
        {
            if (etherType != ETHERTYPE_IPV4 || l3 + IPV4_MIN_HEADER_BYTES > lengthBytes)
            {
                return false;
            }
            final int versionIhl = frame.getByte(offset + l3) & 0xFF;
            final int ihlBytes = (versionIhl & 0x0F) * 4;
            if ((versionIhl >>> 4) != 4 || ihlBytes < IPV4_MIN_HEADER_BYTES ||
                (frame.getByte(offset + l3 + 9) & 0xFF) != protocol)
            {
                return false;
            }
            l4 = l3 + ihlBytes;
        }
        else
        {
            if (etherType != ETHERTYPE_IPV6 || l3 + IPV6_HEADER_BYTES > lengthBytes ||
                ((frame.getByte(offset + l3) & 0xFF) >>> 4) != 6)
            {
                return false;
            }
            final int nextHeader = frame.getByte(offset + l3 + 6) & 0xFF;
            if (nextHeader == protocol)
            {
                l4 = l3 + IPV6_HEADER_BYTES;
            }
            else if (l4OffsetHint >= l3 + IPV6_HEADER_BYTES)
            {
                // Extension headers: trust the offset the kernel computed (csum_start) but bound it below.
                l4 = l4OffsetHint;
            }
            else
            {
                return false;
            }
        }
        final int l4HeaderBytes;
        if (protocol == PROTOCOL_TCP)
        {
            if (l4 + TCP_MIN_HEADER_BYTES > lengthBytes)
            {
                return false;
            }
            l4HeaderBytes = ((frame.getByte(offset + l4 + 12) & 0xFF) >>> 4) * 4;
            if (l4HeaderBytes < TCP_MIN_HEADER_BYTES)
            {
                return false;
            }
        }
        else if (protocol == PROTOCOL_UDP)
        {
            l4HeaderBytes = UDP_HEADER_BYTES;
        }
        else
        {
            return false;
        }
        if (l4 + l4HeaderBytes > lengthBytes)
        {
            return false;
        }
        this.ipv6 = ipv6;
        this.protocol = protocol;
        this.l3Offset = l3;
        this.l4Offset = l4;
        this.headerLengthBytes = l4 + l4HeaderBytes;
        this.payloadLengthBytes = lengthBytes - headerLengthBytes;
        return true;
    }

    /**
     * Write segment {@code index} of the prepared super-frame.
     *
     * @param index       0 .. count-1.
     * @param destination where to write; needs {@link #headerLengthBytes()} + MSS bytes.
     * @param dstOffset   first byte.
     * @return the segment's length.
     */
    public int buildSegment(final int index, final MutableDirectBuffer destination, final int dstOffset)
    {
        if (index < 0 || index >= segmentCount)
        {
            throw new IndexOutOfBoundsException("segment " + index + " of " + segmentCount);
        }
        final int payloadStart = index * mssBytes;
        final int payloadBytes = Math.min(mssBytes, payloadLengthBytes - payloadStart);
        final int segmentBytes = headerLengthBytes + payloadBytes;
        destination.putBytes(dstOffset, source, sourceOffset, headerLengthBytes);
        if (payloadBytes > 0)
        {
            destination.putBytes(dstOffset + headerLengthBytes, source,
                sourceOffset + headerLengthBytes + payloadStart, payloadBytes);
        }
        final int ip = dstOffset + l3Offset;
        if (!ipv6)
        {
            destination.putShort(ip + 2, (short)(segmentBytes - l3Offset), ByteOrder.BIG_ENDIAN);
            destination.putShort(ip + 4, (short)(firstIpId + index), ByteOrder.BIG_ENDIAN);
            writeIpv4HeaderChecksum(destination, ip);
        }
        else
        {
            destination.putShort(ip + 4, (short)(segmentBytes - l3Offset - IPV6_HEADER_BYTES),
                ByteOrder.BIG_ENDIAN);
        }
        final int l4 = dstOffset + l4Offset;
        final int l4Bytes = segmentBytes - l4Offset;
        if (protocol == PROTOCOL_TCP)
        {
            destination.putInt(l4 + 4, firstSequence + payloadStart, ByteOrder.BIG_ENDIAN);
            int flags = tcpFlags;
            if (index != segmentCount - 1)
            {
                flags &= ~(TCP_FIN | TCP_PSH);
            }
            if (index != 0)
            {
                flags &= ~TCP_CWR;
            }
            destination.putByte(l4 + 13, (byte)flags);
            writeL4Checksum(destination, ip, l4, l4Bytes, 16);
        }
        else
        {
            destination.putShort(l4 + 4, (short)l4Bytes, ByteOrder.BIG_ENDIAN);
            writeL4Checksum(destination, ip, l4, l4Bytes, 6);
        }
        return segmentBytes;
    }

    private void writeL4Checksum(final MutableDirectBuffer buffer, final int ip, final int l4, final int l4Bytes,
        final int fieldOffset)
    {
        buffer.putShort(l4 + fieldOffset, (short)0);
        final long sum = InternetChecksum.add(buffer, l4, l4Bytes,
            InternetChecksum.pseudoHeader(buffer, ip, ipv6, protocol, l4Bytes));
        int checksum = InternetChecksum.finish(sum);
        if (checksum == 0 && protocol == PROTOCOL_UDP)
        {
            // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "no checksum").
            checksum = 0xFFFF;
        }
        buffer.putShort(l4 + fieldOffset, (short)checksum, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Recompute an IPv4 header checksum in place.
     *
     * @param buffer   frame.
     * @param ipOffset offset of the IPv4 header.
     */
    public static void writeIpv4HeaderChecksum(final MutableDirectBuffer buffer, final int ipOffset)
    {
        final int ihlBytes = (buffer.getByte(ipOffset) & 0x0F) * 4;
        buffer.putShort(ipOffset + 10, (short)0);
        buffer.putShort(ipOffset + 10, (short)InternetChecksum.finish(InternetChecksum.add(buffer, ipOffset,
            ihlBytes, 0)), ByteOrder.BIG_ENDIAN);
    }

    /**
     * @return segments of the prepared frame (0 when none is prepared).
     */
    public int segmentCount()
    {
        return segmentCount;
    }

    /**
     * @return offset of the IP header from the frame start (after {@link #parse} or {@link #prepare}).
     */
    public int l3Offset()
    {
        return l3Offset;
    }

    /**
     * @return offset of the TCP/UDP header from the frame start.
     */
    public int l4Offset()
    {
        return l4Offset;
    }

    /**
     * @return L2+L3+L4 header length.
     */
    public int headerLengthBytes()
    {
        return headerLengthBytes;
    }

    /**
     * @return payload bytes after the headers.
     */
    public int payloadLengthBytes()
    {
        return payloadLengthBytes;
    }

    /**
     * @return true when the parsed frame is IPv6.
     */
    public boolean isIpv6()
    {
        return ipv6;
    }
}
