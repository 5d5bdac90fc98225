package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.DeviceHarness;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.os.Errno;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.OsException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * System test (root, network namespace, real kernel): a {@link TapBackend} whose TAP lives in a namespace this test
 * creates and deletes. The host side of the TAP gets 169.254.77.1/24, the responder standing in for the guest
 * 169.254.77.2; both exist only inside the namespace. Fails loudly when {@code ip} or /dev/net/tun is missing.
 */
@Tag("system")
class TapNamespaceSystemTest
{
    private static final byte[] HOST_IP = {(byte)169, (byte)254, 77, 1};
    private static final byte[] GUEST_IP = {(byte)169, (byte)254, 77, 2};
    private static final long TIMEOUT_MS = 20_000;

    private final PortCounters counters = PortCounters.inPrivateMemory("tap-system");
    private NetNamespace namespace;
    private String tapName;
    private TapBackend backend;
    private GuestResponder guest;

    @BeforeEach
    void createTapInNamespace() throws Exception
    {
        namespace = NetNamespace.create();
        tapName = "sctap" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
        backend = namespace.callInside(() -> TapOpener.open(tapName, counters));
        namespace.ip("addr", "add", "169.254.77.1/24", "dev", tapName);
        namespace.ip("link", "set", tapName, "up");
        guest = new GuestResponder(backend, GUEST_IP, HOST_IP);
    }

    @AfterEach
    void removeTapAndNamespace() throws Exception
    {
        try
        {
            if (backend != null)
            {
                backend.close();
            }
        }
        finally
        {
            if (namespace != null)
            {
                namespace.close();
            }
        }
    }

