package io.sidecore.shm.vfiouser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.MemFd;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference vfio-user client ({@link VfioUserClient}) and the socket framing both ends use
 * ({@link VfioUserSocket}), against a scripted server in this process: what each typed call puts on the wire, field
 * by field, and how the client treats every kind of reply QEMU would refuse (wrong id or command, not a reply, too
 * large, unexpected fds, error replies, broken capability chains, short reads, a server that closes or never
 * answers). The daemon's real server is tested against this client in the launcher.
 */
class VfioUserClientTest
{
    private static final int WAIT_MS = 10_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path directory;

    private ScriptedServer server;
    private VfioUserClient client;

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != client)
        {
            client.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    // ---- version ----

    @Test
    void shouldProposeQemuCapabilitiesAndReturnServersWhenVersionAccepted() throws Exception
    {
        start(request -> version(request, 0, 0, "{\"capabilities\":{\"max_msg_fds\":8,\"pgsizes\":4096}}", true));

        final JsonNode capabilities = client.negotiateVersion();

        assertEquals(8, capabilities.get(VfioUserVersion.MAX_MSG_FDS).asInt());
        final Request request = server.next();
        assertEquals(VfioUserCommand.VERSION, request.command());
        assertEquals(client.lastId(), request.id());
        assertEquals(VfioUserHeader.TYPE_COMMAND, request.intAt(VfioUserHeader.FLAGS_OFFSET));
        assertEquals(0, request.buffer().getByte(request.bytes().length - 1), "the JSON is NUL-terminated");
        final JsonNode proposed = MAPPER.readTree(new String(request.bytes(), VfioUserVersion.JSON_OFFSET,
            request.bytes().length - 1 - VfioUserVersion.JSON_OFFSET, StandardCharsets.UTF_8));
        final JsonNode qemu = proposed.get(VfioUserVersion.CAPABILITIES);
        assertEquals(VfioUserVersion.MAX_MSG_FDS_LIMIT, qemu.get(VfioUserVersion.MAX_MSG_FDS).asInt());
        assertEquals(VfioUserVersion.DEFAULT_MAX_DATA_XFER_SIZE, qemu.get(VfioUserVersion.MAX_DATA_XFER_SIZE).asInt());
        assertEquals(VfioUserVersion.PAGE_SIZE, qemu.get(VfioUserVersion.PGSIZES).asInt());
        assertTrue(qemu.get(VfioUserVersion.WRITE_MULTIPLE).asBoolean());
    }

    @Test
    void shouldReturnEmptyCapabilitiesWhenServerNamesNone() throws Exception
    {
        start(request -> version(request, 0, 0, "{}", true));

        assertEquals(0, client.negotiateVersion().size());
    }

    @Test
    void shouldRefuseVersionReplyWhenMajorDiffers() throws Exception
    {
        start(request -> version(request, 1, 0, "{}", true));

        assertEquals("VERSION failed: incompatible server version 1.0",
            assertThrows(VfioUserClientException.class, () -> client.negotiateVersion()).getMessage());
    }

    @Test
    void shouldRefuseVersionReplyWhenJsonIsNotTerminated() throws Exception
    {
        start(request -> version(request, 0, 0, "{}", false));

        assertEquals("VERSION failed: corrupt version reply",
            assertThrows(VfioUserClientException.class, () -> client.negotiateVersion()).getMessage());
    }

    @Test
    void shouldRefuseVersionReplyWhenCapabilitiesAreNotJsonObject() throws Exception
    {
        start(request -> version(request, 0, 0, "[1]", true), request -> version(request, 0, 0, "{\"a\":", true));

        assertEquals("VERSION failed: capabilities not an object: [1]",
            assertThrows(VfioUserClientException.class, () -> client.negotiateVersion()).getMessage());
        assertEquals("VERSION failed: malformed capabilities {\"a\":",
            assertThrows(VfioUserClientException.class, () -> client.negotiateVersion()).getMessage());
    }

    // ---- what every call checks in a reply ----

    @Test
    void shouldThrowServersErrnoWhenReplyIsError() throws Exception
    {
        start(request -> reply(request, VfioUserHeader.HEADER_LENGTH, VfioUserHeader.ERROR_REPLY_FLAGS,
            VfioUserErrno.EINVAL));

        final VfioUserClientException ex = assertThrows(VfioUserClientException.class, () -> client.reset());

        assertEquals(VfioUserErrno.EINVAL, ex.errno());
        assertEquals("DEVICE_RESET failed with " + VfioUserErrno.name(VfioUserErrno.EINVAL) + ": error reply",
            ex.getMessage());
    }

    @Test
    void shouldRefuseReplyWhenIdOrCommandDiffersFromRequest() throws Exception
    {
        start(request ->
        {
            final Reply reply = reply(request, VfioUserHeader.HEADER_LENGTH, VfioUserHeader.TYPE_REPLY, 0);
            reply.buffer().putShort(VfioUserHeader.MESSAGE_ID_OFFSET, (short)(request.id() + 1), LITTLE_ENDIAN);
            return reply;
        });

        final VfioUserClientException ex = assertThrows(VfioUserClientException.class, () -> client.reset());

        assertEquals("DEVICE_RESET failed: reply id/command 2/13 for request 1/13", ex.getMessage());
    }

    @Test
    void shouldRefuseReplyWhenItIsNotMarkedAsReply() throws Exception
    {
        start(request -> reply(request, VfioUserHeader.HEADER_LENGTH, VfioUserHeader.TYPE_COMMAND, 0));

        assertEquals("DEVICE_RESET failed: not a reply: flags 0x0",
            assertThrows(VfioUserClientException.class, () -> client.reset()).getMessage());
    }

    @Test
    void shouldRefuseReplyWhenLargerThanQemuReceiveBuffer() throws Exception
    {
        start(request -> reply(request, VfioUserHeader.HEADER_LENGTH + 8, VfioUserHeader.TYPE_REPLY, 0));

        assertEquals("DEVICE_RESET failed: reply larger than recv buffer: 24 > 16",
            assertThrows(VfioUserClientException.class, () -> client.reset()).getMessage());
    }

    @Test
    void shouldRefuseAndCloseFdsWhenReplyCarriesUnexpectedOnes() throws Exception
    {
        try (EventFd extra = EventFd.create(EventFd.EFD_CLOEXEC))
        {
            start(request -> reply(request, VfioUserHeader.HEADER_LENGTH, VfioUserHeader.TYPE_REPLY, 0)
                .with(extra.fd()));

            assertEquals("DEVICE_RESET failed: unexpected FDs: 1",
                assertThrows(VfioUserClientException.class, () -> client.reset()).getMessage());
        }
    }

    @Test
    void shouldThrowWhenServerClosesBeforeReplying() throws Exception
    {
        start(request -> null);

        assertEquals("DEVICE_RESET failed: server closed the connection",
            assertThrows(VfioUserClientException.class, () -> client.reset()).getMessage());
    }

    @Test
    void shouldTimeOutWhenServerNeverReplies() throws Exception
    {
        start(request -> Reply.NONE);
        client.replyTimeoutMs(100);

        final UncheckedIOException ex = assertThrows(UncheckedIOException.class, () -> client.reset());

        assertInstanceOf(SocketTimeoutException.class, ex.getCause());
    }

    // ---- typed calls, field by field ----

    @Test
    void shouldSendMemoryFdWithDmaMapAndEveryFieldAtItsOffset() throws Exception
    {
        start(request -> reply(request, VfioUserHeader.HEADER_LENGTH, VfioUserHeader.TYPE_REPLY, 0),
            request -> reply(request, VfioUserHeader.HEADER_LENGTH, VfioUserHeader.TYPE_REPLY, 0));
        try (MemFd ram = MemFd.create("guest-ram", 0x4000))
        {
            client.dmaMap(ram.fd(), 0x1000, 0x10_0000, 0x3000, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            client.dmaMap(-1, 0, 0x20_0000, 0x1000, VfioUserDmaMap.FLAG_READ);
        }

        final Request map = server.next();
        assertEquals(VfioUserCommand.DMA_MAP, map.command());
        assertEquals(VfioUserDmaMap.MESSAGE_LENGTH, map.bytes().length);
        assertEquals(VfioUserDmaMap.ARGSZ, map.intAt(VfioUserDmaMap.ARGSZ_OFFSET));
        assertEquals(VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE, map.intAt(VfioUserDmaMap.FLAGS_OFFSET));
        assertEquals(0x1000, map.longAt(VfioUserDmaMap.FILE_OFFSET_OFFSET));
        assertEquals(0x10_0000, map.longAt(VfioUserDmaMap.IOVA_OFFSET));
        assertEquals(0x3000, map.longAt(VfioUserDmaMap.SIZE_OFFSET));
        assertEquals(1, map.fdCount(), "the memory's fd travels with the header");
        assertEquals(0x4000, map.firstFdSizeBytes(), "the server received the memfd itself");
        assertFalse(map.misplacedFds());
        assertEquals(0, server.next().fdCount(), "an fd-less map carries none");
    }

    @Test
    void shouldSendAddressAndLengthOrAllFlagWhenUnmapping() throws Exception
    {
        start(request -> reply(request, VfioUserDmaUnmap.MESSAGE_LENGTH, VfioUserHeader.TYPE_REPLY, 0),
            request -> reply(request, VfioUserDmaUnmap.MESSAGE_LENGTH, VfioUserHeader.TYPE_REPLY, 0));

        client.dmaUnmap(0x10_0000, 0x3000);
        client.dmaUnmapAll();

        final Request one = server.next();
        assertEquals(VfioUserCommand.DMA_UNMAP, one.command());
        assertEquals(VfioUserDmaUnmap.ARGSZ, one.intAt(VfioUserDmaUnmap.ARGSZ_OFFSET));
        assertEquals(0, one.intAt(VfioUserDmaUnmap.FLAGS_OFFSET));
        assertEquals(0x10_0000, one.longAt(VfioUserDmaUnmap.IOVA_OFFSET));
        assertEquals(0x3000, one.longAt(VfioUserDmaUnmap.SIZE_OFFSET));
        final Request all = server.next();
        assertEquals(VfioUserDmaUnmap.FLAG_ALL, all.intAt(VfioUserDmaUnmap.FLAGS_OFFSET));
        assertEquals(0, all.longAt(VfioUserDmaUnmap.IOVA_OFFSET));
    }

    @Test
    void shouldReturnDeviceInfoWhenServerDescribesPciDevice() throws Exception
    {
        start(request -> deviceInfo(request, VfioUserDeviceInfo.E1000_FLAGS, 9, 5),
            request -> deviceInfo(request, VfioUserDeviceInfo.FLAG_RESET, 9, 5),
            request -> deviceInfo(request, VfioUserDeviceInfo.E1000_FLAGS, 7, 5));

        assertArrayEquals(new int[]{VfioUserDeviceInfo.E1000_FLAGS, 9, 5}, client.deviceInfo());
        assertEquals(VfioUserDeviceInfo.ARGSZ, server.next().intAt(VfioUserDeviceInfo.ARGSZ_OFFSET));
        assertEquals("DEVICE_GET_INFO failed: not a PCI device QEMU accepts: flags=1 regions=9 irqs=5",
            assertThrows(VfioUserClientException.class, () -> client.deviceInfo()).getMessage());
        assertEquals("DEVICE_GET_INFO failed: not a PCI device QEMU accepts: flags=3 regions=7 irqs=5",
            assertThrows(VfioUserClientException.class, () -> client.deviceInfo()).getMessage());
    }

    @Test
    void shouldAskAgainWithServersArgszAndReturnSparseAreasAndFdWhenRegionHasCapabilities() throws Exception
    {
        try (MemFd bar = MemFd.create("bar0", 0x2000))
        {
            start(request -> regionInfo(request, VfioUserRegionInfo.fullArgsz(2), 2, 0),
                request -> regionInfo(request, VfioUserRegionInfo.fullArgsz(2), 2, 0).with(bar.fd()));

            final VfioUserRegion region = client.regionInfo(VfioUserRegionInfo.BAR0_REGION_INDEX);

            try
            {
                assertEquals(VfioUserRegionInfo.BAR0_REGION_INDEX, region.index());
                assertEquals(0x20000, region.sizeBytes());
                assertEquals(2, region.areaCount());
                assertArrayEquals(new long[]{0x2000, 0x3000}, region.areaOffsets());
                assertArrayEquals(new long[]{0x1000, 0x1000}, region.areaSizes());
                assertEquals(0x2000, Fds.fstat(region.fd()).sizeBytes(), "the region's fd is the server's memfd");
            }
            finally
            {
                Fds.close(region.fd());
            }
        }
        assertEquals(VfioUserRegionInfo.INFO_ARGSZ, server.next().intAt(VfioUserRegionInfo.ARGSZ_OFFSET),
            "QEMU asks with the fixed part first");
        final Request second = server.next();
        assertEquals(VfioUserRegionInfo.fullArgsz(2), second.intAt(VfioUserRegionInfo.ARGSZ_OFFSET),
            "then with what the server said it needs");
        assertEquals(VfioUserRegionInfo.BAR0_REGION_INDEX, second.intAt(VfioUserRegionInfo.INDEX_OFFSET));
    }

    @Test
    void shouldRefuseRegionWhenCapabilityChainIsBrokenOrAreasAreTruncated() throws Exception
    {
        start(request -> regionInfo(request, VfioUserRegionInfo.fullArgsz(1), 1, 7),
            request -> regionInfo(request, VfioUserRegionInfo.fullArgsz(1), 1, 7),
            request -> regionInfo(request, VfioUserRegionInfo.fullArgsz(1), 3, 0),
            request -> regionInfo(request, VfioUserRegionInfo.fullArgsz(1), 3, 0));

        assertEquals("DEVICE_GET_REGION_INFO failed: bad capability chain",
            assertThrows(VfioUserClientException.class, () -> client.regionInfo(0)).getMessage());
        assertEquals("DEVICE_GET_REGION_INFO failed: truncated areas",
            assertThrows(VfioUserClientException.class, () -> client.regionInfo(0)).getMessage());
    }

    @Test
    void shouldReturnIrqInfoAndSendEventFdWithSetIrqs() throws Exception
    {
        start(VfioUserClientTest::intxInfo,
            request -> reply(request, VfioUserHeader.HEADER_LENGTH, VfioUserHeader.TYPE_REPLY, 0));
        try (EventFd trigger = EventFd.create(EventFd.EFD_CLOEXEC))
        {
            assertArrayEquals(new int[]{VfioUserIrqInfo.INTX_FLAGS, VfioUserIrqInfo.INTX_COUNT},
                client.irqInfo(VfioUserIrqInfo.INTX_IRQ_INDEX));
            client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER,
                VfioUserIrqInfo.INTX_IRQ_INDEX, 0, 1, trigger.fd());
        }

        assertEquals(VfioUserIrqInfo.INTX_IRQ_INDEX, server.next().intAt(VfioUserIrqInfo.INDEX_OFFSET));
        final Request set = server.next();
        assertEquals(VfioUserCommand.DEVICE_SET_IRQS, set.command());
        assertEquals(VfioUserSetIrqs.ARGSZ, set.intAt(VfioUserSetIrqs.ARGSZ_OFFSET));
        assertEquals(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER,
            set.intAt(VfioUserSetIrqs.FLAGS_OFFSET));
        assertEquals(0, set.intAt(VfioUserSetIrqs.START_OFFSET));
        assertEquals(1, set.intAt(VfioUserSetIrqs.COUNT_OFFSET));
        assertEquals(1, set.fdCount());
    }

    @Test
    void shouldAssembleValueLittleEndianWhenRegionRead() throws Exception
    {
        start(request -> regionData(request, 4, new byte[]{0x78, 0x56, 0x34, 0x12}),
            request -> regionData(request, 2, new byte[]{0x01, 0x02}));

        assertEquals(0x1234_5678L, client.regionRead(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0x40, 4));
        final Request read = server.next();
        assertEquals(VfioUserCommand.REGION_READ, read.command());
        assertEquals(VfioUserRegionAccess.MESSAGE_LENGTH, read.bytes().length);
        assertEquals(0x40, read.longAt(VfioUserRegionAccess.OFFSET_OFFSET));
        assertEquals(VfioUserRegionInfo.CONFIG_REGION_INDEX, read.intAt(VfioUserRegionAccess.REGION_OFFSET));
        assertEquals(4, read.intAt(VfioUserRegionAccess.COUNT_OFFSET));
        assertEquals("REGION_READ failed: short read: 34",
            assertThrows(VfioUserClientException.class, () -> client.regionRead(0, 0, 4)).getMessage());
    }

    @Test
    void shouldWriteValueLittleEndianAndWaitOnlyWhenNotPosted() throws Exception
    {
        start(request -> Reply.NONE,
            request -> reply(request, VfioUserRegionAccess.MESSAGE_LENGTH, VfioUserHeader.TYPE_REPLY, 0));

        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, 0x3818, 4, 0x0000_0001L, true);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, 0xC0, 2, 0xBEEFL, false);

        final Request posted = server.next();
        assertEquals(VfioUserHeader.FLAG_NO_REPLY, posted.intAt(VfioUserHeader.FLAGS_OFFSET));
        assertEquals(0x3818, posted.longAt(VfioUserRegionAccess.OFFSET_OFFSET));
        assertEquals(1, posted.intAt(VfioUserRegionAccess.DATA_OFFSET));
        final Request waited = server.next();
        assertEquals(VfioUserHeader.TYPE_COMMAND, waited.intAt(VfioUserHeader.FLAGS_OFFSET));
        assertEquals(VfioUserRegionAccess.lengthWithData(2), waited.bytes().length);
        assertEquals((short)0xBEEF, waited.buffer().getShort(VfioUserRegionAccess.DATA_OFFSET, LITTLE_ENDIAN));
    }

    // ---- framing ----

    @Test
    void shouldRefuseUnframeableMessageWhenHeaderSizeIsBelowHeaderLength() throws Exception
    {
        start(request ->
        {
            final Reply reply = reply(request, VfioUserHeader.HEADER_LENGTH, VfioUserHeader.TYPE_REPLY, 0);
            reply.buffer().putInt(VfioUserHeader.SIZE_OFFSET, 8, LITTLE_ENDIAN);
            return reply;
        });

        final VfioUserClientException ex = assertThrows(VfioUserClientException.class, () -> client.reset());

        assertTrue(ex.getMessage().contains("unframeable message from the server (status " +
            VfioUserSocket.READ_SIZE_TOO_SMALL + ")"), ex.getMessage());
    }

    @Test
    void shouldReportOversizeMessageAndStayFramedAfterDiscardingIt() throws Exception
    {
        start(request -> Reply.NONE, request -> Reply.NONE);
        final UnsafeBuffer big = client.newMessage(VfioUserCommand.REGION_WRITE, 5000, VfioUserHeader.FLAG_NO_REPLY);
        client.sendRaw(big.byteArray());
        final UnsafeBuffer small = client.newMessage(VfioUserCommand.DEVICE_RESET, VfioUserHeader.HEADER_LENGTH,
            VfioUserHeader.FLAG_NO_REPLY);
        client.sendRaw(small.byteArray());

        assertEquals(VfioUserSocket.READ_SIZE_TOO_LARGE, server.next().status(), "5000 bytes into a 4096-byte buffer");
        final Request next = server.next();
        assertEquals(VfioUserSocket.READ_OK, next.status(), "the oversize payload was discarded");
        assertEquals(VfioUserCommand.DEVICE_RESET, next.command());
    }

    @Test
    void shouldReportFdsThatArriveWithPayloadInsteadOfHeader() throws Exception
    {
        start(request -> Reply.NONE);
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DEVICE_RESET, VfioUserHeader.HEADER_LENGTH + 8,
            VfioUserHeader.FLAG_NO_REPLY);
        try (EventFd stray = EventFd.create(EventFd.EFD_CLOEXEC))
        {
            // Two writes: the header alone, then the payload with the fd (the kernel attaches it to the payload).
            client.sendRaw(Arrays.copyOf(message.byteArray(), VfioUserHeader.HEADER_LENGTH));
            client.sendRaw(new byte[8], stray.fd());
        }

        final Request request = server.next();
        assertEquals(VfioUserSocket.READ_OK, request.status());
        assertTrue(request.misplacedFds(), "an fd attached to the payload is reported");
        assertEquals(1, request.fdCount(), "and still collected, so it can be closed");
    }

    @Test
    void shouldReturnNullFromReceiveWhenServerClosesBetweenMessages() throws Exception
    {
        start(request -> null);
        client.sendRaw(client.newMessage(VfioUserCommand.DEVICE_RESET, VfioUserHeader.HEADER_LENGTH,
            VfioUserHeader.FLAG_NO_REPLY).byteArray());

        assertNull(client.receive(), "end of stream between messages is not an error");
        assertNotNull(server.next());
    }

    // ---- the scripted server ----

    private void start(final Responder... responders) throws IOException
    {
        server = new ScriptedServer(directory.resolve("device.sock"), List.of(responders));
        client = VfioUserClient.connect(server.path);
        client.replyTimeoutMs(WAIT_MS);
    }

    private static Reply reply(final Request request, final int length, final int flags, final int error)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putShort(VfioUserHeader.MESSAGE_ID_OFFSET, (short)request.id(), LITTLE_ENDIAN);
        buffer.putShort(VfioUserHeader.COMMAND_OFFSET, (short)request.command(), LITTLE_ENDIAN);
        buffer.putInt(VfioUserHeader.SIZE_OFFSET, length, LITTLE_ENDIAN);
        buffer.putInt(VfioUserHeader.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        buffer.putInt(VfioUserHeader.ERROR_OFFSET, error, LITTLE_ENDIAN);
        return new Reply(buffer, new int[0]);
    }

    private static Reply version(
        final Request request, final int major, final int minor, final String json, final boolean terminated)
    {
        final byte[] text = json.getBytes(StandardCharsets.UTF_8);
        final int length = VfioUserVersion.JSON_OFFSET + text.length + (terminated ? 1 : 0);
        final Reply reply = reply(request, length, VfioUserHeader.TYPE_REPLY, 0);
        reply.buffer().putShort(VfioUserVersion.MAJOR_OFFSET, (short)major, LITTLE_ENDIAN);
        reply.buffer().putShort(VfioUserVersion.MINOR_OFFSET, (short)minor, LITTLE_ENDIAN);
        reply.buffer().putBytes(VfioUserVersion.JSON_OFFSET, text);
        return reply;
    }

    private static Reply intxInfo(final Request request)
    {
        final Reply reply = reply(request, VfioUserIrqInfo.MESSAGE_LENGTH, VfioUserHeader.TYPE_REPLY, 0);
        reply.buffer().putInt(VfioUserIrqInfo.FLAGS_OFFSET, VfioUserIrqInfo.INTX_FLAGS, LITTLE_ENDIAN);
        reply.buffer().putInt(VfioUserIrqInfo.COUNT_OFFSET, VfioUserIrqInfo.INTX_COUNT, LITTLE_ENDIAN);
        return reply;
    }

    private static Reply deviceInfo(final Request request, final int flags, final int regions, final int irqs)
    {
        final Reply reply = reply(request, VfioUserDeviceInfo.MESSAGE_LENGTH, VfioUserHeader.TYPE_REPLY, 0);
        reply.buffer().putInt(VfioUserDeviceInfo.ARGSZ_OFFSET, VfioUserDeviceInfo.ARGSZ, LITTLE_ENDIAN);
        reply.buffer().putInt(VfioUserDeviceInfo.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        reply.buffer().putInt(VfioUserDeviceInfo.NUM_REGIONS_OFFSET, regions, LITTLE_ENDIAN);
        reply.buffer().putInt(VfioUserDeviceInfo.NUM_IRQS_OFFSET, irqs, LITTLE_ENDIAN);
        return reply;
    }

    /**
     * A region-info reply with a sparse-mmap capability of {@code areas} areas (0x2000 + 0x1000 * i, one page
     * each), cut to what the request's argsz allows; {@code capIdSkew} corrupts the capability id.
     */
    private static Reply regionInfo(final Request request, final int argsz, final int areas, final int capIdSkew)
    {
        final int room = Math.min(request.intAt(VfioUserRegionInfo.ARGSZ_OFFSET), argsz);
        final Reply reply = reply(request, VfioUserHeader.HEADER_LENGTH + room, VfioUserHeader.TYPE_REPLY, 0);
        final UnsafeBuffer full =
            new UnsafeBuffer(new byte[VfioUserHeader.HEADER_LENGTH + VfioUserRegionInfo.fullArgsz(areas)]);
        full.putInt(VfioUserRegionInfo.ARGSZ_OFFSET, argsz, LITTLE_ENDIAN);
        full.putInt(VfioUserRegionInfo.FLAGS_OFFSET, VfioUserRegionInfo.FLAG_READ | VfioUserRegionInfo.FLAG_WRITE |
            VfioUserRegionInfo.FLAG_MMAP | VfioUserRegionInfo.FLAG_CAPS, LITTLE_ENDIAN);
        full.putInt(VfioUserRegionInfo.INDEX_OFFSET, request.intAt(VfioUserRegionInfo.INDEX_OFFSET), LITTLE_ENDIAN);
        full.putInt(VfioUserRegionInfo.CAP_OFFSET_OFFSET, VfioUserRegionInfo.CAP_OFFSET_VALUE, LITTLE_ENDIAN);
        full.putLong(VfioUserRegionInfo.SIZE_OFFSET, 0x20000, LITTLE_ENDIAN);
        full.putShort(VfioUserRegionInfo.CAP_ID_OFFSET, (short)(VfioUserRegionInfo.CAP_SPARSE_MMAP_ID + capIdSkew),
            LITTLE_ENDIAN);
        full.putShort(VfioUserRegionInfo.CAP_VERSION_OFFSET, (short)VfioUserRegionInfo.CAP_SPARSE_MMAP_VERSION,
            LITTLE_ENDIAN);
        full.putInt(VfioUserRegionInfo.SPARSE_NR_AREAS_OFFSET, areas, LITTLE_ENDIAN);
        for (int i = 0; i < areas; i++)
        {
            full.putLong(VfioUserRegionInfo.areaOffset(i) + VfioUserRegionInfo.SPARSE_AREA_OFFSET_OFFSET,
                0x2000 + 0x1000L * i, LITTLE_ENDIAN);
            full.putLong(VfioUserRegionInfo.areaOffset(i) + VfioUserRegionInfo.SPARSE_AREA_SIZE_OFFSET, 0x1000,
                LITTLE_ENDIAN);
        }
        reply.buffer().putBytes(VfioUserRegionInfo.ARGSZ_OFFSET, full, VfioUserRegionInfo.ARGSZ_OFFSET, room);
        return reply;
    }

    private static Reply regionData(final Request request, final int count, final byte[] data)
    {
        final Reply reply = reply(request, VfioUserRegionAccess.lengthWithData(data.length),
            VfioUserHeader.TYPE_REPLY, 0);
        reply.buffer().putBytes(VfioUserRegionAccess.OFFSET_OFFSET, request.bytes(),
            VfioUserRegionAccess.OFFSET_OFFSET, VfioUserRegionAccess.DATA_OFFSET - VfioUserRegionAccess.OFFSET_OFFSET);
        reply.buffer().putInt(VfioUserRegionAccess.COUNT_OFFSET, count, LITTLE_ENDIAN);
        reply.buffer().putBytes(VfioUserRegionAccess.DATA_OFFSET, data);
        return reply;
    }

    /** What the server makes of one request: a reply, {@link Reply#NONE} (no answer) or null (hang up). */
    @FunctionalInterface
    private interface Responder
    {
        Reply answer(Request request);
    }

    /** A message the scripted server read, with what the framing said about it. */
    private record Request(int status, byte[] bytes, int fdCount, long firstFdSizeBytes, boolean misplacedFds)
    {
        UnsafeBuffer buffer()
        {
            return new UnsafeBuffer(bytes);
        }

        int id()
        {
            return buffer().getShort(VfioUserHeader.MESSAGE_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        }

        int command()
        {
            return buffer().getShort(VfioUserHeader.COMMAND_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        }

        int intAt(final int offset)
        {
            return buffer().getInt(offset, LITTLE_ENDIAN);
        }

        long longAt(final int offset)
        {
            return buffer().getLong(offset, LITTLE_ENDIAN);
        }
    }

    /** A reply to write, with fds to attach (the test's). */
    private record Reply(UnsafeBuffer buffer, int[] fds)
    {
        static final Reply NONE = new Reply(new UnsafeBuffer(new byte[0]), new int[0]);

        Reply with(final int fd)
        {
            return new Reply(buffer, new int[]{fd});
        }
    }

    /**
     * Accepts one connection and answers each request with the next responder, through the same
     * {@link VfioUserSocket} framing the daemon's server uses, with a buffer large enough for every request of these
     * tests but the deliberately oversize one.
     */
    private static final class ScriptedServer implements AutoCloseable
    {
        private static final int BUFFER_BYTES = 4096;

        final Path path;
        private final AFUNIXServerSocket listener;
        private final BlockingQueue<Request> requests = new ArrayBlockingQueue<>(16);
        private final List<Throwable> failures = new ArrayList<>();
        private final Thread thread;

        ScriptedServer(final Path path, final List<Responder> responders) throws IOException
        {
            this.path = path;
            listener = AFUNIXServerSocket.newInstance();
            listener.bind(AFUNIXSocketAddress.of(path));
            thread = new Thread(() -> serve(responders), "scripted-vfio-user-server");
            thread.setDaemon(true);
            thread.start();
        }

        Request next() throws InterruptedException
        {
            final Request request = requests.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(request, () -> "the server received no request; its failures: " + failures);
            return request;
        }

        private void serve(final List<Responder> responders)
        {
            try (VfioUserSocket socket = new VfioUserSocket(listener.accept()))
            {
                socket.readTimeoutMs(WAIT_MS);
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BUFFER_BYTES]);
                for (final Responder responder : responders)
                {
                    final Request request = read(socket, buffer);
                    final Reply reply = responder.answer(request);
                    requests.add(request);
                    if (null == reply)
                    {
                        return;
                    }
                    if (reply.buffer().capacity() > 0)
                    {
                        socket.writeMessage(reply.buffer(), reply.buffer().capacity(), reply.fds());
                    }
                }
                Thread.sleep(WAIT_MS);
            }
            catch (final IOException | RuntimeException ex)
            {
                failures.add(ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private Request read(final VfioUserSocket socket, final UnsafeBuffer buffer) throws IOException
        {
            final ReceivedFds fds = new ReceivedFds();
            final int status = socket.readMessage(buffer, fds);
            final int size = buffer.getInt(VfioUserHeader.SIZE_OFFSET, LITTLE_ENDIAN);
            if (VfioUserSocket.READ_SIZE_TOO_LARGE == status)
            {
                socket.discard(size - VfioUserHeader.HEADER_LENGTH, fds);
            }
            final int copied = VfioUserSocket.READ_OK == status ? size : VfioUserHeader.HEADER_LENGTH;
            final int fdCount = fds.count();
            long firstFdSizeBytes = -1;
            if (fdCount > 0)
            {
                final int first = fds.take(0);
                firstFdSizeBytes = Fds.fstat(first).sizeBytes();
                Fds.close(first);
            }
            fds.closeRemaining();
            return new Request(status, Arrays.copyOf(buffer.byteArray(), copied), fdCount, firstFdSizeBytes,
                socket.misplacedFds());
        }

        @Override
        public void close() throws IOException
        {
            thread.interrupt();
            try
            {
                thread.join(WAIT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            listener.close();
        }
    }
}
