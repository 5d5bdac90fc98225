package io.sidecore.engine;

import io.sidecore.engine.agent.EventFdKick;
import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.ThreadKick;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EventFdKick} on one thread: every wait here either returns at once (a signal or a guest's write is pending)
 * or has a 1 ns timeout, so nothing sleeps. Waking a thread that is really waiting is in
 * {@link EventFdKickSystemTest}.
 */
class EventFdKickTest
{
    /** Long enough that a test relying on "returns at once" would visibly hang if it did not. */
    private static final long LONG_WAIT_NS = 10_000_000_000L;

    private final EventFdKick kick = EventFdKick.create();
    private final EventFd guest = EventFd.adopt(Fds.duplicate(kick.fd()));

    @AfterEach
    void tearDown()
    {
        guest.close();
        kick.close();
    }

    @Test
    void shouldReturnAtOnceWhenSignalledBeforeAwait()
    {
        kick.signal();

        assertTrue(kick.isSignalled());
        assertTrue(kick.await(LONG_WAIT_NS));
        assertFalse(kick.isSignalled(), "await consumes the signal");
        assertEquals(0, kick.externalWakeups());
    }

    @Test
    void shouldNotWriteEventFdWhenSignalledWhileSidecoreRuns()
    {
        kick.signal();

        assertFalse(Fds.awaitReadable(kick.fd(), 0), "no system call while the sidecore is not waiting");
    }

    @Test
    void shouldRememberOneSignalWhenSignalledTwice()
    {
        kick.signal();
        kick.signal();

        assertTrue(kick.await(1));
        assertFalse(kick.await(1));
    }

    @Test
    void shouldReportTimeoutWhenNotSignalled()
    {
        assertFalse(kick.await(1));
        assertFalse(kick.isWaiting(), "the waiting flag is withdrawn after the wait");
    }

    @Test
    void shouldReturnAtOnceAndDrainWhenGuestWroteEventFdBeforeAwait()
    {
        assertTrue(guest.signal());

        assertTrue(kick.await(LONG_WAIT_NS));
        assertEquals(1, kick.externalWakeups());
        assertFalse(Fds.awaitReadable(kick.fd(), 0), "the wait drains the eventfd");
        assertFalse(kick.await(1), "one write wakes once");
    }

    @Test
    void shouldCountOneWakeupWhenGuestWroteSeveralTimes()
    {
        guest.signal();
        guest.signal();
        guest.signal();

        assertTrue(kick.await(LONG_WAIT_NS));
        assertFalse(kick.await(1));
        assertEquals(1, kick.externalWakeups());
    }

    @Test
    void shouldNameItsEventFdAsTheDescriptorGuestsWrite()
    {
        final Kick asKick = kick;

        assertEquals(kick.fd(), asKick.fd());
        assertTrue(kick.fd() >= 0);
        assertEquals(Kick.NO_FD, new ThreadKick().fd());
    }

    @Test
    void shouldIgnoreSignalWhenClosed()
    {
        kick.close();

        kick.signal();
        kick.close();

        assertTrue(kick.isSignalled(), "the signal is only remembered");
        assertFalse(Fds.awaitReadable(guest.fd(), 0), "nothing was written to the eventfd");
        assertTrue(guest.signal(), "closing twice released only the sidecore's own descriptor");
        assertTrue(Fds.awaitReadable(guest.fd(), 0), "the guest's descriptor still reaches the eventfd");
    }

    @Test
    void shouldLowerTimerSlackOfWaitingThread()
    {
        final long before = Fds.timerSlackNs();
        try
        {
            kick.await(1);

            assertEquals(EventFdKick.TIMER_SLACK_NS, Fds.timerSlackNs());
        }
        finally
        {
            Fds.setTimerSlackNs(before);
        }
    }
}
