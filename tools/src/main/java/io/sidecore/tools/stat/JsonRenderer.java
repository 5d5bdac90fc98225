package io.sidecore.tools.stat;

import java.io.PrintWriter;
import java.util.List;

/**
 * The machine-readable view: one JSON object per snapshot, on one line (JSON Lines), for {@code jq} and scripts:
 * <pre>
 * {"file":"...","version":"1.0.0","pid":4242,"pid_alive":true,"start_timestamp_ms":...,"timestamp_ms":...,
 *  "heartbeat_ms":...,"heartbeat_age_ms":120,"stale":false,"rate_interval_ms":null,
 *  "ports":[{"id":0,"name":"g0","counters":{"tx_frames":12000,...}}],
 *  "sidecores":[{"index":0,"counters":{"duty_cycles":...,...}}],
 *  "other":[{"counter_id":9,"type_id":1003,"label":"...","value":1}],
 *  "missing_ports":[],
 *  "errors":[{"count":3,"first_timestamp_ms":...,"last_timestamp_ms":...,"exception":"..."}]}
 * </pre>
 * In watch mode, from the second snapshot on, {@code rate_interval_ms} is the measured interval and each port and
 * sidecore object also has {@code "rates":{"tx_frames":1000.0,...}} (per second, gauges left out); {@code other}
 * entries get {@code "rate"}. {@code errors} is absent with {@code --no-errors}.
 */
final class JsonRenderer implements SnapshotRenderer
{
    private final StringBuilder line = new StringBuilder(4096);

    /**
     * {@inheritDoc}
     */
    public void render(final Snapshot snapshot, final Rates rates, final PrintWriter out)
    {
        line.setLength(0);
        final JsonWriter json = new JsonWriter(line);
        json.beginObject()
            .name("file").value(snapshot.file())
            .name("version").value(snapshot.version())
            .name("pid").value(snapshot.pid())
            .name("pid_alive").value(snapshot.pidAlive())
            .name("start_timestamp_ms").value(snapshot.startTimestampMs())
            .name("timestamp_ms").value(snapshot.timestampMs())
            .name("heartbeat_ms").value(snapshot.heartbeatMs())
            .name("heartbeat_age_ms").value(snapshot.heartbeatAgeMs())
            .name("stale").value(snapshot.isStale());
        json.name("rate_interval_ms");
        if (rates.isAvailable())
        {
            json.value(rates.intervalMs());
        }
        else
        {
            json.value((String)null);
        }

        json.name("ports").beginArray();
        for (final Snapshot.CounterGroup group : snapshot.groups())
        {
            if (CounterKind.PORT == group.kind())
            {
                json.beginObject().name("id").value(group.ownerId()).name("name").value(group.name());
                counters(json, group.entries(), rates);
                json.endObject();
            }
        }
        json.endArray();

        json.name("sidecores").beginArray();
        for (final Snapshot.CounterGroup group : snapshot.groups())
        {
            if (CounterKind.SIDECORE == group.kind())
            {
                json.beginObject().name("index").value(group.ownerId());
                counters(json, group.entries(), rates);
                json.endObject();
            }
        }
        json.endArray();

        json.name("other").beginArray();
        for (final Snapshot.CounterGroup group : snapshot.groups())
        {
            if (CounterKind.OTHER == group.kind())
            {
                for (final CounterEntry entry : group.entries())
                {
                    json.beginObject()
                        .name("counter_id").value(entry.counterId())
                        .name("type_id").value(entry.typeId())
                        .name("label").value(entry.label())
                        .name("value").value(entry.value());
                    final double rate = rates.perSecond(entry);
                    if (!Double.isNaN(rate))
                    {
                        json.name("rate").value(rate);
                    }
                    json.endObject();
                }
            }
        }
        json.endArray();

        json.name("missing_ports").beginArray();
        for (final String portName : snapshot.missingPorts())
        {
            json.value(portName);
        }
        json.endArray();

        if (null != snapshot.errors())
        {
            json.name("errors").beginArray();
            for (final ErrorEntry error : snapshot.errors())
            {
                json.beginObject()
                    .name("count").value(error.observationCount())
                    .name("first_timestamp_ms").value(error.firstObservationMs())
                    .name("last_timestamp_ms").value(error.lastObservationMs())
                    .name("exception").value(error.encodedException())
                    .endObject();
            }
            json.endArray();
        }
        json.endObject();

        out.println(line);
    }

    private static void counters(final JsonWriter json, final List<CounterEntry> entries, final Rates rates)
    {
        json.name("counters").beginObject();
        for (final CounterEntry entry : entries)
        {
            json.name(entry.counterName()).value(entry.value());
        }
        json.endObject();

        if (rates.isAvailable())
        {
            json.name("rates").beginObject();
            for (final CounterEntry entry : entries)
            {
                final double rate = rates.perSecond(entry);
                if (!Double.isNaN(rate))
                {
                    json.name(entry.counterName()).value(rate);
                }
            }
            json.endObject();
        }
    }
}
