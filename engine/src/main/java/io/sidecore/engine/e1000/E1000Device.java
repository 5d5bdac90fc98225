package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;

/**
 * One emulated 82540EM: the device model of one guest NIC. Only the agent thread that owns the port calls it.
 * <p>
 * Entry points: trapped accesses from the VMM ({@link #configRead}, {@link #configWrite}, {@link #mmioRead},
 * {@link #mmioWrite}, {@link #ioRead}, {@link #ioWrite}), doorbell polling and TX ({@link #pollTx}), frames from
 * the backend ({@link #receive}) and moderation timers ({@link #onTimers}). No guest input makes any of them throw.
 * <p>
 * Registers are dispatched through a static table indexed by {@code offset >> 2} that gives each BAR0 dword a kind
 * and a write mask:
 * <ul>
 *     <li>{@code STORED}: the write stores {@code value & mask} (reserved bits read 0), the read returns it;</li>
 *     <li>{@code READ_ONLY}: writes are ignored (STATUS, RXCW);</li>
 *     <li>{@code STATISTIC}: read-only and clear-on-read (SDM 13.7);</li>
 *     <li>{@code SPECIAL}: registers with side effects, handled by a switch over their named offsets;</li>
 *     <li>{@code UNKNOWN}: reads 0, writes ignored, both counted in {@link PortCounter#UNKNOWN_REGISTER_ACCESSES}.
 *     </li>
 * </ul>
 * Unaligned or out-of-range accesses are counted in {@link PortCounter#BAD_REGISTER_ACCESSES} and read 0.
 * <p>
 * The device powers on in its reset state (SDM 13.4, reset values in {@link E1000Registers}, RAL0/RAH0 = the
 * port's MAC with AV). CTRL.RST is a real MAC reset (see {@link #mmioWrite}); PCI configuration space, the
 * EEPROM image and the PHY survive it.
 */
public final class E1000Device
{
    private static final byte UNKNOWN = 0;
    private static final byte STORED = 1;
    private static final byte READ_ONLY = 2;
    private static final byte STATISTIC = 3;
    private static final byte SPECIAL = 4;
    private static final int ALL_BITS = 0xFFFFFFFF;
    private static final int DWORDS = E1000Registers.BAR0_LENGTH >>> 2;
    private static final byte[] KINDS = new byte[DWORDS];
    private static final int[] WRITE_MASKS = new int[DWORDS];

