package io.sidecore.bench.vfiouser;

import com.fasterxml.jackson.databind.JsonNode;
import io.sidecore.launcher.control.TestDaemon;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestRam;
import io.sidecore.tools.vfiouser.VfioUserDeviceAccess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two synthetic guests (the Linux e1000 driver model) attached to a daemon's ports over vfio-user exactly as QEMU
 * attaches (memfd DMA_MAP, sparse-mmapped doorbells, eventfd INTx with UNMASK), one sending to the other through the
 * switch, and what the VMM's resets and unmaps do in the middle of that traffic: after DEVICE_RESET every register,
 * PHY register and config-space byte reads as at power-on and the device writes nothing more into the guest's memory;
 * after a DMA_UNMAP reply no frame lands in the memory the VMM took back.
 */
class VfioUserDaemonTrafficTest
{
    private static final long RAM_GPA = 0x4000_0000L;
    private static final int RAM_BYTES = 4 << 20;
    private static final String MAC_A = "02:00:00:00:0a:01";
    private static final String MAC_B = "02:00:00:00:0b:01";
    private static final long LINK_TIMEOUT_NS = 20_000_000_000L;
    private static final long WAIT_MS = 30_000;
    /** Frames the receiver takes before the VMM acts, so the act lands in the middle of traffic. */
    private static final long FRAMES_BEFORE_ACT = 2_000;
    /** How long the sender keeps sending to a guest whose memory must then stay untouched. */
    private static final long QUIET_WINDOW_MS = 500;
    private static final int FRAME_BYTES = 128;

    @TempDir
    Path directory;

    private TestDaemon daemon;
    private Sender sender;

    @BeforeEach
    void setUp()
    {
        daemon = TestDaemon.in(directory, Map.of(
            "sidecore.ports", "a,b",
            "sidecore.ports.a.mac", MAC_A,
            "sidecore.ports.b.mac", MAC_B,
            // The machine is shared and loaded: a sidecore thread may wait long for a core; the test bounds work.
            "sidecore.command.timeout", "30s")).start();
    }

    @AfterEach
    void tearDown() throws InterruptedException
    {
        if (null != sender)
        {
            sender.stop();
        }
        daemon.close();
    }

    @Test
    void shouldLeaveDeviceAtPowerOnWithNoFurtherDmaAfterDeviceResetInTheMiddleOfTraffic() throws Exception
    {
        try (MemFd ram = MemFd.createSealed("reset-guest-ram", RAM_BYTES);
            VfioUserDeviceAccess access = VfioUserDeviceAccess.attach(connect("a"), ram, RAM_GPA, false))
        {
            final DeviceState powerOn = DeviceState.read(access.client());
            final GuestRam guestRam = access.guestRam(ram, RAM_GPA);
            final GuestDriverModel receiver = openDriver(access, guestRam);
            sender = Sender.start(connect("b"), MAC_A);
            receiveUntil(receiver, access, () -> counter("a", "rx_frames") >= FRAMES_BEFORE_ACT);
            final long dropsBefore = counter("a", "rx_drop_disabled");

            access.client().reset();

            final byte[] memoryAtReset = copy(guestRam);
            final long sentAtReset = sender.framesSent();
            awaitCondition("the sender to send on to the reset guest",
                () -> sender.framesSent() - sentAtReset > 100 && counter("a", "rx_drop_disabled") > dropsBefore);
            Thread.sleep(QUIET_WINDOW_MS);
            assertArrayEquals(memoryAtReset, copy(guestRam), "the device wrote into the guest after its reset");
            assertTrue(counter("a", "rx_drop_disabled") > dropsBefore, "frames arrived and were refused");
            sender.stop();
            assertNull(sender.failure());
            final DeviceState afterReset = DeviceState.read(access.client());
            powerOn.assertSameAs(afterReset);
        }
    }

