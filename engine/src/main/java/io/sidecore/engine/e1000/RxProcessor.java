package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.net.PacketHeaders;
import io.sidecore.engine.mem.DataPathBuffer;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteOrder;

/**
 * The receive path of one port: filters a frame and writes it into the guest's RX ring (SDM 3.2).
 * <p>
 * For each frame, in order, exactly one outcome:
 * <ol>
 *   <li>receiver not ready (RCTL.EN clear, link down outside MAC loopback, PCI bus mastering off, port faulted):
 *   dropped as {@link PortCounter#RX_DROP_DISABLED}. Real hardware drops too; the caller is never blocked (QEMU
 *   instead leaves frames queued in the backend);</li>
 *   <li>offset or length outside the caller's buffer (an engine bug, never guest input):
 *   {@link PortCounter#RX_DROP_BACKEND};</li>
 *   <li>shorter than an Ethernet header: RUC++, RLEC++ and {@link PortCounter#RX_DROP_RUNT}; otherwise frames
 *   shorter than 60 bytes are padded with zeros to 60 before filtering, as QEMU does;</li>
 *   <li>longer than 1518 bytes without RCTL.LPE, or 16380 with it (lengths without FCS, so a tagged maximum frame of
 *   1522 bytes on the wire passes), and RCTL.SBP clear: ROC++, RLEC++ and {@link PortCounter#RX_DROP_OVERSIZE},
 *   nothing is read from the ring (CVE-2012-6075). Frames above 65535 bytes are always oversize;</li>
 *   <li>VLAN and address filters ({@link RxFilter}): {@link PortCounter#RX_DROP_VLAN_FILTERED} or
 *   {@link PortCounter#RX_DROP_FILTERED};</li>
 *   <li>ring checks: a ring base outside guest memory, RDH or RDT beyond the ring, or a non-zero RDH/RDT on a ring of
 *   length 0 fault the port with the matching {@link PortFault} (CVE-2016-1981; nothing is read) and the frame counts
 *   as
 *   {@link PortCounter#RX_DROP_DISABLED}, like every later frame of the quarantined port;</li>
 *   <li>not enough descriptors between RDH and RDT for the whole frame, decided before anything is written: RNBC++,
 *   MPC++, cause RXO, {@link PortCounter#RX_DROP_RING_FULL};</li>
 *   <li>the pass's RX descriptor budget spent before the frame's descriptors were found (see below), decided before
 *   anything is written: {@link PortCounter#RX_DROP_BUDGET};</li>
 *   <li>a buffer of the frame outside guest memory: {@link PortCounter#RX_DROP_DMA_FAULT}. No byte of the frame is
 *   written anywhere; every descriptor the frame would have used is completed with length 0 and DD, the last also
 *   with EOP and error RXE, so the guest's driver discards the frame, recycles the buffers and moves on (Linux drops
 *   a frame with RXE on its EOP descriptor); RXT0 is raised so it looks;</li>
 *   <li>otherwise the frame is delivered.</li>
 * </ol>
 * Placement (SDM 3.2.3, 3.2.6): buffers are RCTL BSIZE/BSEX bytes; the reported length counts 4 FCS bytes unless
 * RCTL.SECRC, which are never written; a frame spans descriptors with EOP and the checksum status only on the last;
 * descriptors whose buffer address is 0 are consumed without data (length 0, DD), as the SDM and QEMU do. With
 * CTRL.VME a tagged frame (EtherType = VET) has its tag removed, its TCI in the special field and VP in the status of
 * every descriptor (SDM 3.2.3.1). The packet checksum field is written as 0: the SDM defines it over the frame
 * including the CRC, which the model does not have, and no 8254x driver reads it.
 * <p>
 * Write-back order: the buffer bytes, then descriptor bytes 8-11 (length, packet checksum), then bytes 12-15
 * (status with DD, errors, special) in one release store. DD shares its naturally aligned dword with errors and
 * special, so a guest polling DD never sees a half-written descriptor. RDH is published with a release store after
 * the last descriptor of the frame, or, inside a batch ({@link #batching}), after the last descriptor of the batch.
 * <p>
 * Interrupts: RXT0 for every frame whose descriptors were written back, through
 * {@link InterruptController#raiseRx} so RDTR/RADV delay it (SDM 3.2.7.1), with RXDMT0 when the free
 * descriptors·16 ≤ RDLEN >> (RDMTS + 1) (SDM 13.4.22; RDMTS 3 gives 1/16 as in QEMU); RXO (immediate) on overrun.
 * <p>
 * The descriptors a frame needs are found by one bounded scan from RDH towards RDT that reads each buffer address
 * once; the writing pass uses those copies only. A scan that fails (overrun) is remembered with the ring position, so
 * a ring whose descriptors all have address 0 (the e1000e CVE-2020-28916 pattern) costs one scan, not one per frame,
 * until the guest moves RDT. The guest moves RDT at will (it is in the shared page), so the scans are also bounded
 * per pass: {@link #beginPass} gives the port's RX descriptor budget, every descriptor a scan reads is charged to it,
 * and a frame that would need more than is left is dropped as {@link PortCounter#RX_DROP_BUDGET} after at most the
 * rest of the budget was read. A port then costs at most its budget per pass in descriptors examined by scans (the
 * read-ahead below adds a bounded number of reads per batch), whatever its ring holds, however its RDT moves and
 * however many frames are sent to it. Until the first {@link #beginPass} the budget is unlimited. No allocation on
 * this path.
 * <p>
 * <b>Read-ahead.</b> With many guests their RX buffers are no longer in the sidecore's caches, and writing a frame
 * waits for its buffer's line, one frame after another ({@code GuestPairsPathBenchmark}: 64 pairs cost 1.7–1.9× one
 * pair per frame on one thread, most of the difference in the buffer writes). The first frame of a batch whose ring
 * it loads therefore reads one byte of the first line of the buffers of the next descriptors, as many as the port's
 * previous batch received (paced traffic, one frame a batch, reads none) and at most the engine's
 * {@code sidecore.rx.read.ahead.descriptors} ({@link #READ_AHEAD_DESCRIPTORS} by default, 0 for none): the misses
 * overlap, and the writes find the lines in the cache. Like the TX
 * gather's touch it only reads what the ring and guest memory validate, through a read-only view (refusals
 * uncounted: the scan counts its own; buffer addresses of 0 skipped), and writes and decides nothing, so the outcome
 * is the same with it or without. It is not charged to the descriptor budget: it reads at most that setting's
 * descriptors and buffer bytes per batch whose ring it loads (a pass opens one batch
 * per port; a batch flushed early, for a command or a CSB kick, lets the next frame load the ring again), and no
 * more than the frames the port's previous batch received, whose scans were charged.
 */
