package io.sidecore.engine.backend;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test support: reads a capture file back with {@code tcpdump -r}, the reader operators use. Fails (never skips)
 * when tcpdump is missing, naming the script that installs it.
 */
public final class Tcpdump
{
    private Tcpdump()
    {
    }

    /**
     * {@code tcpdump -r FILE -nn -tt --time-stamp-precision=nano -v [extra...]}, one string per packet (continuation
     * lines joined).
     *
     * @param file  the capture file.
     * @param extra further options (e.g. {@code -e} for link-level headers).
     * @return the packets tcpdump printed.
     * @throws Exception when tcpdump cannot be run.
     */
    public static List<String> read(final Path file, final String... extra) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            binary().toString(), "-r", file.toString(), "-nn", "-tt", "--time-stamp-precision=nano", "-v"));
        command.addAll(List.of(extra));
        final Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "tcpdump failed: " + err);
        final List<String> packets = new ArrayList<>();
        for (final String line : out.split("\n"))
        {
            if (!line.isEmpty() && Character.isDigit(line.charAt(0)))
            {
                packets.add(line);
            }
            else if (!line.isBlank() && !packets.isEmpty())
            {
                packets.set(packets.size() - 1, packets.getLast() + " " + line.trim());
            }
        }
        return packets;
    }

    private static Path binary()
    {
        for (final String candidate : new String[]{"/usr/bin/tcpdump", "/usr/sbin/tcpdump", "/bin/tcpdump"})
        {
            if (Files.isExecutable(Path.of(candidate)))
            {
                return Path.of(candidate);
            }
        }
        return fail("tcpdump is not installed: tools/sidecore test installs it (tools/lib/ensure-test-deps.sh), " +
            "or apt-get install -y tcpdump");
    }
}
