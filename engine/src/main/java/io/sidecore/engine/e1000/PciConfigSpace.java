package io.sidecore.engine.e1000;

import io.sidecore.shm.PciConfig;

import java.util.Arrays;

/**
 * The 256-byte type 0 PCI configuration header of one 82540EM (SDM 4.1, table 4-1; layout in {@link PciConfig}).
 * <p>
 * Stored as bytes with a per-byte write mask, so 1, 2 and 4-byte accesses at any offset behave like the hardware
 * byte lanes: read-only bits keep their value, writable bits take the written value. What it presents:
 * <ul>
 *     <li>8086:100E revision 3, class 0x020000, header type 0, cache line size 0x10 (RW), latency timer (RW);</li>
 *     <li>BAR0: 32-bit non-prefetchable memory, 128 KiB (an all-ones write reads back 0xFFFE0000);</li>
 *     <li>BAR1: I/O, 64 bytes (an all-ones write reads back 0xFFFFFFC1), the IOADDR/IODATA window (SDM 13.2);</li>
 *     <li>BAR2-BAR5 and the expansion ROM are absent (read 0, writes ignored);</li>
 *     <li>subsystem 0x1AF4:0x1100, or 0x1AF4:0x1101 when the port offers the CSB extension;</li>
 *     <li>no capability list (status bit 4 clear, pointer 0); interrupt pin INTA, interrupt line RW;</li>
 *     <li>command: I/O, memory, bus master, parity, SERR and INTx-disable are writable, the rest read 0;</li>
 *     <li>status: only the interrupt-status bit, which reflects the device's internal INTx level.</li>
 * </ul>
 * The caller validates accesses with {@link #isValidAccess(int, int)} first.
 */
final class PciConfigSpace
{
    private final byte[] bytes = new byte[PciConfig.CONFIG_SPACE_LENGTH];
    private final byte[] writableBits = new byte[PciConfig.CONFIG_SPACE_LENGTH];
    private final boolean csbOffered;

    /**
     * @param csbOffered whether the subsystem ID advertises the CSB extension.
     */
    PciConfigSpace(final boolean csbOffered)
    {
        this.csbOffered = csbOffered;
        putLittleEndian(writableBits, PciConfig.COMMAND_OFFSET, 2, PciConfig.COMMAND_WRITABLE_MASK);
        writableBits[PciConfig.CACHE_LINE_SIZE_OFFSET] = (byte)0xFF;
        writableBits[PciConfig.LATENCY_TIMER_OFFSET] = (byte)0xFF;
        putLittleEndian(writableBits, PciConfig.BAR0_OFFSET, 4, PciConfig.BAR0_SIZE_MASK);
        putLittleEndian(writableBits, PciConfig.BAR1_OFFSET, 4, PciConfig.BAR1_ADDRESS_MASK);
        writableBits[PciConfig.INTERRUPT_LINE_OFFSET] = (byte)0xFF;
        reset();
    }

    /**
     * Back to the power-on header (PCI 3.0 6.6.1, RST#): command 0 (no I/O, memory or bus mastering), BARs 0,
     * cache line size 0x10 as QEMU presents it, latency timer and interrupt line 0.
     */
    void reset()
    {
        Arrays.fill(bytes, (byte)0);
        putLittleEndian(bytes, PciConfig.VENDOR_ID_OFFSET, 2, PciConfig.VENDOR_ID_INTEL);
        putLittleEndian(bytes, PciConfig.DEVICE_ID_OFFSET, 2, PciConfig.DEVICE_ID_82540EM);
        bytes[PciConfig.REVISION_OFFSET] = (byte)PciConfig.REVISION_ID;
        putLittleEndian(bytes, PciConfig.CLASS_CODE_OFFSET, 3, PciConfig.CLASS_CODE_ETHERNET);
        bytes[PciConfig.CACHE_LINE_SIZE_OFFSET] = (byte)PciConfig.CACHE_LINE_SIZE_DEFAULT;
        putLittleEndian(bytes, PciConfig.BAR1_OFFSET, 4, PciConfig.BAR_IO_SPACE);
        putLittleEndian(bytes, PciConfig.SUBSYSTEM_VENDOR_ID_OFFSET, 2, PciConfig.SUBSYSTEM_VENDOR_ID_DEFAULT);
        putLittleEndian(bytes, PciConfig.SUBSYSTEM_ID_OFFSET, 2,
            csbOffered ? PciConfig.SUBSYSTEM_ID_CSB : PciConfig.SUBSYSTEM_ID_DEFAULT);
        bytes[PciConfig.INTERRUPT_PIN_OFFSET] = (byte)PciConfig.INTERRUPT_PIN_INTA;
    }

    /**
     * A configuration access is valid when its size is 1, 2 or 4 and it lies inside the 256-byte header.
     *
     * @param offset    byte offset.
     * @param sizeBytes access size.
     * @return true if {@link #read} and {@link #write} may be called with these arguments.
     */
    static boolean isValidAccess(final int offset, final int sizeBytes)
    {
        return (1 == sizeBytes || 2 == sizeBytes || 4 == sizeBytes) &&
            offset >= 0 && offset <= PciConfig.CONFIG_SPACE_LENGTH - sizeBytes;
    }

    /**
     * Read little-endian bytes.
     *
     * @param offset           byte offset, valid.
     * @param sizeBytes        1, 2 or 4.
     * @param interruptPending the device's internal INTx level, shown in status bit 3 (PCI 3.0 6.2.3: the bit
     *                         reflects the internal state even while INTx is disabled).
     * @return value.
     */
    int read(final int offset, final int sizeBytes, final boolean interruptPending)
    {
        int value = 0;
        for (int i = sizeBytes - 1; i >= 0; i--)
        {
            final int index = offset + i;
            int b = bytes[index] & 0xFF;
            if (PciConfig.STATUS_OFFSET == index && interruptPending)
            {
                b |= PciConfig.STATUS_INTERRUPT;
            }
            value = (value << 8) | b;
        }
        return value;
    }

    /**
     * Write little-endian bytes through the write mask; read-only bits and absent registers ignore the write.
     *
     * @param offset    byte offset, valid.
     * @param sizeBytes 1, 2 or 4.
     * @param value     value.
     */
    void write(final int offset, final int sizeBytes, final int value)
    {
        for (int i = 0; i < sizeBytes; i++)
        {
            final int index = offset + i;
            final int mask = writableBits[index] & 0xFF;
            final int written = (value >>> (8 * i)) & 0xFF;
            bytes[index] = (byte)(((bytes[index] & 0xFF) & ~mask) | (written & mask));
        }
    }

    /**
     * @return the command register.
     */
    int command()
    {
        return read(PciConfig.COMMAND_OFFSET, 2, false);
    }

    /**
     * @return command bit 2: the device may master the bus (all DMA is gated on it, SDM 4.1).
     */
    boolean isBusMasterEnabled()
    {
        return 0 != (command() & PciConfig.COMMAND_BUS_MASTER);
    }

    /**
     * @return command bit 10: the INTx output is held deasserted.
     */
    boolean isIntxDisabled()
    {
        return 0 != (command() & PciConfig.COMMAND_INTX_DISABLE);
    }

    private static void putLittleEndian(final byte[] target, final int offset, final int sizeBytes, final int value)
    {
        for (int i = 0; i < sizeBytes; i++)
        {
            target[offset + i] = (byte)(value >>> (8 * i));
        }
    }
}
