package io.sidecore.shm;

/**
 * Byte offsets of the Intel 82540EM (E1000) registers within BAR0, and the bit constants the device model and the
 * guest driver model share.
 * <p>
 * Offsets follow the 8254x Family of Gigabit Ethernet Controllers Software Developer's Manual (SDM), section 13.4
 * (register summary, table 13-2). BAR0 is {@link #BAR0_LENGTH} bytes; every register is 32 bits wide and naturally
 * aligned, so a register index is {@code offset >> 2}.
 * <pre>
 *   BAR0 (128 KiB)
 *   0x00000 +------------------------------+ general: CTRL STATUS EECD EERD MDIC ... ICR ITR ICS IMS IMC
 *           |   trapped (socket round trip)| RCTL 0x0100, TCTL 0x0400, TIPG, LEDCTL, PBA
 *   0x02000 +------------------------------+ RX ring page: RDBAL RDBAH RDLEN RDH RDT RDTR RADV, CSBAL/CSBAH
 *           |  SHARED + POLLED (exitless)  |
 *   0x03000 +------------------------------+ TX ring page: TDBAL TDBAH TDLEN TDH TDT TIDV TXDCTL TADV
 *           |  SHARED + POLLED (exitless)  |
 *   0x04000 +------------------------------+ statistics (clear on read), RXCSUM, MTA, RA, VFTA, WUC, MANC
 *           |   trapped                    |
 *   0x20000 +------------------------------+
 * </pre>
 * Which pages are shared is a per-port policy ({@link PortRegionDescriptor#SHARED_PAGES_FIELD_OFFSET}); the two
 * ring pages are the default.
 */
public final class E1000Registers
{
    /** Length of BAR0 (memory, 32-bit, non-prefetchable): 128 KiB. SDM 4.1, table 4-2. */
    public static final int BAR0_LENGTH = 0x20000;
    /** Length of BAR1 (I/O): 64 bytes holding IOADDR/IODATA. SDM 4.1, 13.2. */
    public static final int BAR1_LENGTH = 0x40;
    /** BAR0 page size used for sharing decisions. */
    public static final int PAGE_LENGTH = 0x1000;
    /** Number of 4 KiB pages in BAR0. */
    public static final int PAGE_COUNT = BAR0_LENGTH / PAGE_LENGTH;
    /** Page of BAR0 holding the RX ring registers (RDT doorbell). */
    public static final int RX_RING_PAGE_OFFSET = 0x2000;
    /** Page of BAR0 holding the TX ring registers (TDT doorbell). */
    public static final int TX_RING_PAGE_OFFSET = 0x3000;

    // ---- BAR1 (I/O) ----
    /** I/O BAR: IOADDR selects the BAR0 register for IODATA. SDM 13.2.1. */
    public static final int IOADDR = 0x00;
    /** I/O BAR: IODATA proxies a 32-bit access to the register IOADDR selects. SDM 13.2.2. */
    public static final int IODATA = 0x04;

    // ---- general ----
    public static final int CTRL = 0x0000;
    public static final int CTRL_DUP = 0x0004;
    public static final int STATUS = 0x0008;
    public static final int EECD = 0x0010;
    public static final int EERD = 0x0014;
    public static final int CTRL_EXT = 0x0018;
    public static final int FLA = 0x001C;
    public static final int MDIC = 0x0020;
    public static final int FCAL = 0x0028;
    public static final int FCAH = 0x002C;
    public static final int FCT = 0x0030;
    public static final int VET = 0x0038;
    public static final int ICR = 0x00C0;
    public static final int ITR = 0x00C4;
    public static final int ICS = 0x00C8;
    public static final int IMS = 0x00D0;
    public static final int IMC = 0x00D8;
    public static final int RCTL = 0x0100;
    public static final int FCTTV = 0x0170;
    public static final int TXCW = 0x0178;
    public static final int RXCW = 0x0180;
    public static final int TCTL = 0x0400;
    public static final int TIPG = 0x0410;
    public static final int AIT = 0x0458;
    public static final int LEDCTL = 0x0E00;
    public static final int PBA = 0x1000;
    public static final int FCRTL = 0x2160;
    public static final int FCRTH = 0x2168;
    public static final int RDFH = 0x2410;
    public static final int RDFT = 0x2418;
    public static final int RDFHS = 0x2420;
    public static final int RDFTS = 0x2428;
    public static final int RDFPC = 0x2430;

