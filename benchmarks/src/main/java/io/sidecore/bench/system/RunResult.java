package io.sidecore.bench.system;

import java.time.Instant;
import java.util.Locale;

/**
 * One measured interval of one case: the daemon's counters (frames, bytes, busy time, pass times, allocation, GC)
 * and the guests' (send rounds, rings found full or empty, CPU, probe latency) over the same interval.
 *
 * @param benchCase          the case.
 * @param repeat             which repetition, from 1.
 * @param seconds            length of the interval (between the two counter readings).
 * @param frames             frames delivered: into the receivers' rings (g2g), else emitted to the backend.
 * @param bytes              their bytes, without FCS.
 * @param drops              frames dropped by the ports, every named drop counter.
 * @param busyNs             sidecore time in duty cycles that did work.
 * @param passTimeBuckets    the pass time histogram of the interval.
 * @param allocatedBytes     bytes the sidecore thread allocated (-1 when the JVM does not tell).
 * @param gcCount            collections of the daemon's JVM.
 * @param gcTimeMs           their time.
 * @param latencySamples     probe measurements.
 * @param latencyTimeouts    probes that saw no DD within a second.
 * @param latencyP50Ns       doorbell to DD, median.
 * @param latencyP99Ns       99th percentile.
 * @param latencyP999Ns      99.9th percentile.
 * @param latencyMaxNs       maximum.
 * @param latencyHistogram   the probe's HdrHistogram, compressed and base64 (empty without samples).
 * @param guestRounds        send rounds of the guests.
 * @param ringFull           rounds that found the TX ring full.
 * @param ringEmpty          rounds that found every earlier frame completed.
 * @param guestCpuNs         CPU time of the guest threads.
 * @param guestTrapped       trapped accesses the guests made.
 * @param doorbellsShared    doorbells the sidecore saw in shared pages.
 * @param doorbellsTrapped   doorbells that arrived as trapped writes.
 * @param doorbellsCsb       tails seen through the CSB.
 * @param interruptsPosted   interrupts signalled.
 * @param coreWorkUnitNs     how fast the sidecore's core ran: its {@code core_work_unit_ns} reading at the interval's
 *                           end (the fastest of 4 timings of a fixed loop, taken in the last second), 0 if unknown.
 * @param sidecoreThread     the sidecore thread's CPU, run queue wait and involuntary switches.
 * @param start              wall-clock start of the interval.
 * @param end                wall-clock end.
 */
record RunResult(
    BenchCase benchCase,
    int repeat,
    double seconds,
    long frames,
    long bytes,
    long drops,
    long busyNs,
    long[] passTimeBuckets,
    long allocatedBytes,
    long gcCount,
    long gcTimeMs,
    long latencySamples,
    long latencyTimeouts,
    long latencyP50Ns,
    long latencyP99Ns,
    long latencyP999Ns,
    long latencyMaxNs,
    String latencyHistogram,
    long guestRounds,
    long ringFull,
    long ringEmpty,
    long guestCpuNs,
    long guestTrapped,
    long doorbellsShared,
    long doorbellsTrapped,
    long doorbellsCsb,
    long interruptsPosted,
    long coreWorkUnitNs,
    ThreadStats sidecoreThread,
    Instant start,
    Instant end)
{
    /** Busy share above which the sidecore counts as saturated. */
    static final double SATURATED_BUSY = 0.9;
    /** Share of the interval off its core above which a saturated sidecore counts as preempted. */
    static final double PREEMPTED_SHARE = 0.1;

    /**
     * @return million frames per second.
     */
    double mpps()
    {
        return frames / seconds / 1e6;
    }

    /**
     * @return gigabits per second of frame bytes.
     */
    double gbps()
    {
        return bytes * 8.0 / seconds / 1e9;
    }

    /**
     * @return share of the interval's wall time the sidecore spent in duty cycles that did work.
     */
    double busy()
    {
        return Math.min(1.0, busyNs / (seconds * 1e9));
    }

    /**
     * @return sidecore busy time per delivered frame, ns; 0 without frames.
     */
    double nsPerFrame()
    {
        return 0 == frames ? 0 : (double)busyNs / frames;
    }

    /**
     * @return the guest threads' CPU time per second of wall time (1.0 = one core kept busy).
     */
    double guestCpu()
    {
        return guestCpuNs / (seconds * 1e9);
    }

    /**
     * @return share of the interval the sidecore thread was runnable but off its core (waiting on a run queue:
     *     another process ran there); 0 when unknown.
     */
    double sidecoreOffCpu()
    {
        final long waitNs = sidecoreThread.runQueueWaitNs();
        return waitNs < 0 ? 0 : Math.min(1.0, waitNs / (seconds * 1e9));
    }

    /**
     * Which side ran out first. The guests' send rounds tell: a round that finds the TX ring full means the
     * sidecore had not yet consumed what the guest sent before; a round that finds every earlier frame completed
     * means the sidecore had nothing to do for this guest. So {@code sidecore} when most rounds found the ring full
     * ({@code sidecore_preempted} when the sidecore thread also spent over a tenth of the interval off its core,
     * so the figure measures the machine's other load as much as the sidecore), {@code guests} when the sidecore
     * had idle time and the guests found their rings drained, {@code mixed} otherwise; {@code none} in a paced case,
     * where only the probe sends and nothing is meant to saturate.
     *
     * @return the verdict.
     */
    String saturated()
    {
        if (BenchCase.Load.PACED == benchCase.load())
        {
            return "none";
        }
        final long rounds = ringFull + ringEmpty;
        if (rounds > 0 && ringFull * 2 >= rounds)
        {
            return sidecoreOffCpu() > PREEMPTED_SHARE ? "sidecore_preempted" : "sidecore";
        }
        return busy() < SATURATED_BUSY ? "guests" : "mixed";
    }

    /**
     * @param fraction 0.5, 0.99, 0.999 or 1.0.
     * @return the pass time percentile, as the upper bound of its bucket, ns.
     */
    long passTimeNs(final double fraction)
    {
        return io.sidecore.shm.PassTimeHistogram.percentileUpperBoundNs(passTimeBuckets, fraction);
    }

    /**
     * @return a one-line description for the per-run CSV and progress lines.
     */
    String progressLine()
    {
        return String.format(Locale.ROOT, "RUN %s repeat=%d mpps=%.3f gbps=%.2f busy=%.3f ns_per_frame=%.1f " +
                "p99_us=%.1f drops=%d saturated=%s ring_full=%d ring_empty=%d guest_cpu=%.2f trapped_per_s=%.0f " +
                "sidecore_off_cpu=%.2f",
            benchCase.label(), repeat, mpps(), gbps(), busy(), nsPerFrame(), latencyP99Ns / 1e3, drops,
            saturated(), ringFull, ringEmpty, guestCpu(), guestTrapped / seconds, sidecoreOffCpu());
    }
}
