package io.sidecore.tools.stat;

/**
 * Waits between snapshots in watch mode; injected so that tests advance a manual clock instead of sleeping.
 */
@FunctionalInterface
interface Sleeper
{
    /**
     * Wait.
     *
     * @param durationMs how long, milliseconds.
     * @throws InterruptedException when the wait is interrupted (watch mode then stops).
     */
    void sleepMs(long durationMs) throws InterruptedException;
}
