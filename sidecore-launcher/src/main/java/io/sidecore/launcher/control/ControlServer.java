package io.sidecore.launcher.control;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.daemon.DaemonDirectories;
import io.sidecore.shm.control.ControlProtocol;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The daemon's control socket: a Unix stream socket (junixsocket), file mode 0660, accepting on its own thread; one
 * thread per accepted connection ({@link ControlConnection}), at most {@code sidecore.control.max.connections} at
 * once. Each peer's credentials (SO_PEERCRED) are checked against the {@link PeerPolicy} before anything it sends is
 * read; a refused peer gets one error line and is closed once it hangs up, at most a second later
 * ({@link RefusedPeers}: so its request, written before it read the refusal, does not fail with EPIPE).
 * <p>
 * The protocol ({@link ControlProtocol}) is JSON lines; requests only act on ports through the {@link PortRegistry},
 * which reaches the sidecores through the engine's proxy.
 */
public final class ControlServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Path controlSocket;
    private final int maxConnections;
    private final int maxRequestLengthBytes;
    private final int maxRequestsPerSecond;
    private final PeerPolicy peerPolicy;
    private final PortRegistry registry;
    private final DaemonDirectories directories;
    private final ObjectNode versionResult;
    private final ObjectMapper mapper = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
    private final Set<ControlConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private AFUNIXServerSocket server;
    private Thread acceptThread;
    private RefusedPeers refusedPeers;
    private volatile boolean closing;
    private volatile LongSupplier requestClock = System::nanoTime;

    /**
     * @param config        the daemon's configuration (socket, limits, allowed peers).
     * @param registry      the ports.
     * @param directories   the daemon's directories (the socket's group).
     * @param versionResult the result of the version command.
     */
    public ControlServer(final Configuration config, final PortRegistry registry, final DaemonDirectories directories,
        final ObjectNode versionResult)
    {
        this.controlSocket = controlSocket(config);
        this.maxConnections = maxConnections(config);
        this.maxRequestLengthBytes = (int)maxRequestLengthBytes(config);
        this.maxRequestsPerSecond = maxRequestsPerSecond(config);
        this.peerPolicy = PeerPolicy.from(config);
        this.registry = registry;
        this.directories = directories;
        this.versionResult = versionResult.deepCopy();
    }

    /**
     * @param config a configuration.
     * @return {@link Configuration#CONTROL_SOCKET}.
     */
    public static Path controlSocket(final Configuration config)
    {
        return config.get(Configuration.CONTROL_SOCKET);
    }

    /**
     * @param config a configuration.
     * @return {@link Configuration#CONTROL_MAX_CONNECTIONS}.
     */
    static int maxConnections(final Configuration config)
    {
        return config.get(Configuration.CONTROL_MAX_CONNECTIONS);
    }

    /**
     * @param config a configuration.
     * @return {@link Configuration#CONTROL_MAX_REQUEST_LENGTH}.
     */
    static long maxRequestLengthBytes(final Configuration config)
    {
        return config.get(Configuration.CONTROL_MAX_REQUEST_LENGTH);
    }

    /**
     * @param config a configuration.
     * @return {@link Configuration#CONTROL_MAX_REQUESTS_PER_SECOND}.
     */
    static int maxRequestsPerSecond(final Configuration config)
    {
        return config.get(Configuration.CONTROL_MAX_REQUESTS_PER_SECOND);
    }

    /**
     * Bind the socket (its directory is prepared and locked; a file there is stale), give it mode 0660 and the
     * configured group, and start accepting.
     *
     * @throws IOException when the socket cannot be bound.
     */
    public void start() throws IOException
    {
        Files.deleteIfExists(controlSocket);
        server = AFUNIXServerSocket.newInstance();
        server.bind(AFUNIXSocketAddress.of(controlSocket));
        Files.setPosixFilePermissions(controlSocket, PosixFilePermissions.fromString("rw-rw----"));
        directories.applyGroup(controlSocket);
        refusedPeers = new RefusedPeers();
        acceptThread = new Thread(this::acceptLoop, "sidecore-control-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
    }

    /**
     * @return the control socket's path.
     */
    public Path socketPath()
    {
        return controlSocket;
    }

    /**
     * @return connections open now.
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * Stop accepting, close every connection (attached guests are let go by their threads), remove the socket.
     */
    public void close()
    {
        closing = true;
        if (null != server)
        {
            try
            {
                server.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("control socket did not close: {}", ex.getMessage());
            }
        }
        for (final ControlConnection connection : connections)
        {
            connection.close();
        }
        if (null != refusedPeers)
        {
            refusedPeers.close();
        }
        joinAll();
        try
        {
            if (Files.exists(controlSocket, LinkOption.NOFOLLOW_LINKS))
            {
                Files.delete(controlSocket);
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("control socket {} not removed: {}", controlSocket, ex.getMessage());
        }
    }

    ObjectMapper mapper()
    {
        return mapper;
    }

    PortRegistry registry()
    {
        return registry;
    }

    ObjectNode versionResult()
    {
        return versionResult.deepCopy();
    }

    int maxRequestLengthBytes()
    {
        return maxRequestLengthBytes;
    }

    int maxRequestsPerSecond()
    {
        return maxRequestsPerSecond;
    }

    /**
     * @param nanoClock the clock the request rate limit of connections accepted from now on reads (tests: a
     *                  manual one); {@link System#nanoTime()} by default.
     */
    public void requestClock(final LongSupplier nanoClock)
    {
        this.requestClock = nanoClock;
    }

    LongSupplier requestClock()
    {
        return requestClock;
    }

    void connectionEnded(final ControlConnection connection)
    {
        connections.remove(connection);
    }

    private void acceptLoop()
    {
        while (!closing)
        {
            final AFUNIXSocket socket;
            try
            {
                socket = server.accept();
            }
            catch (final IOException ex)
            {
                if (!closing)
                {
                    LOG.warn("control socket accept failed: {}", ex.getMessage());
                }
                continue;
            }
            admit(socket);
        }
    }

    private void admit(final AFUNIXSocket socket)
    {
        final AFUNIXSocketCredentials credentials;
        try
        {
            credentials = socket.getPeerCredentials();
        }
        catch (final IOException ex)
        {
            LOG.warn("request refused: peer credentials unreadable: {}", ex.getMessage());
            refuse(socket, ControlProtocol.E_UNAUTHORIZED, "peer credentials unreadable");
            return;
        }
        final long uid = credentials.getUid();
        final long gid = credentials.getGid();
        final long pid = credentials.getPid();
        if (!peerPolicy.allows(uid, gid))
        {
            LOG.warn("request refused: unauthorized peer uid={} gid={} pid={}", uid, gid, pid);
            refuse(socket, ControlProtocol.E_UNAUTHORIZED, "uid " + uid + " gid " + gid +
                " may not use this control socket (sidecore.control.allowed.uids/gids)");
            return;
        }
        if (closing || connections.size() >= maxConnections)
        {
            LOG.warn("request refused: too many control connections ({}), peer uid={} pid={}", maxConnections, uid,
                pid);
            refuse(socket, ControlProtocol.E_TOO_MANY_CONNECTIONS, "the daemon serves " + maxConnections +
                " control connections already (sidecore.control.max.connections)");
            return;
        }
        final ControlConnection connection = new ControlConnection(this, socket, uid, pid);
        connections.add(connection);
        final Thread thread = new Thread(connection, "sidecore-control-" + pid);
        thread.setDaemon(true);
        synchronized (threads)
        {
            threads.removeIf(t -> !t.isAlive());
            threads.add(thread);
        }
        thread.start();
    }

    private void refuse(final AFUNIXSocket socket, final String code, final String message)
    {
        final byte[] json;
        try
        {
            json = mapper.writeValueAsBytes(errorResponse(null, code, message));
        }
        catch (final IOException ex)
        {
            // Strings only: cannot happen; if it did, the accept loop must go on and the peer must not be kept.
            LOG.error("refused peer closed without its error line: the response did not serialize", ex);
            try
            {
                socket.close();
            }
            catch (final IOException closeFailure)
            {
                LOG.debug("refused peer's connection did not close: {}", closeFailure.getMessage());
            }
            return;
        }
        final byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = ControlProtocol.LINE_END;
        refusedPeers.refuse(socket, line);
    }

    /**
     * @param id      the request's id, or null.
     * @param code    the error code.
     * @param message the reason.
     * @return an error response.
     */
    static ObjectNode errorResponse(final com.fasterxml.jackson.databind.JsonNode id, final String code,
        final String message)
    {
        final ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put(ControlProtocol.VERSION, ControlProtocol.PROTOCOL_VERSION);
        if (null != id)
        {
            response.set(ControlProtocol.ID, id);
        }
        response.put(ControlProtocol.OK, false);
        final ObjectNode error = response.putObject(ControlProtocol.ERROR);
        error.put(ControlProtocol.CODE, code);
        error.put(ControlProtocol.MESSAGE, message);
        return response;
    }

    private void joinAll()
    {
        final List<Thread> toJoin;
        synchronized (threads)
        {
            toJoin = new ArrayList<>(threads);
        }
        if (null != acceptThread)
        {
            toJoin.add(acceptThread);
        }
        for (final Thread thread : toJoin)
        {
            try
            {
                thread.join(1000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
