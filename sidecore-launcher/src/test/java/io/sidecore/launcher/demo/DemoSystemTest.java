package io.sidecore.launcher.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System test: runs the whole demo in this JVM, with real memfds, mappings and eventfds, a sidecore thread (busy
 * polling, unpinned so as not to take a core from the build) and the guest thread, for one second of traffic.
 */
class DemoSystemTest
{
    private static final Pattern SUMMARY = Pattern.compile(
        "SUMMARY guests=(\\d+) seconds=(\\d+) tx_frames=(\\d+) rx_frames=(\\d+) dropped=(\\d+) " +
            "unaccounted=(-?\\d+) mpps=(\\d+\\.\\d{3}) gbps=(\\d+\\.\\d{3})");
    private static final Pattern PORT = Pattern.compile(
        "PORT name=(g\\d+) tx_frames=(\\d+) rx_frames=(\\d+) dropped=(\\d+)");

    @Test
    void shouldDeliverOrCountEveryFrameWhenTwoGuestsSendToEachOther()
    {
        final Run run = run("--guests", "2", "--seconds", "1", "--no-pin");

        assertEquals(DemoRunner.EXIT_OK, run.status, run.describe());
        final Matcher summary = run.summary();
        assertEquals("2", summary.group(1));
        assertEquals("1", summary.group(2));
        assertEquals("0", summary.group(6), run.describe());
        final List<Matcher> ports = run.ports();
        assertEquals(2, ports.size(), run.describe());
        long tx = 0;
        long rx = 0;
        long dropped = 0;
        for (int i = 0; i < ports.size(); i++)
        {
            final Matcher port = ports.get(i);
            assertEquals("g" + i, port.group(1));
            assertTrue(Long.parseLong(port.group(3)) > 0, "rx_frames of " + port.group(1) + ": " + run.describe());
            tx += Long.parseLong(port.group(2));
            rx += Long.parseLong(port.group(3));
            dropped += Long.parseLong(port.group(4));
        }
        assertEquals(Long.parseLong(summary.group(3)), tx);
        assertEquals(Long.parseLong(summary.group(4)), rx);
        assertEquals(Long.parseLong(summary.group(3)), rx + dropped, run.describe());
        final double mpps = Double.parseDouble(summary.group(7));
        assertEquals(rx / 1e6, mpps, 0.0005 + 1e-9);
    }

    @Test
    void shouldDeliverBackToItselfWhenOneGuest()
    {
        final Run run = run("--guests", "1", "--seconds", "1", "--frame-bytes", "1514", "--no-pin");

        assertEquals(DemoRunner.EXIT_OK, run.status, run.describe());
        final Matcher summary = run.summary();
        assertEquals("0", summary.group(6), run.describe());
        final List<Matcher> ports = run.ports();
        assertEquals(1, ports.size(), run.describe());
        assertTrue(Long.parseLong(ports.get(0).group(3)) > 0, run.describe());
        // Every frame received is at least the 1514 bytes sent (the device may add the FCS), over 1 s.
        final long rx = Long.parseLong(summary.group(4));
        final double gbps = Double.parseDouble(summary.group(8));
        assertTrue(gbps >= rx * 1514 * 8 / 1e9 - 0.0005, run.describe());
    }

    private static Run run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = DemoCommand.execute(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Run(int status, String out, String err)
    {
        List<String> lines()
        {
            return out.lines().toList();
        }

        Matcher summary()
        {
            final List<String> lines = lines();
            final String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
            final Matcher matcher = SUMMARY.matcher(last);
            assertTrue(matcher.matches(), "last line is not a SUMMARY: " + describe());
            return matcher;
        }

        List<Matcher> ports()
        {
            final List<Matcher> ports = new ArrayList<>();
            for (final String line : lines())
            {
                if (line.startsWith("PORT "))
                {
                    final Matcher matcher = PORT.matcher(line);
                    assertTrue(matcher.matches(), "bad PORT line: " + line);
                    ports.add(matcher);
                }
            }
            return ports;
        }

        String describe()
        {
            return "status=" + status + "\n--- out\n" + out + "--- err\n" + err;
        }
    }
}
