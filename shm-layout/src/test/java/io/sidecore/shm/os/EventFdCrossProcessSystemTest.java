package io.sidecore.shm.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * System test (two processes): an eventfd interrupt crossing a process boundary, as between sidecore and a VMM.
 * The child JVM ({@link EventFdPeer}) creates the eventfds and a memfd; this process takes them with
 * {@code pidfd_getfd} (it is the child's ancestor, so ptrace rights hold) and maps the memfd.
 */
@Tag("system")
class EventFdCrossProcessSystemTest
{
    private static final int SIGNALS = 200;
    private static final int TIMEOUT_MS = 20_000;

    private Process child;

    @AfterEach
    void stopChild()
    {
        if (child != null && child.isAlive())
        {
            child.destroyForcibly();
        }
    }

    private Process startPeer(final String mode, final int count) throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder builder = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), EventFdPeer.class.getName(), mode,
            Integer.toString(count)));
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        return builder.start();
    }

    private static int[] readFds(final BufferedReader out) throws IOException
    {
        final String line = out.readLine();
        assertNotNull(line, "child exited before printing its descriptors");
        final String[] words = line.split(" ");
        assertEquals("FDS", words[0], line);
        final int[] fds = new int[words.length - 1];
        for (int i = 0; i < fds.length; i++)
        {
            fds[i] = Integer.parseInt(words[i + 1]);
        }
        return fds;
    }

    @Test
    void shouldWakeChildOncePerSignalWhenParentSignalsChildEventFd() throws Exception
    {
        child = startPeer("wait", SIGNALS);
        final BufferedReader out = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
        final int[] remote = readFds(out);
        final long pid = child.pid();
        try (EventFd irq = EventFd.adopt(Fds.takeFromProcess(pid, remote[0]));
            EventFd ack = EventFd.adopt(Fds.takeFromProcess(pid, remote[1]));
            MemFd memFd = MemFd.adopt(Fds.takeFromProcess(pid, remote[2]), "peer");
            Arena arena = Arena.ofConfined())
        {
            final MemorySegment shared = memFd.map(arena);
            for (int i = 1; i <= SIGNALS; i++)
            {
                shared.set(JAVA_LONG, 0, i);
                assertTrue(irq.signal());
                if (!ack.await(TIMEOUT_MS))
                {
                    fail("child did not acknowledge interrupt " + i);
                }
                assertEquals(1, ack.drain());
                assertEquals(i, shared.get(JAVA_LONG, 8), "child's running total, written in the shared memfd");
            }
        }
        assertTrue(child.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS), "child did not exit");
        assertEquals("SEEN " + SIGNALS + " WAKEUPS " + SIGNALS + " MISMATCHES 0", out.readLine());
        assertEquals(0, child.exitValue());
    }

    @Test
    void shouldCountEverySignalWhenChildSignalsParentEventFd() throws Exception
    {
        child = startPeer("signal", SIGNALS);
        final BufferedReader out = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
        final int[] remote = readFds(out);
        try (EventFd eventFd = EventFd.adopt(Fds.takeFromProcess(child.pid(), remote[0])))
        {
            assertEquals(0, eventFd.drain());
            final OutputStream in = child.getOutputStream();
            in.write("GO\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();

            long total = 0;
            final long deadlineMs = System.currentTimeMillis() + TIMEOUT_MS;
            while (total < SIGNALS && System.currentTimeMillis() < deadlineMs)
            {
                if (eventFd.await(1_000))
                {
                    total += eventFd.drain();
                }
            }
            assertTrue(child.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS), "child did not exit");
            total += eventFd.drain();

            assertEquals(SIGNALS, total);
            assertEquals("SIGNALLED " + SIGNALS, out.readLine());
            assertEquals(0, child.exitValue());
        }
    }
}
