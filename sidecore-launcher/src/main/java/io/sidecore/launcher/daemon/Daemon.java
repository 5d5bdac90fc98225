package io.sidecore.launcher.daemon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.engine.EngineContext;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.mem.DataPathBuffer;
import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.ConfigurationException;
import io.sidecore.launcher.affinity.PinnedThreadFactory;
import io.sidecore.launcher.control.ControlException;
import io.sidecore.launcher.control.ControlServer;
import io.sidecore.launcher.control.PortRegistry;
import io.sidecore.launcher.control.PortSpec;
import io.sidecore.shm.control.ControlProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One sidecore daemon for the host: the sidecores (each pinned to its core), the ports, the control socket and the
 * housekeeping that feeds systemd's watchdog, built from a {@link Configuration} by {@link #start} and taken down by
 * {@link #close}.
 * <p>
 * Start: the directories (mode 0700/0750, checked, {@link DaemonDirectories}); the lock that keeps a second daemon
 * off the same control socket ({@link DaemonLock}); stale files a killed daemon left (its control socket, the port
 * sockets) removed; the engine with its counters file; the sidecore threads pinned; the ports declared in the file
 * created; the control socket opened; {@code READY=1} to systemd. Stop: {@code STOPPING=1}; stop accepting and close
 * every control connection (attached guests are let go); take every port down (backends closed, so captures are
 * flushed; device sockets removed); stop the sidecores; remove the control socket and the lock.
 */
public final class Daemon implements AutoCloseable
{
    /** The daemon's version, from the build. */
    public static final String VERSION = readVersion();

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final long PIN_TIMEOUT_MS = 5_000;
    private static final long HOUSEKEEPING_PERIOD_NS = TimeUnit.SECONDS.toNanos(1);

    private final Configuration config;
    private final SystemdNotifier notifier;
    private DaemonLock lock;
    private SidecoreEngine engine;
    private PortRegistry registry;
    private ControlServer controlServer;
    private Thread housekeeping;
    private volatile boolean stopping;
    private boolean closed;

    private Daemon(final Configuration config, final SystemdNotifier notifier)
    {
        this.config = config;
        this.notifier = notifier;
    }

    /**
     * Start a daemon.
     *
     * @param config      the configuration, validated.
     * @param environment the process environment (systemd's variables).
     * @return the running daemon.
     * @throws ConfigurationException naming a key and value the engine refuses.
     * @throws DaemonStartException   for anything else that stops the start; what was started is stopped again.
     */
    public static Daemon start(final Configuration config, final Map<String, String> environment)
    {
        final Daemon daemon = new Daemon(config, SystemdNotifier.fromEnvironment(environment));
        try
        {
            daemon.startUp();
            return daemon;
        }
        catch (final RuntimeException ex)
        {
            daemon.close();
            throw ex;
        }
    }

    /**
     * @param config a configuration.
     * @return {@link Configuration#CORES}: the sidecores' cores, empty for one sidecore on any free core.
     */
    static int[] cores(final Configuration config)
    {
        return config.cores();
    }

    /**
     * @param config a configuration.
     * @return {@link Configuration#PORTS}, each checked as create-port would check it.
     * @throws ConfigurationException naming the first bad key.
     */
    public static List<PortSpec> declaredPorts(final Configuration config)
    {
        final List<String> names = config.get(Configuration.PORTS);
        final java.util.ArrayList<PortSpec> specs = new java.util.ArrayList<>();
        for (final String name : names)
        {
            specs.add(PortSpec.fromDeclaration(name, config.portDeclaration(name),
                Configuration.PORT_DECLARATION_PREFIX + name + "."));
        }
        return specs;
    }

    /**
     * @return the control socket.
     */
    public Path controlSocket()
    {
        return controlServer.socketPath();
    }

    /**
     * @return the engine (tests).
     */
    public SidecoreEngine engine()
    {
        return engine;
    }

    /**
     * @return the control socket's server (tests).
     */
    public ControlServer controlServer()
    {
        return controlServer;
    }

    /**
     * @return the ports (tests).
     */
    public PortRegistry registry()
    {
        return registry;
    }

    /**
     * Take the daemon down; see the class comment. Idempotent.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        stopping = true;
        notifier.notify("STOPPING=1");
        if (null != housekeeping)
        {
            housekeeping.interrupt();
            join(housekeeping);
        }
        if (null != controlServer)
        {
            controlServer.close();
        }
        if (null != registry)
        {
            registry.close();
        }
        if (null != engine)
        {
            engine.close();
        }
        if (null != lock)
        {
            lock.close();
        }
        notifier.close();
        LOG.info("daemon stopped: pid={}", ProcessHandle.current().pid());
    }

    private void startUp()
    {
        final Path controlSocket = ControlServer.controlSocket(config);
        final Path portSocketDir = PortRegistry.portSocketDir(config);
        final Path countersFile = config.get(Configuration.COUNTERS_FILE);
        final List<PortSpec> declared = declaredPorts(config);
        final DaemonDirectories directories = new DaemonDirectories(config.get(Configuration.CONTROL_GROUP));
        directories.prepare(controlSocket.getParent());
        directories.prepare(portSocketDir);
        directories.prepare(countersFile.getParent());
        lock = DaemonLock.acquire(controlSocket);
        removeStaleFiles(controlSocket, portSocketDir);

        startEngine();
        registry = new PortRegistry(config, engine.proxy(), index -> engine.agent(index).kick().fd());
        for (final PortSpec spec : declared)
        {
            try
            {
                registry.create(spec);
            }
            catch (final ControlException ex)
            {
                throw new DaemonStartException("port " + spec.name() + " declared in " + config.source() +
                    " cannot be created: " + ex.getMessage(), ex);
            }
        }
        controlServer = new ControlServer(config, registry, directories, versionResult(countersFile));
        try
        {
            controlServer.start();
        }
        catch (final IOException ex)
        {
            throw new DaemonStartException("cannot open the control socket " + controlSocket + ": " + ex, ex);
        }
        startHousekeeping();
        notifier.notify("READY=1\nSTATUS=serving " + declared.size() + " ports on " + engine.sidecoreCount() +
            " sidecores");
        LOG.info("daemon started: pid={} version={} control={} sidecores={} ports={} config={} data_path_checks={}",
            ProcessHandle.current().pid(), VERSION, controlSocket, engine.sidecoreCount(), declared.size(),
            config.source(), DataPathBuffer.isChecked() ? "on" : "off");
    }

    private void startEngine()
    {
        final EngineContext ctx = config.engineContext();
        try
        {
            engine = new SidecoreEngine(ctx);
        }
        catch (final IllegalArgumentException ex)
        {
            ctx.close();
            throw config.nameSetting(ex);
        }
        final int[] cores = cores(config);
        final PinnedThreadFactory[] factories = new PinnedThreadFactory[engine.sidecoreCount()];
        for (int i = 0; i < factories.length; i++)
        {
            factories[i] = new PinnedThreadFactory("sidecore-" + i,
                i < cores.length ? cores[i] : PinnedThreadFactory.ANY_FREE_CPU, true, LOG::warn);
        }
        engine.start(index -> factories[index]);
        for (int i = 0; i < factories.length; i++)
        {
            final int cpu;
            try
            {
                cpu = factories[i].awaitCpu(PIN_TIMEOUT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new DaemonStartException("interrupted while the sidecores started", ex);
            }
            if (cpu >= 0)
            {
                LOG.info("sidecore {} pinned to cpu {}", i, cpu);
            }
        }
    }

    private void startHousekeeping()
    {
        final LongSupplier[] dutyCycles = new LongSupplier[engine.sidecoreCount()];
        for (int i = 0; i < dutyCycles.length; i++)
        {
            final int index = i;
            dutyCycles[i] = () -> engine.agent(index).counters().dutyCycles().get();
        }
        final SidecoreLiveness liveness = new SidecoreLiveness(dutyCycles);
        final long watchdogNs = notifier.watchdogIntervalNs();
        final long periodNs = SystemdNotifier.NO_WATCHDOG == watchdogNs ?
            HOUSEKEEPING_PERIOD_NS : Math.min(HOUSEKEEPING_PERIOD_NS, watchdogNs / 2);
        housekeeping = new Thread(() -> housekeep(liveness, periodNs, SystemdNotifier.NO_WATCHDOG != watchdogNs),
            "sidecore-housekeeping");
        housekeeping.setDaemon(true);
        housekeeping.start();
    }

    private void housekeep(final SidecoreLiveness liveness, final long periodNs, final boolean watchdog)
    {
        boolean stuckReported = false;
        while (!stopping)
        {
            try
            {
                TimeUnit.NANOSECONDS.sleep(periodNs);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final int stuck = liveness.stuckSidecore();
            if (SidecoreLiveness.NONE_STUCK == stuck)
            {
                stuckReported = false;
                if (watchdog)
                {
                    notifier.notify("WATCHDOG=1");
                }
            }
            else if (!stuckReported)
            {
                stuckReported = true;
                LOG.error("sidecore {} made no duty cycle for {} ms; the systemd watchdog is no longer fed", stuck,
                    TimeUnit.NANOSECONDS.toMillis(periodNs));
            }
            registry.logNewFaults();
        }
    }

    private static void removeStaleFiles(final Path controlSocket, final Path portSocketDir)
    {
        try
        {
            if (Files.exists(controlSocket, LinkOption.NOFOLLOW_LINKS))
            {
                LOG.warn("replacing stale control socket {} (left by a daemon that did not stop cleanly)",
                    controlSocket);
                Files.delete(controlSocket);
            }
            try (DirectoryStream<Path> sockets = Files.newDirectoryStream(portSocketDir, "*" +
                PortRegistry.SOCKET_SUFFIX))
            {
                for (final Path socket : sockets)
                {
                    LOG.warn("removing stale port socket {}", socket);
                    Files.delete(socket);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new DaemonStartException("cannot remove stale files: " + ex, ex);
        }
    }

    private ObjectNode versionResult(final Path countersFile)
    {
        final ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put(ControlProtocol.PROTOCOL_VERSION_FIELD, ControlProtocol.PROTOCOL_VERSION);
        result.put(ControlProtocol.DAEMON, VERSION);
        result.put(ControlProtocol.PID, ProcessHandle.current().pid());
        result.put(ControlProtocol.COUNTERS_FILE, countersFile.toString());
        return result;
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String readVersion()
    {
        try (InputStream in = Daemon.class.getResourceAsStream("/io/sidecore/launcher/sidecore-version.properties"))
        {
            if (null == in)
            {
                return "unknown";
            }
            final Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