    // ---- RX ring (shared page 0x2000) ----
    public static final int RDBAL = 0x2800;
    public static final int RDBAH = 0x2804;
    public static final int RDLEN = 0x2808;
    public static final int RDH = 0x2810;
    public static final int RDT = 0x2818;
    public static final int RDTR = 0x2820;
    public static final int RXDCTL = 0x2828;
    public static final int RADV = 0x282C;
    /**
     * CSB base address low (paravirtual extension of Rizzo, Lettieri, Maffione, ANCS 2013); the write that commits
     * the address, see {@link CsbDescriptor}.
     */
    public static final int CSBAL = 0x2830;
    /** CSB base address high; written before {@link #CSBAL}. */
    public static final int CSBAH = 0x2834;
    public static final int RSRPD = 0x2C00;

    // ---- TX FIFO (regdump only) ----
    public static final int TDFH = 0x3410;
    public static final int TDFT = 0x3418;
    public static final int TDFHS = 0x3420;
    public static final int TDFTS = 0x3428;
    public static final int TDFPC = 0x3430;

    // ---- TX ring (shared page 0x3000) ----
    public static final int TDBAL = 0x3800;
    public static final int TDBAH = 0x3804;
    public static final int TDLEN = 0x3808;
    public static final int TDH = 0x3810;
    public static final int TDT = 0x3818;
    public static final int TIDV = 0x3820;
    public static final int TXDCTL = 0x3828;
    public static final int TADV = 0x382C;
    public static final int TSPMT = 0x3830;

    // ---- statistics (SDM 13.7; the model clears all of them on read) ----
    public static final int CRCERRS = 0x4000;
    public static final int ALGNERRC = 0x4004;
    public static final int SYMERRS = 0x4008;
    public static final int RXERRC = 0x400C;
    public static final int MPC = 0x4010;
    public static final int SCC = 0x4014;
    public static final int ECOL = 0x4018;
    public static final int MCC = 0x401C;
    public static final int LATECOL = 0x4020;
    public static final int COLC = 0x4028;
    public static final int DC = 0x4030;
    public static final int TNCRS = 0x4034;
    public static final int SEC = 0x4038;
    public static final int CEXTERR = 0x403C;
    public static final int RLEC = 0x4040;
    public static final int XONRXC = 0x4048;
    public static final int XONTXC = 0x404C;
    public static final int XOFFRXC = 0x4050;
    public static final int XOFFTXC = 0x4054;
    public static final int FCRUC = 0x4058;
    public static final int PRC64 = 0x405C;
    public static final int PRC127 = 0x4060;
    public static final int PRC255 = 0x4064;
    public static final int PRC511 = 0x4068;
    public static final int PRC1023 = 0x406C;
    public static final int PRC1522 = 0x4070;
    public static final int GPRC = 0x4074;
    public static final int BPRC = 0x4078;
    public static final int MPRC = 0x407C;
    public static final int GPTC = 0x4080;
    public static final int GORCL = 0x4088;
    public static final int GORCH = 0x408C;
    public static final int GOTCL = 0x4090;
    public static final int GOTCH = 0x4094;
    public static final int RNBC = 0x40A0;
    public static final int RUC = 0x40A4;
    public static final int RFC = 0x40A8;
    public static final int ROC = 0x40AC;
    public static final int RJC = 0x40B0;
    public static final int MGTPRC = 0x40B4;
    public static final int MGTPDC = 0x40B8;
    public static final int MGTPTC = 0x40BC;
    public static final int TORL = 0x40C0;
    public static final int TORH = 0x40C4;
    public static final int TOTL = 0x40C8;
    public static final int TOTH = 0x40CC;
    public static final int TPR = 0x40D0;
    public static final int TPT = 0x40D4;
    public static final int PTC64 = 0x40D8;
    public static final int PTC127 = 0x40DC;
    public static final int PTC255 = 0x40E0;
    public static final int PTC511 = 0x40E4;
    public static final int PTC1023 = 0x40E8;
    public static final int PTC1522 = 0x40EC;
    public static final int MPTC = 0x40F0;
    public static final int BPTC = 0x40F4;
    public static final int TSCTC = 0x40F8;
    public static final int TSCTFC = 0x40FC;
    /** First statistics register. */
    public static final int STATS_FIRST = CRCERRS;
    /** Last statistics register. */
    public static final int STATS_LAST = TSCTFC;

