package io.sidecore.tools.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console protocol against a real POSIX shell, another process ({@code /bin/sh} reading its standard input, as
 * busybox ash does on the guest's serial line). What a shell cannot be made to do on cue is fed by hand in
 * {@code GuestConsoleTest}.
 */
class GuestConsoleSystemTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    private GuestConsole shell(final String... shellArgs) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("/bin/sh"));
        command.addAll(List.of(shellArgs));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final StringWriter transcript = new StringWriter();
        final GuestConsole console = new GuestConsole("sh", process.getInputStream(), process.getOutputStream(),
            transcript);
        toClose.add(console);
        toClose.add(() ->
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        });
        return console;
    }

    @Test
    void shouldReturnOutputAndExitStatusWhenCommandCompletes() throws IOException
    {
        final GuestConsole console = shell();

        final GuestConsole.Result result = console.run("echo one; echo two; false", TIMEOUT);

        assertEquals(1, result.exitStatus());
        assertEquals("one\ntwo\n", result.output());
    }

    @Test
    void shouldRunCommandsInOrderWhenSeveral() throws IOException
    {
        final GuestConsole console = shell();

        assertEquals("a\n", console.run("echo a", TIMEOUT).output());
        assertEquals(3, console.run("(exit 3)", TIMEOUT).exitStatus());
        assertEquals("b\n", console.runChecked("echo b", TIMEOUT));
    }

    @Test
    void shouldKeepOutputWithoutTrailingNewlineWhenCommandEndsMidLine() throws IOException
    {
        final GuestConsole console = shell();

        final GuestConsole.Result result = console.run("printf 'no newline'", TIMEOUT);

        assertEquals(0, result.exitStatus());
        assertEquals("no newline", result.output());
    }

    @Test
    void shouldNotReadCommandsStandardInputFromConsole() throws IOException
    {
        final GuestConsole console = shell();

        final GuestConsole.Result result = console.run("cat; echo after-cat", TIMEOUT);

        assertEquals("after-cat\n", result.output());
        assertEquals("still\n", console.runChecked("echo still", TIMEOUT));
    }

    @Test
    void shouldIgnoreEchoedInputWhenConsoleEchoes() throws IOException
    {
        // sh -v writes each input line as it reads it, as a terminal with echo on would.
        final GuestConsole console = shell("-v");

        final GuestConsole.Result result = console.run("echo out", TIMEOUT);

        assertEquals(0, result.exitStatus());
        assertTrue(result.output().contains("out\n"), result.output());
        assertTrue(result.output().contains("\"E2E-\"\"RC 1 $?\""), "the echo is part of the output, not a marker: " +
            result.output());
    }

    @Test
    void shouldFailWithCommandAndTailWhenCommandRunsPastTimeout() throws IOException
    {
        final GuestConsole console = shell();
        console.runChecked("echo before", TIMEOUT);

        final E2eException ex = assertThrows(E2eException.class,
            () -> console.run("sleep 5", Duration.ofMillis(300)));

        assertTrue(ex.getMessage().contains("'sleep 5' to finish within 0 s"), ex.getMessage());
        assertTrue(ex.getMessage().contains("console tail of sh:\nbefore\nE2E-RC 1 0"), ex.getMessage());
    }

    @Test
    void shouldIgnoreLateMarkerOfTimedOutCommand() throws IOException
    {
        final GuestConsole console = shell();
        assertThrows(E2eException.class, () -> console.run("sleep 1; echo late", Duration.ofMillis(100)));

        final GuestConsole.Result result = console.run("echo next", TIMEOUT);

        assertEquals("late\nnext\n", result.output(), "the late command's marker (sequence 1) is neither taken for " +
            "2's nor part of 2's output");
    }

    @Test
    void shouldFailWhenCommandFailsAndOutputIsRequired() throws IOException
    {
        final GuestConsole console = shell();

        final E2eException ex = assertThrows(E2eException.class,
            () -> console.runChecked("echo broken >&2; exit_code() { return 4; }; exit_code", TIMEOUT));

        assertTrue(ex.getMessage().contains("exited 4: broken"), ex.getMessage());
    }

    @Test
    void shouldFailAtOnceWhenConsoleEnds() throws IOException
    {
        final GuestConsole console = shell();

        final long startNs = System.nanoTime();
        final E2eException ex = assertThrows(E2eException.class, () -> console.run("exit 0", TIMEOUT));

        assertTrue(ex.getMessage().contains("console of sh ended"), ex.getMessage());
        assertTrue(System.nanoTime() - startNs < TIMEOUT.toNanos(), "no wait for the timeout");
    }
}
