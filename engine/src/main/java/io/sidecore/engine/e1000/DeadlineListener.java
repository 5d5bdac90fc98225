package io.sidecore.engine.e1000;

/**
 * Told when one of a device's timers may have become due earlier than it was: a timer armed (a moderation delay
 * timer, the ITR window, PHY autonegotiation), or the ITR window starting to hold back an edge. The owning sidecore
 * keeps its ports' deadlines in a queue and visits a port's timers only when its queued deadline has come, so the
 * device must say whenever its {@link E1000Device#nextTimerDeadlineNs()} may have moved earlier; a deadline that
 * moves later or goes away needs no report (the port is visited early once and re-queued at its real deadline).
 * Agent thread.
 */
@FunctionalInterface
public interface DeadlineListener
{
    /** Listens to nothing: a device no sidecore serves yet. */
    DeadlineListener NONE = deadlineNs -> {};

    /**
     * @param deadlineNs absolute time, on the agent's clock, at which the device's timers may have work.
     */
    void onDeadlineArmed(long deadlineNs);
}
