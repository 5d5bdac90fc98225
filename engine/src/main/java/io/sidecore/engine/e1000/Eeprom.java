package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

/**
 * The 82540EM's serial EEPROM: a 64 x 16-bit Microwire (93C46-compatible) part behind EECD (SDM chapter 5 and
 * 13.4.3), also readable word-wise through EERD (SDM 13.4.4).
 * <p>
 * Image (e1000-checklist 2.5): words 0-2 hold the MAC little-endian per word, then the fixed words QEMU presents
 * (ID LED 0xFFFF, PBA number, init control words, device/vendor IDs, init control 2 = 0x3040 so drivers resolve
 * full flow control, init control 3 = 0x4D01 with APME), and word 0x3F makes the sum of all 64 words 0xBABA,
 * which Linux, FreeBSD and ethtool verify.
 * <p>
 * Microwire interface, as a state machine over the pins software drives in EECD:
 * <ul>
 *     <li>EECD.REQ requests the interface; EECD.GNT reads back set whenever REQ is set (granted at once, SDM
 *     13.4.3). PRES is always 1 and SIZE 0 (64 words, 6 address bits).</li>
 *     <li>A rising edge of CS starts a command. DI is sampled on each rising SK edge while CS is high. Leading zeros
 *     before the start bit are ignored (93C46 behaviour); then 2 opcode bits and 6 address bits follow.</li>
 *     <li>READ (start 1, opcode 10): after the 6th address bit DO presents the dummy 0; each falling SK edge then
 *     advances to the next data bit, MSB first, so software that raises SK and samples DO reads D15..D0; a longer
 *     read runs on into the following words (sequential read, wrapping at 64).</li>
 *     <li>Any other opcode (WRITE, ERASE, EWEN/EWDS/ERAL/WRAL) is refused: it is reported as an error once and the
 *     rest of the cycle is ignored until the next CS rising edge. The image never changes.</li>
 *     <li>DO reads 1 while no READ has been decoded since the last CS rising edge (idle/ready level).</li>
 * </ul>
 */
final class Eeprom
{
    private static final int COLLECTING = 0;
    private static final int READING = 1;
    private static final int IGNORING = 2;
    private static final int COMMAND_BITS = E1000Registers.EEPROM_OPCODE_BITS + E1000Registers.EEPROM_ADDRESS_BITS;
    private static final int ADDRESS_MASK = E1000Registers.EEPROM_WORD_COUNT - 1;
    private static final int OUTPUT_BIT_WRAP = E1000Registers.EEPROM_WORD_COUNT * 16 - 1;

    /** Image words 0x03..0x3E as QEMU presents them (checklist 2.5); 0x0B-0x0E are filled with the IDs. */
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

    private final int[] words = new int[E1000Registers.EEPROM_WORD_COUNT];
    private int pins;
    private int state;
    private int inputBitCount;
    private int inputBits;
    private int readAddress;
    private int outputBitIndex;

    /**
     * @param macAddress the port's MAC, 6 bytes.
     */
    Eeprom(final byte[] macAddress)
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
        resetInterface();
    }

    /**
     * @param address word address, 0..63.
     * @return the word.
     */
    int word(final int address)
    {
        return words[address & ADDRESS_MASK];
    }

    /**
     * Return the interface to its reset state (CS low, nothing requested); the image is kept (MAC reset).
     */
    void resetInterface()
    {
        pins = 0;
        state = COLLECTING;
        inputBitCount = 0;
        inputBits = 0;
        readAddress = 0;
        outputBitIndex = -1;
    }

    /**
     * @return the EECD value: driven pins, GNT, PRES, SIZE=0 and the DO level.
     */
    int eecd()
    {
        int value = pins | E1000Registers.EECD_PRES;
        if (0 != (pins & E1000Registers.EECD_REQ))
        {
            value |= E1000Registers.EECD_GNT;
        }
        if (dataOut())
        {
            value |= E1000Registers.EECD_DO;
        }
        return value;
    }

    /**
     * A software write of EECD: update the pins and run the Microwire state machine on CS/SK edges.
     *
     * @param value written EECD value; read-only bits are ignored.
     * @return true if this write completed a command the model refuses (not READ): the caller counts it.
     */
    boolean writeEecd(final int value)
    {
        final int newPins = value & E1000Registers.EECD_WRITE_MASK;
        final boolean csWasHigh = 0 != (pins & E1000Registers.EECD_CS);
        final boolean skWasHigh = 0 != (pins & E1000Registers.EECD_SK);
        final boolean csHigh = 0 != (newPins & E1000Registers.EECD_CS);
        final boolean skHigh = 0 != (newPins & E1000Registers.EECD_SK);
        final int dataIn = 0 != (newPins & E1000Registers.EECD_DI) ? 1 : 0;
        pins = newPins;

        if (!csWasHigh && csHigh)
        {
            state = COLLECTING;
            inputBitCount = 0;
            inputBits = 0;
            outputBitIndex = -1;
            return false;
        }
        if (!csHigh)
        {
            return false;
        }
        if (!skWasHigh && skHigh)
        {
            return onRisingClock(dataIn);
        }
        if (skWasHigh && !skHigh && READING == state)
        {
            outputBitIndex = (outputBitIndex + 1) & OUTPUT_BIT_WRAP;
        }
        return false;
    }

    private boolean onRisingClock(final int dataIn)
    {
        if (COLLECTING != state || (0 == inputBitCount && 0 == dataIn))
        {
            return false;
        }
        inputBits = (inputBits << 1) | dataIn;
        inputBitCount++;
        if (COMMAND_BITS != inputBitCount)
        {
            return false;
        }
        final int opcode = inputBits >>> E1000Registers.EEPROM_ADDRESS_BITS;
        if (E1000Registers.EEPROM_OPCODE_READ == opcode)
        {
            state = READING;
            readAddress = inputBits & ADDRESS_MASK;
            outputBitIndex = -1;
            return false;
        }
        state = IGNORING;
        return true;
    }

    private boolean dataOut()
    {
        if (READING != state)
        {
            return true;
        }
        if (outputBitIndex < 0)
        {
            return false;
        }
        final int wordIndex = (readAddress + (outputBitIndex >>> 4)) & ADDRESS_MASK;
        final int bit = 15 - (outputBitIndex & 15);
        return 0 != ((words[wordIndex] >>> bit) & 1);
    }
}