    // ---- receive filtering and misc ----
    public static final int RXCSUM = 0x5000;
    /** Multicast table array, 128 entries. */
    public static final int MTA = 0x5200;
    public static final int MTA_COUNT = 128;
    /** Receive address RAL[n] = RA + 8n, RAH[n] = RA + 8n + 4, 16 pairs. */
    public static final int RA = 0x5400;
    public static final int RA_COUNT = 16;
    /** VLAN filter table array, 128 entries. */
    public static final int VFTA = 0x5600;
    public static final int VFTA_COUNT = 128;
    public static final int WUC = 0x5800;
    public static final int WUFC = 0x5808;
    public static final int WUS = 0x5810;
    public static final int MANC = 0x5820;
    public static final int IPAV = 0x5838;
    public static final int IP4AT = 0x5840;
    public static final int IP6AT = 0x5880;
    public static final int WUPL = 0x5900;
    public static final int WUPM = 0x5A00;
    public static final int SWSM = 0x5B50;
    public static final int FFLT = 0x5F00;
    public static final int FFMT = 0x9000;
    public static final int FFVT = 0x9800;
    public static final int PBM = 0x10000;

    // ---- CTRL bits (SDM 13.4.1) ----
    public static final int CTRL_FD = 1;
    public static final int CTRL_LRST = 1 << 3;
    public static final int CTRL_ASDE = 1 << 5;
    public static final int CTRL_SLU = 1 << 6;
    public static final int CTRL_ILOS = 1 << 7;
    public static final int CTRL_FRCSPD = 1 << 11;
    public static final int CTRL_FRCDPX = 1 << 12;
    public static final int CTRL_RST = 1 << 26;
    public static final int CTRL_RFCE = 1 << 27;
    public static final int CTRL_TFCE = 1 << 28;
    public static final int CTRL_VME = 1 << 30;
    public static final int CTRL_PHY_RST = 1 << 31;
    /** CTRL speed selection (9:8): 00 10 Mb/s, 01 100 Mb/s, 10 1000 Mb/s; used with FRCSPD. */
    public static final int CTRL_SPEED_SHIFT = 8;
    /** CTRL speed selection field. */
    public static final int CTRL_SPEED_MASK = 3 << CTRL_SPEED_SHIFT;

    // ---- STATUS bits (SDM 13.4.2) ----
    public static final int STATUS_FD = 1;
    public static final int STATUS_LU = 1 << 1;
    public static final int STATUS_TXOFF = 1 << 4;
    public static final int STATUS_TBIMODE = 1 << 5;
    public static final int STATUS_SPEED_1000 = 1 << 7;
    public static final int STATUS_ASDV_1000 = 0x300;
    public static final int STATUS_MTXCKOK = 1 << 10;
    public static final int STATUS_PCI66 = 1 << 11;
    public static final int STATUS_BUS64 = 1 << 12;
    public static final int STATUS_PCIX_MODE = 1 << 13;
    public static final int STATUS_GIO_MASTER_ENABLE = 1 << 19;
    /** STATUS speed (7:6): 00 10 Mb/s, 01 100 Mb/s, 1x 1000 Mb/s. */
    public static final int STATUS_SPEED_SHIFT = 6;
    /** STATUS speed field. */
    public static final int STATUS_SPEED_MASK = 3 << STATUS_SPEED_SHIFT;
    /** STATUS auto-speed detection value (9:8), the speed the PHY resolved. */
    public static final int STATUS_ASDV_SHIFT = 8;
    /** STATUS auto-speed detection value field. */
    public static final int STATUS_ASDV_MASK = 3 << STATUS_ASDV_SHIFT;

