package io.sidecore.bench.fuzz;

import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * One port the hostile guest drives, and its memory: two adjacent RAM regions (so a range may span them) and a
 * read-only ROM further up, each a {@link GuardedRegion} in the port's {@link ShadowMap}. The hostile guest writes
 * trapped registers through the proxy, the shared pages (tails, heads, ring geometry, CSB address) straight into the
 * register image, and descriptors and buffers straight into its RAM; it keeps no driver state beyond a clean ring
 * set-up that named cases start from.
 * <pre>
 *   RAM A  0x1000_0000 .. +2 MiB: TX ring (256) at +0, RX ring (256) at +0x1000, CSB at +0xF000,
 *                                 TX buffers from +0x1_0000, RX buffers (2 KiB each) from +0x10_0000
 *   RAM B  0x1020_0000 .. +1 MiB: adjacent to A
 *   ROM    0x2000_0000 .. +64 KiB, read-only
 * </pre>
 */
final class HostilePort
{
    static final long RAM_A_GPA = 0x1000_0000L;
    static final int RAM_A_BYTES = 2 << 20;
    static final long RAM_B_GPA = RAM_A_GPA + RAM_A_BYTES;
    static final int RAM_B_BYTES = 1 << 20;
    static final long ROM_GPA = 0x2000_0000L;
    static final int ROM_BYTES = 64 << 10;
    /** Where a VMM would place BAR0 in guest-physical space: never guest memory. */
    static final long BAR0_GPA = 0xFEB8_0000L;
    static final int RING_DESCRIPTORS = 256;
    static final long TX_RING_GPA = RAM_A_GPA;
    static final long RX_RING_GPA = RAM_A_GPA + 0x1000;
    static final long CSB_GPA = RAM_A_GPA + 0xF000;
    static final long TX_BUFFERS_GPA = RAM_A_GPA + 0x1_0000;
    static final int TX_BUFFERS_BYTES = 0x80000;
    static final long RX_BUFFERS_GPA = RAM_A_GPA + 0x10_0000;
    static final int RX_BUFFER_BYTES = 2048;

    final String name;
    final byte[] mac;
    final ShadowMap shadow;
    final GuardedRegion ramA;
    final GuardedRegion ramB;
    final GuardedRegion rom;
    final UnsafeBuffer ram;
    final UnsafeBuffer ramHigh;
    final FuzzWire wire;
    final FuzzTap tap;
    private final EngineProxy proxy;
    private Port port;
    private boolean dirty = true;
    private int txTail;

    HostilePort(final String name, final byte[] mac, final ShadowMap shadow, final GuardedRegion ramA,
        final GuardedRegion ramB, final GuardedRegion rom, final EngineProxy proxy, final FuzzWire wire,
        final FuzzTap tap)
    {
        this.name = name;
        this.mac = mac;
        this.shadow = shadow;
        this.ramA = ramA;
        this.ramB = ramB;
        this.rom = rom;
        this.ram = new UnsafeBuffer(ramA.hostAddress(), ramA.lengthBytes());
        this.ramHigh = new UnsafeBuffer(ramB.hostAddress(), ramB.lengthBytes());
        this.proxy = proxy;
        this.wire = wire;
        this.tap = tap;
    }

    void attach(final Port port)
    {
        this.port = port;
    }

    Port port()
    {
        return port;
    }

    PortCounters counters()
    {
        return port.counters();
    }

    long counter(final PortCounter counter)
    {
        return port.counters().get(counter);
    }

    RegisterImage registers()
    {
        return port.registers();
    }

    /** The port's state is unknown (a random case, a fault): the next named case resets and sets it up. */
    void dirty()
    {
        dirty = true;
    }

    boolean isDirty()
    {
        return dirty;
    }

    /**
     * Trapped BAR0 write of 4 bytes.
     */
    void write(final int offset, final int value)
    {
        proxy.write(port, TrappedAccess.MMIO_SPACE, offset, Integer.BYTES, value & 0xFFFF_FFFFL);
    }

    int read(final int offset)
    {
        return (int)proxy.read(port, TrappedAccess.MMIO_SPACE, offset, Integer.BYTES);
    }

    /**
     * A write into a shared BAR0 page: no trap, the sidecore polls it.
     */
    void writeShared(final int offset, final int value)
    {
        port.registers().setRelease(offset, value);
    }

    int readShared(final int offset)
    {
        return port.registers().getAcquire(offset);
    }

