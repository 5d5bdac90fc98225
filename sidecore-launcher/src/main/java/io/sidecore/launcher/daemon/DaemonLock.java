package io.sidecore.launcher.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per control socket: an exclusive lock ({@code fcntl} record lock through {@link FileChannel#tryLock()})
 * on {@code <control socket>.lock}, held for the daemon's life, with the holder's pid in the file for the message a
 * second daemon prints. The kernel drops the lock when the holder dies, even by SIGKILL, so a daemon that gets the
 * lock and finds the control socket file knows it is stale (left by a killed daemon) and may replace it.
 * <p>
 * The lock file is opened with {@code O_NOFOLLOW} and lives in the daemon's own directory (mode 0700 or 0750).
 */
final class DaemonLock implements AutoCloseable
{
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private DaemonLock(final Path path, final FileChannel channel, final FileLock lock)
    {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param controlSocket the control socket the daemon will serve.
     * @return the lock file's path.
     */
    static Path lockFileOf(final Path controlSocket)
    {
        return controlSocket.resolveSibling(controlSocket.getFileName() + ".lock");
    }

    /**
     * Take the lock of a control socket.
     *
     * @param controlSocket the control socket.
     * @return the lock, held until closed.
     * @throws DaemonStartException when another daemon holds it (naming its pid) or the file cannot be opened.
     */
    static DaemonLock acquire(final Path controlSocket)
    {
        final Path path = lockFileOf(controlSocket);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                // This JVM holds it already (a second daemon started in the same process, as tests do).
                lock = null;
            }
            if (null == lock)
            {
                final String holder = readHolder(channel);
                channel.close();
                throw new DaemonStartException("another sidecore daemon" + holder + " is serving " + controlSocket +
                    " (it holds " + path + "); stop it first or give this one another sidecore.control.socket", null);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                0);
            channel.force(false);
            return new DaemonLock(path, channel, lock);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new DaemonStartException("cannot lock " + path + ": " + ex, ex);
        }
    }

    /**
     * Release the lock and remove its file.
     */
    public void close()
    {
        try
        {
            Files.deleteIfExists(path);
            lock.release();
        }
        catch (final IOException ex)
        {
            // The lock goes with the descriptor; nothing else to undo.
        }
        closeQuietly(channel);
    }

    private static String readHolder(final FileChannel channel) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        final String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        return text.matches("[0-9]{1,10}") ? " (pid " + text + ")" : "";
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Closing a descriptor we opened: nothing to report.
            }
        }
    }
}
