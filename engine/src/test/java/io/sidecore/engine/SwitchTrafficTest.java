package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;
import io.sidecore.tools.guest.GuestDriverConfig;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many guests running the guest driver model exchange frames through the sidecores' L2 switch, driven by
 * {@code doWork()} on the test thread with a manual clock: exact delivery while rings have room, exact accounting
 * when they do not.
 */
class SwitchTrafficTest
{
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final long STEP_NS = 10_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<ModelGuest> guests = new ArrayList<>();
    private SidecoreEngine engine;

    @AfterEach
    void tearDown()
    {
        if (null != engine)
        {
            engine.close();
        }
    }

    @ParameterizedTest(name = "{0} guests on {1} sidecore(s)")
    @CsvSource({"2, 1", "8, 1", "64, 1", "6, 2", "16, 4"})
    void shouldDeliverEveryFrameExactlyWhenRingsHaveRoom(final int guestCount, final int sidecores)
    {
        start(guestCount, sidecores, new GuestDriverConfig());
        helloFromEveryGuest();
        final int framesPerGuest = 100;

        for (int sequence = 0; sequence < framesPerGuest; sequence += 10)
        {
            for (final ModelGuest guest : guests)
            {
                final ModelGuest next = guests.get((guest.index + 1) % guestCount);
                for (int i = sequence; i < sequence + 10; i++)
                {
                    assertTrue(guest.queue(guest.frameTo(next.mac, 60 + (i % 7) * 200, i)));
                }
                guest.model.flushTx();
            }
            pump(20);
        }
        pump(50);

        for (final ModelGuest guest : guests)
        {
            final ModelGuest previous = guests.get((guest.index + guestCount - 1) % guestCount);
            assertEquals(framesPerGuest, guest.received.size(), "g" + guest.index);
            for (int i = 0; i < framesPerGuest; i++)
            {
                final byte[] expected = previous.frameTo(guest.mac, 60 + (i % 7) * 200, i);
                assertArrayEquals(expected, Arrays.copyOf(guest.received.get(i), expected.length),
                    "g" + guest.index + " frame " + i);
            }
            assertEquals(0, guest.port.counters().totalDrops(), "g" + guest.index + " drops");
        }
        assertEquals(0, sumSidecore(SidecoreCounter.SWITCH_FLOOD_COPIES) - floodCopiesAfterHello,
            "after learning, unicast is never flooded");
        if (sidecores > 1)
        {
            assertTrue(sumSidecore(SidecoreCounter.CROSS_SHARD_FRAMES) > 0);
        }
        assertConservation();
    }

    @Test
    void shouldAccountForEveryFrameWhenDestinationRingOverflows()
    {
        start(4, 1, new GuestDriverConfig().rxDescriptors(64));
        helloFromEveryGuest();
        final ModelGuest slow = guests.get(1);
        slow.serviced(false);

        int sentToSlow = 0;
        for (int round = 0; round < 10; round++)
        {
            for (final ModelGuest guest : guests)
            {
                if (guest != slow)
                {
                    for (int i = 0; i < 8; i++)
                    {
                        assertTrue(guest.queue(guest.frameTo(slow.mac, 200, round * 8 + i)));
                        sentToSlow++;
                    }
                    guest.model.flushTx();
                }
            }
            pump(10);
        }

        final long delivered = slow.port.counters().get(PortCounter.RX_FRAMES) - rxFramesAfterHello(slow);
        final long dropped = slow.port.counters().get(PortCounter.RX_DROP_RING_FULL);
        assertTrue(dropped > 0, "the slow guest's ring overflowed");
        assertEquals(sentToSlow, delivered + dropped);
        assertTrue(delivered <= 64);
        assertConservation();

        slow.serviced(true);
        pump(20);
        assertEquals(delivered, slow.received.size(), "everything the ring took reaches the guest");
    }

