package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fairness and rate limits: what one pass of the agent gives each port, with guests whose TX rings are full.
 */
class PortBudgetTest
{
    private static final byte[] PEER = TestGuest.macOf(999);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<String> pollLog = new ArrayList<>();
    private final List<TestGuest> guests = new ArrayList<>();
    private final List<RecordingBackend> backends = new ArrayList<>();
    private SidecoreEngine engine;

    @BeforeEach
    void setUp()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
    }

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldGiveBusyGuestNoMoreThanItsDescriptorBudgetPerPass()
    {
        addGuests(3, 512);
        fill(guests.get(0), 400, 60);
        fill(guests.get(1), 5, 60);
        fill(guests.get(2), 7, 60);

        engine.doWork();

        assertEquals(64, txDescriptors(0));
        assertEquals(5, txDescriptors(1));
        assertEquals(7, txDescriptors(2));
        assertEquals(1, guests.get(0).port.counters().get(PortCounter.TX_BUDGET_EXHAUSTED));
        assertEquals(0, guests.get(1).port.counters().get(PortCounter.TX_BUDGET_EXHAUSTED));
    }

    @Test
    void shouldLetOtherGuestsProgressEveryPassWhileOneStaysFull()
    {
        addGuests(4, 512);
        for (int pass = 1; pass <= 6; pass++)
        {
            fill(guests.get(0), guests.get(0).txFree(), 60);
            for (int g = 1; g < 4; g++)
            {
                fill(guests.get(g), 2, 60);
            }
            final long before = txDescriptors(0);

            engine.doWork();

            assertEquals(64, txDescriptors(0) - before, "pass " + pass);
            for (int g = 1; g < 4; g++)
            {
                assertEquals(2L * pass, txDescriptors(g), "guest " + g + " pass " + pass);
            }
        }
        assertEquals(6 * 64, backends.get(0).frames.size());
    }

    @Test
    void shouldApplyChangedDescriptorBudgetAtRuntime()
    {
        addGuests(1, 512);
        final Port port = guests.get(0).port;
        engine.proxy().updatePortSettings(port, port.settings().withTxDescriptorBudget(10));
        fill(guests.get(0), 100, 60);

        engine.doWork();

        assertEquals(10, txDescriptors(0));
    }

    @Test
    void shouldStopPassAtByteBudgetWithinOneFrame()
    {
        addGuests(1, 512);
        final Port port = guests.get(0).port;
        engine.proxy().updatePortSettings(port, port.settings().withTxByteBudget(10_000));
        fill(guests.get(0), 200, 600);

        engine.doWork();

        final long bytes = port.counters().get(PortCounter.TX_BYTES);
        assertEquals(17L * 600, bytes, "16 frames (9600 B) leave room, the 17th passes the budget");
        assertEquals(1, port.counters().get(PortCounter.TX_BUDGET_EXHAUSTED));
    }

    @Test
    void shouldStopPassAtSegmentBudget()
    {
        addGuests(1, 512);
        final Port port = guests.get(0).port;
        engine.proxy().updatePortSettings(port, port.settings().withTxSegmentBudget(10));
        fill(guests.get(0), 25, 60);

        engine.doWork();
        assertEquals(10, port.counters().get(PortCounter.TX_FRAMES));
        engine.doWork();
        assertEquals(20, port.counters().get(PortCounter.TX_FRAMES));
        engine.doWork();

        assertEquals(25, port.counters().get(PortCounter.TX_FRAMES));
        assertEquals(2, port.counters().get(PortCounter.TX_BUDGET_EXHAUSTED));
    }

    @Test
    void shouldLimitFrameRateToRatePlusBurst()
    {
        addGuests(2, 512);
        final Port limited = guests.get(0).port;
        engine.proxy().updatePortSettings(limited, limited.settings().withTxFrameRate(1000, 10));

        final long startNs = clock.nanoTime();
        for (int step = 1; step <= 1000; step++)
        {
            topUp(guests.get(0), 60);
            topUp(guests.get(1), 60);
            clock.update(startNs + step * 100_000L);
            engine.doWork();
        }

        final long sent = limited.counters().get(PortCounter.TX_FRAMES);
        assertTrue(sent >= 10 + 100 - 1 && sent <= 10 + 100 + 1, "100 ms at 1000 frames/s + burst 10: " + sent);
        assertTrue(limited.counters().get(PortCounter.TX_RATE_LIMITED) > 0);
        assertTrue(guests.get(1).port.counters().get(PortCounter.TX_FRAMES) > 10 * sent,
            "the unlimited neighbour is not held back");
    }

    @Test
    void shouldLimitByteRateToRatePlusBurstPlusOnePass()
    {
        addGuests(1, 512);
        final Port port = guests.get(0).port;
        engine.proxy().updatePortSettings(port, port.settings().withTxByteRate(1_000_000, 16_384));

        final long startNs = clock.nanoTime();
        for (int step = 1; step <= 1000; step++)
        {
            topUp(guests.get(0), 1000);
            clock.update(startNs + step * 100_000L);
            engine.doWork();
        }

        final long bytes = port.counters().get(PortCounter.TX_BYTES);
        assertTrue(bytes >= 100_000 && bytes <= 100_000 + 16_384 + 17 * 1000,
            "100 ms at 1 MB/s + 16 KiB burst: " + bytes);
    }

    @Test
    void shouldResumeFullSpeedWhenRateLimitRemoved()
    {
        addGuests(1, 512);
        final Port port = guests.get(0).port;
        engine.proxy().updatePortSettings(port, port.settings().withTxFrameRate(10, 1));
        fill(guests.get(0), 100, 60);
        engine.doWork();
        engine.doWork();
        assertEquals(1, port.counters().get(PortCounter.TX_FRAMES));

        engine.proxy().updatePortSettings(port, port.settings().withTxFrameRate(PortSettings.UNLIMITED, 0));
        engine.doWork();

        assertEquals(100, port.counters().get(PortCounter.TX_FRAMES), "the rest in two passes, at the same instant");
    }

    @Test
    void shouldShowTxoffWhileTheRateLimitHoldsDescriptorsAndClearItWhenDrained()
    {
        addGuests(1, 64);
        final TestGuest guest = guests.get(0);
        final Port port = guest.port;
        engine.proxy().updatePortSettings(port, port.settings().withTxFrameRate(10, 1));
        fill(guest, 3, 60);

        engine.doWork();
        assertEquals(1, port.counters().get(PortCounter.TX_FRAMES));
        assertEquals(E1000Registers.STATUS_TXOFF, status(guest) & E1000Registers.STATUS_TXOFF,
            "SDM 13.4.2: TXOFF while the transmitter is held");

        final long startNs = clock.nanoTime();
        for (int step = 1; step <= 3; step++)
        {
            clock.update(startNs + step * 100_000_000L);
            engine.doWork();
        }

        assertEquals(3, port.counters().get(PortCounter.TX_FRAMES));
        assertEquals(0, status(guest) & E1000Registers.STATUS_TXOFF, "nothing waits any more");
    }

    /**
     * Linux's Tx Unit Hang check ({@code e1000_clean_tx_irq}, armed every 2 s by the watchdog): a descriptor queued
     * more than 1 s ago ({@code tx_timeout_factor} 1 at 1000 Mb/s) that has not completed, with STATUS.TXOFF clear,
     * makes the driver reset the NIC. A port limited to 10 frames/s with 40 frames queued holds its last frames for
     * about 4 s; at every point the driver might look, either nothing that old waits or TXOFF is set (SDM 13.4.2).
     */
    @Test
    void shouldNeverMeetTheLinuxTxUnitHangConditionWhileRateLimited()
    {
        addGuests(1, 64);
        final TestGuest guest = guests.get(0);
        final Port port = guest.port;
        engine.proxy().updatePortSettings(port, port.settings().withTxFrameRate(10, 1));
        final long queuedNs = clock.nanoTime();
        fill(guest, 40, 60);

        int checksWithOldDescriptorsWaiting = 0;
        for (int step = 1; step <= 120; step++)
        {
            clock.update(queuedNs + step * 50_000_000L);
            engine.doWork();
            final boolean oldDescriptorWaiting = clock.nanoTime() - queuedNs > 1_000_000_000L &&
                guest.registers.get(E1000Registers.TDH) != guest.registers.get(E1000Registers.TDT);
            if (oldDescriptorWaiting)
            {
                checksWithOldDescriptorsWaiting++;
                assertEquals(E1000Registers.STATUS_TXOFF, status(guest) & E1000Registers.STATUS_TXOFF,
                    "a hang check at " + step * 50 + " ms would reset the guest's NIC");
            }
        }

        assertEquals(40, port.counters().get(PortCounter.TX_FRAMES));
        assertTrue(checksWithOldDescriptorsWaiting > 40, "descriptors did wait over 1 s: " +
            checksWithOldDescriptorsWaiting);
        assertEquals(0, status(guest) & E1000Registers.STATUS_TXOFF);
    }

    private static int status(final TestGuest guest)
    {
        return guest.registers.get(E1000Registers.STATUS);
    }

    private void addGuests(final int count, final int ringDescriptors)
    {
        for (int i = 0; i < count; i++)
        {
            final TestGuest guest = new TestGuest(i);
            final RecordingBackend backend = new RecordingBackend("g" + i, pollLog);
            guest.attach(engine.proxy(), backend);
            guest.setUpTx(ringDescriptors);
            guests.add(guest);
            backends.add(backend);
        }
    }

    private static void fill(final TestGuest guest, final int frames, final int lengthBytes)
    {
        for (int i = 0; i < frames; i++)
        {
            if (!guest.queue(guest.frameTo(PEER, lengthBytes, i)))
            {
                throw new IllegalStateException("ring full after " + i + " frames");
            }
        }
        guest.ringTx();
    }

    private static void topUp(final TestGuest guest, final int lengthBytes)
    {
        fill(guest, guest.txFree(), lengthBytes);
    }

    private long txDescriptors(final int guest)
    {
        return guests.get(guest).port.counters().get(PortCounter.TX_DESCRIPTORS);
    }
}
