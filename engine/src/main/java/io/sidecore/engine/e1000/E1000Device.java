package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.PortFaultListener;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;

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
 * RAL0/RAH0 = the port's MAC with AV). CTRL.RST is a MAC reset ({@link #resetMac()}); PCI configuration space, the
 * EEPROM image, the PHY and the I/O address latch survive it. {@link #powerOnReset} resets everything.
 * <p>
 * <b>Collaborators.</b> The TX and RX processors get what they use at construction (register image, guest memory,
 * counters, statistics, interrupt controller, PCI space, fault state, frame emitter); they read no field of this
 * class.
 */
public final class E1000Device
{
    private static final int ALL_BITS = 0xFFFFFFFF;

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
    private final byte[] macAddress;
    private int ioAddress;

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
        this.macAddress = config.macAddress();
        this.statistics = new Statistics(registers);
        this.interrupts = new InterruptController(registers, line, counters);
        this.pci = new PciConfigSpace(config.csbOffered());
        this.eeprom = new Eeprom(macAddress);
        this.phy = new Phy();
        this.faults = new PortFaultState(config, counters, faultListener);
        final RingCollaborators ringCollaborators =
            new RingCollaborators(registers, guestMemory, counters, statistics, interrupts, pci, faults);
        this.tx = new TxProcessor(
            ringCollaborators, new TxFrameEmitter(registers, counters, statistics, sink));
        this.rx = new RxProcessor(ringCollaborators);
        resetMac();
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
     * A frame from the backend or switch for this port's guest.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length without FCS.
     * @param nowNs       current time.
     * @return {@link FrameSink#DELIVERED}, or the id of the drop counter the frame was counted under.
     */
    public int receive(final org.agrona.DirectBuffer frame, final int offset, final int lengthBytes,
        final long nowNs)
    {
        return rx.receive(frame, offset, lengthBytes, nowNs);
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
     * Fire expired moderation deadlines.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int onTimers(final long nowNs)
    {
        return interrupts.onTimers(nowNs);
    }

    /**
     * @return when {@link #onTimers} next has something to do, or {@link InterruptController#NO_DEADLINE}.
     */
    public long nextTimerDeadlineNs()
    {
        return interrupts.nextDeadlineNs();
    }

    /**
     * Whole-device reset to the power-on state, as a PCI reset (PCI 3.0 6.6.1: RST# returns every register to its
     * default), a VM reboot or a VMM that goes away needs it: every BAR0 register (private and shared pages: the
     * doorbell pages are zeroed) back to its reset value with the EEPROM-loaded MAC in RAL0/RAH0, the EEPROM
     * interface idle, the PHY and PCI configuration space at their defaults (command register 0: no bus mastering),
     * the I/O BAR's address latch 0, the interrupt line deasserted and every moderation timer stopped, TX/RX packet
     * state dropped and a port fault cleared. Both rings stop (TCTL and RCTL are 0, their bases 0, and bus mastering
     * is off), so nothing is read from or written to guest memory until a driver sets the device up again. The
     * host's moderation floor is configuration, not device state, and stays. Counted in
     * {@link PortCounter#DEVICE_RESETS}.
     */
    public void powerOnReset()
    {
        pci.reset();
        interrupts.setOutputDisabled(pci.isIntxDisabled());
        ioAddress = 0;
        phy.reset();
        resetMac();
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
     * low half does not clear, reading the high half clears both halves.
     */
    int readStatistic(final int offset)
    {
        final int value = registers.get(offset);
        switch (offset)
        {
            case E1000Registers.GORCL:
            case E1000Registers.GOTCL:
            case E1000Registers.TORL:
            case E1000Registers.TOTL:
                return value;
            case E1000Registers.GORCH:
            case E1000Registers.GOTCH:
            case E1000Registers.TORH:
            case E1000Registers.TOTH:
                registers.set(offset - 4, 0);
                registers.set(offset, 0);
                return value;
            default:
                registers.set(offset, 0);
                return value;
        }
    }

    /**
     * CTRL (and its alias CTRL_DUP, SDM 13.4.1): RST is a MAC reset and the rest of that write is discarded; PHY_RST
     * resets the PHY registers.
     */
    void writeCtrl(final int value)
    {
        if (0 != (value & E1000Registers.CTRL_RST))
        {
            resetMac();
            counters.increment(PortCounter.DEVICE_RESETS);
            return;
        }
        registers.set(E1000Registers.CTRL, value & E1000Registers.CTRL_WRITE_MASK);
        if (0 != (value & E1000Registers.CTRL_PHY_RST))
        {
            phy.reset();
        }
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
                error = !phy.write(phyRegister, value & E1000Registers.MDIC_DATA_MASK);
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

    /**
     * MAC reset (CTRL.RST, SDM 13.4.1; e1000-checklist 2.1): every BAR0 register back to its reset value (the
     * {@link RegisterMap}'s, and RAL0/RAH0 = the MAC from the EEPROM with AV), the EEPROM interface idle, moderation
     * timers stopped and the line deasserted, TX/RX per-packet state dropped and a port fault cleared. PCI
     * configuration, the EEPROM image, the PHY and IOADDR are kept. RST itself reads back 0.
     */
    private void resetMac()
    {
        registers.clear();
        RegisterMap.applyResetValues(registers);
        registers.set(E1000Registers.ral(0),
            (macAddress[0] & 0xFF) | (macAddress[1] & 0xFF) << 8 |
            (macAddress[2] & 0xFF) << 16 | (macAddress[3] & 0xFF) << 24);
        registers.set(E1000Registers.rah(0),
            (macAddress[4] & 0xFF) | (macAddress[5] & 0xFF) << 8 | E1000Registers.RAH_AV);
        eeprom.resetInterface();
        registers.set(E1000Registers.EECD, eeprom.eecd());
        interrupts.reset();
        tx.reset();
        rx.reset();
        faults.clear();
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
}
