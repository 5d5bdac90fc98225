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
 * Refused control connections: each gets its one error line at once, then its output is shut and whatever the peer
 * sends is read and dropped until it hangs up, at most {@link #LINGER_NS} after the refusal and
 * {@link #DRAIN_LIMIT_BYTES}, before the connection is closed.
 * <p>
 * Why not close at once: a client that connects and writes its request at once (every client does) races the
 * refusal; closing the socket before its request arrived made the client's write fail with EPIPE, so it saw
 * "broken pipe" and never read the refusal that said why (seen on CI with a Python client). With the daemon's side
 * still reading, the write succeeds and the client reads the error line, then the end of the stream.
 * <p>
 * Bounded so refused peers cannot hold the daemon: the error line (a few hundred bytes into a new connection's empty
 * send buffer) and the shutdown are the accept thread's, which never waits on a peer; the lingers are one thread's,
 * at most {@link #QUEUE_CAPACITY} connections waiting for it, each until {@link #LINGER_NS} after its own refusal
 * (a peer queued behind silent ones is closed no later for it). A refusal past that capacity, or while the daemon
 * stops, is closed at once after its line, as before.
 */
final class RefusedPeers implements AutoCloseable
{
    /** How long a refused peer may keep its connection open after the error line, in nanoseconds. */
    static final long LINGER_NS = TimeUnit.SECONDS.toNanos(1);

    /** How many bytes of a refused peer's input are read and dropped at most. */
    static final int DRAIN_LIMIT_BYTES = 64 * 1024;

    /** Refused connections waiting for the linger thread, at most. */
    static final int QUEUE_CAPACITY = 16;

    private static final long STOP_WAIT_MS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(RefusedPeers.class);

    private final BlockingQueue<Lingering> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile AFUNIXSocket draining;
    private volatile boolean closing;

    private record Lingering(AFUNIXSocket socket, long deadlineNs)
    {
    }

    RefusedPeers()
    {
        thread = new Thread(this::run, "sidecore-control-refusals");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Answer a refused connection with its error line and shut its output, then let it linger (or close it at once
     * when the queue is full or the daemon stops). Accept thread; never waits on the peer.
     *
     * @param socket the refused connection; this takes it over.
     * @param line   the error line, line end included.
     */
    void refuse(final AFUNIXSocket socket, final byte[] line)
    {
        try
        {
            final OutputStream out = socket.getOutputStream();
            out.write(line);
            out.flush();
            // Through the channel: junixsocket's Socket.shutdownOutput says "not connected" on an accepted socket.
            socket.getChannel().shutdownOutput();
        }
        catch (final IOException ex)
        {
            LOG.debug("refused peer gone before its error: {}", ex.getMessage());
            closeQuietly(socket);
            return;
        }
        final Lingering lingering = new Lingering(socket, System.nanoTime() + LINGER_NS);
        if (closing || !queue.offer(lingering))
        {
            closeQuietly(socket);
            return;
        }
        if (closing && queue.remove(lingering))
        {
            // close() may have emptied the queue between the check and the offer: nobody else would close it.
            closeQuietly(socket);
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
        closeQuietly(draining);
        try
        {
            thread.join(STOP_WAIT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        Lingering lingering;
        while (null != (lingering = queue.poll()))
        {
            closeQuietly(lingering.socket());
        }
    }

    private void run()
    {
        final byte[] scratch = new byte[4096];
        while (!closing)
        {
            final Lingering lingering;
            try
            {
                lingering = queue.take();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            draining = lingering.socket();
            try (AFUNIXSocket socket = lingering.socket())
            {
                if (!closing)
                {
                    drain(socket, lingering.deadlineNs(), scratch);
                }
            }
            catch (final IOException ex)
            {
                LOG.debug("refused peer: {}", ex.getMessage());
            }
            catch (final RuntimeException ex)
            {
                // One odd connection must not end the lingers of the others (they would wait until the daemon stops).
                LOG.warn("refused peer's linger ended by an unexpected error: {}", ex.toString());
            }
            finally
            {
                draining = null;
            }
        }
    }

    private static void drain(final AFUNIXSocket socket, final long deadlineNs, final byte[] scratch)
        throws IOException
    {
        final InputStream in = socket.getInputStream();
        long drainedBytes = 0;
        while (drainedBytes < DRAIN_LIMIT_BYTES)
        {
            final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs <= 0)
            {
                return;
            }
            socket.setSoTimeout((int)Math.min(leftMs, Integer.MAX_VALUE));
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
