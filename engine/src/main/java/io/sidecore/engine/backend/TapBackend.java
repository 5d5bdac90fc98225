package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.net.InternetChecksum;
import io.sidecore.engine.net.PacketHeaders;
import io.sidecore.engine.net.SegmentHeaders;
import io.sidecore.shm.os.Errno;
import io.sidecore.shm.os.OsException;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * A port connected to a host TAP interface: the guest's frames go into the host kernel as if received on the TAP,
 * and frames the kernel sends out of the TAP go to the guest.
 * <p>
 * The TAP is opened with {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}, non-blocking, and told with
 * {@code TUNSETOFFLOAD} that this reader handles partial checksums and TCP segmentation. Hence:
 * <ul>
 *   <li><b>Guest to host.</b> TSO and checksum-offload frames ({@link #onFrame} with offload work in the
 *       metadata) are written whole with a
 *       {@code virtio_net_hdr}; the kernel segments them only if it forwards them, and not at all when the host
 *       stack consumes them. The headers are first made what the kernel's GSO expects (the 8254x leaves IP length
 *       and checksums to the hardware, SDM 3.5.4, a Linux e1000 guest writes 0 there): IPv4 total length and
 *       header checksum, IPv6 payload length, and the TCP checksum field seeded with the pseudo-header sum over the
 *       whole L4 length. UDP TSO (per-segment UDP headers, unlike virtio's UFO) is segmented here in software.</li>
 *   <li><b>Host to guest.</b> {@link #poll} reads up to a budget of frames. A GSO super-frame (host TCP with TSO)
 *       is segmented to at most {@code maxRxFrameBytes} per frame, since an 8254x has no LRO and a guest ring
 *       takes MTU-sized frames; a frame marked {@code NEEDS_CSUM} gets its checksum completed.</li>
 * </ul>
 * Frames the backend cannot handle are counted once: {@link PortCounter#RX_DROP_BACKEND} towards the guest;
 * from it {@link PortCounter#TX_DROP_BACKEND} (the TAP write failed), {@link PortCounter#TX_DROP_MALFORMED}
 * (inconsistent offload frame), {@link PortCounter#TX_DROP_RUNT} or {@link PortCounter#TX_DROP_OVERSIZE}.
 * Runs on the agent thread; nothing is allocated per frame.
 */
public final class TapBackend implements PortBackend
{
    /** Largest frame an 8254x guest takes without RCTL.LPE: 1522 bytes with VLAN tag and FCS, less the FCS. */
    public static final int DEFAULT_MAX_RX_FRAME_BYTES = 1518;
    /** Interface flags this backend opens TAPs with. */
    public static final int TAP_FLAGS = TapDevice.IFF_TAP | TapDevice.IFF_NO_PI | TapDevice.IFF_VNET_HDR;
    /** Offloads asked for first; falls back to CSUM only, then none, when the kernel refuses. */
    public static final int WANTED_OFFLOADS = TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6;

    /** Largest frame read from or written to the TAP: a 64 KiB GSO frame plus L2 headers, with margin. */
    private static final int MAX_FRAME_BYTES = 0x10000 + 1024;

    private final TapDevice tap;
    private final PortCounters counters;
    private final int maxRxFrameBytes;
    private final int vnetHeaderBytes;
    private final int offloadFlags;
    private final Arena arena;
    private final MemorySegment rxSegment;
    private final UnsafeBuffer rxBuffer;
    private final int rxCapacity;
    private final MemorySegment txSegment;
    private final UnsafeBuffer txBuffer;
    private final UnsafeBuffer segmentBuffer;
    private final GsoSegmenter rxSegmenter = new GsoSegmenter();
    private final GsoSegmenter txSegmenter = new GsoSegmenter();
    private final FrameMetadata rxMetadata = new FrameMetadata();

    private long txFramesWritten;
    private long txOffloadFramesWritten;
    private long txSoftwareSegments;
    private long txWriteErrors;
    private int lastTxErrno;
    private long rxFramesRead;
    private long rxGsoFrames;
    private long rxSegments;
    private long rxChecksumsCompleted;
    private long rxReadErrors;
    private int lastRxErrno;
    private boolean closed;

    /**
     * Open (create or attach) the TAP {@code name} in the calling thread's network namespace, configured for
     * offloads.
     *
     * @param name     interface name.
     * @param counters the port's counters.
     * @return the backend.
     * @throws OsException when the TAP cannot be opened or configured.
     */
    public static TapBackend open(final String name, final PortCounters counters)
    {
        return open(name, counters, DEFAULT_MAX_RX_FRAME_BYTES);
    }

    /**
     * Open (create or attach) the TAP {@code name}, configured for offloads.
     *
     * @param name            interface name.
     * @param counters        the port's counters.
     * @param maxRxFrameBytes largest frame handed to the guest (GSO frames are segmented to fit).
     * @return the backend.
     */
    public static TapBackend open(final String name, final PortCounters counters, final int maxRxFrameBytes)
    {
        final TapDevice tap = TapDevice.open(name, TAP_FLAGS, true);
        try
        {
            tap.setVnetHeaderSize(VirtioNetHeader.LENGTH);
            final int offloads = negotiateOffloads(tap);
            return new TapBackend(tap, counters, maxRxFrameBytes, offloads);
        }
        catch (final RuntimeException ex)
        {
            tap.close();
            throw ex;
        }
    }

    private static int negotiateOffloads(final TapDevice tap)
    {
        final int[] candidates = {WANTED_OFFLOADS, TapDevice.TUN_F_CSUM, 0};
        for (final int candidate : candidates)
        {
            try
            {
                tap.setOffload(candidate);
                return candidate;
            }
            catch (final OsException ex)
            {
                if (ex.errno() != Errno.EINVAL || candidate == 0)
                {
                    throw ex;
                }
            }
        }
        return 0;
    }

    /**
     * Wrap an already configured device (a TAP queue from elsewhere, or a SOCK_SEQPACKET socket in tests).
     *
     * @param tap             the device; the backend owns and closes it.
     * @param counters        the port's counters.
     * @param maxRxFrameBytes largest frame handed to the guest.
     * @param offloadFlags    the {@code TUN_F_*} flags in force (what the kernel may send).
     */
    public TapBackend(final TapDevice tap, final PortCounters counters, final int maxRxFrameBytes,
        final int offloadFlags)
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("TapBackend writes little-endian virtio_net_hdr; this host is big-endian");
        }
        if (maxRxFrameBytes < 64 || maxRxFrameBytes > MAX_FRAME_BYTES)
        {
            throw new IllegalArgumentException("maxRxFrameBytes out of range: " + maxRxFrameBytes);
        }
        this.tap = tap;
        this.counters = counters;
        this.maxRxFrameBytes = maxRxFrameBytes;
        this.vnetHeaderBytes = (tap.flags() & TapDevice.IFF_VNET_HDR) != 0 ? VirtioNetHeader.LENGTH : 0;
        this.offloadFlags = offloadFlags;
        this.arena = Arena.ofShared();
        this.rxCapacity = vnetHeaderBytes + MAX_FRAME_BYTES;
        this.rxSegment = arena.allocate(rxCapacity, 64);
        this.rxBuffer = new UnsafeBuffer(rxSegment.address(), rxCapacity);
        this.txSegment = arena.allocate(vnetHeaderBytes + MAX_FRAME_BYTES, 64);
        this.txBuffer = new UnsafeBuffer(txSegment.address(), (int)txSegment.byteSize());
        final MemorySegment segments = arena.allocate(maxRxFrameBytes, 64);
        this.segmentBuffer = new UnsafeBuffer(segments.address(), maxRxFrameBytes);
    }

    /**
     * @return the interface name.
     */
    public String interfaceName()
    {
        return tap.name();
    }

    /**
     * @return the TAP device.
     */
    public TapDevice device()
    {
        return tap;
    }

    /**
     * @return the {@code TUN_F_*} offloads in force.
     */
    public int offloadFlags()
    {
        return offloadFlags;
    }

    /**
     * Whole TSO/checksum-offload frames are taken when the TAP carries a virtio_net_hdr.
     *
     * @return true with IFF_VNET_HDR.
     */
    public boolean acceptsOffload()
    {
        return vnetHeaderBytes != 0;
    }

    /**
     * A frame from the guest: a complete one is written with an empty virtio_net_hdr, one with TSO and/or checksum
     * work left is written whole with that work described in its virtio_net_hdr (or segmented here, for UDP).
     */
    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        final int badLength = dropIfBadLength(lengthBytes);
        if (DELIVERED != badLength)
        {
            return badLength;
        }
        if (metadata.isComplete())
        {
            return writePlain(frame, offset, lengthBytes);
        }
        final int gsoType = metadata.gsoType;
        if (vnetHeaderBytes == 0)
        {
            // Offload frames are only sent to sinks that accept them; without a virtio_net_hdr we never do.
            return drop(PortCounter.TX_DROP_MALFORMED);
        }
        else if (gsoType == FrameMetadata.GSO_NONE)
        {
            return writeChecksumOffload(frame, offset, lengthBytes, metadata);
        }
        else if (gsoType == FrameMetadata.GSO_TCPV4 || gsoType == FrameMetadata.GSO_TCPV6)
        {
            return writeTcpGso(frame, offset, lengthBytes, metadata, gsoType == FrameMetadata.GSO_TCPV6);
        }
        else if (gsoType == FrameMetadata.GSO_UDP)
        {
            return writeSoftwareSegments(frame, offset, lengthBytes, metadata);
        }
        return drop(PortCounter.TX_DROP_MALFORMED);
    }

    private int writePlain(final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        if (vnetHeaderBytes != 0)
        {
            VirtioNetHeader.writeNone(txBuffer, 0);
        }
        txBuffer.putBytes(vnetHeaderBytes, frame, offset, lengthBytes);
        final int outcome = writeTx(vnetHeaderBytes + lengthBytes);
        if (DELIVERED == outcome)
        {
            txFramesWritten++;
        }
        return outcome;
    }

    private int drop(final PortCounter reason)
    {
        counters.increment(reason);
        return FrameSink.dropped(reason);
    }

    /**
     * A guest frame shorter than an Ethernet header or longer than the TAP buffer is counted once, under
     * TX_DROP_RUNT or TX_DROP_OVERSIZE.
     *
     * @return {@link #DELIVERED} when the length is fine, else the drop reason counted.
     */
    private int dropIfBadLength(final int lengthBytes)
    {
        if (lengthBytes < PacketHeaders.ETHERNET_HEADER_BYTES || lengthBytes > MAX_FRAME_BYTES)
        {
            return drop(lengthBytes < PacketHeaders.ETHERNET_HEADER_BYTES ?
                PortCounter.TX_DROP_RUNT : PortCounter.TX_DROP_OVERSIZE);
        }
        return DELIVERED;
    }

    private int writeChecksumOffload(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata offload)
    {
        final int start = offload.checksumStartBytes;
        final int field = offload.checksumOffsetBytes;
        if (start < PacketHeaders.ETHERNET_HEADER_BYTES || field < 0 || (long)start + field + 2 > lengthBytes)
        {
            return drop(PortCounter.TX_DROP_MALFORMED);
        }
        VirtioNetHeader.write(txBuffer, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE,
            Math.max(0, Math.min(offload.headerLengthBytes, lengthBytes)), 0, start, field);
        txBuffer.putBytes(vnetHeaderBytes, frame, offset, lengthBytes);
        return writeOffloadFrame(vnetHeaderBytes + lengthBytes);
    }

    private int writeOffloadFrame(final int lengthBytes)
    {
        final int outcome = writeTx(lengthBytes);
        if (DELIVERED == outcome)
        {
            txFramesWritten++;
            txOffloadFramesWritten++;
        }
        return outcome;
    }

    private int writeTcpGso(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata offload,
        final boolean ipv6)
    {
        final int mss = offload.gsoSizeBytes;
        final int frameStart = vnetHeaderBytes;
        txBuffer.putBytes(frameStart, frame, offset, lengthBytes);
        final GsoSegmenter parser = txSegmenter;
        if (mss <= 0 || mss > 0xFFFF ||
            !parser.parse(txBuffer, frameStart, lengthBytes, PacketHeaders.PROTOCOL_TCP, ipv6,
                offload.checksumStartBytes))
        {
            return drop(PortCounter.TX_DROP_MALFORMED);
        }
        final int l3 = parser.l3Offset();
        final int l4 = parser.l4Offset();
        if (SegmentHeaders.ipLengthField(ipv6, lengthBytes - l3) > 0xFFFF)
        {
            // Too long for one IP header's length field: segment here instead of handing the kernel a lie.
            return writeSoftwareSegments(frame, offset, lengthBytes, offload);
        }
        SegmentHeaders.writeIpLength(txBuffer, frameStart + l3, ipv6, lengthBytes - l3);
        if (!ipv6)
        {
            SegmentHeaders.writeIpv4HeaderChecksum(txBuffer, frameStart + l3);
        }
        // CHECKSUM_PARTIAL convention (and what tcp_gso_segment adjusts per segment): the field holds the folded,
        // non-inverted pseudo-header sum over the whole L4 length.
        final int l4Bytes = lengthBytes - l4;
        final long pseudo = InternetChecksum.pseudoHeader(txBuffer, frameStart + l3, ipv6,
            PacketHeaders.PROTOCOL_TCP, l4Bytes);
        txBuffer.putShort(frameStart + l4 + PacketHeaders.TCP_CHECKSUM_OFFSET, (short)InternetChecksum.fold(pseudo),
            ByteOrder.BIG_ENDIAN);
        final boolean gso = parser.payloadLengthBytes() > mss;
        VirtioNetHeader.write(txBuffer, 0, VirtioNetHeader.F_NEEDS_CSUM,
            gso ? (ipv6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4) : VirtioNetHeader.GSO_NONE,
            parser.headerLengthBytes(), gso ? mss : 0, l4, PacketHeaders.TCP_CHECKSUM_OFFSET);
        return writeOffloadFrame(vnetHeaderBytes + lengthBytes);
    }

    /**
     * Segment here and write each segment; a segment the TAP refuses is counted (once each) as a backend drop.
     *
     * @return {@link #DELIVERED} when every segment was written, else the drop reason of the last refused one.
     */
    private int writeSoftwareSegments(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata offload)
    {
        final boolean ipv6 = isIpv6(frame, offset, lengthBytes);
        final int protocol = offload.gsoType == FrameMetadata.GSO_UDP ?
            PacketHeaders.PROTOCOL_UDP : PacketHeaders.PROTOCOL_TCP;
        final GsoSegmenter segmenter = txSegmenter;
        final int count = segmenter.prepare(frame, offset, lengthBytes, protocol, ipv6, offload.checksumStartBytes,
            offload.gsoSizeBytes);
        if (count < 0 || (long)segmenter.headerLengthBytes() + offload.gsoSizeBytes > MAX_FRAME_BYTES)
        {
            return drop(PortCounter.TX_DROP_MALFORMED);
        }
        int outcome = DELIVERED;
        for (int i = 0; i < count; i++)
        {
            if (vnetHeaderBytes != 0)
            {
                VirtioNetHeader.writeNone(txBuffer, 0);
            }
            final int segmentBytes = segmenter.buildSegment(i, txBuffer, vnetHeaderBytes);
            final int written = writeTx(vnetHeaderBytes + segmentBytes);
            if (DELIVERED == written)
            {
                txSoftwareSegments++;
            }
            else
            {
                outcome = written;
            }
        }
        if (DELIVERED == outcome)
        {
            txFramesWritten++;
        }
        return outcome;
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
     * Write the TX staging buffer; a failure is counted once as a backend drop.
     *
     * @return {@link #DELIVERED} when the kernel took the frame, else {@link PortCounter#TX_DROP_BACKEND}'s id.
     */
    private int writeTx(final int lengthBytes)
    {
        final int result = tap.write(txSegment, lengthBytes);
        if (result == lengthBytes)
        {
            return DELIVERED;
        }
        txWriteErrors++;
        lastTxErrno = result < 0 ? -result : Errno.EMSGSIZE;
        return drop(PortCounter.TX_DROP_BACKEND);
    }

    /**
     * Read up to {@code frameBudget} frames from the TAP (non-blocking) and deliver them, segmented and
     * checksummed as the guest needs, to {@code toGuest}. Each segment delivered or dropped is one unit of work;
     * a super-frame is always delivered whole, so the count can pass the budget by one frame's segments.
     */
    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget)
    {
        int work = 0;
        while (work < frameBudget)
        {
            final int readBytes = tap.read(rxSegment, rxCapacity);
            if (readBytes <= 0)
            {
                if (readBytes < 0 && readBytes != -Errno.EAGAIN && readBytes != -Errno.EINTR)
                {
                    rxReadErrors++;
                    lastRxErrno = -readBytes;
                }
                break;
            }
            rxFramesRead++;
            work += onHostFrame(nowNs, toGuest, readBytes);
        }
        return work;
    }

    private int onHostFrame(final long nowNs, final FrameSink toGuest, final int readBytes)
    {
        final int frameOffset = vnetHeaderBytes;
        final int frameBytes = readBytes - vnetHeaderBytes;
        if (frameBytes < PacketHeaders.ETHERNET_HEADER_BYTES || readBytes >= rxCapacity)
        {
            // Runt, or filled the buffer and so possibly truncated by the kernel.
            counters.increment(PortCounter.RX_DROP_BACKEND);
            return 1;
        }
        int flags = 0;
        int gsoType = VirtioNetHeader.GSO_NONE;
        if (vnetHeaderBytes != 0)
        {
            flags = VirtioNetHeader.flags(rxBuffer, 0);
            gsoType = VirtioNetHeader.gsoType(rxBuffer, 0) & ~VirtioNetHeader.GSO_ECN;
        }
        if (gsoType == VirtioNetHeader.GSO_NONE)
        {
            if ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0 && !completeChecksum(frameOffset, frameBytes))
            {
                counters.increment(PortCounter.RX_DROP_BACKEND);
                return 1;
            }
            toGuest.onFrame(rxBuffer, frameOffset, frameBytes, rxMetadata.reset(), nowNs);
            return 1;
        }
        if (gsoType != VirtioNetHeader.GSO_TCPV4 && gsoType != VirtioNetHeader.GSO_TCPV6)
        {
            counters.increment(PortCounter.RX_DROP_BACKEND);
            return 1;
        }
        return deliverSegments(nowNs, toGuest, frameOffset, frameBytes, gsoType == VirtioNetHeader.GSO_TCPV6,
            flags);
    }

    private int deliverSegments(final long nowNs, final FrameSink toGuest, final int frameOffset,
        final int frameBytes, final boolean ipv6, final int flags)
    {
        final int gsoSize = VirtioNetHeader.gsoSize(rxBuffer, 0);
        final int l4Hint = (flags & VirtioNetHeader.F_NEEDS_CSUM) != 0 ? VirtioNetHeader.checksumStart(rxBuffer, 0) : 0;
        final GsoSegmenter segmenter = rxSegmenter;
        int count = segmenter.prepare(rxBuffer, frameOffset, frameBytes, PacketHeaders.PROTOCOL_TCP, ipv6, l4Hint,
            gsoSize);
        if (count > 0 && segmenter.headerLengthBytes() + gsoSize > maxRxFrameBytes)
        {
            // The host's MSS would make frames the guest cannot take: cut smaller segments.
            final int mss = maxRxFrameBytes - segmenter.headerLengthBytes();
            count = mss > 0 ? segmenter.prepare(rxBuffer, frameOffset, frameBytes, PacketHeaders.PROTOCOL_TCP,
                ipv6, l4Hint, mss) : GsoSegmenter.MALFORMED;
        }
        if (count < 0)
        {
            counters.increment(PortCounter.RX_DROP_BACKEND);
            return 1;
        }
        rxGsoFrames++;
        for (int i = 0; i < count; i++)
        {
            final int segmentBytes = segmenter.buildSegment(i, segmentBuffer, 0);
            rxSegments++;
            toGuest.onFrame(segmentBuffer, 0, segmentBytes, rxMetadata.reset(), nowNs);
        }
        return count;
    }

    /**
     * Complete a partial checksum as {@code skb_checksum_help} does: the sum from csum_start to the end, inverted,
     * at csum_start + csum_offset (0 becomes 0xFFFF).
     */
    private boolean completeChecksum(final int frameOffset, final int frameBytes)
    {
        final int start = VirtioNetHeader.checksumStart(rxBuffer, 0);
        final int field = VirtioNetHeader.checksumOffset(rxBuffer, 0);
        if (start < PacketHeaders.ETHERNET_HEADER_BYTES || start + field + 2 > frameBytes)
        {
            return false;
        }
        int checksum = InternetChecksum.finish(InternetChecksum.sum(rxBuffer, frameOffset + start,
            frameBytes - start, 0));
        if (checksum == 0)
        {
            checksum = 0xFFFF;
        }
        rxBuffer.putShort(frameOffset + start + field, (short)checksum, ByteOrder.BIG_ENDIAN);
        rxChecksumsCompleted++;
        return true;
    }

    /**
     * Close the TAP (a non-persistent interface disappears) and free the buffers. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                tap.close();
            }
            finally
            {
                arena.close();
            }
        }
    }

    /**
     * @return "tap".
     */
    public String typeName()
    {
        return "tap";
    }

    /**
     * @return frames written to the TAP (a software-segmented frame counts once).
     */
    public long txFramesWritten()
    {
        return txFramesWritten;
    }

    /**
     * @return frames written whole with offload work in their virtio_net_hdr.
     */
    public long txOffloadFramesWritten()
    {
        return txOffloadFramesWritten;
    }

    /**
     * @return segments written after software segmentation (UDP TSO, oversized TSO).
     */
    public long txSoftwareSegments()
    {
        return txSoftwareSegments;
    }

    /**
     * @return failed TAP writes (each counted as {@link PortCounter#TX_DROP_BACKEND}).
     */
    public long txWriteErrors()
    {
        return txWriteErrors;
    }

    /**
     * @return errno of the last failed write, 0 if none.
     */
    public int lastTxErrno()
    {
        return lastTxErrno;
    }

    /**
     * @return frames read from the TAP.
     */
    public long rxFramesRead()
    {
        return rxFramesRead;
    }

    /**
     * @return GSO super-frames segmented for the guest.
     */
    public long rxGsoFrames()
    {
        return rxGsoFrames;
    }

    /**
     * @return segments produced from GSO super-frames.
     */
    public long rxSegments()
    {
        return rxSegments;
    }

    /**
     * @return partial checksums completed for the guest.
     */
    public long rxChecksumsCompleted()
    {
        return rxChecksumsCompleted;
    }

    /**
     * @return failed TAP reads other than EAGAIN/EINTR.
     */
    public long rxReadErrors()
    {
        return rxReadErrors;
    }

    /**
     * @return errno of the last failed read, 0 if none.
     */
    public int lastRxErrno()
    {
        return lastRxErrno;
    }
}
