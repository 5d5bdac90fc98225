package io.sidecore.bench.system;

import io.sidecore.shm.PassTimeHistogram;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaseSummaryTest
{
    private static final BenchCase POLLING_64 = new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 1, 64, false);
    private static final BenchCase TRAP_64 = POLLING_64.withMode(BenchCase.Mode.TRAP);

    @Test
    void shouldPrintResultLineWithIssueFieldsFirstAndMediansOfRepeats()
    {
        final CaseSummary summary = new CaseSummary(POLLING_64, List.of(
            run(POLLING_64, 1, 2_000_000, 1_000, 50),
            run(POLLING_64, 2, 4_000_000, 3_000, 10),
            run(POLLING_64, 3, 3_000_000, 2_000, 30)));

        final String line = summary.resultLine();

        assertTrue(line.startsWith("RESULT mode=polling path=g2g guests=1 frame=64 csb=off mpps=3.000 gbps=1.54 " +
            "p50_us=2.0 p99_us=4.0 p999_us=6.0 busy=0.500 ns_per_frame=166.7 alloc_bytes=0 runs=3 mpps_min=2.000 " +
            "mpps_max=4.000 gc=0 "), line);
        assertTrue(line.endsWith(" work_unit_ns=900 saturated=sidecore"), line);
    }

    @Test
    void shouldSayNotAvailableWhenTheDaemonPublishedNoCoreSpeed()
    {
        final RunResult run = run(POLLING_64, 1, 3_000_000, 2_000, 30);
        final RunResult unknown = new RunResult(run.benchCase(), 1, run.seconds(), run.frames(), run.bytes(),
            run.drops(), run.busyNs(), run.passTimeBuckets(), 0, 0, 0, 0, 0, 0, 0, 0, 0, "", run.guestRounds(),
            run.ringFull(), run.ringEmpty(), 0, 0, 0, 0, 0, 0, 0, ThreadStats.UNKNOWN, Instant.EPOCH, Instant.EPOCH);

        assertTrue(new CaseSummary(POLLING_64, List.of(unknown)).resultLine().endsWith(
            " work_unit_ns=n/a saturated=sidecore"));
    }

    @Test
    void shouldReportWorstAllocationOfRepeats()
    {
        final RunResult allocating = withAllocation(run(POLLING_64, 2, 3_000_000, 2_000, 30), 4096);
        final CaseSummary summary = new CaseSummary(POLLING_64, List.of(run(POLLING_64, 1, 3_000_000, 2_000, 30),
            allocating));

        assertTrue(summary.resultLine().contains(" alloc_bytes=4096 "), summary.resultLine());
    }

    @Test
    void shouldComputeRatioAsMedianOfPerRepeatRatios()
    {
        final CaseSummary polling = new CaseSummary(POLLING_64, List.of(
            run(POLLING_64, 1, 10_000_000, 10, 10), run(POLLING_64, 2, 12_000_000, 10, 10),
            run(POLLING_64, 3, 9_000_000, 10, 10)));
        final CaseSummary trap = new CaseSummary(TRAP_64, List.of(
            run(TRAP_64, 1, 500_000, 10, 10), run(TRAP_64, 2, 400_000, 10, 10), run(TRAP_64, 3, 450_000, 10, 10)));

        final List<String> lines = CaseSummary.ratioLines(List.of(polling, trap), List.of(64, 1514), "NATIVE");

        assertEquals(List.of(
            "RATIO polling/trap frame=64 value=20.00 path=g2g guests=1 csb=off runs=3 min=20.00 max=30.00 " +
                "trap=native_trapped_write",
            "RATIO polling/trap frame=1514 value=n/a reason=no_trap_case_measured"), lines);
        assertTrue(CaseSummary.ratioLines(List.of(polling, trap), List.of(64), "VFIO_USER").get(0)
            .endsWith(" trap=vfio_user_region_write"));
    }

    @Test
    void shouldTakeRatioFromCasesInWhichEveryGuestSendsNotFromPacedOnes()
    {
        final BenchCase pacedPolling = new BenchCase(BenchCase.Mode.POLLING, BenchCase.Path.G2G, 1, 64, false,
            BenchCase.Load.PACED);
        final BenchCase pacedTrap = pacedPolling.withMode(BenchCase.Mode.TRAP);
        final CaseSummary polling = new CaseSummary(pacedPolling, List.of(run(pacedPolling, 1, 5_000, 10, 10)));
        final CaseSummary trap = new CaseSummary(pacedTrap, List.of(run(pacedTrap, 1, 5_000, 10, 10)));

        assertEquals(List.of("RATIO polling/trap frame=64 value=n/a reason=no_trap_case_measured"),
            CaseSummary.ratioLines(List.of(polling, trap), List.of(64), "NATIVE"));
        assertTrue(polling.resultLine().startsWith("RESULT mode=polling path=g2g guests=1 frame=64 csb=off " +
            "load=paced mpps="), polling.resultLine());
    }

    @Test
    void shouldCallSidecoreSaturatedWhenGuestsFindRingsFullAndPreemptedWhenOffItsCore()
    {
        assertEquals("sidecore", run(POLLING_64, 1, 1_000_000, 900, 100).saturated());
        assertEquals("guests", run(POLLING_64, 1, 1_000_000, 10, 900).saturated(), "busy 0.5, rings drained");
        final RunResult preempted = new RunResult(POLLING_64, 1, 1.0, 1_000_000, 64_000_000, 0, 900_000_000L,
            new long[PassTimeHistogram.BUCKETS], 0, 0, 0, 0, 0, 0, 0, 0, 0, "", 1000, 900, 100, 0, 0, 0, 0, 0, 0,
            790, new ThreadStats(500_000_000L, 400_000_000L, 7), Instant.EPOCH, Instant.EPOCH);
        assertEquals("sidecore_preempted", preempted.saturated());
        assertEquals(0.4, preempted.sidecoreOffCpu(), 1e-9);
    }

    @Test
    void shouldReadPassTimePercentilesFromTheIntervalsHistogram()
    {
        final long[] buckets = new long[PassTimeHistogram.BUCKETS];
        buckets[PassTimeHistogram.bucketOf(500)] = 999;
        buckets[PassTimeHistogram.bucketOf(80_000_000)] = 1;
        final RunResult run = new RunResult(POLLING_64, 1, 1.0, 1, 64, 0, 1, buckets, 0, 0, 0, 0, 0, 0, 0, 0, 0, "",
            0, 0, 0, 0, 0, 0, 0, 0, 0, 790, ThreadStats.UNKNOWN, Instant.EPOCH, Instant.EPOCH);

        assertEquals(PassTimeHistogram.upperBoundNs(PassTimeHistogram.bucketOf(500)), run.passTimeNs(0.99));
        assertEquals(PassTimeHistogram.upperBoundNs(PassTimeHistogram.bucketOf(80_000_000)), run.passTimeNs(1.0));
    }

    /**
     * A 1-second interval: {@code frames} 64-byte frames in 0.5 s of sidecore busy time, the probe's latency at
     * 1/2/3 µs scaled by the repeat.
     */
    private static RunResult run(final BenchCase benchCase, final int repeat, final long frames, final long ringFull,
        final long ringEmpty)
    {
        final long scale = frames / 1_000_000;
        return new RunResult(benchCase, repeat, 1.0, frames, frames * 64, 0, 500_000_000L,
            new long[PassTimeHistogram.BUCKETS], 0, 0, 0, 1000, 0, 1000 * (scale - 1), 2000 * (scale - 1),
            3000 * (scale - 1), 5000, "", ringFull + ringEmpty, ringFull, ringEmpty, 0, 0, 0, 0, 0, 0,
            700 + 100 * repeat, ThreadStats.UNKNOWN, Instant.EPOCH, Instant.EPOCH);
    }

    private static RunResult withAllocation(final RunResult r, final long allocatedBytes)
    {
        return new RunResult(r.benchCase(), r.repeat(), r.seconds(), r.frames(), r.bytes(), r.drops(), r.busyNs(),
            r.passTimeBuckets(), allocatedBytes, r.gcCount(), r.gcTimeMs(), r.latencySamples(), r.latencyTimeouts(),
            r.latencyP50Ns(), r.latencyP99Ns(), r.latencyP999Ns(), r.latencyMaxNs(), r.latencyHistogram(),
            r.guestRounds(), r.ringFull(), r.ringEmpty(), r.guestCpuNs(), r.guestTrapped(), r.doorbellsShared(),
            r.doorbellsTrapped(), r.doorbellsCsb(), r.interruptsPosted(), r.coreWorkUnitNs(), r.sidecoreThread(),
            r.start(), r.end());
    }
}
