package io.sidecore.engine.e1000;

/**
 * One timer of the device model: either stopped, or armed to expire at an absolute time on the agent's clock.
 * <p>
 * Times are compared wrap-safe ({@code deadlineNs - nowNs <= 0}, never {@code nowNs >= deadlineNs}), so a clock
 * origin near the 64-bit wrap behaves like any other. Mutable and reused: arming allocates nothing, so a port's
 * timers live in preallocated instances for its whole life.
 */
final class Deadline
{
    private boolean armed;
    private long deadlineNs;
    private DeadlineListener listener = DeadlineListener.NONE;

    /**
     * @param listener told of every arming, so the serving sidecore visits the timer when it is due.
     */
    void listener(final DeadlineListener listener)
    {
        this.listener = listener;
    }

    /**
     * Arm (or re-arm) the timer.
     *
     * @param atNs absolute expiry time.
     */
    void arm(final long atNs)
    {
        armed = true;
        deadlineNs = atNs;
        listener.onDeadlineArmed(atNs);
    }

    /**
     * Tell the listener of this timer's expiry time again, when it starts to count towards the device's next
     * deadline without being armed anew (the ITR window once an edge waits for it); nothing when stopped.
     */
    void report()
    {
        if (armed)
        {
            listener.onDeadlineArmed(deadlineNs);
        }
    }

    /**
     * Arm the timer unless it is already running (an absolute timer that later events must not restart).
     *
     * @param atNs absolute expiry time used when not armed.
     */
    void armIfStopped(final long atNs)
    {
        if (!armed)
        {
            arm(atNs);
        }
    }

    /**
     * Stop the timer.
     */
    void stop()
    {
        armed = false;
    }

    /**
     * @return true while the timer runs.
     */
    boolean isArmed()
    {
        return armed;
    }

    /**
     * @return the expiry time; meaningful only while {@link #isArmed()}.
     */
    long deadlineNs()
    {
        return deadlineNs;
    }

    /**
     * @param nowNs current time.
     * @return true if armed and the expiry time has come.
     */
    boolean hasExpired(final long nowNs)
    {
        return armed && deadlineNs - nowNs <= 0;
    }

    /**
     * Stop the timer if it has expired.
     *
     * @param nowNs current time.
     * @return true if it expired now (and is stopped).
     */
    boolean expire(final long nowNs)
    {
        if (hasExpired(nowNs))
        {
            armed = false;
            return true;
        }
        return false;
    }

    /**
     * The earlier of this timer and {@code otherNs}, wrap-safe.
     *
     * @param otherNs  a candidate time, or {@code noneNs}.
     * @param noneNs   the value that stands for "no time at all".
     * @return {@code otherNs} if this timer is stopped or not earlier; otherwise this timer's expiry time.
     */
    long earliest(final long otherNs, final long noneNs)
    {
        if (!armed)
        {
            return otherNs;
        }
        return noneNs == otherNs || deadlineNs - otherNs < 0 ? deadlineNs : otherNs;
    }
}
