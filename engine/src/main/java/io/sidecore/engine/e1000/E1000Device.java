package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.PortFaultListener;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * One emulated 82540EM: the device model of one guest NIC. Only the agent thread that owns the port calls it.
 * <p>
 * Entry points: trapped accesses from the VMM ({@link #configRead}, {@link #configWrite}, {@link #mmioRead},
 * {@link #mmioWrite}, {@link #ioRead}, {@link #ioWrite}), doorbell polling and TX ({@link #pollTx}), frames from
 * the backend ({@link #receive}), moderation timers ({@link #onTimers}) and the whole-device reset
 * ({@link #powerOnReset}). No guest input makes any of them throw.
 * <p>
 * <b>Registers.</b> Every BAR0 dword's behaviour is one row of the {@link RegisterMap} (handlers, write mask, reset
 * value, SDM section); the special handlers are the methods of this class the rows name.
 * <p>
 * <b>Access sizes</b> (what a VMM may send: QEMU's vfio-user client sends BAR accesses of 1, 2, 4 or 8 bytes):
 * <ul>
 *     <li>BAR0: 1, 2 or 4 bytes at an offset that is a multiple of the size (so the access stays inside one
 *     register) act on those bytes only (byte enables, see {@link RegisterMap}); 8 bytes at an offset that is a
 *     multiple of 8 are split into two dword accesses, the lower address first, as a 32-bit PCI target sees a
 *     64-bit access.</li>
 *     <li>BAR1 (I/O): 1, 2 or 4 bytes, naturally aligned, on IOADDR (the latch) or IODATA (the same bytes of the
 *     BAR0 register IOADDR selects, SDM 13.2.2); x86 has no 8-byte I/O access, so 8 bytes are refused.</li>
 *     <li>Configuration space: 1, 2 or 4 bytes at any offset inside the 256-byte header ({@link PciConfigSpace}).</li>
 * </ul>
 * Any other access (misaligned, straddling a register, a size other than these, out of range) is refused: a read
 * returns 0, a write changes nothing, and it is counted in {@link PortCounter#BAD_REGISTER_ACCESSES}. The static
 * {@code isValid*Access} methods say in advance which accesses are refused, so the VMM's server can answer them with
 * an error.
 * <p>
 * <b>Resets.</b> The device powers on in its reset state (SDM 13.4, reset values in {@link E1000Registers},
 * RAL0/RAH0 = the port's MAC with AV). CTRL.RST is a MAC reset ({@link #resetMac}); PCI configuration space, the
 * EEPROM image, the PHY and the I/O address latch survive it. {@link #powerOnReset} resets everything.
 * <p>
 * <b>Collaborators.</b> The TX and RX processors get what they use at construction (register image, guest memory,
 * counters, statistics, interrupt controller, PCI space, fault state, frame emitter); they read no field of this
 * class.
 */
public final class E1000Device
{
    private static final int ALL_BITS = 0xFFFFFFFF;
    /** STATUS bits that do not follow the link: bit 31, GIO master enable, MTXCKOK (the reset value's). */
    private static final int STATUS_FIXED_BITS = E1000Registers.STATUS_RESET_VALUE &
        ~(E1000Registers.STATUS_FD | E1000Registers.STATUS_LU | E1000Registers.STATUS_SPEED_MASK |
        E1000Registers.STATUS_ASDV_MASK | E1000Registers.STATUS_TXOFF);

    final PortConfig config;
    final RegisterImage registers;
    final GuestMemory guestMemory;
    final PortCounters counters;
    final Statistics statistics;
    final InterruptController interrupts;
    final PciConfigSpace pci;
    final Eeprom eeprom;
    final Phy phy;
    final PortFaultState faults;
    final TxProcessor tx;
    final RxProcessor rx;
    private final boolean rdtrShared;
    private final boolean tidvShared;
    /** RCTL lives in a page the guest stores into directly, so {@link #loopback} could be stale: compute each time. */
    private final boolean rctlShared;
    /** STATUS lives in a page the guest stores into directly: read STATUS.LU each time. */
    private final boolean statusShared;
    private final int[] maskedSharedOffsets;
    private final int[] maskedSharedMasks;
    private int sweepIndex;
    private int ioAddress;
    private boolean transmitPaused;
    /** {@link #computeLoopback()} as of the last trapped write or reset (see {@link #isLoopback()}). */
    private boolean loopback;
    /** STATUS.LU as last stored ({@link #storeStatus}) or found after a trapped write. */
    private boolean statusLinkUp;

    /**
     * Create the device in its power-on (reset) state, telling nobody of its faults beyond its counters.
     *
     * @param config      identity and policy.
     * @param registers   the BAR0 image, with the port's shared pages.
     * @param guestMemory the guest's RAM.
     * @param counters    host-side counters.
     * @param sink        where transmitted frames go.
     * @param line        interrupt output.
     */
    public E1000Device(
        final PortConfig config,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final PortCounters counters,
        final FrameSink sink,
        final InterruptLine line)
    {
        this(config, registers, guestMemory, counters, sink, line, PortFaultListener.NONE);
    }

    /**
     * Create the device in its power-on (reset) state.
     *
     * @param config        identity and policy.
     * @param registers     the BAR0 image, with the port's shared pages.
     * @param guestMemory   the guest's RAM.
     * @param counters      host-side counters.
     * @param sink          where transmitted frames go.
     * @param line          interrupt output.
     * @param faultListener told of each port fault and of each reset that clears one.
     * @throws IllegalArgumentException when the image does not share the pages the config says.
     */
    public E1000Device(
        final PortConfig config,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final PortCounters counters,
        final FrameSink sink,
        final InterruptLine line,
        final PortFaultListener faultListener)
    {
        this(config, registers, guestMemory, counters, sink, line, faultListener,
            new EepromImage(config.macAddress()));
    }

    /**
     * Create the device in its power-on state over the port's EEPROM (kept across devices of the port).
     *
     * @param config        identity and policy.
     * @param registers     the BAR0 image, with the port's shared pages.
     * @param guestMemory   the guest's RAM.
     * @param counters      host-side counters.
     * @param sink          where transmitted frames go.
     * @param line          interrupt output.
     * @param faultListener told of each port fault and of each reset that clears one.
     * @param eepromImage   the port's EEPROM words; a guest's writes through EECD go there.
     * @throws IllegalArgumentException when the image does not share the pages the config says.
     */
    public E1000Device(
        final PortConfig config,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final PortCounters counters,
        final FrameSink sink,
        final InterruptLine line,
        final PortFaultListener faultListener,
        final EepromImage eepromImage)
    {
        if (registers.sharedPages() != config.sharedPages())
        {
            throw new IllegalArgumentException("register image shares pages 0x" +
                Integer.toHexString(registers.sharedPages()) + " but the port shares 0x" +
                Integer.toHexString(config.sharedPages()));
        }
        this.config = config;
        this.registers = registers;
        this.guestMemory = guestMemory;
        this.counters = counters;
        this.statistics = new Statistics(registers);
        this.interrupts = new InterruptController(registers, line, counters);
        this.pci = new PciConfigSpace(config.csbOffered());
        this.eeprom = new Eeprom(eepromImage);
        this.phy = new Phy();
        this.faults = new PortFaultState(config, counters, faultListener);
        final RingCollaborators ringCollaborators =
            new RingCollaborators(registers, guestMemory, counters, statistics, interrupts, pci, faults);
        this.tx = new TxProcessor(
            ringCollaborators, new TxFrameEmitter(registers, counters, statistics, new TransmitPath(sink)));
        this.rx = new RxProcessor(ringCollaborators);
        this.rdtrShared = registers.isShared(E1000Registers.RDTR);
        this.tidvShared = registers.isShared(E1000Registers.TIDV);
        this.rctlShared = registers.isShared(E1000Registers.RCTL);
        this.statusShared = registers.isShared(E1000Registers.STATUS);
        final int[] offsets = new int[E1000Registers.BAR0_LENGTH >>> 2];
        final int[] masks = new int[offsets.length];
        int masked = 0;
        for (int offset = 0; offset < E1000Registers.BAR0_LENGTH; offset += Integer.BYTES)
        {
            final int writeMask = RegisterMap.at(offset).writeMask();
            if (registers.isShared(offset) && RegisterMap.isPlainStore(offset) && ALL_BITS != writeMask)
            {
                offsets[masked] = offset;
                masks[masked++] = writeMask;
            }
        }
        this.maskedSharedOffsets = Arrays.copyOf(offsets, masked);
        this.maskedSharedMasks = Arrays.copyOf(masks, masked);
        resetMac(false);
        registersWritten();
    }

    /**
     * @param offset    byte offset in PCI configuration space.
     * @param sizeBytes access size.
     * @return true if {@link #configRead}/{@link #configWrite} carry out such an access (see the class description).
     */
    public static boolean isValidConfigAccess(final int offset, final int sizeBytes)
    {
        return PciConfigSpace.isValidAccess(offset, sizeBytes);
    }

    /**
     * @param offset    BAR0 byte offset.
     * @param sizeBytes access size.
     * @return true if {@link #mmioRead(int, int, long)}/{@link #mmioWrite(int, int, long, long)} carry out such an
     *         access: 1, 2 or 4 bytes at a multiple of the size, or 8 bytes at a multiple of 8, inside BAR0.
     */
    public static boolean isValidBar0Access(final int offset, final int sizeBytes)
    {
        return isSizeAndAlignmentValid(offset, sizeBytes, true) && offset <= E1000Registers.BAR0_LENGTH - sizeBytes;
    }

    /**
     * @param offset    BAR1 byte offset.
     * @param sizeBytes access size.
     * @return true if {@link #ioRead(int, int, long)}/{@link #ioWrite(int, int, long, long)} carry out such an
     *         access: 1, 2 or 4 bytes at a multiple of the size inside BAR1.
     */
    public static boolean isValidBar1Access(final int offset, final int sizeBytes)
    {
        return isSizeAndAlignmentValid(offset, sizeBytes, false) && offset <= E1000Registers.BAR1_LENGTH - sizeBytes;
    }

    /**
     * Read PCI configuration space: 1, 2 or 4 bytes at any offset inside the 256-byte header. Anything else reads
     * 0 and is counted as a bad access.
     *
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @return value.
     */
    public int configRead(final int offset, final int sizeBytes)
    {
        if (!PciConfigSpace.isValidAccess(offset, sizeBytes))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return 0;
        }
        return pci.read(offset, sizeBytes, interrupts.isLineAsserted());
    }

    /**
     * Write PCI configuration space (see {@link #configRead} for valid accesses). Command.INTx-disable takes
     * effect on the interrupt output at once.
     *
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @param value     value.
     */
    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        if (!PciConfigSpace.isValidAccess(offset, sizeBytes))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return;
        }
        pci.write(offset, sizeBytes, value);
        interrupts.setOutputDisabled(pci.isIntxDisabled());
    }

    /**
     * Trapped 32-bit BAR0 read.
     *
     * @param offset BAR0 byte offset.
     * @param nowNs  current time.
     * @return value.
     */
    public int mmioRead(final int offset, final long nowNs)
    {
        return (int)mmioRead(offset, Integer.BYTES, nowNs);
    }

    /**
     * Trapped BAR0 read of 1, 2, 4 or 8 bytes (see the class description); a refused access reads 0.
     *
     * @param offset    BAR0 byte offset.
     * @param sizeBytes access size.
     * @param nowNs     current time.
     * @return the bytes read, zero-extended.
     */
    public long mmioRead(final int offset, final int sizeBytes, final long nowNs)
    {
        counters.increment(PortCounter.TRAPPED_READS);
        if (!isValidBar0Access(offset, sizeBytes))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return 0;
        }
        if (Long.BYTES == sizeBytes)
        {
            final long low = readRegister(offset, nowNs) & 0xFFFF_FFFFL;
            return low | (long)readRegister(offset + Integer.BYTES, nowNs) << 32;
        }
        final int shift = (offset & 3) << 3;
        return (readRegister(offset & ~3, nowNs) >>> shift) & laneMask(sizeBytes);
    }

    /**
     * Trapped 32-bit BAR0 write.
     *
     * @param offset BAR0 byte offset.
     * @param value  value.
     * @param nowNs  current time.
     */
    public void mmioWrite(final int offset, final int value, final long nowNs)
    {
        mmioWrite(offset, Integer.BYTES, value & 0xFFFF_FFFFL, nowNs);
    }

    /**
     * Trapped BAR0 write of 1, 2, 4 or 8 bytes (see the class description); a refused access changes nothing.
     * The side effects are the rows' of the {@link RegisterMap}, e.g. CTRL.RST is a MAC reset, ICR is write 1 to
     * clear, TDT/RDT count as trapped doorbells.
     *
     * @param offset    BAR0 byte offset.
     * @param sizeBytes access size.
     * @param value     the bytes to write, in the low {@code sizeBytes} bytes.
     * @param nowNs     current time.
     */
    public void mmioWrite(final int offset, final int sizeBytes, final long value, final long nowNs)
    {
        counters.increment(PortCounter.TRAPPED_WRITES);
        if (!isValidBar0Access(offset, sizeBytes))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return;
        }
        if (Long.BYTES == sizeBytes)
        {
            writeRegister(offset, ALL_BITS, (int)value, nowNs);
            writeRegister(offset + Integer.BYTES, ALL_BITS, (int)(value >>> 32), nowNs);
            return;
        }
        final int shift = (offset & 3) << 3;
        writeRegister(offset & ~3, laneMask(sizeBytes) << shift, (int)value << shift, nowNs);
    }

    /**
     * Trapped 32-bit BAR1 (I/O) read.
     *
     * @param offset BAR1 byte offset.
     * @param nowNs  current time.
     * @return value.
     */
    public int ioRead(final int offset, final long nowNs)
    {
        return (int)ioRead(offset, Integer.BYTES, nowNs);
    }

    /**
     * Trapped BAR1 (I/O) read: IOADDR, or IODATA proxying a read of the BAR0 register IOADDR selects (SDM 13.2.1,
     * 13.2.2). Offsets 0x08-0x3C are reserved (read 0, counted as unknown).
     *
     * @param offset    BAR1 byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @param nowNs     current time.
     * @return the bytes read, zero-extended; 0 for a refused access.
     */
    public long ioRead(final int offset, final int sizeBytes, final long nowNs)
    {
        final int lane = offset & 3;
        if (isValidBar1Access(offset, sizeBytes) && E1000Registers.IODATA == offset - lane)
        {
            return mmioRead(ioAddress + lane, sizeBytes, nowNs);
        }
        counters.increment(PortCounter.TRAPPED_READS);
        if (!isValidBar1Access(offset, sizeBytes))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return 0;
        }
        if (E1000Registers.IOADDR == offset - lane)
        {
            return (ioAddress >>> (lane << 3)) & laneMask(sizeBytes);
        }
        counters.increment(PortCounter.UNKNOWN_REGISTER_ACCESSES);
        return 0;
    }

    /**
     * Trapped 32-bit BAR1 (I/O) write.
     *
     * @param offset BAR1 byte offset.
     * @param value  value.
     * @param nowNs  current time.
     */
    public void ioWrite(final int offset, final int value, final long nowNs)
    {
        ioWrite(offset, Integer.BYTES, value & 0xFFFF_FFFFL, nowNs);
    }

    /**
     * Trapped BAR1 (I/O) write: IOADDR selects a register (its bytes are a latch), IODATA writes the same bytes of
     * that BAR0 register. Linux and FreeBSD reset an 82540 by writing CTRL.RST through IODATA.
     *
     * @param offset    BAR1 byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @param value     the bytes to write, in the low {@code sizeBytes} bytes.
     * @param nowNs     current time.
     */
    public void ioWrite(final int offset, final int sizeBytes, final long value, final long nowNs)
    {
        final int lane = offset & 3;
        if (isValidBar1Access(offset, sizeBytes) && E1000Registers.IODATA == offset - lane)
        {
            mmioWrite(ioAddress + lane, sizeBytes, value, nowNs);
            return;
        }
        counters.increment(PortCounter.TRAPPED_WRITES);
        if (!isValidBar1Access(offset, sizeBytes))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return;
        }
        if (E1000Registers.IOADDR == offset - lane)
        {
            final int shift = lane << 3;
            final int lanes = laneMask(sizeBytes) << shift;
            ioAddress = ((ioAddress & ~lanes) | ((int)value << shift & lanes)) & E1000Registers.IOADDR_MASK;
            return;
        }
        counters.increment(PortCounter.UNKNOWN_REGISTER_ACCESSES);
    }

    /**
     * Poll the TX doorbell and process up to {@code descriptorBudget} descriptors.
     *
     * @param nowNs            current time.
     * @param descriptorBudget bound on descriptors.
     * @return work done.
     */
    public int pollTx(final long nowNs, final int descriptorBudget)
    {
        return pollTx(nowNs, descriptorBudget, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * One TX pass within the port's budgets (see {@link TxProcessor#process(long, int, int, long)}).
     *
     * @param nowNs            current time.
     * @param descriptorBudget bound on descriptors.
     * @param frameBudget      bound on frames produced, TSO segments included.
     * @param byteBudget       bound on bytes produced and bytes copied from guest memory.
     * @return work done.
     */
    public int pollTx(final long nowNs, final int descriptorBudget, final int frameBudget, final long byteBudget)
    {
        if (faults.isFaulted())
        {
            return 0;
        }
        return tx.process(nowNs, descriptorBudget, frameBudget, byteBudget);
    }

    /**
     * @return true while a TSO packet has segments left for a later pass.
     */
    public boolean isTxSegmenting()
    {
        return tx.isSegmenting();
    }

    /**
     * @return true if the last TX pass stopped at one of its budgets with work left.
     */
    public boolean isTxBudgetSpent()
    {
        return tx.isBudgetSpent();
    }

    /**
     * @return true if the last TX pass stopped early, work left, to let the sidecore answer another thread.
     */
    public boolean isTxYielded()
    {
        return tx.isYielded();
    }

    /**
     * @param signal asked by TX passes between frames whether another thread waits for the sidecore.
     */
    public void yieldTxWhen(final YieldSignal signal)
    {
        tx.yieldWhen(signal);
    }

    /**
     * @return how many {@link #pollSharedRegisters} calls it takes to look at every shared register with reserved
     *         bits once (one is looked at per call).
     */
    public int sharedRegistersSwept()
    {
        return maskedSharedOffsets.length;
    }

    /**
     * Registers of the shared pages are written by the guest straight into memory, past the write masks and the
     * actions a trapped write has. Each pass the sidecore looks at them as a trapped write would: RDTR and TIDV with
     * FPD set flush the pending RX or TX delay (SDM 13.4.30, 13.4.41: "flush partial descriptor block", write-only,
     * reads back 0), and one other shared register with reserved bits (ring bases, lengths, heads, tails, ring
     * control and timers, FIFO pointers), in turn, gets its reserved bits cleared (SDM 13.1: reserved bits read as
     * 0). Each store back is a compare-and-set, so a newer guest write is never lost. A read right after a write,
     * before the sidecore has looked, still returns the bits as written: the one way a shared page differs from a
     * trapped register (the driver's register self-test notices it, see the README's conformance table). What the
     * device acts on is always masked where it is read.
     *
     * @param nowNs current time.
     * @return registers corrected.
     */
    public int pollSharedRegisters(final long nowNs)
    {
        int workCount = 0;
        if (rdtrShared)
        {
            workCount += flushIfRequested(E1000Registers.RDTR, E1000Registers.RDTR_FPD, nowNs);
        }
        if (tidvShared)
        {
            workCount += flushIfRequested(E1000Registers.TIDV, E1000Registers.TIDV_FPD, nowNs);
        }
        final int count = maskedSharedOffsets.length;
        if (0 != count)
        {
            final int index = sweepIndex;
            sweepIndex = index + 1 == count ? 0 : index + 1;
            final int offset = maskedSharedOffsets[index];
            final int value = registers.getAcquire(offset);
            final int masked = value & maskedSharedMasks[index];
            if (masked != value && registers.compareAndSet(offset, value, masked))
            {
                workCount++;
            }
        }
        return workCount;
    }

    /**
     * A frame from the backend or switch for this port's guest.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length without FCS.
     * @param nowNs       current time.
     * @return {@link FrameSink#DELIVERED}, or the id of the drop counter the frame was counted under.
     */
    public int receive(final DirectBuffer frame, final int offset, final int lengthBytes,
        final long nowNs)
    {
        return receive(frame, offset, lengthBytes, null, nowNs);
    }

    /**
     * A frame from the backend or switch for this port's guest, with what travels with it (a transport checksum
     * another device inserted and carries is verified without summing the segment again).
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length without FCS.
     * @param metadata    the frame's metadata, or null.
     * @param nowNs       current time.
     * @return {@link FrameSink#DELIVERED}, or the id of the drop counter the frame was counted under.
     */
    public int receive(final DirectBuffer frame, final int offset, final int lengthBytes,
        final FrameMetadata metadata, final long nowNs)
    {
        if (isLoopback())
        {
            // SDM 13.4.22 RCTL.LBM, M88 loopback: the receive path is connected to the transmitter, not the wire.
            counters.increment(PortCounter.RX_DROP_DISABLED);
            return FrameSink.dropped(PortCounter.RX_DROP_DISABLED);
        }
        return rx.receive(frame, offset, lengthBytes, metadata, nowNs);
    }

    /**
     * A new pass of the sidecore over the port: the RX descriptor budget for the frames that reach it until the next
     * (see {@link RxProcessor#beginPass}).
     *
     * @param rxDescriptorBudget RX descriptors the scans may examine.
     */
    public void beginPass(final int rxDescriptorBudget)
    {
        rx.beginPass(rxDescriptorBudget);
    }

    /**
     * Start or end an RX batch: inside one, RDH and the RX interrupt causes of the frames received are published
     * once, when the batch ends or is flushed (see {@link RxProcessor#batching}). Agent thread.
     *
     * @param on    true to start a batch, false to flush and end it.
     * @param nowNs current time.
     */
    public void rxBatching(final boolean on, final long nowNs)
    {
        rx.batching(on, nowNs);
    }

    /**
     * Publish what the current RX batch deferred (RDH, RX interrupt causes), before anything else looks at the
     * device (a command). Agent thread.
     *
     * @param nowNs current time.
     */
    public void flushRxBatch(final long nowNs)
    {
        rx.flushBatch(nowNs);
    }

    /**
     * Fire expired moderation deadlines.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int onTimers(final long nowNs)
    {
        int fired = 0;
        if (phy.onTimers(nowNs))
        {
            fired++;
            refreshStatus(nowNs);
        }
        return fired + interrupts.onTimers(nowNs);
    }

    /**
     * @return when {@link #onTimers} next has something to do (a moderation deadline, or the PHY completing
     *         autonegotiation), or {@link InterruptController#NO_DEADLINE}.
     */
    public long nextTimerDeadlineNs()
    {
        return Math.min(interrupts.nextDeadlineNs(), phy.nextDeadlineNs());
    }

    /**
     * Say to whom the device reports that {@link #nextTimerDeadlineNs()} may have moved earlier: every timer armed
     * (RDTR, RADV, TIDV, TADV, the ITR window, PHY autonegotiation) and the ITR window once an edge waits for it,
     * whatever armed it (a frame, a TX write-back, a trapped ITR/ICS/IMS write, a reset of the PHY). Agent thread.
     *
     * @param listener the serving sidecore's, or {@link DeadlineListener#NONE}.
     */
    public void deadlineListener(final DeadlineListener listener)
    {
        interrupts.deadlineListener(listener);
        phy.deadlineListener(listener);
    }

    /**
     * The medium came or went: the backend's carrier, or the operator's link setting. Down takes the link down at
     * once; up starts autonegotiation (or brings a forced link up at once). Each change of STATUS.LU raises LSC
     * (SDM 13.4.17).
     *
     * @param up    true when a link partner is there.
     * @param nowNs current time.
     */
    public void setMediumUp(final boolean up, final long nowNs)
    {
        if (phy.setMedium(up, nowNs))
        {
            refreshStatus(nowNs);
        }
    }

    /**
     * Load RAL0/RAH0 from the EEPROM's words 0-2, as the hardware does at every reset (SDM 5.6.1, 13.5.3). The port
     * calls it when the owning agent adopts a device built on a control thread, so a MAC written through EECD by an
     * earlier guest is read on the thread that wrote it.
     */
    public void loadEepromMacAddress()
    {
        final EepromImage image = eeprom.image();
        registers.set(E1000Registers.ral(0), image.word(0) | image.word(1) << 16);
        registers.set(E1000Registers.rah(0), image.word(2) | E1000Registers.RAH_AV);
    }

    /**
     * The medium of a device that has just powered on and that no guest has touched: its link is up at once when the
     * medium is (see {@link Phy}), and no LSC is raised.
     *
     * @param up true when a link partner is there.
     */
    public void initialMediumUp(final boolean up)
    {
        phy.initialMedium(up);
        storeStatus(computeStatus());
        registersWritten();
    }

    /**
     * The port holds the guest's transmit descriptors back (its rate limit): shown as STATUS.TXOFF, the transmitter
     * paused as by a received PAUSE frame (SDM 13.4.2), which is what the Linux driver's hang check accepts as a
     * reason for descriptors not completing.
     *
     * @param paused true while descriptors wait.
     */
    public void transmitPaused(final boolean paused)
    {
        if (paused != transmitPaused)
        {
            transmitPaused = paused;
            storeStatus(computeStatus());
        }
    }

    /**
     * Whole-device reset to the power-on state, as a PCI reset (PCI 3.0 6.6.1: RST# returns every register to its
     * default), a VM reboot or a VMM that goes away needs it: every BAR0 register (private and shared pages: the
     * doorbell pages are zeroed) back to its reset value with the EEPROM-loaded MAC in RAL0/RAH0, the EEPROM
     * interface idle, the PHY and PCI configuration space at their defaults (command register 0: no bus mastering),
     * the I/O BAR's address latch 0, the interrupt line deasserted and every moderation timer stopped, TX/RX packet
     * state dropped and a port fault cleared. Both rings stop (TCTL and RCTL are 0, their bases 0, and bus mastering
     * is off), so nothing is read from or written to guest memory until a driver sets the device up again. The
     * host's moderation floor and the RX read-ahead depth are configuration, not device state, and stay. Counted in
     * {@link PortCounter#DEVICE_RESETS}.
     */
    public void powerOnReset()
    {
        pci.reset();
        interrupts.setOutputDisabled(pci.isIntxDisabled());
        ioAddress = 0;
        phy.powerOnReset();
        eeprom.powerOn();
        transmitPaused = false;
        resetMac(false);
        registersWritten();
        counters.increment(PortCounter.DEVICE_RESETS);
    }

    /**
     * PCI command register bus-master bit: gates every DMA the device does (SDM 4.1).
     *
     * @return true if the device may access guest memory.
     */
    public boolean isBusMasterEnabled()
    {
        return pci.isBusMasterEnabled();
    }

    /**
     * @return STATUS.LU.
     */
    public boolean isLinkUp()
    {
        return 0 != (registers.get(E1000Registers.STATUS) & E1000Registers.STATUS_LU);
    }

    /**
     * @return PHY BMCR.LOOPBACK: transmitted frames go to this port's own receive path.
     */
    public boolean isPhyLoopback()
    {
        return phy.isLoopback();
    }

    /**
     * Set how many RX buffers' first lines a batch's first frame reads ahead at most ({@link RxProcessor}'s
     * read-ahead, {@code sidecore.rx.read.ahead.descriptors}); 0 turns it off. Agent thread.
     *
     * @param descriptors 0 to {@link RxProcessor#MAX_READ_AHEAD_DESCRIPTORS}.
     */
    public void rxReadAheadDescriptors(final int descriptors)
    {
        rx.readAheadDescriptors(descriptors);
    }

    /**
     * @return most RX buffers whose first line a batch's first frame reads ahead.
     */
    public int rxReadAheadDescriptors()
    {
        return rx.readAheadDescriptors();
    }

    /**
     * @return MAC loopback (RCTL.LBM not 00, SDM 13.4.22) or PHY loopback (BMCR bit 14): every frame the guest
     *         transmits comes back on its own receive ring, nothing leaves the port and nothing from outside enters.
     */
    public boolean isLoopback()
    {
        // Asked for every frame (by the TX path and the RX path) and by the offload question of every TX pass, so kept
        // rather than read from the PHY and the register image each time (issue 11 §0; GuestToGuestPathBenchmark).
        // Both bits change only through a trapped write (RCTL, MDIC, CTRL) or a reset, each of which ends in
        // registersWritten, unless RCTL is in a shared page, where the guest stores it directly: read it then.
        return rctlShared ? computeLoopback() : loopback;
    }

    private boolean computeLoopback()
    {
        return phy.isLoopback() || 0 != (registers.get(E1000Registers.RCTL) & E1000Registers.RCTL_LBM_MASK);
    }

    /**
     * After every trapped register write and every reset: what the data path keeps between frames is decoded again
     * from the register image (which is also how a test that sets STATUS straight in the image, then makes a trapped
     * write, has its STATUS seen).
     */
    private void registersWritten()
    {
        loopback = computeLoopback();
        statusLinkUp = isLinkUp();
        rx.registersWritten();
    }

    /**
     * @return STATUS.LU as the guest sees it (asked per frame by the transmit path).
     */
    private boolean isStatusLinkUp()
    {
        return statusShared ? isLinkUp() : statusLinkUp;
    }

    /**
     * @return the medium (backend carrier and operator link) as last set.
     */
    public boolean isMediumUp()
    {
        return phy.isMediumUp();
    }

    /**
     * @return true if quarantined by a {@link PortFault}.
     */
    public boolean isFaulted()
    {
        return faults.isFaulted();
    }

    /**
     * @return the fault the port is quarantined by, or null.
     */
    public PortFault fault()
    {
        return faults.fault();
    }

    /**
     * @return the port's fault state (the fault with its register and value).
     */
    public PortFaultState faultState()
    {
        return faults;
    }

    /**
     * @return identity.
     */
    public PortConfig config()
    {
        return config;
    }

    /**
     * @return the register image.
     */
    public RegisterImage registers()
    {
        return registers;
    }

    /**
     * @return host counters.
     */
    public PortCounters counters()
    {
        return counters;
    }

    /**
     * @return interrupt state.
     */
    public InterruptController interrupts()
    {
        return interrupts;
    }

    int readIcr(final long nowNs)
    {
        counters.increment(PortCounter.ICR_READS);
        return interrupts.readIcr(nowNs);
    }

    /**
     * Statistics are clear-on-read (SDM 13.7). The 64-bit octet counters are read low half first: reading the
     * low half does not clear, reading the high half clears both halves ({@link Statistics#readOctetsLow},
     * {@link Statistics#readOctetsHighAndClear}: what the high read clears is what the low read showed).
     */
    int readStatistic(final int offset)
    {
        switch (offset)
        {
            case E1000Registers.GORCL:
            case E1000Registers.GOTCL:
            case E1000Registers.TORL:
            case E1000Registers.TOTL:
                return statistics.readOctetsLow(offset);
            case E1000Registers.GORCH:
            case E1000Registers.GOTCH:
            case E1000Registers.TORH:
            case E1000Registers.TOTH:
                return statistics.readOctetsHighAndClear(offset);
            default:
                final int value = registers.get(offset);
                registers.set(offset, 0);
                return value;
        }
    }

    /**
     * CTRL (and its alias CTRL_DUP, SDM 13.4.1): RST is a MAC reset and the rest of that write is discarded; PHY_RST
     * holds the PHY in reset while set; SLU, FRCSPD/FRCDPX with SPEED/FD show in STATUS at once.
     */
    void writeCtrl(final int value, final long nowNs)
    {
        if (0 != (value & E1000Registers.CTRL_RST))
        {
            resetMac(true);
            counters.increment(PortCounter.DEVICE_RESETS);
            // CTRL is back at its reset value, PHY_RST clear: a PHY held in reset comes out of it.
            if (phy.holdInReset(false, nowNs))
            {
                refreshStatus(nowNs);
            }
            return;
        }
        registers.set(E1000Registers.CTRL, value & E1000Registers.CTRL_WRITE_MASK);
        phy.holdInReset(0 != (value & E1000Registers.CTRL_PHY_RST), nowNs);
        refreshStatus(nowNs);
    }

    /**
     * EECD drives the Microwire EEPROM (SDM 13.4.3); a command other than READ is refused and counted.
     */
    void writeEecd(final int value)
    {
        if (eeprom.writeEecd(value))
        {
            counters.increment(PortCounter.EEPROM_COMMAND_ERRORS);
        }
        registers.set(E1000Registers.EECD, eeprom.eecd());
    }

    /**
     * EERD (SDM 13.4.4): START reads the word at ADDR into DATA and sets DONE (START reads back 0). An address
     * beyond the 64-word part completes with DONE and no data, as QEMU does.
     */
    void writeEerd(final int value)
    {
        final int address = (value & E1000Registers.EERD_ADDR_MASK) >>> E1000Registers.EERD_ADDR_SHIFT;
        int result = address << E1000Registers.EERD_ADDR_SHIFT;
        if (0 != (value & E1000Registers.EERD_START))
        {
            result |= E1000Registers.EERD_DONE;
            if (address < E1000Registers.EEPROM_WORD_COUNT)
            {
                result |= eeprom.word(address) << E1000Registers.EERD_DATA_SHIFT;
            }
        }
        registers.set(E1000Registers.EERD, result);
    }

    /**
     * MDIC (SDM 13.4.7): the access completes at once with READY. ERROR is set for a PHY address other than 1, a
     * register the PHY does not implement, a write to a read-only register, or a reserved opcode; IE raises MDAC.
     */
    void writeMdic(final int value, final long nowNs)
    {
        final int phyAddress = (value & E1000Registers.MDIC_PHY_MASK) >>> E1000Registers.MDIC_PHY_SHIFT;
        final int phyRegister = (value & E1000Registers.MDIC_REG_MASK) >>> E1000Registers.MDIC_REG_SHIFT;
        final int opcode = (value >>> E1000Registers.MDIC_OP_SHIFT) & E1000Registers.MDIC_OP_FIELD_MASK;
        int result = value & E1000Registers.MDIC_WRITE_MASK;
        boolean error = E1000Registers.PHY_ADDRESS != phyAddress;
        if (!error)
        {
            if ((E1000Registers.MDIC_OP_READ >>> E1000Registers.MDIC_OP_SHIFT) == opcode)
            {
                final int data = phy.read(phyRegister);
                if (Phy.NOT_IMPLEMENTED == data)
                {
                    error = true;
                }
                else
                {
                    result = (result & ~E1000Registers.MDIC_DATA_MASK) | data;
                }
            }
            else if ((E1000Registers.MDIC_OP_WRITE >>> E1000Registers.MDIC_OP_SHIFT) == opcode)
            {
                error = !phy.write(phyRegister, value & E1000Registers.MDIC_DATA_MASK, nowNs);
                refreshStatus(nowNs);
            }
            else
            {
                error = true;
            }
        }
        if (error)
        {
            result |= E1000Registers.MDIC_ERROR;
            counters.increment(PortCounter.PHY_ACCESS_ERRORS);
        }
        registers.set(E1000Registers.MDIC, result | E1000Registers.MDIC_READY);
        if (0 != (value & E1000Registers.MDIC_INT_EN))
        {
            interrupts.raise(E1000Registers.ICR_MDAC, nowNs);
        }
    }

    /**
     * PBA: software sets the receive allocation (KB); the transmit allocation is what remains of the 64 KB packet
     * buffer and is read-only.
     */
    void writePba(final int value)
    {
        final int receiveKb = Math.min(value & E1000Registers.PBA_RXA_MASK, E1000Registers.PBA_TOTAL_KB);
        registers.set(E1000Registers.PBA,
            receiveKb | (E1000Registers.PBA_TOTAL_KB - receiveKb) << E1000Registers.PBA_TXA_SHIFT);
    }

    /**
     * RDTR (SDM 13.4.30): the delay is stored; FPD (write-only) expires the pending RX delay at once.
     */
    void writeRdtr(final int value, final long nowNs)
    {
        registers.set(E1000Registers.RDTR, value & E1000Registers.TIMER_MASK);
        if (0 != (value & E1000Registers.RDTR_FPD))
        {
            interrupts.flushRx(nowNs);
        }
    }

    /**
     * TIDV (SDM 13.4.41): the delay is stored; FPD (write-only) expires the pending TX delay at once.
     */
    void writeTidv(final int value, final long nowNs)
    {
        registers.set(E1000Registers.TIDV, value & E1000Registers.TIMER_MASK);
        if (0 != (value & E1000Registers.TIDV_FPD))
        {
            interrupts.flushTx(nowNs);
        }
    }

    private int flushIfRequested(final int offset, final int flushBit, final long nowNs)
    {
        final int value = registers.getAcquire(offset);
        if (0 == (value & ~E1000Registers.TIMER_MASK) ||
            !registers.compareAndSet(offset, value, value & E1000Registers.TIMER_MASK))
        {
            return 0;
        }
        if (0 != (value & flushBit))
        {
            if (E1000Registers.RDTR == offset)
            {
                interrupts.flushRx(nowNs);
            }
            else
            {
                interrupts.flushTx(nowNs);
            }
        }
        return 1;
    }

    /**
     * MAC reset (CTRL.RST, SDM 13.4.1; e1000-checklist 2.1): every BAR0 register back to its reset value (the
     * {@link RegisterMap}'s, and RAL0/RAH0 = the MAC from the EEPROM with AV), the EEPROM interface idle, moderation
     * timers stopped and the line deasserted, TX/RX per-packet state dropped and a port fault cleared. PCI
     * configuration, the EEPROM image, the PHY and IOADDR are kept. RST itself reads back 0.
     * <p>
     * PBA survives a software reset: its receive/transmit split takes effect at the reset that follows the write
     * (SDM 13.4.16: "software must reset ... (CTRL.RST) after changing this register in order for it to take
     * effect"; the register itself is reset only at power-on), which is why Linux's {@code e1000_reset} writes PBA
     * and then resets.
     *
     * @param softwareReset true for CTRL.RST, false at power-on.
     */
    private void resetMac(final boolean softwareReset)
    {
        final int pba = registers.get(E1000Registers.PBA);
        registers.clear();
        RegisterMap.applyResetValues(registers);
        if (softwareReset)
        {
            registers.set(E1000Registers.PBA, pba);
        }
        loadEepromMacAddress();
        eeprom.resetInterface();
        registers.set(E1000Registers.EECD, eeprom.eecd());
        storeStatus(computeStatus());
        interrupts.reset();
        statistics.discardPending();
        tx.reset();
        rx.reset();
        faults.clear();
    }

    /**
     * STATUS as the MAC shows the PHY's link (SDM 13.4.2): LU when the PHY has link and CTRL.SLU lets the MAC see it
     * (SDM 13.4.1 SLU: "must be set ... to permit the MAC to recognize the LINK signal from the PHY"); SPEED and FD
     * from CTRL when FRCSPD/FRCDPX force them (SDM 13.4.1), else the PHY's resolved values; ASDV the PHY's speed;
     * TXOFF while the transmitter is paused. Raises LSC when LU changes.
     */
    private void refreshStatus(final long nowNs)
    {
        final int before = registers.get(E1000Registers.STATUS);
        final int status = computeStatus();
        storeStatus(status);
        if (0 != ((before ^ status) & E1000Registers.STATUS_LU))
        {
            interrupts.raise(E1000Registers.ICR_LSC, nowNs);
        }
    }

    /**
     * Every store of STATUS the device makes goes through here (SDM 13.4.2: STATUS is read-only to software, the
     * device alone sets it): the link bit is decoded for the transmit path and the receive path is told, so neither
     * reads STATUS per frame.
     */
    private void storeStatus(final int status)
    {
        registers.set(E1000Registers.STATUS, status);
        statusLinkUp = 0 != (status & E1000Registers.STATUS_LU);
        rx.registersWritten();
    }

    private int computeStatus()
    {
        final int ctrl = registers.get(E1000Registers.CTRL);
        final int phySpeed = phy.speedCode();
        int speed = phySpeed;
        if (0 != (ctrl & E1000Registers.CTRL_FRCSPD))
        {
            speed = Math.min((ctrl & E1000Registers.CTRL_SPEED_MASK) >>> E1000Registers.CTRL_SPEED_SHIFT,
                Phy.SPEED_1000);
        }
        final boolean fullDuplex = 0 != (ctrl & E1000Registers.CTRL_FRCDPX) ?
            0 != (ctrl & E1000Registers.CTRL_FD) : phy.isFullDuplex();
        final boolean linkUp = phy.isLinkUp() && 0 != (ctrl & E1000Registers.CTRL_SLU);
        // ASDV reads 11 for 1000 Mb/s, as the reset value (and QEMU) has it.
        final int detected = Phy.SPEED_1000 == phySpeed ? 3 : phySpeed;
        return STATUS_FIXED_BITS | speed << E1000Registers.STATUS_SPEED_SHIFT |
            detected << E1000Registers.STATUS_ASDV_SHIFT | (fullDuplex ? E1000Registers.STATUS_FD : 0) |
            (linkUp ? E1000Registers.STATUS_LU : 0) | (transmitPaused ? E1000Registers.STATUS_TXOFF : 0);
    }

    /**
     * One whole BAR0 register read, through its row.
     *
     * @param offset 4-byte aligned, valid BAR0 offset.
     */
    private int readRegister(final int offset, final long nowNs)
    {
        final RegisterMap.Register row = RegisterMap.at(offset);
        return row.reader().read(this, offset + row.aliasDelta(), nowNs);
    }

    /**
     * One BAR0 register write, through its row, of the bytes in {@code lanes} (all ones for a whole dword).
     *
     * @param offset 4-byte aligned, valid BAR0 offset.
     * @param lanes  the written bytes' bits.
     * @param value  the written bytes, in place.
     */
    private void writeRegister(final int offset, final int lanes, final int value, final long nowNs)
    {
        final RegisterMap.Register row = RegisterMap.at(offset);
        final int storage = offset + row.aliasDelta();
        int merged = value;
        if (ALL_BITS != lanes)
        {
            final int kept = RegisterMap.Lanes.MERGE == row.lanes() ? registers.get(storage) & ~lanes : 0;
            merged = kept | (value & lanes);
        }
        row.writer().write(this, storage, merged, row.writeMask(), nowNs);
        registersWritten();
    }

    private static boolean isSizeAndAlignmentValid(final int offset, final int sizeBytes, final boolean allowQword)
    {
        final boolean sizeValid = 1 == sizeBytes || 2 == sizeBytes || 4 == sizeBytes ||
            (allowQword && Long.BYTES == sizeBytes);
        return sizeValid && offset >= 0 && 0 == (offset & (sizeBytes - 1));
    }

    private static int laneMask(final int sizeBytes)
    {
        return Integer.BYTES == sizeBytes ? ALL_BITS : (1 << (sizeBytes << 3)) - 1;
    }
    /**
     * Between the transmit path and the port: a frame loops back to this device's receive path in MAC or PHY
     * loopback (SDM 13.4.22 RCTL.LBM, PHY BMCR bit 14), is dropped and counted under
     * {@link PortCounter#TX_DROP_LINK_DOWN} while STATUS.LU is clear (nothing is on the wire to carry it), and
     * otherwise goes to the port. Offload work is handed on only to a port that takes it, never looped.
     */
    private final class TransmitPath implements FrameSink
    {
        private final FrameSink port;

        TransmitPath(final FrameSink port)
        {
            this.port = port;
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes,
            final FrameMetadata metadata, final long nowNs)
        {
            if (isLoopback())
            {
                return rx.receive(frame, offset, lengthBytes, nowNs);
            }
            if (!isStatusLinkUp())
            {
                counters.increment(PortCounter.TX_DROP_LINK_DOWN);
                return FrameSink.dropped(PortCounter.TX_DROP_LINK_DOWN);
            }
            return port.onFrame(frame, offset, lengthBytes, metadata, nowNs);
        }

        public boolean acceptsOffload()
        {
            return !isLoopback() && port.acceptsOffload();
        }
    }
}
