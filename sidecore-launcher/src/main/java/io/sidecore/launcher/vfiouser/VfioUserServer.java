package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserSocket;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One port's vfio-user endpoint: a Unix stream socket at the port's device socket path, serving one client at a
 * time (QEMU's {@code vfio-user-pci} connects once, at device realize, and never reconnects).
 * <p>
 * <b>Threads.</b> {@link #start()} starts the accept thread ({@code vfio-user-accept-<port>}). Each accepted
 * client gets a connection thread ({@code vfio-user-<port>}) that serves its messages in order and calls the
 * {@link VfioUserDevice} (which hands the work to the port's sidecore thread and waits). A client that connects
 * while another is attached is accepted and closed at once, with a logged reason. When a client goes, its
 * connection thread tells the device (back to power-on state, every mapping and eventfd released) before the
 * next client can be accepted. The device drives INTx from its own thread through the {@link IntxLine}.
 * <p>
 * The socket is created with the settings' owner, group and mode, so a QEMU running as another user (libvirt's)
 * can connect. {@link #close()} stops accepting, ends the current connection, waits for both threads and removes
 * the socket file.
 */
public final class VfioUserServer implements AutoCloseable
{
    /** How long {@link #close()} waits for each thread. */
    private static final long JOIN_TIMEOUT_MS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(VfioUserServer.class);

    private final VfioUserServerSettings settings;
    private final VfioUserDevice device;
    private final IntxLine intx;
    private final TrappedAccessCounts counts = new TrappedAccessCounts();
    private final AtomicReference<VfioUserConnection> active = new AtomicReference<>();
    private final AFUNIXServerSocket serverSocket;
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
        this.serverSocket = AFUNIXServerSocket.bindOn(AFUNIXSocketAddress.of(path), true);
        try
        {
            applyOwnership(path);
        }
        catch (final IOException | RuntimeException ex)
        {
            serverSocket.close();
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
    public void close()
    {
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
            if (null != active.get() || closed)
            {
                refuse(client);
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
        final VfioUserSocket socket;
        try
        {
            socket = new VfioUserSocket(client);
        }
        catch (final IOException ex)
        {
            LOG.warn("vfio-user {}: cannot set up the client's socket: {}", settings.portName(), ex.toString());
            closeQuietly(client);
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

    private void refuse(final AFUNIXSocket client)
    {
        refusedClients++;
        LOG.warn("vfio-user {}: refusing a second client ({}): the port already has one attached",
            settings.portName(), peer(client));
        closeQuietly(client);
    }

    private void applyOwnership(final Path path) throws IOException
    {
        Files.setPosixFilePermissions(path, settings.socketMode());
        if (null == settings.socketOwner() && null == settings.socketGroup())
        {
            return;
        }
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
