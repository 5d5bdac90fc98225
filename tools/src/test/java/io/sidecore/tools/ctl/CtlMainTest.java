package io.sidecore.tools.ctl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sidecore.shm.control.ControlProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ctl}'s command line without a daemon: usage errors and an unreachable daemon. Its requests are tested
 * against a real daemon in the system tests.
 */
class CtlMainTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExitTwoWithoutCommand()
    {
        final Result result = run();

        assertEquals(2, result.exit);
        assertTrue(result.err.contains("a command is required"), result.err);
    }

    @Test
    void shouldExitTwoForDurationThatDoesNotParse()
    {
        final Result result = run("--socket", dir.resolve("c.sock").toString(), "set", "g0", "--moderation", "soon");

        assertEquals(2, result.exit);
        assertTrue(result.err.contains("--moderation must be a duration"), result.err);
    }

    /**
     * {@code ctl list} shows {@code attached=true} only once the guest's memory is mapped: {@code attaching} or
     * {@code detaching} while a guest holds the port without it, {@code false} without a guest, and {@code true} for
     * a daemon that does not report the state.
     */
    @Test
    void shouldShowAttachedOnlyOnceTheGuestsMemoryIsMapped() throws IOException
    {
        final ObjectMapper json = new ObjectMapper();

        assertEquals("attaching", CtlMain.attached(json.readTree("{\"" + ControlProtocol.ATTACHED + "\":true,\"" +
            ControlProtocol.GUEST_STATE + "\":\"" + ControlProtocol.GUEST_STATE_ATTACHING + "\"}")));
        assertEquals("true", CtlMain.attached(json.readTree("{\"" + ControlProtocol.ATTACHED + "\":true,\"" +
            ControlProtocol.GUEST_STATE + "\":\"" + ControlProtocol.GUEST_STATE_ATTACHED + "\"}")));
        assertEquals("detaching", CtlMain.attached(json.readTree("{\"" + ControlProtocol.ATTACHED + "\":true,\"" +
            ControlProtocol.GUEST_STATE + "\":\"" + ControlProtocol.GUEST_STATE_DETACHING + "\"}")));
        assertEquals("false", CtlMain.attached(json.readTree("{\"" + ControlProtocol.ATTACHED + "\":false}")));
        assertEquals("true", CtlMain.attached(json.readTree("{\"" + ControlProtocol.ATTACHED + "\":true}")));
    }

    @Test
    void shouldExitOneNamingSocketWhenDaemonUnreachable()
    {
        final Path socket = dir.resolve("none.sock");

        final Result result = run("--socket", socket.toString(), "list");

        assertEquals(1, result.exit);
        assertTrue(result.err.contains("cannot connect to the sidecore daemon at " + socket), result.err);
    }

    @Test
    void shouldFindSocketFromDaemonConfiguration() throws IOException
    {
        final Path socket = dir.resolve("from-config.sock");
        final Path config = dir.resolve("sidecore.properties");
        Files.writeString(config, "sidecore.control.socket=" + socket + "\n");

        final Result result = run("--config", config.toString(), "version");

        assertEquals(1, result.exit);
        assertTrue(result.err.contains(socket.toString()), result.err);
    }

    private static Result run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = new CommandLine(new CtlMain()).setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private record Result(int exit, String out, String err)
    {
    }
}
