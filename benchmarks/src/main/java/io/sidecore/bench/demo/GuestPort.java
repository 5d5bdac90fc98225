package io.sidecore.bench.demo;

import io.sidecore.engine.backend.LoopbackBackend;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.EventFdInterruptLine;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.os.OsException;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestFrameHandler;
import io.sidecore.tools.guest.GuestRam;
import io.sidecore.tools.guest.PortRegionMapping;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * One synthetic guest and its port, wired the way a VMM and the daemon are: the guest's RAM, the port region (the
 * header page) and the doorbell pages (BAR0-shaped, only the shared pages ever written; {@link PortRegionDescriptor})
 * are memfds, and the engine and the guest each map them on their own, as two processes would; the trapped registers
 * stay in the engine's private memory. The interrupt is an eventfd that the engine writes through one descriptor
 * and the guest reads, non-blocking, through another (a duplicate, standing in for the VMM's irqfd).
 * <p>
 * The demo's control thread creates it (memfds, mappings, port on the engine); the guest thread then drives
 * {@link #model()}; the control thread closes it after the engine stopped.
 */
final class GuestPort implements AutoCloseable
{
    /** Guest-physical address of the guest's RAM: above 0, so a zeroed descriptor address faults. */
    static final long GUEST_RAM_GPA = 0x4000_0000L;
    /** EtherType of the demo's frames: IEEE 802 local experimental. */
    static final int DEMO_ETHER_TYPE = 0x88B5;

    // fcntl(2): duplicate a descriptor to the lowest free number, close-on-exec.
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int MAC_LENGTH = 6;
    private static final int ETHER_TYPE_OFFSET = 12;
    private static final int INDEX_OFFSET = 14;

    private final int index;
    private final String name;
    private final byte[] mac;
    private MemFd ramFd;
    private MemFd regionFd;
    private MemFd doorbellFd;
    private Arena engineArena;
    private Arena guestArena;
    private PortRegionMapping guestMapping;
    private EventFd engineIrq;
    private EventFd guestIrq;
    private Port port;
    private GuestDriverModel model;
    private UnsafeBuffer dataFrame;
    private int frameBytes;

    private GuestPort(final int index)
    {
        this.index = index;
        this.name = name(index);
        this.mac = mac(index);
    }

    /**
     * Create the guest's memory, its port on the engine and its driver model (not yet probed).
     *
     * @param index       guest index, also the port id.
     * @param ramBytes    size of the guest RAM memfd.
     * @param proxy       the engine's proxy.
     * @param loopback    connect the port to a {@link LoopbackBackend} instead of the switch.
     * @param csb         offer the CSB on the port.
     * @param sharedPages BAR0 pages shared with the guest.
     * @param driver      the guest driver's settings.
     * @param frameBytes  length of the guest's data frames.
     * @param destination index of the guest the data frames go to.
     * @param accessTimeoutNs how long a trapped access may wait for the sidecore.
     * @return the guest.
     */
    static GuestPort create(
        final int index,
        final int ramBytes,
        final EngineProxy proxy,
        final boolean loopback,
        final boolean csb,
        final int sharedPages,
        final GuestDriverConfig driver,
        final int frameBytes,
        final int destination,
        final long accessTimeoutNs)
    {
        final GuestPort guest = new GuestPort(index);
        try
        {
            guest.open(ramBytes, proxy, loopback, csb, sharedPages, driver, frameBytes, destination, accessTimeoutNs);
            return guest;
        }
        catch (final RuntimeException ex)
        {
            guest.close();
            throw ex;
        }
    }

    /**
     * @param index guest index.
     * @return the port name, {@code g<index>}.
     */
    static String name(final int index)
    {
        return "g" + index;
    }

    /**
     * The guest's MAC address: locally administered unicast {@code 02:00:00:00:XX:YY}, where {@code XXYY} is
     * {@code index + 1} (so guest 0 is {@code 02:00:00:00:00:01}).
     *
     * @param index guest index, 0..65534.
     * @return 6 bytes.
     */
    static byte[] mac(final int index)
    {
        final int number = index + 1;
        return new byte[]{ 0x02, 0, 0, 0, (byte)(number >>> 8), (byte)number };
    }

    private void open(
        final int ramBytes,
        final EngineProxy proxy,
        final boolean loopback,
        final boolean csb,
        final int sharedPages,
        final GuestDriverConfig driver,
        final int frameBytes,
        final int destination,
        final long accessTimeoutNs)
    {
        // The VMM's side: guest RAM, the port region and the irqfd.
        ramFd = MemFd.create("sidecore-demo-" + name + "-ram", ramBytes);
        regionFd = MemFd.create("sidecore-demo-" + name + "-port", PortRegionDescriptor.REGION_LENGTH);
        doorbellFd = MemFd.create("sidecore-demo-" + name + "-doorbells", PortRegionDescriptor.DOORBELL_PAGES_LENGTH);
        engineIrq = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);

        // The daemon's side: its own mappings, the region header, the device over them.
        engineArena = Arena.ofShared();
        final MemorySegment engineRam = ramFd.map(engineArena);
        final MemorySegment engineRegion = regionFd.map(engineArena);
        final UnsafeBuffer region = new UnsafeBuffer(engineRegion.address(), PortRegionDescriptor.REGION_LENGTH);
        PortRegionDescriptor.writeHeader(
            region, index, sharedPages, mac, csb ? PortRegionDescriptor.FEATURE_CSB : 0);
        final MemorySegment engineDoorbells = doorbellFd.map(engineArena);
        final RegisterImage registers = new RegisterImage(
            new UnsafeBuffer(engineDoorbells.address(), PortRegionDescriptor.DOORBELL_PAGES_LENGTH), sharedPages);
        final GuestMemory guestMemory = new GuestMemory();
        guestMemory.addRegion(GUEST_RAM_GPA, engineRam);
        final PortConfig config = new PortConfig(index, name, mac, csb, sharedPages);
        final EventFdInterruptLine line = new EventFdInterruptLine(engineIrq);
        if (loopback)
        {
            port = proxy.addPort(config, registers, guestMemory, line, LoopbackBackend::new, region);
        }
        else
        {
            port = proxy.addSwitchPort(config, registers, guestMemory, line, region);
        }
        PortRegionDescriptor.signalReady(region);

        // The guest's side: its own mappings, checked like any reader of the region, and its irqfd descriptor.
        guestMapping = PortRegionMapping.map(regionFd, doorbellFd);
        guestArena = Arena.ofShared();
        guestIrq = EventFd.adopt(duplicate(engineIrq.fd()));
        final GuestRam ram = new GuestRam(ramFd.map(guestArena), GUEST_RAM_GPA);
        final ProxyDeviceAccess access = new ProxyDeviceAccess(
            proxy, port, guestMapping.doorbellPages(), guestMapping.sharedPages(), accessTimeoutNs);
        model = new GuestDriverModel(access, ram, driver, GuestFrameHandler.NONE);

        this.frameBytes = frameBytes;
        dataFrame = frame(mac(destination), mac, index, frameBytes);
    }

    private static UnsafeBuffer frame(final byte[] destination, final byte[] source, final int index,
        final int lengthBytes)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[lengthBytes]);
        frame.putBytes(0, destination);
        frame.putBytes(MAC_LENGTH, source);
        frame.putShort(ETHER_TYPE_OFFSET, (short)DEMO_ETHER_TYPE, ByteOrder.BIG_ENDIAN);
        frame.putInt(INDEX_OFFSET, index, ByteOrder.BIG_ENDIAN);
        return frame;
    }

    private static int duplicate(final int fd)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final int copy = LibC.fcntl(state, fd, F_DUPFD_CLOEXEC, 0);
            if (copy < 0)
            {
                throw new OsException("fcntl(fd=" + fd + ", F_DUPFD_CLOEXEC)", LibC.errno(state));
            }
            return copy;
        }
    }

    /**
     * @return port name.
     */
    String name()
    {
        return name;
    }

    /**
     * @return the port on the engine.
     */
    Port port()
    {
        return port;
    }

    /**
     * @return the guest's driver; only the guest thread may use it.
     */
    GuestDriverModel model()
    {
        return model;
    }

    /**
     * @return the guest's descriptor of its interrupt eventfd; only the guest thread may use it.
     */
    EventFd interrupt()
    {
        return guestIrq;
    }

    /**
     * @return the data frame (to the next guest, or to itself through the loopback).
     */
    UnsafeBuffer dataFrame()
    {
        return dataFrame;
    }

    /**
     * @return length of {@link #dataFrame()}.
     */
    int frameBytes()
    {
        return frameBytes;
    }

    /**
     * @return true when the device has consumed every TX descriptor the guest published (TDH = TDT in the shared
     *     page). Any thread.
     */
    boolean isTxIdle()
    {
        final RegisterImage registers = port.registers();
        return registers.getAcquire(E1000Registers.TDH) ==
            (registers.getAcquire(E1000Registers.TDT) & E1000Registers.HEAD_TAIL_MASK);
    }

    /**
     * Release the descriptors and unmap both sides' mappings. Only after the engine and the guest thread stopped.
     */
    public void close()
    {
        CloseHelper.closeAll(guestIrq, engineIrq, guestMapping);
        if (null != guestArena)
        {
            guestArena.close();
            guestArena = null;
        }
        if (null != engineArena)
        {
            engineArena.close();
            engineArena = null;
        }
        CloseHelper.closeAll(ramFd, regionFd, doorbellFd);
    }
}
