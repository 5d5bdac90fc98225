package io.sidecore.launcher.control;

import org.newsclub.net.unix.AFUNIXSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Refused control connections: each gets its one error line, then its output is shut and whatever the peer sends
 * is read and dropped until it hangs up, at most {@link #LINGER_NS} and {@link #DRAIN_LIMIT_BYTES}, before the
 * connection is closed.
 * <p>
 * Why not close at once: a client that connects and writes its request at once (every client does) races the
 * refusal; closing the socket before its request arrived made the client's write fail with EPIPE, so it saw
 * "broken pipe" and never read the refusal that said why (seen on CI with a Python client). With the daemon's side
 * still reading, the write succeeds and the client reads the error line, then the end of the stream.
 * <p>
 * Bounded so refused peers cannot hold the daemon: one thread, at most {@link #QUEUE_CAPACITY} connections waiting
 * for it; a refusal past that is written and closed at once, as before.
 */
final class RefusedPeers implements AutoCloseable
{
    /** How long a refused peer may keep its connection open after the error line, in nanoseconds. */
    static final long LINGER_NS = TimeUnit.SECONDS.toNanos(1);

    /** How many bytes of a refused peer's input are read and dropped at most. */
    static final int DRAIN_LIMIT_BYTES = 64 * 1024;

    /** Refused connections waiting for the linger thread, at most. */
    static final int QUEUE_CAPACITY = 16;

    private static final Logger LOG = LoggerFactory.getLogger(RefusedPeers.class);

    private final BlockingQueue<Refusal> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile AFUNIXSocket lingering;
    private volatile boolean closing;

    private record Refusal(AFUNIXSocket socket, byte[] line)
    {
    }

    RefusedPeers()
    {
        thread = new Thread(this::run, "sidecore-control-refusals");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Answer a refused connection with its error line and close it, after the linger when there is room for it.
     *
     * @param socket the refused connection; this takes it over.
     * @param line   the error line, line end included.
     */
    void refuse(final AFUNIXSocket socket, final byte[] line)
    {
        if (closing || !queue.offer(new Refusal(socket, line)))
        {
            try (socket)
            {
                write(socket, line);
            }
            catch (final IOException ex)
            {
                LOG.debug("refused peer gone before its error: {}", ex.getMessage());
            }
        }
    }

    /**
     * Stop the linger thread and close every refused connection it still holds.
     */
    @Override
    public void close()
    {
        closing = true;
        thread.interrupt();
        closeQuietly(lingering);
        try
        {
            thread.join(TimeUnit.NANOSECONDS.toMillis(LINGER_NS) + 1000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        Refusal refusal;
        while (null != (refusal = queue.poll()))
        {
            closeQuietly(refusal.socket());
        }
    }

    private void run()
    {
        final byte[] scratch = new byte[4096];
        while (!closing)
        {
            final Refusal refusal;
            try
            {
                refusal = queue.take();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            lingering = refusal.socket();
            try (AFUNIXSocket socket = refusal.socket())
            {
                if (closing)
                {
                    return;
                }
                write(socket, refusal.line());
                // Through the channel: junixsocket's Socket.shutdownOutput says "not connected" on an accepted socket.
                socket.getChannel().shutdownOutput();
                drain(socket, scratch);
            }
            catch (final IOException ex)
            {
                LOG.debug("refused peer: {}", ex.getMessage());
            }
            finally
            {
                lingering = null;
            }
        }
    }

    private static void write(final AFUNIXSocket socket, final byte[] line) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        out.write(line);
        out.flush();
    }

    private static void drain(final AFUNIXSocket socket, final byte[] scratch) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final long deadlineNs = System.nanoTime() + LINGER_NS;
        long drainedBytes = 0;
        while (drainedBytes < DRAIN_LIMIT_BYTES)
        {
            final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs <= 0)
            {
                return;
            }
            socket.setSoTimeout((int)leftMs);
            final int read;
            try
            {
                read = in.read(scratch, 0, (int)Math.min(scratch.length, DRAIN_LIMIT_BYTES - drainedBytes));
            }
            catch (final SocketTimeoutException ex)
            {
                return;
            }
            if (read < 0)
            {
                return;
            }
            drainedBytes += read;
        }
    }

    private static void closeQuietly(final AFUNIXSocket socket)
    {
        if (null == socket)
        {
            return;
        }
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            LOG.debug("refused peer's connection did not close: {}", ex.getMessage());
        }
    }
}
