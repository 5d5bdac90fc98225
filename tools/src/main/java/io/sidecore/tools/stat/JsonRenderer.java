package io.sidecore.tools.stat;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortFaultDescriptor;

import java.io.PrintWriter;
import java.util.List;

/**
 * The machine-readable view: one JSON object per snapshot, on one line (JSON Lines), for {@code jq} and scripts:
 * <pre>
 * {"file":"...","version":"1.0.0","pid":4242,"pid_alive":true,"start_timestamp_ms":...,"timestamp_ms":...,
 *  "heartbeat_ms":...,"heartbeat_age_ms":120,"stale":false,"rate_interval_ms":null,
 *  "ports":[{"id":0,"name":"g0","fault":null,"fault_count":0,"counters":{"tx_frames":12000,...}}],
 *  "sidecores":[{"index":0,"counters":{"duty_cycles":...,...}}],
 *  "other":[{"counter_id":9,"type_id":1003,"label":"...","value":1}],
 *  "missing_ports":[],
 *  "errors":[{"count":3,"first_timestamp_ms":...,"last_timestamp_ms":...,"exception":"..."}]}
 * </pre>
 * A port quarantined by a {@link PortFault} has {@code "fault":{"id":4,"name":"tx_tail_beyond_ring","description":
 * "...","register":"TDT","register_offset":14360,"value":1024,"timestamp_ms":...}} instead of {@code null};
 * {@code fault_count} counts its faults since it was created (a reset clears the fault, not the count).
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
                fault(json, snapshot.portFault(group.ownerId()));
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

    private static void fault(final JsonWriter json, final PortFaultDescriptor.Reading reading)
    {
        json.name("fault");
        if (null == reading || PortFault.NO_FAULT_ID == reading.faultId())
        {
            json.value((String)null);
        }
        else
        {
            final PortFault fault = reading.fault();
            json.beginObject()
                .name("id").value(reading.faultId())
                .name("name").value(null != fault ? fault.faultName() : null)
                .name("description").value(null != fault ? fault.description() : null)
                .name("register").value(E1000Registers.registerName(reading.register()))
                .name("register_offset").value(reading.register())
                .name("value").value(reading.value())
                .name("timestamp_ms").value(reading.timestampMs())
                .endObject();
        }
        json.name("fault_count").value(null == reading ? 0 : reading.faultCount());
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
