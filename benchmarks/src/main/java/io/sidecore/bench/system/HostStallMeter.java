package io.sidecore.bench.system;

import io.sidecore.engine.status.CoreSpeed;
import net.openhft.affinity.Affinity;

import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * What the sidecore's core takes from a thread that does nothing but read the clock: each gap between two
 * consecutive readings longer than {@link #STALL_THRESHOLD_NS} is a stall (the thread was not running). Measured on
 * the sidecore's core while no sidecore runs there (before the daemon starts and after it stopped), so the pass-time
 * outliers of the cases can be set against what the host does to any thread on that core: stalls the kernel's
 * scheduler explains (run-queue wait: another thread ran) and the rest (interrupts, or the hypervisor taking the
 * virtual CPU away, which the guest kernel does not see as a switch).
 */
final class HostStallMeter
{
    /** A gap between two clock readings longer than this is a stall. */
    static final long STALL_THRESHOLD_NS = 20_000L;
    private static final long WARM_UP_NS = 200_000_000L;
    private static final String THREAD_NAME = "host-stalls";
    private static final int WORK_UNIT_TIMINGS = 2_000;

    /**
     * @param seconds            measured time.
     * @param stalls             gaps over {@link #STALL_THRESHOLD_NS}.
     * @param stallsOver100Us    of those, over 100 µs.
     * @param stallsOver1Ms      of those, over 1 ms.
     * @param maxStallNs         the longest gap.
     * @param stalledNs          sum of the stalls.
     * @param runQueueWaitNs     time the thread waited in the run queue ({@code schedstat}), -1 if unknown.
     * @param involuntarySwitches times the scheduler took the CPU from it, -1 if unknown.
     * @param workUnitNs         the fastest of several timings of a fixed piece of arithmetic over a 4 KiB array
     *                           ({@link CoreSpeed#workUnit}, as the sidecore's {@code core_work_unit_ns}): how
     *                           fast the core runs in this sitting (a host that shares the physical core with
     *                           other load slows it without any stall).
     * @param lineTransferNs     one cache line's move from a guest core to this core and back, halved
     *                           ({@link LineTransferMeter}), or NaN when not measured (no other core, or the
     *                           measurement failed: the reason goes to standard error).
     */
    record Result(double seconds, long stalls, long stallsOver100Us, long stallsOver1Ms, long maxStallNs,
        long stalledNs, long runQueueWaitNs, long involuntarySwitches, double workUnitNs, double lineTransferNs)
    {
        /**
         * @param cpu  the core measured.
         * @param when {@code before} or {@code after} the cases.
         * @return the {@code HOST} line.
         */
        String line(final int cpu, final String when)
        {
            final double unexplainedMs = runQueueWaitNs < 0 ? -1 : Math.max(0, stalledNs - runQueueWaitNs) / 1e6;
            return String.format(Locale.ROOT, "HOST cpu=%d when=%s seconds=%.1f stalls_ge_20us=%d stalls_ge_100us=%d " +
                "stalls_ge_1ms=%d max_stall_us=%.1f stalled_ms=%.2f runqueue_wait_ms=%.2f involuntary_switches=%d " +
                "stalled_not_scheduler_ms=%.2f work_unit_ns=%.0f line_transfer_ns=%s", cpu, when, seconds, stalls,
                stallsOver100Us, stallsOver1Ms, maxStallNs / 1e3, stalledNs / 1e6, runQueueWaitNs / 1e6,
                involuntarySwitches, unexplainedMs, workUnitNs,
                Double.isNaN(lineTransferNs) ? "n/a" : String.format(Locale.ROOT, "%.0f", lineTransferNs));
        }
    }

    private HostStallMeter()
    {
    }

    /**
     * Spin on {@code cpu} for {@code seconds} (after a short warm-up) and count the stalls; then time a cache line's
     * transfer between {@code cpu} and {@code peerCpu}.
     *
     * @param cpu     the core (the sidecore's).
     * @param peerCpu a guest core, or -1 when there is none (no line transfer measured).
     * @param seconds how long.
     * @return the stalls.
     * @throws InterruptedException when interrupted.
     */
    static Result measure(final int cpu, final int peerCpu, final double seconds) throws InterruptedException
    {
        final AtomicReference<Result> result = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long pid = ProcessHandle.current().pid();
        final Thread thread = new Thread(() ->
        {
            try
            {
                final BitSet only = new BitSet();
                only.set(cpu);
                Affinity.setAffinity(only);
                count(System::nanoTime, WARM_UP_NS);
                final long tid = ThreadStats.findThread(pid, THREAD_NAME);
                final ThreadStats before = tid < 0 ? ThreadStats.UNKNOWN : ThreadStats.read(pid, tid);
                final long[] tally = count(System::nanoTime, (long)(seconds * 1e9));
                final ThreadStats after = tid < 0 ? ThreadStats.UNKNOWN : ThreadStats.read(pid, tid);
                final ThreadStats delta = after.minus(before);
                result.set(new Result(seconds, tally[0], tally[1], tally[2], tally[3], tally[4],
                    delta.runQueueWaitNs(), delta.involuntarySwitches(), fastestWorkUnitNs(), Double.NaN));
            }
            catch (final RuntimeException ex)
            {
                failure.set(ex);
            }
        }, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        thread.join();
        if (null != failure.get())
        {
            throw new IllegalStateException("cannot measure the host's stalls on CPU " + cpu + ": " +
                failure.get().getMessage(), failure.get());
        }
        final Result stalls = result.get();
        if (peerCpu < 0)
        {
            return stalls;
        }
        double lineTransferNs;
        try
        {
            lineTransferNs = LineTransferMeter.oneWayNs(cpu, peerCpu);
        }
        catch (final IllegalStateException ex)
        {
            // A figure to read the cases against, not a case: its failure must not cost the run.
            System.err.println("line_transfer_ns not measured: " + ex.getMessage());
            lineTransferNs = Double.NaN;
        }
        return new Result(stalls.seconds(), stalls.stalls(), stalls.stallsOver100Us(), stalls.stallsOver1Ms(),
            stalls.maxStallNs(), stalls.stalledNs(), stalls.runQueueWaitNs(), stalls.involuntarySwitches(),
            stalls.workUnitNs(), lineTransferNs);
    }

    /**
     * @return the fastest of {@value #WORK_UNIT_TIMINGS} timings of {@link CoreSpeed#workUnit} (the fastest: a stall
     *     inside one timing must not count), after its warm-up: without it the JIT decided the reading (about 1.8 us
     *     when the timings ended before the optimizing tier's code was installed, 0.8 us when after).
     */
    private static double fastestWorkUnitNs()
    {
        return CoreSpeed.warmed().fastestWorkUnitNs(CoreSpeed.SYSTEM_CLOCK, WORK_UNIT_TIMINGS);
    }

    /**
     * Read the clock until {@code durationNs} passed, tallying the gaps between consecutive readings.
     *
     * @param clock      the clock.
     * @param durationNs how long.
     * @return {stalls, over 100 µs, over 1 ms, longest, sum}.
     */
    static long[] count(final LongSupplier clock, final long durationNs)
    {
        final long startNs = clock.getAsLong();
        long lastNs = startNs;
        long stalls = 0;
        long over100Us = 0;
        long over1Ms = 0;
        long maxNs = 0;
        long sumNs = 0;
        while (lastNs - startNs < durationNs)
        {
            final long nowNs = clock.getAsLong();
            final long gapNs = nowNs - lastNs;
            lastNs = nowNs;
            if (gapNs > STALL_THRESHOLD_NS)
            {
                stalls++;
                sumNs += gapNs;
                maxNs = Math.max(maxNs, gapNs);
                if (gapNs > 100_000L)
                {
                    over100Us++;
                }
                if (gapNs > 1_000_000L)
                {
                    over1Ms++;
                }
            }
        }
        return new long[]{stalls, over100Us, over1Ms, maxNs, sumNs};
    }
}
