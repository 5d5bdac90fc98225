package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.OsException;
import io.sidecore.shm.vfiouser.ReceivedFds;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserSocket;
import io.sidecore.shm.vfiouser.VfioUserVersion;
import org.agrona.concurrent.UnsafeBuffer;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * One port's vfio-user endpoint: a Unix stream socket at the port's device socket path, serving one client at a
 * time (QEMU's {@code vfio-user-pci} connects once, at device realize, and never reconnects).
 * <p>
 * <b>Threads.</b> {@link #start()} starts the accept thread ({@code vfio-user-accept-<port>}). Each accepted
 * client gets a connection thread ({@code vfio-user-<port>}) that serves its messages in order and calls the
 * {@link VfioUserDevice} (which hands the work to the port's sidecore thread and waits). Before a client is served,
 * the device is told ({@link VfioUserDevice#connected}) and may refuse it (its port has a guest attached another
 * way); a client refused for that reason, or because another client is attached, gets its first message answered
 * with {@code EBUSY} (QEMU then fails realize with "version reply: Device or resource busy") and is closed, with a
 * logged reason. When a client goes, its connection thread tells the device (back to power-on state, every mapping
 * and eventfd released) before the next client can be accepted. The device drives INTx from its own thread through
 * the {@link IntxLine}.
 * <p>
 * The socket is created with the settings' owner, group and mode, so a QEMU running as another user (libvirt's)
 * can connect, and never exists with wider permissions: it is made with mode 0000 before it is bound (the file
 * takes the socket's mode at {@code bind(2)}; {@code Fds.listenUnix}), then given its owner and group, then its mode.
 * {@link #close()} stops accepting, ends the current connection, waits for both threads and removes the socket file.
 */
public final class VfioUserServer implements AutoCloseable
{
    /** How long {@link #close()} waits for each thread. */
    private static final long JOIN_TIMEOUT_MS = 10_000;
    /** How long a refused client has to send its first message, which is answered with EBUSY. */
    static final int REFUSAL_WAIT_MS = 1_000;
    /** Pending connections the listening socket queues (one client is served; others are refused at once). */
    private static final int LISTEN_BACKLOG = 8;

    private static final Logger LOG = LoggerFactory.getLogger(VfioUserServer.class);

    private final VfioUserServerSettings settings;
    private final VfioUserDevice device;
    private final IntxLine intx;
    private final TrappedAccessCounts counts = new TrappedAccessCounts();
    private final AtomicReference<VfioUserConnection> active = new AtomicReference<>();
    private final AFUNIXServerSocket serverSocket;
    /** The listening socket's descriptor: junixsocket's cast does not own it, so {@link #close()} closes it. */
    private final int listenFd;
    private final Thread acceptThread;
    private volatile Thread connectionThread;
    private volatile boolean closed;
    private volatile long refusedClients;
    private volatile long servedClients;

    /**
     * Create and bind the socket (not yet accepting).
     *
     * @param settings endpoint settings.
     * @param device   the port's device.
     * @param intx     the port's INTx line, which the device drives.
     * @throws IOException when the socket cannot be created, owned or permitted as asked.
     */
    public VfioUserServer(final VfioUserServerSettings settings, final VfioUserDevice device, final IntxLine intx)
        throws IOException
    {
        this.settings = settings;
        this.device = device;
        this.intx = intx;
        final Path path = settings.socketPath();
        Files.deleteIfExists(path);
        this.listenFd = bindRestricted(path);
        try
        {
            this.serverSocket = FileDescriptorCast.unsafeUsing(listenFd).as(AFUNIXServerSocket.class);
            applyOwnership(path);
        }
        catch (final IOException | RuntimeException ex)
        {
            Fds.close(listenFd);
            Files.deleteIfExists(path);
            throw ex;
        }
        this.acceptThread = new Thread(this::acceptLoop, "vfio-user-accept-" + settings.portName());
        acceptThread.setDaemon(true);
    }

    /**
     * Start accepting clients.
     */
    public void start()
    {
        acceptThread.start();
        LOG.info("vfio-user {}: listening on {}", settings.portName(), settings.socketPath());
    }

    /**
     * @return the socket path.
     */
    public Path socketPath()
    {
        return settings.socketPath();
    }

    /**
     * @return per-offset and doorbell counts of trapped accesses (for the engine binding's counters).
     */
    public TrappedAccessCounts trappedAccesses()
    {
        return counts;
    }

    /**
     * @return the INTx line.
     */
    public IntxLine interruptLine()
    {
        return intx;
    }

    /**
     * @return true while a client is attached.
     */
    public boolean hasClient()
    {
        return null != active.get();
    }

    /**
     * @return clients refused because another was attached.
     */
    public long refusedClients()
    {
        return refusedClients;
    }

    /**
     * @return clients whose connection has ended (and whose resources the device released).
     */
    public long servedClients()
    {
        return servedClients;
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            serverSocket.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("vfio-user {}: closing the listening socket failed: {}", settings.portName(), ex.toString());
        }
        final VfioUserConnection connection = active.get();
        if (null != connection)
        {
            connection.stop();
        }
        join(acceptThread);
        join(connectionThread);
        // Closing junixsocket's cast leaves the descriptor open (it does not own it): one leaked per port otherwise.
        try
        {
            Fds.close(listenFd);
        }
        catch (final OsException ex)
        {
            LOG.warn("vfio-user {}: closing the listening descriptor failed: {}", settings.portName(), ex.toString());
        }
        try
        {
            Files.deleteIfExists(settings.socketPath());
        }
        catch (final IOException ex)
        {
            LOG.warn("vfio-user {}: removing {} failed: {}", settings.portName(), settings.socketPath(), ex.toString());
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final AFUNIXSocket client;
            try
            {
                client = serverSocket.accept();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    LOG.error("vfio-user {}: accept failed, no more clients: {}", settings.portName(), ex.toString());
                }
                return;
            }
            if (closed)
            {
                closeQuietly(client);
            }
            else if (null != active.get())
            {
                refuse(client, "the port already has a vfio-user client attached");
            }
            else
            {
                try
                {
                    attach(client);
                }
                catch (final RuntimeException ex)
                {
                    // the accept thread must survive whatever one client's set-up hits, or the port is dead
                    LOG.error("vfio-user {}: cannot serve the client", settings.portName(), ex);
                    active.set(null);
                    closeQuietly(client);
                }
            }
        }
    }

    private void attach(final AFUNIXSocket client)
    {
        final long pid = peerPid(client);
        try
        {
            device.connected(pid);
        }
        catch (final VfioUserDeviceException ex)
        {
            refuse(client, ex.getMessage());
            return;
        }
        final VfioUserSocket socket;
        try
        {
            socket = new VfioUserSocket(client);
        }
        catch (final IOException ex)
        {
            LOG.warn("vfio-user {}: cannot set up the client's socket: {}", settings.portName(), ex.toString());
            closeQuietly(client);
            device.disconnected();
            return;
        }
        final VfioUserConnection connection = new VfioUserConnection(settings.portName(), socket, device, intx,
            counts, settings.messageTimeoutMs(), this::connectionEnded);
        active.set(connection);
        LOG.info("vfio-user {}: client attached ({})", settings.portName(), peer(client));
        final Thread thread = new Thread(connection, "vfio-user-" + settings.portName());
        thread.setDaemon(true);
        connectionThread = thread;
        thread.start();
    }

    private void connectionEnded()
    {
        servedClients++;
        active.set(null);
    }

    /**
     * Turn a client away: answer its first message (QEMU's VERSION) with EBUSY, so QEMU names the reason, then
     * close. The wait for that message is short and bounded: the accept thread does it, and has nothing else to
     * do while the port cannot take a client anyway.
     */
    private void refuse(final AFUNIXSocket client, final String reason)
    {
        refusedClients++;
        LOG.warn("vfio-user {}: refusing a client ({}): {}", settings.portName(), peer(client), reason);
        final ReceivedFds fds = new ReceivedFds();
        try (VfioUserSocket socket = new VfioUserSocket(client))
        {
            socket.readTimeoutMs(REFUSAL_WAIT_MS);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[VfioUserVersion.MAX_MESSAGE_LENGTH]);
            final int status = socket.readMessage(message, fds);
            final int flags = message.getInt(VfioUserHeader.FLAGS_OFFSET, LITTLE_ENDIAN);
            if (VfioUserSocket.READ_EOF != status && !VfioUserHeader.isNoReply(flags))
            {
                final UnsafeBuffer reply = new UnsafeBuffer(new byte[VfioUserHeader.HEADER_LENGTH]);
                reply.putBytes(0, message, 0, VfioUserHeader.FLAGS_OFFSET);
                reply.putInt(VfioUserHeader.SIZE_OFFSET, VfioUserHeader.HEADER_LENGTH, LITTLE_ENDIAN);
                reply.putInt(VfioUserHeader.FLAGS_OFFSET, VfioUserHeader.ERROR_REPLY_FLAGS, LITTLE_ENDIAN);
                reply.putInt(VfioUserHeader.ERROR_OFFSET, VfioUserErrno.EBUSY, LITTLE_ENDIAN);
                socket.writeMessage(reply, VfioUserHeader.HEADER_LENGTH);
            }
        }
        catch (final IOException ex)
        {
            // the client sent nothing in time, or went away: it is closed either way
            closeQuietly(client);
        }
        finally
        {
            fds.closeRemaining();
        }
    }

    /**
     * Make the listening socket with mode 0000, so that it never exists with wider permissions than the settings
     * give it (junixsocket's own bind would make the file 0666 first); the caller hands it to junixsocket.
     */
    private static int bindRestricted(final Path path) throws IOException
    {
        try
        {
            return Fds.listenUnix(path.toString(), 0, LISTEN_BACKLOG);
        }
        catch (final OsException ex)
        {
            throw new IOException("cannot create the device socket " + path + ": " + ex.getMessage(), ex);
        }
    }

    private void applyOwnership(final Path path) throws IOException
    {
        if (null != settings.socketOwner() || null != settings.socketGroup())
        {
            final UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
            final PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            if (null != settings.socketOwner())
            {
                view.setOwner(lookup.lookupPrincipalByName(settings.socketOwner()));
            }
            if (null != settings.socketGroup())
            {
                view.setGroup(lookup.lookupPrincipalByGroupName(settings.socketGroup()));
            }
        }
        Files.setPosixFilePermissions(path, settings.socketMode());
    }

    private static long peerPid(final AFUNIXSocket client)
    {
        try
        {
            return client.getPeerCredentials().getPid();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static String peer(final AFUNIXSocket client)
    {
        try
        {
            final AFUNIXSocketCredentials credentials = client.getPeerCredentials();
            return "pid " + credentials.getPid() + ", uid " + credentials.getUid();
        }
        catch (final IOException ex)
        {
            return "peer unknown";
        }
    }

    private static void closeQuietly(final AFUNIXSocket client)
    {
        try
        {
            client.close();
        }
        catch (final IOException ignored)
        {
            // nothing more to do for a client we are turning away
        }
    }

    private void join(final Thread thread)
    {
        if (null == thread || Thread.currentThread() == thread)
        {
            return;
        }
        try
        {
            thread.join(JOIN_TIMEOUT_MS);
            if (thread.isAlive())
            {
                LOG.error("vfio-user {}: thread {} did not stop within {} ms", settings.portName(), thread.getName(),
                    JOIN_TIMEOUT_MS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