public final class RxProcessor
{
    /** Minimum frame without FCS (ETH_ZLEN); shorter frames are padded. */
    static final int MIN_FRAME_LENGTH = 60;
    /** Longest frame without FCS when RCTL.LPE is clear: 14 + 4 (tag) + 1500. */
    static final int MAX_STANDARD_FRAME_LENGTH = 1518;
    /** Longest frame without FCS when RCTL.LPE is set: 16384 - FCS. */
    static final int MAX_LONG_FRAME_LENGTH = 16380;
    /** Hard limit, even with RCTL.SBP. */
    static final int MAX_FRAME_LENGTH = 65535;
    /** Frame check sequence. */
    static final int FCS_LENGTH = 4;
    /** An 802.1Q tag. */
    static final int VLAN_TAG_LENGTH = 4;
    /** Destination and source addresses: where a tag starts. */
    static final int MAC_ADDRESSES_LENGTH = 12;
    /** Smallest receive buffer (BSIZE 11, BSEX 0). */
    static final int MIN_BUFFER_LENGTH = 256;
    /** Most buffers a frame can need: the longest frame plus FCS in the smallest buffers. */
    public static final int MAX_BUFFERS_PER_FRAME = (MAX_FRAME_LENGTH + FCS_LENGTH + MIN_BUFFER_LENGTH - 1) /
        MIN_BUFFER_LENGTH;

    /**
     * Most descriptors whose buffers a batch reads ahead: about the frames one port receives in a pass under load
     * (the system benchmark finds ~36 per port visit with 64 guests), few enough that the lines are still in the
     * cache when the frames reach them.
     */
    public static final int READ_AHEAD_DESCRIPTORS = 32;

    /**
     * Most descriptors a read-ahead may be set to: a whole default ring (256 descriptors, what Linux's e1000 gives).
     * Any depth is bounded again by the frames the previous batch received, themselves bounded by the RX budgets.
     */
    public static final int MAX_READ_AHEAD_DESCRIPTORS = 256;

    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int SCAN_OK = 0;
    private static final int SCAN_OVERRUN = 1;
    private static final int SCAN_DMA_FAULT = 2;
    private static final int SCAN_BUDGET_SPENT = 3;
    private static final int SCAN_FAULTED = 4;
    private static final int RING_LOADED = 0;
    private static final int RING_KEPT = 1;
    private static final int RING_EMPTY = 2;
    private static final int RING_FAULTED = 3;

    private final RegisterImage registers;
    private final GuestMemory guestMemory;
    private final PortCounters counters;
    private final Statistics statistics;
    private final InterruptController interrupts;
    private final PciConfigSpace pci;
    private final PortFaultState faults;
    private final RxFilter filter;
    private final DescriptorRing ring = new DescriptorRing();
    /** RCTL, STATUS, VET, CTRL or RXCSUM lives in a page the guest stores into directly: read them for every frame. */
    private final boolean receiveRegistersShared;
    private final AtomicBuffer descriptorView;
    private final AtomicBuffer dataView;
    private final DataPathBuffer padBuffer = new DataPathBuffer(new byte[MIN_FRAME_LENGTH]);
    private final int[] bufferIndexes = new int[MAX_BUFFERS_PER_FRAME];
    private final long[] bufferHostAddresses = new long[MAX_BUFFERS_PER_FRAME];

    private DirectBuffer source;
    /** The metadata of the frame being received (its carried checksum), or null; set only during a receive. */
    private FrameMetadata carriedMetadata;
    private int sourceOffset;
    private boolean stripTag;
    private int bufferLength;
    private int deliveredLength;
    private int totalLength;
    private int bufferCount;
    private int usedDescriptors;
    private int examineBudget = Integer.MAX_VALUE;

    private boolean batching;
    private boolean batchHeadKnown;
    private boolean batchHeadDirty;
    private boolean batchRingKnown;
    /** RCTL, STATUS.LU, VET, CTRL.VME and RXCSUM as {@link #loadReceiveRegisters} read them are still current. */
    private boolean batchRegistersKnown;
    private int receiveControl;
    private boolean statusLinkUp;
    private int vlanEtherType;
    private boolean vlanModeEnabled;
    private int receiveChecksumControl;
    private long batchRingEpoch;
    private int ringTail;
    private int batchHead;
    private int batchCauses;
    private final DataPathBuffer readAheadView;
    private int readAheadDescriptors = READ_AHEAD_DESCRIPTORS;
    private int batchFrames;
    private int previousBatchFrames;
    private long readAheadTouched;
    private long readAheadLineSum;
    private long unstoredFrames;
    private long unstoredBytes;
    private long unstoredDescriptors;
    private long unstoredDescriptorsExamined;

