package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static io.sidecore.engine.net.InternetChecksum.FOLDED_ALL_ONES;
import static io.sidecore.engine.net.InternetChecksum.fold;
import static io.sidecore.engine.net.InternetChecksum.pseudoHeader;
import static io.sidecore.engine.net.InternetChecksum.sum;
import static io.sidecore.engine.net.PacketHeaders.ETHERTYPE_IPV4;
import static io.sidecore.engine.net.PacketHeaders.IPV4_FRAGMENT_MASK;
import static io.sidecore.engine.net.PacketHeaders.IPV4_FRAGMENT_OFFSET;
import static io.sidecore.engine.net.PacketHeaders.IPV4_MIN_HEADER_BYTES;
import static io.sidecore.engine.net.PacketHeaders.IPV4_PROTOCOL_OFFSET;
import static io.sidecore.engine.net.PacketHeaders.IPV4_TOTAL_LENGTH_OFFSET;
import static io.sidecore.engine.net.PacketHeaders.PROTOCOL_TCP;
import static io.sidecore.engine.net.PacketHeaders.PROTOCOL_UDP;
import static io.sidecore.engine.net.PacketHeaders.TCP_CHECKSUM_OFFSET;
import static io.sidecore.engine.net.PacketHeaders.TCP_MIN_HEADER_BYTES;
import static io.sidecore.engine.net.PacketHeaders.UDP_CHECKSUM_OFFSET;
import static io.sidecore.engine.net.PacketHeaders.UDP_HEADER_BYTES;

/**
 * Receive checksum offload (SDM 3.2.9, 13.5.1 RXCSUM): the status and error bits the last descriptor of a frame
 * carries.
 * <ul>
 *   <li>RXCSUM.IPOFL and RXCSUM.TUOFL both clear: IXSM ("ignore checksum indication", SDM 3.2.3.1), nothing is
 *   computed.</li>
 *   <li>Otherwise IXSM is clear and, for an IPv4 frame (EtherType 0x0800, directly or behind an 802.1Q tag that
 *   matched VET) with a consistent header (version 4, IHL at least 5, total length within the frame):
 *   IPOFL verifies the header checksum (IPCS, plus IPE when wrong); TUOFL verifies the TCP or UDP checksum over the
 *   pseudo header and the segment (TCPCS, plus TCPE when wrong; on the 8254x TCPCS covers UDP too and bit 4 is
 *   reserved). Fragments and UDP datagrams sent without a checksum (field 0) get no TCPCS.</li>
 *   <li>Any other frame (not IPv4, or an inconsistent header) gets no checksum bits: the guest's stack verifies it.
 *   IPv6 is not offloaded (the SDM lists it as optional for TCPCS; leaving it to software is always correct).</li>
 * </ul>
 * Linux e1000 sets TUOFL and treats TCPCS without TCPE as CHECKSUM_UNNECESSARY, so this saves the guest a pass over
 * every TCP/UDP payload. The packet checksum field of the descriptor is not computed (see {@link RxProcessor}).
 */
final class RxChecksum
{
    private RxChecksum()
    {
    }

    /**
     * Checksum status for a frame.
     *
     * @param frame       frame bytes (tag still present when there is one).
     * @param offset      first byte of the frame.
     * @param frameLength frame length in bytes (after padding, without FCS).
     * @param l3Offset    offset of the EtherType's payload: 14, or 18 behind a tag.
     * @param rxcsum      the RXCSUM value.
     * @param carried     the frame's metadata, whose carried transport checksum (when it describes exactly the
     *                    segment this parse finds) stands in for summing the segment; or null.
     * @return status bits in bits 0-7 and error bits in bits 8-15.
     */
    static int statusAndErrors(
        final DirectBuffer frame,
        final int offset,
        final int frameLength,
        final int l3Offset,
        final int rxcsum,
        final FrameMetadata carried)
    {
        final boolean ipOffload = 0 != (rxcsum & E1000Registers.RXCSUM_IPOFL);
        final boolean l4Offload = 0 != (rxcsum & E1000Registers.RXCSUM_TUOFL);
        if (!ipOffload && !l4Offload)
        {
            return E1000RxDescriptor.STA_IXSM;
        }
        final int available = frameLength - l3Offset;
        if (available < IPV4_MIN_HEADER_BYTES ||
            ETHERTYPE_IPV4 != (frame.getShort(offset + l3Offset - 2, ByteOrder.BIG_ENDIAN) & 0xFFFF))
        {
            return 0;
        }
        final int ip = offset + l3Offset;
        final int versionAndLength = frame.getByte(ip) & 0xFF;
        final int headerLength = (versionAndLength & 0xF) << 2;
        final int totalLength = frame.getShort(ip + IPV4_TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (4 != (versionAndLength >>> 4) || headerLength < IPV4_MIN_HEADER_BYTES || totalLength < headerLength ||
            totalLength > available)
        {
            return 0;
        }
        int result = 0;
        if (ipOffload)
        {
            result |= E1000RxDescriptor.STA_IPCS;
            if (FOLDED_ALL_ONES != fold(sum(frame, ip, headerLength)))
            {
                result |= E1000RxDescriptor.ERR_IPE << 8;
            }
        }
        if (l4Offload)
        {
            result |= l4StatusAndErrors(frame, offset, ip, headerLength, totalLength, carried);
        }
        return result;
    }

    private static int l4StatusAndErrors(
        final DirectBuffer frame,
        final int offset,
        final int ip,
        final int headerLength,
        final int totalLength,
        final FrameMetadata carried)
    {
        if (0 != (frame.getShort(ip + IPV4_FRAGMENT_OFFSET, ByteOrder.BIG_ENDIAN) & IPV4_FRAGMENT_MASK))
        {
            return 0;
        }
        final int protocol = frame.getByte(ip + IPV4_PROTOCOL_OFFSET) & 0xFF;
        final int l4 = ip + headerLength;
        final int l4Length = totalLength - headerLength;
        if (PROTOCOL_TCP == protocol)
        {
            if (l4Length < TCP_MIN_HEADER_BYTES)
            {
                return 0;
            }
        }
        else if (PROTOCOL_UDP == protocol)
        {
            if (l4Length < UDP_HEADER_BYTES ||
                0 == frame.getShort(l4 + UDP_CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN))
            {
                return 0;
            }
        }
        else
        {
            return 0;
        }
        final long pseudoHeaderSum = pseudoHeader(frame, ip, false, protocol, l4Length);
        final boolean good;
        final int fieldOffset = PROTOCOL_TCP == protocol ? TCP_CHECKSUM_OFFSET : UDP_CHECKSUM_OFFSET;
        if (null != carried &&
            carried.carriesChecksumOf(l4 - offset, l4 - offset + l4Length, l4 - offset + fieldOffset))
        {
            // The sending device summed exactly this segment a moment ago (issue 11 §0: computed once).
            good = carried.isCarriedChecksumGood(pseudoHeaderSum);
        }
        else
        {
            good = FOLDED_ALL_ONES == fold(sum(frame, l4, l4Length, pseudoHeaderSum));
        }
        return good ?
            E1000RxDescriptor.STA_TCPCS :
            E1000RxDescriptor.STA_TCPCS | (E1000RxDescriptor.ERR_TCPE << 8);
    }
}
