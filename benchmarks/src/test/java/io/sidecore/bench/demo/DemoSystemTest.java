package io.sidecore.bench.demo;

import io.sidecore.engine.backend.Tcpdump;
import io.sidecore.engine.port.PcapNgReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System test: runs the whole demo in this JVM, with real memfds, mappings and eventfds, a sidecore thread (busy
 * polling, unpinned so as not to take a core from the build) and the guest thread, for one second of traffic; with
 * {@code --capture}, the ports' pcapng files are read back with {@code tcpdump -r} (which reads the records but
 * does not print their direction flags) and with an independent pcapng reader for the direction of each record.
 */
class DemoSystemTest
{
    private static final Pattern SUMMARY = Pattern.compile(
        "SUMMARY guests=(\\d+) seconds=(\\d+) tx_frames=(\\d+) rx_frames=(\\d+) dropped=(\\d+) " +
            "unaccounted=(-?\\d+) mpps=(\\d+\\.\\d{3}) gbps=(\\d+\\.\\d{3})");
    private static final Pattern CAPTURE = Pattern.compile(
        "CAPTURE port=(g\\d+) file=(\\S+) frames=(\\d+) rotations=(\\d+)");
    /** Small files, so a second of traffic rotates and the test reads a full one. */
    private static final String CAPTURE_FILE_BYTES = "1048576";
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

    @Test
    void shouldCaptureBothDirectionsOfSwitchPortReadableByTcpdump(@TempDir final Path directory) throws Exception
    {
        final Run run = run("--guests", "2", "--seconds", "1", "--warmup-seconds", "0", "--no-pin",
            "--capture", directory.toString(), "--capture-file-bytes", CAPTURE_FILE_BYTES);

        assertEquals(DemoRunner.EXIT_OK, run.status, run.describe());
        assertEquals("0", run.summary().group(6), run.describe());
        assertEquals(List.of("g0", "g1"), run.captures(), run.describe());
        final Path file = fullestFile(directory.resolve("g0.pcapng"));
        final List<String> tcpdump = Tcpdump.read(file, "-e");
        final PcapNgReader pcapng = PcapNgReader.read(file);
        final String g0 = "02:00:00:00:00:01";
        final String g1 = "02:00:00:00:00:02";
        final String out = g0 + " > " + g1;
        final String in = g1 + " > " + g0;

        assertEquals(pcapng.packets.size(), tcpdump.size(), "tcpdump reads every record");
        assertTrue(tcpdump.stream().anyMatch(line -> line.contains(out)), "g0's own frames: " + file);
        assertTrue(tcpdump.stream().anyMatch(line -> line.contains(in)),
            "frames the switch delivered to g0: " + file);
        for (int i = 0; i < tcpdump.size(); i++)
        {
            final String line = tcpdump.get(i);
            final int expected = line.contains(out) ? PcapNgReader.OUTBOUND :
                line.contains(in) ? PcapNgReader.INBOUND : -1;
            assertEquals(expected, pcapng.packets.get(i).direction(), "record " + i + ": " + line);
        }
    }

    @Test
    void shouldCaptureBothDirectionsOfLoopbackPortReadableByTcpdump(@TempDir final Path directory) throws Exception
    {
        final Run run = run("--guests", "1", "--seconds", "1", "--warmup-seconds", "0", "--no-pin",
            "--capture", directory.toString(), "--capture-file-bytes", CAPTURE_FILE_BYTES);

        assertEquals(DemoRunner.EXIT_OK, run.status, run.describe());
        assertEquals("0", run.summary().group(6), run.describe());
        assertEquals(List.of("g0"), run.captures(), run.describe());
        final Path file = fullestFile(directory.resolve("g0.pcapng"));
        final List<String> tcpdump = Tcpdump.read(file, "-e");
        final PcapNgReader pcapng = PcapNgReader.read(file);

        assertEquals(pcapng.packets.size(), tcpdump.size(), "tcpdump reads every record");
        assertTrue(tcpdump.stream().allMatch(line -> line.contains("02:00:00:00:00:01 > 02:00:00:00:00:01")),
            "the lone guest sends to itself: " + file);
        assertTrue(pcapng.count(PcapNgReader.OUTBOUND) > 0, "frames leaving g0");
        assertTrue(pcapng.count(PcapNgReader.INBOUND) > 0, "frames coming back over the loopback cable");
        assertEquals(pcapng.packets.size(), pcapng.count(PcapNgReader.OUTBOUND) + pcapng.count(PcapNgReader.INBOUND),
            "every record has a direction");
        final int lastInbound = lastIndex(pcapng, PcapNgReader.INBOUND);
        final byte[] back = pcapng.packets.get(lastInbound).data();
        assertTrue(pcapng.packets.subList(0, lastInbound).stream()
                .anyMatch(packet -> packet.direction() == PcapNgReader.OUTBOUND && Arrays.equals(packet.data(), back)),
            "what comes back in went out before");
    }

    /**
     * The capture file with the most records: with rotation, the full one before the current ({@code .1}) when
     * there is one.
     */
    private static Path fullestFile(final Path file)
    {
        final Path previous = file.resolveSibling(file.getFileName() + ".1");
        return Files.exists(previous) ? previous : file;
    }

    private static int lastIndex(final PcapNgReader pcapng, final int direction)
    {
        for (int i = pcapng.packets.size() - 1; i >= 0; i--)
        {
            if (pcapng.packets.get(i).direction() == direction)
            {
                return i;
            }
        }
        throw new AssertionError("no record with direction " + direction);
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

        List<String> captures()
        {
            final List<String> ports = new ArrayList<>();
            for (final String line : lines())
            {
                if (line.startsWith("CAPTURE "))
                {
                    final Matcher matcher = CAPTURE.matcher(line);
                    assertTrue(matcher.matches(), "bad CAPTURE line: " + line);
                    assertTrue(Long.parseLong(matcher.group(3)) > 0, "nothing captured: " + line);
                    ports.add(matcher.group(1));
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