    @Test
    void shouldFloodUnknownUnicastAndCountEachFilteredCopy()
    {
        start(5, 1, new GuestDriverConfig());
        final long copiesBefore = sumSidecore(SidecoreCounter.SWITCH_FLOOD_COPIES);

        guests.get(0).send(guests.get(0).frameTo(TestGuest.macOf(4242), 100, 0));
        pump(10);

        assertEquals(3, sumSidecore(SidecoreCounter.SWITCH_FLOOD_COPIES) - copiesBefore);
        long filtered = 0;
        for (final ModelGuest guest : guests)
        {
            assertEquals(0, guest.received.size());
            filtered += guest.port.counters().get(PortCounter.RX_DROP_FILTERED);
        }
        assertEquals(4, filtered);
        assertConservation();
    }

    @Test
    void shouldDeliverToGuestThatNeverTransmittedWithoutFlooding()
    {
        start(4, 2, new GuestDriverConfig());
        final long copiesBefore = sumSidecore(SidecoreCounter.SWITCH_FLOOD_COPIES);

        for (int i = 0; i < 10; i++)
        {
            guests.get(0).send(guests.get(0).frameTo(guests.get(3).mac, 100, i));
        }
        pump(10);

        assertEquals(10, guests.get(3).received.size());
        assertEquals(0, guests.get(1).received.size() + guests.get(2).received.size());
        assertEquals(copiesBefore, sumSidecore(SidecoreCounter.SWITCH_FLOOD_COPIES));
        assertConservation();
    }

    @Test
    void shouldNeverDeliverFrameBackToItsSource()
    {
        start(3, 1, new GuestDriverConfig());
        helloFromEveryGuest();
        final ModelGuest guest = guests.get(0);

        guest.send(guest.frameTo(guest.mac, 100, 1));
        pump(10);

        assertEquals(0, guest.received.size());
        assertEquals(1, guest.port.counters().get(PortCounter.TX_DROP_NO_DESTINATION));
        assertEquals(0, guests.get(1).received.size());
        assertEquals(0, guests.get(2).received.size());
        assertConservation();
    }

    @Test
    void shouldBoundInterruptRateAsItrSays()
    {
        final int interruptsPerSecond = 4000;
        start(2, 1, new GuestDriverConfig().interruptThrottleRate(interruptsPerSecond));
        helloFromEveryGuest();
        final ModelGuest sender = guests.get(0);
        final ModelGuest receiver = guests.get(1);
        final long postedBefore = receiver.port.counters().get(PortCounter.INTERRUPTS_POSTED);
        final long startNs = clock.nanoTime();

        final int frames = 20_000;
        for (int i = 0; i < frames; i++)
        {
            sender.send(sender.frameTo(receiver.mac, 60, i));
            step();
        }
        final long elapsedNs = clock.nanoTime() - startNs;
        pump(200);

        final long posted = receiver.port.counters().get(PortCounter.INTERRUPTS_POSTED) - postedBefore;
        final long bound = elapsedNs * interruptsPerSecond / 1_000_000_000L + 1;
        assertTrue(posted <= bound, "posted " + posted + " in " + elapsedNs + " ns, bound " + bound);
        assertTrue(posted > bound / 4, "interrupts still flow: " + posted);
        assertTrue(receiver.port.counters().get(PortCounter.INTERRUPTS_MODERATED) > 0);
        assertEquals(frames, receiver.received.size());
    }

    @Test
    void shouldCarryTrafficWithoutKicksWhenCsbGuestsAndSidecorePolls()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        for (int i = 0; i < 2; i++)
        {
            guests.add(new ModelGuest(engine, clock, i, true, new GuestDriverConfig().useCsbWhenOffered(true)));
        }
        for (final ModelGuest guest : guests)
        {
            guest.bringUp();
            assertTrue(guest.port.isCsbActive(), "g" + guest.index + " CSB served");
        }
        helloFromEveryGuest();

        for (int i = 0; i < 200; i++)
        {
            guests.get(0).send(guests.get(0).frameTo(guests.get(1).mac, 100, i));
            guests.get(1).send(guests.get(1).frameTo(guests.get(0).mac, 100, i));
            step();
        }
        pump(50);

