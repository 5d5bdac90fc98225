package io.sidecore.tools.stat;

import io.sidecore.shm.CounterTypes;
import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sidecore stat} end to end over a real counters file in a temporary directory, made as the daemon makes it,
 * with a manual clock and a sleeper that advances it (no real sleeping, no threads).
 */
class StatMainTest
{
    private static final long START_MS = 1_700_000_000_000L;
    private static final String STARTED = "2023-11-14T22:13:20Z";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(START_MS);
    private final List<Long> sleeps = new ArrayList<>();
    private final List<Runnable> onSleep = new ArrayList<>();
    private LongPredicate processAlive = (final long pid) -> CountersFileFixture.PID == pid;
    private boolean terminal;
    private Path file;
    private CountersFileFixture fixture;
    private Map<PortCounter, AtomicCounter> g0;
    private Map<PortCounter, AtomicCounter> g1;
    private Map<SidecoreCounter, AtomicCounter> sidecore0;

    @BeforeEach
    void before()
    {
        file = dir.resolve(CountersFileDescriptor.FILE_NAME);
        fixture = CountersFileFixture.create(file, clock);
        g0 = fixture.addPort(0, "g0");
        g1 = fixture.addPort(1, "g1");
        sidecore0 = fixture.addSidecore(0);
        g0.get(PortCounter.TX_FRAMES).set(10);
        g0.get(PortCounter.RX_DROP_RING_FULL).set(3);
        g1.get(PortCounter.TX_FRAMES).set(20);
        g1.get(PortCounter.RX_FRAMES).set(7);
        sidecore0.get(SidecoreCounter.DUTY_CYCLES).set(1_000_000);
        sidecore0.get(SidecoreCounter.BUSY_RATIO_PPM).set(250_000);
        clock.advanceMs(250);
    }

    @AfterEach
    void after()
    {
        fixture.close();
    }

    @Test
    void shouldPrintHeaderWithVersionPidStartAndHeartbeatAgeWhenFileReady()
    {
        fixture.signalReady();

        final Result result = run("--file", file.toString());

        assertEquals(StatSession.EXIT_OK, result.exitCode, result.err);
        assertEquals("", result.err);
        assertEquals("sidecore counters " + file, result.lines().get(0));
        assertEquals("version 2.0.0, pid 4242 (running), started " + STARTED + ", heartbeat age 250 ms",
            result.lines().get(1));
    }

    @Test
    void shouldGroupCountersByPortThenSidecoreInAllocationOrderWhenOnce()
    {
        fixture.signalReady();

        final List<String> lines = run("--file", file.toString()).lines();

        final int port0 = lines.indexOf("port g0 (id 0)");
        final int port1 = lines.indexOf("port g1 (id 1)");
        final int sidecore = lines.indexOf("sidecore 0");
        assertEquals(2, port0);
        assertEquals(port0 + 1 + PortCounter.values().length, port1);
        assertEquals(port1 + 1 + PortCounter.values().length, sidecore);
        assertEquals("  tx_frames                                            10", lines.get(port0 + 1));
        assertEquals(counterLine("tx_bytes", 0), lines.get(port0 + 2));
        assertEquals(counterLine("rx_drop_ring_full", 3),
            lines.get(port0 + 1 + PortCounter.RX_DROP_RING_FULL.ordinal()));
        assertEquals(counterLine("tx_frames", 20), lines.get(port1 + 1));
        assertEquals(counterLine("rx_frames", 7), lines.get(port1 + 1 + PortCounter.RX_FRAMES.ordinal()));
        assertEquals(counterLine("duty_cycles", 1_000_000), lines.get(sidecore + 1));
        assertEquals(counterLine("busy_ratio_ppm", 250_000), lines.get(sidecore + 2));
        assertEquals("errors: none", lines.get(sidecore + 1 + SidecoreCounter.values().length));
        assertEquals(sidecore + 2 + SidecoreCounter.values().length, lines.size());
    }

