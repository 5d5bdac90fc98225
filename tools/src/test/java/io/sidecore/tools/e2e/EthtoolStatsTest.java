package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EthtoolStatsTest
{
    @Test
    void shouldReadEveryStatisticWhenRecordedE1000Output()
    {
        final Map<String, Long> statistics = EthtoolStats.parse(Recorded.text("ethtool-S-e1000-qemu.txt"));

        assertEquals(46, statistics.size());
        assertEquals(1386144L, statistics.get("rx_packets"));
        assertEquals(313L, statistics.get("tx_restart_queue"));
    }

    @Test
    void shouldTakeGuestTrafficFromHardwareCountersWhenE1000()
    {
        final PortTraffic traffic = EthtoolStats.guestTraffic(
            EthtoolStats.parse(Recorded.text("ethtool-S-e1000-qemu.txt")));

        // QEMU 11.1.3's e1000 reads GORCL/GOTCL as 0 (TORL/TOTL do count), hence the zero bytes.
        assertEquals(new PortTraffic(672925, 0, 1386144, 0), traffic);
    }

    @Test
    void shouldReadNetdevStatisticsInSameFormWhenVirtio()
    {
        final String output = "tx_packets: 23686\ntx_bytes: 1111749134\nrx_packets: 39140\nrx_bytes: 1611650763\n";

        assertEquals(new PortTraffic(23686, 1111749134L, 39140, 1611650763L),
            EthtoolStats.guestTraffic(EthtoolStats.parse(output)));
    }

    @Test
    void shouldNameMissingCounterWhenDriverLacksIt()
    {
        final String virtioEthtool = "NIC statistics:\n     rx_drops: 0\n     rx_kicks: 1983\n     tx_kicks: 85186\n";

        final E2eException ex = assertThrows(E2eException.class,
            () -> EthtoolStats.guestTraffic(EthtoolStats.parse(virtioEthtool)));

        assertTrue(ex.getMessage().contains("'tx_packets'"), ex.getMessage());
    }

    @Test
    void shouldFailWhenOutputHasNoStatistics()
    {
        final E2eException ex = assertThrows(E2eException.class,
            () -> EthtoolStats.parse("no stats available\n"));

        assertTrue(ex.getMessage().contains("no statistics"), ex.getMessage());
    }
}
