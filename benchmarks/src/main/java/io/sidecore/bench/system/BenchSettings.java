package io.sidecore.bench.system;

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
    java.util.List<String> daemonJvmOptions)
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
}