    @Test
    void shouldPrintDistinctErrorsWithCountAndTimesAtTheEnd()
    {
        fixture.signalReady();
        final IllegalStateException error = new IllegalStateException("boom");
        assertTrue(fixture.recordError(error));
        clock.advanceMs(2000);
        assertTrue(fixture.recordError(error));
        fixture.heartbeat(clock.time());

        final List<String> lines = run("--file", file.toString()).lines();

        final int errors = lines.indexOf("errors: 1 distinct");
        assertTrue(errors > 0, String.join("\n", lines));
        assertEquals("  count 2, first 2023-11-14T22:13:20.250Z, last 2023-11-14T22:13:22.250Z", lines.get(errors + 1));
        assertEquals("    java.lang.IllegalStateException: boom", lines.get(errors + 2));
        assertTrue(lines.get(errors + 3).startsWith("    \tat io.sidecore.tools.stat.StatMainTest."),
            lines.get(errors + 3));
    }

    @Test
    void shouldLeaveOutErrorLogWhenNoErrorsOptionGiven()
    {
        fixture.signalReady();
        assertTrue(fixture.recordError(new IllegalStateException("boom")));

        final Result result = run("--file", file.toString(), "--no-errors");

        assertEquals(StatSession.EXIT_OK, result.exitCode);
        final SidecoreCounter lastSidecoreCounter = SidecoreCounter.values()[SidecoreCounter.values().length - 1];
        assertEquals(counterLine(lastSidecoreCounter.counterName(), 0), result.lines().getLast());
        assertFalse(result.out.contains("errors:"), result.out);
        assertFalse(result.out.contains("boom"), result.out);
    }

    @Test
    void shouldFailWithNotFoundWhenFileMissing()
    {
        final Path missing = dir.resolve("none").resolve(CountersFileDescriptor.FILE_NAME);

        final Result result = run("--file", missing.toString());

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals("", result.out);
        assertEquals("sidecore stat: counters file not found: " + missing + " (is the sidecore running?)\n",
            result.err);
    }

    @Test
    void shouldFailWithNotReadyWhenVersionStillZero()
    {
        final Result result = run("--file", file.toString());

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals("", result.out);
        assertEquals("sidecore stat: counters file not ready: " + file +
            " (version 0: the sidecore is still starting, or failed while starting)\n", result.err);
    }

    @Test
    void shouldFailWithMagicMismatchWhenMagicWrong()
    {
        fixture.signalReady();
        fixture.buffer().putInt(CountersFileDescriptor.MAGIC_FIELD_OFFSET, 0xDEAD);

        final Result result = run("--file", file.toString());

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals("sidecore stat: counters file magic mismatch: expected=0x46434353 found=0xdead (" + file + ")\n",
            result.err);
    }

