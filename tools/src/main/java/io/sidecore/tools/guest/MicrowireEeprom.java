package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;

/**
 * Reads the 82540EM's serial EEPROM the way Linux e1000 does: by bit-banging the Microwire interface through EECD
 * (SDM 5.3.1, 13.4.3; Linux {@code e1000_acquire_eeprom}, {@code e1000_shift_out_ee_bits},
 * {@code e1000_shift_in_ee_bits}, {@code e1000_standby_eeprom}, {@code e1000_release_eeprom}).
 * <p>
 * One read: request the interface (REQ) and wait for GNT, clear SK/DI and raise CS; shift out the READ opcode
 * {@code 110} and the word address MSB first, DI changed while SK is low and sampled by the EEPROM on each rising
 * edge; shift in 16 data bits MSB first from DO, sampled after each rising edge; pulse SK with CS low (standby);
 * then drop CS, clock once more and release REQ. Every EECD write is followed by a STATUS read (flush) and the
 * Microwire clock delay, exactly as Linux does, so the device sees Linux's access sequence.
 */
public final class MicrowireEeprom
{
    /** Microwire READ opcode, {@code 110} (SDM 5.3.1.2). */
    public static final int READ_OPCODE = 0x6;
    /** Opcode length in bits. */
    public static final int OPCODE_BITS = 3;
    /** Data word length in bits. */
    public static final int DATA_BITS = 16;
    /** Linux {@code eeprom->delay_usec} for Microwire: 50 µs per clock phase. */
    public static final long CLOCK_DELAY_NS = 50_000L;
    /** Linux {@code E1000_EEPROM_GRANT_ATTEMPTS}. */
    public static final int GRANT_ATTEMPTS = 1000;
    /** Delay between grant polls (Linux {@code udelay(5)}). */
    public static final long GRANT_POLL_DELAY_NS = 5_000L;
    /** Words when EECD.SIZE is clear (82540EM: 64 words, 6 address bits). */
    public static final int SMALL_WORD_COUNT = 64;
    /** Words when EECD.SIZE is set (256 words, 8 address bits). */
    public static final int LARGE_WORD_COUNT = 256;

    private final DeviceRegisters registers;
    private int wordCount;
    private int addressBits;

    /**
     * @param registers the device's registers.
     */
    public MicrowireEeprom(final DeviceRegisters registers)
    {
        this.registers = registers;
    }

    /**
     * Linux {@code e1000_init_eeprom_params} for the 82540: EECD.SIZE selects 64 words (6 address bits) or 256
     * words (8 address bits). Reads EECD once.
     */
    public void init()
    {
        final int eecd = registers.read(E1000Registers.EECD);
        if (0 != (eecd & E1000Registers.EECD_SIZE))
        {
            wordCount = LARGE_WORD_COUNT;
            addressBits = 8;
        }
        else
        {
            wordCount = SMALL_WORD_COUNT;
            addressBits = 6;
        }
    }

    /**
     * @return words in the EEPROM (after {@link #init()}).
     */
    public int wordCount()
    {
        return wordCount;
    }

    /**
     * @return address bits per READ command (after {@link #init()}).
     */
    public int addressBits()
    {
        return addressBits;
    }

    /**
     * Linux {@code e1000_read_eeprom(hw, address, 1, &word)}: one acquire/read/standby/release cycle.
     *
     * @param address word address.
     * @return the 16-bit word.
     * @throws GuestDriverException when the address is out of range or the device never grants the interface.
     */
    public int readWord(final int address)
    {
        if (0 == wordCount)
        {
            init();
        }
        if (address < 0 || address >= wordCount)
        {
            throw new GuestDriverException("EEPROM address out of range: address=" + address +
                " words=" + wordCount);
        }
        acquire();
        shiftOut(READ_OPCODE, OPCODE_BITS);
        shiftOut(address, addressBits);
        final int word = shiftIn(DATA_BITS);
        standby();
        release();
        return word;
    }

    /**
     * Linux {@code e1000_read_eeprom(hw, offset, words, data)}: one acquire, a READ command per word with standby
     * between words, one release (how {@code ethtool -e} reads the image).
     *
     * @param firstAddress first word.
     * @param destination  where the words go.
     * @param count        number of words.
     * @throws GuestDriverException when the range is out of the EEPROM or the device never grants the interface.
     */
    public void readWords(final int firstAddress, final int[] destination, final int count)
    {
        if (0 == wordCount)
        {
            init();
        }
        if (firstAddress < 0 || firstAddress >= wordCount || count <= 0 || count > wordCount - firstAddress ||
            count > destination.length)
        {
            throw new GuestDriverException("EEPROM range out of bounds: first=" + firstAddress + " count=" + count +
                " words=" + wordCount);
        }
        acquire();
        for (int i = 0; i < count; i++)
        {
            shiftOut(READ_OPCODE, OPCODE_BITS);
            shiftOut(firstAddress + i, addressBits);
            destination[i] = shiftIn(DATA_BITS);
            standby();
        }
        release();
    }

