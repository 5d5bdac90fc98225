package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.port.PortCapture;
import io.sidecore.engine.proxy.CaptureSummary;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A capture whose file cannot be written (its file system is full) stops at the first failed write and says why,
 * and the traffic goes on unaffected. The full file system is a small tmpfs the test mounts (mode 0700, so it passes
 * the capture directory check) and fills, then unmounts: it needs root and {@code mount}, and fails loudly without.
 */
class PortCaptureDiskFullSystemTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;
    private SwitchPump pump;
    private Path mountPoint;

    @TempDir
    Path directory;

    @BeforeEach
    void setUp() throws Exception
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        pump = new SwitchPump(engine, clock);
        mountPoint = Files.createDirectory(directory.resolve("full"));
        run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", mountPoint.toString());
        fill(mountPoint.resolve("filler"));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        engine.close();
        run("umount", mountPoint.toString());
    }

    @Test
    void shouldStopRecordingAndReportWhyButKeepTrafficWhenFileSystemIsFull()
    {
        final TestGuest a = pump.ready(new TestGuest(1));
        final TestGuest b = pump.ready(new TestGuest(2));
        final Path file = mountPoint.resolve("g1.pcapng");
        engine.proxy().startCapture(a.port, file, 0, 1);
        pump.sendAndPump(a, b, 1);

        clock.advance(PortCapture.FLUSH_INTERVAL_NS);
        pump.pump();
        assertFalse(a.port.capture().isRecording(), "stopped at the first failed write");
        pump.sendAndPump(a, b, 2);
        final CaptureSummary summary = engine.proxy().stopCapture(a.port);

        assertEquals(1, summary.framesCaptured(), "recorded before the failure, nothing after");
        assertEquals("cannot write capture file " + file, summary.failure());
        assertEquals(2, b.drainRx(), "traffic unaffected");
        assertEquals(0, a.port.counters().totalDrops() + b.port.counters().totalDrops());
    }

    private static void fill(final Path file) throws IOException
    {
        final byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file))
        {
            for (int i = 0; i < 1024; i++)
            {
                out.write(block);
                out.flush();
            }
            fail("a 64 KiB tmpfs took 4 MiB: the mount did not happen");
        }
        catch (final IOException expected)
        {
            // No space left on device: the file system is full, as the test needs.
        }
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            fail("'" + String.join(" ", command) + "' failed (this system test needs root and mount): " + output);
        }
    }
}
