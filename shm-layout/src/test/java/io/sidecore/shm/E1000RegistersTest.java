package io.sidecore.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

import static io.sidecore.shm.E1000Registers.BAR0_LENGTH;
import static io.sidecore.shm.E1000Registers.CTRL_RESET_VALUE;
import static io.sidecore.shm.E1000Registers.CTRL_SLU;
import static io.sidecore.shm.E1000Registers.DBAL_MASK;
import static io.sidecore.shm.E1000Registers.DLEN_MASK;
import static io.sidecore.shm.E1000Registers.EERD_ADDR_SHIFT;
import static io.sidecore.shm.E1000Registers.EERD_DATA_SHIFT;
import static io.sidecore.shm.E1000Registers.EERD_DONE;
import static io.sidecore.shm.E1000Registers.EERD_START;
import static io.sidecore.shm.E1000Registers.ICR_INT_ASSERTED;
import static io.sidecore.shm.E1000Registers.ICR_LSC;
import static io.sidecore.shm.E1000Registers.ICR_MDAC;
import static io.sidecore.shm.E1000Registers.ICR_RXCFG;
import static io.sidecore.shm.E1000Registers.ICR_RXDMT0;
import static io.sidecore.shm.E1000Registers.ICR_RXO;
import static io.sidecore.shm.E1000Registers.ICR_RXSEQ;
import static io.sidecore.shm.E1000Registers.ICR_RXT0;
import static io.sidecore.shm.E1000Registers.ICR_SRPD;
import static io.sidecore.shm.E1000Registers.ICR_TXDW;
import static io.sidecore.shm.E1000Registers.ICR_TXD_LOW;
import static io.sidecore.shm.E1000Registers.ICR_TXQE;
import static io.sidecore.shm.E1000Registers.ICR_VALID_MASK;
import static io.sidecore.shm.E1000Registers.IMS_LINUX_ENABLE_MASK;
import static io.sidecore.shm.E1000Registers.MDIC_OP_READ;
import static io.sidecore.shm.E1000Registers.MDIC_OP_WRITE;
import static io.sidecore.shm.E1000Registers.MTA;
import static io.sidecore.shm.E1000Registers.MTA_COUNT;
import static io.sidecore.shm.E1000Registers.PAGE_COUNT;
import static io.sidecore.shm.E1000Registers.PAGE_LENGTH;
import static io.sidecore.shm.E1000Registers.RA;
import static io.sidecore.shm.E1000Registers.RA_COUNT;
import static io.sidecore.shm.E1000Registers.RCTL_BAM;
import static io.sidecore.shm.E1000Registers.RCTL_BSEX;
import static io.sidecore.shm.E1000Registers.RCTL_BSIZE_MASK;
import static io.sidecore.shm.E1000Registers.RCTL_BSIZE_SHIFT;
import static io.sidecore.shm.E1000Registers.RCTL_EN;
import static io.sidecore.shm.E1000Registers.RCTL_MO_MASK;
import static io.sidecore.shm.E1000Registers.RCTL_MO_SHIFT;
import static io.sidecore.shm.E1000Registers.RCTL_RDMTS_MASK;
import static io.sidecore.shm.E1000Registers.RCTL_RDMTS_SHIFT;
import static io.sidecore.shm.E1000Registers.RDT;
import static io.sidecore.shm.E1000Registers.RX_RING_PAGE_OFFSET;
import static io.sidecore.shm.E1000Registers.STATUS_ASDV_1000;
import static io.sidecore.shm.E1000Registers.STATUS_FD;
import static io.sidecore.shm.E1000Registers.STATUS_GIO_MASTER_ENABLE;
import static io.sidecore.shm.E1000Registers.STATUS_LU;
import static io.sidecore.shm.E1000Registers.STATUS_MTXCKOK;
import static io.sidecore.shm.E1000Registers.STATUS_RESET_VALUE;
import static io.sidecore.shm.E1000Registers.STATUS_SPEED_1000;
import static io.sidecore.shm.E1000Registers.TCTL_COLD_SHIFT;
import static io.sidecore.shm.E1000Registers.TCTL_CT_SHIFT;
import static io.sidecore.shm.E1000Registers.TCTL_PSP;
import static io.sidecore.shm.E1000Registers.TCTL_RTLC;
import static io.sidecore.shm.E1000Registers.TDT;
import static io.sidecore.shm.E1000Registers.TX_RING_PAGE_OFFSET;
import static io.sidecore.shm.E1000Registers.VFTA;
import static io.sidecore.shm.E1000Registers.VFTA_COUNT;
import static io.sidecore.shm.E1000Registers.isStatistic;
import static io.sidecore.shm.E1000Registers.rah;
import static io.sidecore.shm.E1000Registers.ral;
import static io.sidecore.shm.E1000Registers.rxBufferSizeBytes;
import static io.sidecore.shm.LayoutAssertions.assertDisjointBits;
import static io.sidecore.shm.LayoutAssertions.intConstant;
import static io.sidecore.shm.LayoutAssertions.parseInt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins every published constant of {@link E1000Registers}. Register offsets are transcribed from
 * e1000-checklist.md §2.2/§2.4 (QEMU e1000_regs.h, SDM table 13-2); the few the checklist does not list (FLA,
 * RSRPD, TSPMT, IPAV, IP4AT, IP6AT, WUPL, WUPM, FFLT) are from SDM section 13.4 and marked "SDM".
 */