        assertEquals(200, guests.get(0).received.size());
        assertEquals(200, guests.get(1).received.size());
        assertEquals(0, guests.get(0).model.csbTxKicks(), "a polling sidecore never asks for a TX kick");
        assertTrue(guests.get(0).model.csbTxKicksSuppressed() >= 200);
        assertTrue(guests.get(0).port.counters().get(PortCounter.DOORBELLS_CSB) > 0);
        assertConservation();
    }

    private long floodCopiesAfterHello;
    private final List<Long> rxAfterHello = new ArrayList<>();

    private void start(final int guestCount, final int sidecores, final GuestDriverConfig config)
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, sidecores));
        for (int i = 0; i < guestCount; i++)
        {
            guests.add(new ModelGuest(engine, clock, i, false, config));
        }
        for (final ModelGuest guest : guests)
        {
            guest.bringUp();
        }
    }

    private void helloFromEveryGuest()
    {
        for (final ModelGuest guest : guests)
        {
            assertTrue(guest.send(guest.frameTo(BROADCAST, 60, -1)));
            pump(5);
        }
        pump(20);
        for (final ModelGuest guest : guests)
        {
            assertEquals(guests.size() - 1, guest.received.size(), "g" + guest.index + " hellos");
            guest.received.clear();
            rxAfterHello.add(guest.port.counters().get(PortCounter.RX_FRAMES));
        }
        floodCopiesAfterHello = sumSidecore(SidecoreCounter.SWITCH_FLOOD_COPIES);
    }

    private long rxFramesAfterHello(final ModelGuest guest)
    {
        return rxAfterHello.get(guest.index);
    }

    private void step()
    {
        clock.update(clock.nanoTime() + STEP_NS);
        engine.doWork();
        for (final ModelGuest guest : guests)
        {
            guest.service();
        }
    }

    private void pump(final int idleRounds)
    {
        int idle = 0;
        for (int round = 0; round < 1_000_000 && idle < idleRounds; round++)
        {
            clock.update(clock.nanoTime() + STEP_NS);
            boolean moved = engine.doWork() > 0;
            for (final ModelGuest guest : guests)
            {
                moved |= guest.service();
            }
            idle = moved ? 0 : idle + 1;
        }
    }

    private long sumSidecore(final SidecoreCounter counter)
    {
        long total = 0;
        for (int i = 0; i < engine.sidecoreCount(); i++)
        {
            total += engine.agent(i).counters().get(counter).get();
        }
        return total;
    }

    /**
     * Every frame a guest's device emitted into the switch was delivered or counted in exactly one drop counter:
     * tx + flood copies = rx + drops after emission.
     */
    private void assertConservation()
    {
        long tx = 0;
        long rx = 0;
        long dropsAfterEmission = 0;
        for (final ModelGuest guest : guests)
        {
            tx += guest.port.counters().get(PortCounter.TX_FRAMES);
            rx += guest.port.counters().get(PortCounter.RX_FRAMES);
            for (final PortCounter counter : PortCounter.values())
            {
                if (counter.isDrop() && counter.counterName().startsWith("rx_drop_"))
                {
                    dropsAfterEmission += guest.port.counters().get(counter);
                }
            }
            dropsAfterEmission += guest.port.counters().get(PortCounter.TX_DROP_NO_DESTINATION) +
                guest.port.counters().get(PortCounter.TX_DROP_SWITCH_RING_FULL);
        }
        dropsAfterEmission += sumSidecore(SidecoreCounter.SWITCH_DROP_NO_DESTINATION) +
            sumSidecore(SidecoreCounter.SWITCH_DROP_STALE_PORT);
        final long floodCopies = sumSidecore(SidecoreCounter.SWITCH_FLOOD_COPIES);
        assertEquals(tx + floodCopies, rx + dropsAfterEmission,
            "tx=" + tx + " floodCopies=" + floodCopies + " rx=" + rx + " drops=" + dropsAfterEmission);
    }
}
