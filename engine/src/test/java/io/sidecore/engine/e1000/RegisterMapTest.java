package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The register map: every row says where the SDM defines the register, rows do not overlap, each dword finds its
 * row, and a MAC reset leaves every register at its row's reset value.
 */
class RegisterMapTest
{
    @Test
    void shouldNameEveryRowAndCiteItsSdmSection()
    {
        final Set<String> names = new HashSet<>();
        for (final RegisterMap.Register row : RegisterMap.rows())
        {
            assertTrue(names.add(row.name()), "one row per register: " + row.name());
            assertTrue(row.sdmSection().startsWith("13.") || row.sdmSection().startsWith("CSB extension"),
                row.name() + " cites " + row.sdmSection());
            assertNotNull(row.reader(), row.name());
            assertNotNull(row.writer(), row.name());
            assertTrue(row.count() >= 1 && row.strideBytes() >= 4 && 0 == (row.offset() & 3), row.name());
        }
    }

    @Test
    void shouldFindTheRowOfEveryInstanceAndUnknownElsewhere()
    {
        int claimed = 0;
        for (final RegisterMap.Register row : RegisterMap.rows())
        {
            for (int i = 0; i < row.count(); i++)
            {
                assertSame(row, RegisterMap.at(row.offset() + i * row.strideBytes()), row.name() + "[" + i + "]");
                claimed++;
            }
        }
        int unknown = 0;
        for (int offset = 0; offset < E1000Registers.BAR0_LENGTH; offset += 4)
        {
            unknown += RegisterMap.UNKNOWN == RegisterMap.at(offset) ? 1 : 0;
        }
        assertEquals(E1000Registers.BAR0_LENGTH / 4, claimed + unknown, "rows do not overlap");
        assertSame(RegisterMap.UNKNOWN, RegisterMap.at(E1000Registers.FLA));
        assertSame(RegisterMap.UNKNOWN, RegisterMap.at(E1000Registers.TSPMT));
    }

    @Test
    void shouldLeaveEveryRegisterAtItsRowResetValueAfterMacReset()
    {
        final DeviceHarness harness = new DeviceHarness();
        for (final RegisterMap.Register row : RegisterMap.rows())
        {
            for (int i = 0; i < row.count(); i++)
            {
                harness.registers.set(row.offset() + i * row.strideBytes(), 0x5A5A5A5A);
            }
        }

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        for (final RegisterMap.Register row : RegisterMap.rows())
        {
            for (int i = 0; i < row.count(); i++)
            {
                final int offset = row.offset() + i * row.strideBytes();
                final int expected = switch (offset)
                {
                    case E1000Registers.EECD -> harness.device.eeprom.eecd();
                    case E1000Registers.PBA -> 0x5A5A5A5A; // kept across CTRL.RST, reset at power-on (SDM 13.4.16)
                    case 0x5400 -> 0x00000002;
                    case 0x5404 -> 0x80000100;
                    default -> row.resetValue();
                };
                assertEquals(expected, harness.registers.get(offset), row.name() + "[" + i + "] at 0x" +
                    Integer.toHexString(offset));
            }
        }
    }

    @Test
    void shouldKeepTheReservedBitsOfAStoredRegisterAtZero()
    {
        final DeviceHarness harness = new DeviceHarness();
        final RegisterMap.Register rctl = RegisterMap.at(E1000Registers.RCTL);

        harness.write(E1000Registers.RCTL, 0xFFFFFFFF);

        assertEquals(rctl.writeMask(), harness.read(E1000Registers.RCTL));
        assertEquals(E1000Registers.RCTL_WRITE_MASK, rctl.writeMask());
        assertEquals("13.4.22", rctl.sdmSection());
    }
}
