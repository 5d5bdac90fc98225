package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EerdTest
{
    private final DeviceHarness harness = new DeviceHarness();

    static int eerdRead(final DeviceHarness harness, final int address)
    {
        harness.write(E1000Registers.EERD, (address << E1000Registers.EERD_ADDR_SHIFT) | E1000Registers.EERD_START);
        final int eerd = harness.read(E1000Registers.EERD);
        assertEquals(E1000Registers.EERD_DONE, eerd & E1000Registers.EERD_DONE);
        return eerd >>> E1000Registers.EERD_DATA_SHIFT;
    }

    @Test
    void shouldReturnWordWithDoneAndClearStartWhenStartWritten()
    {
        harness.write(E1000Registers.EERD, (0x0D << E1000Registers.EERD_ADDR_SHIFT) | E1000Registers.EERD_START);

        assertEquals((0x100E << 16) | (0x0D << 8) | E1000Registers.EERD_DONE, harness.read(E1000Registers.EERD));
    }

    @Test
    void shouldCompleteWithoutDataWhenAddressBeyondPart()
    {
        harness.write(E1000Registers.EERD, (0x40 << E1000Registers.EERD_ADDR_SHIFT) | E1000Registers.EERD_START);

        assertEquals((0x40 << 8) | E1000Registers.EERD_DONE, harness.read(E1000Registers.EERD));
    }

    @Test
    void shouldNotCompleteWhenWrittenWithoutStart()
    {
        harness.write(E1000Registers.EERD, (0x0D << E1000Registers.EERD_ADDR_SHIFT) | 0xFFFF0010);

        assertEquals(0x0D << 8, harness.read(E1000Registers.EERD));
    }

    @Test
    void shouldSumToBabaAndCarryMacWhenAllWordsReadThroughEerd()
    {
        int sum = 0;
        for (int address = 0; address < E1000Registers.EEPROM_WORD_COUNT; address++)
        {
            sum += eerdRead(harness, address);
        }

        assertEquals(E1000Registers.EEPROM_CHECKSUM_SUM, sum & 0xFFFF);
        assertEquals(0x0002, eerdRead(harness, 0));
        assertEquals(0x0000, eerdRead(harness, 1));
        assertEquals(0x0100, eerdRead(harness, 2));
    }
}
