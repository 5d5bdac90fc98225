package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RealVmBenchMainTest
{
    @Test
    void shouldTabulateMetricsByModeAndShowFailedModeAsFailed()
    {
        final Map<String, Map<String, String>> table = new LinkedHashMap<>();
        table.put("qemu-e1000", new LinkedHashMap<>(Map.of("tcp_guest_to_peer_mbps (Mbit/s)", "737.0")));
        table.put("sidecore", new LinkedHashMap<>());
        final Map<String, String> failures = Map.of("sidecore", "E2E FAIL setup the port socket is not served");

        final List<String> lines = RealVmBenchMain.table(table, failures);

        assertEquals(List.of(
            "| measurement                                  |   qemu-e1000 |     sidecore |",
            "|----------------------------------------------|-------------:|-------------:|",
            "| tcp_guest_to_peer_mbps (Mbit/s)              |        737.0 |       FAILED |",
            "REALVM FAILED mode=sidecore: E2E FAIL setup the port socket is not served"), lines);
    }
}
