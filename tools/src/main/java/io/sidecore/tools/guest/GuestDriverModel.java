package io.sidecore.tools.guest;

import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import org.agrona.DirectBuffer;

/**
 * A model of what the Linux e1000 driver (drivers/net/ethernet/intel/e1000, 82540EM path) does to its NIC: the
 * synthetic guest of tests, the demo and the benchmarks. It reaches the device only through {@link DeviceAccess}
 * and owns a window of guest RAM ({@link GuestRam}) where it keeps its rings and buffers; it never links the device
 * model.
 * <ul>
 *   <li>{@link #probe()}: PCI identity and enable, interrupt mask, reset through the I/O BAR, Microwire read of the
 *   whole EEPROM with checksum check, MAC from words 0-2, then {@code e1000_reset}/{@code e1000_init_hw}: VLAN and
 *   address filters, MTA, PHY identification and set-up through MDIC, autonegotiation restart, flow control,
 *   statistics clear.</li>
 *   <li>{@link #open()}: ring set-up, RX buffers handed to the device, IMS = 0x9D, ICS = LSC; in CSB mode the CSB
 *   is allocated and programmed first.</li>
 *   <li>{@link #send}/{@link #queue}/{@link #flushTx}/{@link #sendBatch}: frames into TX descriptors, one TDT
 *   write per frame or per batch; {@link #reclaimTx()} gives back completed descriptors (DD).</li>
 *   <li>{@link #onInterrupt()}: ICR read, IMC = ~0, NAPI poll (TX clean, RX harvest with RDT returns), ITR update,
 *   IMS = 0x9D, and the link watchdog on LSC. {@link #poll(int)} harvests RX without interrupts.</li>
 * </ul>
 * Doorbells go into the shared BAR0 page when the port shares it (no exit), else they trap. Zero allocation from
 * {@link #open()} on. Single-threaded: one thread drives a model.
 */
public final class GuestDriverModel
{
    /** Largest TSO frame (headers and payload) one context describes: the 16-bit IP total length's limit. */
    public static final int MAX_TSO_FRAME_BYTES = 65_536;
    /** EEPROM words 0x00..0x3F must sum to this (SDM 5.6.14; Linux {@code EEPROM_SUM}). */
    public static final int EEPROM_SUM = 0xBABA;
    /** Last word covered by the checksum. */
    public static final int EEPROM_CHECKSUM_WORD = 0x3F;
    /** EEPROM word holding the ID LED settings. */
    public static final int EEPROM_ID_LED_SETTINGS = 0x04;
    /** EEPROM word holding the default pause settings (init control 2). */
    public static final int EEPROM_INIT_CONTROL2 = 0x0F;
    /** EEPROM word holding APME for port A (init control 3). */
    public static final int EEPROM_INIT_CONTROL3_PORT_A = 0x24;
    /** Word 0x0F pause bits. */
    public static final int EEPROM_WORD0F_PAUSE_MASK = 0x3000;
    /** Word 0x0F: asymmetric pause only. */
    public static final int EEPROM_WORD0F_ASM_DIR = 0x2000;

    /** Flow control: none. */
    public static final int FC_NONE = 0;
    /** Flow control: honour received PAUSE frames. */
    public static final int FC_RX_PAUSE = 1;
    /** Flow control: send PAUSE frames. */
    public static final int FC_TX_PAUSE = 2;
    /** Flow control: both. */
    public static final int FC_FULL = 3;

    /** PBA for a 1500-byte MTU: 48 KiB of RX packet buffer. */
    public static final int PBA_48K = 0x30;
    /** MANC.ARP_EN, cleared after every reset. */
    public static final int MANC_ARP_EN = 1 << 13;
    public static final int TXDCTL_WTHRESH = 0x003F0000;
    public static final int TXDCTL_FULL_TX_DESC_WB = 0x01010000;
    public static final int FLOW_CONTROL_TYPE = 0x8808;
    public static final int FLOW_CONTROL_ADDRESS_HIGH = 0x0100;
    public static final int FLOW_CONTROL_ADDRESS_LOW = 0x00C28001;
    public static final int FC_PAUSE_TIME = 0xFFFF;
    public static final int FCRTL_XONE = 0x80000000;
    public static final int TCTL_CT_MASK = 0x00000FF0;
    public static final int TCTL_COLD_MASK = 0x003FF000;
    public static final int COLLISION_THRESHOLD = 15;
    public static final int COLLISION_DISTANCE = 63;
    /** TIPG for copper 82540: IPGT 8, IPGR1 8, IPGR2 6. */
    public static final int DEFAULT_TIPG = 8 | (8 << 10) | (6 << 20);
    /** Linux programs RAR[1..14] (RAR 15 is kept for the LAA workaround). */
    public static final int RAR_ENTRIES = 15;
    /** Linux {@code msleep(10)} before the global reset. */
    public static final long RESET_SETTLE_NS = 10_000_000L;
    /** Linux waits 5 ms for the EEPROM auto-read after reset. */
    public static final long AUTO_READ_DONE_NS = 5_000_000L;
    /** Linux {@code udelay(10)} between link polls in {@code e1000_setup_copper_link}. */
    public static final long LINK_POLL_DELAY_NS = 10_000L;
    /** Linux {@code udelay(20)} between the two PHY ID reads. */
    public static final long PHY_ID_DELAY_NS = 20_000L;
    /** 82540 statistics Linux reads (and so clears) in {@code e1000_clear_hw_cntrs}, in its order. */
    static final int[] STATISTICS_CLEARED = {
        E1000Registers.CRCERRS, E1000Registers.SYMERRS, E1000Registers.MPC, E1000Registers.SCC,
        E1000Registers.ECOL, E1000Registers.MCC, E1000Registers.LATECOL, E1000Registers.COLC, E1000Registers.DC,
        E1000Registers.SEC, E1000Registers.RLEC, E1000Registers.XONRXC, E1000Registers.XONTXC,
        E1000Registers.XOFFRXC, E1000Registers.XOFFTXC, E1000Registers.FCRUC, E1000Registers.PRC64,
        E1000Registers.PRC127, E1000Registers.PRC255, E1000Registers.PRC511, E1000Registers.PRC1023,
        E1000Registers.PRC1522, E1000Registers.GPRC, E1000Registers.BPRC, E1000Registers.MPRC, E1000Registers.GPTC,
        E1000Registers.GORCL, E1000Registers.GORCH, E1000Registers.GOTCL, E1000Registers.GOTCH,
        E1000Registers.RNBC, E1000Registers.RUC, E1000Registers.RFC, E1000Registers.ROC, E1000Registers.RJC,
        E1000Registers.TORL, E1000Registers.TORH, E1000Registers.TOTL, E1000Registers.TOTH, E1000Registers.TPR,
        E1000Registers.TPT, E1000Registers.PTC64, E1000Registers.PTC127, E1000Registers.PTC255,
        E1000Registers.PTC511, E1000Registers.PTC1023, E1000Registers.PTC1522, E1000Registers.MPTC,
        E1000Registers.BPTC, E1000Registers.ALGNERRC, E1000Registers.RXERRC, E1000Registers.TNCRS,
        E1000Registers.CEXTERR, E1000Registers.TSCTC, E1000Registers.TSCTFC, E1000Registers.MGTPRC,
        E1000Registers.MGTPDC, E1000Registers.MGTPTC};

    private final DeviceAccess access;
    private final GuestRam ram;
    private final GuestDriverConfig config;
    private final GuestFrameHandler handler;
    private GuestLinkListener linkListener = GuestLinkListener.NONE;
    private final DeviceRegisters registers;
    private final MicrowireEeprom eeprom;
    private final Phy phy;
    private final DynamicItr dynamicItr;
    private final Doorbells doorbells = new Doorbells();
    private final int[] eepromWords = new int[MicrowireEeprom.SMALL_WORD_COUNT];
    private final byte[] mac = new byte[6];
    private GuestTxRing tx;
    private GuestRxRing rx;
    private GuestCsb csb;
    private boolean csbActive;

