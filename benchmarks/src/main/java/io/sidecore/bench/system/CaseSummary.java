package io.sidecore.bench.system;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A case's repetitions reduced to one line: medians, with the spread of the throughput (min and max), the worst
 * allocation and every collection.
 *
 * @param benchCase the case.
 * @param runs      its repetitions.
 */
record CaseSummary(BenchCase benchCase, List<RunResult> runs)
{
    /**
     * @param metric a metric of one run.
     * @return its median over the runs.
     */
    double median(final ToDoubleFunction<RunResult> metric)
    {
        final double[] values = values(metric);
        Arrays.sort(values);
        final int n = values.length;
        return 0 == n ? Double.NaN : 0 == n % 2 ? (values[n / 2 - 1] + values[n / 2]) / 2 : values[n / 2];
    }

    /**
     * @param metric a metric of one run.
     * @return its smallest value.
     */
    double min(final ToDoubleFunction<RunResult> metric)
    {
        return Arrays.stream(values(metric)).min().orElse(Double.NaN);
    }

    /**
     * @param metric a metric of one run.
     * @return its largest value.
     */
    double max(final ToDoubleFunction<RunResult> metric)
    {
        return Arrays.stream(values(metric)).max().orElse(Double.NaN);
    }

    private double[] values(final ToDoubleFunction<RunResult> metric)
    {
        final double[] values = new double[runs.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = metric.applyAsDouble(runs.get(i));
        }
        return values;
    }

    /**
     * @return the verdict most runs gave ({@link RunResult#saturated()}).
     */
    String saturated()
    {
        final List<String> verdicts = new ArrayList<>();
        for (final RunResult run : runs)
        {
            verdicts.add(run.saturated());
        }
        String best = "none";
        long bestCount = 0;
        for (final String verdict : verdicts)
        {
            final long count = verdicts.stream().filter(verdict::equals).count();
            if (count > bestCount)
            {
                best = verdict;
                bestCount = count;
            }
        }
        return best;
    }

    /**
     * @return the RESULT line: the fields issue 11 names, then the spread and the diagnostics ({@code lat_samples}:
     *     the probe's doorbell-to-DD measurements per interval, median).
     */
    String resultLine()
    {
        long allocated = 0;
        long collections = 0;
        for (final RunResult run : runs)
        {
            allocated = run.allocatedBytes() < 0 || allocated < 0 ? -1 : Math.max(allocated, run.allocatedBytes());
            collections += run.gcCount();
        }
        return String.format(Locale.ROOT,
            "RESULT %s mpps=%.3f gbps=%.2f p50_us=%.1f p99_us=%.1f p999_us=%.1f busy=%.3f ns_per_frame=%.1f " +
                "alloc_bytes=%d runs=%d mpps_min=%.3f mpps_max=%.3f gc=%d pass_p50_us=%.2f pass_p99_us=%.1f " +
                "pass_p999_us=%.1f pass_max_us=%s drops=%.0f guest_cpu=%.2f sidecore_off_cpu=%.2f lat_samples=%.0f " +
                "work_unit_ns=%s saturated=%s",
            benchCase.label(),
            median(RunResult::mpps),
            median(RunResult::gbps),
            median(run -> run.latencyP50Ns() / 1e3),
            median(run -> run.latencyP99Ns() / 1e3),
            median(run -> run.latencyP999Ns() / 1e3),
            median(RunResult::busy),
            median(RunResult::nsPerFrame),
            allocated,
            runs.size(),
            min(RunResult::mpps),
            max(RunResult::mpps),
            collections,
            median(run -> run.passTimeNs(0.5) / 1e3),
            median(run -> run.passTimeNs(0.99) / 1e3),
            median(run -> run.passTimeNs(0.999) / 1e3),
            passMaxMicros(),
            median(run -> run.drops()),
            median(RunResult::guestCpu),
            median(RunResult::sidecoreOffCpu),
            median(run -> run.latencySamples()),
            coreWorkUnit(),
            saturated());
    }

