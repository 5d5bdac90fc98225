package io.sidecore.tools.e2e;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host program to completion with a time limit, standard error merged into the output. A program that
 * outlives its limit is killed (with its descendants) and reported as timed out.
 */
final class HostCommand
{
    /** Exit code reported for a program killed at its time limit. */
    static final int TIMED_OUT = -1;

    private HostCommand()
    {
    }

    /**
     * The outcome of one program run.
     *
     * @param command  the command line.
     * @param exitCode its exit code, or {@link #TIMED_OUT}.
     * @param output   standard output and error, merged.
     */
    record Result(List<String> command, int exitCode, String output)
    {
        boolean succeeded()
        {
            return 0 == exitCode;
        }

        /**
         * @return one line saying how the command ended, with its output.
         */
        String describe()
        {
            final String how = TIMED_OUT == exitCode ? "timed out" : "exited " + exitCode;
            return "'" + String.join(" ", command) + "' " + how + (output.isBlank() ? "" : ": " + output.strip());
        }
    }

    /**
     * @param timeout how long the program may run.
     * @param command the command line.
     * @return how it ended; never throws for a failing program.
     */
    static Result run(final Duration timeout, final List<String> command)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(
                ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        }
        catch (final IOException ex)
        {
            return new Result(command, 127, "cannot start: " + ex.getMessage());
        }
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final Thread drain = Thread.ofVirtual().start(() -> copy(process.getInputStream(), output));
        try
        {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                drain.join(Duration.ofSeconds(5));
                return new Result(command, TIMED_OUT, text(output));
            }
            drain.join(Duration.ofSeconds(5));
            return new Result(command, process.exitValue(), text(output));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new E2eException("interrupted while running " + String.join(" ", command), ex);
        }
    }

    /**
     * @param timeout how long the program may run.
     * @param command the command line.
     * @return its output.
     * @throws E2eException when it fails or times out, with its output.
     */
    static String runChecked(final Duration timeout, final List<String> command)
    {
        final Result result = run(timeout, command);
        if (!result.succeeded())
        {
            throw new E2eException(result.describe());
        }
        return result.output();
    }

    private static void copy(final InputStream in, final ByteArrayOutputStream out)
    {
        try (in)
        {
            in.transferTo(out);
        }
        catch (final IOException ignored)
        {
            // The process was killed; what was read so far is kept.
        }
    }

    private static String text(final ByteArrayOutputStream output)
    {
        return output.toString(StandardCharsets.UTF_8);
    }
}