    private boolean probed;
    private boolean open;
    /** VLAN ids set in the filter table ({@link #addVlan}); Linux's {@code e1000_vlan_used}. */
    private int vlansInUse;
    private boolean csbOffered;
    private int subsystemVendorId;
    private int subsystemId;
    private int phyId;
    private int requestedFc;
    private int fc;
    private boolean getLinkStatus;
    private int forcedSpeedMbps;
    private boolean forcedFullDuplex;
    private boolean linkUp;
    private int linkSpeedMbps;
    private boolean fullDuplex;
    private boolean napiScheduled;
    private boolean txQueuedSinceFlush;
    private long txPacketsAtInterrupt;
    private long txBytesAtInterrupt;
    private long rxPacketsAtInterrupt;
    private long rxBytesAtInterrupt;

    private long txFrames;
    private long txBytes;
    private long txRingFullEvents;
    private long txDoorbells;
    private long rxDoorbells;
    private long interrupts;
    private long spuriousInterrupts;
    private long napiPolls;
    private long itrWrites;
    private long csbTxKicks;
    private long csbTxKicksSuppressed;
    private long csbRxKicks;
    private long csbRxKicksSuppressed;
    private int lastIcr;
    private long linkUpEvents;
    private long linkDownEvents;

    /**
     * @param access  the device.
     * @param ram     guest RAM the model may use (rings and buffers: about 1 MiB for the default rings).
     * @param config  settings; validated here.
     * @param handler where received frames go.
     */
    public GuestDriverModel(
        final DeviceAccess access, final GuestRam ram, final GuestDriverConfig config, final GuestFrameHandler handler)
    {
        this.access = access;
        this.ram = ram;
        this.config = config.validate();
        this.handler = null == handler ? GuestFrameHandler.NONE : handler;
        this.registers = new DeviceRegisters(access);
        this.eeprom = new MicrowireEeprom(registers);
        this.phy = new Phy(registers);
        final int itr = config.interruptThrottleRate();
        this.dynamicItr = 0 != (itr & 3) && itr < 100 ?
            new DynamicItr(GuestDriverConfig.ITR_DYNAMIC_CONSERVATIVE == itr) : null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // probe
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Linux {@code e1000_probe} for an 82540EM: PCI identity, enable I/O, memory and bus mastering, reset, EEPROM
     * checksum, MAC, then {@code e1000_reset} (which runs {@code e1000_init_hw}).
     *
     * @throws GuestDriverException naming what the device answered when Linux would refuse the device.
     */
    public void probe()
    {
        probePci();

        // e1000_sw_init / e1000_set_media_type / e1000_get_bus_info.
        final int status = registers.read(E1000Registers.STATUS);
        if (0 != (status & E1000Registers.STATUS_TBIMODE))
        {
            throw new GuestDriverException("fiber (TBI) media not supported: STATUS=0x" + Integer.toHexString(status));
        }
        registers.read(E1000Registers.STATUS);
        irqDisable();
        eeprom.init();

        resetHw();
        validateEepromChecksum();
        readMacAddress();
        readEepromWord(EEPROM_INIT_CONTROL3_PORT_A);

        reset();

        // __e1000_vlan_mode / e1000_vlan_filter_on_off: hardware VLAN stripping on, VLAN filter off.
        int ctrl = registers.read(E1000Registers.CTRL);
        ctrl = config.vlanStrip() ? ctrl | E1000Registers.CTRL_VME : ctrl & ~E1000Registers.CTRL_VME;
        registers.write(E1000Registers.CTRL, ctrl);
        final int rctl = registers.read(E1000Registers.RCTL);
        registers.write(E1000Registers.RCTL, rctl & ~E1000Registers.RCTL_VFE);
        probed = true;
    }

    private void probePci()
    {
        final int ids = access.configRead(PciConfig.VENDOR_ID_OFFSET, 4);
        final int vendorId = ids & 0xFFFF;
        final int deviceId = ids >>> 16;
        if (PciConfig.VENDOR_ID_INTEL != vendorId || PciConfig.DEVICE_ID_82540EM != deviceId)
        {
            throw new GuestDriverException("not an 82540EM: vendor=0x" + Integer.toHexString(vendorId) +
                " device=0x" + Integer.toHexString(deviceId) + " expected=0x8086:0x100e");
        }
        final int classRevision = access.configRead(PciConfig.REVISION_OFFSET, 4);
        final int classCode = classRevision >>> 8;
        if (PciConfig.CLASS_CODE_ETHERNET != classCode)
        {
            throw new GuestDriverException("not an Ethernet controller: class=0x" + Integer.toHexString(classCode));
        }
        subsystemVendorId = access.configRead(PciConfig.SUBSYSTEM_VENDOR_ID_OFFSET, 2) & 0xFFFF;
        subsystemId = access.configRead(PciConfig.SUBSYSTEM_ID_OFFSET, 2) & 0xFFFF;
        csbOffered = PciConfig.SUBSYSTEM_ID_CSB == subsystemId;
        final int bar1 = access.configRead(PciConfig.BAR1_OFFSET, 4);
        if (0 == (bar1 & PciConfig.BAR_IO_SPACE))
        {
            // e1000_is_need_ioport: the 82540 is reset through IOADDR/IODATA.
            throw new GuestDriverException("BAR1 is not an I/O BAR: BAR1=0x" + Integer.toHexString(bar1) +
                " (the 82540 is reset through IOADDR/IODATA)");
        }
        access.configRead(PciConfig.INTERRUPT_PIN_OFFSET, 1);
        // pci_enable_device: I/O and memory decoding; pci_set_master: bus mastering (gates all DMA).
        int command = access.configRead(PciConfig.COMMAND_OFFSET, 2) & 0xFFFF;
        access.configWrite(PciConfig.COMMAND_OFFSET, 2,
            command | PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE);
        command = access.configRead(PciConfig.COMMAND_OFFSET, 2) & 0xFFFF;
        access.configWrite(PciConfig.COMMAND_OFFSET, 2, command | PciConfig.COMMAND_BUS_MASTER);
        final int enabled = access.configRead(PciConfig.COMMAND_OFFSET, 2) & 0xFFFF;
        final int required = PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_IO_SPACE |
            PciConfig.COMMAND_BUS_MASTER;
        if (required != (enabled & required))
        {
            throw new GuestDriverException("PCI command did not take I/O|memory|bus master: command=0x" +
                Integer.toHexString(enabled));
        }
    }

    /**
     * Linux {@code e1000_reset_hw} for the 82540: mask interrupts, stop RX and TX, wait, global reset through the
     * I/O BAR (the 82540 cannot acknowledge the MMIO write that resets it, SDM 13.2), wait for the EEPROM
     * auto-read, clear MANC.ARP_EN, mask and clear interrupts.
     */
    void resetHw()
    {
        registers.write(E1000Registers.IMC, 0xFFFFFFFF);
        registers.write(E1000Registers.RCTL, 0);
        registers.write(E1000Registers.TCTL, E1000Registers.TCTL_PSP);
        registers.flush();
        registers.delay(RESET_SETTLE_NS);
        final int ctrl = registers.read(E1000Registers.CTRL);
        registers.writeThroughIo(E1000Registers.CTRL, ctrl | E1000Registers.CTRL_RST);
        registers.delay(AUTO_READ_DONE_NS);
        final int manc = registers.read(E1000Registers.MANC);
        registers.write(E1000Registers.MANC, manc & ~MANC_ARP_EN);
        registers.write(E1000Registers.IMC, 0xFFFFFFFF);
        registers.read(E1000Registers.ICR);
    }

    /**
     * One EEPROM word, bit-banged through EECD as Linux does, or through EERD when the configuration asks for it
     * (SDM 13.4.4: write START with the address, read until DONE, the word in DATA).
     */
    private int readEepromWord(final int address)
    {
        if (!config.eepromThroughEerd())
        {
            return eeprom.readWord(address);
        }
        if (address < 0 || address >= eeprom.wordCount())
        {
            throw new GuestDriverException("EEPROM address out of range: address=" + address +
                " words=" + eeprom.wordCount());
        }
        registers.write(E1000Registers.EERD, (address << E1000Registers.EERD_ADDR_SHIFT) | E1000Registers.EERD_START);
        for (int attempt = 0; attempt < MicrowireEeprom.GRANT_ATTEMPTS; attempt++)
        {
            final int eerd = registers.read(E1000Registers.EERD);
            if (0 != (eerd & E1000Registers.EERD_DONE))
            {
                return eerd >>> E1000Registers.EERD_DATA_SHIFT;
            }
            registers.delay(MicrowireEeprom.GRANT_POLL_DELAY_NS);
        }
        throw new GuestDriverException("EEPROM read through EERD never completed: address=" + address +
            " attempts=" + MicrowireEeprom.GRANT_ATTEMPTS);
    }

    private void validateEepromChecksum()
    {
        int sum = 0;
        for (int word = 0; word <= EEPROM_CHECKSUM_WORD; word++)
        {
            final int value = readEepromWord(word);
            eepromWords[word] = value;
            sum = (sum + value) & 0xFFFF;
        }
        if (EEPROM_SUM != sum)
        {
            throw new GuestDriverException("EEPROM checksum is not valid: sum of words 0x00-0x3f=0x" +
                Integer.toHexString(sum) + " expected=0x" + Integer.toHexString(EEPROM_SUM));
        }
    }

    private void readMacAddress()
    {
        for (int i = 0; i < 6; i += 2)
        {
            final int word = readEepromWord(i >> 1);
            mac[i] = (byte)word;
            mac[i + 1] = (byte)(word >>> 8);
        }
        boolean allZero = true;
        for (int i = 0; i < 6; i++)
        {
            allZero &= 0 == mac[i];
        }
        if (allZero || 0 != (mac[0] & 1))
        {
            throw new GuestDriverException("invalid MAC address in EEPROM words 0-2: " + macString());
        }
    }

    /**
     * Linux {@code e1000_reset}: packet buffer split, MAC reset, wake-up off, {@code e1000_init_hw}, VLAN EtherType,
     * adaptive IFS reset, PHY info.
     */
    void reset()
    {
        registers.write(E1000Registers.PBA, PBA_48K);
        resetHw();
        registers.write(E1000Registers.WUC, 0);
        initHw();
        registers.write(E1000Registers.VET, 0x8100);
        registers.write(E1000Registers.AIT, 0);
        phyGetInfo();
    }

    private void initHw()
    {
        // e1000_id_led_init.
        registers.read(E1000Registers.LEDCTL);
        readEepromWord(EEPROM_ID_LED_SETTINGS);
        // e1000_set_media_type.
        registers.read(E1000Registers.STATUS);
        // VLAN filtering off: VET = 0 before 82545 rev 3, VFTA cleared.
        registers.write(E1000Registers.VET, 0);
        for (int i = 0; i < E1000Registers.VFTA_COUNT; i++)
        {
            registers.write(E1000Registers.VFTA + (i << 2), 0);
            registers.flush();
        }
        vlansInUse = 0;
        // e1000_init_rx_addrs: RAR0 = our MAC with AV, the other 15 cleared.
        rarSet(0);
        for (int i = 1; i < E1000Registers.RA_COUNT; i++)
        {
            registers.write(E1000Registers.ral(i), 0);
            registers.flush();
            registers.write(E1000Registers.rah(i), 0);
            registers.flush();
        }
        for (int i = 0; i < E1000Registers.MTA_COUNT; i++)
        {
            registers.write(E1000Registers.MTA + (i << 2), 0);
            registers.flush();
        }
        setupLink();
        // Descriptor write-back policy: full descriptor write-back, WTHRESH 1.
        final int txdctl = registers.read(E1000Registers.TXDCTL);
        registers.write(E1000Registers.TXDCTL, (txdctl & ~TXDCTL_WTHRESH) | TXDCTL_FULL_TX_DESC_WB);
        // e1000_clear_hw_cntrs: the statistics are clear-on-read.
        for (int i = 0; i < STATISTICS_CLEARED.length; i++)
        {
            registers.read(STATISTICS_CLEARED[i]);
        }
    }

    private void rarSet(final int index)
    {
        final int low = (mac[0] & 0xFF) | ((mac[1] & 0xFF) << 8) | ((mac[2] & 0xFF) << 16) | ((mac[3] & 0xFF) << 24);
        final int high = (mac[4] & 0xFF) | ((mac[5] & 0xFF) << 8) | E1000Registers.RAH_AV;
        registers.write(E1000Registers.ral(index), low);
        registers.flush();
        registers.write(E1000Registers.rah(index), high);
        registers.flush();
    }

    private void setupLink()
    {
        final int word0f = readEepromWord(EEPROM_INIT_CONTROL2);
        if (0 == (word0f & EEPROM_WORD0F_PAUSE_MASK))
        {
            requestedFc = FC_NONE;
        }
        else if (EEPROM_WORD0F_ASM_DIR == (word0f & EEPROM_WORD0F_PAUSE_MASK))
        {
            requestedFc = FC_TX_PAUSE;
        }
        else
        {
            requestedFc = FC_FULL;
        }
        fc = requestedFc;
        setupCopperLink();
        // Flow-control address, type and pause timer defaults.
        registers.write(E1000Registers.FCT, FLOW_CONTROL_TYPE);
        registers.write(E1000Registers.FCAH, FLOW_CONTROL_ADDRESS_HIGH);
        registers.write(E1000Registers.FCAL, FLOW_CONTROL_ADDRESS_LOW);
        registers.write(E1000Registers.FCTTV, FC_PAUSE_TIME);
        if (0 == (fc & FC_TX_PAUSE))
        {
            registers.write(E1000Registers.FCRTL, 0);
            registers.write(E1000Registers.FCRTH, 0);
        }
        else
        {
            // High water at 90% of the 48 KiB RX buffer (but a full frame below the top), low water 8 below.
            final int pbaBytes = PBA_48K << 10;
            final int highWater = Math.min(pbaBytes * 9 / 10, pbaBytes - 1518) & 0xFFF8;
            registers.write(E1000Registers.FCRTL, (highWater - 8) | FCRTL_XONE);
            registers.write(E1000Registers.FCRTH, highWater);
        }
    }

    private void setupCopperLink()
    {
        // e1000_copper_link_preconfig: the MAC takes speed and duplex from the PHY.
        int ctrl = registers.read(E1000Registers.CTRL);
        ctrl |= E1000Registers.CTRL_SLU;
        ctrl &= ~(E1000Registers.CTRL_FRCSPD | E1000Registers.CTRL_FRCDPX);
        registers.write(E1000Registers.CTRL, ctrl);
        detectGigPhy();
        // e1000_copper_link_mgp_setup (M88): CRS on TX, automatic MDI/MDI-X, polarity correction on.
        int pscr = phy.read(Phy.M88_PHY_SPEC_CTRL);
        pscr |= Phy.M88_PSCR_ASSERT_CRS_ON_TX;
        pscr |= Phy.M88_PSCR_AUTO_X_MODE;
        pscr &= ~Phy.M88_PSCR_POLARITY_REVERSAL;
        phy.write(Phy.M88_PHY_SPEC_CTRL, pscr);
        if ((phyId & ~Phy.PHY_REVISION_MASK) < Phy.M88E1011_I_REV_4)
        {
            int epscr = phy.read(Phy.M88_EXT_PHY_SPEC_CTRL);
            epscr |= Phy.M88_EPSCR_TX_CLK_25;
            epscr &= ~(Phy.M88_EPSCR_MASTER_DOWNSHIFT_MASK | Phy.M88_EPSCR_SLAVE_DOWNSHIFT_MASK);
            epscr |= Phy.M88_EPSCR_SLAVE_DOWNSHIFT_1X;
            phy.write(Phy.M88_EXT_PHY_SPEC_CTRL, epscr);
        }
        // e1000_phy_reset: software reset so the changes take effect.
        final int bmcr = phy.read(Phy.PHY_CTRL);
        phy.write(Phy.PHY_CTRL, bmcr | Phy.MII_CR_RESET);
        registers.delay(1_000L);
        if (0 != forcedSpeedMbps)
        {
            phyForceSpeedDuplex();
        }
        else
        {
            // e1000_copper_link_autoneg.
            setupAutoneg();
            final int control = phy.read(Phy.PHY_CTRL);
            phy.write(Phy.PHY_CTRL, control | Phy.MII_CR_AUTO_NEG_EN | Phy.MII_CR_RESTART_AUTO_NEG);
        }
        getLinkStatus = true;
        // Wait up to 100 µs for link; BMSR link is latched low, so read it twice.
        for (int i = 0; i < 10; i++)
        {
            phy.read(Phy.PHY_STATUS);
            final int bmsr = phy.read(Phy.PHY_STATUS);
            if (0 != (bmsr & Phy.MII_SR_LINK_STATUS))
            {
                configCollisionDistance();
                configFcAfterLinkUp();
                return;
            }
            registers.delay(LINK_POLL_DELAY_NS);
        }
    }

    /**
     * Linux {@code e1000_phy_force_speed_duplex} for the M88 PHY: no flow control; the MAC forced to the speed and
     * duplex (CTRL.FRCSPD, FRCDPX, SPEED, FD; ASDE off); the PHY's BMCR with autonegotiation off and the same speed and
     * duplex, automatic MDI/MDI-X off, then a PHY software reset so it takes effect.
     */
    private void phyForceSpeedDuplex()
    {
        fc = FC_NONE;
        int ctrl = registers.read(E1000Registers.CTRL);
        ctrl |= E1000Registers.CTRL_FRCSPD | E1000Registers.CTRL_FRCDPX;
        ctrl &= ~(E1000Registers.CTRL_SPEED_MASK | E1000Registers.CTRL_ASDE | E1000Registers.CTRL_FD);
        int control = phy.read(Phy.PHY_CTRL) & ~(Phy.MII_CR_AUTO_NEG_EN | Phy.MII_CR_FULL_DUPLEX |
            Phy.MII_CR_SPEED_1000 | Phy.MII_CR_SPEED_100);
        if (forcedFullDuplex)
        {
            ctrl |= E1000Registers.CTRL_FD;
            control |= Phy.MII_CR_FULL_DUPLEX;
        }
        if (100 == forcedSpeedMbps)
        {
            ctrl |= 1 << E1000Registers.CTRL_SPEED_SHIFT;
            control |= Phy.MII_CR_SPEED_100;
        }
        configCollisionDistance();
        registers.write(E1000Registers.CTRL, ctrl);
        final int pscr = phy.read(Phy.M88_PHY_SPEC_CTRL);
        phy.write(Phy.M88_PHY_SPEC_CTRL, pscr & ~Phy.M88_PSCR_AUTO_X_MODE);
        phy.write(Phy.PHY_CTRL, control | Phy.MII_CR_RESET);
        registers.delay(1_000L);
    }

    /**
     * {@code ethtool -s IFACE speed S duplex D autoneg off} (forced, 10 or 100 Mb/s: Linux refuses to force 1000) or
     * {@code ethtool -s IFACE autoneg on} (0): Linux {@code e1000_set_spd_dplx}, then, when the interface is up,
     * {@code e1000_reinit_locked}: down (reset, which sets the PHY up the new way) and up again, so the watchdog
     * reports the link with its new speed and duplex.
     *
     * @param speedMbps  10 or 100 to force, 0 to autonegotiate.
     * @param fullDuplex forced duplex.
     * @throws IllegalArgumentException for another speed.
     */
    public void setLinkSettings(final int speedMbps, final boolean fullDuplex)
    {
        if (0 != speedMbps && 10 != speedMbps && 100 != speedMbps)
        {
            throw new IllegalArgumentException("forced speed must be 10 or 100 Mb/s (0 to autonegotiate): " +
                speedMbps);
        }
        forcedSpeedMbps = speedMbps;
        forcedFullDuplex = fullDuplex;
        if (open)
        {
            close();
            open();
        }
        else if (probed)
        {
            reset();
        }
    }

    /**
     * {@code ethtool -r IFACE} on a copper link: restart autonegotiation (BMCR.AN_RESTART); the link drops and comes
     * back once the PHY has negotiated, each change reported through LSC.
     */
    public void restartAutonegotiation()
    {
        final int control = phy.read(Phy.PHY_CTRL);
        phy.write(Phy.PHY_CTRL, control | Phy.MII_CR_AUTO_NEG_EN | Phy.MII_CR_RESTART_AUTO_NEG);
        getLinkStatus = true;
    }

    private void detectGigPhy()
    {
        final int high = phy.read(Phy.PHY_ID1);
        registers.delay(PHY_ID_DELAY_NS);
        final int low = phy.read(Phy.PHY_ID2);
        phyId = (high << 16) | low;
        if (Phy.M88E1011_I_PHY_ID != (phyId & Phy.PHY_REVISION_MASK))
        {
            throw new GuestDriverException("invalid PHY ID: id=0x" +
                Integer.toHexString(phyId & Phy.PHY_REVISION_MASK) + " expected=0x" +
                Integer.toHexString(Phy.M88E1011_I_PHY_ID) + " (M88E1011)");
        }
    }

    private void setupAutoneg()
    {
        int anar = phy.read(Phy.PHY_AUTONEG_ADV);
        int gigControl = phy.read(Phy.PHY_1000T_CTRL);
        // Advertise 10/100 half and full and 1000 full (AUTONEG_ADVERTISE_SPEED_DEFAULT).
        anar &= ~(Phy.NWAY_AR_10T_HD_CAPS | Phy.NWAY_AR_10T_FD_CAPS | Phy.NWAY_AR_100TX_HD_CAPS |
            Phy.NWAY_AR_100TX_FD_CAPS);
        gigControl &= ~(Phy.CR_1000T_HD_CAPS | Phy.CR_1000T_FD_CAPS);
        anar |= Phy.NWAY_AR_10T_HD_CAPS | Phy.NWAY_AR_10T_FD_CAPS | Phy.NWAY_AR_100TX_HD_CAPS |
            Phy.NWAY_AR_100TX_FD_CAPS;
        gigControl |= Phy.CR_1000T_FD_CAPS;
        switch (fc)
        {
            case FC_NONE:
                anar &= ~(Phy.NWAY_AR_ASM_DIR | Phy.NWAY_AR_PAUSE);
                break;
            case FC_TX_PAUSE:
                anar |= Phy.NWAY_AR_ASM_DIR;
                anar &= ~Phy.NWAY_AR_PAUSE;
                break;
            default:
                anar |= Phy.NWAY_AR_ASM_DIR | Phy.NWAY_AR_PAUSE;
                break;
        }
        phy.write(Phy.PHY_AUTONEG_ADV, anar);
        phy.write(Phy.PHY_1000T_CTRL, gigControl);
    }

    private void configCollisionDistance()
    {
        int tctl = registers.read(E1000Registers.TCTL);
        tctl &= ~TCTL_COLD_MASK;
        tctl |= COLLISION_DISTANCE << E1000Registers.TCTL_COLD_SHIFT;
        registers.write(E1000Registers.TCTL, tctl);
        registers.flush();
    }

    /**
     * Linux {@code e1000_config_fc_after_link_up} for copper with autonegotiation: resolve pause from our and the
     * partner's advertisement (IEEE 802.3 annex 28B), then force it into CTRL.RFCE/TFCE.
     */
    private void configFcAfterLinkUp()
    {
        phy.read(Phy.PHY_STATUS);
        final int bmsr = phy.read(Phy.PHY_STATUS);
        if (0 == (bmsr & Phy.MII_SR_AUTONEG_COMPLETE))
        {
            return;
        }
        final int adv = phy.read(Phy.PHY_AUTONEG_ADV);
        final int partner = phy.read(Phy.PHY_LP_ABILITY);
        final boolean advPause = 0 != (adv & Phy.NWAY_AR_PAUSE);
        final boolean advAsm = 0 != (adv & Phy.NWAY_AR_ASM_DIR);
        final boolean lpPause = 0 != (partner & Phy.NWAY_LPAR_PAUSE);
        final boolean lpAsm = 0 != (partner & Phy.NWAY_LPAR_ASM_DIR);
        if (advPause && lpPause)
        {
            fc = FC_FULL == requestedFc ? FC_FULL : FC_RX_PAUSE;
        }
        else if (!advPause && advAsm && lpPause && lpAsm)
        {
            fc = FC_TX_PAUSE;
        }
        else if (advPause && advAsm && !lpPause && lpAsm)
        {
            fc = FC_RX_PAUSE;
        }
        else if (FC_NONE == requestedFc || FC_TX_PAUSE == requestedFc)
        {
            fc = FC_NONE;
        }
        else
        {
            fc = FC_RX_PAUSE;
        }
        getSpeedAndDuplex();
        if (!fullDuplex)
        {
            fc = FC_NONE;
        }
        int ctrl = registers.read(E1000Registers.CTRL);
        ctrl &= ~(E1000Registers.CTRL_RFCE | E1000Registers.CTRL_TFCE);
        if (0 != (fc & FC_RX_PAUSE))
        {
            ctrl |= E1000Registers.CTRL_RFCE;
        }
        if (0 != (fc & FC_TX_PAUSE))
        {
            ctrl |= E1000Registers.CTRL_TFCE;
        }
        registers.write(E1000Registers.CTRL, ctrl);
    }

    private int getSpeedAndDuplex()
    {
        final int status = registers.read(E1000Registers.STATUS);
        if (0 != (status & E1000Registers.STATUS_SPEED_1000))
        {
            linkSpeedMbps = 1000;
        }
        else if (0 != (status & (1 << 6)))
        {
            linkSpeedMbps = 100;
        }
        else
        {
            linkSpeedMbps = 10;
        }
        fullDuplex = 0 != (status & E1000Registers.STATUS_FD);
        return status;
    }

    private void phyGetInfo()
    {
        phy.read(Phy.PHY_STATUS);
        final int bmsr = phy.read(Phy.PHY_STATUS);
        if (0 == (bmsr & Phy.MII_SR_LINK_STATUS))
        {
            return;
        }
        phy.read(Phy.M88_PHY_SPEC_CTRL);
        phy.read(Phy.M88_PHY_SPEC_STATUS);
        phy.read(Phy.PHY_1000T_STATUS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // open
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Linux {@code e1000_open}: PHY power-up, receive mode, TX and RX ring set-up, RX buffers to the device,
     * interrupts enabled (IMS = 0x9D) and an LSC kicked through ICS to start the link watchdog. Rings are carved out
     * of guest RAM the first time.
     *
     * @throws IllegalStateException when not probed.
     */
    public void open()
    {
        if (!probed)
        {
            throw new IllegalStateException("open before probe");
        }
        if (null == tx)
        {
            tx = new GuestTxRing(ram, config.txDescriptors(), config.txBufferBytes(), config.txDescriptorFormat());
            rx = new GuestRxRing(ram, config.rxDescriptors(), config.rxBufferBytes(), doorbells);
        }
        tx.reset();
        rx.reset();
        linkUp = false;
        // e1000_power_up_phy.
        final int bmcr = phy.read(Phy.PHY_CTRL);
        phy.write(Phy.PHY_CTRL, bmcr & ~Phy.MII_CR_POWER_DOWN);
        setRxMode();
        configureTx();
        setupRctl();
        configureRx();
        if (csbOffered && config.useCsbWhenOffered())
        {
            registerCsb();
        }
        else
        {
            csbActive = false;
        }
        rx.allocBuffers(rx.unused());
        napiScheduled = false;
        open = true;
        irqEnable();
        // Fire a link status change so the watchdog brings the carrier up.
        registers.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
    }

    private void setRxMode()
    {
        int rctl = registers.read(E1000Registers.RCTL);
        if (config.promiscuous())
        {
            rctl |= E1000Registers.RCTL_UPE | E1000Registers.RCTL_MPE;
            rctl &= ~E1000Registers.RCTL_VFE;
        }
        else
        {
            rctl &= ~(E1000Registers.RCTL_UPE | E1000Registers.RCTL_MPE);
            if (vlansInUse > 0)
            {
                rctl |= E1000Registers.RCTL_VFE;
            }
        }
        registers.write(E1000Registers.RCTL, rctl);
        for (int i = 1; i < RAR_ENTRIES; i++)
        {
            registers.write(E1000Registers.ral(i), 0);
            registers.flush();
            registers.write(E1000Registers.rah(i), 0);
            registers.flush();
        }
        // Written backwards: an 82544 erratum makes odd writes clobber the even neighbour.
        for (int i = E1000Registers.MTA_COUNT - 1; i >= 0; i--)
        {
            registers.write(E1000Registers.MTA + (i << 2), 0);
        }
        registers.flush();
    }

    private void configureTx()
    {
        final long ringGpa = tx.ringGpa();
        registers.write(E1000Registers.TDLEN, tx.count() * E1000TxDescriptor.LENGTH);
        registers.write(E1000Registers.TDBAH, (int)(ringGpa >>> 32));
        registers.write(E1000Registers.TDBAL, (int)ringGpa);
        registers.write(E1000Registers.TDT, 0);
        registers.write(E1000Registers.TDH, 0);
        registers.write(E1000Registers.TIPG, DEFAULT_TIPG);
        registers.write(E1000Registers.TIDV, config.txInterruptDelay());
        registers.write(E1000Registers.TADV, config.txAbsInterruptDelay());
        int tctl = registers.read(E1000Registers.TCTL);
        tctl &= ~TCTL_CT_MASK;
        tctl |= E1000Registers.TCTL_PSP | E1000Registers.TCTL_RTLC |
            (COLLISION_THRESHOLD << E1000Registers.TCTL_CT_SHIFT);
        configCollisionDistance();
        int lastCommand = E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RS;
        if (0 != config.txInterruptDelay())
        {
            lastCommand |= E1000TxDescriptor.CMD_IDE;
        }
        tx.lastCommand(lastCommand);
        registers.write(E1000Registers.TCTL, tctl);
    }

    private void setupRctl()
    {
        int rctl = registers.read(E1000Registers.RCTL);
        rctl &= ~E1000Registers.RCTL_MO_MASK;
        rctl |= E1000Registers.RCTL_BAM;
        rctl &= ~(E1000Registers.RCTL_LBM_MASK | E1000Registers.RCTL_RDMTS_MASK | E1000Registers.RCTL_SBP |
            E1000Registers.RCTL_LPE | E1000Registers.RCTL_BSIZE_MASK | E1000Registers.RCTL_BSEX |
            E1000Registers.RCTL_SECRC);
        switch (config.rxBufferBytes())
        {
            case 1024:
                rctl |= 1 << E1000Registers.RCTL_BSIZE_SHIFT;
                break;
            case 512:
                rctl |= 2 << E1000Registers.RCTL_BSIZE_SHIFT;
                break;
            case 256:
                rctl |= 3 << E1000Registers.RCTL_BSIZE_SHIFT;
                break;
            default:
                break;
        }
        registers.write(E1000Registers.RCTL, rctl);
    }

    private void configureRx()
    {
        final int rctl = registers.read(E1000Registers.RCTL);
        registers.write(E1000Registers.RCTL, rctl & ~E1000Registers.RCTL_EN);
        registers.write(E1000Registers.RDTR, config.rxInterruptDelay());
        registers.write(E1000Registers.RADV, config.rxAbsInterruptDelay());
        final int itrSetting = config.interruptThrottleRate();
        if (GuestDriverConfig.ITR_OFF != itrSetting)
        {
            final int rate = null != dynamicItr ? DynamicItr.INITIAL_RATE : itrSetting;
            registers.write(E1000Registers.ITR, DynamicItr.itrRegister(rate));
            itrWrites++;
        }
        final long ringGpa = rx.ringGpa();
        registers.write(E1000Registers.RDLEN, rx.count() * 16);
        registers.write(E1000Registers.RDBAH, (int)(ringGpa >>> 32));
        registers.write(E1000Registers.RDBAL, (int)ringGpa);
        registers.write(E1000Registers.RDT, 0);
        registers.write(E1000Registers.RDH, 0);
        final int rxcsum = registers.read(E1000Registers.RXCSUM);
        registers.write(E1000Registers.RXCSUM, rxcsum | E1000Registers.RXCSUM_TUOFL);
        registers.write(E1000Registers.RCTL, rctl | E1000Registers.RCTL_EN);
    }

    /**
     * CSB registration ({@link CsbDescriptor}): fill the guest group with the tails just written (0) and the
     * version last, then CSBAH and CSBAL (the CSBAL write commits the address). Doorbells are skipped only once the
     * host has published {@code host_version}.
     */
    private void registerCsb()
    {
        if (null == csb)
        {
            csb = new GuestCsb(ram);
        }
        csb.initialise(0, 0);
        registers.write(E1000Registers.CSBAH, (int)(csb.gpa() >>> 32));
        registers.write(E1000Registers.CSBAL, (int)csb.gpa());
        csbActive = true;
    }

    private void irqEnable()
    {
        registers.write(E1000Registers.IMS, E1000Registers.IMS_LINUX_ENABLE_MASK);
        registers.flush();
    }

    private void irqDisable()
    {
        registers.write(E1000Registers.IMC, 0xFFFFFFFF);
        registers.flush();
    }

    /**
     * Linux {@code e1000_watchdog}'s link part: when the link status is stale (after LSC/RXSEQ or at start), read
     * BMSR twice; on a new link, program collision distance and flow control, read speed and duplex from STATUS and
     * enable the transmitter (TCTL.EN); on loss, drop the carrier.
     *
     * @return true when the carrier is up.
     */
    public boolean watchdog()
    {
        final boolean link = checkForLink();
        if (link && !linkUp)
        {
            final int status = getSpeedAndDuplex();
            final int ctrl = registers.read(E1000Registers.CTRL);
            final int tctl = registers.read(E1000Registers.TCTL);
            registers.write(E1000Registers.TCTL, tctl | E1000Registers.TCTL_EN);
            linkUp = true;
            linkUpEvents++;
            linkListener.onLinkChange(true, status, "NIC Link is Up " + linkSpeedMbps + " Mbps " +
                (fullDuplex ? "Full Duplex" : "Half Duplex") + ", Flow Control: " + flowControlText(ctrl));
        }
        else if (!link && linkUp)
        {
            linkUp = false;
            linkSpeedMbps = 0;
            linkDownEvents++;
            // Linux reads nothing more here; the model reads STATUS once so a listener can see LU.
            linkListener.onLinkChange(false, registers.read(E1000Registers.STATUS), "NIC Link is Down");
        }
        return linkUp;
    }

    private static String flowControlText(final int ctrl)
    {
        final boolean rx = 0 != (ctrl & E1000Registers.CTRL_RFCE);
        final boolean tx = 0 != (ctrl & E1000Registers.CTRL_TFCE);
        if (rx && tx)
        {
            return "RX/TX";
        }
        if (rx)
        {
            return "RX";
        }
        return tx ? "TX" : "None";
    }

    /**
     * Linux {@code e1000_vlan_rx_add_vid} (an 8021q interface comes up over the port): the first VLAN turns the
     * VLAN filter on ({@code e1000_vlan_filter_on_off}: RCTL.VFE set unless promiscuous, CFIEN cleared), then the
     * VLAN id's bit is set in the VLAN filter table (SDM 3.2.8, 13.5.x VFTA).
     *
     * @param vlanId 0..4095.
     */
    public void addVlan(final int vlanId)
    {
        final int index = vfaIndex(vlanId);
        final int bit = 1 << (vlanId & 0x1F);
        if (0 != (registers.read(index) & bit))
        {
            return;
        }
        if (0 == vlansInUse++)
        {
            int rctl = registers.read(E1000Registers.RCTL) & ~E1000Registers.RCTL_CFIEN;
            if (!config.promiscuous())
            {
                rctl |= E1000Registers.RCTL_VFE;
            }
            registers.write(E1000Registers.RCTL, rctl);
        }
        registers.write(index, registers.read(index) | bit);
    }

    /**
     * Linux {@code e1000_vlan_rx_kill_vid}: the VLAN id's filter bit cleared; the last one turns the filter off.
     *
     * @param vlanId 0..4095.
     */
    public void removeVlan(final int vlanId)
    {
        final int index = vfaIndex(vlanId);
        final int bit = 1 << (vlanId & 0x1F);
        if (0 == (registers.read(index) & bit))
        {
            return;
        }
        registers.write(index, registers.read(index) & ~bit);
        if (0 == --vlansInUse)
        {
            registers.write(E1000Registers.RCTL, registers.read(E1000Registers.RCTL) & ~E1000Registers.RCTL_VFE);
        }
    }

    private static int vfaIndex(final int vlanId)
    {
        if (vlanId < 0 || vlanId > 4095)
        {
            throw new IllegalArgumentException("VLAN id out of range 0..4095: " + vlanId);
        }
        return E1000Registers.VFTA + (((vlanId >>> 5) & 0x7F) << 2);
    }

    /**
     * Be told of every carrier change the watchdog sees (Linux's "NIC Link is Up/Down" messages).
     *
     * @param listener the listener, or null for none.
     */
    public void linkListener(final GuestLinkListener listener)
    {
        this.linkListener = null == listener ? GuestLinkListener.NONE : listener;
    }

    private boolean checkForLink()
    {
        if (getLinkStatus)
        {
            phy.read(Phy.PHY_STATUS);
            final int bmsr = phy.read(Phy.PHY_STATUS);
            if (0 == (bmsr & Phy.MII_SR_LINK_STATUS))
            {
                return false;
            }
            getLinkStatus = false;
            // e1000_check_downshift (M88): read PSSR right after link-up.
            phy.read(Phy.M88_PHY_SPEC_STATUS);
            configCollisionDistance();
            configFcAfterLinkUp();
        }
        return true;
    }

    /**
     * Run the watchdog until the carrier is up, waiting {@code pollIntervalNs} through {@link DeviceAccess#delay}
     * between tries (autonegotiation takes about 500 ms on QEMU-like devices).
     *
     * @param timeoutNs      give up after this much waiting.
     * @param pollIntervalNs wait between tries.
     * @return true when the link came up.
     */
    public boolean waitForLink(final long timeoutNs, final long pollIntervalNs)
    {
        long waitedNs = 0;
        while (!watchdog())
        {
            if (waitedNs >= timeoutNs)
            {
                return false;
            }
            registers.delay(pollIntervalNs);
            waitedNs += pollIntervalNs;
            // A link that dropped and came back must be re-read (Linux does this on the LSC interrupt).
            getLinkStatus = true;
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // transmit
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Linux {@code e1000_xmit_frame} without {@code xmit_more}: queue the frame and write TDT.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes 14..{@link GuestDriverConfig#MAX_FRAME_BYTES}; shorter than 60 is zero-padded.
     * @return false when the ring is full even after reclaiming completed descriptors (counted).
     */
    public boolean send(final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        if (!queue(frame, offset, lengthBytes))
        {
            return false;
        }
        flushTx();
        return true;
    }

    /**
     * Put a frame into the TX ring without a doorbell (Linux with {@code xmit_more}); {@link #flushTx()} publishes.
     * When the ring looks full, completed descriptors are reclaimed once before giving up.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes 14..{@link GuestDriverConfig#MAX_FRAME_BYTES}.
     * @return false when the ring has no room (counted as a ring-full event).
     * @throws IllegalStateException when not open.
     * @throws IllegalArgumentException for a length out of range.
     */
    public boolean queue(final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        return queue(frame, offset, lengthBytes, null);
    }

    /**
     * Put a frame into the TX ring with an offload request (a context descriptor first, Linux {@code e1000_tso} or
     * {@code e1000_tx_csum}), without a doorbell; {@link #flushTx()} publishes. A TSO frame may be up to
     * {@link #MAX_TSO_FRAME_BYTES}.
     *
     * @param frame       bytes, headers prepared as the offload expects (see {@link TxOffload}).
     * @param offset      first byte.
     * @param lengthBytes 14..{@link GuestDriverConfig#MAX_FRAME_BYTES}, or up to {@link #MAX_TSO_FRAME_BYTES} for TSO.
     * @param offload     the offload, or null for none.
     * @return false when the ring has no room (counted as a ring-full event).
     * @throws IllegalStateException when not open.
     * @throws IllegalArgumentException for a length out of range.
     */
    public boolean queue(final DirectBuffer frame, final int offset, final int lengthBytes, final TxOffload offload)
    {
        return queue(frame, offset, lengthBytes, offload, GuestTxRing.NO_VLAN_TAG);
    }

    /**
     * Send one frame of an 802.1Q interface over this port (Linux 8021q with hardware tag insertion: the stack hands
     * the driver an untagged frame and the tag, {@code e1000_tx_queue} sets VLE and the tag; SDM 3.3.11).
     *
     * @param frame       untagged bytes.
     * @param offset      first byte.
     * @param lengthBytes 14..{@link GuestDriverConfig#MAX_FRAME_BYTES}.
     * @param vlanTag     the TCI: priority, CFI and VLAN id.
     * @return false when the ring has no room.
     */
    public boolean sendTagged(final DirectBuffer frame, final int offset, final int lengthBytes, final int vlanTag)
    {
        final boolean queued = queue(frame, offset, lengthBytes, null, vlanTag & 0xFFFF);
        flushTx();
        return queued;
    }

    private boolean queue(
        final DirectBuffer frame, final int offset, final int lengthBytes, final TxOffload offload, final int vlanTag)
    {
        if (!open)
        {
            throw new IllegalStateException("transmit before open");
        }
        final int maxBytes =
            null != offload && offload.isTso() ? MAX_TSO_FRAME_BYTES : GuestDriverConfig.MAX_FRAME_BYTES;
        if (lengthBytes < 14 || lengthBytes > maxBytes)
        {
            throw new IllegalArgumentException("frame length out of range 14.." + maxBytes + ": " + lengthBytes);
        }
        if (!tx.queue(frame, offset, lengthBytes, offload, vlanTag))
        {
            tx.reclaim();
            if (!tx.queue(frame, offset, lengthBytes, offload, vlanTag))
            {
                txRingFullEvents++;
                doorbells.onTxRingFull();
                return false;
            }
        }
        txFrames++;
        txBytes += Math.max(lengthBytes, GuestTxRing.ETH_ZLEN);
        txQueuedSinceFlush = true;
        return true;
    }

    /**
     * Publish every queued frame with one TDT write (or CSB update).
     */
    public void flushTx()
    {
        if (txQueuedSinceFlush)
        {
            txQueuedSinceFlush = false;
            doorbells.publishTxTail(tx.nextToUse());
        }
    }

    /**
     * Queue up to {@code count} frames and publish them with one doorbell.
     *
     * @param frames  sources.
     * @param offsets first byte of each.
     * @param lengths length of each.
     * @param count   number of frames.
     * @return frames queued (fewer when the ring filled up).
     */
    public int sendBatch(final DirectBuffer[] frames, final int[] offsets, final int[] lengths, final int count)
    {
        int sent = 0;
        for (int i = 0; i < count; i++)
        {
            if (!queue(frames[i], offsets[i], lengths[i]))
            {
                break;
            }
            sent++;
        }
        flushTx();
        return sent;
    }

    /**
     * Linux {@code e1000_clean_tx_irq}: reclaim completed frames (DD on their last descriptor).
     *
     * @return true when every completed descriptor was reclaimed within one ring's worth.
     */
    public boolean reclaimTx()
    {
        return null == tx || tx.reclaim();
    }

    // ---------------------------------------------------------------------------------------------------------
    // receive and interrupts
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Harvest received frames without an interrupt (busy polling): Linux {@code e1000_clean_rx_irq}.
     *
     * @param budget most descriptors to harvest.
     * @return descriptors harvested.
     */
    public int poll(final int budget)
    {
        if (!open)
        {
            return 0;
        }
        final int work = rx.poll(budget, true, handler);
        doorbells.onRxPolled();
        return work;
    }

    /**
     * Linux {@code e1000_intr} followed by the NAPI poll it schedules: read ICR (0 means not ours), note link
     * changes, mask everything (IMC = ~0, flush), then {@link #napiPoll()}; the link watchdog runs after an LSC or
     * RXSEQ.
     *
     * @return false when ICR was 0 (a spurious or shared interrupt).
     */
    public boolean onInterrupt()
    {
        interrupts++;
        final int icr = registers.read(E1000Registers.ICR);
        if (0 == icr)
        {
            spuriousInterrupts++;
            return false;
        }
        lastIcr = icr;
        if (!open)
        {
            return true;
        }
        final boolean linkEvent = 0 != (icr & (E1000Registers.ICR_LSC | E1000Registers.ICR_RXSEQ));
        if (linkEvent)
        {
            getLinkStatus = true;
        }
        irqDisable();
        if (!napiScheduled)
        {
            napiScheduled = true;
            txPacketsAtInterrupt = tx.cleanedFrames();
            txBytesAtInterrupt = tx.cleanedBytes();
            rxPacketsAtInterrupt = rx.frames();
            rxBytesAtInterrupt = rx.bytes();
            doorbells.onNapiScheduled();
        }
        napiPoll();
        if (linkEvent)
        {
            watchdog();
        }
        return true;
    }

    /**
     * Linux {@code e1000_clean}: clean TX, harvest up to the NAPI budget of RX; when both are done, leave polling
     * mode, update ITR (dynamic modes) and unmask interrupts (IMS = 0x9D, flush). Otherwise the model stays in
     * polling mode with interrupts masked and the caller polls again ({@link #isNapiScheduled()}).
     *
     * @return RX descriptors harvested.
     */
    public int napiPoll()
    {
        if (!napiScheduled)
        {
            return 0;
        }
        napiPolls++;
        final boolean txComplete = tx.reclaim();
        final int budget = config.napiBudget();
        final int work = rx.poll(budget, true, handler);
        if (!txComplete || work == budget)
        {
            return work;
        }
        napiScheduled = false;
        if (null != dynamicItr)
        {
            final int itr = dynamicItr.update(linkSpeedMbps,
                tx.cleanedFrames() - txPacketsAtInterrupt, tx.cleanedBytes() - txBytesAtInterrupt,
                rx.frames() - rxPacketsAtInterrupt, rx.bytes() - rxBytesAtInterrupt);
            if (itr >= 0)
            {
                registers.write(E1000Registers.ITR, itr);
                itrWrites++;
            }
        }
        irqEnable();
        if (doorbells.onNapiComplete())
        {
            napiScheduled = true;
        }
        return work;
    }

    /**
     * Linux {@code e1000_down}: stop receiving and transmitting, mask interrupts, reset the MAC.
     */
    public void close()
    {
        if (!open)
        {
            return;
        }
        final int rctl = registers.read(E1000Registers.RCTL);
        registers.write(E1000Registers.RCTL, rctl & ~E1000Registers.RCTL_EN);
        final int tctl = registers.read(E1000Registers.TCTL);
        registers.write(E1000Registers.TCTL, tctl & ~E1000Registers.TCTL_EN);
        registers.flush();
        irqDisable();
        if (csbActive)
        {
            registers.write(E1000Registers.CSBAH, 0);
            registers.write(E1000Registers.CSBAL, 0);
            csbActive = false;
        }
        open = false;
        linkUp = false;
        napiScheduled = false;
        reset();
    }

    // ---------------------------------------------------------------------------------------------------------
    // doorbells
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Tail publication. Register mode: a doorbell write (into the shared page, or trapped). CSB mode: the tail goes
     * into {@code guest_tdt}/{@code guest_rdt}; the doorbell register is written only as a kick, when the host asks
     * through {@code host_need_txkick}/{@code host_need_rxkick} or does not serve the block yet.
     */
    private final class Doorbells implements TailPublisher
    {
        public void publishTxTail(final int tail)
        {
            txDoorbells++;
            if (csbActive)
            {
                csb.guestTdt(tail);
                if (csb.isServedByHost())
                {
                    if (!csb.hostNeedsTxKick())
                    {
                        csbTxKicksSuppressed++;
                        return;
                    }
                    csbTxKicks++;
                    kick(E1000Registers.TDT, tail);
                    return;
                }
            }
            registers.write(E1000Registers.TDT, tail);
        }

        public void publishRxTail(final int tail)
        {
            rxDoorbells++;
            if (csbActive)
            {
                csb.guestRdt(tail);
                if (csb.isServedByHost())
                {
                    if (!csb.hostNeedsRxKick())
                    {
                        csbRxKicksSuppressed++;
                        return;
                    }
                    csbRxKicks++;
                    kick(E1000Registers.RDT, tail);
                    return;
                }
            }
            registers.write(E1000Registers.RDT, tail);
        }

        private void kick(final int doorbellOffset, final int tail)
        {
            registers.write(doorbellOffset, tail);
            if (registers.isShared(doorbellOffset))
            {
                access.wakeHost(doorbellOffset);
            }
        }

        /**
         * CSB: out of TX descriptors, ask for a completion interrupt, then double-check (the host may have completed
         * descriptors between the failed attempt and the flag store).
         */
        void onTxRingFull()
        {
            if (csbActive)
            {
                csb.guestNeedTxKick(CsbDescriptor.NEED_KICK);
                final int freeBefore = tx.unused();
                tx.reclaim();
                if (tx.unused() != freeBefore)
                {
                    csb.guestNeedTxKick(CsbDescriptor.NO_KICK);
                }
            }
        }

        void onRxPolled()
        {
        }

        /**
         * CSB: while NAPI polls, the guest needs no interrupts.
         */
        void onNapiScheduled()
        {
            if (csbActive)
            {
                csb.guestNeedRxKick(CsbDescriptor.NO_KICK);
                csb.guestNeedTxKick(CsbDescriptor.NO_KICK);
            }
        }

        /**
         * CSB: polling is over, ask for an interrupt on the next frame, then double-check that no frame slipped in
         * between the last harvest and the flag store (DD on the next descriptor).
         *
         * @return true when a frame slipped in: the flag is withdrawn and NAPI stays scheduled.
         */
        boolean onNapiComplete()
        {
            if (!csbActive)
            {
                return false;
            }
            csb.guestNeedRxKick(CsbDescriptor.NEED_KICK);
            if (rx.hasWork())
            {
                csb.guestNeedRxKick(CsbDescriptor.NO_KICK);
                return true;
            }
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // state and counters
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @return the PHY's MDIC access (the self-test drives it).
     */
    Phy phy()
    {
        return phy;
    }

    /**
     * @return the Microwire EEPROM access.
     */
    MicrowireEeprom eeprom()
    {
        return eeprom;
    }

    /**
     * @return the guest RAM window the model allocates from.
     */
    GuestRam ram()
    {
        return ram;
    }

    /**
     * @return true when the link is autonegotiated (no {@link #setLinkSettings forced speed}).
     */
    boolean isAutonegotiating()
    {
        return 0 == forcedSpeedMbps;
    }

    /**
     * Linux {@code e1000_check_for_link} for copper: BMSR read twice when the link status is stale.
     *
     * @return true when the PHY reports link.
     */
    boolean checkLink()
    {
        getLinkStatus = true;
        return checkForLink();
    }

    /**
     * @return the MAC read from the EEPROM (a copy).
     */
    public byte[] macAddress()
    {
        return mac.clone();
    }

    /**
     * @return the MAC as "02:00:00:00:00:01".
     */
    public String macString()
    {
        final StringBuilder builder = new StringBuilder(17);
        for (int i = 0; i < 6; i++)
        {
            if (i > 0)
            {
                builder.append(':');
            }
            builder.append(Character.forDigit((mac[i] >>> 4) & 0xF, 16)).append(Character.forDigit(mac[i] & 0xF, 16));
        }
        return builder.toString();
    }

    /**
     * @param word EEPROM word 0..63.
     * @return the value read during probe.
     */
    public int eepromWord(final int word)
    {
        return eepromWords[word];
    }

    /**
     * @return PHY identifier read at probe (ID1 &lt;&lt; 16 | ID2).
     */
    public int phyId()
    {
        return phyId;
    }

    /**
     * @return resolved flow control, {@link #FC_NONE}..{@link #FC_FULL}.
     */
    public int flowControl()
    {
        return fc;
    }

    /**
     * @return PCI subsystem vendor id.
     */
    public int subsystemVendorId()
    {
        return subsystemVendorId;
    }

    /**
     * @return PCI subsystem id.
     */
    public int subsystemId()
    {
        return subsystemId;
    }

    /**
     * @return whether the port offers the CSB (subsystem id 0x1101).
     */
    public boolean isCsbOffered()
    {
        return csbOffered;
    }

    /**
     * @return true when the model registered a CSB at open (the host may still decline to serve it).
     */
    public boolean isCsbActive()
    {
        return csbActive;
    }

    /**
     * @return true when the host serves the registered CSB ({@code host_version}).
     */
    public boolean isCsbServed()
    {
        return csbActive && csb.isServedByHost();
    }

    /**
     * @return guest-physical address of the CSB, 0 when none was allocated.
     */
    public long csbGpa()
    {
        return null == csb ? 0 : csb.gpa();
    }

    /**
     * @return TX kicks written because the host asked (CSB mode).
     */
    public long csbTxKicks()
    {
        return csbTxKicks;
    }

    /**
     * @return TX tail publications that needed no doorbell write (CSB mode).
     */
    public long csbTxKicksSuppressed()
    {
        return csbTxKicksSuppressed;
    }

    /**
     * @return RX kicks written because the host asked (CSB mode).
     */
    public long csbRxKicks()
    {
        return csbRxKicks;
    }

    /**
     * @return RX tail publications that needed no doorbell write (CSB mode).
     */
    public long csbRxKicksSuppressed()
    {
        return csbRxKicksSuppressed;
    }

    /**
     * @return true after {@link #probe()}.
     */
    public boolean isProbed()
    {
        return probed;
    }

    /**
     * @return true between {@link #open()} and {@link #close()}.
     */
    public boolean isOpen()
    {
        return open;
    }

    /**
     * @return carrier state from the watchdog.
     */
    public boolean isLinkUp()
    {
        return linkUp;
    }

    /**
     * @return times the watchdog brought the carrier up.
     */
    public long linkUpEvents()
    {
        return linkUpEvents;
    }

    /**
     * @return times the watchdog took the carrier down.
     */
    public long linkDownEvents()
    {
        return linkDownEvents;
    }

    /**
     * @return link speed from STATUS, 0 when down.
     */
    public int linkSpeedMbps()
    {
        return linkSpeedMbps;
    }

    /**
     * @return duplex from STATUS.
     */
    public boolean isFullDuplex()
    {
        return fullDuplex;
    }

    /**
     * @return true while NAPI polling is pending (interrupts masked).
     */
    public boolean isNapiScheduled()
    {
        return napiScheduled;
    }

    /**
     * @return the last non-zero ICR read.
     */
    public int lastIcr()
    {
        return lastIcr;
    }

    /**
     * @return descriptors the driver may still fill.
     */
    public int txFreeDescriptors()
    {
        return null == tx ? 0 : tx.unused();
    }

    /**
     * @return true when transmitted frames await DD.
     */
    public boolean hasTxPending()
    {
        return null != tx && tx.hasPending();
    }

    /**
     * @return TX ring guest-physical address (0 before open).
     */
    public long txRingGpa()
    {
        return null == tx ? 0 : tx.ringGpa();
    }

    /**
     * @return RX ring guest-physical address (0 before open).
     */
    public long rxRingGpa()
    {
        return null == rx ? 0 : rx.ringGpa();
    }

    /**
     * @return the TX tail last produced (next_to_use).
     */
    public int txTail()
    {
        return null == tx ? 0 : tx.nextToUse();
    }

    /**
     * @return the register view (exit counts).
     */
    public DeviceRegisters registers()
    {
        return registers;
    }

    /**
     * @return frames queued for transmit.
     */
    public long txFrames()
    {
        return txFrames;
    }

    /**
     * @return bytes queued for transmit (after padding to 60).
     */
    public long txBytes()
    {
        return txBytes;
    }

    /**
     * @return frames whose descriptors came back with DD.
     */
    public long txCompletedFrames()
    {
        return null == tx ? 0 : tx.cleanedFrames();
    }

    /**
     * @return times a frame could not be queued because the ring was full.
     */
    public long txRingFullEvents()
    {
        return txRingFullEvents;
    }

    /**
     * @return TX tail publications (TDT writes or CSB updates).
     */
    public long txDoorbells()
    {
        return txDoorbells;
    }

    /**
     * @return RX tail publications (RDT writes or CSB updates).
     */
    public long rxDoorbells()
    {
        return rxDoorbells;
    }

    /**
     * @return good frames received.
     */
    public long rxFrames()
    {
        return null == rx ? 0 : rx.frames();
    }

    /**
     * @return bytes of good frames received (FCS excluded).
     */
    public long rxBytes()
    {
        return null == rx ? 0 : rx.bytes();
    }

    /**
     * @return frames dropped for descriptor errors (CE/SE/SEQ/CXE/RXE) or an impossible length.
     */
    public long rxErrors()
    {
        return null == rx ? 0 : rx.frameErrors() + rx.runts();
    }

    /**
     * @return frames dropped because they spanned several RX descriptors (Linux's non-jumbo path).
     */
    public long rxMultiDescriptorDrops()
    {
        return null == rx ? 0 : rx.multiDescriptorDrops();
    }

    /**
     * @return {@link #onInterrupt()} calls.
     */
    public long interrupts()
    {
        return interrupts;
    }

    /**
     * @return interrupts with ICR = 0.
     */
    public long spuriousInterrupts()
    {
        return spuriousInterrupts;
    }

    /**
     * @return NAPI poll rounds.
     */
    public long napiPolls()
    {
        return napiPolls;
    }

    /**
     * @return ITR register writes.
     */
    public long itrWrites()
    {
        return itrWrites;
    }
}
