package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

/**
 * The 82540EM's serial EEPROM interface: a 64 x 16-bit Microwire (93C46-compatible) part behind EECD (SDM chapter 5
 * and 13.4.3), also readable word-wise through EERD (SDM 13.4.4), over the port's {@link EepromImage}.
 * <p>
 * Microwire, as a state machine over the pins software drives in EECD:
 * <ul>
 *     <li>EECD.REQ requests the interface; EECD.GNT reads back set whenever REQ is set (granted at once, SDM
 *     13.4.3). PRES is always 1 and SIZE 0 (64 words, 6 address bits).</li>
 *     <li>A rising edge of CS starts a command. DI is sampled on each rising SK edge while CS is high. Leading zeros
 *     before the start bit are ignored (93C46 behaviour); then 2 opcode bits and 6 address bits follow.</li>
 *     <li>READ (start 1, opcode 10): after the 6th address bit DO presents the dummy 0; each falling SK edge then
 *     advances to the next data bit, MSB first, so software that raises SK and samples DO reads D15..D0; a longer
 *     read runs on into the following words (sequential read, wrapping at 64).</li>
 *     <li>EWEN and EWDS (opcode 00, address 11xxxx / 00xxxx) enable and disable writing; the part powers up
 *     disabled.</li>
 *     <li>WRITE (opcode 01, 16 data bits after the address), ERASE (opcode 11, the word becomes 0xFFFF), WRAL (opcode
 *     00, address 01xxxx, 16 data bits: every word) and ERAL (opcode 00, address 10xxxx: every word 0xFFFF) are
 *     carried out when CS falls after the command, as the part starts its programming cycle then; programming is
 *     instant here, so DO reads 1 (ready) when CS rises again, where Linux polls it. While writing is disabled they
 *     change nothing and are reported as refused, once each.</li>
 *     <li>DO reads 1 while no READ has been decoded since the last CS rising edge (idle/ready level).</li>
 * </ul>
 * This is how Linux's {@code ethtool -E} writes words ({@code e1000_write_eeprom_microwire}: EWEN, a WRITE per
 * word each ended by a CS toggle and a poll of DO, EWDS) and then the checksum word.
 */
final class Eeprom
{
    private static final int COLLECTING = 0;
    private static final int READING = 1;
    private static final int WRITE_DATA = 2;
    private static final int IGNORING = 3;
    private static final int NONE = 0;
    private static final int WRITE = 1;
    private static final int ERASE = 2;
    private static final int WRITE_ALL = 3;
    private static final int ERASE_ALL = 4;
    private static final int COMMAND_BITS = E1000Registers.EEPROM_OPCODE_BITS + E1000Registers.EEPROM_ADDRESS_BITS;
    private static final int DATA_BITS = 16;
    private static final int ADDRESS_MASK = E1000Registers.EEPROM_WORD_COUNT - 1;
    private static final int OUTPUT_BIT_WRAP = E1000Registers.EEPROM_WORD_COUNT * 16 - 1;
    private static final int ERASED_WORD = 0xFFFF;

    private final EepromImage image;
    private boolean writeEnabled;
    private int pins;
    private int state;
    private int inputBitCount;
    private int inputBits;
    private int address;
    private int outputBitIndex;
    private int pendingOperation;

    /**
     * @param image the port's EEPROM words.
     */
    Eeprom(final EepromImage image)
    {
        this.image = image;
        resetInterface();
    }

    /**
     * @param address word address, 0..63.
     * @return the word.
     */
    int word(final int address)
    {
        return image.word(address);
    }

    /**
     * @return the port's EEPROM words.
     */
    EepromImage image()
    {
        return image;
    }

    /**
     * Return the interface to its reset state (CS low, nothing requested); the image is kept (MAC reset). The
     * part's write enable is kept too: it is the part's, not the interface's.
     */
    void resetInterface()
    {
        pins = 0;
        state = COLLECTING;
        inputBitCount = 0;
        inputBits = 0;
        address = 0;
        outputBitIndex = -1;
        pendingOperation = NONE;
    }