    private boolean failedScanValid;
    private long failedScanRingGpa;
    private int failedScanDescriptorCount;
    private int failedScanHead;
    private int failedScanTail;
    private int failedScanBuffers;

    /**
     * @param port RCTL, the filters, the ring registers and STATUS.LU (RDH is published there), guest memory,
     *             counters, the receive statistics, RXT0/RXDMT0/RXO and the RX delay timers, the bus-master bit, the
     *             fault state.
     */
    RxProcessor(final RingCollaborators port)
    {
        this(port, port.guestMemory().newView(true), port.guestMemory().newView(true));
    }

    /**
     * @param port           see {@link #RxProcessor(RingCollaborators)}.
     * @param descriptorView view re-wrapped over each descriptor written (tests pass a recording buffer).
     * @param dataView       view re-wrapped over each guest buffer written.
     */
    RxProcessor(final RingCollaborators port, final AtomicBuffer descriptorView, final AtomicBuffer dataView)
    {
        this.registers = port.registers();
        this.guestMemory = port.guestMemory();
        this.counters = port.counters();
        this.statistics = port.statistics();
        this.interrupts = port.interrupts();
        this.pci = port.pci();
        this.faults = port.faults();
        this.filter = new RxFilter(registers);
        this.receiveRegistersShared = registers.isShared(E1000Registers.RCTL) ||
            registers.isShared(E1000Registers.STATUS) ||
            registers.isShared(E1000Registers.VET) || registers.isShared(E1000Registers.CTRL) ||
            registers.isShared(E1000Registers.RXCSUM);
        this.descriptorView = descriptorView;
        this.dataView = dataView;
        this.readAheadView = guestMemory.newView(false);
    }