    @Test
    void shouldWriteNothingIntoMemoryTheVmmTookBackOnceDmaUnmapIsAnswered() throws Exception
    {
        try (MemFd ram = MemFd.createSealed("unmap-guest-ram", RAM_BYTES);
            VfioUserDeviceAccess access = VfioUserDeviceAccess.attach(connect("a"), ram, RAM_GPA, false))
        {
            final GuestRam guestRam = access.guestRam(ram, RAM_GPA);
            final GuestDriverModel receiver = openDriver(access, guestRam);
            sender = Sender.start(connect("b"), MAC_A);
            receiveUntil(receiver, access, () -> counter("a", "rx_frames") >= FRAMES_BEFORE_ACT);
            final long refusedBefore = counter("a", "rx_drop_dma_fault") + counter("a", "ring_faults");
            final long rxBefore = counter("a", "rx_frames");

            access.client().dmaUnmap(RAM_GPA, RAM_BYTES);

            final byte[] memoryAtUnmap = copy(guestRam);
            final long rxAtUnmap = counter("a", "rx_frames");
            final long sentAtUnmap = sender.framesSent();
            awaitCondition("the sender to send on to the guest whose memory is gone",
                () -> sender.framesSent() - sentAtUnmap > 100);
            Thread.sleep(QUIET_WINDOW_MS);
            assertArrayEquals(memoryAtUnmap, copy(guestRam), "a frame landed in memory the VMM took back");
            assertEquals(rxAtUnmap, counter("a", "rx_frames"), "nothing was received after the unmap reply");
            assertTrue(rxBefore >= FRAMES_BEFORE_ACT);
            assertTrue(counter("a", "rx_drop_dma_fault") + counter("a", "ring_faults") > refusedBefore ||
                counter("a", "rx_drop_disabled") > 0 || counter("a", "rx_drop_ring_full") > 0,
                "frames kept arriving and were refused");
            assertEquals(0, stats("a").path(ControlProtocol.VFIO_USER).path(ControlProtocol.DMA_REGIONS).asLong());
            assertNull(sender.failure());
        }
    }

    private VfioUserClient connect(final String port) throws IOException
    {
        final VfioUserClient client = VfioUserClient.connect(directory.resolve("run/ports/" + port + ".sock"));
        client.replyTimeoutMs((int)WAIT_MS);
        return client;
    }

    private static GuestDriverModel openDriver(final VfioUserDeviceAccess access, final GuestRam guestRam)
    {
        final GuestDriverModel model = new GuestDriverModel(access, guestRam, new GuestDriverConfig(), null);
        model.probe();
        model.open();
        assertTrue(model.waitForLink(LINK_TIMEOUT_NS, 1_000_000L), "link up");
        return model;
    }

