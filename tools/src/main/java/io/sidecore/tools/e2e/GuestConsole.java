package io.sidecore.tools.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives a guest's serial console: the shell that the guest's {@code /init} (tools/e2e/guest-init) leaves on it,
 * with echo off and no prompt. A reader thread collects the console's lines (carriage returns dropped) and copies
 * them to a transcript; commands are sent one at a time and end with a marker line carrying a sequence number and
 * the command's exit status:
 * <pre>
 *   { COMMAND
 *   } &lt;/dev/null; echo "E2E-""RC SEQ $?"     prints   ...output...\nE2E-RC SEQ STATUS
 * </pre>
 * The quotes split the marker in the command text, so an echo of the input (before {@code stty -echo}, or if it
 * failed) never looks like a completion; the sequence number makes a late marker of a timed-out command harmless.
 * Every failure names the guest and quotes the console's last lines.
 */
final class GuestConsole implements AutoCloseable
{
    /** The line guest-init prints when the console shell is ready. */
    static final String READY_MARKER = "E2E-GUEST-READY";
    /** Console lines quoted in failure messages. */
    static final int TAIL_LINES = 25;

    private static final Pattern COMPLETION = Pattern.compile("^(.*)E2E-RC (\\d+) (\\d+)$");

    private final String guestName;
    private final OutputStream toGuest;
    private final Writer transcript;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partialLine = new StringBuilder();
    private boolean ended;
    private int sequence;

    /**
     * The result of one console command.
     *
     * @param exitStatus the command's {@code $?}.
     * @param output     what it printed, lines joined with '\n'.
     */
    record Result(int exitStatus, String output)
    {
    }

    /**
     * @param guestName  names the guest in messages.
     * @param fromGuest  the console's output (QEMU's serial on its standard output).
     * @param toGuest    the console's input.
     * @param transcript receives every console line; closed with the console.
     */
    GuestConsole(
        final String guestName, final InputStream fromGuest, final OutputStream toGuest, final Writer transcript)
    {
        this.guestName = guestName;
        this.toGuest = toGuest;
        this.transcript = transcript;
        this.reader = Thread.ofPlatform().daemon().name("e2e-console-" + guestName).start(() -> readAll(fromGuest));
    }

    /**
     * @return the number of complete lines so far: a position to wait from.
     */
    synchronized int position()
    {
        return lines.size();
    }

    /**
     * Wait for the guest's shell to be ready (after boot or reboot).
     *
     * @param fromPosition ignore lines before this {@link #position()}.
     * @param timeout      how long the boot may take.
     * @return the ready line.
     */
    String awaitReady(final int fromPosition, final Duration timeout)
    {
        return awaitLine(fromPosition, READY_MARKER, timeout, "boot to its console shell");
    }