    /**
     * Deliver a frame to the guest, or count exactly one drop reason.
     *
     * @param frame       frame bytes (no FCS).
     * @param offset      offset of the first byte.
     * @param lengthBytes frame length.
     * @param nowNs       current time.
     * @return {@link FrameSink#DELIVERED} when written into the ring, else the id of the one drop counter the
     *         frame was counted under.
     */
    public int receive(final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
    {
        return receive(frame, offset, lengthBytes, null, nowNs);
    }

    /**
     * Deliver a frame to the guest, or count exactly one drop reason; a transport checksum its transmitting device
     * inserted and carries ({@link FrameMetadata#checksumCarried}) is verified from the pseudo header alone.
     *
     * @param frame       frame bytes (no FCS).
     * @param offset      offset of the first byte.
     * @param lengthBytes frame length.
     * @param metadata    what travels with the frame, or null.
     * @param nowNs       current time.
     * @return {@link FrameSink#DELIVERED} when written into the ring, else the id of the one drop counter the
     *         frame was counted under.
     */
    public int receive(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        if (!batchRegistersKnown)
        {
            loadReceiveRegisters();
        }
        final int rctl = receiveControl;
        if (!isReady(rctl, statusLinkUp))
        {
            return drop(PortCounter.RX_DROP_DISABLED);
        }
        if (offset < 0 || lengthBytes > frame.capacity() - offset)
        {
            return drop(PortCounter.RX_DROP_BACKEND);
        }
        if (lengthBytes < PacketHeaders.ETHERNET_HEADER_BYTES)
        {
            // SDM 13.7.34 and 13.7.15: an undersized frame counts in RUC and as a length error in RLEC.
            statistics.increment(E1000Registers.RUC);
            statistics.increment(E1000Registers.RLEC);
            return drop(PortCounter.RX_DROP_RUNT);
        }
        if (isOversize(lengthBytes, rctl))
        {
            // SDM 13.7.36 and 13.7.15: an oversized frame counts in ROC and as a length error in RLEC.
            statistics.increment(E1000Registers.ROC);
            statistics.increment(E1000Registers.RLEC);
            return drop(PortCounter.RX_DROP_OVERSIZE);
        }
        int frameLength = lengthBytes;
        if (frameLength < MIN_FRAME_LENGTH)
        {
            padBuffer.setMemory(frameLength, MIN_FRAME_LENGTH - frameLength, (byte)0);
            padBuffer.putBytes(0, frame, offset, frameLength);
            source = padBuffer;
            sourceOffset = 0;
            frameLength = MIN_FRAME_LENGTH;
        }
        else
        {
            source = frame;
            sourceOffset = offset;
        }
        try
        {
            carriedMetadata = metadata;
            return filterAndPlace(rctl, frameLength, nowNs);
        }
        finally
        {
            source = null;
            carriedMetadata = null;
            if (!batching)
            {
                storeCounts();
            }
        }
    }

    /**
     * A new pass over the port: its scans may examine up to {@code descriptorBudget} descriptors until the next one.
     *
     * @param descriptorBudget descriptors, at least {@link #MAX_BUFFERS_PER_FRAME} so that any frame fits a fresh pass.
     */
    public void beginPass(final int descriptorBudget)
    {
        examineBudget = descriptorBudget;
    }

    /**
     * Set how many descriptors' buffers a batch reads ahead at most (see the class description); 0 or 1 reads none.
     *
     * @param descriptors most descriptors read ahead per batch, 0 to {@link #MAX_READ_AHEAD_DESCRIPTORS}.
     */
    void readAheadDescriptors(final int descriptors)
    {
        if (descriptors < 0 || descriptors > MAX_READ_AHEAD_DESCRIPTORS)
        {
            throw new IllegalArgumentException("read-ahead must be 0 to " + MAX_READ_AHEAD_DESCRIPTORS +
                " descriptors: " + descriptors);
        }
        this.readAheadDescriptors = descriptors;
    }

    /**
     * @return most descriptors' buffers a batch reads ahead.
     */
    int readAheadDescriptors()
    {
        return readAheadDescriptors;
    }

    /**
     * @return descriptors whose buffers were read ahead since the port was created (tests bound the work with it).
     */
    long readAheadTouchedDescriptors()
    {
        return readAheadTouched;
    }

    /**
     * Descriptors the guest has handed to the device (RDH up to RDT), for batching and back-pressure decisions by the
     * switch. A frame needs {@code ceil((length + 4) / bufferSize)} of them (more if the guest gave null buffers).
     *
     * @return free descriptors, or 0 when the receiver is not ready or RDH/RDT are not inside the ring.
     */
    public int freeDescriptors()
    {
        if (!isReady(registers.get(E1000Registers.RCTL), isLinkUpInImage()))
        {
            return 0;
        }
        final int count = (registers.getAcquire(E1000Registers.RDLEN) & E1000Registers.DLEN_MASK) /
            DescriptorRing.DESCRIPTOR_LENGTH;
        final int head = currentHead();
        final int tail = registers.getAcquire(E1000Registers.RDT) & E1000Registers.HEAD_TAIL_MASK;
        if (head >= count || tail >= count)
        {
            return 0;
        }
        final int diff = tail - head;
        return diff >= 0 ? diff : diff + count;
    }

    /**
     * Drop per-packet state (MAC reset).
     */
    public void reset()
    {
        // Host counters, not device state: the frames delivered before the reset stay counted.
        storeCounts();
        failedScanValid = false;
        source = null;
        batchHeadKnown = false;
        batchRingKnown = false;
        batchRegistersKnown = false;
        batchHeadDirty = false;
        batchCauses = 0;
        batchFrames = 0;
        previousBatchFrames = 0;
    }

    /**
     * Start or end an RX batch (the sidecore opens one per port for the ports and cross-sidecore steps of a duty
     * cycle). Inside a batch RDH lives in a private field: it is read from the shared page by the batch's first frame
     * only, and published with the RX interrupt causes of all the batch's frames by {@link #flushBatch} (issue 11 §0:
     * a release store of RDH and an interrupt evaluation per frame, and the RDH/RDT cache line pulled back and forth
     * between the guest's core and the sidecore's per frame). The ring's geometry and tail (RDBAL, RDBAH, RDLEN, RDT,
     * in the same shared page) are read and validated by the batch's first frame too, and kept for its later frames
     * while guest memory's mapping stays the same ({@link GuestMemory#mappingEpoch}); only a frame that does not fit
     * the kept RDT reads RDT again (validated as before), so no frame is dropped for want of descriptors the guest
     * had already given. A guest's change of the ring's geometry during a batch is seen from the next batch on, as if
     * written after it (drivers program the ring before they enable the receiver, SDM 14.4). RCTL, STATUS.LU, VET,
     * CTRL.VME and RXCSUM are read by the batch's first frame and kept until a trapped write, a STATUS store, a flush
     * or a reset ({@link #registersWritten}), which the next frame sees; once a frame latched RXDMT0 the later frames
     * of the batch do not judge the threshold again (the union of their causes has it).
     * Outside a batch every frame reads the ring registers, publishes RDH and raises its causes at once. Ending a batch
     * flushes it.
     *
     * @param on    true to start a batch.
     * @param nowNs current time.
     */
    public void batching(final boolean on, final long nowNs)
    {
        if (!on)
        {
            flushBatch(nowNs);
        }
        batching = on;
    }

    /**
     * Publish what the batch deferred: the receive statistics, RDH (release store, after every descriptor of the
     * batch's frames), then the union of the frames' RX causes in one {@link InterruptController#raiseRx}. The RX
     * causes are the same for every frame (RXT0, RXDMT0 when the ring was below its threshold after the frame) and
     * all of a batch's frames are received at the same {@code nowNs}, so the one raise latches the same ICR bits and
     * arms the same RDTR/RADV deadlines as one raise per frame (SDM 3.2.7.1: RDTR restarts on each packet; at one time
     * the restarts coincide). The next frame reads RDH from the shared page again, so a guest's write of RDH is seen
     * from the next batch on. A no-op when nothing was deferred.
     *
     * @param nowNs current time.
     */
    public void flushBatch(final long nowNs)
    {
        statistics.publishReceive();
        storeCounts();
        batchHeadKnown = false;
        batchRingKnown = false;
        batchRegistersKnown = false;
        if (0 != batchFrames)
        {
            // A batch without frames (most of an idle port's) says nothing about the next one.
            previousBatchFrames = batchFrames;
            batchFrames = 0;
        }
        if (batchHeadDirty)
        {
            batchHeadDirty = false;
            registers.setRelease(E1000Registers.RDH, batchHead);
        }
        final int causes = batchCauses;
        if (0 != causes)
        {
            batchCauses = 0;
            interrupts.raiseRx(causes, nowNs);
        }
    }

    private int currentHead()
    {
        if (batchHeadKnown)
        {
            return batchHead;
        }
        final int head = registers.getAcquire(E1000Registers.RDH) & E1000Registers.HEAD_TAIL_MASK;
        if (batching)
        {
            batchHead = head;
            batchHeadKnown = true;
        }
        return head;
    }

    /**
     * Read the registers every frame's filtering and placement depends on (RCTL, STATUS.LU, VET, CTRL.VME, RXCSUM).
     * STATUS is the device's own (link changes, a paused transmitter), and each of its stores counts as a write here.
     * Inside a batch the values the batch's first frame read are kept for its later frames (issue 11 §0: per-frame
     * register reads; {@code GuestToGuestPathBenchmark}), until a trapped write or a STATUS store
     * ({@link #registersWritten}), a flush or a reset says they may have changed: such a change is seen by the very
     * next frame, as without the batch. When the guest can store any of them straight into a shared page
     * ({@link #receiveRegistersShared}) nothing is kept.
     */
    private void loadReceiveRegisters()
    {
        receiveControl = registers.get(E1000Registers.RCTL);
        statusLinkUp = isLinkUpInImage();
        vlanEtherType = registers.get(E1000Registers.VET) & 0xFFFF;
        vlanModeEnabled = 0 != (registers.get(E1000Registers.CTRL) & E1000Registers.CTRL_VME);
        receiveChecksumControl = registers.get(E1000Registers.RXCSUM);
        batchRegistersKnown = batching && !receiveRegistersShared;
    }

    /**
     * A trapped register write, a store of STATUS or a reset happened: the next frame reads the registers again.
     */
    void registersWritten()
    {
        batchRegistersKnown = false;
    }

    private boolean isLinkUpInImage()
    {
        return 0 != (registers.get(E1000Registers.STATUS) & E1000Registers.STATUS_LU);
    }

    private boolean isReady(final int rctl, final boolean linkUp)
    {
        // MAC loopback (SDM 13.4.22 LBM) receives the device's own frames whatever the link.
        return 0 != (rctl & E1000Registers.RCTL_EN) &&
            (linkUp ||
            0 != (rctl & E1000Registers.RCTL_LBM_MASK)) &&
            pci.isBusMasterEnabled() && !faults.isFaulted();
    }

    private static boolean isOversize(final int lengthBytes, final int rctl)
    {
        if (lengthBytes > MAX_FRAME_LENGTH)
        {
            return true;
        }
        if (0 != (rctl & E1000Registers.RCTL_SBP))
        {
            return false;
        }
        final int limit = 0 != (rctl & E1000Registers.RCTL_LPE) ? MAX_LONG_FRAME_LENGTH : MAX_STANDARD_FRAME_LENGTH;
        return lengthBytes > limit;
    }

    private int drop(final PortCounter reason)
    {
        counters.increment(reason);
        return FrameSink.dropped(reason);
    }

    private int filterAndPlace(final int rctl, final int frameLength, final long nowNs)
    {
        final int vet = vlanEtherType;
        final int verdict = filter.filter(source, sourceOffset, rctl, vet);
        if (RxFilter.REJECTED_VLAN == verdict)
        {
            return drop(PortCounter.RX_DROP_VLAN_FILTERED);
        }
        if (RxFilter.REJECTED_ADDRESS == verdict)
        {
            return drop(PortCounter.RX_DROP_FILTERED);
        }
        final boolean tagged = RxFilter.isVlanTagged(source, sourceOffset, vet);
        stripTag = tagged && vlanModeEnabled;
        final int special = stripTag ? RxFilter.tci(source, sourceOffset) : 0;
        deliveredLength = stripTag ? frameLength - VLAN_TAG_LENGTH : frameLength;
        totalLength = deliveredLength + (0 != (rctl & E1000Registers.RCTL_SECRC) ? 0 : FCS_LENGTH);
        bufferLength = E1000Registers.rxBufferSizeBytes(rctl);

        final int head = currentHead();
        final int ringState = loadRing(head);
        if (RING_FAULTED == ringState)
        {
            return drop(PortCounter.RX_DROP_DISABLED);
        }
        if (RING_EMPTY == ringState)
        {
            return overrun(nowNs);
        }
        if (RING_LOADED == ringState && batching)
        {
            readAhead(head, ringTail);
        }
        int scan = scan(head, ringTail);
        if (SCAN_OVERRUN == scan && RING_KEPT == ringState)
        {
            scan = scanWithFreshTail(head);
            if (SCAN_FAULTED == scan)
            {
                return drop(PortCounter.RX_DROP_DISABLED);
            }
        }
        final int tail = ringTail;
        if (SCAN_OVERRUN == scan)
        {
            return overrun(nowNs);
        }
        if (SCAN_BUDGET_SPENT == scan)
        {
            return drop(PortCounter.RX_DROP_BUDGET);
        }
        final int newHead;
        if (SCAN_DMA_FAULT == scan)
        {
            newHead = completeWithError(head);
            counters.increment(PortCounter.RX_DROP_DMA_FAULT);
        }
        else
        {
            final int l3Offset = PacketHeaders.ETHERNET_HEADER_BYTES + (tagged ? VLAN_TAG_LENGTH : 0);
            final int checksumStatus = RxChecksum.statusAndErrors(
                source, sourceOffset, frameLength, l3Offset, receiveChecksumControl, carriedMetadata);
            final int filterStatus = RxFilter.ACCEPTED_INEXACT == verdict ? E1000RxDescriptor.STA_PIF : 0;
            newHead = write(head, special, checksumStatus | filterStatus);
            final int firstByte = source.getByte(sourceOffset) & 0xFF;
            statistics.onReceive(frameLength, firstByte, RxFilter.isBroadcast(source, sourceOffset));
            unstoredFrames++;
            unstoredBytes += deliveredLength;
            if (batching)
            {
                batchFrames++;
            }
        }
        unstoredDescriptors += usedDescriptors;
        int causes = E1000Registers.ICR_RXT0;
        // Once a frame of the batch latched RXDMT0 the union has it: later frames need not judge it (nor read RDT). The
        // batch raises the union once (flushBatch), and ICR bits stay set until the guest reads ICR (SDM 13.4.17), so
        // a second RXDMT0 in the same raise changes nothing (SDM 13.4.22 RDMTS).
        if ((!batching || 0 == (batchCauses & E1000Registers.ICR_RXDMT0)) &&
            isBelowMinimumThreshold(newHead, tail, rctl) &&
            (RING_KEPT != ringState || isBelowMinimumThresholdByFreshTail(newHead, tail, rctl)))
        {
            causes |= E1000Registers.ICR_RXDMT0;
        }
        if (batching)
        {
            batchHead = newHead;
            batchHeadKnown = true;
            batchHeadDirty = true;
            batchCauses |= causes;
        }
        else
        {
            statistics.publishReceive();
            registers.setRelease(E1000Registers.RDH, newHead);
            interrupts.raiseRx(causes, nowNs);
        }
        return SCAN_OK == scan ? FrameSink.DELIVERED : FrameSink.dropped(PortCounter.RX_DROP_DMA_FAULT);
    }

    /**
     * Load and validate the ring (RDBAL, RDBAH, RDLEN, RDT) into {@link #ring} and {@link #ringTail}, or, inside a
     * batch whose first frame did so and while guest memory's mapping is unchanged, keep what it loaded (see
     * {@link #batching}). A ring outside guest memory, a non-zero RDH/RDT on a ring of length 0, or RDH/RDT beyond the
     * ring faults the port (CVE-2016-1981).
     *
     * @param head the frame's RDH.
     * @return {@link #RING_LOADED}, {@link #RING_KEPT}, {@link #RING_EMPTY} (length 0, RDH = RDT = 0: no
     *     descriptors) or {@link #RING_FAULTED} (the port was faulted).
     */
    private int loadRing(final int head)
    {
        if (batchRingKnown && guestMemory.mappingEpoch() == batchRingEpoch)
        {
            return RING_KEPT;
        }
        final RegisterImage registers = this.registers;
        final int tail = registers.getAcquire(E1000Registers.RDT) & E1000Registers.HEAD_TAIL_MASK;
        final int rdlen = registers.getAcquire(E1000Registers.RDLEN);
        final int load = ring.load(registers.getAcquire(E1000Registers.RDBAL),
            registers.getAcquire(E1000Registers.RDBAH), rdlen, guestMemory);
        ringTail = tail;
        if (DescriptorRing.BAD_BASE == load)
        {
            faults.raise(PortFault.RX_RING_OUTSIDE_MEMORY, E1000Registers.RDBAL, ring.baseGpa());
            return RING_FAULTED;
        }
        if (DescriptorRing.EMPTY_RING == load)
        {
            if (0 != head || 0 != tail)
            {
                faults.raise(PortFault.RX_RING_LENGTH_ZERO, E1000Registers.RDLEN, rdlen & 0xFFFF_FFFFL);
                return RING_FAULTED;
            }
            return RING_EMPTY;
        }
        if (!ring.isValidIndex(head))
        {
            faults.raise(PortFault.RX_HEAD_BEYOND_RING, E1000Registers.RDH, head);
            return RING_FAULTED;
        }
        if (!ring.isValidIndex(tail))
        {
            faults.raise(PortFault.RX_TAIL_BEYOND_RING, E1000Registers.RDT, tail);
            return RING_FAULTED;
        }
        if (batching)
        {
            batchRingKnown = true;
            batchRingEpoch = guestMemory.mappingEpoch();
        }
        return RING_LOADED;
    }

    /**
     * The batch's RDT may be older than the guest's last refill: a frame is dropped for want of descriptors only when
     * the RDT the guest wrote last says so too. Read RDT again, validate it, and scan again if it moved.
     *
     * @param head the frame's RDH.
     * @return the scan's outcome, or {@link #SCAN_FAULTED} when the new RDT is beyond the ring (the port is faulted).
     */
    private int scanWithFreshTail(final int head)
    {
        final int freshTail = registers.getAcquire(E1000Registers.RDT) & E1000Registers.HEAD_TAIL_MASK;
        if (freshTail == ringTail)
        {
            return SCAN_OVERRUN;
        }
        if (!ring.isValidIndex(freshTail))
        {
            faults.raise(PortFault.RX_TAIL_BEYOND_RING, E1000Registers.RDT, freshTail);
            return SCAN_FAULTED;
        }
        ringTail = freshTail;
        return scan(head, freshTail);
    }

    /**
     * Find the descriptors of this frame from {@code head}, reading each buffer address once, without writing.
     * Bounded by the descriptors between head and tail and by what is left of the pass's budget.
     */
    private int scan(final int head, final int tail)
    {
        final int free = ring.pending(head, tail);
        final int neededBuffers = (totalLength + bufferLength - 1) / bufferLength;
        if (neededBuffers > free || isKnownOverrun(head, tail, neededBuffers))
        {
            return SCAN_OVERRUN;
        }
        if (neededBuffers > examineBudget)
        {
            return SCAN_BUDGET_SPENT;
        }
        final GuestMemory guestMemory = this.guestMemory;
        boolean dmaFault = false;
        int covered = 0;
        int buffers = 0;
        int used = 0;
        int index = head;
        while (covered < totalLength)
        {
            if (used == free)
            {
                charge(used);
                rememberOverrun(head, tail, buffers);
                return SCAN_OVERRUN;
            }
            if (used == examineBudget)
            {
                charge(used);
                return SCAN_BUDGET_SPENT;
            }
            descriptorView.wrap(ring.descriptorAddress(index), DescriptorRing.DESCRIPTOR_LENGTH);
            final long bufferGpa = descriptorView.getLong(
                E1000RxDescriptor.BUFFER_ADDR_OFFSET, ByteOrder.LITTLE_ENDIAN);
            used++;
            if (0 != bufferGpa)
            {
                final int descriptorLength = Math.min(totalLength - covered, bufferLength);
                final int dataLength = dataLength(covered, descriptorLength);
                long hostAddress = GuestMemory.NO_MAPPING;
                if (dataLength > 0)
                {
                    hostAddress = guestMemory.translateForWrite(bufferGpa, dataLength);
                    dmaFault |= GuestMemory.NO_MAPPING == hostAddress;
                }
                bufferIndexes[buffers] = index;
                bufferHostAddresses[buffers] = hostAddress;
                buffers++;
                covered += descriptorLength;
            }
            index = ring.next(index);
        }
        charge(used);
        bufferCount = buffers;
        usedDescriptors = used;
        return dmaFault ? SCAN_DMA_FAULT : SCAN_OK;
    }

    /**
     * The first phase of placing a batch's frames (see the class description): read one byte of the first line of
     * the buffers of the next descriptors from {@code head}, as many as the port's previous batch received, at most
     * {@link #readAheadDescriptors} and never past {@code tail}. Only descriptors of the validated ring and buffer
     * addresses guest memory validates are read; nothing is written, charged or decided here.
     */
    private void readAhead(final int head, final int tail)
    {
        final int count = Math.min(Math.min(ring.pending(head, tail), readAheadDescriptors), previousBatchFrames);
        if (count < 2)
        {
            // One frame a batch (paced traffic): its own buffer is the only one, and the write fetches it anyway.
            return;
        }
        final GuestMemory guestMemory = this.guestMemory;
        final DataPathBuffer view = readAheadView;
        long lineSum = 0;
        int index = head;
        for (int i = 0; i < count; i++)
        {
            // The index is the ring's (RDH validated by loadRing, then next()), so the descriptor lies inside the
            // ring guest memory validated; a read-only view, so a test's access probe sees every read.
            view.wrap(ring.descriptorAddress(index), DescriptorRing.DESCRIPTOR_LENGTH);
            final long bufferGpa = view.getLong(E1000RxDescriptor.BUFFER_ADDR_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (0 != bufferGpa)
            {
                final long hostAddress = guestMemory.translateForTouch(bufferGpa, 1);
                if (GuestMemory.NO_MAPPING != hostAddress)
                {
                    view.wrap(hostAddress, 1);
                    lineSum += view.getByte(0);
                }
            }
            index = ring.next(index);
        }
        // Kept, so the reads are not optimized away.
        readAheadLineSum += lineSum;
        readAheadTouched += count;
    }

    private void charge(final int examined)
    {
        examineBudget -= examined;
        unstoredDescriptorsExamined += examined;
    }

    /**
     * Store the host counters of the frames received since the last call: {@link PortCounter#RX_FRAMES},
     * {@link PortCounter#RX_BYTES}, {@link PortCounter#RX_DESCRIPTORS} and
     * {@link PortCounter#RX_DESCRIPTORS_EXAMINED}. Each is an opaque store to the shared counters file, so a batch
     * stores them once when it ends ({@link #flushBatch}) and a frame outside a batch at once (issue 11 §0: counters
     * stored once per pass; {@code CounterIncrementBenchmark}: 12.7 against 0.6 ns per frame for four counters).
     * Drop counters stay per drop: they are rare, and each names its frame's one reason at once.
     */
    private void storeCounts()
    {
        if (0 != unstoredDescriptorsExamined)
        {
            counters.add(PortCounter.RX_DESCRIPTORS_EXAMINED, unstoredDescriptorsExamined);
            unstoredDescriptorsExamined = 0;
        }
        if (0 != unstoredDescriptors)
        {
            counters.add(PortCounter.RX_DESCRIPTORS, unstoredDescriptors);
            unstoredDescriptors = 0;
        }
        if (0 != unstoredFrames)
        {
            counters.add(PortCounter.RX_FRAMES, unstoredFrames);
            counters.add(PortCounter.RX_BYTES, unstoredBytes);
            unstoredFrames = 0;
            unstoredBytes = 0;
        }
    }

    private int dataLength(final int covered, final int descriptorLength)
    {
        final int remainingData = deliveredLength - covered;
        return remainingData <= 0 ? 0 : Math.min(remainingData, descriptorLength);
    }

    private boolean isKnownOverrun(final int head, final int tail, final int neededBuffers)
    {
        return failedScanValid && failedScanHead == head && failedScanTail == tail &&
            failedScanRingGpa == ring.baseGpa() && failedScanDescriptorCount == ring.descriptorCount() &&
            neededBuffers > failedScanBuffers;
    }

    private void rememberOverrun(final int head, final int tail, final int buffers)
    {
        failedScanValid = true;
        failedScanHead = head;
        failedScanTail = tail;
        failedScanRingGpa = ring.baseGpa();
        failedScanDescriptorCount = ring.descriptorCount();
        failedScanBuffers = buffers;
    }

    /**
     * Copy the frame into the buffers found by {@link #scan} and write the descriptors back.
     *
     * @return the new head.
     */
    private int write(final int head, final int special, final int eopStatusAndErrors)
    {
        final int vlanStatus = stripTag ? E1000RxDescriptor.STA_VP : 0;
        int covered = 0;
        int buffer = 0;
        int index = head;
        for (int i = 0; i < usedDescriptors; i++)
        {
            if (buffer < bufferCount && bufferIndexes[buffer] == index)
            {
                final int descriptorLength = Math.min(totalLength - covered, bufferLength);
                final int dataLength = dataLength(covered, descriptorLength);
                if (dataLength > 0)
                {
                    dataView.wrap(bufferHostAddresses[buffer], dataLength);
                    copyFrame(covered, dataLength);
                }
                covered += descriptorLength;
                buffer++;
                final int status = buffer == bufferCount ?
                    vlanStatus | E1000RxDescriptor.STA_EOP | (eopStatusAndErrors & 0xFF) : vlanStatus;
                final int errors = buffer == bufferCount ? eopStatusAndErrors >>> 8 : 0;
                writeBack(index, descriptorLength, status, errors, special);
            }
            else
            {
                writeBack(index, 0, vlanStatus, 0, special);
            }
            index = ring.next(index);
        }
        return index;
    }

    /**
     * Complete every descriptor the frame would have used without writing any data (DMA fault).
     *
     * @return the new head.
     */
    private int completeWithError(final int head)
    {
        int index = head;
        for (int i = 0; i < usedDescriptors; i++)
        {
            final boolean last = i == usedDescriptors - 1;
            writeBack(index, 0, last ? E1000RxDescriptor.STA_EOP : 0, last ? E1000RxDescriptor.ERR_RXE : 0, 0);
            index = ring.next(index);
        }
        return index;
    }

    /**
     * Copy {@code lengthBytes} of the delivered frame starting at {@code logicalOffset} into {@link #dataView},
     * skipping the tag when it is stripped.
     */
    private void copyFrame(final int logicalOffset, final int lengthBytes)
    {
        int done = 0;
        if (stripTag && logicalOffset < MAC_ADDRESSES_LENGTH)
        {
            done = Math.min(MAC_ADDRESSES_LENGTH - logicalOffset, lengthBytes);
            dataView.putBytes(0, source, sourceOffset + logicalOffset, done);
        }
        if (done < lengthBytes)
        {
            final int skip = stripTag ? VLAN_TAG_LENGTH : 0;
            dataView.putBytes(done, source, sourceOffset + logicalOffset + done + skip, lengthBytes - done);
        }
    }

    /**
     * Write one descriptor back: bytes 8-11 plainly, then bytes 12-15 with DD in a single release store.
     */
    private void writeBack(
        final int index, final int lengthBytes, final int status, final int errors, final int special)
    {
        descriptorView.wrap(ring.descriptorAddress(index), DescriptorRing.DESCRIPTOR_LENGTH);
        descriptorView.putInt(E1000RxDescriptor.LENGTH_OFFSET, lengthBytes & 0xFFFF, ByteOrder.LITTLE_ENDIAN);
        final int statusWord = (status | E1000RxDescriptor.STA_DD) | (errors & 0xFF) << 8 | (special & 0xFFFF) << 16;
        descriptorView.putIntRelease(
            E1000RxDescriptor.STATUS_OFFSET, NATIVE_LITTLE_ENDIAN ? statusWord : Integer.reverseBytes(statusWord));
    }

    private int overrun(final long nowNs)
    {
        statistics.increment(E1000Registers.RNBC);
        statistics.increment(E1000Registers.MPC);
        interrupts.raise(E1000Registers.ICR_RXO, nowNs);
        return drop(PortCounter.RX_DROP_RING_FULL);
    }

    /**
     * The RXDMT0 condition once more, against RDT as the guest's page holds it now: a batch keeps the RDT its first
     * frame read, and a guest that refilled since would see RXDMT0 for descriptors it had already given, which a frame
     * outside a batch (reading RDT each time) never raises. Asked only when the kept RDT says the ring is short, so a
     * batch reads RDT again only near the threshold. A fresh RDT beyond the ring is not used here (a later frame's
     * re-read of RDT, or the next batch's load of the ring, faults the port); the kept one decides.
     */
    private boolean isBelowMinimumThresholdByFreshTail(final int head, final int keptTail, final int rctl)
    {
        final int freshTail = registers.getAcquire(E1000Registers.RDT) & E1000Registers.HEAD_TAIL_MASK;
        if (freshTail == keptTail || !ring.isValidIndex(freshTail))
        {
            return true;
        }
        ringTail = freshTail;
        return isBelowMinimumThreshold(head, freshTail, rctl);
    }

    /**
     * RXDMT0 condition (SDM 13.4.22 RDMTS, 3.2.7): free descriptors·16 ≤ RDLEN >> (RDMTS + 1).
     */
    private boolean isBelowMinimumThreshold(final int head, final int tail, final int rctl)
    {
        final int rdmts = (rctl & E1000Registers.RCTL_RDMTS_MASK) >>> E1000Registers.RCTL_RDMTS_SHIFT;
        final int freeBytes = ring.pending(head, tail) * DescriptorRing.DESCRIPTOR_LENGTH;
        return freeBytes <= ring.lengthBytes() >> (rdmts + 1);
    }
}