    static
    {
        special(E1000Registers.CTRL);
        special(E1000Registers.CTRL_DUP);
        readOnly(E1000Registers.STATUS);
        special(E1000Registers.EECD);
        special(E1000Registers.EERD);
        stored(E1000Registers.CTRL_EXT, E1000Registers.CTRL_EXT_WRITE_MASK);
        special(E1000Registers.MDIC);
        stored(E1000Registers.FCAL, ALL_BITS);
        stored(E1000Registers.FCAH, E1000Registers.LOW16_MASK);
        stored(E1000Registers.FCT, E1000Registers.LOW16_MASK);
        stored(E1000Registers.VET, E1000Registers.LOW16_MASK);
        special(E1000Registers.ICR);
        stored(E1000Registers.ITR, E1000Registers.TIMER_MASK);
        special(E1000Registers.ICS);
        special(E1000Registers.IMS);
        special(E1000Registers.IMC);
        stored(E1000Registers.RCTL, E1000Registers.RCTL_WRITE_MASK);
        stored(E1000Registers.FCTTV, E1000Registers.LOW16_MASK);
        stored(E1000Registers.TXCW, E1000Registers.TXCW_WRITE_MASK);
        readOnly(E1000Registers.RXCW);
        stored(E1000Registers.TCTL, E1000Registers.TCTL_WRITE_MASK);
        stored(E1000Registers.TIPG, E1000Registers.TIPG_WRITE_MASK);
        stored(E1000Registers.AIT, E1000Registers.LOW16_MASK);
        stored(E1000Registers.LEDCTL, E1000Registers.LEDCTL_WRITE_MASK);
        special(E1000Registers.PBA);
        stored(E1000Registers.FCRTL, E1000Registers.FCRTL_WRITE_MASK);
        stored(E1000Registers.FCRTH, E1000Registers.FCRTH_WRITE_MASK);
        fifoPointers(E1000Registers.RDFH, E1000Registers.RDFT, E1000Registers.RDFHS, E1000Registers.RDFTS,
            E1000Registers.RDFPC);
        descriptorRing(E1000Registers.RDBAL, E1000Registers.RDBAH, E1000Registers.RDLEN, E1000Registers.RDH,
            E1000Registers.RDT, E1000Registers.RDTR, E1000Registers.RXDCTL, E1000Registers.RXDCTL_WRITE_MASK,
            E1000Registers.RADV);
        stored(E1000Registers.CSBAL, ALL_BITS);
        stored(E1000Registers.CSBAH, ALL_BITS);
        stored(E1000Registers.RSRPD, E1000Registers.RSRPD_WRITE_MASK);

        fifoPointers(E1000Registers.TDFH, E1000Registers.TDFT, E1000Registers.TDFHS, E1000Registers.TDFTS,
            E1000Registers.TDFPC);
        descriptorRing(E1000Registers.TDBAL, E1000Registers.TDBAH, E1000Registers.TDLEN, E1000Registers.TDH,
            E1000Registers.TDT, E1000Registers.TIDV, E1000Registers.TXDCTL, E1000Registers.TXDCTL_WRITE_MASK,
            E1000Registers.TADV);

        final int[] statistics =
        {
            E1000Registers.CRCERRS, E1000Registers.ALGNERRC, E1000Registers.SYMERRS, E1000Registers.RXERRC,
            E1000Registers.MPC, E1000Registers.SCC, E1000Registers.ECOL, E1000Registers.MCC,
            E1000Registers.LATECOL, E1000Registers.COLC, E1000Registers.DC, E1000Registers.TNCRS,
            E1000Registers.SEC, E1000Registers.CEXTERR, E1000Registers.RLEC, E1000Registers.XONRXC,
            E1000Registers.XONTXC, E1000Registers.XOFFRXC, E1000Registers.XOFFTXC, E1000Registers.FCRUC,
            E1000Registers.PRC64, E1000Registers.PRC127, E1000Registers.PRC255, E1000Registers.PRC511,
            E1000Registers.PRC1023, E1000Registers.PRC1522, E1000Registers.GPRC, E1000Registers.BPRC,
            E1000Registers.MPRC, E1000Registers.GPTC, E1000Registers.GORCL, E1000Registers.GORCH,
            E1000Registers.GOTCL, E1000Registers.GOTCH, E1000Registers.RNBC, E1000Registers.RUC,
            E1000Registers.RFC, E1000Registers.ROC, E1000Registers.RJC, E1000Registers.MGTPRC,
            E1000Registers.MGTPDC, E1000Registers.MGTPTC, E1000Registers.TORL, E1000Registers.TORH,
            E1000Registers.TOTL, E1000Registers.TOTH, E1000Registers.TPR, E1000Registers.TPT,
            E1000Registers.PTC64, E1000Registers.PTC127, E1000Registers.PTC255, E1000Registers.PTC511,
            E1000Registers.PTC1023, E1000Registers.PTC1522, E1000Registers.MPTC, E1000Registers.BPTC,
            E1000Registers.TSCTC, E1000Registers.TSCTFC,
        };
        for (int i = 0; i < statistics.length; i++)
        {
            KINDS[statistics[i] >>> 2] = STATISTIC;
        }

        stored(E1000Registers.RXCSUM, E1000Registers.RXCSUM_WRITE_MASK);
        for (int i = 0; i < E1000Registers.MTA_COUNT; i++)
        {
            stored(E1000Registers.MTA + 4 * i, ALL_BITS);
        }
        for (int i = 0; i < E1000Registers.RA_COUNT; i++)
        {
            stored(E1000Registers.ral(i), ALL_BITS);
            stored(E1000Registers.rah(i), E1000Registers.RAH_WRITE_MASK);
        }
        for (int i = 0; i < E1000Registers.VFTA_COUNT; i++)
        {
            stored(E1000Registers.VFTA + 4 * i, ALL_BITS);
        }
        stored(E1000Registers.WUC, E1000Registers.WUC_WRITE_MASK);
        stored(E1000Registers.WUFC, E1000Registers.WUFC_WRITE_MASK);
        special(E1000Registers.WUS);
        stored(E1000Registers.MANC, ALL_BITS);
        stored(E1000Registers.IPAV, E1000Registers.IPAV_WRITE_MASK);
        for (int i = 0; i < 4; i++)
        {
            stored(E1000Registers.IP4AT + 8 * i, ALL_BITS);
            stored(E1000Registers.IP6AT + 4 * i, ALL_BITS);
            stored(E1000Registers.FFLT + 8 * i, E1000Registers.FFLT_WRITE_MASK);
        }
        stored(E1000Registers.WUPL, E1000Registers.WUPL_WRITE_MASK);
        for (int i = 0; i < 32; i++)
        {
            stored(E1000Registers.WUPM + 4 * i, ALL_BITS);
        }
        for (int i = 0; i < 128; i++)
        {
            stored(E1000Registers.FFMT + 8 * i, E1000Registers.FFMT_WRITE_MASK);
            stored(E1000Registers.FFVT + 8 * i, ALL_BITS);
        }
        for (int offset = E1000Registers.PBM; offset < E1000Registers.BAR0_LENGTH; offset += 4)
        {
            stored(offset, ALL_BITS);
        }
    }

