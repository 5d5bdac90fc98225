package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatJsonTest
{
    @Test
    void shouldReadPortTrafficAndDoorbellsWhenRecordedDemoSnapshot()
    {
        final StatJson g1 = StatJson.parse(Recorded.text("stat-demo-two-ports.json"), "g1");

        assertEquals(new PortTraffic(222973, 14270272, 222251, 14224064), g1.traffic());
        assertEquals(4589, g1.doorbellsShared());
        assertEquals(0, g1.doorbellsTrapped());
    }

    @Test
    void shouldReadLastSnapshotWhenSeveralLines()
    {
        final String two = Recorded.text("stat-demo-two-ports.json").strip();
        final String later = two.replace("\"tx_frames\":222909", "\"tx_frames\":222999");

        assertEquals(222999, StatJson.parse(two + "\n" + later + "\n", "g0").traffic().txFrames());
    }

    @Test
    void shouldFailNamingPortWhenPortMissing()
    {
        final E2eException ex = assertThrows(E2eException.class,
            () -> StatJson.parse(Recorded.text("stat-demo-two-ports.json"), "g7"));

        assertTrue(ex.getMessage().contains("no port 'g7'"), ex.getMessage());
    }

    @Test
    void shouldFailNamingCounterWhenCounterMissing()
    {
        final String json = "{\"ports\":[{\"id\":0,\"name\":\"g0\",\"counters\":{\"tx_frames\":1,\"tx_bytes\":60," +
            "\"rx_frames\":1,\"rx_bytes\":60}}]}";

        final E2eException ex = assertThrows(E2eException.class, () -> StatJson.parse(json, "g0"));

        assertTrue(ex.getMessage().contains("no counter doorbells_shared for port g0"), ex.getMessage());
    }

    @Test
    void shouldFailWhenStatPrintedText()
    {
        final E2eException ex = assertThrows(E2eException.class,
            () -> StatJson.parse("sidecore stat: counters file /dev/shm/x not found\n", "g0"));

        assertTrue(ex.getMessage().contains("no JSON"), ex.getMessage());
    }
}
