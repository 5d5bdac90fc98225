package io.sidecore.bench.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The guests' process ({@code io.sidecore.tools.bench.LoadGuestMain}) on the guests' cores, steered line by line
 * through its standard input; its standard error goes to a log file.
 */
final class GuestProcess implements AutoCloseable
{
    static final String GUESTS_MAIN = "io.sidecore.tools.bench.LoadGuestMain";

    private static final long COMMAND_TIMEOUT_MS = 60_000;
    private static final long QUIT_TIMEOUT_MS = 60_000;

    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;

    private GuestProcess(final Process process, final Path log)
    {
        this.process = process;
        this.log = log;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
            {
                String line;
                while (null != (line = out.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final IOException ex)
            {
                lines.add("FAILED reading the guests' output: " + ex.getMessage());
            }
            lines.add("EXITED");
        }, "guest-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Start the guests and wait until every one is attached and linked.
     *
     * @param cpus          the guests' cores.
     * @param args          LoadGuestMain's arguments.
     * @param log           where its standard error goes.
     * @param setupTimeoutMs bound on the set-up.
     * @return the guests, ready.
     * @throws IOException when they fail to start or set up.
     * @throws InterruptedException when interrupted.
     */
    static GuestProcess start(final String cpus, final List<String> args, final Path log, final long setupTimeoutMs)
        throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(ChildJvm.command(cpus, List.of("-Xmx2g"), GUESTS_MAIN, args))
            .redirectError(log.toFile()).start();
        final GuestProcess guests = new GuestProcess(process, log);
        try
        {
            guests.await("READY", setupTimeoutMs);
            return guests;
        }
        catch (final IOException | RuntimeException ex)
        {
            guests.kill();
            throw ex;
        }
    }

    /**
     * Send a command and wait for its OK.
     *
     * @param command SEND, IDLE or MEASURE.
     * @throws IOException when the guests failed.
     * @throws InterruptedException when interrupted.
     */
    void command(final String command) throws IOException, InterruptedException
    {
        send(command);
        await("OK", COMMAND_TIMEOUT_MS);
    }

    /**
     * Ask for the measured interval's counts.
     *
     * @return the GUESTS line's fields and, with a probe, the LATENCY line's fields (prefixed {@code latency.}).
     * @throws IOException when the guests failed.
     * @throws InterruptedException when interrupted.
     */
    Map<String, String> report() throws IOException, InterruptedException
    {
        send("REPORT");
        final Map<String, String> fields = new HashMap<>();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMMAND_TIMEOUT_MS);
        while (true)
        {
            final String line = next(deadlineNs);
            if ("OK".equals(line))
            {
                return fields;
            }
            if (line.startsWith("GUESTS ") || line.startsWith("LATENCY "))
            {
                final String prefix = line.startsWith("LATENCY ") ? "latency." : "";
                for (final String field : line.substring(line.indexOf(' ') + 1).split(" "))
                {
                    final int equals = field.indexOf('=');
                    if (equals > 0)
                    {
                        fields.put(prefix + field.substring(0, equals), field.substring(equals + 1));
                    }
                }
            }
            else
            {
                failed(line);
            }
        }
    }

    /**
     * Detach every guest and wait for the process to end.
     *
     * @throws InterruptedException when interrupted.
     */
    void quit() throws InterruptedException
    {
        try
        {
            send("QUIT");
        }
        catch (final IOException ex)
        {
            // already gone
        }
        if (!process.waitFor(QUIT_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            kill();
        }
    }

    private void send(final String command) throws IOException
    {
        in.write(command + "\n");
        in.flush();
    }

    private String await(final String prefix, final long timeoutMs) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final String line = next(deadlineNs);
            if (line.startsWith(prefix))
            {
                return line;
            }
            failed(line);
        }
    }

    private String next(final long deadlineNs) throws IOException, InterruptedException
    {
        final String line = lines.poll(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (null == line)
        {
            throw new IOException("the guests did not answer in time; their log: " + logTail());
        }
        return line;
    }

    private void failed(final String line) throws IOException
    {
        if (line.startsWith("FAILED") || line.startsWith("EXITED") || line.startsWith("ERROR"))
        {
            throw new IOException("the guests failed: " + line + "; their log: " + logTail());
        }
    }

    private String logTail()
    {
        try
        {
            final List<String> all = new ArrayList<>();
            for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8))
            {
                if (!line.startsWith("WARNING:"))
                {
                    all.add(line);
                }
            }
            return String.join(" | ", all.subList(Math.max(0, all.size() - 5), all.size()));
        }
        catch (final IOException ex)
        {
            return "(none)";
        }
    }

    private void kill()
    {
        process.destroyForcibly();
    }

    /**
     * @return its pid.
     */
    long pid()
    {
        return process.pid();
    }

    public void close()
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
