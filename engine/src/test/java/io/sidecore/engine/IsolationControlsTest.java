package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryException;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The isolation controls of issue 10 §8, each through {@code doWork()} on an injected clock: storm control, the
 * limit on guest memory regions per port, per-port CPU accounting, backoff for fault and reset storms.
 */
class IsolationControlsTest
{
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final long EXTRA_REGION_GPA = 0x1_0000_0000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<TestGuest> guests = new ArrayList<>();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 1));

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldDropBroadcastPastStormControlRateAndCountIt()
    {
        final TestGuest stormer = guest(1);
        final TestGuest listener = guest(2);
        engine.proxy().updatePortSettings(stormer.port, stormer.port.settings().withFloodRate(1_000, 10));
        engine.doWork();

        for (int i = 0; i < 40; i++)
        {
            stormer.queue(stormer.frameTo(BROADCAST, 60, i));
        }
        for (int i = 0; i < 5; i++)
        {
            stormer.queue(stormer.frameTo(listener.mac, 60, i));
        }
        stormer.ringTx();
        engine.doWork();

        assertEquals(30, stormer.port.counters().get(PortCounter.TX_DROP_STORM), "the burst of 10 went, 30 dropped");
        assertEquals(15, listener.drainRx(), "10 broadcasts and every unicast frame arrived");

        clock.advance(10_000_000L);
        for (int i = 0; i < 20; i++)
        {
            stormer.queue(stormer.frameTo(BROADCAST, 60, i));
        }
        stormer.ringTx();
        engine.doWork();

        assertEquals(40, stormer.port.counters().get(PortCounter.TX_DROP_STORM), "10 ms at 1000/s: 10 more went");
        assertEquals(10, listener.drainRx());
        assertEquals(0, listener.port.counters().get(PortCounter.TX_DROP_STORM));
    }

    @Test
    void shouldLetUnlimitedPortBroadcastFreely()
    {
        final TestGuest sender = guest(1);
        final TestGuest listener = guest(2);
        for (int i = 0; i < 40; i++)
        {
            sender.queue(sender.frameTo(BROADCAST, 60, i));
        }
        sender.ringTx();
        engine.doWork();

        assertEquals(0, sender.port.counters().get(PortCounter.TX_DROP_STORM));
        assertEquals(40, listener.drainRx());
    }

    @Test
    void shouldRefuseDmaRegionPastPortsLimitAndKeepTheOthers()
    {
        final TestGuest guest = guest(1);
        final TestGuest listener = guest(2);
        engine.proxy().updatePortSettings(guest.port, guest.port.settings().withMaxDmaRegions(2));
        engine.doWork();
        final Arena arena = Arena.ofAuto();

        guest.guestMemory.addRegion(EXTRA_REGION_GPA, arena.allocate(4096));
        final GuestMemoryException refused = assertThrows(GuestMemoryException.class,
            () -> guest.guestMemory.addRegion(EXTRA_REGION_GPA + 0x1_0000L, arena.allocate(4096)));

        assertEquals(GuestMemoryException.Reason.TOO_MANY_REGIONS, refused.reason());
        assertTrue(refused.getMessage().contains("sidecore.port.max.dma.regions"), refused.getMessage());
        assertEquals(2, guest.guestMemory.regionCount(), "nothing changed");
        guest.send(guest.frameTo(listener.mac, 60, 1), guest.frameTo(listener.mac, 60, 2));
        engine.doWork();
        assertEquals(2, listener.drainRx(), "the guest's traffic goes on");
    }

    @Test
    void shouldRefuseNativeAttachOfGuestWithMoreRegionsThanPortAllows()
    {
        final TestGuest guest = guest(1);
        engine.proxy().updatePortSettings(guest.port, guest.port.settings().withMaxDmaRegions(2));
        engine.doWork();
        final GuestMemory tooMany = new GuestMemory();
        final Arena arena = Arena.ofAuto();
        for (int i = 0; i < 3; i++)
        {
            tooMany.addRegion(EXTRA_REGION_GPA + i * 0x1_0000L, arena.allocate(4096));
        }

        final GuestMemoryException refused = assertThrows(GuestMemoryException.class,
            () -> engine.proxy().bindGuest(guest.port, RegisterImage.allocate(), tooMany, InterruptLine.NONE));

        assertEquals(GuestMemoryException.Reason.TOO_MANY_REGIONS, refused.reason());
        assertEquals(GuestMemory.MAX_REGIONS, tooMany.maxRegions(), "the refused memory was not limited");
    }

    @Test
    void shouldChargeEachPortTheTimeItsPassesTookAndIdlePortsNothing()
    {
        final long costlyNs = 5_000;
        final TestGuest costly = new TestGuest(1);
        costly.attach(engine.proxy(), new ClockChargingBackend(clock, costlyNs));
        final TestGuest idle = guest(2);
        final TestGuest cheap = new TestGuest(3);
        cheap.attach(engine.proxy(), new ClockChargingBackend(clock, 1));
        engine.doWork();
        final long costlyBefore = costly.port.counters().get(PortCounter.CPU_NS);
        final long cheapBefore = cheap.port.counters().get(PortCounter.CPU_NS);
        final long idleBefore = idle.port.counters().get(PortCounter.CPU_NS);

        final int passes = 10;
        for (int i = 0; i < passes; i++)
        {
            engine.doWork();
        }

        assertEquals(passes * costlyNs, costly.port.counters().get(PortCounter.CPU_NS) - costlyBefore);
        assertEquals(passes, cheap.port.counters().get(PortCounter.CPU_NS) - cheapBefore);
        assertEquals(0, idle.port.counters().get(PortCounter.CPU_NS) - idleBefore, "an idle port costs nothing");
    }

    /**
     * A guest resets its device and makes its TX ring fault (TDT moved over a ring of length 0), 1000 times over one
     * second: with an allowance of 10 faults and resets per second it gets at most a second's worth at once and one
     * second's refill, its other passes are skipped, and its neighbours' traffic goes on.
     */
    @Test
    void shouldBackOffPortThatFaultsAndResetsInALoop()
    {
        final long perSecond = 10;
        final TestGuest looper = guest(1);
        final TestGuest sender = guest(2);
        final TestGuest receiver = guest(3);
        engine.proxy().updatePortSettings(looper.port, looper.port.settings().withFaultResetRate(perSecond));
        engine.doWork();
        final long faultsBefore = looper.port.counters().get(PortCounter.RING_FAULTS);
        final long resetsBefore = looper.port.counters().get(PortCounter.DEVICE_RESETS);

        int delivered = 0;
        final int iterations = 1_000;
        for (int i = 0; i < iterations; i++)
        {
            engine.proxy().mmioWrite(looper.port, E1000Registers.CTRL, E1000Registers.CTRL_RST);
            engine.proxy().mmioWrite(looper.port, E1000Registers.TCTL, E1000Registers.TCTL_EN);
            looper.registers.setRelease(E1000Registers.TDT, 1 + (i & 1));
            sender.send(sender.frameTo(receiver.mac, 60, i));
            engine.doWork();
            delivered += receiver.drainRx();
            clock.advance(1_000_000L);
        }

        final long faults = looper.port.counters().get(PortCounter.RING_FAULTS) - faultsBefore;
        final long resets = looper.port.counters().get(PortCounter.DEVICE_RESETS) - resetsBefore;
        assertEquals(iterations, resets, "every reset the guest asked for was done");
        assertTrue(faults > 0, "the loop faulted the ring");
        assertTrue(faults <= 2 * perSecond + 1, faults + " faults in one second");
        assertTrue(looper.port.counters().get(PortCounter.PASSES_BACKED_OFF) >= iterations,
            "passes skipped: " + looper.port.counters().get(PortCounter.PASSES_BACKED_OFF));
        assertEquals(iterations, delivered, "the neighbours' traffic went on");
    }

    private TestGuest guest(final int index)
    {
        final TestGuest guest = new TestGuest(index);
        guest.attachToSwitch(engine.proxy());
        guest.setUpTx(256);
        guest.setUpRx(256);
        guests.add(guest);
        return guest;
    }
}