    /**
     * The whole-device reset a VMM does, then the set-up a driver does: bus mastering, a TX ring and an RX ring of
     * {@link #RING_DESCRIPTORS} in RAM A with a buffer for every RX descriptor, receiver and transmitter on
     * (broadcast and unicast to its MAC, 2 KiB buffers, strip CRC off), all interrupts masked.
     */
    void clean()
    {
        proxy.resetDevice(port);
        proxy.write(port, TrappedAccess.CONFIG_SPACE, PciConfig.COMMAND_OFFSET, 2,
            PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        writeShared(E1000Registers.TDBAL, (int)TX_RING_GPA);
        writeShared(E1000Registers.TDBAH, 0);
        writeShared(E1000Registers.TDLEN, RING_DESCRIPTORS * 16);
        writeShared(E1000Registers.TDH, 0);
        writeShared(E1000Registers.TDT, 0);
        writeShared(E1000Registers.RDBAL, (int)RX_RING_GPA);
        writeShared(E1000Registers.RDBAH, 0);
        writeShared(E1000Registers.RDLEN, RING_DESCRIPTORS * 16);
        writeShared(E1000Registers.RDH, 0);
        for (int i = 0; i < RING_DESCRIPTORS; i++)
        {
            putRx(i, rxBufferGpa(i));
        }
        writeShared(E1000Registers.RDT, RING_DESCRIPTORS - 1);
        write(E1000Registers.TCTL, E1000Registers.TCTL_EN | E1000Registers.TCTL_PSP);
        write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM | E1000Registers.RCTL_SECRC);
        txTail = 0;
        dirty = false;
    }

    static long rxBufferGpa(final int index)
    {
        return RX_BUFFERS_GPA + (long)index * RX_BUFFER_BYTES;
    }

    /**
     * Give the RX descriptor at {@code index} a buffer address, status cleared.
     */
    void putRx(final int index, final long bufferGpa)
    {
        final int offset = (int)(RX_RING_GPA - RAM_A_GPA) + index * 16;
        ram.putLong(offset, bufferGpa, ByteOrder.LITTLE_ENDIAN);
        ram.putLong(offset + 8, 0L, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Hand every free RX descriptor back with its normal buffer: RDT one behind RDH.
     */
    void refillRx()
    {
        final int head = readShared(E1000Registers.RDH) & 0xFFFF;
        if (head >= RING_DESCRIPTORS)
        {
            return;
        }
        for (int i = 0; i < RING_DESCRIPTORS; i++)
        {
            putRx(i, rxBufferGpa(i));
        }
        writeShared(E1000Registers.RDT, (head + RING_DESCRIPTORS - 1) % RING_DESCRIPTORS);
    }

    /**
     * @return the TX descriptor index the next posted descriptor goes to (TDH once the device caught up).
     */
    int txTail()
    {
        return txTail;
    }

    /**
     * @return byte offset in {@link #ram} of TX descriptor {@code index}.
     */
    static int txDescriptorOffset(final int index)
    {
        return (int)(TX_RING_GPA - RAM_A_GPA) + (index % RING_DESCRIPTORS) * 16;
    }

    /**
     * Publish TX descriptors written at {@link #txTail()} onwards: TDT moves by {@code count} in the shared page.
     */
    void publishTx(final int count)
    {
        txTail = (txTail + count) % RING_DESCRIPTORS;
        writeShared(E1000Registers.TDT, txTail);
    }

    /**
     * @return true when the device consumed every published TX descriptor.
     */
    boolean isTxDrained()
    {
        return (readShared(E1000Registers.TDH) & 0xFFFF) == txTail;
    }

    /**
     * @param index   a TX buffer slot (64 KiB each... 8 slots).
     * @return its guest-physical address.
     */
    static long txBufferGpa(final int index)
    {
        return TX_BUFFERS_GPA + (long)(index & 7) * 0x10000;
    }

    /**
     * Write an Ethernet frame header and a payload into a TX buffer slot.
     */
    void putFrame(final int slot, final byte[] destination, final byte[] source, final int etherType,
        final int lengthBytes)
    {
        final int offset = (int)(txBufferGpa(slot) - RAM_A_GPA);
        ram.putBytes(offset, destination);
        ram.putBytes(offset + 6, source);
        ram.putShort(offset + 12, (short)etherType, ByteOrder.BIG_ENDIAN);
        for (int i = 14; i < Math.min(lengthBytes, 0x10000); i++)
        {
            ram.putByte(offset + i, (byte)i);
        }
    }
}
