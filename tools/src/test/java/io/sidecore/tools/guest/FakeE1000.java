package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Test double: just enough of an 82540EM, answering like QEMU's e1000 model, for the driver model's unit tests. PCI
 * identity, CTRL/STATUS, IOADDR/IODATA with reset, ICR/ICS/IMS/IMC, a Microwire EEPROM behind EECD, MDIC with an
 * M88 PHY at address 1, and plain storage for the rest. Every access is recorded in the trace format of
 * {@code reference/traces}: {@code "mmio R 0x00010 0x00000188 4"}.
 */
final class FakeE1000 implements DeviceAccess
{
    static final byte[] QEMU_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    /**
     * Held in a field: an automatic arena frees the memory once the segment is unreachable, and the UnsafeBuffer
     * below keeps only its raw address (dropping the segment crashed the test JVM with SIGSEGV).
     */
    private final MemorySegment bar0Memory = Arena.ofAuto().allocate(E1000Registers.BAR0_LENGTH, 4096);
    final AtomicBuffer bar0 = new UnsafeBuffer(bar0Memory.address(), E1000Registers.BAR0_LENGTH);
    final byte[] config = new byte[PciConfig.CONFIG_SPACE_LENGTH];
    final int[] eeprom = new int[64];
    final int[] phy = new int[32];
    final List<String> trace = new ArrayList<>();
    boolean recording = true;
    boolean grant = true;
    boolean eepromLarge;
    boolean linkUp = true;
    int sharedPages;
    int ioAddress;
    int resets;
    int trappedDoorbells;
    long delayedNs;
    Runnable onImsWrite;
    int wakes;

    private int eecdControl;
    private boolean csWasHigh;
    private boolean skWasHigh;
    private int bitsIn;
    private int valueIn;
    private boolean reading;
    private int bitOut;
    final List<Integer> commandsDecoded = new ArrayList<>();

    FakeE1000()
    {
        putConfig(PciConfig.VENDOR_ID_OFFSET, 4, PciConfig.VENDOR_ID_INTEL | (PciConfig.DEVICE_ID_82540EM << 16));
        putConfig(PciConfig.REVISION_OFFSET, 4, PciConfig.REVISION_ID | (PciConfig.CLASS_CODE_ETHERNET << 8));
        putConfig(PciConfig.BAR1_OFFSET, 4, 0xC001);
        putConfig(PciConfig.SUBSYSTEM_VENDOR_ID_OFFSET, 2, PciConfig.SUBSYSTEM_VENDOR_ID_DEFAULT);
        putConfig(PciConfig.SUBSYSTEM_ID_OFFSET, 2, PciConfig.SUBSYSTEM_ID_DEFAULT);
        putConfig(PciConfig.INTERRUPT_PIN_OFFSET, 1, PciConfig.INTERRUPT_PIN_INTA);
        setMac(QEMU_MAC);
        macReset();
        phy[0] = 0x1140;
        phy[2] = 0x0141;
        phy[3] = 0x0C20;
        phy[4] = 0x0DE1;
        phy[5] = 0x01E0 | 0x4000;
        phy[9] = 0x0E00;
        phy[10] = 0x3C00;
        phy[0x10] = 0x0360;
        phy[0x11] = 0xAC00;
        phy[0x14] = 0x0D60;
    }

    /**
     * QEMU's EEPROM image for a MAC, checksum fixed up so words 0..63 sum to 0xBABA.
     */
    void setMac(final byte[] mac)
    {
        final int[] image = {
            0, 0, 0, 0x0000, 0xFFFF, 0, 0, 0, 0x3000, 0x1000, 0x6403, 0x100E, 0x8086, 0x100E, 0x8086, 0x3040,
            0x0008, 0x2000, 0x7E14, 0x0048, 0x1000, 0x00D8, 0x0000, 0x2700, 0x6CC9, 0x3150, 0x0722, 0x040B, 0x0984,
            0x0000, 0xC000, 0x0706, 0x1008, 0x0000, 0x0F04, 0x7FFF, 0x4D01};
        System.arraycopy(image, 0, eeprom, 0, image.length);
        for (int i = image.length; i < 64; i++)
        {
            eeprom[i] = 0xFFFF;
        }
        eeprom[0x30] = 0x0100;
        eeprom[0x31] = 0x4000;
        eeprom[0x32] = 0x121C;
        for (int i = 0; i < 3; i++)
        {
            eeprom[i] = (mac[2 * i] & 0xFF) | ((mac[2 * i + 1] & 0xFF) << 8);
        }
        fixChecksum();
    }