    /**
     * Power-on: the interface reset and writing disabled.
     */
    void powerOn()
    {
        resetInterface();
        writeEnabled = false;
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
     * @return true if this write ended a write or erase the part refused (writing disabled): the caller counts it.
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

        if (csWasHigh && !csHigh)
        {
            return program();
        }
        if (!csWasHigh && csHigh)
        {
            state = COLLECTING;
            inputBitCount = 0;
            inputBits = 0;
            outputBitIndex = -1;
            pendingOperation = NONE;
            return false;
        }
        if (!csHigh)
        {
            return false;
        }
        if (!skWasHigh && skHigh)
        {
            onRisingClock(dataIn);
        }
        else if (skWasHigh && !skHigh && READING == state)
        {
            outputBitIndex = (outputBitIndex + 1) & OUTPUT_BIT_WRAP;
        }
        return false;
    }

    private void onRisingClock(final int dataIn)
    {
        if (WRITE_DATA == state)
        {
            inputBits = (inputBits << 1) | dataIn;
            if (DATA_BITS == ++inputBitCount)
            {
                state = IGNORING;
                pendingOperation = E1000Registers.EEPROM_OPCODE_WRITE == commandOpcode() ? WRITE : WRITE_ALL;
            }
            return;
        }
        if (COLLECTING != state || (0 == inputBitCount && 0 == dataIn))
        {
            return;
        }
        inputBits = (inputBits << 1) | dataIn;
        inputBitCount++;
        if (COMMAND_BITS == inputBitCount)
        {
            decode();
        }
    }

    private int commandOpcode()
    {
        return address >>> E1000Registers.EEPROM_ADDRESS_BITS;
    }

    private void decode()
    {
        final int opcode = inputBits >>> E1000Registers.EEPROM_ADDRESS_BITS;
        address = inputBits;
        inputBits = 0;
        inputBitCount = 0;
        state = IGNORING;
        switch (opcode)
        {
            case E1000Registers.EEPROM_OPCODE_READ:
                state = READING;
                outputBitIndex = -1;
                break;
            case E1000Registers.EEPROM_OPCODE_WRITE:
                state = WRITE_DATA;
                break;
            case E1000Registers.EEPROM_OPCODE_ERASE:
                pendingOperation = ERASE;
                break;
            default:
                decodeExtended();
                break;
        }
    }

    /**
     * Opcode 00: the two top address bits select the command (93C46).
     */
    private void decodeExtended()
    {
        switch ((address >>> (E1000Registers.EEPROM_ADDRESS_BITS - 2)) & 3)
        {
            case E1000Registers.EEPROM_EXTENDED_EWEN:
                writeEnabled = true;
                break;
            case E1000Registers.EEPROM_EXTENDED_EWDS:
                writeEnabled = false;
                break;
            case E1000Registers.EEPROM_EXTENDED_WRAL:
                state = WRITE_DATA;
                break;
            default:
                pendingOperation = ERASE_ALL;
                break;
        }
    }

    /**
     * CS fell: carry out the write or erase the command asked for (the part's programming cycle starts now).
     *
     * @return true if it was refused because writing is disabled.
     */
    private boolean program()
    {
        final int operation = pendingOperation;
        pendingOperation = NONE;
        state = IGNORING;
        if (NONE == operation)
        {
            return false;
        }
        if (!writeEnabled)
        {
            return true;
        }
        final int word = address & ADDRESS_MASK;
        switch (operation)
        {
            case WRITE:
                image.write(word, inputBits);
                break;
            case ERASE:
                image.write(word, ERASED_WORD);
                break;
            case WRITE_ALL:
                image.writeAll(inputBits);
                break;
            default:
                image.writeAll(ERASED_WORD);
                break;
        }
        return false;
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
        final int wordIndex = ((address & ADDRESS_MASK) + (outputBitIndex >>> 4)) & ADDRESS_MASK;
        final int bit = 15 - (outputBitIndex & 15);
        return 0 != ((image.word(wordIndex) >>> bit) & 1);
    }
}
