package io.sidecore.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.sidecore.shm.LayoutAssertions.assertDisjointBits;
import static io.sidecore.shm.LayoutAssertions.assertTiles;
import static io.sidecore.shm.LayoutAssertions.field;
import static io.sidecore.shm.LayoutAssertions.intConstant;
import static io.sidecore.shm.LayoutAssertions.parseInt;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins the TX (legacy, context, data) and legacy RX descriptor formats of SDM 3.2.3, 3.3.3, 3.3.6, 3.3.7 as
 * transcribed in e1000-checklist.md §3.1, and checks that each format tiles its 16 bytes.
 */
class E1000DescriptorTest
{
    @ParameterizedTest(name = "E1000TxDescriptor.{0} = {1}")
    @CsvSource({
        "LENGTH, 16",
        "BUFFER_ADDR_OFFSET, 0", "LENGTH_OFFSET, 8", "CSO_OFFSET, 10", "CMD_OFFSET, 11", "STATUS_OFFSET, 12",
        "CSS_OFFSET, 13", "SPECIAL_OFFSET, 14",
        "IPCSS_OFFSET, 0", "IPCSO_OFFSET, 1", "IPCSE_OFFSET, 2", "TUCSS_OFFSET, 4", "TUCSO_OFFSET, 5",
        "TUCSE_OFFSET, 6", "TYPE_LENGTH_CMD_OFFSET, 8", "TUCMD_OFFSET, 11", "HDRLEN_OFFSET, 13", "MSS_OFFSET, 14",
        "POPTS_OFFSET, 13",
        "EXT_LENGTH_MASK, 0xFFFFF", "DTYP_SHIFT, 20", "DTYP_MASK, 0xF00000", "DTYP_CONTEXT, 0", "DTYP_DATA, 1",
        "CMD_EOP, 0x01", "CMD_IFCS, 0x02", "CMD_IC, 0x04", "CMD_TSE, 0x04", "CMD_RS, 0x08", "CMD_RPS, 0x10",
        "CMD_DEXT, 0x20", "CMD_VLE, 0x40", "CMD_IDE, 0x80",
        "TUCMD_TCP, 0x01", "TUCMD_IP, 0x02", "TUCMD_TSE, 0x04", "TUCMD_RS, 0x08", "TUCMD_DEXT, 0x20",
        "TUCMD_IDE, 0x80",
        "POPTS_IXSM, 0x01", "POPTS_TXSM, 0x02",
        "STA_DD, 0x01", "STA_EC, 0x02", "STA_LC, 0x04", "STA_TU, 0x08",
    })
    void shouldPinTxDescriptorConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(E1000TxDescriptor.class, name));
    }

    @ParameterizedTest(name = "E1000RxDescriptor.{0} = {1}")
    @CsvSource({
        "LENGTH, 16",
        "BUFFER_ADDR_OFFSET, 0", "LENGTH_OFFSET, 8", "CHECKSUM_OFFSET, 10", "STATUS_OFFSET, 12",
        "ERRORS_OFFSET, 13", "SPECIAL_OFFSET, 14",
        "STA_DD, 0x01", "STA_EOP, 0x02", "STA_IXSM, 0x04", "STA_VP, 0x08", "STA_UDPCS, 0x10", "STA_TCPCS, 0x20",
        "STA_IPCS, 0x40", "STA_PIF, 0x80",
        "ERR_CE, 0x01", "ERR_SE, 0x02", "ERR_SEQ, 0x04", "ERR_CXE, 0x10", "ERR_TCPE, 0x20", "ERR_IPE, 0x40",
        "ERR_RXE, 0x80",
    })
    void shouldPinRxDescriptorConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(E1000RxDescriptor.class, name));
    }

    @Test
    void shouldPinEveryTxDescriptorConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(
            E1000TxDescriptor.class, E1000DescriptorTest.class, "shouldPinTxDescriptorConstant");
    }

    @Test
    void shouldPinEveryRxDescriptorConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(
            E1000RxDescriptor.class, E1000DescriptorTest.class, "shouldPinRxDescriptorConstant");
    }

    @Test
    void shouldTileLegacyTxDescriptor()
    {
        assertTiles("legacy TX", E1000TxDescriptor.LENGTH,
            field("buffer address", E1000TxDescriptor.BUFFER_ADDR_OFFSET, 8),
            field("length", E1000TxDescriptor.LENGTH_OFFSET, 2),
            field("CSO", E1000TxDescriptor.CSO_OFFSET, 1),
            field("CMD", E1000TxDescriptor.CMD_OFFSET, 1),
            field("STA", E1000TxDescriptor.STATUS_OFFSET, 1),
            field("CSS", E1000TxDescriptor.CSS_OFFSET, 1),
            field("special", E1000TxDescriptor.SPECIAL_OFFSET, 2));
    }

    @Test
    void shouldTileContextDescriptor()
    {
        assertTiles("context TX", E1000TxDescriptor.LENGTH,
            field("IPCSS", E1000TxDescriptor.IPCSS_OFFSET, 1),
            field("IPCSO", E1000TxDescriptor.IPCSO_OFFSET, 1),
            field("IPCSE", E1000TxDescriptor.IPCSE_OFFSET, 2),
            field("TUCSS", E1000TxDescriptor.TUCSS_OFFSET, 1),
            field("TUCSO", E1000TxDescriptor.TUCSO_OFFSET, 1),
            field("TUCSE", E1000TxDescriptor.TUCSE_OFFSET, 2),
            field("PAYLEN/DTYP/TUCMD", E1000TxDescriptor.TYPE_LENGTH_CMD_OFFSET, 4),
            field("STA", E1000TxDescriptor.STATUS_OFFSET, 1),
            field("HDRLEN", E1000TxDescriptor.HDRLEN_OFFSET, 1),
            field("MSS", E1000TxDescriptor.MSS_OFFSET, 2));
        assertEquals(E1000TxDescriptor.TYPE_LENGTH_CMD_OFFSET + 3, E1000TxDescriptor.TUCMD_OFFSET,
            "TUCMD is the top byte of dword 2");
    }

    @Test
    void shouldTileDataDescriptor()
    {
        assertTiles("data TX", E1000TxDescriptor.LENGTH,
            field("buffer address", E1000TxDescriptor.BUFFER_ADDR_OFFSET, 8),
            field("DTALEN/DTYP/DCMD", E1000TxDescriptor.TYPE_LENGTH_CMD_OFFSET, 4),
            field("STA", E1000TxDescriptor.STATUS_OFFSET, 1),
            field("POPTS", E1000TxDescriptor.POPTS_OFFSET, 1),
            field("special", E1000TxDescriptor.SPECIAL_OFFSET, 2));
        assertEquals(E1000TxDescriptor.TYPE_LENGTH_CMD_OFFSET + 3, E1000TxDescriptor.CMD_OFFSET,
            "DCMD is the top byte of dword 2, where the legacy CMD byte sits");
    }

    @Test
    void shouldTileLegacyRxDescriptor()
    {
        assertTiles("legacy RX", E1000RxDescriptor.LENGTH,
            field("buffer address", E1000RxDescriptor.BUFFER_ADDR_OFFSET, 8),
            field("length", E1000RxDescriptor.LENGTH_OFFSET, 2),
            field("checksum", E1000RxDescriptor.CHECKSUM_OFFSET, 2),
            field("status", E1000RxDescriptor.STATUS_OFFSET, 1),
            field("errors", E1000RxDescriptor.ERRORS_OFFSET, 1),
            field("special", E1000RxDescriptor.SPECIAL_OFFSET, 2));
    }

    @Test
    void shouldSplitDword2IntoLengthTypeAndCommand()
    {
        final int dataDword2 = (E1000TxDescriptor.CMD_DEXT << 24) |
            (E1000TxDescriptor.DTYP_DATA << E1000TxDescriptor.DTYP_SHIFT) | 0xABCDE;
        assertEquals(0x00100000, E1000TxDescriptor.DTYP_DATA << E1000TxDescriptor.DTYP_SHIFT,
            "checklist 3.1: data descriptor type is 0x00100000 in dword 2");
        assertEquals(0xABCDE, dataDword2 & E1000TxDescriptor.EXT_LENGTH_MASK);
        assertEquals(E1000TxDescriptor.DTYP_DATA,
            (dataDword2 & E1000TxDescriptor.DTYP_MASK) >>> E1000TxDescriptor.DTYP_SHIFT);
        assertEquals(0, E1000TxDescriptor.EXT_LENGTH_MASK & E1000TxDescriptor.DTYP_MASK);
        assertEquals(0, (E1000TxDescriptor.EXT_LENGTH_MASK | E1000TxDescriptor.DTYP_MASK) & 0xFF000000);
    }

    @Test
    void shouldKeepTxCommandAndStatusBitsDisjoint()
    {
        assertDisjointBits(E1000TxDescriptor.class,
            "CMD_EOP", "CMD_IFCS", "CMD_IC", "CMD_RS", "CMD_RPS", "CMD_DEXT", "CMD_VLE", "CMD_IDE");
        assertEquals(E1000TxDescriptor.CMD_IC, E1000TxDescriptor.CMD_TSE, "IC (legacy) and TSE (data) share bit 2");
        assertDisjointBits(E1000TxDescriptor.class,
            "TUCMD_TCP", "TUCMD_IP", "TUCMD_TSE", "TUCMD_RS", "TUCMD_DEXT", "TUCMD_IDE");
        assertDisjointBits(E1000TxDescriptor.class, "POPTS_IXSM", "POPTS_TXSM");
        assertDisjointBits(E1000TxDescriptor.class, "STA_DD", "STA_EC", "STA_LC", "STA_TU");
    }

    @Test
    void shouldKeepRxStatusAndErrorBitsDisjoint()
    {
        assertDisjointBits(E1000RxDescriptor.class, "STA_DD", "STA_EOP", "STA_IXSM", "STA_VP", "STA_UDPCS",
            "STA_TCPCS", "STA_IPCS", "STA_PIF");
        assertDisjointBits(E1000RxDescriptor.class, "ERR_CE", "ERR_SE", "ERR_SEQ", "ERR_CXE", "ERR_TCPE",
            "ERR_IPE", "ERR_RXE");
        assertEquals(0x97, E1000RxDescriptor.ERR_CE | E1000RxDescriptor.ERR_SE | E1000RxDescriptor.ERR_SEQ |
            E1000RxDescriptor.ERR_CXE | E1000RxDescriptor.ERR_RXE, "checklist 3.1: Linux drops frames with 0x97");
    }

    @Test
    void shouldFitTxAndRxRingGranularity()
    {
        assertEquals(0, 128 % E1000TxDescriptor.LENGTH, "ring length granularity holds whole descriptors");
        assertEquals(E1000TxDescriptor.LENGTH, E1000RxDescriptor.LENGTH);
    }
}
