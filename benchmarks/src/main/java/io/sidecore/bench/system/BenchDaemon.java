package io.sidecore.bench.system;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.tools.control.ControlClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The daemon under test, as its own process: {@code tools/sidecore daemon}'s main class with a properties file of
 * the benchmark's (its sidecore pinned to the sidecore core, every other thread of it kept on the guests' cores with
 * taskset so its control and socket threads never preempt the sidecore), a private temporary directory (so the
 * affinity library's CPU locks of other processes on the machine do not stop the pinning), and a JFR recording
 * dumped when it stops.
 */
final class BenchDaemon implements AutoCloseable
{
    static final String DAEMON_MAIN = "io.sidecore.launcher.daemon.DaemonMain";

    private static final long START_TIMEOUT_MS = 120_000;
    private static final long STOP_TIMEOUT_MS = 300_000;
    private static final String RECORDING = "sidecore-bench";

    private final Path directory;
    private final Map<String, String> settings;
    private final List<String> jvmOptions;
    private final Process process;
    private final Path log;

    private BenchDaemon(
        final Path directory, final Map<String, String> settings, final List<String> jvmOptions,
        final Process process, final Path log)
    {
        this.directory = directory;
        this.settings = settings;
        this.jvmOptions = jvmOptions;
        this.process = process;
        this.log = log;
    }

    /** The settings the benchmark gives the daemon itself, which {@code --daemon-setting} may not change. */
    static final Set<String> BENCHMARK_KEYS = Set.copyOf(
        benchmarkSettings(Path.of("/"), Path.of("/"), 0, "busy").keySet());

    /** The daemon's declared ports ({@code sidecore.ports}, {@code sidecore.ports.NAME.*}): the benchmark's own. */
    private static final String DECLARED_PORTS = "sidecore.ports";

    /**
     * @param key a daemon setting's name.
     * @return true when the benchmark sets it itself ({@link #BENCHMARK_KEYS}) or it declares ports (the
     *     benchmark creates its own): {@code --daemon-setting} may not give it.
     */
    static boolean isBenchmarkKey(final String key)
    {
        return BENCHMARK_KEYS.contains(key) || DECLARED_PORTS.equals(key) || key.startsWith(DECLARED_PORTS + ".");
    }

    /**
     * The daemon's settings for a benchmark: capacity for 256 guests and a probe (ports, connections, counters),
     * no control request rate limit, and a long command timeout (setting up hundreds of guests makes millions of
     * trapped accesses on a busy machine); everything else the embedded defaults.
     *
     * @param directory   where its sockets go.
     * @param countersFile its counters file.
     * @param sidecoreCpu the sidecore's core.
     * @param idleStrategy busy or adaptive.
     * @return the settings, in order.
     */
    static Map<String, String> settings(
        final Path directory, final Path countersFile, final int sidecoreCpu, final String idleStrategy)
    {
        return settings(directory, countersFile, sidecoreCpu, idleStrategy, Map.of());
    }

    /**
     * {@link #settings(Path, Path, int, String)} with the run's own settings over the embedded defaults.
     *
     * @param directory    where its sockets go.
     * @param countersFile its counters file.
     * @param sidecoreCpu  the sidecore's core.
     * @param idleStrategy busy or adaptive.
     * @param extra        {@code --daemon-setting}s, none a {@linkplain #isBenchmarkKey benchmark key}.
     * @return the settings, in order.
     */
    static Map<String, String> settings(final Path directory, final Path countersFile, final int sidecoreCpu,
        final String idleStrategy, final Map<String, String> extra)
    {
        for (final String key : extra.keySet())
        {
            if (isBenchmarkKey(key))
            {
                throw new IllegalArgumentException("the benchmark sets " + key + " itself");
            }
        }
        final Map<String, String> settings = benchmarkSettings(directory, countersFile, sidecoreCpu, idleStrategy);
        settings.putAll(new TreeMap<>(extra));
        return settings;
    }

    private static Map<String, String> benchmarkSettings(
        final Path directory, final Path countersFile, final int sidecoreCpu, final String idleStrategy)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sidecore.control.socket", directory.resolve("run/control.sock").toString());
        settings.put("sidecore.port.socket.dir", directory.resolve("run/ports").toString());
        settings.put("sidecore.counters.file", countersFile.toString());
        settings.put("sidecore.cores", Integer.toString(sidecoreCpu));
        settings.put("sidecore.idle.strategy", idleStrategy);
        settings.put("sidecore.max.ports", "600");
        // one sidecore owns every port of a case: 256 guests, a receiver and the probe are 258 (default 256)
        settings.put("sidecore.max.ports.per.sidecore", "600");
        settings.put("sidecore.max.counters", "32768");
        settings.put("sidecore.control.max.connections", "600");
        settings.put("sidecore.control.max.requests.per.second", "1000000");
        settings.put("sidecore.command.timeout", "60s");
        return settings;
    }

    /**
     * Start the daemon and wait until its control socket answers.
     *
     * @param directory  its directory (properties, log, sockets, temporary files, JFR recording).
     * @param settings   its properties.
     * @param guestCpus  the cores its threads other than the sidecore may use.
     * @param jfr        record with JFR (the profile settings, every safepoint, and allocations outside a TLAB: all
     *                   of them under {@code -XX:-UseTLAB}, with debug information between safepoints so samples
     *                   land on the stalling access), written by {@link #dumpRecording()}.
     * @param extraJvmOptions further JVM options.
     * @return the running daemon.
     * @throws IOException when it cannot be started or does not answer.
     * @throws InterruptedException when interrupted.
     */
    static BenchDaemon start(final Path directory, final Map<String, String> settings, final String guestCpus,
        final boolean jfr, final List<String> extraJvmOptions) throws IOException, InterruptedException
    {
        Files.createDirectories(directory.resolve("tmp"));
        final StringBuilder properties = new StringBuilder();
        settings.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        final Path config = directory.resolve("daemon.properties");
        Files.writeString(config, properties.toString(), StandardCharsets.UTF_8);
        final List<String> jvmOptions = new ArrayList<>(List.of("-Djava.io.tmpdir=" + directory.resolve("tmp"),
            "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"));
        if (jfr)
        {
            // Without debug information between safepoints JFR attributes a sample to the nearest safepoint poll, a
            // loop's back edge or a method's return, which is not where the time went (a guest-to-guest 1514-byte
            // case's PROFILE line named Port$TransmitSide.onFrame and PortTimerQueue.scheduleNoLaterThan for what,
            // with it, is the TX gather's first touch of the guest's buffer lines and the checksum).
            jvmOptions.add("-XX:+UnlockDiagnosticVMOptions");
            jvmOptions.add("-XX:+DebugNonSafepoints");
            jvmOptions.add("-XX:StartFlightRecording=name=" + RECORDING + ",settings=profile," +
                "jdk.SafepointBegin#enabled=true,jdk.SafepointBegin#threshold=0ms," +
                "jdk.ObjectAllocationOutsideTLAB#enabled=true");
        }
        jvmOptions.addAll(extraJvmOptions);
        final Path log = directory.resolve("daemon.log");
        final Process process = new ProcessBuilder(ChildJvm.command(guestCpus, jvmOptions, DAEMON_MAIN,
            List.of("--config", config.toString()))).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final BenchDaemon daemon = new BenchDaemon(directory, settings, jvmOptions, process, log);
        daemon.awaitAnswer();
        return daemon;
    }

    private void awaitAnswer() throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (true)
        {
            if (!process.isAlive())
            {
                throw new IOException("the daemon exited with status " + process.exitValue() + ": " + logTail());
            }
            if (Files.exists(controlSocket()))
            {
                try (ControlClient client = ControlClient.connect(controlSocket()))
                {
                    if (client.call(client.newRequest(ControlProtocol.CMD_VERSION)).ok())
                    {
                        return;
                    }
                }
                catch (final IOException ex)
                {
                    // not listening yet
                }
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                close();
                throw new IOException("the daemon did not answer within " + START_TIMEOUT_MS + " ms: " + logTail());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Create a port.
     *
     * @param name    its name.
     * @param mac     its MAC.
     * @param backend switch, null or tap:NAME.
     * @param csb     offer the CSB.
     * @throws IOException when the daemon refuses it.
     */
    void createPort(final String name, final String mac, final String backend, final boolean csb) throws IOException
    {
        try (ControlClient client = ControlClient.connect(controlSocket()))
        {
            final ObjectNode request = client.newRequest(ControlProtocol.CMD_CREATE_PORT);
            request.put(ControlProtocol.NAME, name);
            request.put(ControlProtocol.MAC, mac);
            request.put(ControlProtocol.BACKEND, backend);
            request.put(ControlProtocol.CSB, csb);
            final ControlClient.ControlResponse response = client.call(request);
            if (!response.ok())
            {
                throw new IOException("create-port " + name + " refused (" + response.errorCode() + "): " +
                    response.errorMessage());
            }
        }
    }

    /**
     * Destroy ports, ignoring those already gone.
     *
     * @param names the ports.
     * @throws IOException when the socket fails.
     */
    void destroyPorts(final List<String> names) throws IOException
    {
        try (ControlClient client = ControlClient.connect(controlSocket()))
        {
            for (final String name : names)
            {
                final ObjectNode request = client.newRequest(ControlProtocol.CMD_DESTROY_PORT);
                request.put(ControlProtocol.NAME, name);
                client.call(request);
            }
        }
    }

    /**
     * @return the control socket.
     */
    Path controlSocket()
    {
        return Path.of(settings.get("sidecore.control.socket"));
    }

    /**
     * @return the port socket directory.
     */
    Path portSocketDirectory()
    {
        return Path.of(settings.get("sidecore.port.socket.dir"));
    }

    /**
     * @return the counters file.
     */
    Path countersFile()
    {
        return Path.of(settings.get("sidecore.counters.file"));
    }

    /**
     * @return its settings.
     */
    Map<String, String> settings()
    {
        return settings;
    }

    /**
     * @return its JVM options beyond the project's flags.
     */
    List<String> jvmOptions()
    {
        return jvmOptions;
    }

    /**
     * @return its pid.
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * @return where {@link #dumpRecording()} writes the JFR recording.
     */
    Path recording()
    {
        return directory.resolve("daemon.jfr");
    }

    /**
     * @return the OS thread id of its sidecore thread ({@code sidecore-0}), or -1 when not found.
     */
    long sidecoreThreadId()
    {
        return ThreadStats.findThread(process.pid(), "sidecore-0");
    }

    /**
     * @return the last lines of its log.
     */
    String logTail()
    {
        try
        {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /**
     * Write the JFR recording so far to {@link #recording()} with {@code jcmd} (the daemon ends itself with
     * {@code Runtime.halt} after its own shutdown, so JFR's dump-on-exit cannot be relied on).
     *
     * @throws IOException when jcmd fails.
     * @throws InterruptedException when interrupted.
     */
    void dumpRecording() throws IOException, InterruptedException
    {
        final Path jcmd = Path.of(ChildJvm.javaBinary()).resolveSibling("jcmd");
        final Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "JFR.dump",
            "name=" + RECORDING, "filename=" + recording()).redirectErrorStream(true).start();
        final String output = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!dump.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS) || 0 != dump.exitValue())
        {
            throw new IOException("jcmd JFR.dump failed: " + output);
        }
    }

    /**
     * Stop it (SIGTERM: it exits 0) and wait.
     */
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
