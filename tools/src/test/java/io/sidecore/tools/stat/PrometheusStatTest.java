package io.sidecore.tools.stat;

import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;
import io.sidecore.tools.prometheus.PrometheusTextParser;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stat --prometheus}, {@code --listen} and {@code --config} over a real counters file: the output parses
 * strictly as the Prometheus text format, one family per counter, with the values and labels of the file.
 */
class PrometheusStatTest
{
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private Path file;
    private CountersFileFixture fixture;

    @BeforeEach
    void before()
    {
        file = dir.resolve(CountersFileDescriptor.FILE_NAME);
        fixture = CountersFileFixture.create(file, clock);
        final Map<PortCounter, AtomicCounter> g0 = fixture.addPort(0, "g0");
        final Map<PortCounter, AtomicCounter> odd = fixture.addPort(1, "we\"ird\\x");
        final Map<SidecoreCounter, AtomicCounter> sidecore = fixture.addSidecore(0);
        g0.get(PortCounter.TX_FRAMES).set(10);
        odd.get(PortCounter.TX_FRAMES).set(20);
        sidecore.get(SidecoreCounter.DUTY_CYCLES).set(1_000_000);
        sidecore.get(SidecoreCounter.BUSY_RATIO_PPM).set(250_000);
        clock.advanceMs(250);
        fixture.signalReady();
    }

    @AfterEach
    void after()
    {
        fixture.close();
    }

    @Test
    void shouldPrintOneFamilyPerCounterThatParsesStrictly()
    {
        final String out = run("--prometheus", "--file", file.toString());

        final Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(out);

        assertEquals(PortCounter.values().length + SidecoreCounter.values().length + 2, families.size(), out);
        final PrometheusTextParser.Family txFrames = families.get("sidecore_port_tx_frames_total");
        assertEquals("counter", txFrames.type());
        assertEquals(PortCounter.TX_FRAMES.description(), txFrames.help());
        assertEquals("sidecore_port_tx_frames_total", txFrames.samples().get(0).name());
        assertEquals(Map.of("port", "g0"), txFrames.samples().get(0).labels());
        assertEquals(10.0, txFrames.samples().get(0).value());
        assertEquals(Map.of("port", "we\"ird\\x"), txFrames.samples().get(1).labels(), "escaped and back");
        assertEquals(20.0, txFrames.samples().get(1).value());
        final PrometheusTextParser.Family busy = families.get("sidecore_busy_ratio_ppm");
        assertEquals("gauge", busy.type());
        assertEquals(Map.of("sidecore", "0"), busy.samples().get(0).labels());
        assertEquals(250_000.0, busy.samples().get(0).value());
        assertEquals("counter", families.get("sidecore_duty_cycles_total").type());
        assertEquals(1.0, families.get("sidecore_up").samples().get(0).value());
    }

    @Test
    void shouldFindCountersFileFromDaemonConfiguration() throws IOException
    {
        final Path config = dir.resolve("sidecore.properties");
        Files.writeString(config, "sidecore.counters.file=" + file + "\nsidecore.cores=1\n");

        final String out = run("--prometheus", "--config", config.toString());

        assertEquals(10.0,
            PrometheusTextParser.parse(out).get("sidecore_port_tx_frames_total").samples().get(0).value());
    }

    @Test
    void shouldRefuseFileAndConfigTogether()
    {
        final StringWriter err = new StringWriter();
        final int exit = StatMain.commandLine(new StatMain(clock, clock, ms -> { }, pid -> true, false))
            .setErr(new PrintWriter(err, true)).execute("--file", file.toString(), "--config", "/x");

        assertEquals(StatMain.EXIT_USAGE, exit);
        assertTrue(err.toString().contains("--file and --config exclude each other"), err.toString());
    }

    @Test
    void shouldServeMetricsOverHttp() throws Exception
    {
        try (PrometheusHttpServer server = PrometheusHttpServer.start(new InetSocketAddress("127.0.0.1", 0), file,
            CounterSelection.parse(java.util.List.of(), java.util.List.of()), clock, clock, pid -> true))
        {
            final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertEquals(10.0, PrometheusTextParser.parse(response.body()).get("sidecore_port_tx_frames_total")
                .samples().get(0).value());
        }
    }

    @Test
    void shouldAnswerUnavailableWhenCountersFileMissing() throws Exception
    {
        try (PrometheusHttpServer server = PrometheusHttpServer.start(new InetSocketAddress("127.0.0.1", 0),
            dir.resolve("missing.dat"), CounterSelection.parse(java.util.List.of(), java.util.List.of()), clock,
            clock, pid -> true))
        {
            final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());

            assertEquals(503, response.statusCode());
            assertTrue(response.body().contains("missing.dat"), response.body());
        }
    }

    private String run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = StatMain.commandLine(new StatMain(clock, clock, ms -> { }, pid -> true, false))
            .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        assertEquals(0, exit, err.toString());
        return out.toString();
    }
}
