package io.sidecore.engine;

import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: the guest side of one port - its RAM, its BAR0 image, its MAC and a recorder of its interrupt line.
 */
final class TestGuest
{
    static final long RAM_GPA = 0x10_0000L;
    static final int RAM_BYTES = 1 << 20;

    final int index;
    final byte[] mac;
    final PortConfig config;
    final RegisterImage registers = RegisterImage.allocate();
    final MemorySegment ram = Arena.ofAuto().allocate(RAM_BYTES, 4096);
    final UnsafeBuffer ramBuffer = new UnsafeBuffer(ram.address(), RAM_BYTES);
    final GuestMemory guestMemory = new GuestMemory();
    final List<Boolean> irqLevels = new ArrayList<>();
    PortHandle port;

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

    PortHandle attachToSwitch(final EngineProxy proxy)
    {
        port = proxy.addSwitchPort(config, registers, guestMemory, irqLevels::add);
        return port;
    }

    PortHandle attach(final EngineProxy proxy, final io.sidecore.engine.backend.PortBackend backend)
    {
        port = proxy.addPort(config, registers, guestMemory, irqLevels::add, backend);
        return port;
    }
}
