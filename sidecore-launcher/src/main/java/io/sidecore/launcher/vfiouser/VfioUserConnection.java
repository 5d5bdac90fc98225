package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserVersion;
import io.sidecore.shm.vfiouser.ReceivedFds;
import io.sidecore.shm.vfiouser.VfioUserSocket;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * One client connection: the connection thread's loop. It waits (ppoll) on the socket, the INTx resample eventfd
 * and a stop eventfd; reads one whole message at a time (each read bounded by the message timeout once the message
 * has begun, so a stalled client cannot hold the thread); has the {@link VfioUserRequestHandler} serve it; writes
 * the reply. When the client goes away, or the stream can no longer be framed, or the server stops, it tells the
 * device ({@link VfioUserDevice#disconnected()}), closes the client's eventfds and its socket.
 * <p>
 * Framing failures: a size below 16 cannot be framed (error reply, then disconnect); a message larger than the
 * server accepts gets E2BIG, and its payload is read and dropped when it is at most {@link #DISCARD_LIMIT_BYTES}
 * (the stream stays framed), else the connection is closed.
 */
final class VfioUserConnection implements Runnable
{
    /** Largest message read: a region write of {@code max_data_xfer_size} bytes. */
    static final int MAX_MESSAGE_BYTES =
        VfioUserRegionAccess.lengthWithData(VfioUserVersion.DEFAULT_MAX_DATA_XFER_SIZE);
    /** Larger messages are dropped up to this size to keep the stream framed; beyond it the client is cut off. */
    static final long DISCARD_LIMIT_BYTES = 64L * 1024 * 1024;
    /** Reply buffer: the largest reply is VERSION's (at most its request's size). */
    static final int MAX_REPLY_BYTES = VfioUserVersion.MAX_MESSAGE_LENGTH;
    /** Wait between checks of the stop flag when nothing happens. */
    private static final long POLL_TIMEOUT_NS = 1_000_000_000L;
    private static final int POLL_SOCKET = 0;
    private static final int POLL_RESAMPLE = 1;
    private static final int POLL_STOP = 2;

    private static final Logger LOG = LoggerFactory.getLogger(VfioUserConnection.class);

    private final String name;
    private final VfioUserSocket socket;
    private final VfioUserDevice device;
    private final IntxLine intx;
    private final TrappedAccessCounts counts;
    private final VfioUserRequestHandler handler;
    private final int messageTimeoutMs;
    private final Runnable onEnd;
    private final EventFd stop = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[MAX_MESSAGE_BYTES]);
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[MAX_REPLY_BYTES]);
    private final ReceivedFds fds = new ReceivedFds();
    private final LogRateLimit oversizedLog = new LogRateLimit(System::nanoTime);
    private volatile boolean stopping;
    private boolean sending;
    private boolean stopClosed;

    VfioUserConnection(
        final String name,
        final VfioUserSocket socket,
        final VfioUserDevice device,
        final IntxLine intx,
        final TrappedAccessCounts counts,
        final int messageTimeoutMs,
        final Runnable onEnd)
    {
        this.name = name;
        this.socket = socket;
        this.device = device;
        this.intx = intx;
        this.counts = counts;
        this.handler = new VfioUserRequestHandler(name, device, intx, counts);
        this.messageTimeoutMs = messageTimeoutMs;
        this.onEnd = onEnd;
    }

    @Override
    public void run()
    {
        try (Arena arena = Arena.ofConfined())
        {
            serve(arena);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("vfio-user {}: connection failed", name, ex);
        }
        finally
        {
            end();
        }
    }

    /**
     * Ask the loop to end (any thread); it tells the device and closes the socket itself.
     */
    void stop()
    {
        stopping = true;
        synchronized (stop)
        {
            // the eventfd may already be closed by end(): never signal a number that may have been reused
            if (!stopClosed)
            {
                EventFd.signalDescriptor(stop.fd());
            }
        }
    }

    private void serve(final Arena arena)
    {
        final MemorySegment state = LibC.allocateCallState(arena);
        final MemorySegment pollFds = arena.allocate((long)LibC.POLLFD_BYTES * 3, 8);
        final MemorySegment timespec = arena.allocate(LibC.TIMESPEC_BYTES, 8);
        setPollFd(pollFds, POLL_SOCKET, socket.fd());
        setPollFd(pollFds, POLL_STOP, stop.fd());
        while (!stopping)
        {
            setPollFd(pollFds, POLL_RESAMPLE, intx.resampleFd());
            if (0 == Fds.ppollReadable(state, pollFds, 3, timespec, POLL_TIMEOUT_NS) || stopping)
            {
                continue;
            }
            if (isReady(pollFds, POLL_RESAMPLE))
            {
                intx.onResample();
            }
            if (isReady(pollFds, POLL_SOCKET))
            {
                final long readableNs = System.nanoTime();
                if (!serveOneMessage())
                {
                    return;
                }
                counts.recordServiceNs(System.nanoTime() - readableNs);
            }
        }
    }

    /**
     * @return false when the connection must end.
     */
    private boolean serveOneMessage()
    {
        try
        {
            socket.readTimeoutMs(messageTimeoutMs);
            final int status = socket.readMessage(request, fds);
            switch (status)
            {
                case VfioUserSocket.READ_EOF ->
                {
                    LOG.info("vfio-user {}: client closed the connection", name);
                    return false;
                }
                case VfioUserSocket.READ_SIZE_TOO_SMALL ->
                {
                    LOG.warn("vfio-user {}: message size {} below the header; the stream cannot be framed, " +
                        "disconnecting", name, request.getInt(VfioUserHeader.SIZE_OFFSET, LITTLE_ENDIAN));
                    sendFramingError(VfioUserErrno.EINVAL);
                    return false;
                }
                case VfioUserSocket.READ_SIZE_TOO_LARGE ->
                {
                    return refuseOversized();
                }
                default ->
                {
                    final int size = request.getInt(VfioUserHeader.SIZE_OFFSET, LITTLE_ENDIAN);
                    final int length = handler.handle(request, size, fds, socket.misplacedFds(), reply);
                    if (VfioUserRequestHandler.NO_REPLY != length)
                    {
                        send(length, handler.replyFd());
                    }
                    return true;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            if (sending)
            {
                LOG.warn("vfio-user {}: the client took no reply for {} ms (it does not read its socket); " +
                    "disconnecting", name, messageTimeoutMs);
            }
            else
            {
                LOG.warn("vfio-user {}: a message stalled for more than {} ms; disconnecting", name,
                    messageTimeoutMs);
            }
            return false;
        }
        catch (final IOException ex)
        {
            LOG.warn("vfio-user {}: connection lost: {}", name, ex.toString());
            return false;
        }
        finally
        {
            fds.closeRemaining();
        }
    }

    private boolean refuseOversized() throws IOException
    {
        final long size = Integer.toUnsignedLong(request.getInt(VfioUserHeader.SIZE_OFFSET, LITTLE_ENDIAN));
        if (size > DISCARD_LIMIT_BYTES)
        {
            LOG.warn("vfio-user {}: message of {} bytes (limit {}) is too large to skip; disconnecting", name, size,
                MAX_MESSAGE_BYTES);
            sendFramingError(VfioUserErrno.E2BIG);
            return false;
        }
        if (oversizedLog.acquire() >= 0)
        {
            LOG.warn("vfio-user {}: message of {} bytes exceeds the limit of {}; dropped", name, size,
                MAX_MESSAGE_BYTES);
        }
        socket.discard(size - VfioUserHeader.HEADER_LENGTH, fds);
        sendFramingError(VfioUserErrno.E2BIG);
        return true;
    }

    private void sendFramingError(final int errno) throws IOException
    {
        final int flags = request.getInt(VfioUserHeader.FLAGS_OFFSET, LITTLE_ENDIAN);
        if (VfioUserHeader.isNoReply(flags))
        {
            return;
        }
        reply.putBytes(0, request, 0, VfioUserHeader.FLAGS_OFFSET);
        reply.putInt(VfioUserHeader.SIZE_OFFSET, VfioUserHeader.HEADER_LENGTH, LITTLE_ENDIAN);
        reply.putInt(VfioUserHeader.FLAGS_OFFSET, VfioUserHeader.ERROR_REPLY_FLAGS, LITTLE_ENDIAN);
        reply.putInt(VfioUserHeader.ERROR_OFFSET, errno, LITTLE_ENDIAN);
        send(VfioUserHeader.HEADER_LENGTH, -1);
    }

    /**
     * Write a reply. The socket's timeout ({@code SO_TIMEOUT}, which junixsocket applies to writes as well as reads)
     * bounds it: a client that stops reading its socket fills it, and the write gives up after the message timeout
     * instead of holding this thread, and the port, forever.
     */
    private void send(final int length, final int fd) throws IOException
    {
        sending = true;
        if (fd >= 0)
        {
            socket.writeMessage(reply, length, fd);
        }
        else
        {
            socket.writeMessage(reply, length);
        }
        sending = false;
    }

    private void end()
    {
        try
        {
            intx.disable();
            handler.disconnected();
            device.disconnected();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("vfio-user {}: device failed to release the client's resources", name, ex);
        }
        finally
        {
            try
            {
                socket.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("vfio-user {}: closing the socket failed: {}", name, ex.toString());
            }
            synchronized (stop)
            {
                stopClosed = true;
                stop.close();
            }
            LOG.info("vfio-user {}: client detached; the device is back in its power-on state", name);
            onEnd.run();
        }
    }

    private static void setPollFd(final MemorySegment pollFds, final int slot, final int fd)
    {
        final long base = (long)slot * LibC.POLLFD_BYTES;
        pollFds.set(JAVA_INT, base, fd);
        pollFds.set(JAVA_SHORT, base + 4, LibC.POLLIN);
    }

    private static boolean isReady(final MemorySegment pollFds, final int slot)
    {
        // POLLIN, or POLLHUP/POLLERR on a closed peer: reading then reports the end
        return 0 != pollFds.get(JAVA_SHORT, (long)slot * LibC.POLLFD_BYTES + 6);
    }
}
