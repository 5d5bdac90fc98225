package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MicrowireEepromTest
{
    private final FakeE1000 device = new FakeE1000();
    private final MicrowireEeprom eeprom = new MicrowireEeprom(new DeviceRegisters(device));

    @Test
    void shouldReadEveryWordOfTheImageWhenBitBangingEecd()
    {
        eeprom.init();
        for (int word = 0; word < 64; word++)
        {
            assertEquals(device.eeprom[word], eeprom.readWord(word), "word " + word);
        }
    }

    @Test
    void shouldShiftOutReadOpcodeAndSixAddressBitsMsbFirstWhenSizeClear()
    {
        eeprom.init();
        eeprom.readWord(0x2A);
        eeprom.readWord(0x01);

        assertEquals(64, eeprom.wordCount());
        assertEquals(6, eeprom.addressBits());
        assertEquals(2, device.commandsDecoded.size());
        assertEquals((0b110 << 6) | 0x2A, device.commandsDecoded.get(0));
        assertEquals((0b110 << 6) | 0x01, device.commandsDecoded.get(1));
    }

    @Test
    void shouldUseEightAddressBitsWhenEecdSizeSet()
    {
        device.eepromLarge = true;
        eeprom.init();

        assertEquals(256, eeprom.wordCount());
        assertEquals(8, eeprom.addressBits());
    }

    @Test
    void shouldSampleDataOnRisingEdgeAndFollowWithStandbyAndRelease()
    {
        eeprom.init();
        device.trace.clear();
        eeprom.readWord(3);

        // Every EECD write is a clock phase Linux flushes with a STATUS read, except the set-up/release writes.
        final long eecdWrites = device.trace.stream().filter(line -> line.startsWith("mmio W 0x00010")).count();
        // acquire 3 + (opcode 3 + address 6) * 3 + 2 trailing DI clears + data 16 * 2 + standby 4 + release 4.
        assertEquals(3 + 9 * 3 + 2 + 32 + 4 + 4, eecdWrites);
        final String last = device.trace.get(device.trace.size() - 1);
        assertEquals(String.format("mmio W 0x00010 0x%08x 4",
            E1000Registers.EECD_GNT | E1000Registers.EECD_PRES | E1000Registers.EECD_DO),
            last, "REQ released last, CS and SK low");
        assertEquals(MicrowireEeprom.CLOCK_DELAY_NS * (9 * 3 + 32 + 4 + 2), device.delayedNs);
    }

    @Test
    void shouldFailAndWithdrawRequestWhenGrantNeverComes()
    {
        device.grant = false;
        eeprom.init();

        final GuestDriverException ex = assertThrows(GuestDriverException.class, () -> eeprom.readWord(0));

        assertTrue(ex.getMessage().startsWith("EEPROM access not granted"), ex.getMessage());
        final String last = device.trace.get(device.trace.size() - 1);
        assertTrue(last.startsWith("mmio W 0x00010"), last);
        final int written = Integer.parseUnsignedInt(last.substring(17, 25), 16);
        assertEquals(0, written & E1000Registers.EECD_REQ);
        assertEquals(MicrowireEeprom.GRANT_ATTEMPTS * MicrowireEeprom.GRANT_POLL_DELAY_NS, device.delayedNs);
    }

    @Test
    void shouldRejectAddressBeyondTheEeprom()
    {
        eeprom.init();

        final GuestDriverException ex = assertThrows(GuestDriverException.class, () -> eeprom.readWord(64));

        assertEquals("EEPROM address out of range: address=64 words=64", ex.getMessage());
    }

    @Test
    void shouldReadRangeUnderOneAcquireWhenReadingSeveralWords()
    {
        eeprom.init();
        device.trace.clear();
        final int[] words = new int[4];

        eeprom.readWords(0x30, words, 4);

        assertArrayEquals(new int[]{device.eeprom[0x30], device.eeprom[0x31], device.eeprom[0x32], device.eeprom[0x33]},
            words);
        final long releases = device.trace.stream()
            .filter(line -> line.equals(String.format("mmio W 0x00010 0x%08x 4", E1000Registers.EECD_GNT |
                E1000Registers.EECD_PRES | E1000Registers.EECD_DO)))
            .count();
        assertEquals(1, releases, "one REQ release for the whole range");
        assertEquals(4, device.commandsDecoded.size());
    }
}
