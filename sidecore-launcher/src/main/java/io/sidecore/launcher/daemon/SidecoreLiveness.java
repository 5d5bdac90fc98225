package io.sidecore.launcher.daemon;

import java.util.function.LongSupplier;

/**
 * Whether every sidecore still runs its duty cycle: each sidecore's duty-cycle counter must have moved since the
 * previous look. A busy sidecore cycles millions of times a second and a parked one at least once per park bound
 * (at most 1 s), so between two looks further apart than that a live sidecore always moves; one that does not is stuck
 * (an endless loop, a blocked call), and the daemon stops feeding systemd's watchdog so systemd restarts it.
 */
final class SidecoreLiveness
{
    /** {@link #stuckSidecore()} when every sidecore moved. */
    static final int NONE_STUCK = -1;

    private final LongSupplier[] dutyCycles;
    private final long[] lastSeen;

    /**
     * @param dutyCycles each sidecore's duty-cycle counter, by index.
     */
    SidecoreLiveness(final LongSupplier[] dutyCycles)
    {
        this.dutyCycles = dutyCycles.clone();
        this.lastSeen = new long[dutyCycles.length];
        for (int i = 0; i < dutyCycles.length; i++)
        {
            lastSeen[i] = dutyCycles[i].getAsLong();
        }
    }

    /**
     * Look again.
     *
     * @return the index of the first sidecore whose counter did not move since the previous look, or
     *         {@link #NONE_STUCK}.
     */
    int stuckSidecore()
    {
        int stuck = NONE_STUCK;
        for (int i = 0; i < dutyCycles.length; i++)
        {
            final long now = dutyCycles[i].getAsLong();
            if (now == lastSeen[i] && NONE_STUCK == stuck)
            {
                stuck = i;
            }
            lastSeen[i] = now;
        }
        return stuck;
    }
}
