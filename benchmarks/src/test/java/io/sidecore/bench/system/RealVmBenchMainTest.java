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

    @Test
    void shouldWidenTheMetricColumnWhenAMetricIsLongerThanIt()
    {
        final Map<String, Map<String, String>> table = new LinkedHashMap<>();
        table.put("sidecore", new LinkedHashMap<>());
        table.get("sidecore").put("tcp_rr_transactions_per_second (1/s)", "1494.0");
        table.get("sidecore").put("udp64_peer_to_guest_socket_full_pps (frames/s)", "34986.8");

        final List<String> lines = RealVmBenchMain.table(table, Map.of());

        assertEquals(List.of(
            "| measurement                                    |     sidecore |",
            "|------------------------------------------------|-------------:|",
            "| tcp_rr_transactions_per_second (1/s)           |       1494.0 |",
            "| udp64_peer_to_guest_socket_full_pps (frames/s) |      34986.8 |"), lines);
    }
}