    // ---- EECD bits (SDM 13.4.3) ----
    public static final int EECD_SK = 1;
    public static final int EECD_CS = 1 << 1;
    public static final int EECD_DI = 1 << 2;
    public static final int EECD_DO = 1 << 3;
    public static final int EECD_FWE_MASK = 3 << 4;
    public static final int EECD_REQ = 1 << 6;
    public static final int EECD_GNT = 1 << 7;
    public static final int EECD_PRES = 1 << 8;
    public static final int EECD_SIZE = 1 << 9;

    // ---- EERD bits (SDM 13.4.4) ----
    public static final int EERD_START = 1;
    public static final int EERD_DONE = 1 << 4;
    public static final int EERD_ADDR_SHIFT = 8;
    public static final int EERD_DATA_SHIFT = 16;

    // ---- MDIC bits (SDM 13.4.7) ----
    public static final int MDIC_DATA_MASK = 0xFFFF;
    public static final int MDIC_REG_SHIFT = 16;
    public static final int MDIC_REG_MASK = 0x1F << MDIC_REG_SHIFT;
    public static final int MDIC_PHY_SHIFT = 21;
    public static final int MDIC_PHY_MASK = 0x1F << MDIC_PHY_SHIFT;
    public static final int MDIC_OP_WRITE = 1 << 26;
    public static final int MDIC_OP_READ = 2 << 26;
    public static final int MDIC_READY = 1 << 28;
    public static final int MDIC_INT_EN = 1 << 29;
    public static final int MDIC_ERROR = 1 << 30;
    /** The only PHY address the 82540EM answers on. */
    public static final int PHY_ADDRESS = 1;

    // ---- interrupt cause bits, ICR/ICS/IMS/IMC (SDM 13.4.17) ----
    public static final int ICR_TXDW = 1;
    public static final int ICR_TXQE = 1 << 1;
    public static final int ICR_LSC = 1 << 2;
    public static final int ICR_RXSEQ = 1 << 3;
    public static final int ICR_RXDMT0 = 1 << 4;
    public static final int ICR_RXO = 1 << 6;
    public static final int ICR_RXT0 = 1 << 7;
    public static final int ICR_MDAC = 1 << 9;
    public static final int ICR_RXCFG = 1 << 10;
    public static final int ICR_TXD_LOW = 1 << 15;
    public static final int ICR_SRPD = 1 << 16;
    /** Set in ICR when any enabled cause is pending (82571+ semantics; not used by 82540 drivers). */
    public static final int ICR_INT_ASSERTED = 1 << 31;
    /**
     * The bits ICR, ICS and IMS latch on the 82540EM: 16:0, the ones the SDM lists as reserved (5, 8, 11) included
     * (SDM 13.4.17-13.4.20: only bits 31:17 read as 0). Intel's own driver diagnostic (Linux {@code e1000_intr_test})
     * sets bits 0-9 one at a time through ICS with IMS and expects each to post an interrupt and read back in ICR.
     */
    public static final int ICR_VALID_MASK = 0x0001FFFF;
    /** What Linux e1000 enables: RXT0 | TXDW | RXDMT0 | RXSEQ | LSC. */
    public static final int IMS_LINUX_ENABLE_MASK = 0x9D;

