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
        "HugePages_Free:       40\nHugePages_Rsvd:        0\nHugepagesize:       2048 kB\n";

    @Test
    void shouldNeedTheLargestCasesGuestsAndProbeInHugePages()
    {
        final List<BenchCase> cases = List.of(
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 64, 64, false),
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 4, 65536, false),
            new BenchCase(BenchCase.Mode.TRAP, BenchCase.Path.NULL, 16, 1514, true));

        // 64 guests and the probe, 4 MiB each; the 4 TSO guests' 8 MiB come to less.
        assertEquals(65 * 2, BenchSettings.hugePagesNeeded(cases));
        assertEquals(5 * 4, BenchSettings.hugePagesNeeded(List.of(cases.get(1))));
    }

    @Test
    void shouldStartWhenEnoughHugePagesAreFree()
    {
        assertNull(BenchSettings.hugePagesShortage(40, MEMINFO));
    }

    @Test
    void shouldNameTheSysctlThatReservesWhatIsMissing()
    {
        final String shortage = BenchSettings.hugePagesShortage(130, MEMINFO);

        assertTrue(shortage.contains("needs 130 free 2 MiB huge pages and 40 are free"), shortage);
        assertTrue(shortage.endsWith("sysctl vm.nr_hugepages=190"), shortage);
    }

    @Test
    void shouldSayWhenTheKernelHasNoPool()
    {
        final String shortage = BenchSettings.hugePagesShortage(1, "MemTotal: 1 kB\n");

        assertTrue(shortage.contains("no huge page pool"), shortage);
    }
}
