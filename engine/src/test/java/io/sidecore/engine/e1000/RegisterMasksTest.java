package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class RegisterMasksTest
{
    private final DeviceHarness harness = new DeviceHarness();

    static Stream<Arguments> storedRegisters()
    {
        return Stream.of(
            arguments("RCTL", E1000Registers.RCTL, E1000Registers.RCTL_WRITE_MASK),
            arguments("TCTL", E1000Registers.TCTL, E1000Registers.TCTL_WRITE_MASK),
            arguments("TIPG", E1000Registers.TIPG, 0x3FFFFFFF),
            arguments("ITR", E1000Registers.ITR, 0xFFFF),
            arguments("RADV", E1000Registers.RADV, 0xFFFF),
            arguments("TADV", E1000Registers.TADV, 0xFFFF),
            arguments("VET", E1000Registers.VET, 0xFFFF),
            arguments("AIT", E1000Registers.AIT, 0xFFFF),
            arguments("RXCSUM", E1000Registers.RXCSUM, 0x3FF),
            arguments("RDBAL", E1000Registers.RDBAL, 0xFFFFFFF0),
            arguments("TDBAL", E1000Registers.TDBAL, 0xFFFFFFF0),
            arguments("RDBAH", E1000Registers.RDBAH, 0xFFFFFFFF),
            arguments("TDBAH", E1000Registers.TDBAH, 0xFFFFFFFF),
            arguments("RDLEN", E1000Registers.RDLEN, 0x000FFF80),
            arguments("TDLEN", E1000Registers.TDLEN, 0x000FFF80),
            arguments("TXDCTL", E1000Registers.TXDCTL, E1000Registers.TXDCTL_WRITE_MASK),
            arguments("RXDCTL", E1000Registers.RXDCTL, E1000Registers.RXDCTL_WRITE_MASK),
            arguments("LEDCTL", E1000Registers.LEDCTL, E1000Registers.LEDCTL_WRITE_MASK),
            arguments("MANC", E1000Registers.MANC, 0xFFFFFFFF),
            arguments("WUC", E1000Registers.WUC, 0xF),
            arguments("WUFC", E1000Registers.WUFC, 0x000F00FF),
            arguments("FCAL", E1000Registers.FCAL, 0xFFFFFFFF),
            arguments("FCAH", E1000Registers.FCAH, 0xFFFF),
            arguments("FCT", E1000Registers.FCT, 0xFFFF),
            arguments("FCTTV", E1000Registers.FCTTV, 0xFFFF),
            arguments("FCRTL", E1000Registers.FCRTL, 0x8000FFF8),
            arguments("FCRTH", E1000Registers.FCRTH, 0x0000FFF8),
            arguments("RAL5", E1000Registers.ral(5), 0xFFFFFFFF),
            arguments("RAH15", E1000Registers.rah(15), 0x8003FFFF),
            arguments("MTA127", E1000Registers.MTA + 127 * 4, 0xFFFFFFFF),
            arguments("VFTA0", E1000Registers.VFTA, 0xFFFFFFFF),
            arguments("CSBAL", E1000Registers.CSBAL, 0xFFFFFFFF),
            arguments("TDFH", E1000Registers.TDFH, 0x1FFF),
            arguments("RDFPC", E1000Registers.RDFPC, 0x1FFF));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storedRegisters")
    void shouldStoreOnlyMaskedBitsWhenAllOnesWritten(final String name, final int offset, final int mask)
    {
        harness.write(offset, 0xFFFFFFFF);
        assertEquals(mask, harness.read(offset), name);

        harness.write(offset, 0x5A5A5A5A);
        assertEquals(0x5A5A5A5A & mask, harness.read(offset), name);
        assertEquals(0, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
    }

    @Test
    void shouldKeepLinuxProgrammedRingAndControlValues()
    {
        harness.write(E1000Registers.RCTL, 0x00008002);
        harness.write(E1000Registers.TCTL, 0x0103F0FA);
        harness.write(E1000Registers.TIPG, 0x00602008);
        harness.write(E1000Registers.TXDCTL, 0x01010000);
        harness.write(E1000Registers.FCRTL, 0x8000ACC0);
        harness.write(E1000Registers.FCRTH, 0x0000ACC8);

        assertEquals(0x00008002, harness.read(E1000Registers.RCTL));
        assertEquals(0x0103F0FA, harness.read(E1000Registers.TCTL));
        assertEquals(0x00602008, harness.read(E1000Registers.TIPG));
        assertEquals(0x01010000, harness.read(E1000Registers.TXDCTL));
        assertEquals(0x8000ACC0, harness.read(E1000Registers.FCRTL));
        assertEquals(0x0000ACC8, harness.read(E1000Registers.FCRTH));
    }

    @Test
    void shouldNotStoreSelfClearingSwxoffWhenTctlWritten()
    {
        harness.write(E1000Registers.TCTL, E1000Registers.TCTL_EN | E1000Registers.TCTL_SWXOFF);

        assertEquals(E1000Registers.TCTL_EN, harness.read(E1000Registers.TCTL));
    }

    @Test
    void shouldStoreSixteenBitHeadsAndTailsAndCountTrappedDoorbells()
    {
        harness.write(E1000Registers.TDT, 0x12345);
        harness.write(E1000Registers.RDT, 0xFFFFFFFF);
        harness.write(E1000Registers.TDH, 0x10001);
        harness.write(E1000Registers.RDH, 0xABCDE);

        assertEquals(0x2345, harness.read(E1000Registers.TDT));
        assertEquals(0xFFFF, harness.read(E1000Registers.RDT));
        assertEquals(0x0001, harness.read(E1000Registers.TDH));
        assertEquals(0xBCDE, harness.read(E1000Registers.RDH));
        assertEquals(2, harness.counter(PortCounter.DOORBELLS_TRAPPED));
    }

    @Test
    void shouldMaskDelayTimersAndDropFpdWhenWritten()
    {
        harness.write(E1000Registers.RDTR, 0x7FFFFFFF);
        harness.write(E1000Registers.TIDV, 0xFFFFFFFF);

        assertEquals(0xFFFF, harness.read(E1000Registers.RDTR));
        assertEquals(0xFFFF, harness.read(E1000Registers.TIDV));
    }

    @Test
    void shouldDeriveTransmitAllocationWhenPbaWritten()
    {
        harness.write(E1000Registers.PBA, 0x30);
        assertEquals(E1000Registers.PBA_RESET_VALUE, harness.read(E1000Registers.PBA));

        harness.write(E1000Registers.PBA, 0xFFFF0028);
        assertEquals(0x00180028, harness.read(E1000Registers.PBA));

        harness.write(E1000Registers.PBA, 0x7F);
        assertEquals(0x00000040, harness.read(E1000Registers.PBA));
    }

    @Test
    void shouldClearWakeUpStatusBitsWhenOnesWritten()
    {
        harness.registers.set(E1000Registers.WUS, 0x00010003);

        harness.write(E1000Registers.WUS, 0x00000001);
        assertEquals(0x00010002, harness.read(E1000Registers.WUS));

        harness.write(E1000Registers.WUS, 0xFFFFFFFF);
        assertEquals(0, harness.read(E1000Registers.WUS));
    }

    @Test
    void shouldStoreAllSixteenReceiveAddressPairs()
    {
        for (int i = 0; i < E1000Registers.RA_COUNT; i++)
        {
            harness.write(E1000Registers.ral(i), 0x11000000 + i);
            harness.write(E1000Registers.rah(i), E1000Registers.RAH_AV | i);
        }

        for (int i = 0; i < E1000Registers.RA_COUNT; i++)
        {
            assertEquals(0x11000000 + i, harness.read(E1000Registers.ral(i)));
            assertEquals(E1000Registers.RAH_AV | i, harness.read(E1000Registers.rah(i)));
        }
    }

    @Test
    void shouldStoreWholeMulticastAndVlanTables()
    {
        for (int i = 0; i < E1000Registers.MTA_COUNT; i++)
        {
            harness.write(E1000Registers.MTA + 4 * i, i * 0x01010101);
            harness.write(E1000Registers.VFTA + 4 * i, ~i);
        }

        for (int i = 0; i < E1000Registers.MTA_COUNT; i++)
        {
            assertEquals(i * 0x01010101, harness.read(E1000Registers.MTA + 4 * i));
            assertEquals(~i, harness.read(E1000Registers.VFTA + 4 * i));
        }
        assertEquals(0, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
    }

    @Test
    void shouldReadMdicAndEerdOnlyThroughTheirSemantics()
    {
        harness.write(E1000Registers.MDIC, 0xFFFFFFFF);

        assertEquals(E1000Registers.MDIC_READY | E1000Registers.MDIC_ERROR,
            harness.read(E1000Registers.MDIC) & (E1000Registers.MDIC_READY | E1000Registers.MDIC_ERROR));
    }
}
