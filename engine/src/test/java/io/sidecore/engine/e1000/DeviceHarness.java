package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import io.sidecore.tools.guest.Descriptors;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: one device over simulated guest RAM, a capturing wire, a recording interrupt line and a manual
 * clock. Tests write descriptors and buffers with the helpers and drive the device directly.
 */
public final class DeviceHarness
{
    /** Guest RAM starts here (guest-physical). */
    public static final long RAM_GPA = 0x10_0000L;
    /** Guest RAM size. */
    public static final int RAM_BYTES = 4 * 1024 * 1024;
    /** Default TX ring location. */
    public static final long TX_RING_GPA = RAM_GPA;
    /** Default RX ring location. */
    public static final long RX_RING_GPA = RAM_GPA + 0x1_0000L;
    /** Buffers start here. */
    public static final long BUFFERS_GPA = RAM_GPA + 0x2_0000L;
    /** The port's MAC. */
    public static final byte[] MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

    public final MemorySegment ram;
    public final UnsafeBuffer ramBuffer;
    public final GuestMemory guestMemory = new GuestMemory();
    public final PortCounters counters = PortCounters.inPrivateMemory("test");
    public final RegisterImage registers;
    public final List<byte[]> wire = new ArrayList<>();
    public final List<Boolean> irqLevels = new ArrayList<>();
    public final E1000Device device;
    public long nowNs = 1_000_000_000L;

    /**
     * A device with default sink (captures frames) and line (records levels).
     */
    public DeviceHarness()
    {
        this(false);
    }

    /**
     * @param csbOffered whether the port offers the CSB.
     */
    public DeviceHarness(final boolean csbOffered)
    {
        this(csbOffered, MAC, null, true);
    }

    /**
     * A device whose frames go to {@code sink} (null: the capturing {@link #wire}).
     *
     * @param csbOffered whether the port offers the CSB.
     * @param sink       frame sink, or null for the default capturing sink.
     */
    public DeviceHarness(final boolean csbOffered, final FrameSink sink)
    {
        this(csbOffered, MAC, sink, true);
    }

    /**
     * @param csbOffered whether the port offers the CSB.
     * @param macAddress the port's MAC.
     */
    public DeviceHarness(final boolean csbOffered, final byte[] macAddress)
    {
        this(csbOffered, macAddress, null, true);
    }

    /**
     * @param csbOffered    whether the port offers the CSB.
     * @param macAddress    the port's MAC.
     * @param pciConfigured see {@link #DeviceHarness(boolean, byte[], FrameSink, boolean)}.
     */
    public DeviceHarness(final boolean csbOffered, final byte[] macAddress, final boolean pciConfigured)
    {
        this(csbOffered, macAddress, null, pciConfigured);
    }

    /**
     * @param csbOffered    whether the port offers the CSB.
     * @param macAddress    the port's MAC.
     * @param sink          frame sink, or null for the default capturing sink.
     * @param pciConfigured true to enable I/O, memory and bus mastering in the PCI command register, as the guest's
     *                      PCI core and driver do at probe (DMA is gated on it); false leaves the power-on state.
     */
    public DeviceHarness(
        final boolean csbOffered, final byte[] macAddress, final FrameSink sink, final boolean pciConfigured)
    {
        this(csbOffered, macAddress, sink, pciConfigured, io.sidecore.shm.PortRegionDescriptor.DEFAULT_SHARED_PAGES);
    }

    /**
     * @param csbOffered    whether the port offers the CSB.
     * @param macAddress    the port's MAC.
     * @param sink          frame sink, or null for the default capturing sink.
     * @param pciConfigured see {@link #DeviceHarness(boolean, byte[], FrameSink, boolean)}.
     * @param sharedPages   BAR0 pages shared with the guest (bit n = page n), as {@code sidecore.port.shared.pages}.
     */
    public DeviceHarness(
        final boolean csbOffered, final byte[] macAddress, final FrameSink sink, final boolean pciConfigured,
        final int sharedPages)
    {
        registers = RegisterImage.allocate(sharedPages);
        ram = Arena.ofAuto().allocate(RAM_BYTES, 4096);
        ramBuffer = new UnsafeBuffer(ram.address(), RAM_BYTES);
        guestMemory.addRegion(RAM_GPA, ram);
        final PortConfig config = new PortConfig(0, "test", macAddress, csbOffered, sharedPages);
        device = new E1000Device(config, registers, guestMemory, counters,
            null == sink ? new CapturingSink() : sink, irqLevels::add);
        if (pciConfigured)
        {
            device.configWrite(PciConfig.COMMAND_OFFSET, 2,
                PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        }
    }

    /**
     * A device exactly as it powers on: PCI command register 0 (no bus mastering).
     *
     * @return the harness.
     */
    public static DeviceHarness poweredOn()
    {
        return new DeviceHarness(false, MAC, null, false);
    }

    private final class CapturingSink implements FrameSink
    {
        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            final byte[] copy = new byte[lengthBytes];
            frame.getBytes(offset, copy);
            wire.add(copy);
            return DELIVERED;
        }
    }

