package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

import java.util.Arrays;

/**
 * The 64 words of a port's serial EEPROM (SDM chapter 5), as a guest sees and may rewrite them through EECD. It
 * belongs to the port, not to a device: a whole-device reset, a VM reboot and a new guest binding keep what a guest
 * wrote (so {@code ethtool -E} persists for the port's lifetime, as on a real NIC); only a new port starts from the
 * default image.
 * <p>
 * Default image (e1000-checklist 2.5): words 0-2 hold the MAC little-endian per word, then the fixed words QEMU
 * presents (ID LED 0xFFFF, PBA number, init control words, device/vendor IDs, init control 2 = 0x3040 so drivers
 * resolve full flow control, init control 3 = 0x4D01 with APME), and word 0x3F makes the sum of all 64 words 0xBABA,
 * which Linux, FreeBSD and ethtool verify. A guest's writes are kept as written, checksum word included (Linux's
 * {@code e1000_set_eeprom} recomputes and writes it).
 * <p>
 * Written by the owning agent only. A new device for the port is built on a control thread and reads words 0-2 for
 * its power-on RAL0/RAH0 there; the agent reloads them when it adopts the device
 * ({@link E1000Device#loadEepromMacAddress}), so a concurrent guest write is never missed.
 */
public final class EepromImage
{
    /** Image words 0x03..0x3E as QEMU presents them (checklist 2.5); 0x0B-0x0E are the IDs. */
    private static final int[] FIXED_WORDS =
    {
        0x0000, 0xFFFF, 0x0000, 0x0000, 0x0000, 0x3000, 0x1000, 0x6403,
        0x100E, 0x8086, 0x100E, 0x8086, 0x3040,
        0x0008, 0x2000, 0x7E14, 0x0048, 0x1000, 0x00D8, 0x0000, 0x2700,
        0x6CC9, 0x3150, 0x0722, 0x040B, 0x0984, 0x0000, 0xC000, 0x0706,
        0x1008, 0x0000, 0x0F04, 0x7FFF, 0x4D01,
        0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
        0x0100, 0x4000, 0x121C,
        0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
    };
    private static final int ADDRESS_MASK = E1000Registers.EEPROM_WORD_COUNT - 1;

    private final int[] words = new int[E1000Registers.EEPROM_WORD_COUNT];

    /**
     * The default image for a MAC.
     *
     * @param macAddress the port's MAC, 6 bytes.
     */
    public EepromImage(final byte[] macAddress)
    {
        for (int i = 0; i < 3; i++)
        {
            words[i] = (macAddress[2 * i] & 0xFF) | ((macAddress[2 * i + 1] & 0xFF) << 8);
        }
        System.arraycopy(FIXED_WORDS, 0, words, 3, FIXED_WORDS.length);
        int sum = 0;
        for (int i = 0; i < E1000Registers.EEPROM_CHECKSUM_WORD; i++)
        {
            sum += words[i];
        }
        words[E1000Registers.EEPROM_CHECKSUM_WORD] = (E1000Registers.EEPROM_CHECKSUM_SUM - sum) & 0xFFFF;
    }

    /**
     * @param address word address, 0..63.
     * @return the word.
     */
    public int word(final int address)
    {
        return words[address & ADDRESS_MASK];
    }

    /**
     * @param address word address, 0..63.
     * @param value   16-bit value.
     */
    void write(final int address, final int value)
    {
        words[address & ADDRESS_MASK] = value & 0xFFFF;
    }

    /**
     * @param value 16-bit value for every word (the Microwire WRAL and, with 0xFFFF, ERAL commands).
     */
    void writeAll(final int value)
    {
        Arrays.fill(words, value & 0xFFFF);
    }
}
