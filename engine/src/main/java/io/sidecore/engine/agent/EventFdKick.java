package io.sidecore.engine.agent;

import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.OsException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link Kick} over one eventfd per sidecore: the parked sidecore waits in {@code ppoll(2)} on it with a
 * nanosecond timeout, and anything that writes it wakes the sidecore at once.
 * <p>
 * <b>One eventfd per sidecore, not per port.</b> A parked sidecore has exactly one thing to wait on, so the wait is a
 * {@code ppoll} of a single descriptor whatever the number of ports, and nothing has to be registered or removed
 * when ports come and go. The writers are every CSB guest of the sidecore's ports (through {@link #fd()}, handed to
 * the guest's process as the port's kick descriptor: it writes it when it finds {@code host_need_txkick} or
 * {@code host_need_rxkick} set, see {@code CsbDescriptor}) and the threads of this process that hand the sidecore
 * work ({@link #signal()}). Which port kicked does not matter: a woken sidecore polls all of its ports. A guest that
 * kicks needlessly only costs the sidecore a wake-up, which busy polling would spend anyway.
 * <p>
 * <b>Threads of this process</b> do not write the eventfd while the sidecore runs: {@link #signal()} sets a flag and
 * writes only if the sidecore announced that it waits. The waiter stores "waiting" before it takes the flag and the
 * signaller sets the flag before it reads "waiting", both with volatile accesses, so either the waiter sees the flag
 * or the signaller sees the waiter and writes (the same handshake as {@link ThreadKick}). A trapped register access
 * therefore costs no system call while the sidecore polls.
 * <p>
 * <b>Other processes</b> write the eventfd directly. The waiter reads (drains) it only after a wait, never before:
 * draining before the wait could swallow a guest's kick that arrived between the agent's last look at the CSB
 * ({@code SidecoreAgent.onParkPrepare}) and the wait, and the sidecore would sleep a whole park period with work
 * pending. A write that lands after the drain leaves the counter non-zero, so the next wait returns at once: a
 * spurious wake-up, never a lost one.
 * <p>
 * <b>Timer slack.</b> Linux lets a thread's timed waits end up to its timer slack late, 50 µs by default, which is as
 * long as the whole default park bound. The first {@link #await} sets the calling thread's (the sidecore's) slack to
 * {@link #TIMER_SLACK_NS}.
 * <p>
 * Waiting allocates nothing: the eventfd wrapper preallocates its {@code pollfd}, {@code timespec}, value buffer
 * and errno capture.
 */
public final class EventFdKick implements Kick
{
    /** Timer slack the sidecore thread runs with once it has parked: far below the shortest park period. */
    public static final long TIMER_SLACK_NS = 1_000L;

    private static final VarHandle SIGNALLED;

    static
    {
        try
        {
            SIGNALLED = MethodHandles.lookup().findVarHandle(EventFdKick.class, "signalled", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final EventFd eventFd;
    @SuppressWarnings("unused")
    private volatile boolean signalled;
    private volatile boolean waiting;
    private volatile boolean closed;
    private Thread slackSetFor;
    private long externalWakeups;

    private EventFdKick(final EventFd eventFd)
    {
        this.eventFd = eventFd;
    }

    /**
     * Create a kick with a new non-blocking, close-on-exec eventfd.
     *
     * @return the kick.
     * @throws OsException when the kernel refuses the eventfd.
     */
    public static EventFdKick create()
    {
        return new EventFdKick(EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC));
    }

    /**
     * {@inheritDoc}
     */
    public void signal()
    {
        if (!(boolean)SIGNALLED.getAndSet(this, true) && waiting && !closed)
        {
            try
            {
                EventFd.signalDescriptor(eventFd.fd());
            }
            catch (final OsException ex)
            {
                if (!closed)
                {
                    throw ex;
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * A signal delivered to the thread may end the wait early; it is then reported as a timeout.
     */
    public boolean await(final long timeoutNs)
    {
        if (slackSetFor != Thread.currentThread())
        {
            setTimerSlack();
        }
        if ((boolean)SIGNALLED.getAndSet(this, false))
        {
            return true;
        }
        waiting = true;
        if ((boolean)SIGNALLED.getAndSet(this, false))
        {
            waiting = false;
            return true;
        }
        final boolean readable = eventFd.awaitNs(timeoutNs);
        waiting = false;
        boolean kicked = false;
        if (readable && eventFd.drain() > 0)
        {
            kicked = true;
        }
        if ((boolean)SIGNALLED.getAndSet(this, false))
        {
            return true;
        }
        if (kicked)
        {
            externalWakeups++;
        }
        return kicked;
    }

    /**
     * @return the eventfd a CSB guest writes to wake this sidecore (valid until {@link #close()}).
     */
    public int fd()
    {
        return eventFd.fd();
    }

    /**
     * @return true while the sidecore is inside (or about to enter) its wait (tests, diagnostics).
     */
    public boolean isWaiting()
    {
        return waiting;
    }

    /**
     * @return true if an in-process signal is pending (tests, diagnostics).
     */
    public boolean isSignalled()
    {
        return signalled;
    }

    /**
     * @return waits ended by a write from outside (the eventfd) rather than by {@link #signal()}; the sidecore's
     *         thread only.
     */
    public long externalWakeups()
    {
        return externalWakeups;
    }

    /**
     * Close the eventfd. Idempotent; later signals are ignored.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            eventFd.close();
        }
    }

    private void setTimerSlack()
    {
        slackSetFor = Thread.currentThread();
        try
        {
            Fds.setTimerSlackNs(TIMER_SLACK_NS);
        }
        catch (final OsException ignore)
        {
            // Only precision is lost: the waits may end up to the default 50 µs late.
        }
    }
}
