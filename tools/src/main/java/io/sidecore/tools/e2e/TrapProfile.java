package io.sidecore.tools.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sidecore.shm.control.ControlProtocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which registers a guest makes the sidecore trap on, from {@code tools/sidecore ctl --json stats PORT}: every
 * trapped access by region, register and direction (the vfio-user endpoint's {@code trapped_accesses}), and the
 * doorbells the sidecore polled from the shared page against those that arrived as trapped writes. Two snapshots
 * around a traffic window give the rates per second of traffic ({@link #ratesSince}), the table that decides which
 * registers the device shares next.
 *
 * @param accesses         "bar0 ICR read" to accesses, in the daemon's order.
 * @param doorbellsShared  TDT/RDT updates polled from the shared page.
 * @param doorbellsTrapped TDT/RDT updates that arrived as trapped writes.
 */
record TrapProfile(Map<String, Long> accesses, long doorbellsShared, long doorbellsTrapped)
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param output   what {@code ctl --json stats PORT} printed; the last non-blank line is read.
     * @param portName the port.
     * @return its profile.
     * @throws E2eException when the output is not ctl's JSON or the port has no vfio-user endpoint.
     */
    static TrapProfile parse(final String output, final String portName)
    {
        final List<String> lines = Text.lines(output);
        final JsonNode root;
        try
        {
            root = JSON.readTree(lines.isEmpty() ? "" : lines.getLast());
        }
        catch (final JsonProcessingException ex)
        {
            throw new E2eException("ctl stats printed no JSON (" + ex.getOriginalMessage() + "): " +
                Text.abbreviate(output));
        }
        final JsonNode ports = null == root ? null : root.get(ControlProtocol.PORTS);
        if (null == ports || !ports.isArray())
        {
            throw new E2eException("ctl stats has no ports: " + Text.abbreviate(output));
        }
        for (final JsonNode port : ports)
        {
            if (!portName.equals(port.path(ControlProtocol.NAME).asText()))
            {
                continue;
            }
            final JsonNode endpoint = port.get(ControlProtocol.VFIO_USER);
            if (null == endpoint)
            {
                throw new E2eException("port " + portName + " has no vfio-user endpoint in ctl stats");
            }
            final Map<String, Long> accesses = new LinkedHashMap<>();
            for (final JsonNode access : endpoint.path(ControlProtocol.TRAPPED_ACCESSES))
            {
                accesses.merge(access.path(ControlProtocol.REGION).asText() + " " +
                    access.path(ControlProtocol.REGISTER).asText() + " " +
                    (access.path(ControlProtocol.WRITE).asBoolean() ? "write" : "read"),
                    access.path(ControlProtocol.COUNT).asLong(), Long::sum);
            }
            final JsonNode counters = port.path(ControlProtocol.COUNTERS);
            return new TrapProfile(accesses, counters.path("doorbells_shared").asLong(),
                counters.path("doorbells_trapped").asLong());
        }
        throw new E2eException("ctl stats has no port " + portName + ": " + Text.abbreviate(output));
    }

    /**
     * @param before  a snapshot taken earlier.
     * @param seconds seconds of traffic between the two.
     * @return one line for the doorbells, then one per register accessed in between, busiest first: e.g.
     *         {@code "bar0 ICR read 1234.5/s"}.
     */
    List<String> ratesSince(final TrapProfile before, final double seconds)
    {
        final List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "doorbells polled from the shared page %.1f/s, trapped %.1f/s",
            (doorbellsShared - before.doorbellsShared) / seconds,
            (doorbellsTrapped - before.doorbellsTrapped) / seconds));
        final List<Map.Entry<String, Long>> deltas = new ArrayList<>();
        for (final Map.Entry<String, Long> access : accesses.entrySet())
        {
            final long delta = access.getValue() - before.accesses.getOrDefault(access.getKey(), 0L);
            if (delta > 0)
            {
                deltas.add(Map.entry(access.getKey(), delta));
            }
        }
        deltas.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
        for (final Map.Entry<String, Long> delta : deltas)
        {
            lines.add(String.format(Locale.ROOT, "%s %.1f/s", delta.getKey(), delta.getValue() / seconds));
        }
        return lines;
    }
}
