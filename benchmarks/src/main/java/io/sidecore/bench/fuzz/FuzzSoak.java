package io.sidecore.bench.fuzz;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code sidecore fuzz --soak SECONDS}: the fuzzer's honest traffic and injected faults for the given time, one
 * window of iterations after another (every window checks conservation of frames, canaries and honest throughput),
 * while the process's resident memory and open descriptors are sampled. After a warm-up (the first fifth of the run,
 * while the JIT and the heap settle) neither may grow: descriptors not at all, resident memory by at most
 * {@link #MAX_RSS_GROWTH_BYTES}. Prints a SOAK line per sample, SOAK-RESULT, then the fuzzer's report.
 */
final class FuzzSoak
{
    /** Resident memory the process may gain after the warm-up: GC heuristics, not leaks, move it by this much. */
    static final long MAX_RSS_GROWTH_BYTES = 64L << 20;
    private static final long SAMPLE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final long seed;
    private final int window;
    private final long seconds;
    private final PrintStream out;

    FuzzSoak(final long seed, final int window, final long seconds, final PrintStream out)
    {
        this.seed = seed;
        this.window = window;
        this.seconds = seconds;
        this.out = out;
    }

    int run()
    {
        try (FuzzRig rig = new FuzzRig(seed, window, out))
        {
            out.println("sidecore fuzz: soak for " + seconds + " s, seed " + seed + ", windows of " + window);
            rig.measureBaseline();
            final long startNs = System.nanoTime();
            final long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
            final long warmUpEndNs = startNs + TimeUnit.SECONDS.toNanos(seconds) / 5;
            long iterations = 0;
            long nextSampleNs = startNs;
            long baselineRss = -1;
            long baselineFds = -1;
            long maxRssGrowth = 0;
            long maxFdGrowth = 0;
            while (System.nanoTime() - endNs < 0)
            {
                rig.run(iterations, window);
                iterations += window;
                final long nowNs = System.nanoTime();
                if (nowNs - nextSampleNs >= 0)
                {
                    nextSampleNs = nowNs + SAMPLE_INTERVAL_NS;
                    final long rss = residentBytes();
                    final long fds = openDescriptors();
                    if (baselineRss < 0 && nowNs - warmUpEndNs >= 0)
                    {
                        baselineRss = rss;
                        baselineFds = fds;
                    }
                    if (baselineRss >= 0)
                    {
                        maxRssGrowth = Math.max(maxRssGrowth, rss - baselineRss);
                        maxFdGrowth = Math.max(maxFdGrowth, fds - baselineFds);
                    }
                    out.println(String.format(Locale.ROOT, "SOAK seconds=%.0f iterations=%d rss_mib=%.1f fds=%d",
                        (nowNs - startNs) / 1e9, iterations, rss / 1048576.0, fds));
                }
            }
            final boolean steady = baselineRss >= 0 && maxRssGrowth <= MAX_RSS_GROWTH_BYTES && 0 == maxFdGrowth;
            out.println(String.format(Locale.ROOT,
                "SOAK-RESULT seconds=%d iterations=%d rss_growth_mib=%.1f fd_growth=%d steady=%s",
                seconds, iterations, maxRssGrowth / 1048576.0, maxFdGrowth, steady));
            rig.report(iterations, System.nanoTime() - startNs);
            return steady && rig.isClean() ? FuzzCommand.EXIT_OK : FuzzCommand.EXIT_FINDINGS;
        }
    }

    /**
     * @return the process's resident set (VmRSS of /proc/self/status).
     */
    static long residentBytes()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/self/status");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return descriptors the process holds open.
     */
    static long openDescriptors()
    {
        final String[] fds = new File("/proc/self/fd").list();
        return null == fds ? -1 : fds.length;
    }
}
