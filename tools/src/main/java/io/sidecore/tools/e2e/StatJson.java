package io.sidecore.tools.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One port's counters from {@code tools/sidecore stat --format json} (one JSON object per line; the port's counters
 * under {@code ports[].counters}, names from {@link io.sidecore.shm.PortCounter}).
 *
 * @param portName        the port.
 * @param traffic         its frames and bytes ({@code tx_*} = what the guest transmitted, FCS not counted).
 * @param doorbellsShared TDT/RDT updates the sidecore saw by polling the shared page.
 * @param doorbellsTrapped TDT/RDT updates that arrived as trapped register writes.
 */
record StatJson(String portName, PortTraffic traffic, long doorbellsShared, long doorbellsTrapped)
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param output   what {@code stat --format json} printed; the last non-blank line is read.
     * @param portName the port to read.
     * @return its counters.
     * @throws E2eException when the output is not stat's JSON, the port is missing, or a counter is.
     */
    static StatJson parse(final String output, final String portName)
    {
        final String line = Text.lines(output).isEmpty() ? "" : Text.lines(output).getLast();
        final JsonNode root;
        try
        {
            root = JSON.readTree(line);
        }
        catch (final JsonProcessingException ex)
        {
            throw new E2eException("sidecore stat printed no JSON (" + ex.getOriginalMessage() + "): " +
                Text.abbreviate(output));
        }
        final JsonNode ports = null == root ? null : root.get("ports");
        if (null == ports || !ports.isArray())
        {
            throw new E2eException("sidecore stat's JSON has no ports array: " + Text.abbreviate(output));
        }
        for (final JsonNode port : ports)
        {
            if (portName.equals(port.path("name").asText()))
            {
                final JsonNode counters = port.path("counters");
                return new StatJson(portName,
                    new PortTraffic(
                        counter(counters, portName, "tx_frames"),
                        counter(counters, portName, "tx_bytes"),
                        counter(counters, portName, "rx_frames"),
                        counter(counters, portName, "rx_bytes")),
                    counter(counters, portName, "doorbells_shared"),
                    counter(counters, portName, "doorbells_trapped"));
            }
        }
        throw new E2eException("sidecore stat shows no port '" + portName + "': " + Text.abbreviate(output));
    }

    private static long counter(final JsonNode counters, final String portName, final String name)
    {
        final JsonNode value = counters.get(name);
        if (null == value || !value.canConvertToLong())
        {
            throw new E2eException("sidecore stat shows no counter " + name + " for port " + portName);
        }
        return value.asLong();
    }
}