    void fixChecksum()
    {
        int sum = 0;
        for (int i = 0; i < 63; i++)
        {
            sum += eeprom[i];
        }
        eeprom[63] = (0xBABA - sum) & 0xFFFF;
    }

    void putConfig(final int offset, final int size, final int value)
    {
        for (int i = 0; i < size; i++)
        {
            config[offset + i] = (byte)(value >>> (8 * i));
        }
    }

    void macReset()
    {
        bar0.setMemory(0, E1000Registers.BAR0_LENGTH, (byte)0);
        bar0.putInt(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE);
        bar0.putInt(E1000Registers.STATUS, E1000Registers.STATUS_RESET_VALUE);
        bar0.putInt(E1000Registers.PBA, E1000Registers.PBA_RESET_VALUE);
        bar0.putInt(E1000Registers.LEDCTL, E1000Registers.LEDCTL_RESET_VALUE);
        bar0.putInt(E1000Registers.MANC, E1000Registers.MANC_RESET_VALUE);
        bar0.putInt(E1000Registers.VET, E1000Registers.VET_RESET_VALUE);
    }

    int reg(final int offset)
    {
        return bar0.getIntVolatile(offset);
    }

    public int configRead(final int offset, final int sizeBytes)
    {
        int value = 0;
        for (int i = 0; i < sizeBytes; i++)
        {
            value |= (config[offset + i] & 0xFF) << (8 * i);
        }
        return value;
    }

    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        if (PciConfig.COMMAND_OFFSET == offset)
        {
            putConfig(offset, 2, value & PciConfig.COMMAND_WRITABLE_MASK);
        }
    }

    public int bar0Read(final int offset)
    {
        final int value = read(offset);
        record("mmio R 0x%05x 0x%08x 4", offset, value);
        return value;
    }

    public void bar0Write(final int offset, final int value)
    {
        record("mmio W 0x%05x 0x%08x 4", offset, value);
        write(offset, value);
    }

    public int ioRead(final int offset)
    {
        final int value = E1000Registers.IOADDR == offset ? ioAddress : read(ioAddress);
        record("io R 0x%02x 0x%08x 4", offset, value);
        return value;
    }

    public void ioWrite(final int offset, final int value)
    {
        record("io W 0x%02x 0x%08x 4", offset, value);
        if (E1000Registers.IOADDR == offset)
        {
            ioAddress = value;
        }
        else if (E1000Registers.IODATA == offset)
        {
            write(ioAddress, value);
        }
    }

    public int sharedPages()
    {
        return sharedPages;
    }

    public AtomicBuffer sharedBar0()
    {
        return 0 == sharedPages ? null : bar0;
    }

    public void wakeHost(final int doorbellOffset)
    {
        wakes++;
    }

    public void delay(final long durationNs)
    {
        delayedNs += durationNs;
    }

    /** EERD (SDM 13.4.4): START reads the addressed word into DATA and sets DONE at once. */
    private int eerdAnswer(final int value)
    {
        final int address = (value & E1000Registers.EERD_ADDR_MASK) >>> E1000Registers.EERD_ADDR_SHIFT;
        if (0 == (value & E1000Registers.EERD_START) || address >= eeprom.length)
        {
            return value & ~E1000Registers.EERD_START;
        }
        return (address << E1000Registers.EERD_ADDR_SHIFT) | E1000Registers.EERD_DONE |
            (eeprom[address] << E1000Registers.EERD_DATA_SHIFT);
    }

    private void record(final String format, final int offset, final int value)
    {
        if (recording)
        {
            trace.add(String.format(format, offset, value));
        }
    }

    private int read(final int offset)
    {
        switch (offset)
        {
            case E1000Registers.EECD:
                return eecdRead();
            case E1000Registers.ICR:
            {
                final int icr = reg(E1000Registers.ICR);
                bar0.putInt(E1000Registers.ICR, 0);
                return icr;
            }
            case E1000Registers.STATUS:
            {
                final int status = reg(E1000Registers.STATUS);
                return linkUp ? status | E1000Registers.STATUS_LU : status & ~E1000Registers.STATUS_LU;
            }
            default:
                return reg(offset);
        }
    }

    private void write(final int offset, final int value)
    {
        switch (offset)
        {
            case E1000Registers.CTRL:
                if (0 != (value & E1000Registers.CTRL_RST))
                {
                    resets++;
                    macReset();
                }
                else
                {
                    bar0.putInt(offset, value);
                }
                break;
            case E1000Registers.EECD:
                eecdWrite(value);
                break;
            case E1000Registers.MDIC:
                mdicWrite(value);
                break;
            case E1000Registers.EERD:
                bar0.putInt(offset, eerdAnswer(value));
                break;
            case E1000Registers.ICS:
                bar0.putInt(E1000Registers.ICR, reg(E1000Registers.ICR) | value);
                break;
            case E1000Registers.IMS:
                bar0.putInt(E1000Registers.IMS, reg(E1000Registers.IMS) | value);
                if (null != onImsWrite)
                {
                    onImsWrite.run();
                }
                break;
            case E1000Registers.IMC:
                bar0.putInt(E1000Registers.IMS, reg(E1000Registers.IMS) & ~value);
                break;
            case E1000Registers.TDT:
            case E1000Registers.RDT:
                trappedDoorbells++;
                bar0.putIntRelease(offset, value);
                break;
            default:
                bar0.putInt(offset, value);
                break;
        }
    }

    private int eecdRead()
    {
        int value = eecdControl & (E1000Registers.EECD_SK | E1000Registers.EECD_CS | E1000Registers.EECD_DI |
            E1000Registers.EECD_REQ);
        value |= E1000Registers.EECD_PRES;
        if (grant)
        {
            value |= E1000Registers.EECD_GNT;
        }
        if (eepromLarge)
        {
            value |= E1000Registers.EECD_SIZE;
        }
        if (!reading)
        {
            value |= E1000Registers.EECD_DO;
        }
        else
        {
            final int word = eeprom[(bitOut >>> 4) & 0x3F];
            if (0 != ((word >>> (15 - (bitOut & 15))) & 1))
            {
                value |= E1000Registers.EECD_DO;
            }
        }
        return value;
    }

    private void eecdWrite(final int value)
    {
        eecdControl = value;
        final boolean cs = 0 != (value & E1000Registers.EECD_CS);
        final boolean sk = 0 != (value & E1000Registers.EECD_SK);
        if (cs && !csWasHigh)
        {
            bitsIn = 0;
            valueIn = 0;
            reading = false;
        }
        else if (cs && sk && !skWasHigh)
        {
            if (!reading && bitsIn < 9)
            {
                valueIn = (valueIn << 1) | ((value & E1000Registers.EECD_DI) != 0 ? 1 : 0);
                bitsIn++;
                if (9 == bitsIn)
                {
                    commandsDecoded.add(valueIn);
                    if (6 == (valueIn >>> 6))
                    {
                        reading = true;
                        bitOut = ((valueIn & 0x3F) << 4) - 1;
                    }
                }
            }
        }
        else if (cs && !sk && skWasHigh && reading)
        {
            bitOut++;
        }
        csWasHigh = cs;
        skWasHigh = sk;
    }

    private void mdicWrite(final int value)
    {
        final int register = (value >>> E1000Registers.MDIC_REG_SHIFT) & 0x1F;
        final int phyAddress = (value >>> E1000Registers.MDIC_PHY_SHIFT) & 0x1F;
        final int op = value & (3 << 26);
        int result = value & ~(E1000Registers.MDIC_READY | E1000Registers.MDIC_ERROR);
        if (E1000Registers.PHY_ADDRESS != phyAddress)
        {
            result |= E1000Registers.MDIC_ERROR;
        }
        else if (E1000Registers.MDIC_OP_READ == op)
        {
            int data = phy[register];
            if (1 == register)
            {
                data = linkUp ? 0x796D : 0x7949;
            }
            result = (result & ~E1000Registers.MDIC_DATA_MASK) | data;
        }
        else if (E1000Registers.MDIC_OP_WRITE == op)
        {
            phy[register] = value & E1000Registers.MDIC_DATA_MASK &
                ~(0 == register ? Phy.MII_CR_RESET | Phy.MII_CR_RESTART_AUTO_NEG : 0);
        }
        bar0.putInt(E1000Registers.MDIC, result | E1000Registers.MDIC_READY);
    }
}
