package io.sidecore.tools.stat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.LongPredicate;

/**
 * {@code stat --prometheus --listen ADDR:PORT}: serves the counters in the Prometheus text format at
 * {@code /metrics}, one fresh look at the counters file per scrape (so a restarted daemon is picked up), on the JDK's
 * own HTTP server. A scrape while the counters file cannot be read answers 503 with the reason.
 */
final class PrometheusHttpServer implements AutoCloseable
{
    /** The path scraped. */
    static final String METRICS_PATH = "/metrics";

    private final HttpServer server;
    private final Path file;
    private final CounterSelection selection;
    private final EpochClock epochClock;
    private final NanoClock nanoClock;
    private final LongPredicate processAlive;
    private final PrometheusRenderer renderer = new PrometheusRenderer();

    private PrometheusHttpServer(
        final HttpServer server,
        final Path file,
        final CounterSelection selection,
        final EpochClock epochClock,
        final NanoClock nanoClock,
        final LongPredicate processAlive)
    {
        this.server = server;
        this.file = file;
        this.selection = selection;
        this.epochClock = epochClock;
        this.nanoClock = nanoClock;
        this.processAlive = processAlive;
    }

    /**
     * Bind and start serving.
     *
     * @param address      where to listen.
     * @param file         the counters file.
     * @param selection    which counters.
     * @param epochClock   wall clock.
     * @param nanoClock    monotonic clock.
     * @param processAlive whether a pid is alive.
     * @return the running server.
     * @throws IOException when the address cannot be bound.
     */
    static PrometheusHttpServer start(
        final InetSocketAddress address,
        final Path file,
        final CounterSelection selection,
        final EpochClock epochClock,
        final NanoClock nanoClock,
        final LongPredicate processAlive) throws IOException
    {
        final HttpServer server = HttpServer.create(address, 16);
        final PrometheusHttpServer metrics =
            new PrometheusHttpServer(server, file, selection, epochClock, nanoClock, processAlive);
        server.createContext(METRICS_PATH, metrics::handle);
        server.start();
        return metrics;
    }

    /**
     * @return the address bound (the port, when 0 was asked for).
     */
    InetSocketAddress address()
    {
        return server.getAddress();
    }

    /**
     * Stop serving.
     */
    public void close()
    {
        server.stop(0);
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()) || !METRICS_PATH.equals(exchange.getRequestURI().getPath()))
            {
                reply(exchange, 404, "text/plain; charset=utf-8", "only GET " + METRICS_PATH + "\n");
                return;
            }
            final ByteArrayOutputStream body = new ByteArrayOutputStream(16384);
            try (CountersFileReader reader = CountersFileReader.open(file);
                PrintWriter out = new PrintWriter(body, false, StandardCharsets.UTF_8))
            {
                final Snapshot snapshot = Snapshot.capture(
                    reader, selection, false, processAlive.test(reader.pid()), epochClock, nanoClock);
                renderer.render(snapshot, Rates.NONE, out);
            }
            catch (final StatException ex)
            {
                reply(exchange, 503, "text/plain; charset=utf-8", ex.getMessage() + "\n");
                return;
            }
            reply(exchange, 200, PrometheusTextFormatWriter.CONTENT_TYPE, body.toString(StandardCharsets.UTF_8));
        }
    }

    private static void reply(final HttpExchange exchange, final int status, final String contentType,
        final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }
}
