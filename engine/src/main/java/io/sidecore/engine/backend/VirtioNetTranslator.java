package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.net.InternetChecksum;
import io.sidecore.engine.net.PacketHeaders;
import io.sidecore.engine.net.SegmentHeaders;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Translates between a frame's {@link FrameMetadata} and the {@code virtio_net_hdr} a TAP with
 * {@code IFF_VNET_HDR} carries in front of every frame ({@link VirtioNetHeader}), both ways, and does the offload
 * work the other side cannot. Knows nothing of file descriptors: {@link TapBackend} reads and writes.
 * <ul>
 *   <li><b>Guest to host</b> ({@link #encode}). A complete frame gets an empty header. A checksum-offload frame is
 *       written whole with {@code NEEDS_CSUM}. A TCP TSO frame is written whole with a GSO header after its headers
 *       are made what the kernel's GSO expects (the 8254x leaves IP length and checksums to the hardware, SDM
 *       3.5.4, and a Linux e1000 guest writes 0 there): IPv4 total length and header checksum, IPv6 payload
 *       length, and the TCP checksum field seeded with the pseudo-header sum over the whole L4 length. UDP TSO
 *       (per-segment UDP headers, unlike virtio's UFO) and a TCP frame too long for one IP length field are cut
 *       here ({@link #prepareSoftwareSegments}, {@link #encodeSoftwareSegment}).</li>
 *   <li><b>Host to guest</b> ({@link #decode}). The header becomes the frame's metadata. A partial checksum is
 *       completed ({@link #completeChecksum}); a TCP super-frame is cut into segments the guest's ring takes, at
 *       most {@code maxRxFrameBytes} each ({@link #prepareSegments}, {@link #buildSegment}), since an 8254x has no
 *       LRO.</li>
 * </ul>
 * One per TAP backend, used on its agent thread; nothing is allocated per frame.
 */
final class VirtioNetTranslator
{
    /** {@link #encode}: the frame must be cut into segments here. */
    static final int SOFTWARE_SEGMENTS = -2;
    /** A frame whose headers or offload fields do not hold together. */
    static final int MALFORMED = -1;

    private final int vnetHeaderBytes;
    private final int maxRxFrameBytes;
    private final int maxFrameBytes;
    private final GsoSegmenter txSegmenter = new GsoSegmenter();
    private final GsoSegmenter rxSegmenter = new GsoSegmenter();

    /**
     * @param vnetHeaderBytes {@link VirtioNetHeader#LENGTH} when the TAP carries headers, else 0.
     * @param maxRxFrameBytes largest frame handed to the guest.
     * @param maxFrameBytes   largest frame the TAP buffers hold.
     */
    VirtioNetTranslator(final int vnetHeaderBytes, final int maxRxFrameBytes, final int maxFrameBytes)
    {
        this.vnetHeaderBytes = vnetHeaderBytes;
        this.maxRxFrameBytes = maxRxFrameBytes;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Put a guest frame with its header into {@code tx} at 0, ready to write.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length, at least an Ethernet header and at most the TAP buffer.
     * @param metadata    its checksum state and GSO.
     * @param tx          the TAP's write buffer.
     * @return bytes to write, {@link #SOFTWARE_SEGMENTS} or {@link #MALFORMED}.
     */
    int encode(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final MutableDirectBuffer tx)
    {
        if (metadata.isComplete())
        {
            if (vnetHeaderBytes != 0)
            {
                VirtioNetHeader.writeNone(tx, 0);
            }
            tx.putBytes(vnetHeaderBytes, frame, offset, lengthBytes);
            return vnetHeaderBytes + lengthBytes;
        }
        if (vnetHeaderBytes == 0)
        {
            // Offload frames are only handed to sinks that accept them; without a virtio_net_hdr we never do.
            return MALFORMED;
        }
        switch (metadata.gsoType)
        {
            case FrameMetadata.GSO_NONE:
                return encodeChecksumOffload(frame, offset, lengthBytes, metadata, tx);

            case FrameMetadata.GSO_TCPV4:
            case FrameMetadata.GSO_TCPV6:
                return encodeTcpGso(frame, offset, lengthBytes, metadata, tx,
                    FrameMetadata.GSO_TCPV6 == metadata.gsoType);

            case FrameMetadata.GSO_UDP:
                return SOFTWARE_SEGMENTS;

            default:
                return MALFORMED;
        }
    }

    private int encodeChecksumOffload(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final MutableDirectBuffer tx)
    {
        final int start = metadata.checksumStartBytes;
        final int field = metadata.checksumOffsetBytes;
        if (start < PacketHeaders.ETHERNET_HEADER_BYTES || field < 0 || (long)start + field + 2 > lengthBytes)
        {
            return MALFORMED;
        }
        VirtioNetHeader.write(tx, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE,
            Math.max(0, Math.min(metadata.headerLengthBytes, lengthBytes)), 0, start, field);
        tx.putBytes(vnetHeaderBytes, frame, offset, lengthBytes);
        return vnetHeaderBytes + lengthBytes;
    }

    private int encodeTcpGso(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final MutableDirectBuffer tx, final boolean ipv6)
    {
        final int mss = metadata.gsoSizeBytes;
        final int frameStart = vnetHeaderBytes;
        tx.putBytes(frameStart, frame, offset, lengthBytes);
        final GsoSegmenter parser = txSegmenter;
        if (mss <= 0 || mss > 0xFFFF ||
            !parser.parse(tx, frameStart, lengthBytes, PacketHeaders.PROTOCOL_TCP, ipv6, metadata.checksumStartBytes))
        {
            return MALFORMED;
        }
        final int l3 = parser.l3Offset();
        final int l4 = parser.l4Offset();
        if (SegmentHeaders.ipLengthField(ipv6, lengthBytes - l3) > 0xFFFF)
        {
            // Too long for one IP header's length field: segment here instead of handing the kernel a lie.
            return SOFTWARE_SEGMENTS;
        }
        SegmentHeaders.writeIpLength(tx, frameStart + l3, ipv6, lengthBytes - l3);
        if (!ipv6)
        {
            SegmentHeaders.writeIpv4HeaderChecksum(tx, frameStart + l3);
        }
        // CHECKSUM_PARTIAL convention (and what tcp_gso_segment adjusts per segment): the field holds the folded,
        // non-inverted pseudo-header sum over the whole L4 length.
        final int l4Bytes = lengthBytes - l4;
        final long pseudo = InternetChecksum.pseudoHeader(tx, frameStart + l3, ipv6, PacketHeaders.PROTOCOL_TCP,
            l4Bytes);
        tx.putShort(frameStart + l4 + PacketHeaders.TCP_CHECKSUM_OFFSET, (short)InternetChecksum.fold(pseudo),
            ByteOrder.BIG_ENDIAN);
        final boolean gso = parser.payloadLengthBytes() > mss;
        VirtioNetHeader.write(tx, 0, VirtioNetHeader.F_NEEDS_CSUM,
            gso ? (ipv6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4) : VirtioNetHeader.GSO_NONE,
            parser.headerLengthBytes(), gso ? mss : 0, l4, PacketHeaders.TCP_CHECKSUM_OFFSET);
        return vnetHeaderBytes + lengthBytes;
    }

    /**
     * Get ready to cut a guest frame {@link #encode} could not hand the kernel whole.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length.
     * @param metadata    its GSO type, MSS and checksum start.
     * @return segments to write, or {@link #MALFORMED}.
     */
    int prepareSoftwareSegments(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata)
    {
        final boolean ipv6 = isIpv6(frame, offset, lengthBytes);
        final int protocol = FrameMetadata.GSO_UDP == metadata.gsoType ?
            PacketHeaders.PROTOCOL_UDP : PacketHeaders.PROTOCOL_TCP;
        final int count = txSegmenter.prepare(frame, offset, lengthBytes, protocol, ipv6,
            metadata.checksumStartBytes, metadata.gsoSizeBytes);
        if (count < 0 || (long)txSegmenter.headerLengthBytes() + metadata.gsoSizeBytes > maxFrameBytes)
        {
            return MALFORMED;
        }
        return count;
    }

    /**
     * Put segment {@code index} of the frame {@link #prepareSoftwareSegments} prepared, with an empty header, into
     * {@code tx} at 0.
     *
     * @param index segment, below the count prepared.
     * @param tx    the TAP's write buffer.
     * @return bytes to write.
     */
    int encodeSoftwareSegment(final int index, final MutableDirectBuffer tx)
    {
        if (vnetHeaderBytes != 0)
        {
            VirtioNetHeader.writeNone(tx, 0);
        }
        return vnetHeaderBytes + txSegmenter.buildSegment(index, tx, vnetHeaderBytes);
    }

    private static boolean isIpv6(final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        int typeOffset = PacketHeaders.ETHER_TYPE_OFFSET;
        int etherType = frame.getShort(offset + typeOffset, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        while ((etherType == PacketHeaders.ETHERTYPE_VLAN || etherType == PacketHeaders.ETHERTYPE_QINQ) &&
            typeOffset + 6 <= lengthBytes && typeOffset < 20)
        {
            typeOffset += PacketHeaders.VLAN_TAG_BYTES;
            etherType = frame.getShort(offset + typeOffset, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        return etherType == PacketHeaders.ETHERTYPE_IPV6;
    }

    /**
     * Read the header of a frame the host sent into {@code metadata}.
     *
     * @param rx        the TAP's read buffer: header at 0, frame after it.
     * @param readBytes bytes read.
     * @param metadata  filled: checksum state, GSO type and size, header length.
     * @return the frame's length, or {@link #MALFORMED} for a runt or a GSO type other than TCP.
     */
    int decode(final DirectBuffer rx, final int readBytes, final FrameMetadata metadata)
    {
        metadata.reset();
        final int frameBytes = readBytes - vnetHeaderBytes;
        if (frameBytes < PacketHeaders.ETHERNET_HEADER_BYTES)
        {
            return MALFORMED;
        }
        if (vnetHeaderBytes == 0)
        {
            return frameBytes;
        }
        final int flags = VirtioNetHeader.flags(rx, 0);
        metadata.needsChecksum = 0 != (flags & VirtioNetHeader.F_NEEDS_CSUM);
        if (metadata.needsChecksum)
        {
            metadata.checksumStartBytes = VirtioNetHeader.checksumStart(rx, 0);
            metadata.checksumOffsetBytes = VirtioNetHeader.checksumOffset(rx, 0);
        }
        switch (VirtioNetHeader.gsoType(rx, 0) & ~VirtioNetHeader.GSO_ECN)
        {
            case VirtioNetHeader.GSO_NONE:
                return frameBytes;

            case VirtioNetHeader.GSO_TCPV4:
                metadata.gsoType = FrameMetadata.GSO_TCPV4;
                break;

            case VirtioNetHeader.GSO_TCPV6:
                metadata.gsoType = FrameMetadata.GSO_TCPV6;
                break;

            default:
                return MALFORMED;
        }
        metadata.gsoSizeBytes = VirtioNetHeader.gsoSize(rx, 0);
        metadata.headerLengthBytes = VirtioNetHeader.headerLength(rx, 0);
        return frameBytes;
    }

    /**
     * Complete a partial checksum as {@code skb_checksum_help} does: the sum from csum_start to the end, inverted,
     * at csum_start + csum_offset (0 becomes 0xFFFF).
     *
     * @param frame       buffer holding the frame.
     * @param frameOffset its first byte.
     * @param frameBytes  its length.
     * @param metadata    its checksum start and offset; the checksum is complete afterwards.
     * @return false when the checksum start or field lies outside the frame.
     */
    boolean completeChecksum(
        final MutableDirectBuffer frame, final int frameOffset, final int frameBytes, final FrameMetadata metadata)
    {
        final int start = metadata.checksumStartBytes;
        final int field = metadata.checksumOffsetBytes;
        if (start < PacketHeaders.ETHERNET_HEADER_BYTES || start + field + 2 > frameBytes)
        {
            return false;
        }
        int checksum = InternetChecksum.finish(InternetChecksum.sum(frame, frameOffset + start, frameBytes - start,
            0));
        if (checksum == 0)
        {
            checksum = 0xFFFF;
        }
        frame.putShort(frameOffset + start + field, (short)checksum, ByteOrder.BIG_ENDIAN);
        metadata.needsChecksum = false;
        return true;
    }

    /**
     * Get ready to cut a TCP super-frame from the host into segments the guest takes: the host's MSS, or a smaller
     * one when the host's would make frames longer than the guest's largest.
     *
     * @param frame       buffer holding the frame.
     * @param frameOffset its first byte.
     * @param frameBytes  its length.
     * @param metadata    its GSO type and size, and its checksum start when partial.
     * @return segments to build, or {@link #MALFORMED}.
     */
    int prepareSegments(
        final DirectBuffer frame, final int frameOffset, final int frameBytes, final FrameMetadata metadata)
    {
        final boolean ipv6 = FrameMetadata.GSO_TCPV6 == metadata.gsoType;
        final int l4Hint = metadata.needsChecksum ? metadata.checksumStartBytes : 0;
        final int gsoSize = metadata.gsoSizeBytes;
        final GsoSegmenter segmenter = rxSegmenter;
        int count = segmenter.prepare(frame, frameOffset, frameBytes, PacketHeaders.PROTOCOL_TCP, ipv6, l4Hint,
            gsoSize);
        if (count > 0 && segmenter.headerLengthBytes() + gsoSize > maxRxFrameBytes)
        {
            // The host's MSS would make frames the guest cannot take: cut smaller segments.
            final int mss = maxRxFrameBytes - segmenter.headerLengthBytes();
            count = mss > 0 ? segmenter.prepare(frame, frameOffset, frameBytes, PacketHeaders.PROTOCOL_TCP, ipv6,
                l4Hint, mss) : GsoSegmenter.MALFORMED;
        }
        return count < 0 ? MALFORMED : count;
    }

    /**
     * Build segment {@code index} of the super-frame {@link #prepareSegments} prepared, checksums complete.
     *
     * @param index       segment, below the count prepared.
     * @param destination where the segment goes, at 0.
     * @return its length.
     */
    int buildSegment(final int index, final MutableDirectBuffer destination)
    {
        return rxSegmenter.buildSegment(index, destination, 0);
    }
}