    /**
     * @param gpa guest-physical address inside RAM.
     * @return offset in {@link #ramBuffer}.
     */
    public int ramOffset(final long gpa)
    {
        return (int)(gpa - RAM_GPA);
    }

    /**
     * Trapped register write at the current time.
     *
     * @param offset BAR0 offset.
     * @param value  value.
     */
    public void write(final int offset, final int value)
    {
        device.mmioWrite(offset, value, nowNs);
    }

    /**
     * Trapped register read at the current time.
     *
     * @param offset BAR0 offset.
     * @return value.
     */
    public int read(final int offset)
    {
        return device.mmioRead(offset, nowNs);
    }

    /**
     * Guest write of a doorbell straight into the shared page (no trap).
     *
     * @param offset TDT or RDT.
     * @param value  tail.
     */
    public void writeShared(final int offset, final int value)
    {
        registers.setRelease(offset, value);
    }

    /**
     * Program a TX ring of {@code count} descriptors at {@link #TX_RING_GPA} and enable the transmitter.
     *
     * @param count descriptors, multiple of 8.
     */
    public void setUpTxRing(final int count)
    {
        write(E1000Registers.TDBAL, (int)TX_RING_GPA);
        write(E1000Registers.TDBAH, (int)(TX_RING_GPA >>> 32));
        write(E1000Registers.TDLEN, count * 16);
        write(E1000Registers.TDH, 0);
        write(E1000Registers.TDT, 0);
        write(E1000Registers.TCTL, E1000Registers.TCTL_EN | E1000Registers.TCTL_PSP);
    }

