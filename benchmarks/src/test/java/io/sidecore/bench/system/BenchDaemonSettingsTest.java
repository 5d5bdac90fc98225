package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchDaemonSettingsTest
{
    /** The largest case: 256 guests, a receiver (one-guest guest to guest only) and the latency probe. */
    private static final int MOST_PORTS_OF_A_CASE = BenchPlan.GUESTS.get(BenchPlan.GUESTS.size() - 1) + 2;

    @Test
    void shouldLetTheOneSidecoreOwnEveryPortOfTheLargestCase()
    {
        final Map<String, String> settings = BenchDaemon.settings(Path.of("/tmp/d"), Path.of("/tmp/c.dat"), 1, "busy");

        assertTrue(Integer.parseInt(settings.getOrDefault("sidecore.max.ports.per.sidecore", "256")) >=
            MOST_PORTS_OF_A_CASE, "sidecore.max.ports.per.sidecore: " + settings);
        assertTrue(Integer.parseInt(settings.get("sidecore.max.ports")) >= MOST_PORTS_OF_A_CASE);
    }
}
