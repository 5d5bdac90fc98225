package io.sidecore.engine;

import io.sidecore.engine.agent.EventFdKick;
import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * System test (real threads and real time): {@link EventFdKick} wakes a thread waiting in {@code ppoll} at once, and
 * a parked sidecore agent on its own thread is woken by a CSB guest's eventfd write and by a trapped access.
 * <p>
 * Timing on a loaded two-core machine is noisy, so the waits that a kick must end are one second long and the
 * assertions only require the wake-up well inside that second (a quarter); what shows the mechanism is the
 * ordering (the waiter was really waiting before the kick) and the counters (the wait ended by a kick, not a
 * timeout). The converse, that an unkicked wait lasts at least its bound, is checked with the default 50 µs bound.
 */
@Tag("system")
class EventFdKickSystemTest
{
    private static final long PARK_NS = 1_000_000_000L;
    private static final long WOKEN_WITHIN_NS = PARK_NS / 4;
    private static final long DEFAULT_PARK_BOUND_NS = 50_000L;
    private static final long GIVE_UP_NS = 20_000_000_000L;
    private static final long CSB_GPA = TestGuest.RAM_GPA + 0x18_0000L;

    private EventFdKick kick;
    private SidecoreEngine engine;
    private EventFd guestKick;

    @AfterEach
    void tearDown()
    {
        if (null != guestKick)
        {
            guestKick.close();
        }
        if (null != engine)
        {
            engine.close();
        }
        if (null != kick)
        {
            kick.close();
        }
    }

    @Test
    void shouldWakeWaitingThreadAtOnceWhenSignalledFromAnotherThread() throws InterruptedException
    {
        kick = EventFdKick.create();

        final long latencyNs = wakeLatencyNs(kick::signal);

        assertTrue(latencyNs < WOKEN_WITHIN_NS, "woken after " + latencyNs + " ns of a " + PARK_NS + " ns wait");
        assertEquals(0, kick.externalWakeups());
    }

    @Test
    void shouldWakeWaitingThreadAtOnceWhenGuestWritesEventFd() throws InterruptedException
    {
        kick = EventFdKick.create();
        guestKick = EventFd.adopt(Fds.duplicate(kick.fd()));

        final long latencyNs = wakeLatencyNs(guestKick::signal);

        assertTrue(latencyNs < WOKEN_WITHIN_NS, "woken after " + latencyNs + " ns of a " + PARK_NS + " ns wait");
        assertEquals(1, kick.externalWakeups());
    }

    @Test
    void shouldSleepAtLeastTheParkBoundWhenNotKicked()
    {
        kick = EventFdKick.create();
        final int waits = 20;
        long totalNs = 0;

        for (int i = 0; i < waits; i++)
        {
            final long startNs = System.nanoTime();
            assertFalse(kick.await(DEFAULT_PARK_BOUND_NS));
            final long sleptNs = System.nanoTime() - startNs;
            assertTrue(sleptNs >= DEFAULT_PARK_BOUND_NS, "wait " + i + " ended after " + sleptNs + " ns");
            totalNs += sleptNs;
        }

        assertTrue(totalNs >= waits * DEFAULT_PARK_BOUND_NS);
    }

    @Test
    void shouldWakeParkedAgentWhenCsbGuestKicksThroughEventFd()
    {
        kick = EventFdKick.create();
        startParkingEngine();
        final TestGuest guest = new TestGuest(1, true);
        guest.attach(engine.proxy(), new NullBackend());
        guest.setUpTx(64);
        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
        guestKick = EventFd.adopt(Fds.duplicate(kick.fd()));
        guest.kick = new GuestEventFdKick(guestKick);
        final SidecoreAgent agent = engine.agent(0);
        final long wakeupsBefore = awaitSettledPark(agent,
            () -> CsbDescriptor.NEED_KICK == guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));

        final long kickedAtNs = System.nanoTime();
        assertTrue(guest.queue(guest.frameTo(TestGuest.macOf(2), 60, 1)));
        guest.ringTxCsb();
        awaitCondition(() -> 1 == guest.port.counters().get(PortCounter.TX_FRAMES), "the frame is sent");
        final long latencyNs = System.nanoTime() - kickedAtNs;

