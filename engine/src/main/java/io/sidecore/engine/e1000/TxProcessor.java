package io.sidecore.engine.e1000;

import io.sidecore.engine.net.PacketHeaders;
import io.sidecore.engine.mem.DataPathBuffer;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * Walks the TX ring from TDH to TDT and turns descriptors into frames (SDM 3.3 transmit descriptors, 3.4 transmit
 * interrupts, 3.5 TCP segmentation). One per port, called only by the agent thread that owns the port.
 * <p>
 * <b>A pass</b> ({@link #process}): nothing happens while TCTL.EN is clear (SDM 13.4.33) or PCI bus mastering is off
 * (the device may not DMA, PCI 2.3 command register bit 2): descriptors stay owned by hardware and are processed
 * once the guest enables them again, like frames waiting in a disabled NIC. Otherwise the ring geometry is re-read
 * and validated on every pass that has work; TDH or TDT beyond the ring, a zero-length ring with TDT != TDH, or a
 * ring outside guest memory faults the port with the matching {@link PortFault}, recorded with the register and
 * its value (CVE-2016-1981: QEMU looped forever when the head started beyond the
 * ring; here no descriptor outside the ring is ever read and a pass does at most {@code descriptorBudget}
 * descriptors). Each descriptor's DD is written back right after it is processed when RS (or RPS) is set; at the end
 * of the pass TDH is published (release store), TXDW is raised if any DD was written back and TXQE if the ring was
 * drained (SDM 13.4.17: "transmit queue empty").
 * <p>
 * <b>A packet</b> is one or more legacy or data descriptors ending with EOP (SDM 3.3.3, 3.3.7). Their buffers are
 * copied into a 64 KiB staging buffer (the guest may reuse a buffer as soon as its DD is set); a packet that would
 * exceed it is dropped as {@link PortCounter#TX_DROP_OVERSIZE} without copying past the buffer (CVE-2012-0029). At
 * EOP the whole packet is checked and then either sent (checksums inserted, TSO segmented, VLAN tag inserted) or
 * dropped and counted under exactly one {@link PortCounter}: the first reason found wins. Packet state survives
 * across passes, so a packet may span passes.
 * <p>
 * Validation, one counter each:
 * <ul>
 *   <li>buffer outside guest memory: {@link PortCounter#TX_DROP_DMA_FAULT};</li>
 *   <li>staged size beyond 64 KiB (DTALEN is 20 bits, legacy length 16): {@link PortCounter#TX_DROP_OVERSIZE};</li>
 *   <li>TSE data without a TSO context, or POPTS checksums without a checksum context:
 *       {@link PortCounter#TX_DROP_NO_CONTEXT};</li>
 *   <li>a packet mixing legacy, plain data and TSE data descriptors (CVE-2021-20257 (a): QEMU's TSO loop
 *       underflowed when legacy descriptors had already staged more than HDRLEN + MSS), a context descriptor in the
 *       middle of a packet (the 2018 VirtualBox e1000 exploit): {@link PortCounter#TX_DROP_BAD_SEQUENCE};</li>
 *   <li>offload offsets outside the packet or header, TUCSE before TUCSS, MSS = 0 or HDRLEN = 0 (CVE-2015-6815),
 *       HDRLEN beyond the packet, a descriptor with a reserved DTYP: {@link PortCounter#TX_DROP_MALFORMED};</li>
 *   <li>no bytes at EOP (e.g. a lone zero-length data descriptor with EOP): {@link PortCounter#TX_DROP_EMPTY};</li>
 *   <li>fewer than 14 bytes: {@link PortCounter#TX_DROP_RUNT}.</li>
 * </ul>
 * <b>Two-phase gather.</b> The guest wrote the buffers on another core, so copying them one descriptor at a time
 * stalls on one cache miss after another (issue 11 §0: 63 % of a 64-byte pass). Before copying, a pass therefore
 * touches the buffers of the descriptors it is about to process, a window of up to {@link #GATHER_WINDOW_BYTES} at a
 * time: one read per 64-byte line, the misses overlapping, then the copy finds the lines in the cache. The touch acts
 * on nothing: each descriptor is read again, copied, validated and used as before, the touch only reads ranges
 * {@link GuestMemory#translateForTouch} has validated (refusals uncounted: the copy counts its own), and it is bounded
 * by the pass's descriptor limit and the bytes its byte budget still allows.
 * <p>
 * The process path allocates nothing: every buffer is preallocated per port.
 */
public final class TxProcessor
{
    /** Size of the staging buffer: the largest packet the device assembles (QEMU uses the same 64 KiB). */
    public static final int MAX_PACKET_BYTES = 64 * 1024;

    private static final int PACKET_LEGACY = 0;
    private static final int PACKET_DATA = 1;
    private static final int PACKET_TSO = 2;
    private static final int PACKET_INVALID = 3;

    /**
     * Most buffer bytes touched ahead of the copy at a time: enough descriptors to overlap many misses, few enough
     * that the lines are still in the cache (L1 and L2) when the copy reaches them.
     */
    static final int GATHER_WINDOW_BYTES = 32 * 1024;

    private static final int CACHE_LINE_BYTES = 64;
    /** Room before a packet for the 802.1Q tag the emitter may insert in place. */
    private static final int MIN_HEADROOM = TxFrameEmitter.VLAN_TAG_LENGTH;
    private static final int WRITE_BACK_COMMANDS = E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_RPS;

    private final RegisterImage registers;
    private final GuestMemory guestMemory;
    private final PortCounters counters;
    private final Statistics statistics;
    private final InterruptController interrupts;
    private final PciConfigSpace pci;
    private final PortFaultState faults;
    private final DescriptorRing ring = new DescriptorRing();
    private final TxDescriptor descriptor = new TxDescriptor();
    private final TxDescriptor touchDescriptor = new TxDescriptor();
    private final TxContext tsoContext = new TxContext();
    private final TxContext checksumContext = new TxContext();
    private final TsoSegmenter segmenter = new TsoSegmenter();
    private final TxFrameEmitter emitter;
    private final DataPathBuffer ringBuffer;
    private final DataPathBuffer dmaBuffer;
    private final DataPathBuffer staging =
        new DataPathBuffer(ByteBuffer.allocateDirect(MIN_HEADROOM + CACHE_LINE_BYTES + MAX_PACKET_BYTES));
    /**
     * Where the packet being assembled starts in {@link #staging}: {@link #MIN_HEADROOM} plus the distance that puts
     * it at the same offset within a cache line as its first buffer in guest memory ({@link #packetStartFor}).
     */
    private int packetStart = MIN_HEADROOM;

    private int gatherWindowBytes = GATHER_WINDOW_BYTES;
    private long touchedLineSum;
    private boolean inProcess;
    private boolean budgetSpent;
    private boolean packetActive;
    private int packetKind;
    private int packetPopts;
    private int packetCss;
    private int packetLengthBytes;
    private PortCounter packetDropReason;
    private boolean packetVle;
    private int packetSpecial;

    /**
     * @param port    ring registers, TCTL and STATUS.LU (TDH is published there), guest memory, counters, the TSO
     *                statistics (TSCTC, TSCTFC), TXDW/TXQE and the TX delay timers, the bus-master bit, the fault
     *                state.
     * @param emitter the last step: VLAN tag, accounting, the sink.
     */
    TxProcessor(final RingCollaborators port, final TxFrameEmitter emitter)
    {
        this.registers = port.registers();
        this.guestMemory = port.guestMemory();
        this.counters = port.counters();
        this.statistics = port.statistics();
        this.interrupts = port.interrupts();
        this.pci = port.pci();
        this.faults = port.faults();
        this.emitter = emitter;
        this.ringBuffer = guestMemory.newView(true);
        this.dmaBuffer = guestMemory.newView(false);
    }

    /**
     * Process up to {@code descriptorBudget} descriptors between TDH and TDT, with no bound on frames or bytes.
     *
     * @param nowNs            current time.
     * @param descriptorBudget bound on descriptors consumed in this pass.
     * @return work done: descriptors consumed, plus segments of a TSO packet resumed from an earlier pass.
     */
    public int process(final long nowNs, final int descriptorBudget)
    {
        return process(nowNs, descriptorBudget, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * One pass: first the segments a TSO packet still owes from an earlier pass, then descriptors between TDH and
     * TDT, each only while the pass's budgets have room (checked before every descriptor and every segment; see
     * {@link TxPassBudget}). A TSO packet the budget cuts short keeps its place: no further descriptor is read until
     * its last segment is out.
     *
     * @param nowNs            current time.
     * @param descriptorBudget bound on descriptors consumed.
     * @param frameBudget      bound on frames produced (TSO segments included).
     * @param byteBudget       bound on bytes of frames produced and on bytes copied from guest memory (each may be
     *                         passed by one descriptor or one frame).
     * @return work done: descriptors consumed, plus segments of a TSO packet resumed from an earlier pass.
     */
    public int process(final long nowNs, final int descriptorBudget, final int frameBudget, final long byteBudget)
    {
        try
        {
            return processPass(nowNs, descriptorBudget, frameBudget, byteBudget);
        }
        finally
        {
            emitter.publishCounts();
        }
    }

    private int processPass(final long nowNs, final int descriptorBudget, final int frameBudget, final long byteBudget)
    {
        budgetSpent = false;
        // CVE-2021-20257 (b): a frame handed to the sink must never re-enter this port's TX path.
        if (inProcess || descriptorBudget <= 0 || frameBudget <= 0 || byteBudget <= 0)
        {
            return 0;
        }
        final RegisterImage registers = this.registers;
        if (0 == (registers.get(E1000Registers.TCTL) & E1000Registers.TCTL_EN) || !pci.isBusMasterEnabled())
        {
            return 0;
        }
        final TxPassBudget budget = emitter.budget();
        budget.begin(frameBudget, byteBudget);
        emitter.beginPass();
        int work = 0;
        if (segmenter.isPending())
        {
            inProcess = true;
            emitter.nowNs(nowNs);
            try
            {
                work = emitSegments();
            }
            finally
            {
                inProcess = false;
            }
            if (segmenter.isPending())
            {
                budgetSpent = true;
                return work;
            }
        }
        final int head = registers.getAcquire(E1000Registers.TDH) & E1000Registers.HEAD_TAIL_MASK;
        final int tail = registers.getAcquire(E1000Registers.TDT) & E1000Registers.HEAD_TAIL_MASK;
        if (head == tail)
        {
            return work;
        }
        final int tdbal = registers.get(E1000Registers.TDBAL);
        final int tdbah = registers.get(E1000Registers.TDBAH);
        final int tdlen = registers.get(E1000Registers.TDLEN);
        final int geometry = ring.load(tdbal, tdbah, tdlen, guestMemory);
        if (DescriptorRing.EMPTY_RING == geometry)
        {
            faults.raise(PortFault.TX_RING_LENGTH_ZERO, E1000Registers.TDLEN, tdlen & 0xFFFF_FFFFL);
            return work;
        }
        if (DescriptorRing.OK != geometry)
        {
            faults.raise(PortFault.TX_RING_OUTSIDE_MEMORY, E1000Registers.TDBAL, ring.baseGpa());
            return work;
        }
        if (!ring.isValidIndex(head))
        {
            faults.raise(PortFault.TX_HEAD_BEYOND_RING, E1000Registers.TDH, head);
            return work;
        }
        if (!ring.isValidIndex(tail))
        {
            faults.raise(PortFault.TX_TAIL_BEYOND_RING, E1000Registers.TDT, tail);
            return work;
        }
        inProcess = true;
        emitter.nowNs(nowNs);
        try
        {
            return work + walk(head, tail, descriptorBudget, nowNs);
        }
        finally
        {
            inProcess = false;
        }
    }

    /**
     * Drop any partly assembled packet, the segments a TSO packet still owed (counted in
     * {@link PortCounter#TX_DROP_RESET}), and forget both offload contexts (MAC reset, CTRL.RST).
     */
    public void reset()
    {
        final int unsent = segmenter.discard();
        if (unsent > 0)
        {
            counters.add(PortCounter.TX_DROP_RESET, unsent);
        }
        clearPacket();
        tsoContext.clear();
        checksumContext.clear();
    }

    /**
     * @return true while a packet has descriptors staged but no EOP yet.
     */
    public boolean isPacketPending()
    {
        return packetActive;
    }

    /**
     * @return true while a TSO packet has segments left for a later pass.
     */
    public boolean isSegmenting()
    {
        return segmenter.isPending();
    }

    /**
     * @return true if the last pass stopped at one of its budgets with work left (descriptors or segments).
     */
    public boolean isBudgetSpent()
    {
        return budgetSpent;
    }

    /**
     * @return true if the last pass stopped early, work left, because its {@link YieldSignal} asked.
     */
    public boolean isYielded()
    {
        return budgetSpent && emitter.budget().yielded();
    }

    /**
     * @param signal what a pass asks between frames whether to stop early ({@link TxPassBudget}).
     */
    public void yieldWhen(final YieldSignal signal)
    {
        emitter.budget().yieldSignal(signal);
    }

    /**
     * Set the touch window of the two-phase gather (see the class description); 0 copies each descriptor's buffer
     * untouched, the one-phase gather, so tests and benchmarks can compare the two on the same rings.
     *
     * @param windowBytes bytes touched ahead of the copy at a time, 0 for none.
     */
    void gatherWindowBytes(final int windowBytes)
    {
        if (windowBytes < 0)
        {
            throw new IllegalArgumentException("gather window must be at least 0 bytes: " + windowBytes);
        }
        this.gatherWindowBytes = windowBytes;
    }

    private int walk(final int head, final int tail, final int descriptorBudget, final long nowNs)
    {
        ringBuffer.wrap(ring.descriptorAddress(0), ring.lengthBytes());
        final int pending = ring.pending(head, tail);
        final int limit = Math.min(pending, descriptorBudget);
        final TxPassBudget budget = emitter.budget();
        boolean wroteBack = false;
        boolean delayed = false;
        boolean immediate = false;
        int index = head;
        int count = 0;
        int touched = 0;
        while (count < limit && budget.hasRoom() && !segmenter.isPending())
        {
            if (count == touched && gatherWindowBytes > 0)
            {
                touched = touchWindow(index, count, limit, Math.min(gatherWindowBytes, budget.roomBytes()));
            }
            final int command = processDescriptor(index * DescriptorRing.DESCRIPTOR_LENGTH);
            if (0 != (command & WRITE_BACK_COMMANDS))
            {
                wroteBack = true;
                // SDM 3.3.3.1 IDE, decided per descriptor: RS with IDE (re)loads the delay timer; any written back
                // without IDE interrupts at once.
                if (0 != (command & E1000TxDescriptor.CMD_IDE))
                {
                    delayed = true;
                }
                else
                {
                    immediate = true;
                }
            }
            index = ring.next(index);
            count++;
        }
        budgetSpent = count < pending || segmenter.isPending();
        registers.setRelease(E1000Registers.TDH, index);
        counters.add(PortCounter.TX_DESCRIPTORS, count);
        int causes = wroteBack ? E1000Registers.ICR_TXDW : 0;
        if (index == tail)
        {
            causes |= E1000Registers.ICR_TXQE;
        }
        if (delayed)
        {
            interrupts.onTxIdeSeen(nowNs);
        }
        if (0 != causes)
        {
            interrupts.raiseTx(causes, nowNs, delayed && !immediate);
        }
        return count;
    }

    /**
     * The first phase of the gather: read one byte of every cache line of the buffers of the descriptors from
     * {@code index} on, until {@code windowBytes} are touched or {@code limit} descriptors are reached. Only ranges
     * guest memory validates are read; nothing is written and nothing is decided here.
     *
     * @param index       ring index of the descriptor at {@code count}.
     * @param count       descriptors of this pass before {@code index}.
     * @param limit       descriptors this pass may process.
     * @param windowBytes most buffer bytes to touch.
     * @return descriptors of this pass touched so far, more than {@code count}.
     */
    private int touchWindow(final int index, final int count, final int limit, final long windowBytes)
    {
        final TxDescriptor touch = touchDescriptor;
        final DataPathBuffer dma = dmaBuffer;
        long lineSum = 0;
        long touchedBytes = 0;
        int next = index;
        int touchedCount = count;
        do
        {
            touch.decode(ringBuffer, next * DescriptorRing.DESCRIPTOR_LENGTH);
            final int kind = touch.kind();
            final long bufferGpa = touch.bufferGpa();
            final long lengthBytes = Math.min(touch.lengthBytes(), windowBytes - touchedBytes);
            if ((TxDescriptor.KIND_LEGACY == kind || TxDescriptor.KIND_DATA == kind) &&
                0 != bufferGpa && lengthBytes > 0)
            {
                final long hostAddress = guestMemory.translateForTouch(bufferGpa, lengthBytes);
                if (GuestMemory.NO_MAPPING != hostAddress)
                {
                    final int length = (int)lengthBytes;
                    dma.wrap(hostAddress, length);
                    // A stride of one line from the first byte meets every line but perhaps the last one.
                    for (int offset = 0; offset < length; offset += CACHE_LINE_BYTES)
                    {
                        lineSum += dma.getByte(offset);
                    }
                    lineSum += dma.getByte(length - 1);
                    touchedBytes += length;
                }
            }
            next = ring.next(next);
            touchedCount++;
        }
        while (touchedCount < limit && touchedBytes < windowBytes);
        // Kept, so the reads are not optimized away.
        touchedLineSum += lineSum;
        return touchedCount;
    }

    /**
     * Process one descriptor and write back its status.
     *
     * @param offset byte offset of the descriptor in the ring.
     * @return the descriptor's command byte.
     */
    private int processDescriptor(final int offset)
    {
        final TxDescriptor descriptor = this.descriptor;
        descriptor.decode(ringBuffer, offset);
        final int command = descriptor.command();
        switch (descriptor.kind())
        {
            case TxDescriptor.KIND_CONTEXT:
                onContext(command);
                break;

            case TxDescriptor.KIND_LEGACY:
                onData(PACKET_LEGACY, command);
                break;

            case TxDescriptor.KIND_DATA:
                onData(0 != (command & E1000TxDescriptor.CMD_TSE) ? PACKET_TSO : PACKET_DATA, command);
                break;

            default:
                onData(PACKET_INVALID, command);
                break;
        }
        if (0 != (command & WRITE_BACK_COMMANDS))
        {
            // SDM 3.3.3.2: only the status field is written back; DD set, EC/LC/TU clear (no collisions here).
            final int status = (descriptor.status() & 0xF0) | E1000TxDescriptor.STA_DD;
            // The guest may reuse the buffers once it sees DD: keep every read of them before this store.
            VarHandle.releaseFence();
            ringBuffer.putByte(offset + E1000TxDescriptor.STATUS_OFFSET, (byte)status);
        }
        return command;
    }

    /**
     * Context descriptor: loads the TSO slot if its TSE bit is set, else the checksum slot (SDM 3.3.6). It carries
     * no data. One arriving while a packet is being assembled changes the rules in the middle of that packet (the
     * VirtualBox 2018 exploit mixed contexts and data this way): the packet is dropped, the context still loads.
     */
    private void onContext(final int command)
    {
        if (packetActive)
        {
            markDrop(PortCounter.TX_DROP_BAD_SEQUENCE);
        }
        if (0 != (command & E1000TxDescriptor.TUCMD_TSE))
        {
            tsoContext.load(descriptor);
        }
        else
        {
            checksumContext.load(descriptor);
        }
    }

    private void onData(final int kind, final int command)
    {
        if (!packetActive)
        {
            startPacket(kind, command);
        }
        else if (PACKET_INVALID == kind)
        {
            markDrop(PortCounter.TX_DROP_MALFORMED);
        }
        else if (kind != packetKind)
        {
            markDrop(PortCounter.TX_DROP_BAD_SEQUENCE);
        }
        if (PACKET_INVALID != kind)
        {
            stage(descriptor.bufferGpa(), descriptor.lengthBytes());
        }
        if (0 != (command & E1000TxDescriptor.CMD_EOP))
        {
            endPacket(command);
        }
    }

    /**
     * First descriptor of a packet: latch what the SDM says is taken from it. POPTS is read from the first data
     * descriptor (SDM 3.3.7.1); for TSE packets VLE and the VLAN tag too ("only valid in the first data descriptor
     * of the TCP segmentation context"), for other packets they come from the EOP descriptor. Legacy CSS must be set
     * in the first descriptor (SDM 3.3.3).
     */
    private void startPacket(final int kind, final int command)
    {
        packetActive = true;
        packetKind = kind;
        packetLengthBytes = 0;
        packetDropReason = null;
        packetPopts = 0;
        packetCss = 0;
        packetVle = false;
        packetSpecial = 0;
        switch (kind)
        {
            case PACKET_LEGACY:
                packetCss = descriptor.css();
                break;

            case PACKET_DATA:
                packetPopts = descriptor.popts();
                if (0 != (packetPopts & (E1000TxDescriptor.POPTS_IXSM | E1000TxDescriptor.POPTS_TXSM)) &&
                    !checksumContext.isLoaded())
                {
                    markDrop(PortCounter.TX_DROP_NO_CONTEXT);
                }
                break;

            case PACKET_TSO:
                packetPopts = descriptor.popts();
                packetVle = 0 != (command & E1000TxDescriptor.CMD_VLE);
                packetSpecial = descriptor.special();
                if (!tsoContext.isLoaded())
                {
                    markDrop(PortCounter.TX_DROP_NO_CONTEXT);
                }
                break;

            default:
                markDrop(PortCounter.TX_DROP_MALFORMED);
                break;
        }
    }

    /**
     * Copy one buffer into the staging buffer. SDM 3.3.3: "descriptors with a null address ... or zero length
     * transfer no data". Nothing more is copied once the packet is known to be dropped.
     */
    private void stage(final long bufferGpa, final int lengthBytes)
    {
        if (0 == lengthBytes || 0 == bufferGpa || null != packetDropReason)
        {
            return;
        }
        if (lengthBytes > MAX_PACKET_BYTES - packetLengthBytes)
        {
            markDrop(PortCounter.TX_DROP_OVERSIZE);
            return;
        }
        final long hostAddress = guestMemory.translateForRead(bufferGpa, lengthBytes);
        if (GuestMemory.NO_MAPPING == hostAddress)
        {
            markDrop(PortCounter.TX_DROP_DMA_FAULT);
            return;
        }
        if (0 == packetLengthBytes)
        {
            packetStart = packetStartFor(hostAddress);
        }
        dmaBuffer.wrap(hostAddress, lengthBytes);
        staging.putBytesFromLine(packetStart + packetLengthBytes, dmaBuffer, 0, lengthBytes);
        emitter.budget().onCopy(lengthBytes);
        packetLengthBytes += lengthBytes;
    }

    /**
     * Where a packet whose first buffer is at {@code firstBufferHostAddress} starts in the staging buffer: at the
     * same offset within a 64-byte line. The JIT's copy is fastest when source and destination sit at the same offset
     * within their lines and that offset is 0: {@code FrameCopyBenchmark}, 1514 bytes, 46-48 ns line-aligned, 78-80 ns
     * with the destination 4 bytes further (as the fixed 4-byte headroom put staged frames 4, 20, 36 or 52 bytes into
     * a line, depending on the allocation), 94-96 ns with both 2 bytes into a line, 68-74 ns when that copy starts at
     * the source's next line ({@link DataPathBuffer#putBytesFromLine}, which the staging copy uses). So a packet's
     * first buffer is copied in fast whatever its alignment (a later buffer of the same packet lands wherever the
     * packet has reached), and the copy out into a receiving guest's buffer (Linux, like the synthetic guests, gives
     * line-aligned receive buffers) is fast too when the sender's buffer was line-aligned, as the synthetic guests'
     * are and a Linux sender's headers are not.
     *
     * @param firstBufferHostAddress host address of the packet's first buffer.
     * @return offset in {@link #staging}, from {@link #MIN_HEADROOM} to {@code MIN_HEADROOM + 63}.
     */
    int packetStartFor(final long firstBufferHostAddress)
    {
        final long headroomEnd = staging.addressOffset() + MIN_HEADROOM;
        return MIN_HEADROOM + (int)((firstBufferHostAddress - headroomEnd) & (CACHE_LINE_BYTES - 1));
    }

    private void endPacket(final int eopCommand)
    {
        PortCounter reason = packetDropReason;
        if (null == reason)
        {
            reason = transmit(eopCommand);
        }
        if (null != reason)
        {
            counters.increment(reason);
        }
        clearPacket();
    }

    /**
     * Send the assembled packet.
     *
     * @param eopCommand command byte of the EOP descriptor.
     * @return null when sent, else the drop reason.
     */
    private PortCounter transmit(final int eopCommand)
    {
        final int length = packetLengthBytes;
        if (0 == length)
        {
            return PortCounter.TX_DROP_EMPTY;
        }
        if (length < PacketHeaders.ETHERNET_HEADER_BYTES)
        {
            return PortCounter.TX_DROP_RUNT;
        }
        if (PACKET_TSO == packetKind)
        {
            final PortCounter invalid = segmenter.validate(tsoContext, packetPopts, length);
            if (null != invalid)
            {
                return invalid;
            }
        }
        else if (PACKET_DATA == packetKind)
        {
            final PortCounter invalid = TxChecksumOffload.validate(checksumContext, packetPopts, length);
            if (null != invalid)
            {
                return invalid;
            }
        }
        // The link is always up (no physical medium: STATUS.LU is constant, Phy), so there is no link-down drop to
        // decide here; when link state follows the backend, a packet sent while STATUS.LU is clear must be dropped
        // and counted under its own counter at this point.
        if (PACKET_TSO == packetKind)
        {
            emitter.prepareVlan(packetVle, packetSpecial);
            transmitTso(length);
        }
        else
        {
            // SDM 3.3.3.1 / 3.3.7.1: VLE, IC and the VLAN tag of a non-TSE packet are read from the EOP descriptor.
            emitter.prepareVlan(0 != (eopCommand & E1000TxDescriptor.CMD_VLE), descriptor.special());
            if (PACKET_LEGACY == packetKind)
            {
                if (0 != (eopCommand & E1000TxDescriptor.CMD_IC))
                {
                    TxChecksumOffload.insertLegacy(staging, packetStart, length, packetCss, descriptor.cso());
                }
                emitter.emit(staging, packetStart, length);
            }
            else
            {
                transmitData(length);
            }
        }
        return null;
    }

    private void transmitData(final int length)
    {
        if (emitter.acceptsOffload() && TxChecksumOffload.prepareOffload(
            staging, packetStart, length, checksumContext, packetPopts, emitter.resetOffloadInfo()))
        {
            emitter.emitOffload(staging, packetStart, length);
            return;
        }
        TxChecksumOffload.insert(
            staging, packetStart, length, checksumContext, packetPopts, emitter.resetOffloadInfo());
        emitter.emitWithMetadata(staging, packetStart, length);
    }

    /**
     * SDM 3.5 / 13.7: TSCTC counts TCP segmentation contexts transmitted; a packet whose payload does not match the
     * context's PAYLEN is still sent from the data actually given (the SDM leaves the result undefined) and counted
     * in TSCTFC ("abnormal termination events", SDM 3.3.7.1 EOP).
     */
    private void transmitTso(final int length)
    {
        final Statistics statistics = this.statistics;
        if (tsoContext.payloadLengthBytes() != length - tsoContext.headerLengthBytes())
        {
            statistics.increment(E1000Registers.TSCTFC);
        }
        statistics.increment(E1000Registers.TSCTC);
        if (emitter.acceptsOffload() && segmenter.prepareOffload(
            staging, packetStart, length, tsoContext, packetPopts, emitter.resetOffloadInfo()))
        {
            emitter.emitOffload(staging, packetStart, length);
            return;
        }
        segmenter.begin(staging, packetStart, length, tsoContext, packetPopts);
        emitSegments();
    }

    /**
     * Emit segments of the TSO packet being segmented while the pass's budget has room.
     *
     * @return segments emitted.
     */
    private int emitSegments()
    {
        final int segments = segmenter.emit(emitter, emitter.budget());
        counters.add(PortCounter.TX_TSO_SEGMENTS, segments);
        return segments;
    }

    private void markDrop(final PortCounter reason)
    {
        if (null == packetDropReason)
        {
            packetDropReason = reason;
        }
    }

    private void clearPacket()
    {
        packetActive = false;
        packetKind = PACKET_LEGACY;
        packetPopts = 0;
        packetCss = 0;
        packetLengthBytes = 0;
        packetDropReason = null;
        packetVle = false;
        packetSpecial = 0;
    }
}
