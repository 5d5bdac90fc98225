package io.sidecore.engine.agent;

/**
 * How a parked sidecore is woken at once: by a CSB guest that finds {@code host_need_txkick} set, by a control
 * thread that has just offered a command, or by anything else that needs the agent's attention.
 * <p>
 * One instance per sidecore, owned (and closed) by the {@link SidecoreEngine}. {@link #await} is called only by the
 * sidecore's own thread (from its idle strategy); {@link #signal} from any thread. A signal given while the sidecore
 * is not waiting is remembered, so the next {@link #await} returns at once: no wake-up is lost between "decide to
 * park" and "park".
 * <p>
 * {@link ThreadKick} implements it inside the JVM. {@link EventFdKick} waits in {@code ppoll(2)} on the sidecore's
 * eventfd with the timeout instead of {@code LockSupport.parkNanos}; another process (a synthetic guest, or the VMM
 * for a KVM ioeventfd) wakes it by writing that eventfd, whose descriptor {@link #fd()} names.
 */
public interface Kick extends AutoCloseable
{
    /** {@link #fd()} of a kick that no other process can reach. */
    int NO_FD = -1;

    /**
     * Wake the sidecore, or make its next {@link #await} return at once. Any thread; never blocks.
     */
    void signal();

    /**
     * Wait until signalled or until the timeout passes. Consumes the signal. Only the sidecore's thread calls it.
     *
     * @param timeoutNs longest wait, nanoseconds.
     * @return true if a signal ended (or pre-empted) the wait, false on timeout.
     */
    boolean await(long timeoutNs);

    /**
     * @return the eventfd another process writes (adds 1 to) to wake this sidecore, or {@link #NO_FD}.
     */
    default int fd()
    {
        return NO_FD;
    }

    /**
     * Release the kick's resources; the sidecore no longer waits on it. Idempotent.
     */
    default void close()
    {
    }
}
