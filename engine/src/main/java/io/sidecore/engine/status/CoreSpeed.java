package io.sidecore.engine.status;

import org.agrona.concurrent.NanoClock;

/**
 * How fast the calling thread's core runs just now: the fastest of a few timings of one fixed piece of arithmetic
 * that stays in the L1 cache (a dependent multiply-add over 4 KiB, {@link #workUnit}). A host that gives a virtual
 * CPU a lower clock, or a physical core shared with a busy sibling hardware thread, makes it slower by the same factor
 * as the sidecore's own work, so a reading next to a throughput figure tells whether two runs had the same machine.
 * The fastest timing is kept, so a stall inside one timing does not count. Preallocated: a reading allocates nothing.
 * <p>
 * <b>Only compiled code measures the core.</b> The same loop takes about 17 us interpreted, about 1.8 us as the
 * JIT's first tier and about 0.8 us as its optimizing tier on the development VM: a reading taken before the JIT's
 * last tier measures the JIT. A sidecore calls this four times a second, which takes the loop to its last tier only
 * after minutes, so {@link #warmUp} runs it first, where the reader is made.
 */
public final class CoreSpeed
{
    /** Longs the work unit runs over: 4 KiB, well inside any L1 data cache. */
    public static final int WORK_UNIT_LONGS = 512;
    /** Timings a sidecore takes per reading: about 3-7 us of its core once a second. */
    public static final int SIDECORE_TIMINGS = 4;
    /**
     * Runs of the loop before readings count: well past the JIT's thresholds for its optimizing tier (thousands of
     * calls), about 20-40 ms once compiled.
     */
    public static final int WARM_UP_RUNS = 30_000;

    private final long[] data = new long[WORK_UNIT_LONGS];
    private volatile long sink;

    /**
     * Fill the work unit's array with a fixed pattern.
     */
    public CoreSpeed()
    {
        for (int i = 0; i < data.length; i++)
        {
            data[i] = i * 0x9E3779B97F4A7C15L;
        }
    }

    /**
     * Run the loop {@code runs} times untimed, so that later readings time the JIT's optimized code.
     *
     * @param runs how many times, 0 or more ({@link #WARM_UP_RUNS} for a reader).
     * @return this.
     */
    public CoreSpeed warmUp(final int runs)
    {
        if (runs < 0)
        {
            throw new IllegalArgumentException("warm-up runs must be at least 0: " + runs);
        }
        long result = 0;
        for (int round = 0; round < runs; round++)
        {
            result += workUnit(data, round);
        }
        sink = result;
        return this;
    }

    /**
     * @param clock   the clock that times each run.
     * @param timings how many runs to time, at least 1.
     * @return the fastest run of {@link #workUnit}, nanoseconds.
     */
    public long fastestWorkUnitNs(final NanoClock clock, final int timings)
    {
        if (timings < 1)
        {
            throw new IllegalArgumentException("at least one timing: " + timings);
        }
        long fastestNs = Long.MAX_VALUE;
        long result = sink;
        for (int round = 0; round < timings; round++)
        {
            final long startNs = clock.nanoTime();
            result += workUnit(data, round);
            fastestNs = Math.min(fastestNs, clock.nanoTime() - startNs);
        }
        // Kept, so the work cannot be optimised away.
        sink = result;
        return fastestNs;
    }

    /**
     * The fixed work: a dependent multiply-add over the array, bound by the multiplier's latency, so its time follows
     * the core's clock rather than the memory system.
     *
     * @param data the array.
     * @param seed start value of the chain.
     * @return the chain's end value.
     */
    public static long workUnit(final long[] data, final long seed)
    {
        long hash = seed;
        for (int i = 0; i < data.length; i++)
        {
            hash = hash * 31 + (data[i] ^ (hash >>> 17));
        }
        return hash;
    }
}
