package io.sidecore.engine.net;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The header fields that change from one segment of a TCP or UDP super-frame to the next, as both the device's TCP
 * segmentation offload (SDM 3.5.9.1/3.5.9.2) and the TAP backend's generic segmentation (Linux tcp_gso_segment,
 * udp4_ufo_fragment's UDP_L4 form) rewrite them in a copy of the original header:
 * <ul>
 *   <li>IPv4: total length of the segment from the IP header on; identification = original + segment index
 *       (wrapping).</li>
 *   <li>IPv6: payload length = the segment from the IP header on, less the 40-byte fixed header (RFC 8200).</li>
 *   <li>TCP: sequence number = original + the payload bytes before the segment; flags cleared as the caller
 *       says (FIN and PSH belong to the last segment only).</li>
 *   <li>UDP: length of the segment from the UDP header on.</li>
 * </ul>
 * Where the offsets come from and which checksums follow differ between the two users (the device takes them from
 * the guest's context descriptor, the backend parses the headers), so the callers validate offsets and insert
 * checksums; this class only writes fields at offsets it is given.
 */
public final class SegmentHeaders
{
    private SegmentHeaders()
    {
    }

    /**
     * @param payloadLengthBytes payload after the headers, 0 or more.
     * @param mssBytes           payload bytes per segment, at least 1.
     * @return number of segments; a super-frame with no payload is sent as one header-only segment.
     */
    public static int segmentCount(final int payloadLengthBytes, final int mssBytes)
    {
        return 0 == payloadLengthBytes ? 1 : (payloadLengthBytes + mssBytes - 1) / mssBytes;
    }

    /**
     * The value of the IP header's length field for a packet of {@code ipBytes} from the start of the IP header on:
     * the IPv4 total length counts the header, the IPv6 payload length does not count the fixed header.
     *
     * @param ipv6    IPv6 (else IPv4).
     * @param ipBytes bytes from the first byte of the IP header to the end of the packet.
     * @return the field value; the caller checks it fits 16 bits.
     */
    public static int ipLengthField(final boolean ipv6, final int ipBytes)
    {
        return ipv6 ? ipBytes - PacketHeaders.IPV6_HEADER_BYTES : ipBytes;
    }

    /**
     * Write the IP header's length field ({@link #ipLengthField}) for a packet of {@code ipBytes}.
     *
     * @param buffer   packet bytes.
     * @param ipOffset first byte of the IP header.
     * @param ipv6     IPv6 (else IPv4).
     * @param ipBytes  bytes from the first byte of the IP header to the end of the packet.
     */
    public static void writeIpLength(
        final MutableDirectBuffer buffer, final int ipOffset, final boolean ipv6, final int ipBytes)
    {
        final int fieldOffset =
            ipv6 ? PacketHeaders.IPV6_PAYLOAD_LENGTH_OFFSET : PacketHeaders.IPV4_TOTAL_LENGTH_OFFSET;
        buffer.putShort(ipOffset + fieldOffset, (short)ipLengthField(ipv6, ipBytes), ByteOrder.BIG_ENDIAN);
    }

    /**
     * Per-segment IP fields: the length field and, for IPv4, the identification.
     *
     * @param buffer         segment bytes.
     * @param ipOffset       first byte of the segment's IP header.
     * @param ipv6           IPv6 (else IPv4).
     * @param ipBytes        bytes from the IP header to the end of the segment.
     * @param identification IPv4 identification of this segment (low 16 bits used); ignored for IPv6.
     */
    public static void writeIp(
        final MutableDirectBuffer buffer,
        final int ipOffset,
        final boolean ipv6,
        final int ipBytes,
        final int identification)
    {
        writeIpLength(buffer, ipOffset, ipv6, ipBytes);
        if (!ipv6)
        {
            buffer.putShort(
                ipOffset + PacketHeaders.IPV4_IDENTIFICATION_OFFSET, (short)identification, ByteOrder.BIG_ENDIAN);
        }
    }

    /**
     * Per-segment transport fields: TCP sequence number and flags, or UDP length. The checksum is left to the
     * caller.
     *
     * @param buffer       segment bytes, holding a copy of the original header.
     * @param l4Offset     first byte of the segment's TCP or UDP header.
     * @param tcp          TCP (else UDP).
     * @param l4Bytes      bytes from the transport header to the end of the segment.
     * @param sequence     TCP sequence number of this segment; ignored for UDP.
     * @param clearedFlags TCP flags to clear in this segment (for example FIN and PSH on all but the last); ignored
     *                     for UDP.
     */
    public static void writeTransport(
        final MutableDirectBuffer buffer,
        final int l4Offset,
        final boolean tcp,
        final int l4Bytes,
        final int sequence,
        final int clearedFlags)
    {
        if (tcp)
        {
            buffer.putInt(l4Offset + PacketHeaders.TCP_SEQUENCE_OFFSET, sequence, ByteOrder.BIG_ENDIAN);
            final int flagsIndex = l4Offset + PacketHeaders.TCP_FLAGS_OFFSET;
            buffer.putByte(flagsIndex, (byte)(buffer.getByte(flagsIndex) & ~clearedFlags));
        }
        else
        {
            buffer.putShort(l4Offset + PacketHeaders.UDP_LENGTH_OFFSET, (short)l4Bytes, ByteOrder.BIG_ENDIAN);
        }
    }

    /**
     * Recompute an IPv4 header checksum in place over the IHL-given header length.
     *
     * @param buffer   packet bytes.
     * @param ipOffset first byte of an IPv4 header whose IHL the caller has validated against the packet.
     */
    public static void writeIpv4HeaderChecksum(final MutableDirectBuffer buffer, final int ipOffset)
    {
        final int headerBytes = (buffer.getByte(ipOffset) & 0x0F) * 4;
        final int fieldIndex = ipOffset + PacketHeaders.IPV4_CHECKSUM_OFFSET;
        buffer.putShort(fieldIndex, (short)0);
        buffer.putShort(fieldIndex, (short)InternetChecksum.compute(buffer, ipOffset, headerBytes),
            ByteOrder.BIG_ENDIAN);
    }
}