    // ---- RCTL bits (SDM 13.4.22) ----
    public static final int RCTL_EN = 1 << 1;
    public static final int RCTL_SBP = 1 << 2;
    public static final int RCTL_UPE = 1 << 3;
    public static final int RCTL_MPE = 1 << 4;
    public static final int RCTL_LPE = 1 << 5;
    public static final int RCTL_LBM_MASK = 3 << 6;
    public static final int RCTL_RDMTS_SHIFT = 8;
    public static final int RCTL_RDMTS_MASK = 3 << RCTL_RDMTS_SHIFT;
    public static final int RCTL_MO_SHIFT = 12;
    public static final int RCTL_MO_MASK = 3 << RCTL_MO_SHIFT;
    public static final int RCTL_BAM = 1 << 15;
    public static final int RCTL_BSIZE_SHIFT = 16;
    public static final int RCTL_BSIZE_MASK = 3 << RCTL_BSIZE_SHIFT;
    public static final int RCTL_VFE = 1 << 18;
    public static final int RCTL_CFIEN = 1 << 19;
    public static final int RCTL_CFI = 1 << 20;
    public static final int RCTL_DPF = 1 << 22;
    public static final int RCTL_PMCF = 1 << 23;
    public static final int RCTL_BSEX = 1 << 25;
    public static final int RCTL_SECRC = 1 << 26;

    // ---- TCTL bits (SDM 13.4.33) ----
    public static final int TCTL_EN = 1 << 1;
    public static final int TCTL_PSP = 1 << 3;
    public static final int TCTL_CT_SHIFT = 4;
    public static final int TCTL_COLD_SHIFT = 12;
    public static final int TCTL_SWXOFF = 1 << 22;
    public static final int TCTL_RTLC = 1 << 24;

    // ---- RAH bits (SDM 13.5.3) ----
    public static final int RAH_AV = 1 << 31;

    // ---- RXCSUM bits (SDM 13.5.1) ----
    public static final int RXCSUM_IPOFL = 1 << 8;
    public static final int RXCSUM_TUOFL = 1 << 9;

    // ---- masks applied to guest writes ----
    /** Descriptor ring length: multiple of 128 bytes, at most 0xFFF80 (SDM 13.4.27, 13.4.38). */
    public static final int DLEN_MASK = 0x000FFF80;
    /** Head and tail registers are 16 bits. */
    public static final int HEAD_TAIL_MASK = 0xFFFF;
    /** Ring base low: 16-byte aligned, low 4 bits ignored (SDM 13.4.25). */
    public static final int DBAL_MASK = 0xFFFFFFF0;
    /** 16-bit timer registers (ITR, RDTR, RADV, TIDV, TADV). RDTR additionally keeps FPD (bit 31). */
    public static final int TIMER_MASK = 0xFFFF;
    /** RDTR flush-partial-descriptor bit (write-only, self clearing). SDM 13.4.30. */
    public static final int RDTR_FPD = 1 << 31;

