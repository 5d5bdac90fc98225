package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.mem.DataPathBuffer;
import io.sidecore.engine.net.InternetChecksum;
import io.sidecore.engine.net.SegmentHeaders;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static io.sidecore.engine.net.PacketHeaders.IPV4_IDENTIFICATION_OFFSET;
import static io.sidecore.engine.net.PacketHeaders.IPV4_MIN_HEADER_BYTES;
import static io.sidecore.engine.net.PacketHeaders.IPV6_HEADER_BYTES;
import static io.sidecore.engine.net.PacketHeaders.TCP_FLAG_FIN;
import static io.sidecore.engine.net.PacketHeaders.TCP_FLAG_PSH;
import static io.sidecore.engine.net.PacketHeaders.TCP_MIN_HEADER_BYTES;
import static io.sidecore.engine.net.PacketHeaders.TCP_SEQUENCE_OFFSET;
import static io.sidecore.engine.net.PacketHeaders.UDP_HEADER_BYTES;

/**
 * TCP segmentation offload (SDM 3.5) for IPv4 and IPv6, TCP and UDP: splits a whole staged packet (HDRLEN header
 * bytes followed by the payload) into frames of at most MSS payload bytes, each with a copy of the header updated as
 * SDM 3.5.9 describes, and every checksum POPTS asks for.
 * <p>
 * Segmentation is done in place in the staging buffer: the payload of segment {@code i} already sits at
 * {@code HDRLEN + i * MSS}, so the saved header is written just before it, over bytes of earlier segments that have
 * already been emitted. No payload byte is copied. The staging buffer has headroom for the VLAN tag of segment 0.
 * <p>
 * Per-segment header updates (SDM 3.5.9.1/3.5.9.2, {@code L} = segment length):
 * <ul>
 *   <li>IPv4: total length = L - IPCSS; identification = original + segment index (wrapping).</li>
 *   <li>IPv6: payload length = L - IPCSS - 40. The 8254x SDM writes "MSS + HDRLEN - IPCSS", which counts the 40-byte
 *       fixed header as payload; the later 82583V datasheet (7.3.6.2.3) corrects it to "... - Ipv6Size (40 bytes)",
 *       which is also what RFC 8200 defines. This model follows the corrected formula.</li>
 *   <li>TCP: sequence number = original + index * MSS; FIN and PSH cleared on every segment but the last.</li>
 *   <li>UDP: length = L - TUCSS.</li>
 *   <li>TXSM: the guest pre-fills the checksum field with the pseudo-header sum computed with a length of 0 (SDM
 *       3.5); the segment's transport length L - TUCSS is added to it, then the checksum is computed from TUCSS to
 *       the end of the segment (TUCSE does not apply to segments).</li>
 *   <li>IXSM: IP header checksum from IPCSS to IPCSE (or the end of the segment), after the length update.</li>
 * </ul>
 * <b>Within a budget.</b> A packet is segmented over as many passes as the port's budgets need: {@link #begin}
 * saves its header and position, {@link #emit} emits segments while the pass's {@link TxPassBudget} has room, and the
 * next pass goes on where it stopped (the packet stays in the staging buffer, and the transmit path stages nothing
 * else meanwhile). So any MSS the SDM allows costs a pass no more than its budget.
 * <p>
 * The length, identification, sequence and flag updates are the ones generic segmentation makes too, and are
 * written by {@link SegmentHeaders}; what stays here is the device's own part: offsets from the context descriptor
 * rather than parsed headers, in-place segmentation, and only the checksums POPTS asks for, from the guest's
 * pre-filled pseudo-header sum (the TAP backend's {@code GsoSegmenter} computes complete checksums itself).
 */
final class TsoSegmenter
{
    /** HDRLEN is one byte (SDM 3.3.6). */
    static final int MAX_HEADER_LENGTH = 255;

    /**
     * Smallest MSS the device segments with: any but 0, since the SDM (3.5) sets no floor and Linux sends small ones
     * when the peer's MSS is near its floor and TCP options take most of it. The cost is bounded by the port's
     * per-pass segment budget, not by refusing the packet: a 64 KiB packet at MSS 1 goes out over as many passes as
     * its 65 K segments need.
     */
    public static final int MIN_MSS_BYTES = 1;

    /**
     * Smallest MSS of a packet handed whole to an offload-capable sink (a TAP segments it in the host kernel, out of
     * reach of the port's budgets): Linux's own floor on the MSS it sends with ({@code net.ipv4.tcp_min_snd_mss},
     * 48), which caps one write at 65535 / 48 = 1365 segments. A smaller MSS is segmented here, within the budget.
     */
    static final int MIN_OFFLOAD_MSS_BYTES = 48;

    private final DataPathBuffer savedHeader = new DataPathBuffer(new byte[MAX_HEADER_LENGTH]);
    private UnsafeBuffer staging;
    private TxContext context;
    private int packetStart;
    private int popts;
    private int headerLength;
    private int mss;
    private int payloadLength;
    private int segmentCount;
    private int nextSegment;
    private int originalId;
    private int originalSequence;

