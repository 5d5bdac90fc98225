package io.sidecore.engine;

import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.tools.guest.Descriptors;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Test support: the guest side of one port - its RAM, its BAR0 image, its MAC and a recorder of its interrupt line.
 */
final class TestGuest
{
    static final long RAM_GPA = 0x10_0000L;
    static final int RAM_BYTES = 4 << 20;
    static final long TX_RING_GPA = RAM_GPA;
    static final long RX_RING_GPA = RAM_GPA + 0x1_0000L;
    static final long TX_BUFFERS_GPA = RAM_GPA + 0x2_0000L;
    static final long RX_BUFFERS_GPA = RAM_GPA + 0x20_0000L;
    static final int BUFFER_BYTES = 2048;

    final int index;
    final byte[] mac;
    final PortConfig config;
    final RegisterImage registers = RegisterImage.allocate();
    final MemorySegment ram = Arena.ofAuto().allocate(RAM_BYTES, 4096);
    final UnsafeBuffer ramBuffer = new UnsafeBuffer(ram.address(), RAM_BYTES);
    final GuestMemory guestMemory = new GuestMemory();
    final List<Boolean> irqLevels = new ArrayList<>();
    Port port;
    EngineProxy proxy;
    long csbGpa;
    int kicks;
    Kick kick;
    int txCount;
    int txTail;
    int rxCount;
    int rxNext;
    int rxTail;
    long rxTaken;

    TestGuest(final int index)
    {
        this(index, false);
    }