    @Test
    void shouldFailWithVersionMismatchWhenMajorVersionDiffers()
    {
        fixture.buffer().putIntVolatile(
            CountersFileDescriptor.VERSION_FIELD_OFFSET, SemanticVersion.compose(1, 0, 0));

        final Result result = run("--file", file.toString());

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals("sidecore stat: counters file major version mismatch: expected=2.0.0 found=1.0.0 (" +
            file + ")\n", result.err);
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 100, 255 })
    void shouldFailWithTooShortWhenFileShorterThanMetadata(final int lengthBytes) throws IOException
    {
        final Path shortFile = dir.resolve("short.dat");
        Files.write(shortFile, new byte[lengthBytes]);

        final Result result = run("--file", shortFile.toString());

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals("sidecore stat: counters file too short: required=256 mapped=" + lengthBytes + " (" +
            shortFile + ")\n", result.err);
    }

    @Test
    void shouldFailWithTooShortWhenSectionsExtendBeyondFile() throws IOException
    {
        fixture.signalReady();
        final byte[] whole = Files.readAllBytes(file);
        final Path truncated = dir.resolve("truncated.dat");
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 8));

        final Result result = run("--file", truncated.toString());

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals("sidecore stat: counters file too short: required=" + whole.length + " mapped=" +
            (whole.length - 8) + " (" + truncated + ")\n", result.err);
    }

    @Test
    void shouldFailWhenPathIsDirectory()
    {
        final Result result = run("--file", dir.toString());

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals("sidecore stat: counters file is not a regular file: " + dir + "\n", result.err);
    }

    @Test
    void shouldFlagStaleHeartbeatAndExitOneWhenOlderThanThreeSeconds()
    {
        fixture.signalReady();
        clock.setMs(START_MS + Snapshot.STALE_HEARTBEAT_MS + 1);

        final Result result = run("--file", file.toString());

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals("version 2.0.0, pid 4242 (running), started " + STARTED + ", heartbeat age 3001 ms STALE " +
            "(no heartbeat for more than 3000 ms: the sidecore is not running or is stuck)", result.lines().get(1));
        assertTrue(result.lines().contains("port g0 (id 0)"), "counters are still shown for post-mortem reading");
    }

    @Test
    void shouldNotFlagHeartbeatWhenExactlyThreeSecondsOld()
    {
        fixture.signalReady();
        fixture.heartbeat(START_MS + 10_000);
        clock.setMs(START_MS + 10_000 + Snapshot.STALE_HEARTBEAT_MS);

        final Result result = run("--file", file.toString());

        assertEquals(StatSession.EXIT_OK, result.exitCode);
        assertEquals("version 2.0.0, pid 4242 (running), started " + STARTED + ", heartbeat age 3000 ms",
            result.lines().get(1));
    }

    @Test
    void shouldShowProcessNotRunningWhenPidNotAlive()
    {
        fixture.signalReady();
        processAlive = (final long pid) -> false;

        final Result result = run("--file", file.toString());

        assertTrue(result.lines().get(1).startsWith("version 2.0.0, pid 4242 (not running), "), result.lines().get(1));
    }

    @Test
    void shouldShowOnlyMatchingCountersWhenLabelFilterGiven()
    {
        fixture.signalReady();

        final List<String> lines = run("--file", file.toString(), "--filter", "rx_drop_ring|duty").lines();

        assertEquals(List.of(
            "port g0 (id 0)",
            counterLine("rx_drop_ring_full", 3),
            "port g1 (id 1)",
            counterLine("rx_drop_ring_full", 0),
            "sidecore 0",
            counterLine("duty_cycles", 1_000_000),
            "errors: none"), lines.subList(2, lines.size()));
    }

    @Test
    void shouldRequireEveryFilterWhenFiltersRepeated()
    {
        fixture.signalReady();

        final List<String> lines =
            run("--file", file.toString(), "--filter", "port=g1", "--filter", "counter=tx_frames").lines();

        assertEquals(List.of("port g1 (id 1)", counterLine("tx_frames", 20), "errors: none"),
            lines.subList(2, lines.size()));
    }

    @Test
    void shouldShowOnlySelectedPortWhenPortGiven()
    {
        fixture.signalReady();

        final List<String> lines = run("--file", file.toString(), "--port", "g1", "--no-errors").lines();

        assertEquals("port g1 (id 1)", lines.get(2));
        assertEquals(3 + PortCounter.values().length, lines.size());
        assertFalse(lines.contains("port g0 (id 0)"));
        assertFalse(lines.contains("sidecore 0"));
    }

    @Test
    void shouldReportMissingPortWhenSelectedPortAbsent()
    {
        fixture.signalReady();

        final Result result = run("--file", file.toString(), "--port", "g9", "--no-errors");

        assertEquals(StatSession.EXIT_OK, result.exitCode);
        assertEquals(List.of("port g9: not present"), result.lines().subList(2, result.lines().size()));
    }

    @Test
    void shouldShowPerSecondRatesFromSecondSnapshotWhenWatching()
    {
        fixture.signalReady();
        onSleep.add(() ->
        {
            clock.advanceMs(500);
            fixture.heartbeat(clock.time());
            g0.get(PortCounter.TX_FRAMES).getAndAddRelease(250);
            sidecore0.get(SidecoreCounter.DUTY_CYCLES).getAndAddRelease(1_000_000);
            sidecore0.get(SidecoreCounter.BUSY_RATIO_PPM).set(999_000);
        });

        final Result result = run("--file", file.toString(), "--watch", "--interval-ms", "500", "--count", "2",
            "--filter", "counter=tx_frames|duty_cycles|busy_ratio_ppm", "--port", "g0", "--filter", "port=g0");

        assertEquals(StatSession.EXIT_OK, result.exitCode, result.err);
        assertEquals(List.of(500L), sleeps);
        assertEquals(List.of(
            "sidecore counters " + file,
            "version 2.0.0, pid 4242 (running), started " + STARTED + ", heartbeat age 250 ms",
            "port g0 (id 0)",
            counterLine("tx_frames", 10),
            "errors: none",
            "",
            "sidecore counters " + file,
            "version 2.0.0, pid 4242 (running), started " + STARTED + ", heartbeat age 0 ms",
            "port g0 (id 0)",
            "  tx_frames                                           260          500.0/s",
            "errors: none"), result.lines());
    }

    @Test
    void shouldShowRatesForCountersButNotForGaugesWhenWatching()
    {
        fixture.signalReady();
        onSleep.add(() ->
        {
            clock.advanceMs(1000);
            sidecore0.get(SidecoreCounter.DUTY_CYCLES).getAndAddRelease(2_000_000);
            sidecore0.get(SidecoreCounter.BUSY_RATIO_PPM).set(999_000);
        });

        final List<String> lines = run("--file", file.toString(), "--watch", "--count", "2", "--no-errors",
            "--filter", "sidecore=0", "--filter", "counter=duty_cycles|busy_ratio_ppm").lines();

        assertEquals(List.of(
            "sidecore 0",
            rateLine("duty_cycles", 3_000_000, 2_000_000.0),
            counterLine("busy_ratio_ppm", 999_000)), lines.subList(lines.size() - 3, lines.size()));
        assertEquals(List.of(1000L), sleeps, "default interval");
    }

    @Test
    void shouldClearScreenBeforeEachSnapshotWhenWatchingOnTerminal()
    {
        fixture.signalReady();
        terminal = true;

        final Result result = run("--file", file.toString(), "--watch", "--count", "3", "--port", "g0");

        assertEquals(3, result.out.split(Pattern.quote(TextRenderer.CLEAR_SCREEN), -1).length - 1);
        assertTrue(result.out.startsWith(TextRenderer.CLEAR_SCREEN));
        assertEquals(2, sleeps.size());
    }

    @Test
    void shouldNotClearScreenWhenOnceEvenOnTerminal()
    {
        fixture.signalReady();
        terminal = true;

        final Result result = run("--file", file.toString());

        assertFalse(result.out.contains(TextRenderer.CLEAR_SCREEN));
    }

    @Test
    void shouldReadNewFileWhenReplacedWhileWatching()
    {
        fixture.signalReady();
        onSleep.add(() ->
        {
            fixture.close();
            clock.advanceMs(1000);
            fixture = CountersFileFixture.create(file, 777, clock);
            fixture.addPort(5, "n5").get(PortCounter.RX_FRAMES).set(1);
            fixture.signalReady();
        });
        processAlive = (final long pid) -> true;

        final Result result = run("--file", file.toString(), "--watch", "--count", "2", "--no-errors",
            "--filter", "counter=rx_frames");

        assertEquals(StatSession.EXIT_OK, result.exitCode);
        assertEquals("sidecore stat: counters file removed or replaced (sidecore restarted?): " + file + "\n",
            result.err);
        final List<String> lines = result.lines();
        final int second = lines.lastIndexOf("sidecore counters " + file);
        assertEquals(List.of(
            "version 2.0.0, pid 777 (running), started 2023-11-14T22:13:21.250Z, heartbeat age 0 ms",
            "port n5 (id 5)",
            counterLine("rx_frames", 1)), lines.subList(second + 1, lines.size()));
    }

    @Test
    void shouldKeepRetryingAndExitOneWhenFileRemovedWhileWatching()
    {
        fixture.signalReady();
        onSleep.add(() ->
        {
            try
            {
                Files.delete(file);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        onSleep.add(() -> {});

        final Result result = run("--file", file.toString(), "--watch", "--count", "3", "--port", "g0");

        assertEquals(StatSession.EXIT_NOT_RUNNING, result.exitCode);
        assertEquals(List.of(1000L, 1000L), sleeps);
        final String notFound = "sidecore stat: counters file not found: " + file +
            " (is the sidecore running?); retrying in 1000 ms\n";
        assertEquals("sidecore stat: counters file removed or replaced (sidecore restarted?): " + file + "\n" +
            notFound + notFound, result.err);
        assertEquals(1, result.lines().stream().filter("port g0 (id 0)"::equals).count());
    }

    @Test
    void shouldStopWatchingWhenInterrupted()
    {
        fixture.signalReady();
        final Result result;
        try
        {
            result = run(
                (final long durationMs) ->
                {
                    throw new InterruptedException();
                },
                "--file", file.toString(), "--watch", "--port", "g0");
        }
        finally
        {
            assertTrue(Thread.interrupted(), "interrupt status restored");
        }

        assertEquals(StatSession.EXIT_OK, result.exitCode);
        assertEquals(1, result.lines().stream().filter("port g0 (id 0)"::equals).count());
    }

    @Test
    void shouldWriteOneJsonObjectPerSnapshotWithRatesFromTheSecond()
    {
        fixture.signalReady();
        assertTrue(fixture.recordError(new IllegalArgumentException("bad \"thing\"")));
        onSleep.add(() ->
        {
            clock.advanceMs(2000);
            fixture.heartbeat(clock.time());
            g1.get(PortCounter.TX_FRAMES).getAndAddRelease(100);
        });

        final Result result = run("--file", file.toString(), "--format", "json", "--watch", "--count", "2");

        assertEquals(StatSession.EXIT_OK, result.exitCode, result.err);
        assertEquals(2, result.lines().size());
        final Map<String, Object> first = MiniJson.parseObject(result.lines().get(0));
        assertEquals(file.toString(), first.get("file"));
        assertEquals("2.0.0", first.get("version"));
        assertEquals(4242L, first.get("pid"));
        assertEquals(Boolean.TRUE, first.get("pid_alive"));
        assertEquals(START_MS, first.get("start_timestamp_ms"));
        assertEquals(START_MS + 250, first.get("timestamp_ms"));
        assertEquals(START_MS, first.get("heartbeat_ms"));
        assertEquals(250L, first.get("heartbeat_age_ms"));
        assertEquals(Boolean.FALSE, first.get("stale"));
        assertTrue(first.containsKey("rate_interval_ms"));
        assertNull(first.get("rate_interval_ms"));
        final List<?> ports = (List<?>)first.get("ports");
        assertEquals(2, ports.size());
        final Map<?, ?> port1 = (Map<?, ?>)ports.get(1);
        assertEquals(1L, port1.get("id"));
        assertEquals("g1", port1.get("name"));
        assertTrue(port1.containsKey("fault"));
        assertNull(port1.get("fault"), "no record, no fault");
        assertEquals(0L, port1.get("fault_count"));
        assertEquals(20L, ((Map<?, ?>)port1.get("counters")).get("tx_frames"));
        assertEquals(PortCounter.values().length, ((Map<?, ?>)port1.get("counters")).size());
        assertFalse(port1.containsKey("rates"));
        final Map<?, ?> sidecore = (Map<?, ?>)((List<?>)first.get("sidecores")).get(0);
        assertEquals(0L, sidecore.get("index"));
        assertEquals(250_000L, ((Map<?, ?>)sidecore.get("counters")).get("busy_ratio_ppm"));
        assertEquals(List.of(), first.get("other"));
        assertEquals(List.of(), first.get("missing_ports"));
        final Map<?, ?> error = (Map<?, ?>)((List<?>)first.get("errors")).get(0);
        assertEquals(1L, error.get("count"));
        assertEquals(START_MS + 250, error.get("first_timestamp_ms"));
        assertTrue(((String)error.get("exception")).startsWith("java.lang.IllegalArgumentException: bad \"thing\"\n"));

        final Map<String, Object> second = MiniJson.parseObject(result.lines().get(1));
        assertEquals(2000L, second.get("rate_interval_ms"));
        final Map<?, ?> secondPort1 = (Map<?, ?>)((List<?>)second.get("ports")).get(1);
        assertEquals(120L, ((Map<?, ?>)secondPort1.get("counters")).get("tx_frames"));
        assertEquals(50.0, ((Map<?, ?>)secondPort1.get("rates")).get("tx_frames"));
        final Map<?, ?> sidecoreRates = (Map<?, ?>)((Map<?, ?>)((List<?>)second.get("sidecores")).get(0)).get("rates");
        assertEquals(0.0, sidecoreRates.get("duty_cycles"));
        assertFalse(sidecoreRates.containsKey("busy_ratio_ppm"), "gauges have no rate");
    }

    @Test
    void shouldShowPortFaultByNameWithRegisterValueAndTimeRightUnderThePortInText()
    {
        fixture.writePortFault(0, 0, null, 0, 0, 0, 0);
        fixture.writePortFault(1, 1, PortFault.TX_TAIL_BEYOND_RING, E1000Registers.TDT, 0x400, START_MS + 5, 2);
        fixture.signalReady();

        final List<String> lines = run("--file", file.toString()).lines();

        final int port0 = lines.indexOf("port g0 (id 0)");
        final int port1 = lines.indexOf("port g1 (id 1)");
        assertEquals(port0 + 1 + PortCounter.values().length, port1, "no fault line for a port that serves");
        assertEquals("  FAULTED tx_tail_beyond_ring: register TDT (0x03818) = 0x400, since 2023-11-14T22:13:20.005Z, " +
            "fault 2 of the port", lines.get(port1 + 1));
        assertEquals("    (" + PortFault.TX_TAIL_BEYOND_RING.description() + ")", lines.get(port1 + 2));
        assertEquals(counterLine("tx_frames", 20), lines.get(port1 + 3));
    }

    @Test
    void shouldShowPortFaultObjectInJsonAndNullForAPortThatServes()
    {
        fixture.writePortFault(0, 0, null, 0, 0, START_MS + 1, 1);
        fixture.writePortFault(3, 1, PortFault.RX_RING_OUTSIDE_MEMORY, E1000Registers.RDBAL, 0x1_0000_0000L,
            START_MS + 9, 1);
        fixture.signalReady();

        final Map<String, Object> json = MiniJson.parseObject(run("--file", file.toString(), "--format", "json").out
            .strip());

        final Map<?, ?> port0 = (Map<?, ?>)((List<?>)json.get("ports")).get(0);
        assertNull(port0.get("fault"), "the reset cleared it");
        assertEquals(1L, port0.get("fault_count"));
        final Map<?, ?> port1 = (Map<?, ?>)((List<?>)json.get("ports")).get(1);
        final Map<?, ?> fault = (Map<?, ?>)port1.get("fault");
        assertEquals((long)PortFault.RX_RING_OUTSIDE_MEMORY.id(), fault.get("id"));
        assertEquals("rx_ring_outside_memory", fault.get("name"));
        assertEquals(PortFault.RX_RING_OUTSIDE_MEMORY.description(), fault.get("description"));
        assertEquals("RDBAL", fault.get("register"));
        assertEquals((long)E1000Registers.RDBAL, fault.get("register_offset"));
        assertEquals(0x1_0000_0000L, fault.get("value"));
        assertEquals(START_MS + 9, fault.get("timestamp_ms"));
        assertEquals(1L, port1.get("fault_count"));
    }

    @Test
    void shouldListMissingPortsAndLeaveOutErrorsInJsonWhenAsked()
    {
        fixture.signalReady();

        final Result result =
            run("--file", file.toString(), "--format", "JSON", "--port", "g0", "--port", "gx", "--no-errors");

        final Map<String, Object> json = MiniJson.parseObject(result.out.strip());
        assertEquals(1, ((List<?>)json.get("ports")).size());
        assertEquals(List.of(), json.get("sidecores"));
        assertEquals(List.of("gx"), json.get("missing_ports"));
        assertFalse(json.containsKey("errors"));
    }

    @Test
    void shouldShowUnknownCountersByLabelWhenTypeOrIdUnknown()
    {
        fixture.addCounter(CounterTypes.SYSTEM_COUNTER_TYPE_ID, 0, 0, "daemon errors").set(5);
        fixture.addCounter(CounterTypes.PORT_COUNTER_TYPE_ID, 7, PortCounter.SLOTS_PER_PORT - 1,
            "port=n7 future_counter").set(6);
        fixture.addCounter(CounterTypes.PORT_COUNTER_TYPE_ID, 8, PortCounter.TX_FRAMES.id(), "unexpected").set(7);
        fixture.signalReady();

        final List<String> lines = run("--file", file.toString(), "--no-errors",
            "--filter", "daemon|future|unexpected").lines();

        assertEquals(List.of(
            "port n7 (id 7)",
            counterLine("future_counter", 6),
            "port #8 (id 8)",
            counterLine("tx_frames", 7),
            "other",
            counterLine("daemon errors", 5)), lines.subList(2, lines.size()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--bogus",
        "--format=xml",
        "--once --watch",
        "--count 3",
        "--interval-ms 100",
        "--watch --interval-ms 0",
        "--watch --count 0",
        "--filter [",
        "--filter counter=(",
        "extra" })
    void shouldExitTwoWithoutStackTraceWhenUsageWrong(final String args)
    {
        fixture.signalReady();
        final List<String> argv = new ArrayList<>(List.of("--file", file.toString()));
        argv.addAll(List.of(args.split(" ")));

        final Result result = run(argv.toArray(new String[0]));

        assertEquals(StatMain.EXIT_USAGE, result.exitCode);
        assertEquals("", result.out);
        assertTrue(result.err.contains("Usage: sidecore stat"), result.err);
        assertFalse(result.err.contains("\tat "), result.err);
    }

    @Test
    void shouldNameTheBadRegexWhenFilterInvalid()
    {
        final Result result = run("--filter", "counter=(");

        assertTrue(result.err.startsWith("invalid --filter 'counter=(': Unclosed group near index 1"), result.err);
    }

    @Test
    void shouldDefaultToTheDaemonsCountersFile() throws IOException
    {
        assertEquals(Path.of(CountersFileDescriptor.DEFAULT_FILE), StatMain.countersFile(null, null));
        assertEquals("/dev/shm/sidecore/sidecore-counters.dat", CountersFileDescriptor.DEFAULT_FILE);
    }

    @Test
    void shouldPrintHelpAndVersionWithExitZero()
    {
        final Result help = run("--help");
        final Result version = run("--version");

        assertEquals(0, help.exitCode);
        assertTrue(help.out.contains("--filter=[KEY=]REGEX"), help.out);
        assertTrue(help.out.contains("2   usage error"), help.out);
        assertEquals(0, version.exitCode);
        assertEquals("sidecore stat, reads counters file version 2.0.0\n", version.out);
    }

    private static String counterLine(final String name, final long value)
    {
        return String.format(Locale.ROOT, "  %-34s %20d", name, value);
    }

    private static String rateLine(final String name, final long value, final double ratePerSecond)
    {
        return String.format(Locale.ROOT, "  %-34s %20d %14.1f/s", name, value, ratePerSecond);
    }

    private Result run(final String... args)
    {
        return run(
            (final long durationMs) ->
            {
                sleeps.add(durationMs);
                if (!onSleep.isEmpty())
                {
                    onSleep.removeFirst().run();
                }
            },
            args);
    }

    private Result run(final Sleeper sleeper, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final StatMain command = new StatMain(clock, clock, sleeper, processAlive, terminal);
        final CommandLine commandLine = StatMain.commandLine(command)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    private record Result(int exitCode, String out, String err)
    {
        List<String> lines()
        {
            return out.lines().toList();
        }
    }
}
