package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trapped accesses of 1, 2, 4 and 8 bytes, as a vfio-user client sends them: a narrow access acts on its byte lanes
 * only (PCI byte enables), 8 bytes are two dword accesses low first, and anything misaligned, straddling or of another
 * size is refused and counted.
 */
class SizedAccessTest
{
    private final DeviceHarness harness = new DeviceHarness();
    private final E1000Device device = harness.device;

    @Test
    void shouldChangeOnlyTheWrittenByteWhenOneByteIsWrittenToAStoredRegister()
    {
        harness.write(E1000Registers.FCAL, 0x11223344);

        device.mmioWrite(E1000Registers.FCAL + 2, 1, 0xAB, harness.nowNs);

        assertEquals(0x11AB3344, harness.read(E1000Registers.FCAL));
        assertEquals(0, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
    }

    @Test
    void shouldChangeOnlyTheWrittenHalfWhenTwoBytesAreWrittenToAStoredRegister()
    {
        harness.write(E1000Registers.FCAL, 0x11223344);

        device.mmioWrite(E1000Registers.FCAL + 2, 2, 0xBEEF, harness.nowNs);
        device.mmioWrite(E1000Registers.FCAL, 2, 0xF00D, harness.nowNs);

        assertEquals(0xBEEFF00D, harness.read(E1000Registers.FCAL));
    }

    @Test
    void shouldApplyTheWriteMaskToTheMergedValueWhenARegisterIsWrittenNarrowly()
    {
        harness.write(E1000Registers.FCAH, 0x1234);

        device.mmioWrite(E1000Registers.FCAH + 2, 2, 0xFFFF, harness.nowNs);

        assertEquals(0x1234, harness.read(E1000Registers.FCAH), "FCAH keeps 16 bits: the upper half is reserved");
    }

    @Test
    void shouldReturnTheAddressedBytesWhenARegisterIsReadNarrowly()
    {
        harness.write(E1000Registers.FCAL, 0x11223344);

        assertEquals(0x33, device.mmioRead(E1000Registers.FCAL + 1, 1, harness.nowNs));
        assertEquals(0x1122, device.mmioRead(E1000Registers.FCAL + 2, 2, harness.nowNs));
        assertEquals(0x11223344L, device.mmioRead(E1000Registers.FCAL, 4, harness.nowNs));
        assertEquals(3, harness.counter(PortCounter.TRAPPED_READS), "one trapped read each");
    }

    @Test
    void shouldClearOnlyTheWrittenCausesWhenIcrIsWrittenOneByte()
    {
        harness.write(E1000Registers.ICS, E1000Registers.ICR_TXDW | E1000Registers.ICR_MDAC);

        device.mmioWrite(E1000Registers.ICR + 1, 1, E1000Registers.ICR_MDAC >>> 8, harness.nowNs);

        assertEquals(E1000Registers.ICR_TXDW, device.interrupts().peekIcr(), "the unwritten byte clears nothing");
    }

    @Test
    void shouldEnableOnlyTheWrittenCausesWhenImsIsWrittenOneByte()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);

        device.mmioWrite(E1000Registers.IMS, 1, E1000Registers.ICR_RXT0, harness.nowNs);
        device.mmioWrite(E1000Registers.IMC + 1, 1, 0, harness.nowNs);

