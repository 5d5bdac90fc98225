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
    void shouldMeasureOtherLoadsAtTheFirstFrameLengthOnly()
    {
        final List<BenchCase> cases = BenchPlan.matrix(List.of(BenchCase.Mode.values()),
            List.of(BenchCase.Path.values()), BenchPlan.GUESTS, BenchPlan.FRAMES, List.of(false, true),
            BenchPlan.LOADS);

        assertEquals(2 * 3 * 5 * 4 * 2 + 2 * (2 * 3 * 5 * 1 * 2), cases.size());
        assertEquals(cases.size(), new HashSet<>(cases).size(), "no case twice");
        assertTrue(cases.stream().filter(c -> BenchCase.Load.ALL != c.load()).allMatch(c -> 64 == c.frameBytes()));
        assertTrue(cases.contains(new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 256, 64, false,
            BenchCase.Load.PACED)));
    }

    @Test
    void shouldMeasurePacedLatencyWith1And64GuestsAttachedInQuick()
    {
        final List<BenchCase> quick = BenchPlan.quick();

        assertTrue(quick.contains(new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 64, 64, false,
            BenchCase.Load.PACED)));
        assertTrue(quick.contains(new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 1, 64, false,
            BenchCase.Load.PACED)));
    }

    @Test
    void shouldLetAllOneOrNoGuestSendByLoad()
    {
        final BenchCase all = new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.NULL, 4, 64, false);
        final BenchCase one = new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.NULL, 4, 64, false,
            BenchCase.Load.ONE);
        final BenchCase paced = new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.NULL, 4, 64, false,
            BenchCase.Load.PACED);

        assertTrue(all.sends(0) && all.sends(3) && !all.sends(4));
        assertTrue(one.sends(0) && !one.sends(1));
        assertTrue(!paced.sends(0) && !paced.sends(3));
    }

    @Test
    void shouldAddLoadToTheLabelOfPacedAndOneBusyCasesOnly()
    {
        assertEquals("mode=polling path=g2g guests=64 frame=64 csb=off load=paced",
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 64, 64, false, BenchCase.Load.PACED).label());
        assertEquals("mode=polling path=null guests=256 frame=64 csb=off load=one",
            new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.NULL, 256, 64, false, BenchCase.Load.ONE).label());
    }

    @Test
    void shouldLabelCaseAsTheResultLineDoes()
    {
        assertEquals("mode=trap path=tap guests=16 frame=512 csb=on",
            new BenchCase(BenchCase.Mode.TRAP, BenchCase.Path.TAP, 16, 512, true).label());
    }
}