    /**
     * Program an RX ring of {@code count} descriptors, each with a 2048-byte buffer, and enable the receiver with
     * broadcast accept. RDT is left at 0 (no buffers given to hardware yet).
     *
     * @param count descriptors, multiple of 8.
     */
    public void setUpRxRing(final int count)
    {
        write(E1000Registers.RDBAL, (int)RX_RING_GPA);
        write(E1000Registers.RDBAH, (int)(RX_RING_GPA >>> 32));
        write(E1000Registers.RDLEN, count * 16);
        write(E1000Registers.RDH, 0);
        write(E1000Registers.RDT, 0);
        for (int i = 0; i < count; i++)
        {
            putRxDescriptor(i, rxBufferGpa(i));
        }
        write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM);
    }

    /**
     * @param index RX descriptor index.
     * @return the default buffer for it.
     */
    public long rxBufferGpa(final int index)
    {
        return BUFFERS_GPA + 0x10_0000L + index * 2048L;
    }

    /**
     * Write a fresh RX descriptor (status cleared).
     *
     * @param index     descriptor index.
     * @param bufferGpa buffer address.
     */
    public void putRxDescriptor(final int index, final long bufferGpa)
    {
        Descriptors.putRx(ramBuffer, ramOffset(RX_RING_GPA) + index * 16, bufferGpa);
    }

    /**
     * Write a legacy TX descriptor.
     *
     * @param index       descriptor index.
     * @param bufferGpa   buffer address.
     * @param lengthBytes length.
     * @param cmd         CMD byte (EOP, RS, ...).
     */
    public void putLegacyTx(final int index, final long bufferGpa, final int lengthBytes, final int cmd)
    {
        Descriptors.putLegacyTx(ramBuffer, ramOffset(TX_RING_GPA) + index * 16, bufferGpa, lengthBytes, cmd);
    }

    /**
     * A 16-byte TX descriptor given as its two quadwords, built with the guest's {@link Descriptors} (e.g.
     * {@link Descriptors#contextTxLow}, {@link Descriptors#dataTxHigh}).
     *
     * @param index descriptor index.
     * @param low   bytes 0-7.
     * @param high  bytes 8-15.
     */
    public void putRawTx(final int index, final long low, final long high)
    {
        Descriptors.put(ramBuffer, ramOffset(TX_RING_GPA) + index * 16, low, high);
    }

    /**
     * @param index TX descriptor index.
     * @return its status byte.
     */
    public int txStatus(final int index)
    {
        return ramBuffer.getByte(ramOffset(TX_RING_GPA) + index * 16 + 12) & 0xFF;
    }

    /**
     * @param index RX descriptor index.
     * @return its status byte.
     */
    public int rxStatus(final int index)
    {
        return ramBuffer.getByte(ramOffset(RX_RING_GPA) + index * 16 + 12) & 0xFF;
    }

    /**
     * @param index RX descriptor index.
     * @return its length field.
     */
    public int rxLength(final int index)
    {
        return ramBuffer.getShort(ramOffset(RX_RING_GPA) + index * 16 + 8, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param index RX descriptor index.
     * @return its errors byte.
     */
    public int rxErrors(final int index)
    {
        return ramBuffer.getByte(ramOffset(RX_RING_GPA) + index * 16 + 13) & 0xFF;
    }

    /**
     * @param index RX descriptor index.
     * @return its special field (VLAN TCI when VP is set).
     */
    public int rxSpecial(final int index)
    {
        return ramBuffer.getShort(ramOffset(RX_RING_GPA) + index * 16 + 14, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param index RX descriptor index.
     * @return its packet checksum field.
     */
    public int rxChecksum(final int index)
    {
        return ramBuffer.getShort(ramOffset(RX_RING_GPA) + index * 16 + 10, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @param index RX descriptor index.
     * @return its buffer address field.
     */
    public long rxBufferAddress(final int index)
    {
        return ramBuffer.getLong(ramOffset(RX_RING_GPA) + index * 16, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Copy bytes into guest RAM.
     *
     * @param gpa   destination.
     * @param bytes what.
     */
    public void putBytes(final long gpa, final byte[] bytes)
    {
        ramBuffer.putBytes(ramOffset(gpa), bytes);
    }

    /**
     * Copy bytes out of guest RAM.
     *
     * @param gpa         source.
     * @param lengthBytes how many.
     * @return copy.
     */
    public byte[] getBytes(final long gpa, final int lengthBytes)
    {
        final byte[] bytes = new byte[lengthBytes];
        ramBuffer.getBytes(ramOffset(gpa), bytes);
        return bytes;
    }

    /**
     * Deliver a frame from the wire to the guest.
     *
     * @param frame bytes.
     * @return whether delivered.
     */
    public boolean receive(final byte[] frame)
    {
        return FrameSink.DELIVERED == receiveOutcome(frame);
    }

    /**
     * Deliver a frame from the wire to the guest.
     *
     * @param frame bytes.
     * @return {@link FrameSink#DELIVERED} or the id of the drop counter it was counted under.
     */
    public int receiveOutcome(final byte[] frame)
    {
        return device.receive(new UnsafeBuffer(frame), 0, frame.length, nowNs);
    }

    /**
     * Poll TX with a large budget.
     *
     * @return work.
     */
    public int pollTx()
    {
        return device.pollTx(nowNs, 1 << 16);
    }

    /**
     * @param counter which.
     * @return its value.
     */
    public long counter(final PortCounter counter)
    {
        return counters.get(counter);
    }

    /**
     * A broadcast frame of a given length with a recognisable payload.
     *
     * @param lengthBytes total length, at least 14.
     * @param seed        payload pattern seed.
     * @return frame.
     */
    public static byte[] broadcastFrame(final int lengthBytes, final int seed)
    {
        final byte[] frame = new byte[lengthBytes];
        for (int i = 0; i < 6; i++)
        {
            frame[i] = (byte)0xFF;
        }
        frame[6] = 0x02;
        frame[11] = 0x09;
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        for (int i = 14; i < lengthBytes; i++)
        {
            frame[i] = (byte)(seed + i);
        }
        return frame;
    }
}
