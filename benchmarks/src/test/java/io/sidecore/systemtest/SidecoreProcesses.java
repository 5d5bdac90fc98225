package io.sidecore.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test support: the daemon, {@code ctl}, {@code stat} and {@code guest} as real processes, started from this test's
 * class path with the JVM flags this JVM was given, their output in files under the test's directory. Everything
 * started is destroyed by {@link #close()}.
 */
final class SidecoreProcesses implements AutoCloseable
{
    static final String DAEMON_MAIN = "io.sidecore.launcher.daemon.DaemonMain";
    static final String CTL_MAIN = "io.sidecore.tools.ctl.CtlMain";
    static final String STAT_MAIN = "io.sidecore.tools.stat.StatMain";
    static final String GUEST_MAIN = "io.sidecore.tools.guest.GuestMain";
    static final ObjectMapper JSON = new ObjectMapper();
    /** The synthetic guest's summary line. */
    static final Pattern GUEST_LINE = Pattern.compile(
        "GUEST port=(\\S+) mac=(\\S+) pid=(\\d+) seconds=\\S+ tx_frames=(\\d+) rx_frames=(\\d+) interrupts=(\\d+) " +
        "trapped_accesses=(\\d+)");

    private static final long START_TIMEOUT_MS = 60_000;
    private static final long TOOL_TIMEOUT_MS = 120_000;

    private final Path directory;
    private final List<Process> started = new ArrayList<>();
    private int outputs;

    SidecoreProcesses(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Write a daemon properties file: its files under the directory, adaptive idling (the build shares the cores).
     *
     * @param name  file name.
     * @param extra further settings.
     * @return the file.
     */
    Path writeConfig(final String name, final Map<String, String> extra) throws IOException
    {
        final StringBuilder text = new StringBuilder()
            .append("sidecore.control.socket=").append(directory.resolve("run/control.sock")).append('\n')
            .append("sidecore.port.socket.dir=").append(directory.resolve("run/ports")).append('\n')
            .append("sidecore.counters.file=").append(directory.resolve("shm/counters.dat")).append('\n')
            .append("sidecore.idle.strategy=adaptive\n")
            .append("sidecore.idle.max.park=100us\n");
        for (final Map.Entry<String, String> entry : extra.entrySet())
        {
            text.append(entry.getKey()).append('=').append(entry.getValue()).append('\n');
        }
        final Path file = directory.resolve(name);
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * @return the test's directory: the daemon's files, the processes' logs.
     */
    Path directory()
    {
        return directory;
    }

    /**
     * @param name a file name.
     * @return that file in the test's directory.
     */
    Path file(final String name)
    {
        return directory.resolve(name);
    }

    Path controlSocket()
    {
        return directory.resolve("run/control.sock");
    }

    /**
     * Start a daemon and wait until its control socket answers.
     *
     * @param config its properties file.
     * @return the daemon.
     */
    DaemonProcess startDaemon(final Path config) throws IOException, InterruptedException
    {
        return startDaemonIn(List.of(), config);
    }

    /**
     * Start a daemon under a command prefix (e.g. {@code ip netns exec NS}) and wait until it answers.
     *
     * @param prefix the prefix.
     * @param config its properties file.
     * @return the daemon.
     */
    DaemonProcess startDaemonIn(final List<String> prefix, final Path config) throws IOException, InterruptedException
    {
        final Path log = directory.resolve("daemon-" + (++outputs) + ".log");
        final Process process = start(prefix, DAEMON_MAIN, log, "--config", config.toString());
        final DaemonProcess daemon = new DaemonProcess(process, log);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (true)
        {
            if (!process.isAlive())
            {
                throw new AssertionError("the daemon exited with " + process.exitValue() + ": " + daemon.log());
            }
            if (Files.exists(controlSocket()) && 0 == ctl("--config", config.toString(), "version").exit())
            {
                return daemon;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("the daemon did not answer within " + START_TIMEOUT_MS + " ms: " +
                    daemon.log());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Wait for a guest process to end with status 0 and return its summary line.
     *
     * @param guest the process.
     * @param log   its output.
     * @return the matched {@link #GUEST_LINE}.
     */
    static Matcher guestLine(final Process guest, final Path log) throws IOException, InterruptedException
    {
        if (!guest.waitFor(TOOL_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            throw new AssertionError("guest did not end within " + TOOL_TIMEOUT_MS + " ms: " + Files.readString(log));
        }
        final String output = Files.readString(log);
        if (0 != guest.exitValue())
        {
            throw new AssertionError("guest ended with " + guest.exitValue() + ": " + output);
        }
        final Matcher matcher = GUEST_LINE.matcher(output);
        if (!matcher.find())
        {
            throw new AssertionError("no GUEST line: " + output);
        }
        return matcher;
    }

    /**
     * @param snapshot {@code stat --format json}.
     * @param port     a port.
     * @param counter  a counter.
     * @return its value.
     */
    static long portCounter(final JsonNode snapshot, final String port, final String counter)
    {
        for (final JsonNode group : snapshot.get("ports"))
        {
            if (port.equals(group.get("name").asText()))
            {
                return group.get("counters").get(counter).asLong();
            }
        }
        throw new AssertionError("no port " + port + " in " + snapshot);
    }

    /**
     * Run a daemon to its end (for one that must refuse to start).
     */
    Run runDaemon(final Path config) throws IOException, InterruptedException
    {
        return run(DAEMON_MAIN, "--config", config.toString());
    }

    Run ctl(final String... args) throws IOException, InterruptedException
    {
        return run(CTL_MAIN, args);
    }

    /**
     * @param args ctl arguments, without --json.
     * @return the daemon's result as JSON, asserting ctl succeeded.
     */
    JsonNode ctlJson(final String... args) throws IOException, InterruptedException
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.add(0, "--json");
        final Run run = ctl(all.toArray(new String[0]));
        if (0 != run.exit())
        {
            throw new AssertionError("ctl " + String.join(" ", args) + " failed: " + run);
        }
        return JSON.readTree(run.out());
    }

    Run stat(final String... args) throws IOException, InterruptedException
    {
        return run(STAT_MAIN, args);
    }

    /**
     * Start a guest process in the background.
     */
    Process startGuest(final Path log, final String... args) throws IOException
    {
        return start(List.of(), GUEST_MAIN, log, args);
    }

    /**
     * Run a tool to its end.
     */
    Run run(final String main, final String... args) throws IOException, InterruptedException
    {
        return runAs(List.of(), main, args);
    }

    /**
     * Run a tool that starts processes of its own (the system benchmark) to its end, allowing it longer.
     */
    Run runLong(final long timeoutMs, final String main, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(javaCommand(main));
        command.addAll(List.of(args));
        return runCommand(command, timeoutMs);
    }

    /**
     * Run a command (not Java) to its end.
     */
    Run runCommand(final List<String> command) throws IOException, InterruptedException
    {
        return runCommand(command, TOOL_TIMEOUT_MS);
    }

    private Run runCommand(final List<String> command, final long timeoutMs) throws IOException, InterruptedException
    {
        final Path out = directory.resolve("out-" + (++outputs) + ".txt");
        final Path err = directory.resolve("err-" + outputs + ".txt");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        started.add(process);
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            // What it started first: killed forcibly, its shutdown hook would not stop them (a benchmark's daemon
            // would go on polling its core).
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within " + timeoutMs + " ms");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Run runAs(final List<String> prefix, final String main, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(javaCommand(main));
        command.addAll(List.of(args));
        return runCommand(command);
    }

    private Process start(final List<String> prefix, final String main, final Path log, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(javaCommand(main));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        started.add(process);
        return process;
    }

    /**
     * @param main a main class.
     * @return the command running it as this JVM runs: same java, class path and module flags.
     */
    static List<String> javaCommand(final String main)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports") ||
                argument.startsWith("--enable-native-access"))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        return command;
    }

    /**
     * @param pid a process.
     * @return descriptors it holds open, or -1 when it is gone.
     */
    static long openFds(final long pid)
    {
        final File[] fds = new File("/proc/" + pid + "/fd").listFiles();
        return null == fds ? -1 : fds.length;
    }

    /**
     * @return the daemon's descriptor count once it has not changed for 300 ms (earlier clients' connections are
     *         closed by then), at most 10 s.
     */
    static long stableFds(final long pid) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long count = openFds(pid);
        long stableSinceNs = System.nanoTime();
        while (System.nanoTime() - deadlineNs < 0 && System.nanoTime() - stableSinceNs < 300_000_000L)
        {
            Thread.sleep(20);
            final long now = openFds(pid);
            if (now != count)
            {
                count = now;
                stableSinceNs = System.nanoTime();
            }
        }
        return count;
    }

    /**
     * Destroy every process still running.
     */
    public void close()
    {
        for (final Process process : started)
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
                try
                {
                    process.waitFor(10, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * A tool's end.
     *
     * @param exit its status.
     * @param out  its standard output.
     * @param err  its standard error.
     */
    record Run(int exit, String out, String err)
    {
    }

    /**
     * A daemon process and its log.
     *
     * @param process the process.
     * @param logFile its standard output and error.
     */
    record DaemonProcess(Process process, Path logFile)
    {
        long pid()
        {
            return process.pid();
        }

        String log()
        {
            try
            {
                return Files.readString(logFile);
            }
            catch (final IOException ex)
            {
                return "(log unreadable: " + ex + ")";
            }
        }
    }
}