    /**
     * Check the TSO context against a staged packet before any byte is touched. Every header field the segmenter
     * updates must lie inside the header (so it is present in every segment), and MSS must be non-zero: HDRLEN = 0
     * with MSS = 0 is the CVE-2015-6815 infinite loop in QEMU.
     *
     * @param context           the TSO context slot (loaded).
     * @param popts             the packet's POPTS.
     * @param packetLengthBytes staged length, header included.
     * @return null if the packet can be segmented, else {@link PortCounter#TX_DROP_MALFORMED}.
     */
    PortCounter validate(final TxContext context, final int popts, final int packetLengthBytes)
    {
        final int headerLength = context.headerLengthBytes();
        final int mss = context.mss();
        final int ipStart = context.ipcss();
        final int transportStart = context.tucss();
        if (mss < MIN_MSS_BYTES || 0 == headerLength || headerLength > packetLengthBytes)
        {
            return PortCounter.TX_DROP_MALFORMED;
        }
        final int ipHeaderLength = context.isIpv4() ? IPV4_MIN_HEADER_BYTES : IPV6_HEADER_BYTES;
        final int transportHeaderLength = context.isTcp() ? TCP_MIN_HEADER_BYTES : UDP_HEADER_BYTES;
        if (ipStart + ipHeaderLength > headerLength || transportStart + transportHeaderLength > headerLength)
        {
            return PortCounter.TX_DROP_MALFORMED;
        }
        if (0 != (popts & E1000TxDescriptor.POPTS_TXSM) &&
            (context.tucso() + 2 > headerLength || (0 != context.tucse() && context.tucse() < transportStart)))
        {
            return PortCounter.TX_DROP_MALFORMED;
        }
        if (0 != (popts & E1000TxDescriptor.POPTS_IXSM) &&
            (context.ipcso() + 2 > headerLength || (0 != context.ipcse() && context.ipcse() < ipStart)))
        {
            return PortCounter.TX_DROP_MALFORMED;
        }
        final int payloadLength = packetLengthBytes - headerLength;
        final int largestSegment = headerLength + Math.min(mss, payloadLength);
        if (largestSegment - ipStart > 0xFFFF)
        {
            return PortCounter.TX_DROP_MALFORMED;
        }
        return null;
    }

