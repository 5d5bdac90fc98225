package io.sidecore.engine.status;

import org.agrona.concurrent.NanoClock;

/**
 * How fast the calling thread's core runs just now: the fastest of a few timings of one fixed piece of arithmetic
 * that stays in the L1 cache (a dependent multiply-add over 4 KiB, {@link #workUnit}). A host that gives a virtual
 * CPU a lower clock, or a physical core shared with a busy sibling hardware thread, makes it slower by the same factor
 * as the sidecore's own work, so a reading next to a throughput figure tells whether two runs had the same machine.
 * The fastest timing is kept, so a stall inside one timing does not count. Preallocated and read-only once made: a
 * reading allocates nothing and writes nothing shared, so sidecores on several cores may share one instance.
 * <p>
 * <b>Only compiled code measures the core.</b> The same loop takes about 17 us interpreted, about 1.8 us as the
 * JIT's first tier and about 0.8 us as its optimizing tier on the development VM: a reading taken before the JIT's
 * last tier measures the JIT. A sidecore reads four timings once a second, which would take the loop, the timing
 * code and the clock call to their last tier only after minutes, so {@link #warmed()} takes readings first.
 */
public final class CoreSpeed
{
    /** Longs the work unit runs over: 4 KiB, well inside any L1 data cache. */
    public static final int WORK_UNIT_LONGS = 512;
    /** Timings a sidecore takes per reading: about 3-7 us of its core once a second. */
    public static final int SIDECORE_TIMINGS = 4;
    /**
     * Readings of {@link #SIDECORE_TIMINGS} taken before readings count: well past the JIT's thresholds for its
     * optimizing tier (thousands of calls and loop iterations), about 35 ms once compiled.
     */
    public static final int WARM_UP_READINGS = 10_000;
    /** The clock of real readings: the one {@link #warmed()} warms up with. */
    public static final NanoClock SYSTEM_CLOCK = System::nanoTime;

    /** A chain value the work never yields in practice: storing only then keeps the work without shared writes. */
    private static final long UNLIKELY_CHAIN_VALUE = 0x5EED_0000_0000_5EEDL;

    private final long[] data = new long[WORK_UNIT_LONGS];
    private long sink;

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
     * @return the process's instance, warmed up ({@link #WARM_UP_READINGS} readings on {@link #SYSTEM_CLOCK}) when
     *     first asked for, once.
     */
    public static CoreSpeed warmed()
    {
        return Warmed.INSTANCE;
    }

    /**
     * Take {@code readings} readings of {@link #SIDECORE_TIMINGS} timings and drop them, so that later readings time
     * the JIT's optimized code: the loop, the timing around it and the clock.
     *
     * @param clock    the clock later readings use.
     * @param readings how many, 0 or more.
     * @return this.
     */
    public CoreSpeed warmUp(final NanoClock clock, final int readings)
    {
        if (readings < 0)
        {
            throw new IllegalArgumentException("warm-up readings must be at least 0: " + readings);
        }
        for (int i = 0; i < readings; i++)
        {
            fastestWorkUnitNs(clock, SIDECORE_TIMINGS);
        }
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
        long result = 0;
        for (int round = 0; round < timings; round++)
        {
            final long startNs = clock.nanoTime();
            result += workUnit(data, round);
            fastestNs = Math.min(fastestNs, clock.nanoTime() - startNs);
        }
        // The work's result must be used or the JIT may drop the work; a store made only on a value the chain never
        // yields uses it without writing a line other sidecores read.
        if (UNLIKELY_CHAIN_VALUE == result)
        {
            sink = result;
        }
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

    private static final class Warmed
    {
        static final CoreSpeed INSTANCE = new CoreSpeed().warmUp(SYSTEM_CLOCK, WARM_UP_READINGS);
    }
}
