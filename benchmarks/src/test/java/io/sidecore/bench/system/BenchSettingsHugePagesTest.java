package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --huge-pages}: the pages its largest case needs at once, and the check before the run that refuses to
 * start without them (naming the sysctl that reserves them) rather than failing a case half-way.
 */
class BenchSettingsHugePagesTest
{
    private static final String MEMINFO = "MemTotal:       24683520 kB\nHugePages_Total:     100\n" +
        "HugePages_Free:       50\nHugePages_Rsvd:       10\nHugepagesize:       2048 kB\n";

    @Test
    void shouldNeedTheLargestCasesGuestsAndProbeInHugePages()
    {
        final List<BenchCase> cases = List.of(
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 64, 64, false),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 4, 65536, false),
            new BenchCase(BenchCase.Mode.TRAP, BenchCase.Path.NULL, 16, 1514, true));

        // 64 guests, a receive-only guest at most and the probe, 4 MiB each; the 4 TSO guests' 8 MiB come to less.
        assertEquals(66 * 2, BenchSettings.hugePagesNeeded(cases));
        assertEquals(6 * 4, BenchSettings.hugePagesNeeded(List.of(cases.get(1))));
        // One guest guest→guest: the sender, the receive-only guest and the probe.
        assertEquals(3 * 2, BenchSettings.hugePagesNeeded(
            List.of(new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 1, 64, false))));
    }

    @Test
    void shouldStartWhenEnoughHugePagesAreFree()
    {
        assertNull(BenchSettings.hugePagesShortage(40, MEMINFO));
    }

    @Test
    void shouldNameTheSysctlThatReservesWhatIsMissingCountingReservedPagesAsTaken()
    {
        final String shortage = BenchSettings.hugePagesShortage(41, MEMINFO);

        assertTrue(shortage.contains("needs 41 free 2 MiB huge pages and 40 are free"), shortage);
        assertTrue(shortage.endsWith("sysctl vm.nr_hugepages=101"), shortage);
    }

    @Test
    void shouldSayWhenTheKernelHasNoPoolOfTwoMebibytePages()
    {
        final String none = BenchSettings.hugePagesShortage(1, "MemTotal: 1 kB\n");
        final String gigantic = BenchSettings.hugePagesShortage(1, MEMINFO.replace("2048 kB", "1048576 kB"));

        assertTrue(none.contains("no pool of 2 MiB huge pages"), none);
        assertTrue(gigantic.contains("no pool of 2 MiB huge pages"), gigantic);
    }
}