    /**
     * The receiver's NAPI loop (interrupt, poll, UNMASK as QEMU under TCG) until the condition holds.
     */
    private static void receiveUntil(
        final GuestDriverModel model, final VfioUserDeviceAccess access, final java.util.function.BooleanSupplier done)
    {
        final long deadlineNs = System.nanoTime() + WAIT_MS * 1_000_000L;
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("the receiver did not get its frames within " + WAIT_MS + " ms");
            }
            if (access.awaitInterrupt(1))
            {
                model.onInterrupt();
                access.endOfInterrupt();
            }
            if (model.isNapiScheduled())
            {
                model.napiPoll();
            }
        }
    }

    private long counter(final String port, final String name)
    {
        return stats(port).path(ControlProtocol.COUNTERS).path(name).asLong();
    }

    private JsonNode stats(final String port)
    {
        try
        {
            return daemon.daemon().registry().stats(port).get(0);
        }
        catch (final io.sidecore.launcher.control.ControlException ex)
        {
            throw new AssertionError(ex.getMessage(), ex);
        }
    }

    private static byte[] copy(final GuestRam ram)
    {
        final byte[] bytes = new byte[RAM_BYTES];
        ram.buffer().getBytes(0, bytes);
        return bytes;
    }

    private static void awaitCondition(final String what, final LongSupplierCondition condition)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + WAIT_MS * 1_000_000L;
        while (!condition.holds())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    @FunctionalInterface
    private interface LongSupplierCondition
    {
        boolean holds();
    }

    /**
     * Everything a guest can read of the device without changing what it reads next time: every BAR0 dword, the
     * I/O window, every PHY register through MDIC, and the config space. Read twice the same way, the reads'
     * own side effects (ICR and statistics clear on read) are the same both times.
     */
    private record DeviceState(long[] bar0, long[] bar1, int[] phy, byte[] config)
    {
        static DeviceState read(final VfioUserClient client)
        {
            final long[] bar0 = new long[E1000Registers.BAR0_LENGTH / 4];
            for (int i = 0; i < bar0.length; i++)
            {
                bar0[i] = client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, i * 4L, 4);
            }
            final long[] bar1 = new long[E1000Registers.BAR1_LENGTH / 4];
            for (int i = 0; i < bar1.length; i++)
            {
                bar1[i] = client.regionRead(VfioUserRegionInfo.BAR1_REGION_INDEX, i * 4L, 4);
            }
            final int[] phy = new int[32];
            for (int register = 0; register < phy.length; register++)
            {
                phy[register] = readPhy(client, register);
            }
            final byte[] config = new byte[PciConfig.CONFIG_SPACE_LENGTH];
            client.regionReadBytes(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0, config.length).message()
                .getBytes(VfioUserRegionAccess.DATA_OFFSET, config);
            return new DeviceState(bar0, bar1, phy, config);
        }

        private static int readPhy(final VfioUserClient client, final int register)
        {
            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.MDIC, 4,
                E1000Registers.MDIC_OP_READ | (1 << E1000Registers.MDIC_PHY_SHIFT) |
                    ((long)register << E1000Registers.MDIC_REG_SHIFT), false);
            for (int poll = 0; poll < 1000; poll++)
            {
                final long mdic = client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.MDIC, 4);
                if (0 != (mdic & E1000Registers.MDIC_READY))
                {
                    return (int)mdic;
                }
            }
            throw new AssertionError("MDIC never ready for PHY register " + register);
        }

        void assertSameAs(final DeviceState other)
        {
            for (int i = 0; i < bar0.length; i++)
            {
                assertEquals(bar0[i], other.bar0[i], "BAR0 " + E1000Registers.registerName(i * 4) + " (0x" +
                    Integer.toHexString(i * 4) + ") is not at its power-on value");
            }
            assertArrayEquals(bar1, other.bar1, "the I/O window (IOADDR latch) is not at power-on");
            for (int register = 0; register < phy.length; register++)
            {
                assertEquals(phy[register], other.phy[register], "PHY register " + register + " is not at power-on");
            }
            assertArrayEquals(config, other.config, "config space is not at power-on: " +
                Arrays.toString(other.config));
        }
    }

    /**
     * The other guest: the driver model on its own thread and its own client, sending to one MAC as fast as its
     * ring takes frames, reclaiming completions on its interrupts.
     */
    private static final class Sender
    {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile long framesSent;

        private Sender(final VfioUserClient client, final String destinationMac)
        {
            thread = new Thread(() -> run(client, destinationMac), "vfio-user-sender");
            thread.setDaemon(true);
        }

        static Sender start(final VfioUserClient client, final String destinationMac)
        {
            final Sender sender = new Sender(client, destinationMac);
            sender.thread.start();
            return sender;
        }

        long framesSent()
        {
            return framesSent;
        }

        Throwable failure()
        {
            return failure.get();
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            thread.join(WAIT_MS);
        }

        private void run(final VfioUserClient client, final String destinationMac)
        {
            try (MemFd ram = MemFd.createSealed("sender-guest-ram", RAM_BYTES);
                VfioUserDeviceAccess access = VfioUserDeviceAccess.attach(client, ram, RAM_GPA, false))
            {
                final GuestDriverModel model = openDriver(access, access.guestRam(ram, RAM_GPA));
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
                final String[] octets = destinationMac.split(":");
                for (int i = 0; i < 6; i++)
                {
                    frame.putByte(i, (byte)Integer.parseInt(octets[i], 16));
                }
                frame.putBytes(6, model.macAddress());
                frame.putShort(12, (short)0x88B5, ByteOrder.BIG_ENDIAN);
                while (running.get())
                {
                    if (access.awaitInterrupt(0))
                    {
                        model.onInterrupt();
                        access.endOfInterrupt();
                    }
                    if (model.isNapiScheduled())
                    {
                        model.napiPoll();
                    }
                    int queued = 0;
                    while (queued < 32 && model.queue(frame, 0, FRAME_BYTES))
                    {
                        queued++;
                    }
                    model.flushTx();
                    framesSent += queued;
                    if (0 == queued)
                    {
                        access.awaitTrigger(1);
                    }
                }
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        }
    }
}
