package io.sidecore.bench.system;

import io.sidecore.shm.os.HugePagePool;
import io.sidecore.shm.os.MemFd;
import io.sidecore.tools.bench.BenchFrames;

/**
 * Run-wide settings of a system benchmark run.
 *
 * @param attach          how guests attach: NATIVE (control socket) or VFIO_USER (the port's socket).
 * @param sidecoreCpu     the sidecore's core.
 * @param guestCpus       the guests' (and the daemon's other threads') cores, as taskset takes them.
 * @param guestCpuCount   how many cores that is.
 * @param warmupSeconds   sending before the first measured interval.
 * @param measureSeconds  length of each measured interval, whole seconds (it starts and ends at the sidecore's
 *                        once-a-second reading).
 * @param repeats         measured intervals per case.
 * @param txBatch         frames per doorbell.
 * @param irqMode         the guests' interrupt handling: POLL or NAPI.
 * @param guestThreads    guest threads, or 0 for the default per mode.
 * @param probeIntervalUs pause between latency probes.
 * @param jfr             record the daemon with JFR and attribute outliers.
 * @param daemonJvmOptions further JVM options of the daemon (diagnostics, e.g. {@code -XX:-UseTLAB} so that every
 *                        allocation of the sidecore thread is a JFR event with its stack).
 * @param daemonSettings  daemon settings over the embedded defaults ({@code --daemon-setting}), never a
 *                        {@linkplain BenchDaemon#isBenchmarkKey benchmark key}.
 * @param hugePages       each guest's RAM in 2 MiB huge pages from the host's reserved pool, else 4 KiB pages.
 */
record BenchSettings(
    String attach,
    int sidecoreCpu,
    String guestCpus,
    int guestCpuCount,
    double warmupSeconds,
    int measureSeconds,
    int repeats,
    int txBatch,
    String irqMode,
    int guestThreads,
    long probeIntervalUs,
    boolean jfr,
    java.util.List<String> daemonJvmOptions,
    java.util.Map<String, String> daemonSettings,
    boolean hugePages)
{
    /** Guest threads at most in the trap baseline (one per guest up to this). */
    static final int MAX_TRAP_THREADS = 64;

    /**
     * @param frameBytes the case's frame length.
     * @return each guest's RAM: rings and buffers take about 1.5 MiB, 2.5 MiB with 4 KiB TSO buffers.
     */
    static long guestRamBytes(final int frameBytes)
    {
        return BenchFrames.Kind.TCP_TSO == BenchFrames.kindOf(frameBytes) ? 8L << 20 : 4L << 20;
    }

    /**
     * @param cases the run's cases.
     * @return the 2 MiB huge pages the largest case's guests take at once, at most: its guests, the receive-only guest
     *     a one-guest guest→guest case adds, and the latency probe (a case's guests are gone before the next starts).
     */
    static long hugePagesNeeded(final java.util.List<BenchCase> cases)
    {
        long most = 0;
        for (final BenchCase benchCase : cases)
        {
            final long pagesPerGuest = guestRamBytes(benchCase.frameBytes()) / MemFd.HUGE_PAGE_BYTES;
            final long pages = (benchCase.guests() + 2L) * pagesPerGuest;
            most = Math.max(most, pages);
        }
        return most;
    }

    /**
     * The check {@code --huge-pages} makes before a run starts, so that no case fails half-way for want of pages.
     *
     * @param neededPages what {@link #hugePagesNeeded} says.
     * @param meminfo     the text of /proc/meminfo.
     * @return null when enough are free, else what to tell the user.
     */
    static String hugePagesShortage(final long neededPages, final String meminfo)
    {
        final long available = HugePagePool.availablePages(meminfo);
        final long total = HugePagePool.field(meminfo, "HugePages_Total");
        if (HugePagePool.UNKNOWN == available || HugePagePool.UNKNOWN == total)
        {
            return "--huge-pages: this kernel reports no pool of 2 MiB huge pages (HugePages_Free, HugePages_Rsvd " +
                "and Hugepagesize: 2048 kB in /proc/meminfo)";
        }
        if (available >= neededPages)
        {
            return null;
        }
        return "--huge-pages: the largest case needs " + neededPages + " free 2 MiB huge pages and " + available +
            " are free (HugePages_Free less HugePages_Rsvd in /proc/meminfo); reserve them first, as root: " +
            "sysctl vm.nr_hugepages=" + (total + neededPages - available);
    }
}