    // ---- write masks of the stored registers (SDM 13.4; bits outside a mask are reserved and read 0) ----
    /**
     * CTRL bits software can set: FD, LRST, ASDE, SLU, ILOS, SPEED, FRCSPD, FRCDPX, SWDPIN0-3, SWDPIO0-3, RFCE, TFCE,
     * VME, PHY_RST (SDM 13.4.1). RST (bit 26) is an action that self-clears, so it is not stored.
     */
    public static final int CTRL_WRITE_MASK = 0xDBFC1BE9;
    /** CTRL_EXT bits stored (SDM 13.4.6); EE_RST (bit 13) is an action and self-clears. */
    public static final int CTRL_EXT_WRITE_MASK = 0x00FFDFFF;
    /** CTRL_EXT EEPROM reset: reload the EEPROM defaults (self-clearing). */
    public static final int CTRL_EXT_EE_RST = 1 << 13;
    /** EECD bits software drives: SK, CS, DI, FWE, REQ (SDM 13.4.3). DO, GNT, PRES, SIZE are read-only. */
    public static final int EECD_WRITE_MASK = EECD_SK | EECD_CS | EECD_DI | EECD_FWE_MASK | EECD_REQ;
    /** RCTL bits: EN SBP UPE MPE LPE LBM RDMTS MO BAM BSIZE VFE CFIEN CFI DPF PMCF BSEX SECRC (SDM 13.4.22). */
    public static final int RCTL_WRITE_MASK = 0x06DFB3FE;
    /** TCTL bits: EN PSP CT COLD RTLC (SDM 13.4.33). SWXOFF (bit 22) is an action and self-clears. */
    public static final int TCTL_WRITE_MASK = 0x013FFFFA;
    /** TIPG: IPGT 9:0, IPGR1 19:10, IPGR2 29:20 (SDM 13.4.34). */
    public static final int TIPG_WRITE_MASK = 0x3FFFFFFF;
    /** LEDCTL: per LED mode 3:0, IVRT 6, BLINK 7 (SDM 13.4, LEDCTL: four LEDs, one byte each). */
    public static final int LEDCTL_WRITE_MASK = 0xCFCFCFCF;
    /** PBA receive allocation in KB (bits 6:0); the transmit allocation (bits 22:16) is 64 KB minus it. */
    public static final int PBA_RXA_MASK = 0x7F;
    /** PBA transmit allocation shift. */
    public static final int PBA_TXA_SHIFT = 16;
    /** Size of the 82540EM packet buffer in KB shared by RXA and TXA. */
    public static final int PBA_TOTAL_KB = 64;
    /** RX and TX descriptor control: PTHRESH 5:0, HTHRESH 13:8, WTHRESH 21:16, GRAN 24 (SDM 13.4.32, 13.4.42). */
    public static final int RXDCTL_WRITE_MASK = 0x013F3F3F;
    /** TXDCTL additionally has LWTHRESH 31:25 (SDM 13.4.42). */
    public static final int TXDCTL_WRITE_MASK = 0xFF3F3F3F;
    /** Receive small packet detect interrupt size, 12 bits. */
    public static final int RSRPD_WRITE_MASK = 0x0FFF;
    /** RX/TX data FIFO pointer registers, 13 bits (diagnostic, regdump only). */
    public static final int FIFO_POINTER_MASK = 0x1FFF;
    /** RXCSUM: PCSS 7:0, IPOFL 8, TUOFL 9 (SDM 13.5.1). */
    public static final int RXCSUM_WRITE_MASK = 0x03FF;
    /** RAH: address bytes 4-5 (15:0), ASEL 17:16, AV 31 (SDM 13.5.3). */
    public static final int RAH_WRITE_MASK = 0x8003FFFF;
    /** Flow control receive threshold low: RTL 15:3 and XONE 31 (SDM 13.4.23). */
    public static final int FCRTL_WRITE_MASK = 0x8000FFF8;
    /** Flow control receive threshold high: RTH 15:3 (SDM 13.4.24). */
    public static final int FCRTH_WRITE_MASK = 0x0000FFF8;
    /** 16-bit registers: FCAH, FCT, FCTTV, VET, AIT. */
    public static final int LOW16_MASK = 0xFFFF;
    /** TXCW: TxConfigWord 15:0, TxConfig 30, ANE 31 (SERDES only on other parts; stored). */
    public static final int TXCW_WRITE_MASK = 0xC000FFFF;
    /** Wake-up control: APME, PME_EN, PME_STAT, APMPME (SDM 13.6.1). */
    public static final int WUC_WRITE_MASK = 0x0F;
    /** Wake-up filter control and wake-up status: LNKC MAG EX MC BC ARP IPV4 IPV6 and FLX0-3 (SDM 13.6.2-13.6.3). */
    public static final int WUFC_WRITE_MASK = 0x000F00FF;
    /** IP address valid: V40-V43 and V60 (SDM 13.6, wake-up registers). */
    public static final int IPAV_WRITE_MASK = 0x0001000F;
    /** Wake-up packet length, 12 bits. */
    public static final int WUPL_WRITE_MASK = 0x0FFF;
    /** Flexible filter length, 11 bits. */
    public static final int FFLT_WRITE_MASK = 0x07FF;
    /** Flexible filter mask: one bit per filter (4). */
    public static final int FFMT_WRITE_MASK = 0x0F;
    /** IOADDR selects a BAR0 offset below 0x20000 or flash above 0x80000: 20 address bits (SDM 13.2.1). */
    public static final int IOADDR_MASK = 0x000FFFFF;
    /** RDTR/TIDV flush-partial-descriptor bit (write-only, self-clearing), SDM 13.4.30, 13.4.41. */
    public static final int TIDV_FPD = 1 << 31;
    /** Nanoseconds per ITR unit (SDM 13.4.18). */
    public static final int ITR_UNIT_NS = 256;
    /** Nanoseconds per RDTR/RADV/TIDV/TADV unit: 1.024 us (SDM 13.4.30, 13.4.31, 13.4.41, 13.4.44). */
    public static final int DELAY_UNIT_NS = 1024;