    TestGuest(final int index, final boolean csbOffered)
    {
        this.index = index;
        this.mac = macOf(index);
        this.config = new PortConfig(index, "g" + index, mac, csbOffered,
            io.sidecore.shm.PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        guestMemory.addRegion(RAM_GPA, ram);
    }

    static byte[] macOf(final int index)
    {
        return new byte[]{0x02, 0x00, 0x00, 0x00, (byte)(index >>> 8), (byte)index};
    }

    Port attachToSwitch(final EngineProxy proxy)
    {
        this.proxy = proxy;
        port = proxy.addSwitchPort(config, registers, guestMemory, irqLevels::add);
        enableBusMastering();
        return port;
    }

    /**
     * Attach to the switch with a port region header the engine mirrors the port's state into.
     *
     * @param proxy      the engine's proxy.
     * @param portHeader the port region's header page.
     * @return the port.
     */
    Port attachToSwitch(final EngineProxy proxy, final org.agrona.concurrent.AtomicBuffer portHeader)
    {
        this.proxy = proxy;
        port = proxy.addSwitchPort(config, registers, guestMemory, irqLevels::add, portHeader);
        enableBusMastering();
        return port;
    }

    Port attach(final EngineProxy proxy, final PortBackend backend)
    {
        this.proxy = proxy;
        port = proxy.addPort(config, registers, guestMemory, irqLevels::add, backend);
        enableBusMastering();
        return port;
    }

    Port attachWith(final EngineProxy proxy, final Function<PortCounters, PortBackend> backend)
    {
        this.proxy = proxy;
        port = proxy.addPort(config, registers, guestMemory, irqLevels::add, backend);
        enableBusMastering();
        return port;
    }

    /**
     * What the guest's PCI core does at probe: enable I/O, memory and bus mastering (all DMA is gated on it).
     */
    void enableBusMastering()
    {
        proxy.configWrite(port, PciConfig.COMMAND_OFFSET, 2,
            PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
    }

    /**
     * Program and enable the TX ring through trapped writes, as a driver does.
     *
     * @param count descriptors, a multiple of 8 (at most 512: one buffer slot of 2 KiB each below RX buffers).
     */
    void setUpTx(final int count)
    {
        proxy.mmioWrite(port, E1000Registers.TDBAL, (int)TX_RING_GPA);
        proxy.mmioWrite(port, E1000Registers.TDBAH, (int)(TX_RING_GPA >>> 32));
        proxy.mmioWrite(port, E1000Registers.TDLEN, count * E1000TxDescriptor.LENGTH);
        proxy.mmioWrite(port, E1000Registers.TDH, 0);
        proxy.mmioWrite(port, E1000Registers.TDT, 0);
        proxy.mmioWrite(port, E1000Registers.TCTL, E1000Registers.TCTL_EN | E1000Registers.TCTL_PSP);
        txCount = count;
        txTail = 0;
    }

    /**
     * @return descriptors the guest may still fill (one is always left empty, SDM 3.4).
     */
    int txFree()
    {
        final int head = registers.getAcquire(E1000Registers.TDH) & E1000Registers.HEAD_TAIL_MASK;
        return (head - txTail - 1 + txCount) % txCount;
    }

    /**
     * Queue one frame in a legacy descriptor (EOP, IFCS, RS) without ringing the doorbell.
     *
     * @param frame the frame.
     * @return false if the ring is full.
     */
    boolean queue(final byte[] frame)
    {
        if (0 == txFree())
        {
            return false;
        }
        final long bufferGpa = TX_BUFFERS_GPA + (long)txTail * BUFFER_BYTES;
        ramBuffer.putBytes((int)(bufferGpa - RAM_GPA), frame);
        Descriptors.putLegacyTx(ramBuffer, (int)(TX_RING_GPA - RAM_GPA) + txTail * E1000TxDescriptor.LENGTH, bufferGpa,
            frame.length, E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RS);
        txTail = (txTail + 1) % txCount;
        return true;
    }

    /**
     * Write one raw TX descriptor at the tail without ringing the doorbell.
     *
     * @param low  the descriptor's first little-endian 64-bit word (buffer address, or a context's offsets).
     * @param high its second word (length, type, command, options).
     */
    void putTx(final long low, final long high)
    {
        final int offset = (int)(TX_RING_GPA - RAM_GPA) + txTail * E1000TxDescriptor.LENGTH;
        ramBuffer.putLong(offset, low, ByteOrder.LITTLE_ENDIAN);
        ramBuffer.putLong(offset + 8, high, ByteOrder.LITTLE_ENDIAN);
        txTail = (txTail + 1) % txCount;
    }

    /**
     * Ring the TX doorbell in the shared page: no trap, the sidecore sees it by polling.
     */
    void ringTx()
    {
        registers.setRelease(E1000Registers.TDT, txTail);
    }

    /**
     * Queue frames and ring once.
     *
     * @param frames the frames.
     * @return frames queued (stops when the ring is full).
     */
    int send(final byte[]... frames)
    {
        int queued = 0;
        for (final byte[] frame : frames)
        {
            if (!queue(frame))
            {
                break;
            }
            queued++;
        }
        ringTx();
        return queued;
    }

    /**
     * An Ethernet frame from this guest.
     *
     * @param destination destination MAC.
     * @param lengthBytes length.
     * @param seed        payload pattern.
     * @return the frame.
     */
    byte[] frameTo(final byte[] destination, final int lengthBytes, final int seed)
    {
        final byte[] frame = new byte[lengthBytes];
        System.arraycopy(destination, 0, frame, 0, 6);
        System.arraycopy(mac, 0, frame, 6, 6);
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        for (int i = 14; i < lengthBytes; i++)
        {
            frame[i] = (byte)(seed * 7 + i + index);
        }
        return frame;
    }

    /**
     * Register a CSB as the paravirtual driver does: fill the guest group (tails = the current ones, magic, version
     * last), then CSBAH and CSBAL (the commit) straight into the shared RX ring page.
     *
     * @param gpa      where the block is.
     * @param magic    magic to write.
     * @param version  version to write.
     */
    void registerCsb(final long gpa, final int magic, final int version)
    {
        csbGpa = gpa;
        if (gpa >= RAM_GPA && gpa + CsbDescriptor.CSB_LENGTH <= RAM_GPA + RAM_BYTES)
        {
            final int offset = (int)(gpa - RAM_GPA);
            ramBuffer.setMemory(offset, CsbDescriptor.CSB_LENGTH, (byte)0);
            ramBuffer.putInt(offset + CsbDescriptor.GUEST_TDT_FIELD_OFFSET, txTail);
            ramBuffer.putInt(offset + CsbDescriptor.GUEST_RDT_FIELD_OFFSET, registers.getAcquire(E1000Registers.RDT));
            ramBuffer.putInt(offset + CsbDescriptor.MAGIC_FIELD_OFFSET, magic);
            ramBuffer.putIntRelease(offset + CsbDescriptor.VERSION_FIELD_OFFSET, version);
        }
        registers.setRelease(E1000Registers.CSBAH, (int)(gpa >>> 32));
        registers.setRelease(E1000Registers.CSBAL, (int)gpa);
    }

    /**
     * @param fieldOffset a CSB field offset.
     * @return its value (volatile read).
     */
    int csb(final int fieldOffset)
    {
        return ramBuffer.getIntVolatile((int)(csbGpa - RAM_GPA) + fieldOffset);
    }

    /**
     * Write a guest-group CSB field (volatile store, as the paravirtual driver does).
     *
     * @param fieldOffset a CSB field offset.
     * @param value       the value.
     */
    void csb(final int fieldOffset, final int value)
    {
        ramBuffer.putIntVolatile((int)(csbGpa - RAM_GPA) + fieldOffset, value);
    }

    /**
     * Publish the TX tail through the CSB; kick (TDT write plus the sidecore's kick) only if the host asks for it.
     */
    void ringTxCsb()
    {
        ramBuffer.putIntVolatile((int)(csbGpa - RAM_GPA) + CsbDescriptor.GUEST_TDT_FIELD_OFFSET, txTail);
        if (CsbDescriptor.NEED_KICK == csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET))
        {
            kicks++;
            registers.setRelease(E1000Registers.TDT, txTail);
            if (null != kick)
            {
                kick.signal();
            }
        }
    }

    /**
     * Program and enable the RX ring (2 KiB buffers, broadcast accepted, the unicast filter holding the port's MAC
     * since reset) and hand every descriptor but one to the device through the shared-page RDT.
     *
     * @param count descriptors, a multiple of 8, at most 1024.
     */
    void setUpRx(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            Descriptors.putRx(ramBuffer, (int)(RX_RING_GPA - RAM_GPA) + i * E1000RxDescriptor.LENGTH,
                RX_BUFFERS_GPA + (long)i * BUFFER_BYTES);
        }
        proxy.mmioWrite(port, E1000Registers.RDBAL, (int)RX_RING_GPA);
        proxy.mmioWrite(port, E1000Registers.RDBAH, (int)(RX_RING_GPA >>> 32));
        proxy.mmioWrite(port, E1000Registers.RDLEN, count * E1000RxDescriptor.LENGTH);
        proxy.mmioWrite(port, E1000Registers.RDH, 0);
        proxy.mmioWrite(port, E1000Registers.RDT, 0);
        proxy.mmioWrite(port, E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM);
        rxCount = count;
        rxNext = 0;
        rxTail = count - 1;
        registers.setRelease(E1000Registers.RDT, rxTail);
    }

