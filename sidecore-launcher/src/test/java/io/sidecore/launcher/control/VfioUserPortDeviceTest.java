package io.sidecore.launcher.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.sidecore.engine.port.Port;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.VfioUserClientException;
import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserIrqInfo;
import io.sidecore.shm.vfiouser.VfioUserRegion;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import io.sidecore.shm.vfiouser.VfioUserSetIrqs;
import io.sidecore.shm.os.Mmap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine binding of the vfio-user server, over a real daemon in this JVM and a real socket: a client speaks to a
 * port as QEMU does, and each test checks what the port's sidecore did (registers, counters, guest memory) and what
 * the daemon reports.
 */
class VfioUserPortDeviceTest
{
    private static final long RAM_GPA = 0x100000L;
    private static final int RAM_BYTES = 1 << 20;
    private static final long WAIT_MS = 20_000;
    private static final int TX_RING_OFFSET = 0;
    private static final int TX_FRAME_OFFSET = 0x1000;
    private static final int FRAME_BYTES = 60;

    @TempDir
    Path directory;

    private TestDaemon daemon;

    @AfterEach
    void tearDown()
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldAnswerConfigSpaceAndTrappedRegistersFromThePortsDevice() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"))
        {
            assertEquals(0x100E_8086L, client.regionRead(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0, 4));
            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4, 0x9D, false);
            assertEquals(0x9D, client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4));
            assertEquals(0x9D, proxyRead("g0", E1000Registers.IMS), "the port's own device holds it");

            final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                () -> client.regionRead(VfioUserRegionInfo.BAR1_REGION_INDEX, 0, 8));
            assertEquals(VfioUserErrno.EINVAL, refused.errno(), "the I/O window takes no 8-byte access");
            final JsonNode attached = describe("g0");
            assertTrue(attached.path(ControlProtocol.ATTACHED).asBoolean());
            assertEquals(ControlProtocol.TRANSPORT_VFIO_USER, attached.path(ControlProtocol.GUEST_TRANSPORT).asText());
            assertEquals(ProcessHandle.current().pid(), attached.path(ControlProtocol.GUEST_PID).asLong());
        }
    }

    @Test
    void shouldStoreTrappedTdtWriteInThePolledPageAndTransmitAsForAPolledDoorbell() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"); MemFd ram = MemFd.createSealed("vu-test-ram", RAM_BYTES);
            Arena arena = Arena.ofShared())
        {
            client.dmaMap(ram.fd(), 0, RAM_GPA, RAM_BYTES, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            final MemorySegment doorbells = mapDoorbellPages(client, arena);
            final UnsafeBuffer guestRam = new UnsafeBuffer(ram.map(arena).address(), RAM_BYTES);
            setUpTxRing(client, guestRam);
            final long sharedBefore = counter("g0", PortCounter.DOORBELLS_SHARED);
            final long trappedBefore = counter("g0", PortCounter.DOORBELLS_TRAPPED);

            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, 4, 1, false);

            awaitCondition("the frame announced by the trapped TDT write to be sent",
                () -> 1 == counter("g0", PortCounter.TX_FRAMES));
            assertEquals(1, doorbells.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, E1000Registers.TDT),
                "the write landed in the doorbell page the sidecore polls");
            assertEquals(1, counter("g0", PortCounter.DOORBELLS_TRAPPED) - trappedBefore);
            assertEquals(sharedBefore, counter("g0", PortCounter.DOORBELLS_SHARED));
            awaitCondition("DD written back", () -> 0 != (guestRam.getByte(TX_RING_OFFSET +
                E1000TxDescriptor.STATUS_OFFSET) & 1));
            assertEquals(1, client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDH, 4));
            assertEquals(1, vfioUserStats("g0").path(ControlProtocol.TRAPPED_TDT_WRITES).asLong());
        }
    }

    @Test
    void shouldRemoveAndUnmapTheRegionBeforeAnsweringDmaUnmap() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"); MemFd ram = MemFd.createSealed("vu-unmap-ram", RAM_BYTES);
            Arena arena = Arena.ofShared())
        {
            client.dmaMap(ram.fd(), 0, RAM_GPA, RAM_BYTES, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            assertEquals(1, mappingsOf("vu-unmap-ram"), "the daemon maps the memfd once");
            final UnsafeBuffer guestRam = new UnsafeBuffer(ram.map(arena).address(), RAM_BYTES);
            setUpTxRing(client, guestRam);

            client.dmaUnmap(RAM_GPA, RAM_BYTES);

            // At the reply the daemon holds no mapping of it (the test's own is the one left) ...
            assertEquals(1, mappingsOf("vu-unmap-ram"));
            assertEquals(1, vfioUserStats("g0").path(ControlProtocol.DMA_UNMAPS).asLong());
            assertEquals(0, vfioUserStats("g0").path(ControlProtocol.DMA_REGIONS).asLong());
            // ... and the device can no longer reach it: a descriptor there is a DMA fault, nothing is written back.
            final long faultsBefore = dmaRefusals("g0");
            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, 4, 1, false);
            awaitCondition("the unreachable descriptor to be refused", () -> dmaRefusals("g0") > faultsBefore);
            assertEquals(0, guestRam.getByte(TX_RING_OFFSET + E1000TxDescriptor.STATUS_OFFSET),
                "no status written into memory the VMM took back");
            assertEquals(0, counter("g0", PortCounter.TX_FRAMES));
        }
    }

    @Test
    void shouldRefuseMapPastThePortsLimitWithEnospcAndCountIt() throws IOException
    {
        start(Map.of("sidecore.port.max.dma.regions", "2"));
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"))
        {
            client.dmaMap(-1, 0, 0, 0x1000, VfioUserDmaMap.FLAG_READ);
            client.dmaMap(-1, 0, 0x10000, 0x1000, VfioUserDmaMap.FLAG_READ);

            final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                () -> client.dmaMap(-1, 0, 0x20000, 0x1000, VfioUserDmaMap.FLAG_READ));

            assertEquals(VfioUserErrno.ENOSPC, refused.errno());
            final JsonNode stats = vfioUserStats("g0");
            assertEquals(1, stats.path(ControlProtocol.DMA_MAPS_REFUSED).path(ControlProtocol.DMA_REFUSED_LIMIT)
                .asLong());
            assertEquals(2, stats.path(ControlProtocol.DMA_REGIONS).asLong());
            client.dmaUnmap(0, 0x1000);
            client.dmaMap(-1, 0, 0x20000, 0x1000, VfioUserDmaMap.FLAG_READ);
            assertEquals(2, vfioUserStats("g0").path(ControlProtocol.DMA_REGIONS).asLong(),
                "room again after an unmap");
        }
    }

    @Test
    void shouldRefuseUnsealedGuestMemoryWithAReasonAndCountIt() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"); MemFd ram = MemFd.create("vu-unsealed-ram", RAM_BYTES))
        {
            final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                () -> client.dmaMap(ram.fd(), 0, RAM_GPA, RAM_BYTES,
                    VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE));

            assertEquals(io.sidecore.shm.os.Errno.EPERM, refused.errno());
            assertEquals(1, vfioUserStats("g0").path(ControlProtocol.DMA_MAPS_REFUSED)
                .path(ControlProtocol.DMA_REFUSED_UNSAFE_MEMORY).asLong());
            assertEquals(0, mappingsOf("vu-unsealed-ram"));
        }
    }

    @Test
    void shouldAcceptUnsealedGuestMemoryWhenTheSettingAllowsIt() throws IOException
    {
        start(Map.of("sidecore.guest.memory.allow.unsealed", "true"));
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"); MemFd ram = MemFd.create("vu-allowed-ram", RAM_BYTES))
        {
            client.dmaMap(ram.fd(), 0, RAM_GPA, RAM_BYTES, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);

            assertEquals(1, mappingsOf("vu-allowed-ram"));
            assertEquals(1, vfioUserStats("g0").path(ControlProtocol.DMA_REGIONS).asLong());
        }
    }

    @Test
    void shouldRecordMapsWithoutFdAsUnreachable() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"))
        {
            client.dmaMap(-1, 0, RAM_GPA, RAM_BYTES, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            setUpTxRingRegisters(client);
            final long before = dmaRefusals("g0");

            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, 4, 1, false);

            awaitCondition("the descriptor in memory the daemon cannot reach to be refused",
                () -> dmaRefusals("g0") > before);
            assertEquals(1, vfioUserStats("g0").path(ControlProtocol.DMA_REGIONS).asLong());
        }
    }

    @Test
    void shouldReturnToPowerOnAtDeviceResetKeepingTheMaps() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"))
        {
            client.dmaMap(-1, 0, RAM_GPA, RAM_BYTES, VfioUserDmaMap.FLAG_READ);
            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4, 0x9D, false);
            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDLEN, 4, 0x1000, false);
            client.regionWrite(VfioUserRegionInfo.CONFIG_REGION_INDEX, PciConfig.COMMAND_OFFSET, 2,
                PciConfig.COMMAND_BUS_MASTER | PciConfig.COMMAND_MEMORY_SPACE, false);

            client.reset();

            assertEquals(0, client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4));
            assertEquals(0, client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDLEN, 4));
            assertEquals(0, client.regionRead(VfioUserRegionInfo.CONFIG_REGION_INDEX, PciConfig.COMMAND_OFFSET, 2));
            final JsonNode stats = vfioUserStats("g0");
            assertEquals(1, stats.path(ControlProtocol.DEVICE_RESETS).asLong());
            assertEquals(1, stats.path(ControlProtocol.DMA_REGIONS).asLong(), "DEVICE_RESET keeps the DMA maps");
        }
    }

    @Test
    void shouldUnbindReleaseEverythingAndServeTheNextClientWhenOneDisconnects() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (MemFd ram = MemFd.createSealed("vu-gone-ram", RAM_BYTES))
        {
            try (VfioUserClient client = connect("g0"))
            {
                client.dmaMap(ram.fd(), 0, RAM_GPA, RAM_BYTES, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
                client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4, 0x9D, false);
                assertEquals(1, mappingsOf("vu-gone-ram"));
            }
            awaitCondition("the port to be let go", () -> !describe("g0").path(ControlProtocol.ATTACHED).asBoolean());

            assertEquals(0, mappingsOf("vu-gone-ram"), "the client's memory is unmapped");
            assertEquals(0, mappingsOf("sidecore-doorbells-g0"), "and the doorbell pages made for it");
            assertEquals(0, proxyRead("g0", E1000Registers.IMS), "the port is back in its power-on state");
            try (VfioUserClient next = connect("g0"))
            {
                assertEquals(0x100E_8086L, next.regionRead(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0, 4));
                assertEquals(1, vfioUserStats("g0").path(ControlProtocol.CLIENTS_SERVED).asLong());
            }
        }
    }

    /**
     * Noticed by three engineers: {@code list} showed a port attached from the moment a VMM connected, before the
     * daemon had mapped any of the guest's memory. A vfio-user client holds the port from its connection on, but the
     * port is {@code attaching} until its first DMA_MAP is mapped, {@code attached} from then on, and attaching again
     * once the client unmapped all its memory; once the client is gone the port shows no guest.
     */
    @Test
    void shouldShowAVfioUserGuestAttachingUntilItsMemoryIsMapped() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"); MemFd ram = MemFd.createSealed("vu-state-ram", RAM_BYTES))
        {
            assertGuestState("g0", ControlProtocol.GUEST_STATE_ATTACHING);
            client.dmaMap(ram.fd(), 0, RAM_GPA, RAM_BYTES, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            assertGuestState("g0", ControlProtocol.GUEST_STATE_ATTACHED);
            client.dmaUnmapAll();
            assertGuestState("g0", ControlProtocol.GUEST_STATE_ATTACHING);
        }
        awaitCondition("the port to be let go", () -> !describe("g0").path(ControlProtocol.ATTACHED).asBoolean());
        assertFalse(describe("g0").has(ControlProtocol.GUEST_STATE), describe("g0").toString());
    }

    /**
     * A region announced without a file descriptor (QEMU's anonymous memory: the daemon cannot reach its bytes) maps
     * nothing here, so the guest stays {@code attaching} until a region the daemon maps comes, and goes back to it when
     * that one is unmapped though the fd-less one stays (review finding: the first DMA_MAP of any kind showed
     * {@code attached}).
     */
    @Test
    void shouldShowAVfioUserGuestAttachingWhileOnlyRegionsWithoutAnFdAreMapped() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"); MemFd ram = MemFd.createSealed("vu-fdless-ram", RAM_BYTES))
        {
            client.dmaMap(-1, 0, 0x1_0000_0000L, RAM_BYTES, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            assertGuestState("g0", ControlProtocol.GUEST_STATE_ATTACHING);
            client.dmaMap(ram.fd(), 0, RAM_GPA, RAM_BYTES, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            assertGuestState("g0", ControlProtocol.GUEST_STATE_ATTACHED);
            client.dmaUnmap(RAM_GPA, RAM_BYTES);
            assertGuestState("g0", ControlProtocol.GUEST_STATE_ATTACHING);
        }
    }

    /**
     * The same for a native attach: while the daemon maps what the guest brought (the attachment's opener runs) the
     * port is {@code attaching}; a refused attach leaves it with no guest; an attach that completes shows it
     * {@code attached}.
     */
    @Test
    void shouldShowANativeGuestAttachingWhileItsMemoryIsMappedAndAttachedOnceBound() throws IOException
    {
        start(Map.of());
        createPort("g0", "switch");
        final JsonNode[] whileMapping = new JsonNode[1];
        final ControlException refused = assertThrows(ControlException.class, () -> registry().attach("g0", 1,
            (id, name, mac, pages, csb) ->
            {
                whileMapping[0] = describe("g0");
                throw new ControlException(ControlProtocol.E_UNSAFE_MEMORY, "refused by the test once it looked");
            }, () -> { }));
        assertEquals(ControlProtocol.E_UNSAFE_MEMORY, refused.code(), refused.getMessage());
        assertTrue(whileMapping[0].path(ControlProtocol.ATTACHED).asBoolean(), whileMapping[0].toString());
        assertEquals(ControlProtocol.GUEST_STATE_ATTACHING, whileMapping[0].path(ControlProtocol.GUEST_STATE).asText(),
            whileMapping[0].toString());
        assertFalse(describe("g0").path(ControlProtocol.ATTACHED).asBoolean(), "the refused attach let the port go");
        assertFalse(describe("g0").has(ControlProtocol.GUEST_STATE), describe("g0").toString());

        try (TestControlClient control = new TestControlClient(daemon.controlSocket());
            MemFd ram = MemFd.createSealed("native-state-ram", RAM_BYTES);
            EventFd irq = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))
        {
            attachNatively(control, ram, irq);
            assertGuestState("g0", ControlProtocol.GUEST_STATE_ATTACHED);
        }
    }

    /**
     * Attach a guest natively to g0 over the control connection, its RAM at {@link #RAM_GPA}; the answer's fds are
     * closed.
     */
    private static void attachNatively(final TestControlClient control, final MemFd ram, final EventFd irq)
        throws IOException
    {
        final JsonNode attached = requestAttach(control, ram, irq);
        assertTrue(attached.path(ControlProtocol.OK).asBoolean(), attached.toString());
        for (final int fd : control.receivedFds())
        {
            Fds.close(fd);
        }
    }

    private static JsonNode requestAttach(final TestControlClient control, final MemFd ram, final EventFd irq)
        throws IOException
    {
        return control.request("{\"version\":1,\"command\":\"attach\",\"name\":\"g0\"," +
            "\"regions\":[{\"gpa\":" + RAM_GPA + ",\"size\":" + RAM_BYTES + ",\"fd_index\":0}]," +
            "\"interrupt_fd_index\":1}", ram.fd(), irq.fd());
    }

    /**
     * The port holds a guest in the given state, in its description and in {@code list} alike.
     */
    private void assertGuestState(final String name, final String state)
    {
        final JsonNode described = describe(name);
        assertTrue(described.path(ControlProtocol.ATTACHED).asBoolean(), described.toString());
        assertEquals(state, described.path(ControlProtocol.GUEST_STATE).asText(), described.toString());
        for (final JsonNode listed : registry().list())
        {
            if (name.equals(listed.path(ControlProtocol.NAME).asText()))
            {
                assertEquals(state, listed.path(ControlProtocol.GUEST_STATE).asText(), listed.toString());
                return;
            }
        }
        throw new AssertionError("port " + name + " is not listed");
    }

    @Test
    void shouldRefuseVfioUserClientWhileAGuestIsAttachedNatively() throws IOException
    {
        start(Map.of());
        createPort("g0", "switch");
        try (TestControlClient control = new TestControlClient(daemon.controlSocket());
            MemFd ram = MemFd.createSealed("native-ram", RAM_BYTES);
            EventFd irq = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))
        {
            attachNatively(control, ram, irq);
            try (VfioUserClient client = VfioUserClient.connect(socketOf("g0")))
            {
                client.replyTimeoutMs((int)WAIT_MS);
                final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                    client::negotiateVersion);
                assertEquals(VfioUserErrno.EBUSY, refused.errno());
            }
            assertEquals(ControlProtocol.TRANSPORT_NATIVE,
                describe("g0").path(ControlProtocol.GUEST_TRANSPORT).asText(), "the native guest keeps the port");
        }
    }

    @Test
    void shouldRefuseNativeAttachWhileAVfioUserClientIsAttached() throws IOException
    {
        start(Map.of());
        createPort("g0", "switch");
        try (VfioUserClient client = connect("g0");
            TestControlClient control = new TestControlClient(daemon.controlSocket());
            MemFd ram = MemFd.createSealed("native-ram", RAM_BYTES);
            EventFd irq = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))
        {
            final JsonNode refused = requestAttach(control, ram, irq);

            assertFalse(refused.path(ControlProtocol.OK).asBoolean());
            assertEquals(ControlProtocol.E_PORT_BUSY, refused.path(ControlProtocol.ERROR).path(ControlProtocol.CODE)
                .asText());
            assertTrue(refused.path(ControlProtocol.ERROR).path(ControlProtocol.MESSAGE).asText()
                .contains("a vfio-user client (pid " + ProcessHandle.current().pid() + ")"), refused.toString());
            assertEquals(0x100E_8086L, client.regionRead(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0, 4),
                "the vfio-user client keeps the port");
        }
    }

    @Test
    void shouldSignalTheTriggerEventfdWhenTheDevicesLineRises() throws IOException
    {
        start(Map.of());
        createPort("g0", "null");
        try (VfioUserClient client = connect("g0"); EventFd trigger = EventFd.create(EventFd.EFD_NONBLOCK))
        {
            client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER,
                VfioUserIrqInfo.INTX_IRQ_INDEX, 0, 1, trigger.fd());
            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4, E1000Registers.ICR_TXDW,
                false);

            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.ICS, 4, E1000Registers.ICR_TXDW,
                false);

            assertTrue(trigger.await((int)WAIT_MS), "the interrupt reached the client's eventfd");
            assertEquals(1, trigger.drain());
            assertEquals(E1000Registers.ICR_TXDW,
                client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.ICR, 4));
            assertEquals(1, vfioUserStats("g0").path(ControlProtocol.INTX_SIGNALS).asLong());
        }
    }

    @Test
    void shouldCreateTheDeviceSocketWithTheConfiguredModeAndRemoveItWithThePortOrTheDaemon()
        throws IOException, ControlException
    {
        start(Map.of("sidecore.port.socket.mode", "0660", "sidecore.port.socket.group", "0"));
        createPort("g0", "null");
        createPort("g1", "null");
        final Path socket = socketOf("g0");
        final Path other = socketOf("g1");
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket,
            LinkOption.NOFOLLOW_LINKS)));

        registry().destroy("g0");

        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(other, LinkOption.NOFOLLOW_LINKS));
        daemon.close();
        assertFalse(Files.exists(other, LinkOption.NOFOLLOW_LINKS), "stopping the daemon removes every socket");
    }

    @Test
    void shouldOpenNoDeviceSocketForANativePort() throws IOException, ControlException
    {
        start(Map.of());
        final JsonNode nativePort = registry().create(spec("n0", "null", ControlProtocol.TRANSPORT_NATIVE))
            .deepCopy();

        assertFalse(nativePort.has(ControlProtocol.SOCKET));
        assertEquals(ControlProtocol.TRANSPORT_NATIVE, nativePort.path(ControlProtocol.TRANSPORT).asText());
        assertFalse(Files.exists(directory.resolve("run/ports/n0.sock"), LinkOption.NOFOLLOW_LINKS));
    }

    private void start(final Map<String, String> overrides)
    {
        daemon = TestDaemon.in(directory, new HashMap<>(overrides)).start();
    }

    private PortRegistry registry()
    {
        return daemon.daemon().registry();
    }

    private void createPort(final String name, final String backend)
    {
        try
        {
            registry().create(spec(name, backend, ControlProtocol.TRANSPORT_VFIO_USER));
        }
        catch (final ControlException ex)
        {
            throw new AssertionError(ex.getMessage(), ex);
        }
    }

    private static PortSpec spec(final String name, final String backend, final String transport)
    {
        final com.fasterxml.jackson.databind.node.ObjectNode request =
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        request.put(ControlProtocol.NAME, name);
        request.put(ControlProtocol.BACKEND, backend);
        request.put(ControlProtocol.TRANSPORT, transport);
        try
        {
            return PortSpec.fromRequest(new RequestFields(request));
        }
        catch (final ControlException ex)
        {
            throw new AssertionError(ex.getMessage(), ex);
        }
    }

    private JsonNode describe(final String name)
    {
        try
        {
            return registry().describe(name);
        }
        catch (final ControlException ex)
        {
            throw new AssertionError(ex.getMessage(), ex);
        }
    }

    private Path socketOf(final String name)
    {
        return Path.of(describe(name).path(ControlProtocol.SOCKET).asText());
    }

    private VfioUserClient connect(final String name) throws IOException
    {
        final VfioUserClient client = VfioUserClient.connect(socketOf(name));
        client.replyTimeoutMs((int)WAIT_MS);
        client.negotiateVersion();
        return client;
    }

    private JsonNode vfioUserStats(final String name)
    {
        try
        {
            return registry().stats(name).get(0).path(ControlProtocol.VFIO_USER);
        }
        catch (final ControlException ex)
        {
            throw new AssertionError(ex.getMessage(), ex);
        }
    }

    private long counter(final String name, final PortCounter counter)
    {
        return handle(name).counters().get(counter);
    }

    /**
     * @return TX DMA the device refused: descriptors or buffers outside reachable memory (a ring fault or a drop).
     */
    private long dmaRefusals(final String name)
    {
        return counter(name, PortCounter.RING_FAULTS) + counter(name, PortCounter.TX_DROP_DMA_FAULT);
    }

    private int proxyRead(final String name, final int offset)
    {
        return registry().proxy().mmioRead(handle(name), offset);
    }

    private Port handle(final String name)
    {
        try
        {
            return registry().handle(name);
        }
        catch (final ControlException ex)
        {
            throw new AssertionError(ex.getMessage(), ex);
        }
    }

    /**
     * Map BAR0's sparse-mmap areas as QEMU does: from the region info's fd, at the offsets it names.
     */
    private static MemorySegment mapDoorbellPages(final VfioUserClient client, final Arena arena)
    {
        final VfioUserRegion bar0 = client.regionInfo(VfioUserRegionInfo.BAR0_REGION_INDEX);
        try
        {
            assertEquals(2, bar0.areaCount(), "the RX and TX ring pages are offered for mmap");
            return Mmap.mapShared(bar0.fd(), bar0.regionFileOffset(), E1000Registers.BAR0_LENGTH, true, arena);
        }
        finally
        {
            Fds.close(bar0.fd());
        }
    }

    /**
     * One legacy TX descriptor at the start of guest RAM for a broadcast frame, and the ring registers for it, all by
     * message as QEMU sends them while it has the BAR mmaps off.
     */
    private static void setUpTxRing(final VfioUserClient client, final UnsafeBuffer guestRam)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
        frame.setMemory(0, 6, (byte)0xFF);
        frame.putBytes(6, new byte[]{ 0x02, 0, 0, 0, 0, 0x01 });
        frame.putShort(12, (short)0x88B5, ByteOrder.BIG_ENDIAN);
        frame.putBytes(14, "vfio-user trapped doorbell".getBytes(StandardCharsets.US_ASCII));
        guestRam.putBytes(TX_FRAME_OFFSET, frame, 0, FRAME_BYTES);
        guestRam.putLong(TX_RING_OFFSET + E1000TxDescriptor.BUFFER_ADDR_OFFSET, RAM_GPA + TX_FRAME_OFFSET,
            ByteOrder.LITTLE_ENDIAN);
        guestRam.putShort(TX_RING_OFFSET + E1000TxDescriptor.LENGTH_OFFSET, (short)FRAME_BYTES,
            ByteOrder.LITTLE_ENDIAN);
        guestRam.putByte(TX_RING_OFFSET + E1000TxDescriptor.CMD_OFFSET,
            (byte)(E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RS));
        setUpTxRingRegisters(client);
    }

    private static void setUpTxRingRegisters(final VfioUserClient client)
    {
        client.regionWrite(VfioUserRegionInfo.CONFIG_REGION_INDEX, PciConfig.COMMAND_OFFSET, 2,
            PciConfig.COMMAND_BUS_MASTER | PciConfig.COMMAND_MEMORY_SPACE, false);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDBAL, 4,
            RAM_GPA + TX_RING_OFFSET, false);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDBAH, 4, 0, false);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDLEN, 4, 128, false);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TCTL, 4, E1000Registers.TCTL_EN,
            false);
    }

    /**
     * @param memfdName a memfd's name.
     * @return mappings of it in this process (the daemon runs in it).
     */
    private static int mappingsOf(final String memfdName) throws IOException
    {
        int count = 0;
        for (final String line : Files.readAllLines(Path.of("/proc/self/maps")))
        {
            if (line.contains("/memfd:" + memfdName + " "))
            {
                count++;
            }
        }
        return count;
    }

    private static void awaitCondition(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + WAIT_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, ex);
            }
        }
    }
}
