package io.sidecore.tools.stat;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counters in the Prometheus text exposition format (written by the Prometheus Java client's own writer): one
 * metric family per counter, {@code sidecore_port_<counter>_total{port="<name>"}} for port counters and
 * {@code sidecore_<counter>_total{sidecore="<index>"}} (or a gauge without {@code _total}) for sidecore counters,
 * each with the counter's description as HELP; plus {@code sidecore_up} (1 while the heartbeat is fresh) and
 * {@code sidecore_heartbeat_age_seconds}. Counters of other types are left out.
 */
final class PrometheusRenderer implements SnapshotRenderer
{
    private static final Map<String, String> PORT_HELP = new HashMap<>();
    private static final Map<String, String> SIDECORE_HELP = new HashMap<>();

    static
    {
        for (final PortCounter counter : PortCounter.values())
        {
            PORT_HELP.put(counter.counterName(), counter.description());
        }
        for (final SidecoreCounter counter : SidecoreCounter.values())
        {
            SIDECORE_HELP.put(counter.counterName(), counter.description());
        }
    }

    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * {@inheritDoc}
     */
    public void render(final Snapshot snapshot, final Rates rates, final PrintWriter out)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(16384);
        try
        {
            writer.write(bytes, metrics(snapshot), EscapingScheme.UNDERSCORE_ESCAPING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        out.print(bytes.toString(StandardCharsets.UTF_8));
    }

    /**
     * @param snapshot what was read.
     * @return the metric families.
     */
    static MetricSnapshots metrics(final Snapshot snapshot)
    {
        final Map<String, Family> families = new LinkedHashMap<>();
        for (final Snapshot.CounterGroup group : snapshot.groups())
        {
            for (final CounterEntry entry : group.entries())
            {
                switch (entry.kind())
                {
                    case PORT -> family(families, "sidecore_port_" + entry.counterName(), entry.gauge(),
                        PORT_HELP.getOrDefault(entry.counterName(), entry.counterName()))
                        .add("port", entry.ownerName(), entry.value());
                    case SIDECORE -> family(families, "sidecore_" + entry.counterName(), entry.gauge(),
                        SIDECORE_HELP.getOrDefault(entry.counterName(), entry.counterName()))
                        .add("sidecore", entry.ownerName(), entry.value());
                    default ->
                    {
                    }
                }
            }
        }
        final List<MetricSnapshot> metrics = new ArrayList<>();
        metrics.add(gauge("sidecore_up", "1 while the daemon's heartbeat is fresh (under 3 s), else 0",
            snapshot.isStale() ? 0 : 1));
        metrics.add(gauge("sidecore_heartbeat_age_seconds", "age of the daemon's heartbeat in the counters file",
            snapshot.heartbeatAgeMs() / 1000.0));
        for (final Family family : families.values())
        {
            metrics.add(family.build());
        }
        return new MetricSnapshots(metrics);
    }

    private static Family family(
        final Map<String, Family> families, final String name, final boolean gauge, final String help)
    {
        return families.computeIfAbsent(name, key -> new Family(key, gauge, help));
    }

    private static MetricSnapshot gauge(final String name, final String help, final double value)
    {
        return GaugeSnapshot.builder().name(name).help(help)
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }

    /**
     * One metric family being collected: its samples, one per port or sidecore.
     */
    private static final class Family
    {
        private final String name;
        private final boolean gauge;
        private final String help;
        private final List<Labels> labels = new ArrayList<>();
        private final List<Long> values = new ArrayList<>();

        Family(final String name, final boolean gauge, final String help)
        {
            this.name = name;
            this.gauge = gauge;
            this.help = help;
        }

        void add(final String labelName, final String labelValue, final long value)
        {
            labels.add(Labels.of(labelName, labelValue));
            values.add(value);
        }

        MetricSnapshot build()
        {
            if (gauge)
            {
                final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
                for (int i = 0; i < values.size(); i++)
                {
                    builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(labels.get(i)).value(values.get(i)).build());
                }
                return builder.build();
            }
            final CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
            for (int i = 0; i < values.size(); i++)
            {
                builder.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(labels.get(i)).value(values.get(i)).build());
            }
            return builder.build();
        }
    }
}