    /**
     * Start segmenting a validated packet: nothing is emitted yet ({@link #emit} does it, within a pass's budget).
     * The packet stays in {@code staging} until its last segment is out, so the caller must not stage another packet
     * while {@link #isPending()}.
     *
     * @param staging           the staging buffer.
     * @param packetStart       first byte of the packet in {@code staging}, with VLAN headroom before it.
     * @param packetLengthBytes packet length.
     * @param context           a context that passed {@link #validate}; not reloaded while the packet is pending.
     * @param popts             the packet's POPTS.
     * @return the number of segments the packet makes.
     */
    int begin(
        final UnsafeBuffer staging,
        final int packetStart,
        final int packetLengthBytes,
        final TxContext context,
        final int popts)
    {
        final int headerLength = context.headerLengthBytes();
        this.staging = staging;
        this.packetStart = packetStart;
        this.context = context;
        this.popts = popts;
        this.headerLength = headerLength;
        this.mss = context.mss();
        this.payloadLength = packetLengthBytes - headerLength;
        this.segmentCount = SegmentHeaders.segmentCount(payloadLength, mss);
        this.nextSegment = 0;
        savedHeader.putBytes(0, staging, packetStart, headerLength);
        originalId = context.isIpv4() ?
            savedHeader.getShort(context.ipcss() + IPV4_IDENTIFICATION_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF : 0;
        originalSequence = context.isTcp() ?
            savedHeader.getInt(context.tucss() + TCP_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN) : 0;
        return segmentCount;
    }

    /**
     * Emit the next segments of the packet begun, as long as the pass's budget has room.
     *
     * @param emitter where segments go (it charges each to the budget).
     * @param budget  the pass's budget.
     * @return segments emitted by this call.
     */
    int emit(final TxFrameEmitter emitter, final TxPassBudget budget)
    {
        final UnsafeBuffer staging = this.staging;
        final int headerLength = this.headerLength;
        final int count = segmentCount;
        int emitted = 0;
        while (nextSegment < count && budget.hasRoom())
        {
            final int i = nextSegment;
            final int payloadOffset = i * mss;
            final int segmentStart = packetStart + payloadOffset;
            if (i > 0)
            {
                staging.putBytes(segmentStart, savedHeader, 0, headerLength);
            }
            final int segmentLength = headerLength + Math.min(mss, payloadLength - payloadOffset);
            final boolean last = i == count - 1;
            updateHeader(staging, segmentStart, segmentLength, context, popts,
                (originalId + i) & 0xFFFF, originalSequence + payloadOffset, last);
            nextSegment = i + 1;
            emitter.emit(staging, segmentStart, segmentLength);
            emitted++;
        }
        if (nextSegment == count)
        {
            release();
        }
        return emitted;
    }

    /**
     * @return true while a packet begun has segments not yet emitted.
     */
    boolean isPending()
    {
        return nextSegment < segmentCount;
    }

    /**
     * Forget the packet being segmented (MAC reset).
     *
     * @return its segments that were never emitted.
     */
    int discard()
    {
        final int left = segmentCount - nextSegment;
        release();
        return left;
    }

    private void release()
    {
        staging = null;
        context = null;
        segmentCount = 0;
        nextSegment = 0;
    }

    private static void updateHeader(
        final UnsafeBuffer buffer,
        final int start,
        final int segmentLength,
        final TxContext context,
        final int popts,
        final int ipIdentification,
        final int tcpSequence,
        final boolean last)
    {
        SegmentHeaders.writeIp(
            buffer, start + context.ipcss(), !context.isIpv4(), segmentLength - context.ipcss(), ipIdentification);
        final int transportStart = start + context.tucss();
        final int transportLength = segmentLength - context.tucss();
        // SDM 3.5.9.2 names only FIN and PSH (last segment only): other flags, CWR included, go in every segment.
        SegmentHeaders.writeTransport(buffer, transportStart, context.isTcp(), transportLength, tcpSequence,
            last ? 0 : TCP_FLAG_FIN | TCP_FLAG_PSH);
        if (0 != (popts & E1000TxDescriptor.POPTS_TXSM))
        {
            final int fieldIndex = start + context.tucso();
            final int pseudoHeaderSum = buffer.getShort(fieldIndex, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            buffer.putShort(fieldIndex, (short)addLength(pseudoHeaderSum, transportLength), ByteOrder.BIG_ENDIAN);
            final int checksum = InternetChecksum.finishTransport(
                InternetChecksum.sum(buffer, transportStart, transportLength), !context.isTcp());
            buffer.putShort(fieldIndex, (short)checksum, ByteOrder.BIG_ENDIAN);
        }
        if (0 != (popts & E1000TxDescriptor.POPTS_IXSM))
        {
            TxChecksumOffload.insertIp(buffer, start, segmentLength, context);
        }
    }

    /**
     * Ones' complement addition of a length of up to 32 bits (the IPv6 pseudo-header length is 32 bits, RFC 8200
     * 8.1) to a folded 16-bit sum.
     */
    private static int addLength(final int sum, final int lengthBytes)
    {
        return InternetChecksum.add(InternetChecksum.add(sum, lengthBytes >>> 16), lengthBytes & 0xFFFF);
    }

    /**
     * Prepare a validated TCP TSO packet to go whole to an offload-capable sink (a TAP with a virtio-net header
     * segments it in the host kernel): IP length fields describe the whole packet, the pseudo-header sum gets the
     * whole transport length (what Linux GSO expects in the field), and IXSM is done here.
     *
     * @param staging           staging buffer.
     * @param packetStart       first byte.
     * @param packetLengthBytes packet length.
     * @param context           a validated TSO context.
     * @param popts             the packet's POPTS.
     * @param info              filled on success.
     * @return false, with nothing modified, when the sink cannot take it (UDP, no TXSM, a checksum field before its
     *     start, an MSS below {@link #MIN_OFFLOAD_MSS_BYTES}, or lengths that do not fit the whole packet's IP
     *     header): segment it in software then.
     */
    boolean prepareOffload(
        final UnsafeBuffer staging,
        final int packetStart,
        final int packetLengthBytes,
        final TxContext context,
        final int popts,
        final FrameMetadata info)
    {
        final boolean ipv6 = !context.isIpv4();
        final int ipLength = SegmentHeaders.ipLengthField(ipv6, packetLengthBytes - context.ipcss());
        if (!context.isTcp() ||
            0 == (popts & E1000TxDescriptor.POPTS_TXSM) ||
            context.tucso() < context.tucss() ||
            context.mss() < MIN_OFFLOAD_MSS_BYTES ||
            ipLength > 0xFFFF)
        {
            return false;
        }
        SegmentHeaders.writeIpLength(staging, packetStart + context.ipcss(), ipv6, packetLengthBytes - context.ipcss());
        final int fieldIndex = packetStart + context.tucso();
        final int pseudoHeaderSum = staging.getShort(fieldIndex, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        staging.putShort(fieldIndex,
            (short)addLength(pseudoHeaderSum, packetLengthBytes - context.tucss()), ByteOrder.BIG_ENDIAN);
        if (0 != (popts & E1000TxDescriptor.POPTS_IXSM))
        {
            TxChecksumOffload.insertIp(staging, packetStart, packetLengthBytes, context);
        }
        info.gsoType = ipv6 ? FrameMetadata.GSO_TCPV6 : FrameMetadata.GSO_TCPV4;
        info.gsoSizeBytes = context.mss();
        info.headerLengthBytes = context.headerLengthBytes();
        info.needsChecksum = true;
        info.checksumStartBytes = context.tucss();
        info.checksumOffsetBytes = context.tucso() - context.tucss();
        return true;
    }
}