    /**
     * @param fromPosition first line to look at.
     * @param text         text the line contains.
     * @param timeout      how long to wait.
     * @param what         what is awaited, for the message.
     * @return the first such line.
     * @throws E2eException on timeout or when the console ends, with the console tail.
     */
    synchronized String awaitLine(final int fromPosition, final String text, final Duration timeout, final String what)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        int next = fromPosition;
        while (true)
        {
            for (; next < lines.size(); next++)
            {
                if (lines.get(next).contains(text))
                {
                    return lines.get(next);
                }
            }
            waitForMore(deadlineNs, what, timeout);
        }
    }

    /**
     * Send a line to the console without waiting for anything (e.g. {@code reboot -f}).
     *
     * @param line the text; a newline is added.
     */
    void send(final String line)
    {
        try
        {
            toGuest.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            toGuest.flush();
        }
        catch (final IOException ex)
        {
            throw new E2eException("cannot write to the console of " + guestName + " (QEMU gone?): " +
                ex.getMessage() + tailForMessage(), ex);
        }
    }

    /**
     * Run a shell command on the console and wait for it to finish.
     *
     * @param command one shell command line (no trailing newline; may contain ';', '&&', pipes).
     * @param timeout how long it may take.
     * @return its exit status and output.
     * @throws E2eException when it does not finish in time or the console ends.
     */
    Result run(final String command, final Duration timeout)
    {
        final int mySequence;
        final int from;
        synchronized (this)
        {
            mySequence = ++sequence;
            from = lines.size();
        }
        send("{ " + command + "\n} </dev/null; echo \"E2E-\"\"RC " + mySequence + " $?\"");
        return awaitCompletion(from, mySequence, command, timeout);
    }

    /**
     * Run a command that must succeed.
     *
     * @param command one shell command line.
     * @param timeout how long it may take.
     * @return its output.
     * @throws E2eException when it fails (with its output) or does not finish.
     */
    String runChecked(final String command, final Duration timeout)
    {
        final Result result = run(command, timeout);
        if (0 != result.exitStatus())
        {
            throw new E2eException("'" + command + "' on " + guestName + " exited " + result.exitStatus() + ": " +
                Text.abbreviate(result.output()));
        }
        return result.output();
    }

    /**
     * @return the console's last {@link #TAIL_LINES} lines (and the unfinished one), newline-separated.
     */
    synchronized String tail()
    {
        final StringBuilder tail = new StringBuilder();
        for (int i = Math.max(0, lines.size() - TAIL_LINES); i < lines.size(); i++)
        {
            tail.append(lines.get(i)).append('\n');
        }
        if (!partialLine.isEmpty())
        {
            tail.append(partialLine).append('\n');
        }
        return tail.toString();
    }

    /**
     * Stop reading (the caller ends QEMU, which closes the stream) and close the transcript.
     */
    public void close()
    {
        try
        {
            reader.join(Duration.ofSeconds(5));
            synchronized (this)
            {
                transcript.close();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException ignored)
        {
            // The transcript is diagnostics only.
        }
    }

    private synchronized Result awaitCompletion(
        final int from, final int mySequence, final String command, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        int next = from;
        while (true)
        {
            for (; next < lines.size(); next++)
            {
                final Matcher matcher = COMPLETION.matcher(lines.get(next));
                if (matcher.matches() && Integer.parseInt(matcher.group(2)) == mySequence)
                {
                    final StringBuilder output = new StringBuilder();
                    for (int i = from; i < next; i++)
                    {
                        // A late marker of an earlier, timed-out command is no output of this one.
                        if (!COMPLETION.matcher(lines.get(i)).matches())
                        {
                            output.append(lines.get(i)).append('\n');
                        }
                    }
                    output.append(matcher.group(1));
                    return new Result(Integer.parseInt(matcher.group(3)), output.toString());
                }
            }
            waitForMore(deadlineNs, "'" + command + "' to finish", timeout);
        }
    }

    private void waitForMore(final long deadlineNs, final String what, final Duration timeout)
    {
        if (ended)
        {
            throw new E2eException("the console of " + guestName + " ended (QEMU exited) while waiting for " + what +
                tailForMessage());
        }
        final long remainingMs = (deadlineNs - System.nanoTime()) / 1_000_000;
        if (remainingMs <= 0)
        {
            throw new E2eException(guestName + " did not " + what + " within " + timeout.toSeconds() + " s" +
                tailForMessage());
        }
        try
        {
            wait(remainingMs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new E2eException("interrupted while waiting for " + guestName + " to " + what, ex);
        }
    }

    private String tailForMessage()
    {
        return "; console tail of " + guestName + ":\n" + tail();
    }

    private void readAll(final InputStream fromGuest)
    {
        final byte[] buffer = new byte[8192];
        try (fromGuest)
        {
            int read;
            while ((read = fromGuest.read(buffer)) > 0)
            {
                accept(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
            }
        }
        catch (final IOException ignored)
        {
            // The stream ends when QEMU ends; waiters learn it through 'ended'.
        }
        synchronized (this)
        {
            if (!partialLine.isEmpty())
            {
                appendLine(partialLine.toString());
                partialLine.setLength(0);
            }
            ended = true;
            notifyAll();
        }
    }

    private synchronized void accept(final String chunk)
    {
        for (int i = 0; i < chunk.length(); i++)
        {
            final char c = chunk.charAt(i);
            if ('\n' == c)
            {
                appendLine(partialLine.toString());
                partialLine.setLength(0);
            }
            else if ('\r' != c)
            {
                partialLine.append(c);
            }
        }
        notifyAll();
    }

    private void appendLine(final String line)
    {
        lines.add(line);
        try
        {
            transcript.write(line);
            transcript.write('\n');
            transcript.flush();
        }
        catch (final IOException ignored)
        {
            // The transcript is diagnostics only; the lines are kept in memory for the run.
        }
    }
}