    // ---- MDIC and EERD fields ----
    /** MDIC operation field position (SDM 13.4.7). */
    public static final int MDIC_OP_SHIFT = 26;
    /** MDIC operation field mask (after shifting). */
    public static final int MDIC_OP_FIELD_MASK = 3;
    /** MDIC bits software writes: DATA, REGADD, PHYADD, OP, IE. READY and ERROR are status. */
    public static final int MDIC_WRITE_MASK = 0x2FFFFFFF;
    /** EERD address field (bits 15:8). */
    public static final int EERD_ADDR_MASK = 0xFF << EERD_ADDR_SHIFT;

    // ---- PHY (Marvell 88E1011 as the 82540EM integrates it; reached through MDIC, checklist 2.6) ----
    public static final int PHY_BMCR = 0x00;
    public static final int PHY_BMSR = 0x01;
    public static final int PHY_ID1 = 0x02;
    public static final int PHY_ID2 = 0x03;
    public static final int PHY_ANAR = 0x04;
    public static final int PHY_ANLPAR = 0x05;
    public static final int PHY_ANER = 0x06;
    public static final int PHY_1000T_CTRL = 0x09;
    public static final int PHY_1000T_STATUS = 0x0A;
    /** M88 PHY specific control. */
    public static final int PHY_M88_PSCR = 0x10;
    /** M88 PHY specific status. */
    public static final int PHY_M88_PSSR = 0x11;
    /** M88 extended PHY specific control. */
    public static final int PHY_M88_EPSCR = 0x14;
    /** M88 receive error counter. */
    public static final int PHY_M88_RX_ERR_CNTR = 0x15;
    /** Number of MII register addresses. */
    public static final int PHY_REGISTER_COUNT = 32;
    public static final int PHY_BMCR_SPEED_MSB = 1 << 6;
    public static final int PHY_BMCR_DUPLEX = 1 << 8;
    public static final int PHY_BMCR_AN_RESTART = 1 << 9;
    public static final int PHY_BMCR_ISOLATE = 1 << 10;
    public static final int PHY_BMCR_POWER_DOWN = 1 << 11;
    public static final int PHY_BMCR_AN_ENABLE = 1 << 12;
    public static final int PHY_BMCR_SPEED_LSB = 1 << 13;
    public static final int PHY_BMCR_LOOPBACK = 1 << 14;
    public static final int PHY_BMCR_RESET = 1 << 15;
    public static final int PHY_BMSR_LINK_STATUS = 1 << 2;
    public static final int PHY_BMSR_AN_COMPLETE = 1 << 5;
    /** Marvell OUI part of the PHY identifier. */
    public static final int PHY_ID1_MARVELL = 0x0141;
    /** M88E1011 model, revision 0 (Linux compares ID2 & 0xFFF0 with 0x0C20). */
    public static final int PHY_ID2_M88E1011 = 0x0C20;

