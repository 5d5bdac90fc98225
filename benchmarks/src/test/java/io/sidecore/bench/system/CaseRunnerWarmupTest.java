package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The warm-up of a run's cases: the first case on a fresh daemon warms up at least
 * {@link CaseRunner#FIRST_CASE_WARMUP_SECONDS}, the others as asked.
 */
class CaseRunnerWarmupTest
{
    @Test
    void shouldWarmUpTheFirstCaseAtLeastTheFirstCaseMinimum()
    {
        assertEquals(CaseRunner.FIRST_CASE_WARMUP_SECONDS, CaseRunner.warmupSeconds(1, false));
        assertEquals(CaseRunner.FIRST_CASE_WARMUP_SECONDS, CaseRunner.warmupSeconds(0, false));
    }

    @Test
    void shouldKeepALongerWarmUpOfTheFirstCase()
    {
        assertEquals(CaseRunner.FIRST_CASE_WARMUP_SECONDS + 3, CaseRunner.warmupSeconds(
            CaseRunner.FIRST_CASE_WARMUP_SECONDS + 3, false));
    }

    @Test
    void shouldWarmUpLaterCasesAsAsked()
    {
        assertEquals(1, CaseRunner.warmupSeconds(1, true));
        assertEquals(0, CaseRunner.warmupSeconds(0, true));
    }
}
