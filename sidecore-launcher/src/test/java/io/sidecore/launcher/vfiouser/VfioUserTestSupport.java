package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserCommand;
import io.sidecore.shm.vfiouser.VfioUserDeviceInfo;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.VfioUserReply;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A server over a {@link FakeVfioUserDevice} on a socket in a test's temporary directory, and the helpers the
 * protocol tests share: connect a QEMU-like client, send a scripted message and read its reply, wait for a
 * condition with a generous bound.
 */
public final class VfioUserTestSupport implements AutoCloseable
{
    /** Bound on any wait for the server: generous, the machine is shared. */
    public static final long WAIT_MS = 20_000;

    public final FakeVfioUserDevice device = new FakeVfioUserDevice();
    public final IntxLine intx = new IntxLine();
    public final VfioUserServer server;

    public VfioUserTestSupport(final Path directory) throws IOException
    {
        server = new VfioUserServer(VfioUserServerSettings.of("p0", directory.resolve("p0.sock")), device, intx);
        server.start();
    }

    public VfioUserClient connect() throws IOException
    {
        final VfioUserClient client = VfioUserClient.connect(server.socketPath());
        client.replyTimeoutMs((int)WAIT_MS);
        return client;
    }

    VfioUserClient connectNegotiated() throws IOException
    {
        final VfioUserClient client = connect();
        client.negotiateVersion();
        return client;
    }

    /**
     * Send a scripted message and read the next message back.
     */
    static VfioUserReply exchange(final VfioUserClient client, final UnsafeBuffer message, final int... fds)
    {
        client.sendRaw(message.byteArray(), fds);
        final VfioUserReply reply = client.receive();
        assertNotNull(reply, "server closed the connection instead of replying");
        return reply;
    }

    static void assertErrorReply(final VfioUserReply reply, final int id, final int command, final int errno)
    {
        assertEquals(VfioUserHeader.ERROR_REPLY_FLAGS, reply.flags(), "error reply flags: " + reply);
        assertEquals(errno, reply.error(), "errno: " + reply);
        assertEquals(VfioUserHeader.HEADER_LENGTH, reply.size(), "an error reply is the header alone");
        assertEquals(id, reply.id());
        assertEquals(command, reply.command());
        assertEquals(0, reply.fds().length, "no fd with an error reply");
    }

    /**
     * The connection still serves: a well-formed DEVICE_GET_INFO gets its normal reply.
     */
    static void assertStillServing(final VfioUserClient client)
    {
        final int[] info = client.deviceInfo();
        assertEquals(VfioUserDeviceInfo.E1000_FLAGS, info[0]);
    }

    static UnsafeBuffer getInfoMessage(final VfioUserClient client)
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DEVICE_GET_INFO,
            VfioUserDeviceInfo.MESSAGE_LENGTH, VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserDeviceInfo.ARGSZ_OFFSET, VfioUserDeviceInfo.ARGSZ, LITTLE_ENDIAN);
        return message;
    }

    public static void awaitCondition(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after " + WAIT_MS + " ms waiting for " + what);
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
        assertTrue(condition.getAsBoolean());
    }

    @Override
    public void close()
    {
        server.close();
        device.close();
    }
}
