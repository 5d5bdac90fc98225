package io.sidecore.bench.system;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * What a run leaves in its results directory: {@code metadata.txt} (what was measured on what), {@code runs.csv} (one
 * row per measured interval), {@code results.csv} (one row per case), {@code results.txt} (the RESULT, RATIO, IDLE,
 * OUTLIERS and PROFILE lines as printed), and the plots {@code throughput_vs_guests.png} and
 * {@code latency_cdf.png}.
 */
final class ResultsWriter
{
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 800;

    private final Path directory;

    /**
     * @param directory the results directory (created).
     * @throws IOException when it cannot be created.
     */
    ResultsWriter(final Path directory) throws IOException
    {
        this.directory = Files.createDirectories(directory);
    }

    /**
     * @return the results directory.
     */
    Path directory()
    {
        return directory;
    }

    /**
     * @param metadata key-value lines.
     * @throws IOException when it cannot be written.
     */
    void writeMetadata(final Map<String, String> metadata) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        metadata.forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
        Files.writeString(directory.resolve("metadata.txt"), text.toString(), StandardCharsets.UTF_8);
    }

    /**
     * @param lines the report lines.
     * @throws IOException when it cannot be written.
     */
    void writeReport(final List<String> lines) throws IOException
    {
        Files.write(directory.resolve("results.txt"), lines, StandardCharsets.UTF_8);
    }

    /**
     * @param runs every measured interval.
     * @throws IOException when it cannot be written.
     */
    void writeRuns(final List<RunResult> runs) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        lines.add("mode,path,guests,frame,csb,load,repeat,seconds,frames,bytes,drops,mpps,gbps,busy,ns_per_frame," +
            "pass_p50_ns,pass_p99_ns,pass_p999_ns,pass_max_ns,alloc_bytes,gc_count,gc_ms,latency_samples," +
            "latency_timeouts,latency_p50_ns,latency_p99_ns,latency_p999_ns,latency_max_ns,guest_rounds,ring_full," +
            "ring_empty,guest_cpu,guest_trapped_accesses,doorbells_shared,doorbells_trapped,doorbells_csb," +
            "interrupts_posted,sidecore_cpu_ns,sidecore_runqueue_wait_ns,sidecore_involuntary_switches," +
            "core_work_unit_ns,saturated,start,end");
        for (final RunResult r : runs)
        {
            final BenchCase c = r.benchCase();
            lines.add(String.join(",", List.of(
                c.mode().name().toLowerCase(Locale.ROOT), c.path().name().toLowerCase(Locale.ROOT),
                Integer.toString(c.guests()), Integer.toString(c.frameBytes()), c.csb() ? "on" : "off", c.loadName(),
                Integer.toString(r.repeat()), format(r.seconds()), Long.toString(r.frames()), Long.toString(r.bytes()),
                Long.toString(r.drops()), format(r.mpps()), format(r.gbps()), format(r.busy()),
                format(r.nsPerFrame()), Long.toString(r.passTimeNs(0.5)), Long.toString(r.passTimeNs(0.99)),
                Long.toString(r.passTimeNs(0.999)), Long.toString(r.passTimeNs(1.0)),
                Long.toString(r.allocatedBytes()), Long.toString(r.gcCount()), Long.toString(r.gcTimeMs()),
                Long.toString(r.latencySamples()), Long.toString(r.latencyTimeouts()),
                Long.toString(r.latencyP50Ns()), Long.toString(r.latencyP99Ns()), Long.toString(r.latencyP999Ns()),
                Long.toString(r.latencyMaxNs()), Long.toString(r.guestRounds()), Long.toString(r.ringFull()),
                Long.toString(r.ringEmpty()), format(r.guestCpu()), Long.toString(r.guestTrapped()),
                Long.toString(r.doorbellsShared()), Long.toString(r.doorbellsTrapped()),
                Long.toString(r.doorbellsCsb()), Long.toString(r.interruptsPosted()),
                Long.toString(r.sidecoreThread().cpuNs()), Long.toString(r.sidecoreThread().runQueueWaitNs()),
                Long.toString(r.sidecoreThread().involuntarySwitches()), Long.toString(r.coreWorkUnitNs()),
                r.saturated(), r.start().toString(),
                r.end().toString())));
        }
        Files.write(directory.resolve("runs.csv"), lines, StandardCharsets.UTF_8);
    }

    /**
     * @param summaries every case.
     * @throws IOException when it cannot be written.
     */
    void writeSummaries(final List<CaseSummary> summaries) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        lines.add("mode,path,guests,frame,csb,load,runs,mpps,mpps_min,mpps_max,gbps,p50_us,p99_us,p999_us,busy," +
            "ns_per_frame,pass_p99_us,pass_p999_us,saturated");
        for (final CaseSummary s : summaries)
        {
            final BenchCase c = s.benchCase();
            lines.add(String.join(",", List.of(
                c.mode().name().toLowerCase(Locale.ROOT), c.path().name().toLowerCase(Locale.ROOT),
                Integer.toString(c.guests()), Integer.toString(c.frameBytes()), c.csb() ? "on" : "off", c.loadName(),
                Integer.toString(s.runs().size()), format(s.median(RunResult::mpps)), format(s.min(RunResult::mpps)),
                format(s.max(RunResult::mpps)), format(s.median(RunResult::gbps)),
                format(s.median(r -> r.latencyP50Ns() / 1e3)), format(s.median(r -> r.latencyP99Ns() / 1e3)),
                format(s.median(r -> r.latencyP999Ns() / 1e3)), format(s.median(RunResult::busy)),
                format(s.median(RunResult::nsPerFrame)), format(s.median(r -> r.passTimeNs(0.99) / 1e3)),
                format(s.median(r -> r.passTimeNs(0.999) / 1e3)), s.saturated())));
        }
        Files.write(directory.resolve("results.csv"), lines, StandardCharsets.UTF_8);
    }

    /**
     * Throughput (median Mpps) against guests, one line per mode, path, frame and CSB setting, of the cases in which
     * every guest sends.
     *
     * @param summaries every case.
     * @throws IOException when it cannot be written.
     */
    void plotThroughput(final List<CaseSummary> summaries) throws IOException
    {
        final Map<String, XYSeries> series = new LinkedHashMap<>();
        for (final CaseSummary s : summaries)
        {
            final BenchCase c = s.benchCase();
            if (BenchCase.Load.ALL != c.load())
            {
                continue;
            }
            final String key = String.format(Locale.ROOT, "%s %s %dB csb=%s", c.mode().name().toLowerCase(Locale.ROOT),
                c.path().name().toLowerCase(Locale.ROOT), c.frameBytes(), c.csb() ? "on" : "off");
            series.computeIfAbsent(key, XYSeries::new).add(c.guests(), s.median(RunResult::mpps));
        }
        final XYSeriesCollection dataset = new XYSeriesCollection();
        series.values().forEach(dataset::addSeries);
        final JFreeChart chart = ChartFactory.createXYLineChart("Throughput against guests (one sidecore core)",
            "guests", "Mpps (median of repetitions)", dataset, PlotOrientation.VERTICAL, true, false, false);
        final XYPlot plot = chart.getXYPlot();
        final LogarithmicAxis guests = new LogarithmicAxis("guests (log)");
        guests.setAllowNegativesFlag(false);
        plot.setDomainAxis(guests);
        // a marker on every point: --quick measures most series at one guest count, which a line alone never shows
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        ChartUtils.saveChartAsPNG(directory.resolve("throughput_vs_guests.png").toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * Doorbell-to-DD latency CDF per case, from the probe's histograms of every repetition merged.
     *
     * @param summaries every case.
     * @throws IOException when it cannot be written.
     */
    void plotLatency(final List<CaseSummary> summaries) throws IOException
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        for (final CaseSummary s : summaries)
        {
            final Histogram merged = merged(s.runs());
            if (null == merged || 0 == merged.getTotalCount())
            {
                continue;
            }
            final XYSeries cdf = new XYSeries(s.benchCase().label());
            for (final HistogramIterationValue value : merged.recordedValues())
            {
                cdf.add(Math.max(0.01, value.getValueIteratedTo() / 1e3), value.getPercentile());
            }
            dataset.addSeries(cdf);
        }
        final JFreeChart chart = ChartFactory.createXYLineChart("Doorbell to DD latency, CDF (probe guest)",
            "latency, us (log)", "percentile", dataset, PlotOrientation.VERTICAL, true, false, false);
        final LogarithmicAxis latency = new LogarithmicAxis("latency, us (log)");
        latency.setAllowNegativesFlag(false);
        chart.getXYPlot().setDomainAxis(latency);
        ChartUtils.saveChartAsPNG(directory.resolve("latency_cdf.png").toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * @param runs repetitions.
     * @return their probe histograms merged, or null when none has one.
     */
    static Histogram merged(final List<RunResult> runs)
    {
        Histogram merged = null;
        for (final RunResult run : runs)
        {
            if (run.latencyHistogram().isEmpty())
            {
                continue;
            }
            try
            {
                final Histogram histogram = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(run.latencyHistogram())), 0);
                if (null == merged)
                {
                    merged = histogram;
                }
                else
                {
                    merged.add(histogram);
                }
            }
            catch (final DataFormatException ex)
            {
                throw new IllegalStateException("the guests sent a latency histogram that does not decode", ex);
            }
        }
        return merged;
    }

    private static String format(final double value)
    {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