    private void acquire()
    {
        int eecd = registers.read(E1000Registers.EECD);
        // 82540 and later arbitrate the EEPROM with firmware: request it and wait for the grant (SDM 13.4.3).
        eecd |= E1000Registers.EECD_REQ;
        registers.write(E1000Registers.EECD, eecd);
        eecd = registers.read(E1000Registers.EECD);
        int attempts = 0;
        while (0 == (eecd & E1000Registers.EECD_GNT) && attempts < GRANT_ATTEMPTS)
        {
            attempts++;
            registers.delay(GRANT_POLL_DELAY_NS);
            eecd = registers.read(E1000Registers.EECD);
        }
        if (0 == (eecd & E1000Registers.EECD_GNT))
        {
            eecd &= ~E1000Registers.EECD_REQ;
            registers.write(E1000Registers.EECD, eecd);
            throw new GuestDriverException("EEPROM access not granted: EECD=0x" + Integer.toHexString(eecd) +
                " after " + GRANT_ATTEMPTS + " polls (GNT bit 0x80 never set)");
        }
        // Microwire set-up: clear SK and DI, then select the part (CS is active high).
        eecd &= ~(E1000Registers.EECD_DI | E1000Registers.EECD_SK);
        registers.write(E1000Registers.EECD, eecd);
        eecd |= E1000Registers.EECD_CS;
        registers.write(E1000Registers.EECD, eecd);
    }

    private void shiftOut(final int data, final int bitCount)
    {
        int eecd = registers.read(E1000Registers.EECD);
        // DO is an input; Linux clears it in the value it writes back on Microwire parts.
        eecd &= ~E1000Registers.EECD_DO;
        int mask = 1 << (bitCount - 1);
        do
        {
            eecd &= ~E1000Registers.EECD_DI;
            if (0 != (data & mask))
            {
                eecd |= E1000Registers.EECD_DI;
            }
            registers.write(E1000Registers.EECD, eecd);
            registers.flush();
            registers.delay(CLOCK_DELAY_NS);
            eecd = raiseClock(eecd);
            eecd = lowerClock(eecd);
            mask >>>= 1;
        }
        while (0 != mask);
        // Leave DI low.
        eecd &= ~E1000Registers.EECD_DI;
        registers.write(E1000Registers.EECD, eecd);
    }

    private int shiftIn(final int bitCount)
    {
        int eecd = registers.read(E1000Registers.EECD);
        eecd &= ~(E1000Registers.EECD_DO | E1000Registers.EECD_DI);
        int data = 0;
        for (int i = 0; i < bitCount; i++)
        {
            data <<= 1;
            eecd = raiseClock(eecd);
            eecd = registers.read(E1000Registers.EECD);
            eecd &= ~E1000Registers.EECD_DI;
            if (0 != (eecd & E1000Registers.EECD_DO))
            {
                data |= 1;
            }
            eecd = lowerClock(eecd);
        }
        return data;
    }

    private void standby()
    {
        int eecd = registers.read(E1000Registers.EECD);
        // Deselect with the clock low, clock once, reselect, clock low: ends this command (SDM 5.3.1).
        eecd &= ~(E1000Registers.EECD_CS | E1000Registers.EECD_SK);
        writeFlushDelay(eecd);
        eecd |= E1000Registers.EECD_SK;
        writeFlushDelay(eecd);
        eecd |= E1000Registers.EECD_CS;
        writeFlushDelay(eecd);
        eecd &= ~E1000Registers.EECD_SK;
        writeFlushDelay(eecd);
    }

    private void release()
    {
        int eecd = registers.read(E1000Registers.EECD);
        eecd &= ~(E1000Registers.EECD_CS | E1000Registers.EECD_DI);
        registers.write(E1000Registers.EECD, eecd);
        eecd |= E1000Registers.EECD_SK;
        writeFlushDelay(eecd);
        eecd &= ~E1000Registers.EECD_SK;
        writeFlushDelay(eecd);
        eecd &= ~E1000Registers.EECD_REQ;
        registers.write(E1000Registers.EECD, eecd);
    }

    private int raiseClock(final int eecd)
    {
        final int raised = eecd | E1000Registers.EECD_SK;
        writeFlushDelay(raised);
        return raised;
    }

    private int lowerClock(final int eecd)
    {
        final int lowered = eecd & ~E1000Registers.EECD_SK;
        writeFlushDelay(lowered);
        return lowered;
    }

    private void writeFlushDelay(final int eecd)
    {
        registers.write(E1000Registers.EECD, eecd);
        registers.flush();
        registers.delay(CLOCK_DELAY_NS);
    }
}