    final PortConfig config;
    final RegisterImage registers;
    final GuestMemory guestMemory;
    final PortCounters counters;
    final Statistics statistics;
    final InterruptController interrupts;
    final FrameSink sink;
    final TxProcessor tx;
    final RxProcessor rx;
    final PciConfigSpace pci;
    final Eeprom eeprom;
    final Phy phy;
    private final byte[] macAddress;
    private int ioAddress;
    private boolean faulted;
    private String faultReason;

    /**
     * Create the device in its power-on (reset) state.
     *
     * @param config      identity and policy.
     * @param registers   the BAR0 image (shared with the guest for the shared pages).
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
        this.config = config;
        this.registers = registers;
        this.guestMemory = guestMemory;
        this.counters = counters;
        this.sink = sink;
        this.macAddress = config.macAddress();
        this.statistics = new Statistics(registers);
        this.interrupts = new InterruptController(registers, line, counters);
        this.pci = new PciConfigSpace(config.csbOffered());
        this.eeprom = new Eeprom(macAddress);
        this.phy = new Phy();
        this.tx = new TxProcessor(this);
        this.rx = new RxProcessor(this);
        resetMac();
    }

    /**
     * The five diagnostic data FIFO pointer registers of one direction (head, tail, saved head, saved tail, packet
     * count): stored as written within their 13 bits, with nothing behind them (diagnostic, regdump only).
     */
    private static void fifoPointers(
        final int head, final int tail, final int savedHead, final int savedTail, final int packetCount)
    {
        stored(head, E1000Registers.FIFO_POINTER_MASK);
        stored(tail, E1000Registers.FIFO_POINTER_MASK);
        stored(savedHead, E1000Registers.FIFO_POINTER_MASK);
        stored(savedTail, E1000Registers.FIFO_POINTER_MASK);
        stored(packetCount, E1000Registers.FIFO_POINTER_MASK);
    }