    /**
     * @param slot        RX descriptor index.
     * @param lengthBytes bytes to read.
     * @return the first bytes of that descriptor's buffer.
     */
    byte[] rxFrame(final int slot, final int lengthBytes)
    {
        final byte[] bytes = new byte[lengthBytes];
        ramBuffer.getBytes((int)(RX_BUFFERS_GPA - RAM_GPA) + slot * BUFFER_BYTES, bytes);
        return bytes;
    }

    /**
     * Take every completed RX descriptor (DD set), clear it and give the ring space back through RDT. Allocates
     * nothing.
     *
     * @return frames taken.
     */
    int drainRx()
    {
        int taken = 0;
        while (true)
        {
            final int statusOffset =
                (int)(RX_RING_GPA - RAM_GPA) + rxNext * E1000RxDescriptor.LENGTH + E1000RxDescriptor.STATUS_OFFSET;
            if (0 == (ramBuffer.getByteVolatile(statusOffset) & E1000RxDescriptor.STA_DD))
            {
                break;
            }
            ramBuffer.putByte(statusOffset, (byte)0);
            rxNext = (rxNext + 1) % rxCount;
            rxTail = (rxTail + 1) % rxCount;
            taken++;
        }
        if (taken > 0)
        {
            rxTaken += taken;
            registers.setRelease(E1000Registers.RDT, rxTail);
        }
        return taken;
    }
}
