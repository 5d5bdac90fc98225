package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserIrqInfo;
import io.sidecore.shm.vfiouser.VfioUserSetIrqs;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.VfioUserClientException;
import io.sidecore.shm.vfiouser.VfioUserCommand;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.WAIT_MS;
import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.assertStillServing;
import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Connections and interrupts over a real socket: one client at a time, a disconnect tells the device and frees
 * what the client brought, the next client is served; DMA_UNMAP is answered only after the device released the
 * range; INTx through the client's eventfds; the socket's mode.
 */
class VfioUserServerLifecycleTest
{
    @TempDir
    Path directory;

    private VfioUserTestSupport support;

    @BeforeEach
    void setUp() throws IOException
    {
        support = new VfioUserTestSupport(directory);
    }

    @AfterEach
    void tearDown()
    {
        support.close();
    }

    @Test
    void shouldAnswerSecondClientsVersionWithEbusyWhileOneIsAttached() throws IOException
    {
        try (VfioUserClient first = support.connectNegotiated(); VfioUserClient second = support.connect())
        {
            final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                second::negotiateVersion);
            assertEquals(VfioUserErrno.EBUSY, refused.errno(), "QEMU reports 'version reply: Device or resource busy'");
            assertNull(second.receive(), "then the connection is closed");
            awaitCondition("the refusal to be counted", () -> 1 == support.server.refusedClients());
            assertEquals(1, support.device.connections.get(), "the device was not asked for the second client");
            assertStillServing(first);
        }
    }

    @Test
    void shouldAnswerVersionWithEbusyAndNotServeWhenDeviceRefusesTheClient() throws IOException
    {
        support.device.refusal = "port p0 has a guest attached already: a natively attached guest (pid 1)";
        try (VfioUserClient refusedClient = support.connect())
        {
            final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                refusedClient::negotiateVersion);
            assertEquals(VfioUserErrno.EBUSY, refused.errno());
            assertNull(refusedClient.receive());
        }
        awaitCondition("the refusal to be counted", () -> 1 == support.server.refusedClients());
        assertFalse(support.server.hasClient());
        assertFalse(support.device.calls.contains("disconnected"), "a refused client was never connected");
        support.device.refusal = null;
        try (VfioUserClient next = support.connectNegotiated())
        {
            assertStillServing(next);
        }
    }

    @Test
    void shouldKeepAcceptingWhenSettingUpOneClientFails() throws IOException
    {
        support.device.connectFailure = new IllegalStateException("a device bug while taking the client");
        try (VfioUserClient broken = support.connect())
        {
            assertNull(broken.receive(), "the client that hit the failure is closed");
        }
        awaitCondition("the server to be free again", () -> !support.server.hasClient());
        try (VfioUserClient next = support.connectNegotiated())
        {
            assertStillServing(next);
            assertEquals(2, support.device.connections.get(), "the accept thread survived and served the next");
        }
    }

    @Test
    void shouldDisconnectAClientThatTakesNoReplies() throws Exception
    {
        final Path path = directory.resolve("stalled.sock");
        final FakeVfioUserDevice device = new FakeVfioUserDevice();
        final VfioUserServerSettings settings = new VfioUserServerSettings("stalled", path, null, null,
            VfioUserServerSettings.DEFAULT_SOCKET_MODE, 300);
        try (VfioUserServer server = new VfioUserServer(settings, device, new IntxLine());
            VfioUserClient client = VfioUserClient.connect(path))
        {
            server.start();
            client.negotiateVersion();
            // Config reads whose replies nobody takes: the socket buffers fill, then the server's write blocks.
            final UnsafeBuffer read = new UnsafeBuffer(new byte[VfioUserRegionAccess.MESSAGE_LENGTH]);
            read.putShort(VfioUserHeader.COMMAND_OFFSET, (short)VfioUserCommand.REGION_READ, LITTLE_ENDIAN);
            read.putInt(VfioUserHeader.SIZE_OFFSET, VfioUserRegionAccess.MESSAGE_LENGTH, LITTLE_ENDIAN);
            read.putInt(VfioUserHeader.FLAGS_OFFSET, VfioUserHeader.TYPE_COMMAND, LITTLE_ENDIAN);
            read.putInt(VfioUserRegionAccess.REGION_OFFSET, VfioUserRegionInfo.CONFIG_REGION_INDEX, LITTLE_ENDIAN);
            read.putInt(VfioUserRegionAccess.COUNT_OFFSET, 4, LITTLE_ENDIAN);
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            boolean disconnected = false;
            while (!disconnected && System.nanoTime() - deadlineNs < 0)
            {
                try
                {
                    client.sendRaw(read.byteArray());
                }
                catch (final java.io.UncheckedIOException ex)
                {
                    // the server closed its end: our writes fail from then on
                }
                disconnected = device.calls.contains("disconnected");
            }
            assertTrue(device.disconnectedLatch.await(WAIT_MS, TimeUnit.MILLISECONDS),
                "the server gave up a client that does not read its socket");
            awaitCondition("the server to be free", () -> !server.hasClient());
        }
        finally
        {
            device.close();
        }
    }

    @Test
    void shouldTellDeviceAndReleaseEventfdsAndAcceptNextClientWhenClientDisconnects() throws IOException
    {
        final int before = FakeVfioUserDevice.openFdCount();
        try (VfioUserClient first = support.connectNegotiated(); EventFd trigger = EventFd.create(0);
            MemFd ram = MemFd.create("ram", 1 << 16))
        {
            first.dmaMap(ram.fd(), 0, 0, 1 << 16, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            first.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER,
                VfioUserIrqInfo.INTX_IRQ_INDEX, 0, 1, trigger.fd());
            assertTrue(support.intx.hasTrigger());
        }
        awaitCondition("the device to be told", () -> support.device.calls.contains("disconnected"));
        awaitCondition("the server to be free", () -> !support.server.hasClient());
        assertFalse(support.intx.hasTrigger(), "the client's eventfd was closed");
        support.device.mappedGuestMemory.clear();
        try (VfioUserClient next = support.connectNegotiated())
        {
            assertStillServing(next);
            next.dmaMap(-1, 0, 0, 1 << 16, VfioUserDmaMap.FLAG_READ);
        }
        awaitCondition("the second detach", () -> 2 == support.server.servedClients());
        assertEquals(before, FakeVfioUserDevice.openFdCount(), "no descriptor of either client is left open");
    }

    @Test
    void shouldAnswerUnmapOnlyAfterDeviceReleasedTheRange() throws Exception
    {
        try (VfioUserClient client = support.connectNegotiated())
        {
            client.dmaMap(-1, 0, 0x100000, 0x1000, VfioUserDmaMap.FLAG_READ);
            final CountDownLatch release = new CountDownLatch(1);
            support.device.unmapRelease = release;
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final CountDownLatch answered = new CountDownLatch(1);
            final Thread unmapper = new Thread(() ->
            {
                try
                {
                    client.dmaUnmap(0x100000, 0x1000);
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
                answered.countDown();
            });
            unmapper.start();
            assertTrue(support.device.unmapEntered.await(WAIT_MS, TimeUnit.MILLISECONDS));
            assertFalse(answered.await(200, TimeUnit.MILLISECONDS), "no reply while the device still uses it");
            release.countDown();
            assertTrue(answered.await(WAIT_MS, TimeUnit.MILLISECONDS));
            unmapper.join(WAIT_MS);
            assertNull(failure.get());
            assertEquals(List.of("map 0x100000 0x1000 nofd r", "unmap-begin 0x100000 0x1000", "unmap-end 0x100000"),
                support.device.calls);
        }
    }

    @Test
    void shouldSignalTriggerOnRisingEdgeAndAgainOnUnmaskMessageWhenLevelStaysHigh() throws IOException
    {
        try (VfioUserClient client = support.connectNegotiated(); EventFd trigger = EventFd.create(
            EventFd.EFD_NONBLOCK))
        {
            client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER,
                VfioUserIrqInfo.INTX_IRQ_INDEX, 0, 1, trigger.fd());
            support.intx.onLevelChange(true);
            assertTrue(trigger.await((int)WAIT_MS));
            assertEquals(1, trigger.drain());
            client.setIrqs(VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_UNMASK, 0, 0, 1);
            assertEquals(1, trigger.drain(), "QEMU's UNMASK after EOI re-signals a still-high line");
            client.setIrqs(VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_MASK, 0, 0, 1);
            support.intx.onLevelChange(false);
            support.intx.onLevelChange(true);
            assertEquals(0, trigger.drain(), "masked by the client");
            client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER, 0, 0, 1);
            assertFalse(support.intx.hasTrigger(), "count 1 without fds de-assigns");
        }
    }

    @Test
    void shouldUnmaskWhenClientSignalsTheResampleEventfd() throws IOException
    {
        try (VfioUserClient client = support.connectNegotiated();
            EventFd trigger = EventFd.create(EventFd.EFD_NONBLOCK);
            EventFd resample = EventFd.create(EventFd.EFD_NONBLOCK))
        {
            client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER, 0, 0, 1, trigger.fd());
            client.setIrqs(VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_MASK, 0, 0, 1);
            client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_UNMASK, 0, 0, 1, resample.fd());
            client.setIrqs(VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_UNMASK, 0, 0, 1);
            support.intx.onLevelChange(true);
            assertTrue(trigger.await((int)WAIT_MS));
            trigger.drain();
            resample.signal();
            assertTrue(trigger.await((int)WAIT_MS), "the server saw the EOI on the resample fd and re-signalled");
            assertEquals(1, trigger.drain());
            awaitCondition("the resample count to be taken", () -> !resample.await(0));
            client.setIrqs(VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_TRIGGER, 0, 0, 0);
            assertFalse(support.intx.hasTrigger(), "TRIGGER|NONE count 0 disables INTx");
            assertEquals(-1, support.intx.resampleFd());
        }
    }

    @Test
    void shouldRefuseMaskEventfdBecauseOnlyResampleIsServed() throws IOException
    {
        try (VfioUserClient client = support.connectNegotiated(); EventFd fd = EventFd.create(0))
        {
            final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                () -> client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_MASK, 0, 0, 1, fd.fd()));
            assertEquals(22, refused.errno());
            assertStillServing(client);
        }
    }

    @Test
    void shouldCreateSocketWithTheModeAndGroupAsked() throws IOException
    {
        final Path path = directory.resolve("owned.sock");
        final VfioUserServerSettings settings = new VfioUserServerSettings("owned", path, "root", "root",
            PosixFilePermissions.fromString("rw-rw----"), 1000);
        try (VfioUserServer server = new VfioUserServer(settings, support.device, new IntxLine()))
        {
            server.start();
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals("root", Files.getOwner(path).getName());
        }
        assertFalse(Files.exists(path), "close removes the socket file");
    }

    @Test
    void shouldReleaseTheListeningDescriptorWhenClosedSoPortsCanComeAndGo() throws IOException
    {
        // The daemon makes and closes a server per port: each must give its listening socket back (junixsocket's
        // cast of our descriptor does not own it; seen as one descriptor leaked per create/destroy cycle).
        final long before = openDescriptors();
        for (int i = 0; i < 50; i++)
        {
            final Path path = directory.resolve("cycle.sock");
            final VfioUserServer server =
                new VfioUserServer(VfioUserServerSettings.of("cycle", path), support.device, new IntxLine());
            server.start();
            server.close();
            server.close();
            assertFalse(Files.exists(path), "close removes the socket file");
        }
        assertTrue(openDescriptors() <= before + 2, "descriptors: " + openDescriptors() + ", before " + before);
    }

    private static long openDescriptors() throws IOException
    {
        try (var entries = Files.list(Path.of("/proc/self/fd")))
        {
            return entries.count();
        }
    }

    @Test
    void shouldFailLoudlyWhenSocketOwnerDoesNotExist()
    {
        final VfioUserServerSettings settings = new VfioUserServerSettings("bad", directory.resolve("bad.sock"),
            "no-such-user-sidecore", null, VfioUserServerSettings.DEFAULT_SOCKET_MODE, 1000);
        assertThrows(IOException.class, () -> new VfioUserServer(settings, support.device, new IntxLine()).close());
    }
}
