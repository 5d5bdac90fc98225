package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trapped-access profile read from {@code ctl --json stats} (recorded from the daemon) and its rates.
 */
class TrapProfileTest
{
    @Test
    void shouldReadTrappedAccessesByRegisterAndTheDoorbellCounts()
    {
        final TrapProfile profile = TrapProfile.parse(Recorded.text("ctl-stats-vfio-user.json"), "g0");

        assertEquals(10706L, profile.accesses().get("bar0 STATUS read"));
        assertEquals(7040L, profile.accesses().get("bar0 RDT write"));
        assertEquals(20L, profile.accesses().get("config config 0x04 write"));
        assertEquals(1, profile.doorbellsShared());
        assertEquals(10725, profile.doorbellsTrapped());
    }

    @Test
    void shouldGiveRatesPerSecondBusiestFirstLeavingOutRegistersNotAccessed()
    {
        final TrapProfile before = new TrapProfile(Map.of("bar0 STATUS read", 100L, "bar0 ICR read", 10L), 1, 5);
        final TrapProfile after = new TrapProfile(
            Map.of("bar0 STATUS read", 300L, "bar0 ICR read", 10L, "bar0 IMS write", 410L), 3, 405);

        final List<String> lines = after.ratesSince(before, 2.0);

        assertEquals(List.of("doorbells polled from the shared page 1.0/s, trapped 200.0/s", "bar0 IMS write 205.0/s",
            "bar0 STATUS read 100.0/s"), lines);
    }

    @Test
    void shouldFailNamingThePortWithoutAnEndpoint()
    {
        final E2eException missing = assertThrows(E2eException.class,
            () -> TrapProfile.parse(Recorded.text("ctl-stats-vfio-user.json"), "uplink"));

        assertTrue(missing.getMessage().contains("port uplink has no vfio-user endpoint"), missing.getMessage());
    }
}
