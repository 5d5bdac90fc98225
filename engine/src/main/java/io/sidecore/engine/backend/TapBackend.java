package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.YieldSignal;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.net.PacketHeaders;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.os.Errno;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * A port connected to a host TAP interface: the guest's frames go into the host kernel as if received on the TAP,
 * and frames the kernel sends out of the TAP go to the guest. This class is the I/O loop; {@link TapOpener} opens
 * and configures the device, and {@link VirtioNetTranslator} turns each frame's {@link FrameMetadata} into the
 * {@code virtio_net_hdr} in front of it and back, doing the segmentation and checksums the other side cannot.
 * <ul>
 *   <li><b>Guest to host</b> ({@link #onFrame}). One write per frame: whole, with its offload work in the header
 *       (TSO, partial checksum), or cut into segments here when the kernel cannot take it whole (UDP TSO).</li>
 *   <li><b>Host to guest</b> ({@link #poll}). Up to a budget of non-blocking reads, each frame (or each segment of
 *       a TCP super-frame) handed to the port's receive side with complete checksums.</li>
 * </ul>
 * Everything the backend loses is counted once: towards the guest {@link PortCounter#RX_DROP_BACKEND} (a runt, a
 * frame that filled the read buffer and so may be truncated, an unsupported or inconsistent GSO frame) and
 * {@link PortCounter#RX_DROP_GSO_SIZE} (a GSO frame whose {@code gso_size} is below {@link #MIN_GSO_SIZE_BYTES});
 * from the
 * guest {@link PortCounter#TX_DROP_BACKEND} (the TAP write failed), {@link PortCounter#TX_DROP_MALFORMED}
 * (inconsistent offload frame), {@link PortCounter#TX_DROP_RUNT} or {@link PortCounter#TX_DROP_OVERSIZE}. A failed
 * read other than EAGAIN/EINTR is counted in {@link PortCounter#BACKEND_READ_ERRORS} (no frame is known lost: the
 * read is retried on the next pass), beside the write failures, as Firecracker publishes {@code tap_read_fails}
 * beside {@code tap_write_fails}. Runs on the agent thread; nothing is allocated per frame.
 */
public final class TapBackend implements PortBackend
{
    /** Largest frame an 8254x guest takes without RCTL.LPE: 1522 bytes with VLAN tag and FCS, less the FCS. */
    public static final int DEFAULT_MAX_RX_FRAME_BYTES = 1518;

    /** Time between two looks at the TAP's carrier (one system call each), so a link change shows within it. */
    public static final long CARRIER_CHECK_INTERVAL_NS = 100_000_000L;

    /** Frames (or GSO segments) a poll hands over before it may stop early for a waiting trapped access. */
    public static final int YIELD_AFTER_FRAMES = 16;

    /**
     * Smallest {@code gso_size} of a host GSO frame taken: Linux's own floor on the MSS it sends with
     * ({@code net.ipv4.tcp_min_snd_mss}, 48), so no host stack produces less; a smaller one (one byte per frame turns
     * 64 KiB into 65 K frames) is refused and counted in {@link PortCounter#RX_DROP_GSO_SIZE}.
     */
    public static final int MIN_GSO_SIZE_BYTES = 48;

    /** Largest frame read from or written to the TAP: a 64 KiB GSO frame plus L2 headers, with margin. */
    private static final int MAX_FRAME_BYTES = 0x10000 + 1024;

    private final TapDevice tap;
    private final PortCounters counters;
    private final int vnetHeaderBytes;
    private final int offloadFlags;
    private final Arena arena;
    private final MemorySegment rxSegment;
    private final UnsafeBuffer rxBuffer;
    private final int rxCapacity;
    private final MemorySegment txSegment;
    private final UnsafeBuffer txBuffer;
    private final UnsafeBuffer segmentBuffer;
    private final VirtioNetTranslator translator;
    private final FrameMetadata rxMetadata = new FrameMetadata();

    private int segmentCount;
    private int nextSegment;
    private YieldSignal yieldSignal = YieldSignal.NEVER;
    private int work;
    private long bytes;
    private long txFramesWritten;
    private long txOffloadFramesWritten;
    private long txSoftwareSegments;
    private long txWriteErrors;
    private int lastTxErrno;
    private long rxFramesRead;
    private long rxGsoFrames;
    private long rxSegments;
    private long rxChecksumsCompleted;
    private int lastRxErrno;
    private boolean closed;
    private boolean carrier;
    private boolean carrierChecked;
    private long nextCarrierCheckNs;

    /**
     * Wrap an already configured device (a TAP {@link TapOpener} opened, a TAP queue from elsewhere, or a
     * SOCK_SEQPACKET socket in tests).
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
        this.vnetHeaderBytes = (tap.flags() & TapDevice.IFF_VNET_HDR) != 0 ? VirtioNetHeader.LENGTH : 0;
        this.offloadFlags = offloadFlags;
        this.translator = new VirtioNetTranslator(vnetHeaderBytes, maxRxFrameBytes, MAX_FRAME_BYTES);
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
     * The TAP's carrier ({@link TapDevice#hasCarrier()}), looked at no more often than every
     * {@link #CARRIER_CHECK_INTERVAL_NS} of {@code nowNs}. A check that could only assume the carrier
     * ({@link TapDevice#isCarrierVisible()} false) is counted as {@link PortCounter#TAP_CARRIER_UNKNOWN}, so an
     * operator sees in {@code stat} that the port's link follows no host carrier.
     *
     * @param nowNs the agent's time for this duty cycle.
     * @return true while the host side of the TAP is up with carrier.
     */
    public boolean hasCarrier(final long nowNs)
    {
        if (!carrierChecked || nowNs - nextCarrierCheckNs >= 0)
        {
            carrierChecked = true;
            nextCarrierCheckNs = nowNs + CARRIER_CHECK_INTERVAL_NS;
            carrier = !closed && tap.hasCarrier();
            if (!closed && !tap.isCarrierVisible())
            {
                counters.increment(PortCounter.TAP_CARRIER_UNKNOWN);
            }
        }
        return carrier;
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
     * A frame from the guest, written to the TAP whole (with its offload work in the header) or, when the kernel
     * cannot take it whole, as segments cut here.
     */
    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        if (lengthBytes < PacketHeaders.ETHERNET_HEADER_BYTES)
        {
            return drop(PortCounter.TX_DROP_RUNT);
        }
        if (lengthBytes > MAX_FRAME_BYTES)
        {
            return drop(PortCounter.TX_DROP_OVERSIZE);
        }
        final int encodedBytes = translator.encode(frame, offset, lengthBytes, metadata, txBuffer);
        if (VirtioNetTranslator.MALFORMED == encodedBytes)
        {
            return drop(PortCounter.TX_DROP_MALFORMED);
        }
        if (VirtioNetTranslator.SOFTWARE_SEGMENTS == encodedBytes)
        {
            return writeSoftwareSegments(frame, offset, lengthBytes, metadata);
        }
        final int outcome = writeTx(encodedBytes);
        if (DELIVERED == outcome)
        {
            txFramesWritten++;
            if (!metadata.isComplete())
            {
                txOffloadFramesWritten++;
            }
        }
        return outcome;
    }

    /**
     * Cut here and write each segment; a segment the TAP refuses is counted (once each) as a backend drop.
     *
     * @return {@link #DELIVERED} when every segment was written, else the drop reason of the last refused one.
     */
    private int writeSoftwareSegments(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata)
    {
        final int count = translator.prepareSoftwareSegments(frame, offset, lengthBytes, metadata);
        if (VirtioNetTranslator.MALFORMED == count)
        {
            return drop(PortCounter.TX_DROP_MALFORMED);
        }
        int outcome = DELIVERED;
        for (int i = 0; i < count; i++)
        {
            final int written = writeTx(translator.encodeSoftwareSegment(i, txBuffer));
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

    private int drop(final PortCounter reason)
    {
        counters.increment(reason);
        return FrameSink.dropped(reason);
    }

    /**
     * Read frames from the TAP (non-blocking) and deliver them, segmented and checksummed as the guest needs, to
     * {@code toGuest}, until the frame or byte budget is spent, counted in frames handed to the guest after
     * segmentation (each segment delivered or dropped is one unit of work). A super-frame with more segments than the
     * budget leaves goes on in the next poll from where it stopped (it stays in the read buffer), before anything more
     * is read. A failed read ends the poll and is counted in {@link PortCounter#BACKEND_READ_ERRORS}.
     */
    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        work = 0;
        bytes = 0;
        if (nextSegment < segmentCount)
        {
            deliverSegments(nowNs, toGuest, frameBudget, byteBudget);
        }
        while (nextSegment == segmentCount && mayGoOn(frameBudget, byteBudget))
        {
            final int readBytes = tap.read(rxSegment, rxCapacity);
            if (readBytes <= 0)
            {
                if (readBytes < 0 && readBytes != -Errno.EAGAIN && readBytes != -Errno.EINTR)
                {
                    counters.increment(PortCounter.BACKEND_READ_ERRORS);
                    lastRxErrno = -readBytes;
                }
                break;
            }
            rxFramesRead++;
            onHostFrame(nowNs, toGuest, readBytes, frameBudget, byteBudget);
        }
        return work;
    }

    private void onHostFrame(
        final long nowNs, final FrameSink toGuest, final int readBytes, final int frameBudget, final long byteBudget)
    {
        final FrameMetadata metadata = rxMetadata;
        final int frameBytes = translator.decode(rxBuffer, readBytes, metadata);
        if (VirtioNetTranslator.MALFORMED == frameBytes || readBytes >= rxCapacity)
        {
            // A runt, an unsupported GSO type, or a read that filled the buffer and so may have been truncated.
            dropHostFrame(PortCounter.RX_DROP_BACKEND);
            return;
        }
        final int frameOffset = vnetHeaderBytes;
        if (FrameMetadata.GSO_NONE == metadata.gsoType)
        {
            if (metadata.needsChecksum)
            {
                if (!translator.completeChecksum(rxBuffer, frameOffset, frameBytes, metadata))
                {
                    dropHostFrame(PortCounter.RX_DROP_BACKEND);
                    return;
                }
                rxChecksumsCompleted++;
            }
            work++;
            bytes += frameBytes;
            toGuest.onFrame(rxBuffer, frameOffset, frameBytes, metadata, nowNs);
            return;
        }
        if (metadata.gsoSizeBytes < MIN_GSO_SIZE_BYTES)
        {
            dropHostFrame(PortCounter.RX_DROP_GSO_SIZE);
            return;
        }
        final int count = translator.prepareSegments(rxBuffer, frameOffset, frameBytes, metadata);
        if (VirtioNetTranslator.MALFORMED == count)
        {
            dropHostFrame(PortCounter.RX_DROP_BACKEND);
            return;
        }
        rxGsoFrames++;
        metadata.reset();
        segmentCount = count;
        nextSegment = 0;
        deliverSegments(nowNs, toGuest, frameBudget, byteBudget);
    }

    private void dropHostFrame(final PortCounter reason)
    {
        counters.increment(reason);
        work++;
    }

    /**
     * Within the poll's frame and byte budgets, and not past {@link #YIELD_AFTER_FRAMES} frames while another thread
     * waits for the sidecore (a TAP's GSO super-frames made one honest guest's trapped read wait for 32 segments and a
     * 60 KB read of another port's input: issue 10, isolation run); a super-frame cut here resumes at its next
     * segment in the next poll.
     */
    private boolean mayGoOn(final int frameBudget, final long byteBudget)
    {
        return work < frameBudget && bytes < byteBudget &&
            (work < YIELD_AFTER_FRAMES || !yieldSignal.isYieldRequested());
    }

    /**
     * {@inheritDoc}
     */
    public void yieldInputWhen(final YieldSignal signal)
    {
        yieldSignal = signal;
    }

    /**
     * Hand the guest the next segments of the super-frame in the read buffer while the budget has room.
     */
    private void deliverSegments(
        final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        while (nextSegment < segmentCount && mayGoOn(frameBudget, byteBudget))
        {
            final int segmentBytes = translator.buildSegment(nextSegment++, segmentBuffer);
            rxSegments++;
            work++;
            bytes += segmentBytes;
            toGuest.onFrame(segmentBuffer, 0, segmentBytes, rxMetadata, nowNs);
        }
        if (nextSegment == segmentCount)
        {
            nextSegment = 0;
            segmentCount = 0;
        }
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
     * @return true: every poll reads the TAP, work or not.
     */
    public boolean pollsTheKernel()
    {
        return true;
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
     * @return errno of the last failed read, 0 if none.
     */
    public int lastRxErrno()
    {
        return lastRxErrno;
    }
}