        assertEquals(1, guest.kicks, "the guest kicked because the host asked");
        assertTrue(latencyNs < WOKEN_WITHIN_NS, "sent after " + latencyNs + " ns of a " + PARK_NS + " ns park");
        assertTrue(agent.counters().wakeups().get() > wakeupsBefore, "a kick, not a timeout, ended the park");
    }

    @Test
    void shouldAnswerTrappedReadAtOnceWhenAgentParked()
    {
        kick = EventFdKick.create();
        startParkingEngine();
        final TestGuest guest = new TestGuest(1, false);
        guest.attach(engine.proxy(), new NullBackend());
        final SidecoreAgent agent = engine.agent(0);
        final long parks = agent.counters().parks().get();
        awaitCondition(() -> agent.counters().parks().get() > parks && kick.isWaiting(), "the sidecore parks");

        final long startNs = System.nanoTime();
        final int status = engine.proxy().mmioRead(guest.port, E1000Registers.STATUS);
        final long latencyNs = System.nanoTime() - startNs;

        assertTrue(0 != status);
        assertTrue(latencyNs < WOKEN_WITHIN_NS, "answered after " + latencyNs + " ns of a " + PARK_NS + " ns park");
    }

    /**
     * A sidecore on its own thread that parks for a whole second at once when idle.
     */
    private void startParkingEngine()
    {
        final EventFdKick sidecoreKick = kick;
        engine = new SidecoreEngine(TestContexts.invoker(new CachedNanoClock(), 1)
            .threadingMode(ThreadingMode.DEDICATED)
            .nanoClock(SystemNanoClock.INSTANCE)
            .idleStrategy(SidecoreIdleStrategy.ADAPTIVE)
            .idleSpins(10)
            .idleYields(10)
            .idleMinParkNs(PARK_NS)
            .idleMaxParkNs(PARK_NS)
            .kickFactory(index -> sidecoreKick));
        engine.start();
    }

    private long wakeLatencyNs(final Runnable waker) throws InterruptedException
    {
        final AtomicLong wokenAtNs = new AtomicLong();
        final boolean[] result = new boolean[1];
        final Thread waiter = new Thread(() ->
        {
            result[0] = kick.await(PARK_NS);
            wokenAtNs.set(System.nanoTime());
        }, "kick-waiter");
        waiter.start();
        awaitCondition(kick::isWaiting, "the waiter waits");
        if (0 != wokenAtNs.get())
        {
            fail("the waiter returned before the kick");
        }
        final long kickedAtNs = System.nanoTime();
        waker.run();
        waiter.join(GIVE_UP_NS / 1_000_000L);
        assertFalse(waiter.isAlive());
        assertTrue(result[0], "the wait ended by the kick");
        return wokenAtNs.get() - kickedAtNs;
    }

    /**
     * Wait until the agent is in a park that has lasted a while: the host asks for kicks and no wake-up happened for
     * 20 ms. A stale eventfd signal from the set-up's trapped accesses can end the first park at once (the agent then
     * clears need_kick, spins and parks again), and a guest that rings in that gap rightly does not kick.
     *
     * @return the agent's wake-up count while settled.
     */
    private static long awaitSettledPark(final SidecoreAgent agent, final BooleanSupplier hostAsksForKick)
    {
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadlineNs < 0)
        {
            awaitCondition(hostAsksForKick, "the sidecore parks and asks the CSB guest to kick");
            final long wakeups = agent.counters().wakeups().get();
            LockSupport.parkNanos(20_000_000L);
            if (hostAsksForKick.getAsBoolean() && wakeups == agent.counters().wakeups().get())
            {
                return wakeups;
            }
        }
        throw new AssertionError("the sidecore never settled in a park within 5 s");
    }

    private static void awaitCondition(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + GIVE_UP_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting until " + what);
            }
            Thread.onSpinWait();
        }
    }

    /**
     * The guest side of a kick: a write to the guest's descriptor of the sidecore's kick eventfd.
     */
    private static final class GuestEventFdKick implements Kick
    {
        private final EventFd eventFd;

        GuestEventFdKick(final EventFd eventFd)
        {
            this.eventFd = eventFd;
        }

        public void signal()
        {
            eventFd.signal();
        }

        public boolean await(final long timeoutNs)
        {
            throw new UnsupportedOperationException("the guest side only kicks");
        }
    }
}
