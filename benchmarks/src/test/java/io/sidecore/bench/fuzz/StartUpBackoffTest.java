package io.sidecore.bench.fuzz;

import io.sidecore.bench.InMemoryCounters;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.launcher.Configuration;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.DeviceAccess;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestRam;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault and reset backoff ({@code sidecore.port.fault.resets.per.second}) ships on; a normal guest start-up must
 * never meet it. The synthetic guest (the Linux e1000 driver model) probes, opens, waits for its link and sends,
 * then is taken down and started again, several times in a row as a guest that reboots quickly would, with the
 * daemon's default settings: no pass of its port is ever backed off, and every start-up's link comes up. The clock
 * moves only by the driver's own waits ({@code msleep}) and the link polls, as it would for a real guest.
 */
class StartUpBackoffTest
{
    private static final long RAM_GPA = 0x4000_0000L;
    private static final int RAM_BYTES = 4 << 20;
    private static final int START_UPS = 5;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine = new SidecoreEngine(Configuration.defaults().engineContext()
        .threadingMode(ThreadingMode.INVOKER).nanoClock(clock).sidecoreCount(1).countersFile(null)
        .countersManager(InMemoryCounters.create(1024)));

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldNeverBackOffGuestStartingUpRepeatedlyWithDefaultSettings()
    {
        clock.update(1_000_000_000_000L);
        final MemorySegment ram = Arena.ofAuto().allocate(RAM_BYTES, 4096);
        final GuestMemory memory = new GuestMemory();
        memory.addRegion(RAM_GPA, ram);
        final byte[] mac = { 0x02, 0, 0, 0, 0x07, 1 };
        final Port port = engine.proxy().addPort(
            new PortConfig(1, "g", mac, false, PortRegionDescriptor.DEFAULT_SHARED_PAGES),
            RegisterImage.allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES), memory, InterruptLine.NONE, 0, null);
        assertTrue(port.settings().faultResetsPerSecond() > 0, "the backoff is on by default");
        final DeviceAccess access = new ClockedAccess(new InvokerDeviceAccess(engine.proxy(), port));
        final long resetsBefore = port.counters().get(PortCounter.DEVICE_RESETS);

        for (int i = 0; i < START_UPS; i++)
        {
            final GuestDriverModel model = new GuestDriverModel(access, new GuestRam(ram, RAM_GPA),
                new GuestDriverConfig(), (buffer, offset, length, status, special) -> { });
            model.probe();
            model.open();
            assertTrue(model.waitForLink(5_000_000_000L, 10_000_000L), "start-up " + i + ": the link came up");
            final long txBefore = port.counters().get(PortCounter.TX_FRAMES);
            assertTrue(model.send(new org.agrona.concurrent.UnsafeBuffer(new byte[64]), 0, 64));
            engine.doWork();
            assertEquals(txBefore + 1, port.counters().get(PortCounter.TX_FRAMES), "start-up " + i + " sends");
            model.close();
        }

        final long resets = port.counters().get(PortCounter.DEVICE_RESETS) - resetsBefore;
        assertTrue(resets >= 2 * START_UPS, "each start-up and take-down resets the device: " + resets);
        assertEquals(0, port.counters().get(PortCounter.PASSES_BACKED_OFF),
            resets + " resets in " + START_UPS + " start-ups were backed off");
    }

    /**
     * The driver's waits move the manual clock and run the sidecore, as time passes for a real guest.
     */
    private final class ClockedAccess implements DeviceAccess
    {
        private final DeviceAccess access;

        ClockedAccess(final DeviceAccess access)
        {
            this.access = access;
        }

        public int configRead(final int offset, final int sizeBytes)
        {
            return access.configRead(offset, sizeBytes);
        }

        public void configWrite(final int offset, final int sizeBytes, final int value)
        {
            access.configWrite(offset, sizeBytes, value);
        }

        public int bar0Read(final int offset)
        {
            return access.bar0Read(offset);
        }

        public void bar0Write(final int offset, final int value)
        {
            access.bar0Write(offset, value);
        }

        public int ioRead(final int offset)
        {
            return access.ioRead(offset);
        }

        public void ioWrite(final int offset, final int value)
        {
            access.ioWrite(offset, value);
        }

        public int sharedPages()
        {
            return access.sharedPages();
        }

        public AtomicBuffer sharedBar0()
        {
            return access.sharedBar0();
        }

        public void delay(final long durationNs)
        {
            clock.advance(durationNs);
            engine.doWork();
        }
    }
}
