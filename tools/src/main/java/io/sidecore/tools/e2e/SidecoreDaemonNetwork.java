package io.sidecore.tools.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The network of the sidecore mode, and the only place that knows how to drive the daemon: it starts
 * {@code tools/sidecore daemon --config FILE}, creates one switch port per guest with {@code tools/sidecore ctl
 * --json create-port NAME --mac MAC --backend switch} (whose result names the port's vfio-user device socket), gives
 * QEMU that socket ({@code -device vfio-user-pci}), and reads the ports' counters with {@code tools/sidecore stat
 * --format json}. The peer sits behind the switch's uplink ({@code create-port uplink --backend uplink:TAP}), whose
 * TAP this class moves into the run's namespace onto a bridge that holds the peer's address, as in the QEMU modes;
 * guests reach the peer through the switch and the uplink, and each other through the switch alone.
 * <p>
 * The daemon's properties: {@link #CONTROL_SOCKET_PROPERTY}, {@link #COUNTERS_FILE_PROPERTY} and
 * {@link #PORT_SOCKET_DIR_PROPERTY} under the run's log directory, and the sidecore busy-polling on its own core
 * (the daemon's defaults). stat's JSON port names are the names given to create-port.
 */
final class SidecoreDaemonNetwork implements GuestNetwork
{
    /** Daemon property: the control socket's path. */
    static final String CONTROL_SOCKET_PROPERTY = "sidecore.control.socket";
    /** Daemon property: the counters file's path. */
    static final String COUNTERS_FILE_PROPERTY = "sidecore.counters.file";
    /** Daemon property: the directory of the ports' vfio-user device sockets. */
    static final String PORT_SOCKET_DIR_PROPERTY = "sidecore.port.socket.dir";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DAEMON_START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
    private static final String BRIDGE = "br0";
    private static final String UPLINK_PORT = "uplink";

    private final NetNamespace namespace;
    private final E2eSettings settings;
    private final Path sidecore;
    private final Path runDir;
    private final Path controlSocket;
    private final Path countersFile;
    private final Process daemon;
    private final String uplinkTap;

    /**
     * Start the daemon and the uplink to the peer.
     *
     * @param namespace the run's namespace.
     * @param settings  the run's settings ({@link E2eSettings#sidecoreHome()} locates {@code tools/sidecore}).
     */
    SidecoreDaemonNetwork(final NetNamespace namespace, final E2eSettings settings)
    {
        this.namespace = namespace;
        this.settings = settings;
        this.sidecore = settings.sidecoreHome().resolve("tools/sidecore");
        this.runDir = E2eRun.createLogDir(settings.logDir().resolve("sidecore"));
        this.controlSocket = runDir.resolve("control.sock");
        this.countersFile = runDir.resolve("counters.dat");
        this.uplinkTap = "sce2eup" + namespace.name().substring(namespace.name().length() - 4);
        this.daemon = startDaemon();
        try
        {
            connectPeer();
        }
        catch (final E2eException ex)
        {
            stopDaemon();
            throw ex;
        }
    }

    /**
     * {@inheritDoc}
     */
    public GuestNic attach(final int index)
    {
        final String name = TestSubnet.guestName(index);
        final String mac = TestSubnet.guestMac(index);
        final String reply = ctl("--json", "create-port", name, "--mac", mac, "--backend", "switch");
        final Path socket = Path.of(socketOf(reply));
        if (!socket.isAbsolute() || !Files.exists(socket))
        {
            throw new E2eException("ctl create-port " + name + " did not reply with an existing device socket path: " +
                Text.abbreviate(reply));
        }
        final StringBuilder device = new StringBuilder()
            .append("{\"driver\":\"vfio-user-pci\",\"socket\":{\"path\":\"").append(socket)
            .append("\",\"type\":\"unix\"}");
        if (settings.vfioUserMsgTimeoutMs() > 0)
        {
            device.append(",\"x-msg-timeout\":").append(settings.vfioUserMsgTimeoutMs());
        }
        device.append('}');
        return new GuestNic(index, name, mac, TestSubnet.guestAddress(index), List.of("-device", device.toString()),
            List.of(socket.getParent()), name);
    }

    /**
     * {@inheritDoc}
     */
    public PortTraffic portTraffic(final GuestNic nic)
    {
        return stat(nic.portName()).traffic();
    }

    /**
     * {@inheritDoc}
     */
    public long hostDroppedTowardGuest(final GuestNic nic)
    {
        return namespace.deviceStatistic(uplinkTap, "tx_dropped");
    }

    /**
     * The port carried the guest's frames both ways, and the guest's doorbells reached the sidecore through the
     * shared page (the exitless path), not only as trapped writes.
     */
    public String provePath(final GuestNic nic)
    {
        final StatJson counters = stat(nic.portName());
        if (counters.traffic().txFrames() <= 0 || counters.traffic().rxFrames() <= 0)
        {
            throw new E2eException("port " + nic.portName() + " counted no traffic both ways: " + counters.traffic());
        }
        if (counters.doorbellsShared() <= 0)
        {
            throw new E2eException("port " + nic.portName() + " saw no doorbell through the shared page " +
                "(doorbells_shared=0, doorbells_trapped=" + counters.doorbellsTrapped() + ")");
        }
        return String.format(Locale.ROOT, "port %s: %d frames from and %d to the guest, doorbells %d polled from " +
            "the shared page, %d trapped", nic.portName(), counters.traffic().txFrames(),
            counters.traffic().rxFrames(), counters.doorbellsShared(), counters.doorbellsTrapped());
    }

    /**
     * {@inheritDoc}
     */
    public TrapProfile trapProfile(final GuestNic nic)
    {
        return TrapProfile.parse(ctl("--json", "stats", nic.portName()), nic.portName());
    }

    /**
     * {@inheritDoc}
     */
    public String peerDevice()
    {
        return BRIDGE;
    }

    /**
     * Stop the daemon (its ports and sockets go with it; the uplink TAP went into the namespace, which the run
     * deletes).
     */
    public void close()
    {
        stopDaemon();
    }

    private Process startDaemon()
    {
        final Path config = runDir.resolve("daemon.properties");
        final Path log = runDir.resolve("daemon.log");
        try
        {
            Files.createDirectories(runDir.resolve("ports"));
            Files.writeString(config,
                "# written by the e2e harness (io.sidecore.tools.e2e.SidecoreDaemonNetwork)\n" +
                CONTROL_SOCKET_PROPERTY + "=" + controlSocket + "\n" +
                COUNTERS_FILE_PROPERTY + "=" + countersFile + "\n" +
                PORT_SOCKET_DIR_PROPERTY + "=" + runDir.resolve("ports") + "\n",
                StandardCharsets.UTF_8);
            final Process process = new ProcessBuilder(sidecore.toString(), "daemon", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            final long deadlineNs = System.nanoTime() + DAEMON_START_TIMEOUT.toNanos();
            while (!Files.exists(controlSocket))
            {
                if (!process.isAlive())
                {
                    throw new E2eException("the sidecore daemon ('" + sidecore + " daemon --config " + config +
                        "') exited with " + process.exitValue() + " before its control socket " + controlSocket +
                        " appeared: " + Text.abbreviate(Files.readString(log, StandardCharsets.UTF_8)));
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    process.destroyForcibly();
                    throw new E2eException("the sidecore daemon made no control socket " + controlSocket + " within " +
                        DAEMON_START_TIMEOUT.toSeconds() + " s: " +
                        Text.abbreviate(Files.readString(log, StandardCharsets.UTF_8)));
                }
                Thread.sleep(200);
            }
            return process;
        }
        catch (final IOException ex)
        {
            throw new E2eException("cannot start the sidecore daemon: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new E2eException("interrupted while starting the sidecore daemon", ex);
        }
    }

    /**
     * A TAP-backed port for the peer, its TAP moved into the namespace onto the peer's bridge.
     */
    private void connectPeer()
    {
        ctl("create-port", UPLINK_PORT, "--backend", "uplink:" + uplinkTap);
        HostCommand.runChecked(TOOL_TIMEOUT, List.of("ip", "link", "set", uplinkTap, "netns", namespace.name()));
        namespace.ip("link", "add", BRIDGE, "address", TestSubnet.PEER_MAC, "type", "bridge");
        namespace.ip("link", "set", BRIDGE, "mtu", Integer.toString(TestSubnet.PEER_MTU));
        namespace.ip("link", "set", uplinkTap, "mtu", Integer.toString(TestSubnet.PEER_MTU));
        namespace.ip("link", "set", uplinkTap, "master", BRIDGE);
        namespace.ip("link", "set", uplinkTap, "up");
        namespace.ip("addr", "add", TestSubnet.PEER_ADDRESS + "/" + TestSubnet.PREFIX_LENGTH, "dev", BRIDGE);
        namespace.ip("link", "set", BRIDGE, "up");
    }

    /**
     * @param reply ctl's JSON result of create-port.
     * @return the port's device socket, or "" when the reply has none.
     */
    static String socketOf(final String reply)
    {
        final List<String> lines = Text.lines(reply);
        try
        {
            return lines.isEmpty() ? "" :
                JSON.readTree(lines.getLast()).path("port").path("socket").asText("");
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private String ctl(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(sidecore.toString(), "ctl", "--socket",
            controlSocket.toString()));
        command.addAll(List.of(args));
        return HostCommand.runChecked(TOOL_TIMEOUT, command);
    }

    private StatJson stat(final String portName)
    {
        return StatJson.parse(HostCommand.runChecked(TOOL_TIMEOUT, List.of(sidecore.toString(), "stat", "--format",
            "json", "--file", countersFile.toString(), "--port", portName)), portName);
    }

    private void stopDaemon()
    {
        // tools/sidecore may still be a shell (building) or have exec'd the JVM: end whatever it became.
        daemon.descendants().forEach(ProcessHandle::destroy);
        daemon.destroy();
        try
        {
            if (!daemon.waitFor(20, TimeUnit.SECONDS))
            {
                daemon.descendants().forEach(ProcessHandle::destroyForcibly);
                daemon.destroyForcibly();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            daemon.destroyForcibly();
        }
    }
}