    /**
     * @return the sidecore's core speed reading, the median of the intervals' in ns, or {@code n/a} when the daemon
     *     published none (a daemon without the counter reads 0).
     */
    String coreWorkUnit()
    {
        final double medianNs = median(run -> run.coreWorkUnitNs());
        return medianNs > 0 ? String.format(Locale.ROOT, "%.0f", medianNs) : "n/a";
    }

    /**
     * @return the longest pass of any repetition, as its bucket's upper bound in µs, or {@code inf} when it fell in
     *     the histogram's last bucket (no upper bound).
     */
    String passMaxMicros()
    {
        final double maxNs = max(run -> run.passTimeNs(1.0));
        return maxNs >= Long.MAX_VALUE ? "inf" : String.format(Locale.ROOT, "%.1f", maxNs / 1e3);
    }

    /**
     * The polling/trap throughput ratio for each frame size, from the pair of cases that differ only in doorbell
     * mode, preferring guest to guest, CSB off and the fewest guests, among the cases in which every guest sends
     * (throughput: a paced case's rate is the probe's); each repetition's ratio, then their median.
     *
     * @param summaries every case of the run.
     * @param frames    the frame sizes measured.
     * @param attach    how the run's guests attached ({@code NATIVE} or {@code VFIO_USER}): it says what a trapped
     *                  doorbell was, named in the line's {@code trap=} field.
     * @return one RATIO line per frame size ({@code value=n/a} with the reason when no pair was measured).
     */
    static List<String> ratioLines(final List<CaseSummary> summaries, final List<Integer> frames, final String attach)
    {
        final String trapPath = "VFIO_USER".equals(attach) ? "vfio_user_region_write" : "native_trapped_write";
        final List<String> lines = new ArrayList<>();
        for (final int frame : frames)
        {
            CaseSummary bestPolling = null;
            CaseSummary bestTrap = null;
            for (final CaseSummary polling : summaries)
            {
                final BenchCase c = polling.benchCase();
                if (c.frameBytes() != frame || BenchCase.Mode.POLLING != c.mode() || BenchCase.Load.ALL != c.load())
                {
                    continue;
                }
                final CaseSummary trap = find(summaries, c.withMode(BenchCase.Mode.TRAP));
                if (null != trap && (null == bestPolling || preferred(c, bestPolling.benchCase())))
                {
                    bestPolling = polling;
                    bestTrap = trap;
                }
            }
            if (null == bestPolling)
            {
                lines.add(String.format(Locale.ROOT,
                    "RATIO polling/trap frame=%d value=n/a reason=no_trap_case_measured", frame));
                continue;
            }
            final int n = Math.min(bestPolling.runs().size(), bestTrap.runs().size());
            final double[] ratios = new double[n];
            for (int i = 0; i < n; i++)
            {
                final double trapMpps = bestTrap.runs().get(i).mpps();
                ratios[i] = trapMpps > 0 ? bestPolling.runs().get(i).mpps() / trapMpps : Double.POSITIVE_INFINITY;
            }
            Arrays.sort(ratios);
            final double median = 0 == n % 2 ? (ratios[n / 2 - 1] + ratios[n / 2]) / 2 : ratios[n / 2];
            final BenchCase c = bestPolling.benchCase();
            lines.add(String.format(Locale.ROOT,
                "RATIO polling/trap frame=%d value=%.2f path=%s guests=%d csb=%s runs=%d min=%.2f max=%.2f trap=%s",
                frame, median, c.path().name().toLowerCase(Locale.ROOT), c.guests(), c.csb() ? "on" : "off", n,
                ratios[0], ratios[n - 1], trapPath));
        }
        return lines;
    }

    private static boolean preferred(final BenchCase candidate, final BenchCase current)
    {
        final int candidateRank = rank(candidate);
        final int currentRank = rank(current);
        return candidateRank != currentRank ? candidateRank < currentRank : candidate.guests() < current.guests();
    }

    private static int rank(final BenchCase c)
    {
        return (BenchCase.Path.G2G == c.path() ? 0 : 2) + (c.csb() ? 1 : 0);
    }

    private static CaseSummary find(final List<CaseSummary> summaries, final BenchCase wanted)
    {
        for (final CaseSummary summary : summaries)
        {
            if (summary.benchCase().equals(wanted))
            {
                return summary;
            }
        }
        return null;
    }
}
