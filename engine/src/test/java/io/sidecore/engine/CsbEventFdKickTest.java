package io.sidecore.engine;

import io.sidecore.engine.agent.EventFdKick;
import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.tools.guest.GuestDriverConfig;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux-like guest driver model in CSB mode kicks a parked sidecore through the sidecore's kick eventfd, as a
 * guest in another process does. Invoker mode on one thread: the guest acts while the idle strategy is between
 * "announce the park" and "wait", so the eventfd is already written when the wait starts and nothing sleeps (a wait
 * that did not see the write would block for the whole one-second park and then fail).
 */
class CsbEventFdKickTest
{
    private static final long PARK_NS = 1_000_000_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<ModelGuest> guests = new ArrayList<>();
    private final EventFdKick kick = EventFdKick.create();
    private final ScriptedPark park = new ScriptedPark(kick);
    private final EventFd guestKick = EventFd.adopt(Fds.duplicate(kick.fd()));
    private SidecoreEngine engine;

    @AfterEach
    void tearDown()
    {
        guestKick.close();
        engine.close();
    }

    @Test
    void shouldWakeParkedSidecoreThroughEventFdWhenCsbGuestModelKicks()
    {
        start();
        final ModelGuest sender = guests.get(0);
        final ModelGuest receiver = guests.get(1);
        park.whileParked = () -> assertTrue(sender.send(sender.frameTo(receiver.mac, 100, 1)));

        idleUntilParked();

        assertTrue(park.lastResult, "the wait ended by the kick, not by its one-second timeout");
        assertEquals(1, sender.model.csbTxKicks(), "the guest saw host_need_txkick and kicked");
        assertEquals(1, kick.externalWakeups(), "the kick came through the eventfd");
        assertEquals(1, engine.agent(0).counters().wakeups().get());
        assertFalse(Fds.awaitReadable(kick.fd(), 0), "the wake-up drained the eventfd");
        pump();
        assertEquals(1, receiver.received.size());
    }

    @Test
    void shouldNotWriteEventFdWhenCsbGuestSendsWhileSidecorePolls()
    {
        start();
        final ModelGuest sender = guests.get(0);
        final ModelGuest receiver = guests.get(1);

        for (int i = 0; i < 20; i++)
        {
            assertTrue(sender.send(sender.frameTo(receiver.mac, 100, i)));
            pump();
        }

        assertEquals(20, receiver.received.size());
        assertEquals(0, sender.model.csbTxKicks());
        assertFalse(Fds.awaitReadable(kick.fd(), 0), "no eventfd write while the sidecore polls");
    }

    @Test
    void shouldWithdrawKickRequestWhenParkEnds()
    {
        start();
        final ModelGuest sender = guests.get(0);
        final ModelGuest receiver = guests.get(1);
        park.whileParked = () -> guestKick.signal();

        idleUntilParked();

        assertTrue(park.lastResult);
        assertTrue(sender.send(sender.frameTo(receiver.mac, 100, 1)));
        assertEquals(0, sender.model.csbTxKicks(), "the woken sidecore polls again: no kick requested");
        pump();
        assertEquals(1, receiver.received.size());
    }

    private void start()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1)
            .idleStrategy(SidecoreIdleStrategy.ADAPTIVE)
            .idleSpins(0)
            .idleYields(0)
            .idleMinParkNs(PARK_NS)
            .idleMaxParkNs(PARK_NS)
            .kickFactory(index -> park));
        for (int i = 0; i < 2; i++)
        {
            final ModelGuest guest =
                new ModelGuest(engine, clock, i, true, new GuestDriverConfig().useCsbWhenOffered(true));
            guest.access.kickThrough(guestKick);
            guests.add(guest);
        }
        for (final ModelGuest guest : guests)
        {
            guest.bringUp();
            assertTrue(guest.port.isCsbActive());
        }
        // Trapped accesses signalled the kick while the sidecore ran (a flag, no eventfd write): consume that.
        kick.await(1);
        assertFalse(Fds.awaitReadable(kick.fd(), 0));
    }

    /**
     * Idle as the adaptive strategy does with no spins and no yields: spin once, give up spinning, give up yielding,
     * park.
     */
    private void idleUntilParked()
    {
        final SidecoreIdleStrategy idle = engine.idleStrategy(0);
        for (int i = 0; i < 4 && 0 == park.parks; i++)
        {
            idle.idle(0);
        }
        assertEquals(1, park.parks);
    }

    private void pump()
    {
        int idle = 0;
        for (int round = 0; round < 10_000 && idle < 20; round++)
        {
            clock.update(clock.nanoTime() + 1_000);
            boolean moved = engine.doWork() > 0;
            for (final ModelGuest guest : guests)
            {
                moved |= guest.service();
            }
            idle = moved ? 0 : idle + 1;
        }
    }

    /**
     * The real eventfd kick, with a guest action run at the moment the sidecore is about to wait in it.
     */
    static final class ScriptedPark implements Kick
    {
        private final EventFdKick delegate;
        Runnable whileParked;
        int parks;
        boolean lastResult;

        ScriptedPark(final EventFdKick delegate)
        {
            this.delegate = delegate;
        }

        public void signal()
        {
            delegate.signal();
        }

        public boolean await(final long timeoutNs)
        {
            parks++;
            if (null != whileParked)
            {
                whileParked.run();
            }
            lastResult = delegate.await(timeoutNs);
            return lastResult;
        }

        public int fd()
        {
            return delegate.fd();
        }

        public void close()
        {
            delegate.close();
        }
    }
}