    /**
     * The registers of one descriptor ring, which the 8254x lays out alike for receive (SDM 13.4.25-13.4.32) and
     * transmit (SDM 13.4.36-13.4.44): base (16-byte aligned low half), length (multiple of 128), ring control and
     * absolute timer are stored; head, tail and the packet delay timer have side effects.
     */
    private static void descriptorRing(
        final int baseLow,
        final int baseHigh,
        final int length,
        final int head,
        final int tail,
        final int delayTimer,
        final int control,
        final int controlWriteMask,
        final int absoluteTimer)
    {
        stored(baseLow, E1000Registers.DBAL_MASK);
        stored(baseHigh, ALL_BITS);
        stored(length, E1000Registers.DLEN_MASK);
        special(head);
        special(tail);
        special(delayTimer);
        stored(control, controlWriteMask);
        stored(absoluteTimer, E1000Registers.TIMER_MASK);
    }

    private static void stored(final int offset, final int writeMask)
    {
        KINDS[offset >>> 2] = STORED;
        WRITE_MASKS[offset >>> 2] = writeMask;
    }

    private static void readOnly(final int offset)
    {
        KINDS[offset >>> 2] = READ_ONLY;
    }

    private static void special(final int offset)
    {
        KINDS[offset >>> 2] = SPECIAL;
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
        counters.increment(PortCounter.TRAPPED_READS);
        if (!isValidBar0Offset(offset))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return 0;
        }
        switch (KINDS[offset >>> 2])
        {
            case STORED:
            case READ_ONLY:
                return registers.get(offset);
            case STATISTIC:
                return readStatistic(offset);
            case SPECIAL:
                return readSpecial(offset, nowNs);
            default:
                counters.increment(PortCounter.UNKNOWN_REGISTER_ACCESSES);
                return 0;
        }
    }

    /**
     * Trapped 32-bit BAR0 write. Side effects of the special registers:
     * <ul>
     *     <li>CTRL (and its alias CTRL_DUP): RST is a MAC reset (see {@link #resetMac()}), the rest of that write is
     *     discarded; PHY_RST resets the PHY registers (SDM 13.4.1).</li>
     *     <li>EECD drives the Microwire EEPROM; EERD reads a word (SDM 13.4.3, 13.4.4).</li>
     *     <li>MDIC runs a PHY access at once (SDM 13.4.7).</li>
     *     <li>ICR write-1-to-clear, ICS set, IMS set, IMC clear (SDM 13.4.17-13.4.21).</li>
     *     <li>RDTR/TIDV with FPD flush the pending delay (SDM 13.4.30, 13.4.41).</li>
     *     <li>TDT/RDT: stored (16 bits) and counted as trapped doorbells; TDH/RDH stored (16 bits).</li>
     *     <li>PBA: TXA follows from RXA; WUS write-1-to-clear (SDM 13.6.3).</li>
     * </ul>
     *
     * @param offset BAR0 byte offset.
     * @param value  value.
     * @param nowNs  current time.
     */
    public void mmioWrite(final int offset, final int value, final long nowNs)
    {
        counters.increment(PortCounter.TRAPPED_WRITES);
        if (!isValidBar0Offset(offset))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return;
        }
        final int index = offset >>> 2;
        switch (KINDS[index])
        {
            case STORED:
                registers.set(offset, value & WRITE_MASKS[index]);
                break;
            case READ_ONLY:
            case STATISTIC:
                break;
            case SPECIAL:
                writeSpecial(offset, value, nowNs);
                break;
            default:
                counters.increment(PortCounter.UNKNOWN_REGISTER_ACCESSES);
                break;
        }
    }

    /**
     * Trapped BAR1 (I/O) read: IOADDR, or IODATA proxying a 32-bit read of the BAR0 register IOADDR selects
     * (SDM 13.2.1, 13.2.2). Offsets 0x08-0x3C are reserved (read 0, counted as unknown).
     *
     * @param offset BAR1 byte offset.
     * @param nowNs  current time.
     * @return value.
     */
    public int ioRead(final int offset, final long nowNs)
    {
        if (E1000Registers.IODATA == offset)
        {
            return mmioRead(ioAddress, nowNs);
        }
        counters.increment(PortCounter.TRAPPED_READS);
        if (!isValidBar1Offset(offset))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return 0;
        }
        if (E1000Registers.IOADDR == offset)
        {
            return ioAddress;
        }
        counters.increment(PortCounter.UNKNOWN_REGISTER_ACCESSES);
        return 0;
    }

    /**
     * Trapped BAR1 (I/O) write: IOADDR selects a register, IODATA writes it as a 32-bit BAR0 write. Linux and
     * FreeBSD reset an 82540 by writing CTRL.RST through IODATA.
     *
     * @param offset BAR1 byte offset.
     * @param value  value.
     * @param nowNs  current time.
     */
    public void ioWrite(final int offset, final int value, final long nowNs)
    {
        if (E1000Registers.IODATA == offset)
        {
            mmioWrite(ioAddress, value, nowNs);
            return;
        }
        counters.increment(PortCounter.TRAPPED_WRITES);
        if (!isValidBar1Offset(offset))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return;
        }
        if (E1000Registers.IOADDR == offset)
        {
            ioAddress = value & E1000Registers.IOADDR_MASK;
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
        if (faulted)
        {
            return 0;
        }
        return tx.process(nowNs, descriptorBudget);
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
        if (faulted)
        {
            counters.increment(PortCounter.RX_DROP_DISABLED);
            return FrameSink.dropped(PortCounter.RX_DROP_DISABLED);
        }
        return rx.receive(frame, offset, lengthBytes, nowNs);
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
     * Quarantine the port after a ring-level guest fault: it stops processing until reset.
     *
     * @param reason why.
     */
    void fault(final String reason)
    {
        if (!faulted)
        {
            faulted = true;
            faultReason = reason;
            counters.increment(PortCounter.RING_FAULTS);
        }
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
     * @return true if quarantined.
     */
    public boolean isFaulted()
    {
        return faulted;
    }

    /**
     * @return fault reason or null.
     */
    public String faultReason()
    {
        return faultReason;
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

    /**
     * MAC reset (CTRL.RST, SDM 13.4.1; e1000-checklist 2.1): every BAR0 register back to its reset value (zero,
     * except CTRL, STATUS, PBA, LEDCTL, MANC, VET, EECD and RAL0/RAH0 = the MAC with AV), the EEPROM interface
     * idle, moderation timers stopped and the line deasserted, TX/RX per-packet state dropped and a ring fault
     * cleared. PCI configuration, the EEPROM image, the PHY and IOADDR are kept. RST itself reads back 0.
     */
    private void resetMac()
    {
        registers.clear();
        registers.set(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE);
        registers.set(E1000Registers.STATUS, E1000Registers.STATUS_RESET_VALUE);
        registers.set(E1000Registers.PBA, E1000Registers.PBA_RESET_VALUE);
        registers.set(E1000Registers.LEDCTL, E1000Registers.LEDCTL_RESET_VALUE);
        registers.set(E1000Registers.MANC, E1000Registers.MANC_RESET_VALUE);
        registers.set(E1000Registers.VET, E1000Registers.VET_RESET_VALUE);
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
        faulted = false;
        faultReason = null;
    }

    private static boolean isValidBar0Offset(final int offset)
    {
        return offset >= 0 && offset <= E1000Registers.BAR0_LENGTH - 4 && 0 == (offset & 3);
    }

    private static boolean isValidBar1Offset(final int offset)
    {
        return offset >= 0 && offset <= E1000Registers.BAR1_LENGTH - 4 && 0 == (offset & 3);
    }

    /**
     * Statistics are clear-on-read (SDM 13.7). The 64-bit octet counters are read low half first: reading the
     * low half does not clear, reading the high half clears both halves.
     */
    private int readStatistic(final int offset)
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

    private int readSpecial(final int offset, final long nowNs)
    {
        switch (offset)
        {
            case E1000Registers.CTRL_DUP:
                return registers.get(E1000Registers.CTRL);
            case E1000Registers.EECD:
                return eeprom.eecd();
            case E1000Registers.ICR:
                counters.increment(PortCounter.ICR_READS);
                return interrupts.readIcr(nowNs);
            case E1000Registers.ICS:
                return interrupts.peekIcr();
            case E1000Registers.IMC:
                return 0;
            case E1000Registers.TDT:
            case E1000Registers.RDT:
            case E1000Registers.TDH:
            case E1000Registers.RDH:
                return registers.getAcquire(offset);
            default:
                return registers.get(offset);
        }
    }

    private void writeSpecial(final int offset, final int value, final long nowNs)
    {
        switch (offset)
        {
            case E1000Registers.CTRL:
            case E1000Registers.CTRL_DUP:
                writeCtrl(value);
                break;
            case E1000Registers.EECD:
                if (eeprom.writeEecd(value))
                {
                    counters.increment(PortCounter.EEPROM_COMMAND_ERRORS);
                }
                registers.set(E1000Registers.EECD, eeprom.eecd());
                break;
            case E1000Registers.EERD:
                writeEerd(value);
                break;
            case E1000Registers.MDIC:
                writeMdic(value, nowNs);
                break;
            case E1000Registers.ICR:
                interrupts.writeIcr(value, nowNs);
                break;
            case E1000Registers.ICS:
                interrupts.writeIcs(value, nowNs);
                break;
            case E1000Registers.IMS:
                interrupts.writeIms(value, nowNs);
                break;
            case E1000Registers.IMC:
                interrupts.writeImc(value, nowNs);
                break;
            case E1000Registers.PBA:
                writePba(value);
                break;
            case E1000Registers.RDH:
            case E1000Registers.TDH:
                registers.setRelease(offset, value & E1000Registers.HEAD_TAIL_MASK);
                break;
            case E1000Registers.RDT:
            case E1000Registers.TDT:
                counters.increment(PortCounter.DOORBELLS_TRAPPED);
                registers.setRelease(offset, value & E1000Registers.HEAD_TAIL_MASK);
                break;
            case E1000Registers.RDTR:
                registers.set(E1000Registers.RDTR, value & E1000Registers.TIMER_MASK);
                if (0 != (value & E1000Registers.RDTR_FPD))
                {
                    interrupts.flushRx(nowNs);
                }
                break;
            case E1000Registers.TIDV:
                registers.set(E1000Registers.TIDV, value & E1000Registers.TIMER_MASK);
                if (0 != (value & E1000Registers.TIDV_FPD))
                {
                    interrupts.flushTx(nowNs);
                }
                break;
            case E1000Registers.WUS:
                registers.set(E1000Registers.WUS,
                    registers.get(E1000Registers.WUS) & ~(value & E1000Registers.WUFC_WRITE_MASK));
                break;
            default:
                break;
        }
    }

    private void writeCtrl(final int value)
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
     * EERD (SDM 13.4.4): START reads the word at ADDR into DATA and sets DONE (START reads back 0). An address
     * beyond the 64-word part completes with DONE and no data, as QEMU does.
     */
    private void writeEerd(final int value)
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
    private void writeMdic(final int value, final long nowNs)
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
    private void writePba(final int value)
    {
        final int receiveKb = Math.min(value & E1000Registers.PBA_RXA_MASK, E1000Registers.PBA_TOTAL_KB);
        registers.set(E1000Registers.PBA,
            receiveKb | (E1000Registers.PBA_TOTAL_KB - receiveKb) << E1000Registers.PBA_TXA_SHIFT);
    }
}
