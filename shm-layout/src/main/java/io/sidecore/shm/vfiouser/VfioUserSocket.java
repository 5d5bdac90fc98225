package io.sidecore.shm.vfiouser;

import io.sidecore.shm.os.ReceivedDescriptors;
import org.agrona.concurrent.UnsafeBuffer;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;

import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * vfio-user message framing over a connected junixsocket Unix stream socket, for both ends of the protocol (the
 * daemon's server and the synthetic guest's client).
 * <p>
 * Framing follows what QEMU does: the sender writes a whole message, header and payload, in one write with its fds
 * attached as SCM_RIGHTS; the receiver reads exactly the 16 header bytes (the kernel delivers the fds with the
 * first byte of the write they came with, and never lets one read run into the next write's fds), then exactly
 * {@code size - 16} payload bytes. fds that show up during the payload read were attached to something other than
 * a header: they are collected too, and {@link #misplacedFds()} reports them so the receiver can refuse the message.
 * <p>
 * Received fds are turned into plain descriptors the caller owns ({@link ReceivedFds}): each is duplicated and
 * junixsocket's {@link FileDescriptor} is closed, so junixsocket never closes (or later re-closes) a number the
 * caller has reused. One thread reads and one thread writes a socket at a time.
 */
public final class VfioUserSocket implements AutoCloseable
{
    /** fds a receiver is prepared for in one message (QEMU's ceiling for {@code max_msg_fds}). */
    public static final int MAX_FDS_PER_MESSAGE = 16;
    /** Ancillary buffer: room for {@link #MAX_FDS_PER_MESSAGE} fds in one control message, with slack. */
    private static final int ANCILLARY_BUFFER_BYTES = 512;

    /** Outcome of {@link #readMessage}: a whole message is in the buffer. */
    public static final int READ_OK = 0;
    /** Outcome: the peer closed the connection before a message began. */
    public static final int READ_EOF = 1;
    /** Outcome: the header's size is below 16; the stream cannot be framed any more. */
    public static final int READ_SIZE_TOO_SMALL = 2;
    /** Outcome: the message is larger than the buffer; the header was read, the payload was not. */
    public static final int READ_SIZE_TOO_LARGE = 3;

    private final AFUNIXSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int socketFd;
    private final byte[] discardScratch = new byte[4096];
    private boolean misplacedFds;

    /**
     * @param socket a connected socket; this object owns it from now on.
     * @throws IOException when the socket cannot be set up.
     */
    public VfioUserSocket(final AFUNIXSocket socket) throws IOException
    {
        this.socket = socket;
        socket.setAncillaryReceiveBufferSize(ANCILLARY_BUFFER_BYTES);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.socketFd = FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class);
    }

    /**
     * @return the socket's descriptor, for {@code poll} (never read or close it directly).
     */
    public int fd()
    {
        return socketFd;
    }

    /**
     * @return the junixsocket socket (peer credentials, options).
     */
    public AFUNIXSocket socket()
    {
        return socket;
    }

    /**
     * Bound every blocking read ({@code SO_TIMEOUT}); a read that times out throws
     * {@link java.net.SocketTimeoutException}.
     *
     * @param timeoutMs milliseconds, 0 for no bound.
     * @throws IOException on a socket failure.
     */
    public void readTimeoutMs(final int timeoutMs) throws IOException
    {
        socket.setSoTimeout(timeoutMs);
    }

    /**
     * Read one message: the header exactly, its fds, then the payload exactly.
     *
     * @param buffer receives the message from offset 0; its capacity is the largest message accepted.
     * @param fds    receives the fds (cleared of earlier ones by the caller).
     * @return {@link #READ_OK}, {@link #READ_EOF}, {@link #READ_SIZE_TOO_SMALL} or {@link #READ_SIZE_TOO_LARGE}.
     * @throws IOException on a socket failure, a timeout, or a connection closed in the middle of a message.
     */
    public int readMessage(final UnsafeBuffer buffer, final ReceivedFds fds) throws IOException
    {
        misplacedFds = false;
        final byte[] bytes = buffer.byteArray();
        final int headerRead = readFully(bytes, 0, VfioUserHeader.HEADER_LENGTH, true);
        collectFds(fds);
        if (0 == headerRead)
        {
            return READ_EOF;
        }
        final long size = Integer.toUnsignedLong(buffer.getInt(VfioUserHeader.SIZE_OFFSET, LITTLE_ENDIAN));
        if (size < VfioUserHeader.HEADER_LENGTH)
        {
            return READ_SIZE_TOO_SMALL;
        }
        if (size > buffer.capacity())
        {
            return READ_SIZE_TOO_LARGE;
        }
        readFully(bytes, VfioUserHeader.HEADER_LENGTH, (int)size - VfioUserHeader.HEADER_LENGTH, false);
        final int before = fds.count();
        collectFds(fds);
        misplacedFds = fds.count() != before;
        return READ_OK;
    }

    /**
     * @return true when the last {@link #readMessage} received fds with the payload rather than the header.
     */
    public boolean misplacedFds()
    {
        return misplacedFds;
    }

    /**
     * Read and drop the payload of a message whose header said it was too large, so the stream stays framed.
     *
     * @param bytes payload bytes to drop.
     * @param fds   collects (for closing) any fds that arrive meanwhile.
     * @throws IOException on failure, timeout, or end of stream before all bytes came.
     */
    public void discard(final long bytes, final ReceivedFds fds) throws IOException
    {
        long remaining = bytes;
        while (remaining > 0)
        {
            final int chunk = (int)Math.min(remaining, discardScratch.length);
            readFully(discardScratch, 0, chunk, false);
            remaining -= chunk;
        }
        collectFds(fds);
    }

    /**
     * Write a message in one write, with fds attached as SCM_RIGHTS.
     *
     * @param buffer message from offset 0.
     * @param length bytes to write.
     * @param fds    descriptors to pass (still owned by the caller), or none.
     * @throws IOException on failure.
     */
    public void writeMessage(final UnsafeBuffer buffer, final int length, final int... fds) throws IOException
    {
        if (fds.length > 0)
        {
            final FileDescriptor[] descriptors = new FileDescriptor[fds.length];
            for (int i = 0; i < fds.length; i++)
            {
                descriptors[i] = FileDescriptorCast.unsafeUsing(fds[i]).getFileDescriptor();
            }
            socket.setOutboundFileDescriptors(descriptors);
        }
        out.write(buffer.byteArray(), 0, length);
        out.flush();
    }

    /**
     * Half-close the socket for writing and reading: wakes a thread blocked on it and tells the peer we are gone.
     */
    public void shutdown()
    {
        try
        {
            socket.shutdownInput();
        }
        catch (final IOException ignored)
        {
            // already closed or never connected
        }
        try
        {
            socket.shutdownOutput();
        }
        catch (final IOException ignored)
        {
            // already closed or never connected
        }
    }

    @Override
    public void close() throws IOException
    {
        // Another thread may close the connection (a port destroyed) while its reader takes over descriptors.
        ReceivedDescriptors.closeSocket(socket);
    }

    /**
     * @return 0 when the stream ended before the first byte (only allowed when {@code eofAllowedAtStart}), else
     * {@code length}.
     */
    private int readFully(final byte[] bytes, final int offset, final int length, final boolean eofAllowedAtStart)
        throws IOException
    {
        int done = 0;
        while (done < length)
        {
            final int read = in.read(bytes, offset + done, length - done);
            if (read < 0)
            {
                if (0 == done && eofAllowedAtStart)
                {
                    return 0;
                }
                throw new EOFException("connection closed inside a message: " + done + " of " + length + " bytes");
            }
            done += read;
        }
        return done;
    }

    private void collectFds(final ReceivedFds fds) throws IOException
    {
        final FileDescriptor[] received = socket.getReceivedFileDescriptors();
        for (final FileDescriptor descriptor : received)
        {
            fds.add(ReceivedDescriptors.takeOver(socket, descriptor));
        }
    }
}
