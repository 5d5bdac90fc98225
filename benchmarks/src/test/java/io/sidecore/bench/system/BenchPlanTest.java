package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchPlanTest
{
    @Test
    void shouldBuildTheFullMatrixOfIssue11()
    {
        final List<BenchCase> cases = BenchPlan.matrix(List.of(BenchCase.Mode.values()),
            List.of(BenchCase.Path.values()), BenchPlan.GUESTS, BenchPlan.FRAMES, List.of(false, true));

        assertEquals(2 * 3 * 5 * 4 * 2, cases.size());
        assertEquals(cases.size(), new HashSet<>(cases).size(), "no case twice");
        assertEquals(cases.get(0).withMode(BenchCase.Mode.TRAP), cases.get(1), "polling and trap side by side");
    }

    @Test
    void shouldPairEveryTrapCaseOfQuickWithItsPollingCaseAndCoverEveryPath()
    {
        final List<BenchCase> quick = BenchPlan.quick();
        final Set<BenchCase.Path> paths = new HashSet<>();
        for (final BenchCase benchCase : quick)
        {
            paths.add(benchCase.path());
            if (BenchCase.Mode.TRAP == benchCase.mode())
            {
                assertTrue(quick.contains(benchCase.withMode(BenchCase.Mode.POLLING)), benchCase.label());
            }
        }
        assertEquals(Set.of(BenchCase.Path.values()), paths);
        assertTrue(quick.stream().anyMatch(c -> 64 == c.guests()), "scaling to 64 guests");
        assertTrue(quick.stream().anyMatch(BenchCase::csb), "one CSB case");
        assertEquals(List.of(64, 1514, 65_536), BenchPlan.frameSizes(quick));
    }

    @Test
    void shouldLabelCaseAsTheResultLineDoes()
    {
        assertEquals("mode=trap path=tap guests=16 frame=512 csb=on",
            new BenchCase(BenchCase.Mode.TRAP, BenchCase.Path.TAP, 16, 512, true).label());
    }
}