class E1000RegistersTest
{
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "CTRL, 0x0000", "CTRL_DUP, 0x0004", "STATUS, 0x0008", "EECD, 0x0010", "EERD, 0x0014", "CTRL_EXT, 0x0018",
        "FLA, 0x001C", // SDM
        "MDIC, 0x0020", "FCAL, 0x0028", "FCAH, 0x002C", "FCT, 0x0030", "VET, 0x0038",
        "ICR, 0x00C0", "ITR, 0x00C4", "ICS, 0x00C8", "IMS, 0x00D0", "IMC, 0x00D8",
        "RCTL, 0x0100", "FCTTV, 0x0170", "TXCW, 0x0178", "RXCW, 0x0180",
        "TCTL, 0x0400", "TIPG, 0x0410", "AIT, 0x0458", "LEDCTL, 0x0E00", "PBA, 0x1000",
        "FCRTL, 0x2160", "FCRTH, 0x2168",
        "RDFH, 0x2410", "RDFT, 0x2418", "RDFHS, 0x2420", "RDFTS, 0x2428", "RDFPC, 0x2430",
        "RDBAL, 0x2800", "RDBAH, 0x2804", "RDLEN, 0x2808", "RDH, 0x2810", "RDT, 0x2818", "RDTR, 0x2820",
        "RXDCTL, 0x2828", "RADV, 0x282C", "CSBAL, 0x2830", "CSBAH, 0x2834",
        "RSRPD, 0x2C00", // SDM
        "TDFH, 0x3410", "TDFT, 0x3418", "TDFHS, 0x3420", "TDFTS, 0x3428", "TDFPC, 0x3430",
        "TDBAL, 0x3800", "TDBAH, 0x3804", "TDLEN, 0x3808", "TDH, 0x3810", "TDT, 0x3818", "TIDV, 0x3820",
        "TXDCTL, 0x3828", "TADV, 0x382C",
        "TSPMT, 0x3830", // SDM
        "CRCERRS, 0x4000", "ALGNERRC, 0x4004", "SYMERRS, 0x4008", "RXERRC, 0x400C", "MPC, 0x4010", "SCC, 0x4014",
        "ECOL, 0x4018", "MCC, 0x401C", "LATECOL, 0x4020", "COLC, 0x4028", "DC, 0x4030", "TNCRS, 0x4034",
        "SEC, 0x4038", "CEXTERR, 0x403C", "RLEC, 0x4040", "XONRXC, 0x4048", "XONTXC, 0x404C", "XOFFRXC, 0x4050",
        "XOFFTXC, 0x4054", "FCRUC, 0x4058", "PRC64, 0x405C", "PRC127, 0x4060", "PRC255, 0x4064", "PRC511, 0x4068",
        "PRC1023, 0x406C", "PRC1522, 0x4070", "GPRC, 0x4074", "BPRC, 0x4078", "MPRC, 0x407C", "GPTC, 0x4080",
        "GORCL, 0x4088", "GORCH, 0x408C", "GOTCL, 0x4090", "GOTCH, 0x4094", "RNBC, 0x40A0", "RUC, 0x40A4",
        "RFC, 0x40A8", "ROC, 0x40AC", "RJC, 0x40B0", "MGTPRC, 0x40B4", "MGTPDC, 0x40B8", "MGTPTC, 0x40BC",
        "TORL, 0x40C0", "TORH, 0x40C4", "TOTL, 0x40C8", "TOTH, 0x40CC", "TPR, 0x40D0", "TPT, 0x40D4",
        "PTC64, 0x40D8", "PTC127, 0x40DC", "PTC255, 0x40E0", "PTC511, 0x40E4", "PTC1023, 0x40E8",
        "PTC1522, 0x40EC", "MPTC, 0x40F0", "BPTC, 0x40F4", "TSCTC, 0x40F8", "TSCTFC, 0x40FC",
        "RXCSUM, 0x5000", "MTA, 0x5200", "RA, 0x5400", "VFTA, 0x5600",
        "WUC, 0x5800", "WUFC, 0x5808", "WUS, 0x5810", "MANC, 0x5820",
        "IPAV, 0x5838", "IP4AT, 0x5840", "IP6AT, 0x5880", "WUPL, 0x5900", "WUPM, 0x5A00", // SDM
        "SWSM, 0x5B50",
        "FFLT, 0x5F00", // SDM
        "FFMT, 0x9000", "FFVT, 0x9800", "PBM, 0x10000",
    })
    void shouldPinRegisterOffset(final String name, final String offset)
    {
        assertEquals(parseInt(offset), intConstant(E1000Registers.class, name));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "BAR0_LENGTH, 0x20000", "BAR1_LENGTH, 0x40", "PAGE_LENGTH, 0x1000", "PAGE_COUNT, 32",
        "RX_RING_PAGE_OFFSET, 0x2000", "TX_RING_PAGE_OFFSET, 0x3000",
        "IOADDR, 0x00", "IODATA, 0x04",
        "STATS_FIRST, 0x4000", "STATS_LAST, 0x40FC",
        "MTA_COUNT, 128", "RA_COUNT, 16", "VFTA_COUNT, 128", "PHY_ADDRESS, 1",
    })
    void shouldPinGeometryConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(E1000Registers.class, name));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        // CTRL, SDM 13.4.1
        "CTRL_FD, 0x1", "CTRL_LRST, 0x8", "CTRL_ASDE, 0x20", "CTRL_SLU, 0x40", "CTRL_ILOS, 0x80",
        "CTRL_FRCSPD, 0x800", "CTRL_FRCDPX, 0x1000", "CTRL_RST, 0x4000000", "CTRL_RFCE, 0x8000000",
        "CTRL_TFCE, 0x10000000", "CTRL_VME, 0x40000000", "CTRL_PHY_RST, 0x80000000", "CTRL_SPEED_SHIFT, 8",
        "CTRL_SPEED_MASK, 0x300",
        // STATUS, SDM 13.4.2
        "STATUS_FD, 0x1", "STATUS_LU, 0x2", "STATUS_TXOFF, 0x10", "STATUS_TBIMODE, 0x20",
        "STATUS_SPEED_1000, 0x80", "STATUS_ASDV_1000, 0x300", "STATUS_MTXCKOK, 0x400", "STATUS_PCI66, 0x800",
        "STATUS_BUS64, 0x1000", "STATUS_PCIX_MODE, 0x2000", "STATUS_GIO_MASTER_ENABLE, 0x80000",
        "STATUS_SPEED_SHIFT, 6", "STATUS_SPEED_MASK, 0xC0", "STATUS_ASDV_SHIFT, 8", "STATUS_ASDV_MASK, 0x300",
        // EECD, SDM 13.4.3
        "EECD_SK, 0x1", "EECD_CS, 0x2", "EECD_DI, 0x4", "EECD_DO, 0x8", "EECD_FWE_MASK, 0x30", "EECD_REQ, 0x40",
        "EECD_GNT, 0x80", "EECD_PRES, 0x100", "EECD_SIZE, 0x200",
        // EERD, SDM 13.4.4
        "EERD_START, 0x1", "EERD_DONE, 0x10", "EERD_ADDR_SHIFT, 8", "EERD_DATA_SHIFT, 16",
        // MDIC, SDM 13.4.7
        "MDIC_DATA_MASK, 0xFFFF", "MDIC_REG_SHIFT, 16", "MDIC_REG_MASK, 0x1F0000", "MDIC_PHY_SHIFT, 21",
        "MDIC_PHY_MASK, 0x3E00000", "MDIC_OP_WRITE, 0x4000000", "MDIC_OP_READ, 0x8000000",
        "MDIC_READY, 0x10000000", "MDIC_INT_EN, 0x20000000", "MDIC_ERROR, 0x40000000",
        // ICR/ICS/IMS/IMC, SDM 13.4.17, checklist 4.1
        "ICR_TXDW, 0x1", "ICR_TXQE, 0x2", "ICR_LSC, 0x4", "ICR_RXSEQ, 0x8", "ICR_RXDMT0, 0x10", "ICR_RXO, 0x40",
        "ICR_RXT0, 0x80", "ICR_MDAC, 0x200", "ICR_RXCFG, 0x400", "ICR_TXD_LOW, 0x8000", "ICR_SRPD, 0x10000",
        "ICR_INT_ASSERTED, 0x80000000", "ICR_VALID_MASK, 0x1FFFF", "IMS_LINUX_ENABLE_MASK, 0x9D",
        // RCTL, SDM 13.4.22
        "RCTL_EN, 0x2", "RCTL_SBP, 0x4", "RCTL_UPE, 0x8", "RCTL_MPE, 0x10", "RCTL_LPE, 0x20",
        "RCTL_LBM_MASK, 0xC0", "RCTL_RDMTS_SHIFT, 8", "RCTL_RDMTS_MASK, 0x300", "RCTL_MO_SHIFT, 12",
        "RCTL_MO_MASK, 0x3000", "RCTL_BAM, 0x8000", "RCTL_BSIZE_SHIFT, 16", "RCTL_BSIZE_MASK, 0x30000",
        "RCTL_VFE, 0x40000", "RCTL_CFIEN, 0x80000", "RCTL_CFI, 0x100000", "RCTL_DPF, 0x400000",
        "RCTL_PMCF, 0x800000", "RCTL_BSEX, 0x2000000", "RCTL_SECRC, 0x4000000",
        // TCTL, SDM 13.4.33
        "TCTL_EN, 0x2", "TCTL_PSP, 0x8", "TCTL_CT_SHIFT, 4", "TCTL_COLD_SHIFT, 12", "TCTL_SWXOFF, 0x400000",
        "TCTL_RTLC, 0x1000000",
        // RAH, RXCSUM, SDM 13.5
        "RAH_AV, 0x80000000", "RXCSUM_IPOFL, 0x100", "RXCSUM_TUOFL, 0x200",
        // write masks
        "DLEN_MASK, 0xFFF80", "HEAD_TAIL_MASK, 0xFFFF", "DBAL_MASK, 0xFFFFFFF0", "TIMER_MASK, 0xFFFF",
        "RDTR_FPD, 0x80000000",
        // write masks of the stored registers and field positions, SDM 13.4 (device model register table)
        "CTRL_WRITE_MASK, 0xDBFC1BE9", "CTRL_EXT_WRITE_MASK, 0x00FFDFFF", "CTRL_EXT_EE_RST, 0x2000",
        "EECD_WRITE_MASK, 0x77", "RCTL_WRITE_MASK, 0x06DFB3FE", "TCTL_WRITE_MASK, 0x013FFFFA",
        "TIPG_WRITE_MASK, 0x3FFFFFFF", "LEDCTL_WRITE_MASK, 0xCFCFCFCF", "PBA_RXA_MASK, 0x7F", "PBA_TXA_SHIFT, 16",
        "PBA_TOTAL_KB, 64", "RXDCTL_WRITE_MASK, 0x013F3F3F", "TXDCTL_WRITE_MASK, 0xFF3F3F3F",
        "RSRPD_WRITE_MASK, 0xFFF", "FIFO_POINTER_MASK, 0x1FFF", "RXCSUM_WRITE_MASK, 0x3FF",
        "RAH_WRITE_MASK, 0x8003FFFF", "FCRTL_WRITE_MASK, 0x8000FFF8", "FCRTH_WRITE_MASK, 0xFFF8",
        "LOW16_MASK, 0xFFFF", "TXCW_WRITE_MASK, 0xC000FFFF", "WUC_WRITE_MASK, 0xF", "WUFC_WRITE_MASK, 0x000F00FF",
        "IPAV_WRITE_MASK, 0x0001000F", "WUPL_WRITE_MASK, 0xFFF", "FFLT_WRITE_MASK, 0x7FF", "FFMT_WRITE_MASK, 0xF",
        "IOADDR_MASK, 0x000FFFFF", "TIDV_FPD, 0x80000000", "MDIC_OP_SHIFT, 26", "MDIC_OP_FIELD_MASK, 3",
        "MDIC_WRITE_MASK, 0x2FFFFFFF", "EERD_ADDR_MASK, 0xFF00", "ITR_UNIT_NS, 256", "DELAY_UNIT_NS, 1024",
        // PHY registers and bits, checklist 2.6
        "PHY_BMCR, 0x00", "PHY_BMSR, 0x01", "PHY_ID1, 0x02", "PHY_ID2, 0x03", "PHY_ANAR, 0x04", "PHY_ANLPAR, 0x05",
        "PHY_ANER, 0x06", "PHY_1000T_CTRL, 0x09", "PHY_1000T_STATUS, 0x0A", "PHY_M88_PSCR, 0x10",
        "PHY_M88_PSSR, 0x11", "PHY_M88_EPSCR, 0x14", "PHY_M88_RX_ERR_CNTR, 0x15", "PHY_REGISTER_COUNT, 32",
        "PHY_BMCR_SPEED_MSB, 0x40", "PHY_BMCR_DUPLEX, 0x100", "PHY_BMCR_AN_RESTART, 0x200",
        "PHY_BMCR_ISOLATE, 0x400", "PHY_BMCR_POWER_DOWN, 0x800", "PHY_BMCR_AN_ENABLE, 0x1000",
        "PHY_BMCR_SPEED_LSB, 0x2000", "PHY_BMCR_LOOPBACK, 0x4000", "PHY_BMCR_RESET, 0x8000",
        "PHY_BMSR_LINK_STATUS, 0x4", "PHY_BMSR_AN_COMPLETE, 0x20", "PHY_ID1_MARVELL, 0x0141",
        "PHY_ID2_M88E1011, 0x0C20",
        // EEPROM, checklist 2.5
        "EEPROM_WORD_COUNT, 64", "EEPROM_ADDRESS_BITS, 6", "EEPROM_OPCODE_READ, 6", "EEPROM_OPCODE_BITS, 3",
        "EEPROM_OPCODE_WRITE, 5", "EEPROM_OPCODE_ERASE, 7", "EEPROM_OPCODE_EXTENDED, 4", "EEPROM_EXTENDED_EWDS, 0",
        "EEPROM_EXTENDED_WRAL, 1", "EEPROM_EXTENDED_ERAL, 2", "EEPROM_EXTENDED_EWEN, 3",
        "EEPROM_CHECKSUM_WORD, 0x3F", "EEPROM_CHECKSUM_SUM, 0xBABA", "EEPROM_INIT_CONTROL2_WORD, 0x0F",
        "EEPROM_INIT_CONTROL3_WORD, 0x24",
        // reset values, checklist 2.1
        "CTRL_RESET_VALUE, 0x00140240", "STATUS_RESET_VALUE, 0x80080783", "PBA_RESET_VALUE, 0x00100030",
        "LEDCTL_RESET_VALUE, 0x00000602", "MANC_RESET_VALUE, 0x00222300", "VET_RESET_VALUE, 0x8100",
    })
    void shouldPinBitConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(E1000Registers.class, name));
    }

    @Test
    void shouldPinEveryPublishedConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(E1000Registers.class, E1000RegistersTest.class,
            "shouldPinRegisterOffset", "shouldPinGeometryConstant", "shouldPinBitConstant");
    }

    @Test
    void shouldAlignEveryRegisterTo4BytesInsideBar0()
    {
        for (final String name : registerNames())
        {
            final int offset = intConstant(E1000Registers.class, name);
            assertEquals(0, offset & 3, name + " not 4-byte aligned");
            assertTrue(offset >= 0 && offset + Integer.BYTES <= BAR0_LENGTH, name + " outside BAR0");
        }
    }

    @Test
    void shouldGiveEveryRegisterItsOwnOffset()
    {
        final Map<Integer, String> byOffset = new HashMap<>();
        for (final String name : registerNames())
        {
            final String previous = byOffset.put(intConstant(E1000Registers.class, name), name);
            assertNull(previous, name + " shares its offset with " + previous);
        }
    }

    @Test
    void shouldKeepRegisterArraysClearOfOtherRegisters()
    {
        assertArrayClear("MTA", MTA, MTA_COUNT * 4);
        assertArrayClear("RA", RA, RA_COUNT * 8);
        assertArrayClear("VFTA", VFTA, VFTA_COUNT * 4);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "RDBAL", "RDBAH", "RDLEN", "RDH", "RDT", "RDTR", "RADV", "CSBAL", "CSBAH",
        "TDBAL", "TDBAH", "TDLEN", "TDH", "TDT", "TIDV", "TADV",
    })
    void shouldPlaceRingRegisterInDefaultSharedPage(final String name)
    {
        assertTrue(PortRegionDescriptor.isShared(
            PortRegionDescriptor.DEFAULT_SHARED_PAGES, intConstant(E1000Registers.class, name)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "CTRL", "STATUS", "EECD", "EERD", "MDIC", "ICR", "ITR", "ICS", "IMS", "IMC", "RCTL", "TCTL", "CRCERRS",
        "TSCTFC", "MTA", "RA", "VFTA", "RXCSUM", "MANC",
    })
    void shouldTrapRegisterWithSideEffectsUnderDefaultPolicy(final String name)
    {
        assertFalse(PortRegionDescriptor.isShared(
            PortRegionDescriptor.DEFAULT_SHARED_PAGES, intConstant(E1000Registers.class, name)));
    }

    @Test
    void shouldPlaceDoorbellsOnTheirRingPages()
    {
        assertEquals(RX_RING_PAGE_OFFSET, RDT & -PAGE_LENGTH);
        assertEquals(TX_RING_PAGE_OFFSET, TDT & -PAGE_LENGTH);
        assertEquals(BAR0_LENGTH, PAGE_COUNT * PAGE_LENGTH);
    }

    @ParameterizedTest(name = "RCTL BSEX={0} BSIZE={1} -> {2}")
    @CsvSource({
        "0, 0, 2048", "0, 1, 1024", "0, 2, 512", "0, 3, 256",
        "1, 0, 2048", "1, 1, 16384", "1, 2, 8192", "1, 3, 4096",
    })
    void shouldSelectRxBufferSizeFromBsizeAndBsex(final int bsex, final int bsize, final int expectedBytes)
    {
        final int rctl = (bsex == 1 ? RCTL_BSEX : 0) | (bsize << RCTL_BSIZE_SHIFT);
        assertEquals(expectedBytes, rxBufferSizeBytes(rctl));
        assertEquals(expectedBytes, rxBufferSizeBytes(rctl | ~(RCTL_BSEX | RCTL_BSIZE_MASK)),
            "other RCTL bits must not change the buffer size");
    }

    @ParameterizedTest(name = "RAL/RAH[{0}]")
    @CsvSource({ "0, 0x5400, 0x5404", "1, 0x5408, 0x540C", "15, 0x5478, 0x547C" })
    void shouldComputeReceiveAddressOffsets(final int n, final String ral, final String rah)
    {
        assertEquals(parseInt(ral), ral(n));
        assertEquals(parseInt(rah), rah(n));
    }

    @ParameterizedTest(name = "isStatistic(0x{0})")
    @CsvSource({ "3FFC, false", "4000, true", "4070, true", "40FC, true", "4100, false", "5000, false" })
    void shouldClassifyStatisticsRange(final String hexOffset, final boolean expected)
    {
        assertEquals(expected, isStatistic(Integer.parseInt(hexOffset, 16)));
    }

    @Test
    void shouldKeepCtrlBitsDisjoint()
    {
        assertDisjointBits(E1000Registers.class, "CTRL_FD", "CTRL_LRST", "CTRL_ASDE", "CTRL_SLU", "CTRL_ILOS",
            "CTRL_FRCSPD", "CTRL_FRCDPX", "CTRL_RST", "CTRL_RFCE", "CTRL_TFCE", "CTRL_VME", "CTRL_PHY_RST");
    }

    @Test
    void shouldKeepStatusBitsDisjoint()
    {
        assertDisjointBits(E1000Registers.class, "STATUS_FD", "STATUS_LU", "STATUS_TXOFF", "STATUS_TBIMODE",
            "STATUS_SPEED_1000", "STATUS_ASDV_1000", "STATUS_MTXCKOK", "STATUS_PCI66", "STATUS_BUS64",
            "STATUS_PCIX_MODE", "STATUS_GIO_MASTER_ENABLE");
    }

    @Test
    void shouldKeepEecdEerdAndMdicFieldsDisjoint()
    {
        assertDisjointBits(E1000Registers.class, "EECD_SK", "EECD_CS", "EECD_DI", "EECD_DO", "EECD_FWE_MASK",
            "EECD_REQ", "EECD_GNT", "EECD_PRES", "EECD_SIZE");
        assertEquals(0, (EERD_START | EERD_DONE) & (0xFF << EERD_ADDR_SHIFT));
        assertEquals(0, (0xFF << EERD_ADDR_SHIFT) & (0xFFFF << EERD_DATA_SHIFT));
        assertDisjointBits(E1000Registers.class, "MDIC_DATA_MASK", "MDIC_REG_MASK", "MDIC_PHY_MASK",
            "MDIC_OP_READ", "MDIC_READY", "MDIC_INT_EN", "MDIC_ERROR");
        assertEquals(0, MDIC_OP_WRITE & MDIC_OP_READ);
    }

    @Test
    void shouldKeepInterruptCausesDisjointAndInsideValidMask()
    {
        assertDisjointBits(E1000Registers.class, "ICR_TXDW", "ICR_TXQE", "ICR_LSC", "ICR_RXSEQ", "ICR_RXDMT0",
            "ICR_RXO", "ICR_RXT0", "ICR_MDAC", "ICR_RXCFG", "ICR_TXD_LOW", "ICR_SRPD", "ICR_INT_ASSERTED");
        final int causes = ICR_TXDW | ICR_TXQE | ICR_LSC | ICR_RXSEQ | ICR_RXDMT0 | ICR_RXO | ICR_RXT0 | ICR_MDAC |
            ICR_RXCFG | ICR_TXD_LOW | ICR_SRPD;
        assertEquals(causes, causes & ICR_VALID_MASK);
        assertEquals(0, ICR_INT_ASSERTED & ICR_VALID_MASK);
        assertEquals(ICR_RXT0 | ICR_TXDW | ICR_RXDMT0 | ICR_RXSEQ | ICR_LSC, IMS_LINUX_ENABLE_MASK);
    }

    @Test
    void shouldKeepRctlAndTctlFieldsDisjoint()
    {
        assertDisjointBits(E1000Registers.class, "RCTL_EN", "RCTL_SBP", "RCTL_UPE", "RCTL_MPE", "RCTL_LPE",
            "RCTL_LBM_MASK", "RCTL_RDMTS_MASK", "RCTL_MO_MASK", "RCTL_BAM", "RCTL_BSIZE_MASK", "RCTL_VFE",
            "RCTL_CFIEN", "RCTL_CFI", "RCTL_DPF", "RCTL_PMCF", "RCTL_BSEX", "RCTL_SECRC");
        assertEquals(3 << RCTL_RDMTS_SHIFT, RCTL_RDMTS_MASK);
        assertEquals(3 << RCTL_MO_SHIFT, RCTL_MO_MASK);
        assertEquals(3 << RCTL_BSIZE_SHIFT, RCTL_BSIZE_MASK);
        assertDisjointBits(E1000Registers.class, "TCTL_EN", "TCTL_PSP", "TCTL_SWXOFF", "TCTL_RTLC");
    }

    @Test
    void shouldComposeResetValuesFromBitsAsChecklistSays()
    {
        assertEquals(STATUS_RESET_VALUE, 0x80000000 | STATUS_GIO_MASTER_ENABLE | STATUS_ASDV_1000 |
            STATUS_MTXCKOK | STATUS_SPEED_1000 | STATUS_FD | STATUS_LU);
        assertEquals(CTRL_SLU, CTRL_RESET_VALUE & CTRL_SLU);
        assertEquals(0x00008002, RCTL_EN | RCTL_BAM, "Linux e1000_open RCTL, checklist 2.2");
        assertEquals(0x0103F0F8, TCTL_PSP | TCTL_RTLC | (15 << TCTL_CT_SHIFT) | (63 << TCTL_COLD_SHIFT),
            "Linux e1000_configure_tx TCTL, checklist 2.2");
    }

    @Test
    void shouldMaskGuestRingWrites()
    {
        assertEquals(0xFFF80, 0xFFFFFFFF & DLEN_MASK, "ring length at most 0xFFF80");
        assertEquals(0, DLEN_MASK & 0x7F, "ring length a multiple of 128");
        assertEquals(0x1234_5670, 0x1234_567F & DBAL_MASK, "ring base 16-byte aligned");
    }

    private static void assertArrayClear(final String arrayName, final int base, final int lengthBytes)
    {
        for (final String name : registerNames())
        {
            final int offset = intConstant(E1000Registers.class, name);
            if (!name.equals(arrayName))
            {
                assertTrue(offset < base || offset >= base + lengthBytes, name + " inside " + arrayName + "[]");
            }
        }
    }

    private static String[] registerNames()
    {
        try
        {
            final Method method = E1000RegistersTest.class.getDeclaredMethod(
                "shouldPinRegisterOffset", String.class, String.class);
            final String[] rows = method.getAnnotation(CsvSource.class).value();
            final String[] names = new String[rows.length];
            for (int i = 0; i < rows.length; i++)
            {
                names[i] = rows[i].split(",")[0].trim();
            }
            return names;
        }
        catch (final NoSuchMethodException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0x0000, CTRL", "0x00C0, ICR", "0x2818, RDT", "0x3818, TDT", "0x3800, TDBAL", "0x4000, CRCERRS",
        "0x40FC, TSCTFC", "0x5400, RAL0", "0x5404, RAH0", "0x547C, RAH15", "0x5200, MTA0", "0x53FC, MTA127",
        "0x5600, VFTA0", "0x5820, MANC", "0x0044, 0x00044", "0x3819, 0x03819", "0x20000, 0x20000",
    })
    void shouldNameRegistersAsTheSdmDoes(final String offset, final String name)
    {
        assertEquals(name, E1000Registers.registerName(LayoutAssertions.parseInt(offset)));
    }
}
