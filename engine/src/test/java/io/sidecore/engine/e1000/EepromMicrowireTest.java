package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Microwire EEPROM through EECD (SDM 5, 13.4.3): reads, and the write, erase and enable commands; its helpers
 * clock commands for other tests (GuestBindingTest).
 */
public class EepromMicrowireTest
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

    /** EECD as a guest reaches it: the harness's trapped path or an engine proxy. */
    public interface Eecd
    {
        int read();

        void write(int value);
    }

    static Eecd eecdOf(final DeviceHarness harness)
    {
        return new Eecd()
        {
            public int read()
            {
                return harness.read(E1000Registers.EECD);
            }

            public void write(final int value)
            {
                harness.write(E1000Registers.EECD, value);
            }
        };
    }

    static int shiftOut(final DeviceHarness harness, final int eecdIn, final int data, final int bitCount)
    {
        return shiftOut(eecdOf(harness), eecdIn, data, bitCount);
    }

    private static int shiftOut(final Eecd pins, final int eecdIn, final int data, final int bitCount)
    {
        int eecd = eecdIn & ~E1000Registers.EECD_DO;
        for (int bit = bitCount - 1; bit >= 0; bit--)
        {
            eecd &= ~E1000Registers.EECD_DI;
            if (0 != ((data >>> bit) & 1))
            {
                eecd |= E1000Registers.EECD_DI;
            }
            pins.write(eecd);
            eecd |= E1000Registers.EECD_SK;
            pins.write(eecd);
            eecd &= ~E1000Registers.EECD_SK;
            pins.write(eecd);
        }
        eecd &= ~E1000Registers.EECD_DI;
        pins.write(eecd);
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

    /**
     * One Microwire command the way Linux's {@code e1000_write_eeprom_microwire} sends it: CS raised, start bit and
     * opcode, the 6 address bits, the data bits if any, then CS lowered (the part starts programming) and raised
     * again to poll DO for ready (SDM 5.3.1; 93C46).
     */
    public static void command(final Eecd pins, final int opcode, final int address, final int data)
    {
        final int selected = E1000Registers.EECD_REQ | E1000Registers.EECD_CS;
        pins.write(E1000Registers.EECD_REQ);
        pins.write(selected);
        int eecd = shiftOut(pins, selected, opcode, E1000Registers.EEPROM_OPCODE_BITS);
        eecd = shiftOut(pins, eecd, address, E1000Registers.EEPROM_ADDRESS_BITS);
        if (data >= 0)
        {
            eecd = shiftOut(pins, eecd, data, 16);
        }
        pins.write(eecd & ~E1000Registers.EECD_CS);
        pins.write(eecd);
        assertEquals(E1000Registers.EECD_DO, pins.read() & E1000Registers.EECD_DO, "ready");
        pins.write(0);
    }

    private static void command(final DeviceHarness harness, final int opcode, final int address, final int data)
    {
        command(eecdOf(harness), opcode, address, data);
    }

    /** A WRITE between EWEN and EWDS, as {@code e1000_write_eeprom_microwire} does. */
    public static void enabledWrite(final Eecd pins, final int address, final int value)
    {
        command(pins, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWEN), -1);
        command(pins, E1000Registers.EEPROM_OPCODE_WRITE, address, value);
        command(pins, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWDS), -1);
    }

    public static int extended(final int command)
    {
        return command << (E1000Registers.EEPROM_ADDRESS_BITS - 2);
    }

    private static int sum(final int[] words)
    {
        int sum = 0;
        for (final int word : words)
        {
            sum += word;
        }
        return sum & 0xFFFF;
    }

    /** Like {@code ethtool -E}: EWEN, a WRITE of the word and of the recomputed checksum word, EWDS. */
    static void ethtoolWriteWord(final DeviceHarness harness, final int address, final int value)
    {
        final int[] words = linuxMicrowireRead(harness, 0, E1000Registers.EEPROM_WORD_COUNT);
        words[address] = value;
        int sum = 0;
        for (int i = 0; i < E1000Registers.EEPROM_CHECKSUM_WORD; i++)
        {
            sum += words[i];
        }
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWEN), -1);
        command(harness, E1000Registers.EEPROM_OPCODE_WRITE, address, value);
        command(harness, E1000Registers.EEPROM_OPCODE_WRITE, E1000Registers.EEPROM_CHECKSUM_WORD,
            (E1000Registers.EEPROM_CHECKSUM_SUM - sum) & 0xFFFF);
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWDS), -1);
    }

    @Test
    void shouldKeepAWordAndItsChecksumWrittenLikeEthtoolE()
    {
        ethtoolWriteWord(harness, 0x30, 0x1234);

        final int[] words = linuxMicrowireRead(harness, 0, E1000Registers.EEPROM_WORD_COUNT);
        assertEquals(0x1234, words[0x30]);
        assertEquals(E1000Registers.EEPROM_CHECKSUM_SUM, sum(words), "checksum word written too");
        assertEquals(0x1234, readByEerd(harness, 0x30), "EERD reads the same image");
        assertEquals(0, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
    }

    private static int readByEerd(final DeviceHarness harness, final int address)
    {
        harness.write(E1000Registers.EERD, E1000Registers.EERD_START | address << E1000Registers.EERD_ADDR_SHIFT);
        return harness.read(E1000Registers.EERD) >>> E1000Registers.EERD_DATA_SHIFT;
    }

    @Test
    void shouldRefuseWriteAndEraseAfterEwdsAndCountEach()
    {
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWEN), -1);
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWDS), -1);
        command(harness, E1000Registers.EEPROM_OPCODE_WRITE, 0x30, 0x1234);
        command(harness, E1000Registers.EEPROM_OPCODE_ERASE, 0x31, -1);
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_ERAL), -1);

        assertEquals(3, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
        final int[] words = linuxMicrowireRead(harness, 0, E1000Registers.EEPROM_WORD_COUNT);
        assertEquals(0x0100, words[0x30]);
        assertEquals(0x4000, words[0x31]);
        assertEquals(E1000Registers.EEPROM_CHECKSUM_SUM, sum(words));
        assertEquals(0, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
    }

    @Test
    void shouldEraseOneWordToAllOnesWhenEnabled()
    {
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWEN), -1);
        command(harness, E1000Registers.EEPROM_OPCODE_ERASE, 0x31, -1);

        final int[] words = linuxMicrowireRead(harness, 0x30, 3);
        assertEquals(0xFFFF, words[1]);
        assertEquals(0x0100, words[0], "neighbour below kept");
        assertEquals(0x121C, words[2], "neighbour above kept");
        assertEquals(0, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
    }

    @Test
    void shouldWriteAndEraseEveryWordWithWralAndEral()
    {
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWEN), -1);
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_WRAL),
            0xA5A5);
        final int[] written = linuxMicrowireRead(harness, 0, E1000Registers.EEPROM_WORD_COUNT);
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_ERAL), -1);
        final int[] erased = linuxMicrowireRead(harness, 0, E1000Registers.EEPROM_WORD_COUNT);

        for (int i = 0; i < E1000Registers.EEPROM_WORD_COUNT; i++)
        {
            assertEquals(0xA5A5, written[i], "WRAL word " + i);
            assertEquals(0xFFFF, erased[i], "ERAL word " + i);
        }
    }

    @Test
    void shouldKeepWrittenWordsAcrossCtrlRstAndPowerOnButDisableWritingAtPowerOn()
    {
        ethtoolWriteWord(harness, 0x30, 0x1234);
        command(harness, E1000Registers.EEPROM_OPCODE_EXTENDED, extended(E1000Registers.EEPROM_EXTENDED_EWEN), -1);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
        assertEquals(0x1234, readByEerd(harness, 0x30), "SDM 13.4.1: CTRL.RST keeps the EEPROM");
        harness.device.powerOnReset();
        assertEquals(0x1234, readByEerd(harness, 0x30), "the EEPROM is the port's, not the power-on state's");

        command(harness, E1000Registers.EEPROM_OPCODE_WRITE, 0x30, 0x5678);
        assertEquals(0x1234, readByEerd(harness, 0x30), "the part powers up with writing disabled (93C46 EWDS)");
        assertEquals(1, harness.counter(PortCounter.EEPROM_COMMAND_ERRORS));
    }

    @Test
    void shouldLoadTheMacAddressFromTheWrittenEepromAtCtrlRst()
    {
        ethtoolWriteWord(harness, 0, 0x5452);

        assertEquals(0x0002, harness.read(E1000Registers.ral(0)) & 0xFFFF, "RAL0 changes only at a reset");
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertEquals(0x5452, harness.read(E1000Registers.ral(0)) & 0xFFFF, "SDM 5.6.1: words 0-2 load RAL0/RAH0");
        assertEquals(E1000Registers.RAH_AV, harness.read(E1000Registers.rah(0)) & E1000Registers.RAH_AV);
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