        assertEquals(E1000Registers.ICR_TXDW | E1000Registers.ICR_RXT0, harness.read(E1000Registers.IMS));
    }

    @Test
    void shouldClearTheWholeIcrWhenOneByteOfItIsRead()
    {
        harness.write(E1000Registers.ICS, E1000Registers.ICR_TXDW | E1000Registers.ICR_MDAC);

        assertEquals(E1000Registers.ICR_MDAC >>> 8, device.mmioRead(E1000Registers.ICR + 1, 1, harness.nowNs));

        assertEquals(0, device.interrupts().peekIcr(), "a read of any byte of ICR is a read of ICR (SDM 13.4.17)");
        assertEquals(1, harness.counter(PortCounter.ICR_READS));
    }

    @Test
    void shouldWriteCtrlWhenOneByteOfItsAliasIsWritten()
    {
        final int ctrl = harness.read(E1000Registers.CTRL);

        device.mmioWrite(E1000Registers.CTRL_DUP + 3, 1, E1000Registers.CTRL_VME >>> 24, harness.nowNs);

        assertEquals(ctrl | E1000Registers.CTRL_VME, harness.read(E1000Registers.CTRL), "CTRL_DUP's bytes are CTRL's");
    }

    @Test
    void shouldResetTheMacWhenTheByteHoldingCtrlRstIsWritten()
    {
        harness.write(E1000Registers.RCTL, E1000Registers.RCTL_EN);

        device.mmioWrite(E1000Registers.CTRL + 3, 1, E1000Registers.CTRL_RST >>> 24, harness.nowNs);

        assertEquals(1, harness.counter(PortCounter.DEVICE_RESETS));
        assertEquals(0, harness.read(E1000Registers.RCTL));
    }

    @Test
    void shouldSplitAnEightByteWriteIntoTwoDwordsLowFirst()
    {
        device.mmioWrite(E1000Registers.FCAL, 8, 0x0000_5678_9ABC_DEF0L, harness.nowNs);

        assertEquals(0x9ABCDEF0, harness.read(E1000Registers.FCAL));
        assertEquals(0x5678, harness.read(E1000Registers.FCAH));
        assertEquals(1, harness.counter(PortCounter.TRAPPED_WRITES), "one trapped access");
    }

    @Test
    void shouldReadEightBytesAsTwoDwordsLowFirst()
    {
        harness.write(E1000Registers.FCAL, 0x9ABCDEF0);
        harness.write(E1000Registers.FCAH, 0x5678);

        assertEquals(0x0000_5678_9ABC_DEF0L, device.mmioRead(E1000Registers.FCAL, 8, harness.nowNs));
    }

    @Test
    void shouldStoreATrappedTwoByteDoorbellInTheSharedPage()
    {
        device.mmioWrite(E1000Registers.TDT, 2, 0x0007, harness.nowNs);

        assertEquals(7, harness.registers.doorbellPages().getInt(E1000Registers.TDT));
        assertEquals(1, harness.counter(PortCounter.DOORBELLS_TRAPPED));
    }

    @ParameterizedTest(name = "{1} bytes at BAR0 0x{0}")
    @CsvSource({
        "0029, 2", "002A, 4", "002C, 8", "0028, 3", "0028, 0", "0028, 16", "0028, -1", "1FFFE, 4", "1FFFC, 8",
        "20000, 1", "-1, 1",
    })
    void shouldRefuseAndCountWhenBar0AccessIsMisalignedOddSizedOrOutOfRange(final String offsetHex, final int size)
    {
        final int offset = Integer.parseInt(offsetHex, 16);
        harness.write(E1000Registers.FCAL, 0x11223344);
        harness.write(E1000Registers.FCAH, 0x5566);

        device.mmioWrite(offset, size, -1L, harness.nowNs);
        final long read = device.mmioRead(offset, size, harness.nowNs);

        assertFalse(E1000Device.isValidBar0Access(offset, size));
        assertEquals(0, read);
        assertEquals(2, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
        assertEquals(0x11223344, harness.read(E1000Registers.FCAL));
        assertEquals(0x5566, harness.read(E1000Registers.FCAH));
    }

    @ParameterizedTest(name = "{1} bytes at BAR0 0x{0}")
    @CsvSource({ "0, 1", "3, 1", "2, 2", "0, 4", "1FFFC, 4", "0, 8", "1FFF8, 8" })
    void shouldTakeNaturallyAlignedBar0AccessesOfOneTwoFourAndEightBytes(final String offsetHex, final int size)
    {
        assertTrue(E1000Device.isValidBar0Access(Integer.parseInt(offsetHex, 16), size));
    }

    @Test
    void shouldChangeOnlyTheWrittenBytesOfTheIoAddressLatch()
    {
        device.ioWrite(E1000Registers.IOADDR, E1000Registers.TDT, harness.nowNs);

        device.ioWrite(E1000Registers.IOADDR, 1, 0x00, harness.nowNs);

        assertEquals(0x3800, device.ioRead(E1000Registers.IOADDR, harness.nowNs));
        assertEquals(0x38, device.ioRead(E1000Registers.IOADDR + 1, 1, harness.nowNs));
    }

    @Test
    void shouldForwardANarrowIodataWriteToTheSameBytesOfTheSelectedRegister()
    {
        harness.write(E1000Registers.FCAL, 0x11223344);
        device.ioWrite(E1000Registers.IOADDR, E1000Registers.FCAL, harness.nowNs);

        device.ioWrite(E1000Registers.IODATA + 2, 2, 0xBEEF, harness.nowNs);

        assertEquals(0xBEEF3344, harness.read(E1000Registers.FCAL));
        assertEquals(0xBE, device.ioRead(E1000Registers.IODATA + 3, 1, harness.nowNs));
    }

    @ParameterizedTest(name = "{1} bytes at BAR1 0x{0}")
    @CsvSource({ "0, 8", "1, 2", "2, 4", "3E, 4", "40, 1", "0, 3" })
    void shouldRefuseAndCountWhenBar1AccessIsMisalignedOddSizedOrOutOfRange(final String offsetHex, final int size)
    {
        final int offset = Integer.parseInt(offsetHex, 16);
        device.ioWrite(E1000Registers.IOADDR, E1000Registers.STATUS, harness.nowNs);

        device.ioWrite(offset, size, -1L, harness.nowNs);

        assertFalse(E1000Device.isValidBar1Access(offset, size));
        assertEquals(0, device.ioRead(offset, size, harness.nowNs));
        assertEquals(2, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
        assertEquals(E1000Registers.STATUS, device.ioRead(E1000Registers.IOADDR, harness.nowNs));
    }
}
