package io.sidecore.engine.agent;

import org.agrona.concurrent.IdleStrategy;

import static io.sidecore.engine.SettingChecks.checkRange;

/**
 * What a sidecore does when a duty cycle found no work, chosen by alias in configuration.
 * <ul>
 *   <li>{@value #BUSY} (default, for a dedicated pinned core): spin with {@link Thread#onSpinWait()}; the lowest
 *       latency, and the core shows 100% busy.</li>
 *   <li>{@value #ADAPTIVE}: spin, then yield, then park for exponentially longer periods up to a bound (default
 *       50 µs), so an idle host does not burn a core. Before each park the {@link ParkListener} (the agent) sets
 *       {@code host_need_txkick} in the CSB of its CSB ports, re-checks for work and may cancel the park; a
 *       {@link Kick} ends a park at once.</li>
 * </ul>
 * The state machine follows Agrona's {@code BackoffIdleStrategy}; it is separate so that parks can be announced
 * to guests and counted, and so that the wait goes through the sidecore's {@link Kick}.
 */
public final class SidecoreIdleStrategy implements IdleStrategy
{
    /** Alias of the busy-spin mode. */
    public static final String BUSY = "busy";
    /** Alias of the spin/yield/park mode. */
    public static final String ADAPTIVE = "adaptive";
    /** Longest park period a setting may ask for: a second. */
    public static final long MAX_PARK_PERIOD_NS = 1_000_000_000L;

    private static final int NOT_IDLE = 0;
    private static final int SPINNING = 1;
    private static final int YIELDING = 2;
    private static final int PARKING = 3;

    /**
     * Told about parks: the agent, which must make sure no guest waits for a sidecore that is asleep.
     */
    public interface ParkListener
    {
        /**
         * About to park. Announce it (CSB {@code host_need_txkick}), then re-check for work.
         *
         * @param parkNs the park the strategy intends.
         * @return nanoseconds to park for, at most {@code parkNs} (shorter when a timer is due sooner), or 0 or
         *         less to stay awake because work appeared.
         */
        long onParkPrepare(long parkNs);

        /**
         * The park ended.
         *
         * @param kicked true if a {@link Kick} ended it, false on timeout.
         */
        void onParkEnd(boolean kicked);
    }

    private final boolean busy;
    private final long maxSpins;
    private final long maxYields;
    private final long minParkPeriodNs;
    private final long maxParkPeriodNs;
    private final Kick kick;
    private ParkListener listener;
    private int state = NOT_IDLE;
    private long spins;
    private long yields;
    private long parkPeriodNs;

    /**
     * Check the idle settings an engine is configured with, naming the first bad one as the engine context does.
     *
     * @param alias           {@value #BUSY} or {@value #ADAPTIVE}.
     * @param maxSpins        adaptive: idle cycles spent spinning before yielding.
     * @param maxYields       adaptive: idle cycles spent yielding before parking.
     * @param minParkPeriodNs adaptive: first park period.
     * @param maxParkPeriodNs adaptive: the park bound.
     * @throws IllegalArgumentException naming the setting and its allowed values.
     */
    public static void checkSettings(
        final String alias,
        final long maxSpins,
        final long maxYields,
        final long minParkPeriodNs,
        final long maxParkPeriodNs)
    {
        if (!BUSY.equals(alias) && !ADAPTIVE.equals(alias))
        {
            throw new IllegalArgumentException("idleStrategy must be '" + BUSY + "' or '" + ADAPTIVE + "': " + alias);
        }
        checkRange("idleSpins", maxSpins, 0, Integer.MAX_VALUE);
        checkRange("idleYields", maxYields, 0, Integer.MAX_VALUE);
        checkRange("idleMinParkNs", minParkPeriodNs, 1, MAX_PARK_PERIOD_NS);
        checkRange("idleMaxParkNs", maxParkPeriodNs, minParkPeriodNs, MAX_PARK_PERIOD_NS);
    }

    /**
     * @param alias           {@value #BUSY} or {@value #ADAPTIVE}.
     * @param maxSpins        adaptive: idle cycles spent spinning before yielding.
     * @param maxYields       adaptive: idle cycles spent yielding before parking.
     * @param minParkPeriodNs adaptive: first park period.
     * @param maxParkPeriodNs adaptive: the park bound; periods double up to it.
     * @param kick            how the sidecore is woken.
     * @throws IllegalArgumentException on an unknown alias or bad bounds.
     */
    public SidecoreIdleStrategy(
        final String alias,
        final long maxSpins,
        final long maxYields,
        final long minParkPeriodNs,
        final long maxParkPeriodNs,
        final Kick kick)
    {
        if (!BUSY.equals(alias) && !ADAPTIVE.equals(alias))
        {
            throw new IllegalArgumentException("idle strategy must be '" + BUSY + "' or '" + ADAPTIVE + "': " + alias);
        }
        if (maxSpins < 0 || maxYields < 0 || minParkPeriodNs < 1 || maxParkPeriodNs < minParkPeriodNs)
        {
            throw new IllegalArgumentException("bad adaptive idle bounds: spins=" + maxSpins + " yields=" +
                maxYields + " minParkNs=" + minParkPeriodNs + " maxParkNs=" + maxParkPeriodNs);
        }
        this.busy = BUSY.equals(alias);
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkPeriodNs = minParkPeriodNs;
        this.maxParkPeriodNs = maxParkPeriodNs;
        this.kick = kick;
    }

    /**
     * Attach the agent; done once, before the strategy runs.
     *
     * @param listener told about parks.
     * @return this.
     */
    public SidecoreIdleStrategy parkListener(final ParkListener listener)
    {
        this.listener = listener;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void idle()
    {
        if (busy)
        {
            Thread.onSpinWait();
            return;
        }
        switch (state)
        {
            case NOT_IDLE:
                state = SPINNING;
                spins = 1;
                Thread.onSpinWait();
                break;

            case SPINNING:
                Thread.onSpinWait();
                if (++spins > maxSpins)
                {
                    state = YIELDING;
                    yields = 0;
                }
                break;

            case YIELDING:
                if (++yields > maxYields)
                {
                    state = PARKING;
                    parkPeriodNs = minParkPeriodNs;
                }
                else
                {
                    Thread.yield();
                }
                break;

            default:
                park();
                break;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void reset()
    {
        state = NOT_IDLE;
        spins = 0;
        yields = 0;
        parkPeriodNs = minParkPeriodNs;
    }

    /**
     * {@inheritDoc}
     */
    public String alias()
    {
        return busy ? BUSY : ADAPTIVE;
    }

    /**
     * @return the park bound in nanoseconds (0 when busy).
     */
    public long maxParkPeriodNs()
    {
        return busy ? 0 : maxParkPeriodNs;
    }

    private void park()
    {
        final long parkNs = null == listener ? parkPeriodNs : listener.onParkPrepare(parkPeriodNs);
        if (parkNs <= 0)
        {
            reset();
            return;
        }
        final boolean kicked = kick.await(parkNs);
        if (null != listener)
        {
            listener.onParkEnd(kicked);
        }
        if (kicked)
        {
            reset();
        }
        else
        {
            parkPeriodNs = Math.min(parkPeriodNs << 1, maxParkPeriodNs);
        }
    }
}