    /**
     * Poll the backend into the responder until {@code done}, waiting on the TAP's descriptor between polls.
     */
    private void pollUntil(final BooleanSupplier done, final String what)
    {
        final long deadlineMs = System.currentTimeMillis() + TIMEOUT_MS;
        long nowNs = 1;
        while (!done.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                fail("timed out waiting for " + what + "; frames to guest=" + guest.framesReceived +
                    " bad checksums=" + guest.badChecksums + " rx drops=" + counters.get(PortCounter.RX_DROP_BACKEND));
            }
            if (backend.poll(nowNs++, guest, 64) == 0)
            {
                Fds.awaitReadable(backend.device().fd(), 5);
            }
        }
    }

    @Test
    void shouldCountBackendReadErrorsBesideWriteFailuresWhenTapQueueIsNotAttached()
    {
        // A descriptor of the TUN/TAP clone device that no interface is attached to (as a queue someone detached):
        // the tun driver fails every read and write with EBADFD.
        final int fd = Fds.open(TapDevice.CLONE_DEVICE, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        final PortCounters detachedCounters = PortCounters.inPrivateMemory("detached");
        final TapBackend detached = new TapBackend(
            TapDevice.adopt(fd, "detached", TapOpener.TAP_FLAGS), detachedCounters, 1514, 0);
        try
        {
            final List<byte[]> toGuest = new ArrayList<>();
            final FrameSink sink = (frame, offset, length, metadata, nowNs) ->
            {
                toGuest.add(new byte[length]);
                return FrameSink.DELIVERED;
            };

            assertEquals(0, detached.poll(1, sink, 64));
            assertEquals(0, detached.poll(2, sink, 64));

            assertEquals(2, detachedCounters.get(PortCounter.BACKEND_READ_ERRORS), "one per failed read");
            assertEquals(Errno.EBADFD, detached.lastRxErrno());
            assertEquals(0, detachedCounters.totalDrops(), "a failed read loses no frame known to the port");
            assertEquals(0, toGuest.size());

            final byte[] frame = TestFrames.udp(false, 100, 1);
            assertEquals(PortCounter.TX_DROP_BACKEND.id(),
                detached.onFrame(new UnsafeBuffer(frame), 0, frame.length, TestFrames.PLAIN, 3));
            assertEquals(1, detachedCounters.get(PortCounter.TX_DROP_BACKEND), "the write failure beside it");
            assertEquals(2, detachedCounters.get(PortCounter.BACKEND_READ_ERRORS));
        }
        finally
        {
            detached.close();
        }
    }

    @Test
    void shouldAnswerHostPingsThroughTapWhenGuestBehindBackend() throws Exception
    {
        for (int i = 0; i < 3; i++)
        {
            final CompletableFuture<Boolean> ping = namespace.startInside(
                () -> InetAddress.getByAddress(GUEST_IP).isReachable(5_000));
            pollUntil(ping::isDone, "ping " + i);
            assertTrue(ping.get(), "host stack got no echo reply for ping " + i);
        }

        assertTrue(guest.arpRepliesSent >= 1, "the host resolved the guest by ARP");
        assertTrue(guest.echoRequestsSeen >= 3, "ICMP echo requests seen: " + guest.echoRequestsSeen);
        assertEquals(guest.echoRequestsSeen, guest.echoRepliesSent);
        assertEquals(0, guest.badChecksums);
        assertEquals(0, counters.get(PortCounter.RX_DROP_BACKEND));
        assertEquals(0, counters.get(PortCounter.TX_DROP_BACKEND));
    }

    @Test
    void shouldDeliverWholeTsoFrameToHostKernelWhenGuestSendsTso() throws Exception
    {
        final FrameMetadata offload = new FrameMetadata();
        offload.gsoType = FrameMetadata.GSO_TCPV4;
        offload.gsoSizeBytes = 1448;
        offload.headerLengthBytes = 54;
        offload.needsChecksum = true;
        offload.checksumStartBytes = 34;
        offload.checksumOffsetBytes = 16;

        sendTsoToHostSocket(5201, guestTso -> backend.onFrame(new UnsafeBuffer(guestTso), 0,
            guestTso.length, offload, 0L));
    }

    @Test
    void shouldDeliverWholeTsoFrameToHostKernelWhenDeviceModelTransmitsGuestTso() throws Exception
    {
        final DeviceHarness device = GuestTso.device(backend);

        sendTsoToHostSocket(5202, guestTso -> GuestTso.transmitTcpv4(device, guestTso, 1448));

        assertEquals(1, device.counter(PortCounter.TX_FRAMES));
        assertEquals(0, device.counter(PortCounter.TX_TSO_SEGMENTS), "the device left segmentation to the host");
    }

    /**
     * Connect the responder to a host socket, then have {@code transmit} send one 30000-byte TSO frame (prepared as a
     * Linux e1000 guest prepares it) and check the kernel got it as one frame and the socket the exact bytes.
     */
    private void sendTsoToHostSocket(final int port, final Consumer<byte[]> transmit) throws Exception
    {
        final ServerSocketChannel server = namespace.callInside(() ->
        {
            final ServerSocketChannel channel = ServerSocketChannel.open();
            channel.bind(new InetSocketAddress(InetAddress.getByAddress(HOST_IP), port));
            channel.configureBlocking(false);
            return channel;
        });
        try (server)
        {
            guest.resolveHost();
            pollUntil(() -> guest.hostMac != null, "ARP reply from the host");
            guest.connect(40000, port);
            pollUntil(() -> guest.established, "SYN-ACK from the host");
            final SocketChannel[] accepted = new SocketChannel[1];
            pollUntil(() ->
            {
                accepted[0] = acceptQuietly(server);
                return null != accepted[0];
            }, "accept");
            try (SocketChannel connection = accepted[0])
            {
                final byte[] payload = new byte[30_000];
                new Random(port).nextBytes(payload);
                final byte[] frame = guest.tcp(guest.sendNext, guest.receiveNext,
                    TestFrames.TCP_ACK | TestFrames.TCP_PSH, false, payload, 0, payload.length);
                final byte[] asGuestTso = TestFrames.asGuestTso(frame, false);
                final long packetsBefore = namespace.interfaceStatistic(tapName, "rx_packets");
                final long bytesBefore = namespace.interfaceStatistic(tapName, "rx_bytes");

                transmit.accept(asGuestTso);

                assertEquals(1, namespace.interfaceStatistic(tapName, "rx_packets") - packetsBefore,
                    "the kernel received one frame, not segments");
                assertEquals(asGuestTso.length, namespace.interfaceStatistic(tapName, "rx_bytes") - bytesBefore,
                    "the kernel received the whole frame");
                assertEquals(1, backend.txOffloadFramesWritten());
                guest.sendNext += payload.length;

                final ByteBuffer buffer = ByteBuffer.allocate(payload.length + 1);
                connection.configureBlocking(false);
                pollUntil(() -> readQuietly(connection, buffer) >= payload.length, "the host socket to read 30000 B");
                assertArrayEquals(payload, Arrays.copyOf(buffer.array(), buffer.position()));
                pollUntil(() -> guest.hostAcknowledged == guest.sendNext, "the host's ACK of the whole segment");
            }
        }
        assertEquals(0, counters.get(PortCounter.TX_DROP_BACKEND));
        assertEquals(0, counters.get(PortCounter.TX_DROP_MALFORMED));
        assertEquals(0, guest.badChecksums);
    }

    @Test
    void shouldSegmentHostTsoStreamIntoGuestSizedFramesWhenHostSends() throws Exception
    {
        final int port = 7777;
        guest.listen(port);
        final SocketChannel client = namespace.callInside(() ->
        {
            final SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.connect(new InetSocketAddress(InetAddress.getByAddress(GUEST_IP), port));
            return channel;
        });
        try (client)
        {
            pollUntil(() -> finishConnectQuietly(client), "the host's TCP connect");
            final byte[] data = new byte[512 * 1024];
            new Random(11).nextBytes(data);
            final ByteBuffer toSend = ByteBuffer.wrap(data);
            pollUntil(() -> writeQuietly(client, toSend) == 0, "the host to send 512 KiB");
            client.shutdownOutput();
            pollUntil(() -> guest.finReceived, "the whole stream and FIN");

            assertArrayEquals(data, guest.received.toByteArray());
        }
        assertTrue(backend.rxGsoFrames() > 0, "the host sent TSO super-frames (TUNSETOFFLOAD took effect)");
        assertTrue(backend.rxSegments() > backend.rxGsoFrames());
        assertTrue(guest.maxFrameBytes <= TapBackend.DEFAULT_MAX_RX_FRAME_BYTES,
            "largest frame to the guest: " + guest.maxFrameBytes);
        assertEquals(0, guest.badChecksums, "every segment's IP and TCP checksums verify");
        assertEquals(0, counters.get(PortCounter.RX_DROP_BACKEND));
    }

    @Test
    void shouldAttachToExistingTapWhenOpenedByNameAgain() throws Exception
    {
        final String name = tapName + "p";
        namespace.callInside(() ->
        {
            try (TapDevice created = TapDevice.open(name, TapOpener.TAP_FLAGS, true))
            {
                created.setPersistent(true);
            }
            return null;
        });
        assertEquals(0, namespace.ipStatus("link", "show", name), "persistent TAP outlives its descriptor");

        final int headerSize = namespace.callInside(() ->
        {
            try (TapDevice attached = TapDevice.open(name, TapOpener.TAP_FLAGS, true))
            {
                assertEquals(name, attached.name());
                attached.setPersistent(false);
                return attached.vnetHeaderSize();
            }
        });

        assertEquals(10, headerSize);
        assertNotEquals(0, namespace.ipStatus("link", "show", name), "non-persistent TAP removed on close");
    }

    @Test
    void shouldNegotiateOffloadsAndExplainFailuresWhenOpening() throws Exception
    {
        assertEquals(TapOpener.WANTED_OFFLOADS, backend.offloadFlags());
        assertEquals(VirtioNetHeader.LENGTH, backend.device().vnetHeaderSize());
        assertTrue((backend.device().features() & TapDevice.IFF_VNET_HDR) != 0);
        assertEquals(tapName, backend.interfaceName());
        final String features = namespace.exec("cat", "/sys/class/net/" + tapName + "/flags");
        assertTrue(features.startsWith("0x"), features);

        final OsException busy = namespace.callInside(() -> assertThrows(OsException.class,
            () -> TapDevice.open(tapName, TapDevice.IFF_TUN | TapDevice.IFF_NO_PI, true)));
        assertTrue(busy.getMessage().startsWith("TUNSETIFF(name=" + tapName + ", flags=0x1001) failed: "),
            busy.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TapDevice.open("a-name-longer-than-15", 0, true));
    }

    private static SocketChannel acceptQuietly(final ServerSocketChannel server)
    {
        try
        {
            return server.accept();
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static int readQuietly(final SocketChannel channel, final ByteBuffer buffer)
    {
        try
        {
            channel.read(buffer);
            return buffer.position();
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static boolean finishConnectQuietly(final SocketChannel channel)
    {
        try
        {
            return channel.finishConnect();
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static int writeQuietly(final SocketChannel channel, final ByteBuffer data)
    {
        try
        {
            channel.write(data);
            return data.remaining();
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
