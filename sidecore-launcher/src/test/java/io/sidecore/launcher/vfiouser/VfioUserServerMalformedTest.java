package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.vfiouser.VfioUserCommand;
import io.sidecore.shm.vfiouser.VfioUserDeviceInfo;
import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserIrqInfo;
import io.sidecore.shm.vfiouser.VfioUserSetIrqs;
import io.sidecore.shm.vfiouser.VfioUserVersion;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.VfioUserReply;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.assertErrorReply;
import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.assertStillServing;
import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.awaitCondition;
import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.exchange;
import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.getInfoMessage;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed messages from a scripted client: each gets an error reply (or, when the stream can no longer be
 * framed, a logged disconnect), the device never sees it, no fd leaks, and the next valid request is served.
 */
class VfioUserServerMalformedTest extends ConnectedClientTest
{
    @Test
    void shouldRefuseWithEinvalWhenSizeFieldIsLargerThanTheCommandsStructure()
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DEVICE_GET_INFO, 40, 0);
        message.putInt(VfioUserDeviceInfo.ARGSZ_OFFSET, VfioUserDeviceInfo.ARGSZ, LITTLE_ENDIAN);
        assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.DEVICE_GET_INFO,
            VfioUserErrno.EINVAL);
        assertStillServing(client);
    }

    @Test
    void shouldRefuseWithEinvalWhenPayloadIsTruncated()
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DMA_MAP, 32, 0);
        message.putInt(VfioUserDmaMap.ARGSZ_OFFSET, VfioUserDmaMap.ARGSZ, LITTLE_ENDIAN);
        assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.DMA_MAP, VfioUserErrno.EINVAL);
        assertTrue(support.device.calls.isEmpty());
        assertStillServing(client);
    }

    @Test
    void shouldRefuseWithEinvalWhenArgszLies()
    {
        final UnsafeBuffer message =
            client.newMessage(VfioUserCommand.DEVICE_SET_IRQS, VfioUserSetIrqs.MESSAGE_LENGTH, 0);
        message.putInt(VfioUserSetIrqs.ARGSZ_OFFSET, 1000, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.FLAGS_OFFSET, VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_MASK,
            LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.COUNT_OFFSET, 1, LITTLE_ENDIAN);
        assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.DEVICE_SET_IRQS,
            VfioUserErrno.EINVAL);
        assertStillServing(client);
    }

    @Test
    void shouldRefuseWithEinvalWhenReplyFlagIsSetInARequest()
    {
        final UnsafeBuffer message = getInfoMessage(client);
        message.putInt(VfioUserHeader.FLAGS_OFFSET, VfioUserHeader.TYPE_REPLY, LITTLE_ENDIAN);
        assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.DEVICE_GET_INFO,
            VfioUserErrno.EINVAL);
        assertStillServing(client);
    }

    @Test
    void shouldRefuseWithEinvalWhenUnknownFlagBitsAreSet()
    {
        final UnsafeBuffer message = getInfoMessage(client);
        message.putInt(VfioUserHeader.FLAGS_OFFSET, 0x100, LITTLE_ENDIAN);
        assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.DEVICE_GET_INFO,
            VfioUserErrno.EINVAL);
        assertStillServing(client);
    }

    @Test
    void shouldRefuseWithEnosysWhenCommandIsUnknown()
    {
        for (final int command : new int[]{0, VfioUserCommand.DEVICE_GET_REGION_IO_FDS, VfioUserCommand.DMA_READ,
            VfioUserCommand.DIRTY_PAGES, VfioUserCommand.MIG_DATA_READ, 99, 0xFFFF})
        {
            final UnsafeBuffer message = client.newMessage(command, 24, 0);
            assertErrorReply(exchange(client, message), client.lastId(), command, VfioUserErrno.ENOSYS);
        }
        assertStillServing(client);
    }

    @Test
    void shouldRefuseAndCloseFdsWhenFdsComeWithACommandThatTakesNone()
    {
        final int before = FakeVfioUserDevice.openFdCount();
        try (EventFd a = EventFd.create(0); EventFd b = EventFd.create(0))
        {
            assertErrorReply(exchange(client, getInfoMessage(client), a.fd(), b.fd()), client.lastId(),
                VfioUserCommand.DEVICE_GET_INFO, VfioUserErrno.EINVAL);
        }
        assertStillServing(client);
        assertEquals(before, FakeVfioUserDevice.openFdCount(), "the server closed the fds it was sent");
    }

    @Test
    void shouldRefuseAndCloseFdsWhenDmaMapCarriesTwoFds()
    {
        final int before = FakeVfioUserDevice.openFdCount();
        try (MemFd a = MemFd.create("a", 4096); MemFd b = MemFd.create("b", 4096))
        {
            final UnsafeBuffer message = dmaMapMessage(0x1000, 0x1000);
            assertErrorReply(exchange(client, message, a.fd(), b.fd()), client.lastId(), VfioUserCommand.DMA_MAP,
                VfioUserErrno.EINVAL);
        }
        assertTrue(support.device.calls.isEmpty());
        assertStillServing(client);
        assertEquals(before, FakeVfioUserDevice.openFdCount());
    }

    @Test
    void shouldRefuseWhenFdsArriveWithThePayloadInsteadOfTheHeader()
    {
        final int before = FakeVfioUserDevice.openFdCount();
        final byte[] whole = dmaMapMessage(0x1000, 0x1000).byteArray();
        final byte[] header = Arrays.copyOf(whole, VfioUserHeader.HEADER_LENGTH);
        final byte[] payload = Arrays.copyOfRange(whole, VfioUserHeader.HEADER_LENGTH, whole.length);
        try (MemFd ram = MemFd.create("late", 4096))
        {
            client.sendRaw(header);
            client.sendRaw(payload, ram.fd());
            final VfioUserReply reply = client.receive();
            assertErrorReply(reply, client.lastId(), VfioUserCommand.DMA_MAP, VfioUserErrno.EINVAL);
        }
        assertTrue(support.device.calls.isEmpty());
        assertStillServing(client);
        assertEquals(before, FakeVfioUserDevice.openFdCount());
    }

    @Test
    void shouldRefuseSetIrqsWhenFdCountDiffersFromCount()
    {
        try (EventFd a = EventFd.create(0); EventFd b = EventFd.create(0))
        {
            final UnsafeBuffer message = setIrqsMessage(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER,
                0, 1);
            assertErrorReply(exchange(client, message, a.fd(), b.fd()), client.lastId(),
                VfioUserCommand.DEVICE_SET_IRQS, VfioUserErrno.EINVAL);
        }
        assertFalse(support.intx.hasTrigger());
        assertStillServing(client);
    }

    @Test
    void shouldRefuseSetIrqsWhenFlagsOrRangeAreInvalid()
    {
        final int[][] cases = {
            {VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.DATA_BOOL | VfioUserSetIrqs.ACTION_MASK, 0, 1},
            {VfioUserSetIrqs.DATA_NONE, 0, 1},
            {VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_MASK, VfioUserIrqInfo.MSI_IRQ_INDEX, 1},
            {VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_MASK, VfioUserIrqInfo.IRQ_INDEX_COUNT, 1},
            {VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_MASK, 0, 2},
            {VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_MASK, 0, 0},
        };
        for (final int[] c : cases)
        {
            final UnsafeBuffer message = setIrqsMessage(c[0], c[1], c[2]);
            assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.DEVICE_SET_IRQS,
                VfioUserErrno.EINVAL);
        }
        assertStillServing(client);
    }

    @Test
    void shouldRefuseVersionWhenRepeatedOrMalformed()
    {
        final String[] bodies = {"{\"capabilities\":{}}", "{\"capabilities\":[]}", "not json", "[1]",
            "{\"capabilities\":{\"max_msg_fds\":-1}}"};
        for (final String body : bodies)
        {
            final byte[] json = body.getBytes(StandardCharsets.UTF_8);
            final UnsafeBuffer message = client.newMessage(VfioUserCommand.VERSION,
                VfioUserVersion.messageLength(json.length), 0);
            message.putBytes(VfioUserVersion.JSON_OFFSET, json);
            assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.VERSION,
                VfioUserErrno.EINVAL);
        }
        assertStillServing(client);
    }

    @Test
    void shouldRefuseEveryCommandUntilVersionAndThenAcceptVersion() throws IOException
    {
        try (VfioUserClient fresh = reconnect())
        {
            assertErrorReply(exchange(fresh, getInfoMessage(fresh)), fresh.lastId(), VfioUserCommand.DEVICE_GET_INFO,
                VfioUserErrno.EINVAL);
            for (final String bad : new String[]{"{\"capabilities\":{}}", "{}"})
            {
                final byte[] json = bad.getBytes(StandardCharsets.UTF_8);
                final UnsafeBuffer message = fresh.newMessage(VfioUserCommand.VERSION,
                    VfioUserVersion.messageLength(json.length), 0);
                message.putBytes(VfioUserVersion.JSON_OFFSET, json);
                if ("{}".equals(bad))
                {
                    message.putShort(VfioUserVersion.MAJOR_OFFSET, (short)1, LITTLE_ENDIAN);
                }
                else
                {
                    message.putByte(message.capacity() - 1, (byte)'x');
                }
                assertErrorReply(exchange(fresh, message), fresh.lastId(), VfioUserCommand.VERSION,
                    VfioUserErrno.EINVAL);
            }
            fresh.negotiateVersion();
            assertStillServing(fresh);
        }
    }

    @Test
    void shouldDropOversizedMessageWithE2bigAndKeepServing()
    {
        final int size = VfioUserConnection.MAX_MESSAGE_BYTES + 4096;
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.REGION_WRITE, size, 0);
        assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.REGION_WRITE,
            VfioUserErrno.E2BIG);
        assertTrue(support.device.calls.isEmpty());
        assertStillServing(client);
    }

    @Test
    void shouldDisconnectWithE2bigWhenSizeIsTooLargeToSkip()
    {
        final UnsafeBuffer header = client.newMessage(VfioUserCommand.REGION_WRITE, VfioUserHeader.HEADER_LENGTH, 0);
        header.putInt(VfioUserHeader.SIZE_OFFSET, 0xFFFFFFF0, LITTLE_ENDIAN);
        assertErrorReply(exchange(client, header), client.lastId(), VfioUserCommand.REGION_WRITE, VfioUserErrno.E2BIG);
        assertNull(client.receive(), "the server closed the connection");
        awaitCondition("the device to be told", () -> support.device.calls.contains("disconnected"));
    }

    @Test
    void shouldDisconnectWhenSizeIsBelowTheHeaderBecauseTheStreamCannotBeFramed()
    {
        final UnsafeBuffer header = client.newMessage(VfioUserCommand.DEVICE_GET_INFO, VfioUserHeader.HEADER_LENGTH, 0);
        header.putInt(VfioUserHeader.SIZE_OFFSET, 8, LITTLE_ENDIAN);
        assertErrorReply(exchange(client, header), client.lastId(), VfioUserCommand.DEVICE_GET_INFO,
            VfioUserErrno.EINVAL);
        assertNull(client.receive(), "the server closed the connection");
        awaitCondition("the device to be told", () -> support.device.calls.contains("disconnected"));
    }

    @Test
    void shouldNeverAnswerAMalformedMessageThatAskedForNoReply()
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.REGION_WRITE, 36, VfioUserHeader.FLAG_NO_REPLY);
        message.putInt(24, 0, LITTLE_ENDIAN);
        message.putInt(28, 4, LITTLE_ENDIAN);
        message.putLong(16, 0x20000, LITTLE_ENDIAN);
        client.sendRaw(message.byteArray());
        assertStillServing(client);
        assertEquals(1, support.server.trappedAccesses().rejectedAccesses());
    }

    private UnsafeBuffer dmaMapMessage(final long iova, final long size)
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DMA_MAP, VfioUserDmaMap.MESSAGE_LENGTH, 0);
        message.putInt(VfioUserDmaMap.ARGSZ_OFFSET, VfioUserDmaMap.ARGSZ, LITTLE_ENDIAN);
        message.putInt(VfioUserDmaMap.FLAGS_OFFSET, VfioUserDmaMap.FLAG_READ, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaMap.IOVA_OFFSET, iova, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaMap.SIZE_OFFSET, size, LITTLE_ENDIAN);
        return message;
    }

    private UnsafeBuffer setIrqsMessage(final int flags, final int index, final int count)
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DEVICE_SET_IRQS, VfioUserSetIrqs.MESSAGE_LENGTH,
            0);
        message.putInt(VfioUserSetIrqs.ARGSZ_OFFSET, VfioUserSetIrqs.ARGSZ, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.INDEX_OFFSET, index, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.COUNT_OFFSET, count, LITTLE_ENDIAN);
        return message;
    }
}