    // ---- EEPROM (Microwire 93C46-compatible, 64 x 16 bit; SDM chapter 5, checklist 2.5) ----
    /** Words in the 82540EM EEPROM (EECD.SIZE = 0). */
    public static final int EEPROM_WORD_COUNT = 64;
    /** Address bits of a Microwire command for a 64-word part. */
    public static final int EEPROM_ADDRESS_BITS = 6;
    /** Microwire READ: start bit 1 then opcode 10. */
    public static final int EEPROM_OPCODE_READ = 0b110;
    /** Microwire WRITE: start bit 1 then opcode 01; 16 data bits follow the address. */
    public static final int EEPROM_OPCODE_WRITE = 0b101;
    /** Microwire ERASE: start bit 1 then opcode 11. */
    public static final int EEPROM_OPCODE_ERASE = 0b111;
    /** Microwire start bit then opcode 00: the two top address bits select EWDS, WRAL, ERAL or EWEN. */
    public static final int EEPROM_OPCODE_EXTENDED = 0b100;
    /** Extended command (top two address bits): write/erase disable. */
    public static final int EEPROM_EXTENDED_EWDS = 0b00;
    /** Extended command: write all words. */
    public static final int EEPROM_EXTENDED_WRAL = 0b01;
    /** Extended command: erase all words. */
    public static final int EEPROM_EXTENDED_ERAL = 0b10;
    /** Extended command: write/erase enable. */
    public static final int EEPROM_EXTENDED_EWEN = 0b11;
    /** Microwire opcode bits including the start bit. */
    public static final int EEPROM_OPCODE_BITS = 3;
    /** The word holding the checksum. */
    public static final int EEPROM_CHECKSUM_WORD = 0x3F;
    /** Drivers require the 16-bit sum of all 64 words to equal this. */
    public static final int EEPROM_CHECKSUM_SUM = 0xBABA;
    /** EEPROM word of initialization control 2 (pause capabilities). */
    public static final int EEPROM_INIT_CONTROL2_WORD = 0x0F;
    /** EEPROM word of initialization control 3 for port A (APME). */
    public static final int EEPROM_INIT_CONTROL3_WORD = 0x24;

    // ---- reset values (SDM 13.4; values as QEMU presents them, see e1000-checklist 2.1) ----
    public static final int CTRL_RESET_VALUE = 0x00140240;
    public static final int STATUS_RESET_VALUE = 0x80080783;
    public static final int PBA_RESET_VALUE = 0x00100030;
    public static final int LEDCTL_RESET_VALUE = 0x00000602;
    public static final int MANC_RESET_VALUE = 0x00222300;
    public static final int VET_RESET_VALUE = 0x8100;

    private E1000Registers()
    {
    }

    /**
     * Byte offset of RAL[n].
     *
     * @param n receive address index, 0..15.
     * @return BAR0 byte offset.
     */
    public static int ral(final int n)
    {
        return RA + (n << 3);
    }

    /**
     * Byte offset of RAH[n].
     *
     * @param n receive address index, 0..15.
     * @return BAR0 byte offset.
     */
    public static int rah(final int n)
    {
        return RA + (n << 3) + 4;
    }

    /**
     * The SDM name of a BAR0 register, for tools and messages: {@code "TDT"}, {@code "RAL3"}, {@code "MTA127"}.
     *
     * @param offset BAR0 byte offset.
     * @return the name, or the offset as {@code "0x%05X"} when it names no register this class defines.
     */
    public static String registerName(final int offset)
    {
        return E1000RegisterNames.name(offset);
    }

    /**
     * Is the offset a statistics register (SDM 13.7)?
     *
     * @param offset BAR0 byte offset.
     * @return true for 0x4000..0x40FC.
     */
    public static boolean isStatistic(final int offset)
    {
        return offset >= STATS_FIRST && offset <= STATS_LAST;
    }

    /**
     * Buffer size in bytes selected by RCTL BSIZE/BSEX (SDM 13.4.22, table 13-68).
     *
     * @param rctl the RCTL value.
     * @return buffer size; BSEX with BSIZE=00 is reserved and treated as 2048 like QEMU.
     */
    public static int rxBufferSizeBytes(final int rctl)
    {
        final int bsize = (rctl & RCTL_BSIZE_MASK) >>> RCTL_BSIZE_SHIFT;
        if (0 != (rctl & RCTL_BSEX))
        {
            switch (bsize)
            {
                case 1: return 16384;
                case 2: return 8192;
                case 3: return 4096;
                default: return 2048;
            }
        }
        switch (bsize)
        {
            case 1: return 1024;
            case 2: return 512;
            case 3: return 256;
            default: return 2048;
        }
    }
}
