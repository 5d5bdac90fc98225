package io.sidecore.launcher.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.control.TrappedAccessMessage;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.os.LibC;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control socket of a daemon running in this JVM, spoken to over a real Unix socket: every command, every
 * refusal with its code, and the attach path with real memfds and eventfds.
 */
class ControlSocketTest
{
    private static final long GUEST_RAM_GPA = 0x100000L;
    private static final int GUEST_RAM_BYTES = 1 << 20;

    @TempDir
    Path directory;

    private TestDaemon daemon;

    @AfterEach
    void stop()
    {
        if (null != daemon)
        {
            daemon.close();
        }
    }

    @Test
    void shouldAnswerVersion() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            final JsonNode response = client.request("{\"version\":1,\"id\":\"a\",\"command\":\"version\"}");

            assertOk(response);
            assertEquals("a", response.get("id").asText());
            assertEquals(1, response.get("result").get("protocol_version").asInt());
            assertEquals(ProcessHandle.current().pid(), response.get("result").get("pid").asLong());
        }
    }

    @Test
    void shouldGiveSocketModeZero660()
    {
        start(Map.of());

        assertTrue(Files.exists(daemon.controlSocket(), LinkOption.NOFOLLOW_LINKS));
        assertEquals("rw-rw----", permissions(daemon.controlSocket()));
        assertEquals("rwx------", permissions(daemon.controlSocket().getParent()));
    }

    @Test
    void shouldCreateListSetAndDestroyPort() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            final JsonNode created = client.request(
                "{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\",\"mac\":\"02:00:00:00:00:01\"}");
            assertOk(created);
            final JsonNode port = created.get("result").get("port");
            assertEquals("g0", port.get("name").asText());
            assertEquals("02:00:00:00:00:01", port.get("mac").asText());
            assertEquals("switch", port.get("backend").asText());
            assertEquals(directory.resolve("run/ports/g0.sock").toString(), port.get("socket").asText());
            assertFalse(port.get("attached").asBoolean());

            final JsonNode list = client.request("{\"version\":1,\"command\":\"list\"}");
            assertEquals(1, list.get("result").get("ports").size());

            final JsonNode set = client.request("{\"version\":1,\"command\":\"set\",\"name\":\"g0\"," +
                "\"moderation_ns\":250000,\"tx_frames_per_second\":1000,\"tx_burst_frames\":8}");
            assertOk(set);
            assertEquals(250_000, set.get("result").get("port").get("moderation_ns").asLong());
            assertEquals(1000, set.get("result").get("port").get("tx_frames_per_second").asLong());
            assertEquals(8, set.get("result").get("port").get("tx_burst_frames").asLong());

            final JsonNode stats = client.request("{\"version\":1,\"command\":\"stats\",\"name\":\"g0\"}");
            assertEquals(0, stats.get("result").get("ports").get(0).get("counters").get("tx_frames").asLong());

            assertOk(client.request("{\"version\":1,\"command\":\"destroy-port\",\"name\":\"g0\"}"));
            assertEquals(0, client.request("{\"version\":1,\"command\":\"list\"}").get("result").get("ports").size());
        }
    }

    @Test
    void shouldDeriveLocallyAdministeredMacFromName() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            final String mac = client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"web\"}")
                .get("result").get("port").get("mac").asText();

            assertEquals(PortSpec.formatMac(PortSpec.derivedMac("web")), mac);
            assertTrue(mac.startsWith("02:"), mac);
        }
    }

    @Test
    void shouldRefuseDuplicateName() throws IOException
    {
        assertRefusedAfterFirstPort("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}",
            ControlProtocol.E_DUPLICATE_NAME);
    }

    @Test
    void shouldRefuseDuplicateMac() throws IOException
    {
        assertRefusedAfterFirstPort(
            "{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\",\"mac\":\"02:00:00:00:00:01\"}",
            ControlProtocol.E_DUPLICATE_MAC);
    }

    @Test
    void shouldRefuseMulticastMac() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\",\"mac\":\"01:00:5e:00:00:01\"}",
            ControlProtocol.E_INVALID_ARGUMENT, "multicast");
    }

    @Test
    void shouldRefuseBroadcastMac() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\",\"mac\":\"ff:ff:ff:ff:ff:ff\"}",
            ControlProtocol.E_INVALID_ARGUMENT, "multicast");
    }

    @Test
    void shouldRefuseZeroMac() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\",\"mac\":\"00:00:00:00:00:00\"}",
            ControlProtocol.E_INVALID_ARGUMENT, "not a valid station address");
    }

    @Test
    void shouldRefusePortPastMaximum() throws IOException
    {
        start(Map.of("sidecore.max.ports", "1"));
        try (TestControlClient client = client())
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));

            assertError(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\"}"),
                ControlProtocol.E_TOO_MANY_PORTS, "maximum of 1");
        }
    }

    @Test
    void shouldRefuseBadPortName() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"create-port\",\"name\":\"../etc\"}",
            ControlProtocol.E_INVALID_ARGUMENT, "port name must be");
    }

    @Test
    void shouldRefuseUnknownBackend() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\",\"backend\":\"vde\"}",
            ControlProtocol.E_INVALID_ARGUMENT, "backend must be");
    }

    @Test
    void shouldRefuseSidecoreThatDoesNotExist() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\",\"sidecore\":3}",
            ControlProtocol.E_INVALID_ARGUMENT, "no sidecore 3");
    }

    @Test
    void shouldRefuseFieldOfWrongType() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\",\"csb\":\"yes\"}",
            ControlProtocol.E_INVALID_ARGUMENT, "field 'csb' must be true or false");
    }

    @Test
    void shouldRefuseNumberOutOfRange() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"create-port\",\"name\":\"g1\",\"rx_frame_budget\":0}",
            ControlProtocol.E_INVALID_ARGUMENT, "must be in [1, 65536]");
    }

    @Test
    void shouldRefuseUnknownField() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"list\",\"verbose\":true}",
            ControlProtocol.E_INVALID_ARGUMENT, "unknown field 'verbose'");
    }

    @Test
    void shouldRefuseUnknownCommand() throws IOException
    {
        assertRefused("{\"version\":1,\"command\":\"reboot\"}", ControlProtocol.E_UNKNOWN_COMMAND, "reboot");
    }

    @Test
    void shouldRefuseRequestWithoutCommand() throws IOException
    {
        assertRefused("{\"version\":1}", ControlProtocol.E_UNKNOWN_COMMAND, "names no command");
    }

    @Test
    void shouldRefuseOtherProtocolVersion() throws IOException
    {
        assertRefused("{\"version\":2,\"command\":\"list\"}", ControlProtocol.E_UNSUPPORTED_VERSION, "version 1");
    }

    @Test
    void shouldRefuseMalformedJsonAndKeepServing() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            assertError(client.request("{\"version\":1,"), ControlProtocol.E_MALFORMED, "not a JSON object");
            assertError(client.request("[1,2,3]"), ControlProtocol.E_MALFORMED, "one JSON object");
            assertError(client.request("{\"version\":1,\"command\":\"list\"} {}"), ControlProtocol.E_MALFORMED,
                "not a JSON object");
            assertError(client.request("{\"version\":1,\"version\":1,\"command\":\"list\"}"),
                ControlProtocol.E_MALFORMED, "Duplicate field");

            assertOk(client.request("{\"version\":1,\"command\":\"list\"}"));
        }
    }

    @Test
    void shouldRefuseOversizedRequestAndCloseOnlyThatConnection() throws IOException
    {
        start(Map.of("sidecore.control.max.request.length", "1k"));
        try (TestControlClient other = client(); TestControlClient client = client())
        {
            final byte[] huge = new byte[64 * 1024];
            java.util.Arrays.fill(huge, (byte)'x');
            client.send(huge);

            assertError(client.response(), ControlProtocol.E_TOO_LARGE, "1024 bytes at most");
            assertTrue(client.isClosedByPeer());
            assertOk(other.request("{\"version\":1,\"command\":\"list\"}"));
        }
    }

    @Test
    void shouldAnswerTruncatedRequest() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            client.send("{\"version\":1,\"command\":\"li".getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();

            assertError(client.response(), ControlProtocol.E_TRUNCATED, "middle of a request");
        }
    }

    /**
     * The rate limit on the daemon's clock, frozen here (it was the wall clock, and a loaded machine let tokens refill
     * between the requests): of ten requests at once, three per second allowed, exactly three run; once a second
     * passes, the next one runs again.
     */
    @Test
    void shouldRefuseRequestsPastRateLimitWithoutExecutingThem() throws IOException
    {
        start(Map.of("sidecore.control.max.requests.per.second", "3"));
        final AtomicLong clockNs = new AtomicLong(1_000_000_000L);
        daemon.daemon().controlServer().requestClock(clockNs::get);
        try (TestControlClient client = client())
        {
            int limited = 0;
            for (int i = 0; i < 10; i++)
            {
                final JsonNode response =
                    client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"p" + i + "\"}");
                if (!response.get("ok").asBoolean())
                {
                    assertEquals(ControlProtocol.E_RATE_LIMITED, response.get("error").get("code").asText());
                    limited++;
                }
            }

            assertEquals(7, limited, "ten requests at once, three per second allowed");
            assertEquals(3, daemon.daemon().registry().names().size(), "refused requests not executed");
            clockNs.addAndGet(1_000_000_000L);
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"late\"}"));
            assertEquals(4, daemon.daemon().registry().names().size(), "a second later, requests run again");
        }
    }

    @Test
    void shouldRefuseConnectionPastMaximum() throws IOException
    {
        start(Map.of("sidecore.control.max.connections", "1"));
        try (TestControlClient first = client())
        {
            assertOk(first.request("{\"version\":1,\"command\":\"list\"}"));
            try (TestControlClient second = client())
            {
                assertError(second.response(), ControlProtocol.E_TOO_MANY_CONNECTIONS, "1 control connections");
                assertTrue(second.isClosedByPeer());
            }
            assertOk(first.request("{\"version\":1,\"command\":\"list\"}"));
        }
    }

    /**
     * A refused client writes its request before it reads (every client does); the refusal must not close the
     * connection under it, or its write fails with EPIPE and it never reads why (a Python client on CI). The
     * request here goes out well after the refusal was written, when a daemon that closed at once had closed.
     */
    @Test
    void shouldLetRefusedPeerWriteItsRequestAfterTheRefusalAndReadTheEnd() throws Exception
    {
        start(Map.of("sidecore.control.max.connections", "1"));
        try (TestControlClient first = client())
        {
            assertOk(first.request("{\"version\":1,\"command\":\"list\"}"));
            try (TestControlClient refused = client())
            {
                assertRefused(refused);
                Thread.sleep(50);

                refused.send("{\"version\":1,\"command\":\"list\"}\n".getBytes(StandardCharsets.UTF_8));

                assertTrue(refused.isClosedByPeer(), "after its error line, the refused peer reads the end");
            }
            assertOk(first.request("{\"version\":1,\"command\":\"list\"}"));
        }
    }

    /**
     * The linger is bounded: a refused peer that never hangs up has its connection closed by the daemon within
     * {@link RefusedPeers#LINGER_NS} of its refusal (seen as a write failing once the daemon's side is gone), and not
     * at once (the refusal was written before the client read it, so the time since that read is a lower bound).
     */
    @Test
    void shouldCloseRefusedPeerThatNeverHangsUpAfterTheLinger() throws Exception
    {
        start(Map.of("sidecore.control.max.connections", "1"));
        try (TestControlClient first = client())
        {
            assertOk(first.request("{\"version\":1,\"command\":\"list\"}"));
            try (TestControlClient refused = client())
            {
                assertRefused(refused);
                final long readNs = System.nanoTime();

                final long deadlineNs = readNs + RefusedPeers.LINGER_NS + TimeUnit.SECONDS.toNanos(10);
                IOException writeFailure = null;
                while (null == writeFailure && System.nanoTime() < deadlineNs)
                {
                    try
                    {
                        refused.send(new byte[] {' '});
                        Thread.sleep(50);
                    }
                    catch (final IOException ex)
                    {
                        writeFailure = ex;
                    }
                }
                final long closedAfterNs = System.nanoTime() - readNs;

                assertNotNull(writeFailure, "the daemon closed the refused connection");
                assertTrue(closedAfterNs >= RefusedPeers.LINGER_NS / 4, "not at once: " + closedAfterNs + " ns");
            }
            assertOk(first.request("{\"version\":1,\"command\":\"list\"}"));
        }
    }

    /**
     * Refused peers that stay silent do not delay the next refusal: its error line is written when it is accepted,
     * not after the lingers of the peers refused before it (five of them would have taken five seconds).
     */
    @Test
    void shouldAnswerRefusedPeerAtOnceWhileOthersLinger() throws Exception
    {
        start(Map.of("sidecore.control.max.connections", "1"));
        final List<TestControlClient> silent = new ArrayList<>();
        try (TestControlClient first = client())
        {
            assertOk(first.request("{\"version\":1,\"command\":\"list\"}"));
            for (int i = 0; i < 5; i++)
            {
                silent.add(client());
            }
            final long startNs = System.nanoTime();
            try (TestControlClient refused = client())
            {
                assertRefused(refused);
                final long answeredAfterNs = System.nanoTime() - startNs;

                assertTrue(answeredAfterNs < 2 * RefusedPeers.LINGER_NS, "answered after " + answeredAfterNs + " ns");
            }
            for (final TestControlClient peer : silent)
            {
                assertRefused(peer);
            }
        }
        finally
        {
            for (final TestControlClient peer : silent)
            {
                peer.close();
            }
        }
    }

    @Test
    void shouldCloseDescriptorsSentWithCommandThatTakesNone() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client(); EventFd eventFd = EventFd.create(EventFd.EFD_CLOEXEC))
        {
            assertOk(client.request("{\"version\":1,\"command\":\"list\"}"));
            final long before = openFds();

            final JsonNode response = client.request("{\"version\":1,\"command\":\"list\"}", eventFd.fd());

            assertError(response, ControlProtocol.E_BAD_FDS, "takes no file descriptors");
            assertEquals(before, openFds(), "the descriptor the daemon received was closed");
        }
    }

    @Test
    void shouldAttachGuestAndAnswerTrappedAccesses() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client(); Guest guest = new Guest(true))
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"," +
                "\"mac\":\"02:00:00:00:00:07\"}"));

            final JsonNode response = client.request(guest.attachRequest("g0"), guest.ram.fd(), guest.irq.fd());

            assertOk(response);
            assertEquals(PortRegionDescriptor.DEFAULT_SHARED_PAGES, response.get("result").get("shared_pages").asInt());
            assertTrue(response.get("result").get("port").get("attached").asBoolean());
            final int[] fds = client.receivedFds();
            assertEquals(2, fds.length, "the port region memfd and the doorbell pages memfd");
            assertEquals(0, response.get("result").get("region_fd_index").asInt());
            assertEquals(1, response.get("result").get("doorbell_fd_index").asInt());
            try (Arena arena = Arena.ofConfined())
            {
                final MemFd region = MemFd.adopt(fds[0], "region");
                final MemorySegment mapped = region.map(arena);
                final UnsafeBuffer header = new UnsafeBuffer(mapped.address(), PortRegionDescriptor.REGION_LENGTH);
                PortRegionDescriptor.checkHeader(header, mapped.byteSize());
                region.close();
                final MemFd doorbells = MemFd.adopt(fds[1], "doorbells");
                assertEquals(PortRegionDescriptor.DOORBELL_PAGES_LENGTH, doorbells.map(arena).byteSize(),
                    "BAR0-shaped: the shared pages at their BAR0 offsets");
                doorbells.close();
            }
            assertEquals(0x8086, access(client, TrappedAccessMessage.KIND_READ, TrappedAccessMessage.SPACE_CONFIG,
                2, PciConfig.VENDOR_ID_OFFSET, 0));
            assertEquals(0x0700 | E1000Registers.RAH_AV, access(client, TrappedAccessMessage.KIND_READ,
                TrappedAccessMessage.SPACE_BAR0, 4, E1000Registers.rah(0), 0), "RAH0 holds the port's MAC with AV");
            access(client, TrappedAccessMessage.KIND_WRITE, TrappedAccessMessage.SPACE_BAR0, 4, E1000Registers.IMS,
                E1000Registers.ICR_LSC);
            assertEquals(E1000Registers.ICR_LSC, access(client, TrappedAccessMessage.KIND_READ,
                TrappedAccessMessage.SPACE_BAR0, 4, E1000Registers.IMS, 0));
        }
    }

    @Test
    void shouldAnswerBadTrappedAccessWithStatusAndGoOn() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client(); Guest guest = new Guest(true))
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));
            assertOk(client.request(guest.attachRequest("g0"), guest.ram.fd(), guest.irq.fd()));
            closeAll(client.receivedFds());

            final byte[] bad = new byte[TrappedAccessMessage.LENGTH];
            TrappedAccessMessage.write(new UnsafeBuffer(bad), 0, 9, 7, 3, 0, 0, 0, 42);
            client.send(bad);
            final UnsafeBuffer reply = new UnsafeBuffer(client.readBytes(TrappedAccessMessage.LENGTH));

            assertEquals(TrappedAccessMessage.KIND_REPLY, TrappedAccessMessage.kind(reply, 0));
            assertEquals(TrappedAccessMessage.STATUS_BAD_REQUEST, TrappedAccessMessage.status(reply, 0));
            assertEquals(42, TrappedAccessMessage.sequence(reply, 0));
            assertEquals(0x8086, access(client, TrappedAccessMessage.KIND_READ, TrappedAccessMessage.SPACE_CONFIG,
                2, PciConfig.VENDOR_ID_OFFSET, 0));
        }
    }

    @Test
    void shouldReleaseGuestAndReturnPortToPowerOnWhenConnectionCloses() throws Exception
    {
        start(Map.of());
        try (TestControlClient admin = client(); Guest guest = new Guest(true))
        {
            assertOk(admin.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));
            final long before = openFds();
            try (TestControlClient client = client())
            {
                assertOk(client.request(guest.attachRequest("g0"), guest.ram.fd(), guest.irq.fd()));
                closeAll(client.receivedFds());
                access(client, TrappedAccessMessage.KIND_WRITE, TrappedAccessMessage.SPACE_BAR0, 4,
                    E1000Registers.IMS, E1000Registers.ICR_LSC);
            }

            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            while (admin.request("{\"version\":1,\"command\":\"list\"}").get("result").get("ports").get(0)
                .get("attached").asBoolean() && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(5);
            }
            assertFalse(admin.request("{\"version\":1,\"command\":\"list\"}").get("result").get("ports").get(0)
                .get("attached").asBoolean());
            assertEquals(before, openFds(), "the daemon closed the memfd, eventfd, region and connection");
            final int ims = daemon.daemon().registry().proxy().mmioRead(
                daemon.daemon().registry().handle("g0"), E1000Registers.IMS);
            assertEquals(0, ims, "the port is back in its power-on state");
        }
    }

    @Test
    void shouldRefuseSecondGuestOnAttachedPort() throws IOException
    {
        start(Map.of());
        try (TestControlClient first = client(); TestControlClient second = client();
            Guest guest = new Guest(true); Guest other = new Guest(true))
        {
            assertOk(first.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));
            assertOk(first.request(guest.attachRequest("g0"), guest.ram.fd(), guest.irq.fd()));
            closeAll(first.receivedFds());

            assertError(second.request(other.attachRequest("g0"), other.ram.fd(), other.irq.fd()),
                ControlProtocol.E_PORT_BUSY, "has a guest attached");
        }
    }

    @Test
    void shouldRefuseUnsealedGuestMemory() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client(); Guest guest = new Guest(false))
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));
            final long before = openFds();

            assertError(client.request(guest.attachRequest("g0"), guest.ram.fd(), guest.irq.fd()),
                ControlProtocol.E_UNSAFE_MEMORY, "F_SEAL_SHRINK");
            assertEquals(before, openFds(), "the refused descriptors were closed");
            assertOk(client.request("{\"version\":1,\"command\":\"list\"}"));
        }
    }

    @Test
    void shouldRefuseRegularFileAsGuestMemory() throws IOException
    {
        start(Map.of());
        final Path file = directory.resolve("ram");
        Files.write(file, new byte[GUEST_RAM_BYTES]);
        final int fd = Fds.open(file.toString(), io.sidecore.shm.os.LibC.O_RDWR);
        try (TestControlClient client = client(); EventFd irq = EventFd.create(EventFd.EFD_CLOEXEC))
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));

            assertError(client.request(attachRequest("g0", GUEST_RAM_BYTES), fd, irq.fd()),
                ControlProtocol.E_UNSAFE_MEMORY, "no seals");
        }
        finally
        {
            Fds.close(fd);
        }
    }

    @Test
    void shouldRefuseAttachWithoutDescriptors() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));

            assertError(client.request(attachRequest("g0", GUEST_RAM_BYTES)), ControlProtocol.E_BAD_FDS,
                "none arrived");
        }
    }

    @Test
    void shouldRefuseRegionLargerThanItsFile() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client(); Guest guest = new Guest(true))
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));

            assertError(client.request(attachRequest("g0", 2 * GUEST_RAM_BYTES), guest.ram.fd(), guest.irq.fd()),
                ControlProtocol.E_UNSAFE_MEMORY, "shorter than offset + length");
        }
    }

    @Test
    void shouldRefuseInterruptDescriptorThatIsNotEventFd() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client(); Guest guest = new Guest(true);
            MemFd notAnEventFd = MemFd.create("x", 4096))
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));

            assertError(client.request(guest.attachRequest("g0"), guest.ram.fd(), notAnEventFd.fd()),
                ControlProtocol.E_BAD_FDS, "must be an eventfd");
        }
    }

    @Test
    void shouldRefuseAttachToPortThatDoesNotExist() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client(); Guest guest = new Guest(true))
        {
            assertOk(client.request("{\"version\":1,\"command\":\"list\"}"));
            final long before = openFds();

            assertError(client.request(guest.attachRequest("nope"), guest.ram.fd(), guest.irq.fd()),
                ControlProtocol.E_NO_SUCH_PORT, "nope");
            assertEquals(before, openFds());
        }
    }

    @Test
    void shouldLetGuestGoWhenPortDestroyed() throws IOException
    {
        start(Map.of());
        try (TestControlClient admin = client(); TestControlClient client = client(); Guest guest = new Guest(true))
        {
            assertOk(admin.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\"}"));
            assertOk(client.request(guest.attachRequest("g0"), guest.ram.fd(), guest.irq.fd()));
            closeAll(client.receivedFds());

            assertOk(admin.request("{\"version\":1,\"command\":\"destroy-port\",\"name\":\"g0\"}"));

            assertTrue(client.isClosedByPeer(), "the guest's connection is closed");
        }
    }

    @Test
    void shouldRefuseCaptureOnForPortWithoutCaptureFile() throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            assertOk(client.request(
                "{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\",\"backend\":\"null\"}"));

            assertError(client.request("{\"version\":1,\"command\":\"set\",\"name\":\"g0\",\"capture\":\"on\"}"),
                ControlProtocol.E_INVALID_ARGUMENT, "has no capture file");
        }
    }

    @Test
    void shouldSwitchCaptureOffAndOnWhilePortRuns() throws IOException
    {
        start(Map.of());
        final Path capture = directory.resolve("sw.pcapng");
        try (TestControlClient client = client())
        {
            final JsonNode created = client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"sw\"," +
                "\"capture\":\"" + capture + "\"}");
            assertOk(created);
            assertTrue(created.get("result").get("port").get("capturing").asBoolean(), "a switch port captures too");

            final JsonNode off =
                client.request("{\"version\":1,\"command\":\"set\",\"name\":\"sw\",\"capture\":\"off\"}");
            assertOk(off);
            assertFalse(off.get("result").get("port").get("capturing").asBoolean());
            assertTrue(Files.size(capture) > 0, "stopping flushed the file");

            final JsonNode on =
                client.request("{\"version\":1,\"command\":\"set\",\"name\":\"sw\",\"capture\":\"on\"}");
            assertOk(on);
            assertTrue(on.get("result").get("port").get("capturing").asBoolean());
        }
    }

    @Test
    void shouldCapturePortTrafficToFileGivenAtCreation() throws IOException
    {
        start(Map.of());
        final Path capture = directory.resolve("g0.pcap");
        try (TestControlClient client = client())
        {
            assertOk(client.request("{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\",\"backend\":\"null\"," +
                "\"capture\":\"" + capture + "\"}"));
            assertOk(client.request("{\"version\":1,\"command\":\"destroy-port\",\"name\":\"g0\"}"));
        }

        assertTrue(Files.size(capture) >= 24, "a pcap file with its global header");
    }

    private void assertRefusedAfterFirstPort(final String request, final String code) throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            assertOk(client.request(
                "{\"version\":1,\"command\":\"create-port\",\"name\":\"g0\",\"mac\":\"02:00:00:00:00:01\"}"));

            assertError(client.request(request), code, "");
            assertEquals(1, daemon.daemon().registry().names().size());
        }
    }

    private void assertRefused(final String request, final String code, final String reasonPart) throws IOException
    {
        start(Map.of());
        try (TestControlClient client = client())
        {
            assertError(client.request(request), code, reasonPart);
            assertOk(client.request("{\"version\":1,\"command\":\"list\"}"));
        }
    }

    private static void assertOk(final JsonNode response)
    {
        assertNotNull(response, "a response");
        assertTrue(response.get("ok").asBoolean(), response.toString());
        assertEquals(1, response.get("version").asInt());
        assertNull(response.get("error"));
    }

    private static void assertRefused(final TestControlClient refused) throws IOException
    {
        assertError(refused.response(), ControlProtocol.E_TOO_MANY_CONNECTIONS, "1 control connections");
    }

    private static void assertError(final JsonNode response, final String code, final String reasonPart)
    {
        assertNotNull(response, "a response");
        assertFalse(response.get("ok").asBoolean(), response.toString());
        assertEquals(code, response.get("error").get("code").asText(), response.toString());
        assertTrue(response.get("error").get("message").asText().contains(reasonPart), response.toString());
    }

    private static int access(final TestControlClient client, final int kind, final int space, final int size,
        final int offset, final int value) throws IOException
    {
        final byte[] request = new byte[TrappedAccessMessage.LENGTH];
        TrappedAccessMessage.write(new UnsafeBuffer(request), 0, kind, space, size, 0, offset, value, 7);
        client.send(request);
        final byte[] bytes = client.readBytes(TrappedAccessMessage.LENGTH);
        assertNotNull(bytes, "a reply");
        final UnsafeBuffer reply = new UnsafeBuffer(bytes);
        assertEquals(TrappedAccessMessage.KIND_REPLY, TrappedAccessMessage.kind(reply, 0));
        assertEquals(TrappedAccessMessage.STATUS_OK, TrappedAccessMessage.status(reply, 0));
        assertEquals(7, TrappedAccessMessage.sequence(reply, 0));
        assertEquals(offset, TrappedAccessMessage.address(reply, 0));
        return TrappedAccessMessage.value(reply, 0);
    }

    private static String attachRequest(final String port, final long sizeBytes)
    {
        return "{\"version\":1,\"command\":\"attach\",\"name\":\"" + port + "\",\"regions\":[{\"gpa\":" +
            GUEST_RAM_GPA + ",\"size\":" + sizeBytes + ",\"fd_index\":0}],\"interrupt_fd_index\":1}";
    }

    private static void closeAll(final int[] fds)
    {
        for (final int fd : fds)
        {
            Fds.close(fd);
        }
    }

    private static long openFds()
    {
        final File[] fds = new File("/proc/self/fd").listFiles();
        return null == fds ? -1 : fds.length;
    }

    private static String permissions(final Path path)
    {
        try
        {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private void start(final Map<String, String> overrides)
    {
        daemon = TestDaemon.in(directory, overrides).start();
    }

    private TestControlClient client() throws IOException
    {
        return new TestControlClient(daemon.controlSocket());
    }

    /**
     * A guest's side of an attach: its RAM (a memfd, sealed against shrinking or not) and its interrupt eventfd.
     */
    private static final class Guest implements AutoCloseable
    {
        final MemFd ram;
        final EventFd irq = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);

        Guest(final boolean sealed)
        {
            ram = MemFd.create("guest-ram", GUEST_RAM_BYTES);
            if (sealed)
            {
                ram.addSeals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW);
            }
        }

        String attachRequest(final String port)
        {
            return ControlSocketTest.attachRequest(port, GUEST_RAM_BYTES);
        }

        public void close()
        {
            irq.close();
            ram.close();
        }
    }
}
