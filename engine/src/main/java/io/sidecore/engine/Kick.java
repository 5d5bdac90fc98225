package io.sidecore.engine;

/**
 * How a parked sidecore is woken at once: by a CSB guest that finds {@code host_need_txkick} set, by a control
 * thread that has just offered a command, or by anything else that needs the agent's attention.
 * <p>
 * One instance per sidecore. {@link #await} is called only by the sidecore's own thread (from its idle strategy);
 * {@link #signal} from any thread. A signal given while the sidecore is not waiting is remembered, so the next
 * {@link #await} returns at once: no wake-up is lost between "decide to park" and "park".
 * <p>
 * {@link ThreadKick} implements it inside the JVM. An eventfd implementation (the guest's kick eventfd, registered
 * as a KVM ioeventfd or written by the synthetic guest) waits in {@code poll(2)} on the sidecore's eventfds with
 * the timeout instead of {@code LockSupport.parkNanos}, and {@link #signal} writes the sidecore's own eventfd.
 */
public interface Kick
{
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
}
