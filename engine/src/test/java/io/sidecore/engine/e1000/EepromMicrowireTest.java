package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EepromMicrowireTest
{
    private final DeviceHarness harness = new DeviceHarness();

    /**
     * Read words the way Linux e1000 does for an 82540 (e1000_read_eeprom, microwire): request and wait for the
     * grant, select, then per word shift out 110 + 6 address bits on rising SK edges, shift in 16 bits sampling DO
     * after each rising edge, and go through "standby" (CS low, SK high, CS high, SK low) between words.
     *
     * @param harness device.
     * @param first   first word address.
     * @param count   number of words.
     * @return the words.
     */
    static int[] linuxMicrowireRead(final DeviceHarness harness, final int first, final int count)
    {
        int eecd = harness.read(E1000Registers.EECD);
        eecd |= E1000Registers.EECD_REQ;
        harness.write(E1000Registers.EECD, eecd);
        assertTrue(0 != (harness.read(E1000Registers.EECD) & E1000Registers.EECD_GNT), "grant");
        eecd &= ~(E1000Registers.EECD_DI | E1000Registers.EECD_SK);
        harness.write(E1000Registers.EECD, eecd);
        eecd |= E1000Registers.EECD_CS;
        harness.write(E1000Registers.EECD, eecd);

        final int[] words = new int[count];
        for (int i = 0; i < count; i++)
        {
            eecd = shiftOut(harness, eecd, E1000Registers.EEPROM_OPCODE_READ, 3);
            eecd = shiftOut(harness, eecd, first + i, E1000Registers.EEPROM_ADDRESS_BITS);
            int data = 0;
            eecd &= ~(E1000Registers.EECD_DO | E1000Registers.EECD_DI);
            for (int bit = 0; bit < 16; bit++)
            {
                data <<= 1;
                eecd |= E1000Registers.EECD_SK;
                harness.write(E1000Registers.EECD, eecd);
                final int sample = harness.read(E1000Registers.EECD);
                if (0 != (sample & E1000Registers.EECD_DO))
                {
                    data |= 1;
                }
                eecd &= ~E1000Registers.EECD_SK;
                harness.write(E1000Registers.EECD, eecd);
            }
            words[i] = data;
            eecd &= ~(E1000Registers.EECD_CS | E1000Registers.EECD_SK);
            harness.write(E1000Registers.EECD, eecd);
            eecd |= E1000Registers.EECD_SK;
            harness.write(E1000Registers.EECD, eecd);
            eecd |= E1000Registers.EECD_CS;
            harness.write(E1000Registers.EECD, eecd);
            eecd &= ~E1000Registers.EECD_SK;
            harness.write(E1000Registers.EECD, eecd);
        }
        eecd &= ~(E1000Registers.EECD_CS | E1000Registers.EECD_DI | E1000Registers.EECD_SK |
            E1000Registers.EECD_REQ);
        harness.write(E1000Registers.EECD, eecd);
        return words;
    }

    static int shiftOut(final DeviceHarness harness, final int eecdIn, final int data, final int bitCount)
    {
        int eecd = eecdIn & ~E1000Registers.EECD_DO;
        for (int bit = bitCount - 1; bit >= 0; bit--)
        {
            eecd &= ~E1000Registers.EECD_DI;
            if (0 != ((data >>> bit) & 1))
            {
                eecd |= E1000Registers.EECD_DI;
            }
            harness.write(E1000Registers.EECD, eecd);
            eecd |= E1000Registers.EECD_SK;
            harness.write(E1000Registers.EECD, eecd);
            eecd &= ~E1000Registers.EECD_SK;
            harness.write(E1000Registers.EECD, eecd);
        }
        eecd &= ~E1000Registers.EECD_DI;
        harness.write(E1000Registers.EECD, eecd);
        return eecd;
    }

    @Test
    void shouldReadAll64WordsLikeLinuxAndSumToBaba()
    {
        final int[] words = linuxMicrowireRead(harness, 0, E1000Registers.EEPROM_WORD_COUNT);

        int sum = 0;
        for (final int word : words)
        {
            sum += word;
        }
        assertEquals(E1000Registers.EEPROM_CHECKSUM_SUM, sum & 0xFFFF);
        assertEquals(0, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
    }

    @Test
    void shouldPresentPortMacInWordsZeroToTwo()
    {
        final DeviceHarness other = new DeviceHarness(false,
            new byte[]{0x52, 0x54, 0x00, 0x12, 0x34, 0x56});

        final int[] words = linuxMicrowireRead(other, 0, 3);

        assertEquals(0x5452, words[0]);
        assertEquals(0x1200, words[1]);
        assertEquals(0x5634, words[2]);
    }

    @Test
    void shouldPresentChecklistImageWords()
    {
        final int[] words = linuxMicrowireRead(harness, 0, E1000Registers.EEPROM_WORD_COUNT);

        assertEquals(0xFFFF, words[0x04]);
        assertEquals(0x100E, words[0x0B]);
        assertEquals(0x8086, words[0x0C]);
        assertEquals(0x100E, words[0x0D]);
        assertEquals(0x8086, words[0x0E]);
        assertEquals(0x3040, words[E1000Registers.EEPROM_INIT_CONTROL2_WORD]);
        assertEquals(0x4D01, words[E1000Registers.EEPROM_INIT_CONTROL3_WORD]);
        assertEquals(0x121C, words[0x32]);
        assertEquals(0xFFFF, words[0x3E]);
    }

    @Test
    void shouldGrantOnlyWhileRequestedAndPresentPresAndSize64()
    {
        final int idle = harness.read(E1000Registers.EECD);
        assertEquals(0, idle & E1000Registers.EECD_GNT);
        assertEquals(E1000Registers.EECD_PRES, idle & E1000Registers.EECD_PRES);
        assertEquals(0, idle & E1000Registers.EECD_SIZE);

        harness.write(E1000Registers.EECD, E1000Registers.EECD_REQ);
        assertEquals(E1000Registers.EECD_GNT, harness.read(E1000Registers.EECD) & E1000Registers.EECD_GNT);

        harness.write(E1000Registers.EECD, 0);
        assertEquals(0, harness.read(E1000Registers.EECD) & E1000Registers.EECD_GNT);
    }

    @Test
    void shouldDriveDoHighWhenNoReadDecoded()
    {
        assertEquals(E1000Registers.EECD_DO, harness.read(E1000Registers.EECD) & E1000Registers.EECD_DO);

        harness.write(E1000Registers.EECD, E1000Registers.EECD_REQ | E1000Registers.EECD_CS);
        shiftOut(harness, E1000Registers.EECD_REQ | E1000Registers.EECD_CS, 0b11, 2);

        assertEquals(E1000Registers.EECD_DO, harness.read(E1000Registers.EECD) & E1000Registers.EECD_DO);
    }

    @Test
    void shouldPresentDummyZeroAfterLastAddressBitThenD15AfterFallingEdge()
    {
        final int selected = E1000Registers.EECD_REQ | E1000Registers.EECD_CS;
        harness.write(E1000Registers.EECD, selected);
        int eecd = shiftOut(harness, selected, E1000Registers.EEPROM_OPCODE_READ, 3);
        eecd = shiftOut(harness, eecd, 0b00010, 5);

        harness.write(E1000Registers.EECD, eecd | E1000Registers.EECD_SK);
        assertEquals(0, harness.read(E1000Registers.EECD) & E1000Registers.EECD_DO);

        harness.write(E1000Registers.EECD, eecd);
        assertEquals(E1000Registers.EECD_DO, harness.read(E1000Registers.EECD) & E1000Registers.EECD_DO);
    }

    @Test
    void shouldIgnoreRefusedWriteOpcodeAndCountIt()
    {
        final int selected = E1000Registers.EECD_REQ | E1000Registers.EECD_CS;
        harness.write(E1000Registers.EECD, selected);
        int eecd = shiftOut(harness, selected, 0b101, 3);
        eecd = shiftOut(harness, eecd, 0, E1000Registers.EEPROM_ADDRESS_BITS);
        eecd = shiftOut(harness, eecd, 0xABCD, 16);
        harness.write(E1000Registers.EECD, eecd & ~E1000Registers.EECD_CS);
        harness.write(E1000Registers.EECD, 0);

        assertEquals(1, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
        assertEquals(0x0002, linuxMicrowireRead(harness, 0, 1)[0]);
    }

    @Test
    void shouldRefuseEraseAndEnableOpcodes()
    {
        final int selected = E1000Registers.EECD_REQ | E1000Registers.EECD_CS;
        for (final int opcode : new int[]{0b111, 0b100})
        {
            harness.write(E1000Registers.EECD, 0);
            harness.write(E1000Registers.EECD, selected);
            final int eecd = shiftOut(harness, selected, opcode, 3);
            shiftOut(harness, eecd, 0x30, E1000Registers.EEPROM_ADDRESS_BITS);
        }

        assertEquals(2, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
        assertEquals(0, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
    }

    @Test
    void shouldIgnoreLeadingZerosBeforeStartBit()
    {
        final int selected = E1000Registers.EECD_REQ | E1000Registers.EECD_CS;
        harness.write(E1000Registers.EECD, selected);
        int eecd = shiftOut(harness, selected, 0b000110, 6);
        eecd = shiftOut(harness, eecd, 0x0B, E1000Registers.EEPROM_ADDRESS_BITS);

        int data = 0;
        for (int bit = 0; bit < 16; bit++)
        {
            harness.write(E1000Registers.EECD, eecd | E1000Registers.EECD_SK);
            data = (data << 1) | ((harness.read(E1000Registers.EECD) >>> 3) & 1);
            harness.write(E1000Registers.EECD, eecd);
        }
        harness.write(E1000Registers.EECD, eecd & ~E1000Registers.EECD_SK);

        assertEquals(0x100E, data);
        assertEquals(0, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
    }

    @Test
    void shouldContinueIntoNextWordWhenClockedPastSixteenBits()
    {
        final int selected = E1000Registers.EECD_REQ | E1000Registers.EECD_CS;
        harness.write(E1000Registers.EECD, selected);
        int eecd = shiftOut(harness, selected, E1000Registers.EEPROM_OPCODE_READ, 3);
        eecd = shiftOut(harness, eecd, 0x0E, E1000Registers.EEPROM_ADDRESS_BITS);

        long data = 0;
        for (int bit = 0; bit < 32; bit++)
        {
            harness.write(E1000Registers.EECD, eecd | E1000Registers.EECD_SK);
            data = (data << 1) | ((harness.read(E1000Registers.EECD) >>> 3) & 1);
            harness.write(E1000Registers.EECD, eecd);
        }

        assertEquals(0x8086_3040L, data);
    }

    @Test
    void shouldIgnoreClockEdgesWhileChipSelectLow()
    {
        int eecd = shiftOut(harness, E1000Registers.EECD_REQ, E1000Registers.EEPROM_OPCODE_READ, 3);
        eecd = shiftOut(harness, eecd, 0, E1000Registers.EEPROM_ADDRESS_BITS);
        harness.write(E1000Registers.EECD, eecd | E1000Registers.EECD_SK);

        assertEquals(E1000Registers.EECD_DO, harness.read(E1000Registers.EECD) & E1000Registers.EECD_DO);
        assertEquals(0, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
    }

    @Test
    void shouldStoreEecdImageWhenWritten()
    {
        harness.write(E1000Registers.EECD, E1000Registers.EECD_REQ | E1000Registers.EECD_FWE_MASK | 0xFFFF0000);

        final int expected = E1000Registers.EECD_REQ | E1000Registers.EECD_FWE_MASK | E1000Registers.EECD_GNT |
            E1000Registers.EECD_PRES | E1000Registers.EECD_DO;
        assertEquals(expected, harness.read(E1000Registers.EECD));
        assertEquals(expected, harness.registers.get(E1000Registers.EECD));
    }
}
