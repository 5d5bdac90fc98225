package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What idle ports cost a duty cycle (issue 11 §2, "scale the guest count honestly"): RX batches are opened by the
 * first frame a port receives and ended only for the ports that received, and an idle port among many still has
 * its doorbell noticed within one pass. One duty cycle at a time on an injected clock, 64 switch ports.
 */
class IdlePortScanTest
{
    private static final int PORTS = 64;
    private static final int FRAMES = 3;
    private static final long SECOND_NS = 1_000_000_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
    private final List<TestGuest> guests = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldOpenRxBatchOnlyForPortThatReceivesAndPublishItWhenCycleEnds()
    {
        attachAll();
        final TestGuest sender = guests.get(5);
        final TestGuest receiver = guests.get(41);
        sendFrames(sender, receiver);

        engine.doWork();

        for (final TestGuest guest : guests)
        {
            assertFalse(guest.port.isRxBatchOpen(), guest.port.name() + ": every batch ended with the cycle");
        }
        assertEquals(FRAMES, receiver.registers.getAcquire(E1000Registers.RDH), "RDH published at the cycle's end");
        assertEquals(FRAMES, receiver.port.counters().get(PortCounter.RX_FRAMES));
        assertEquals(FRAMES, countAcross(PortCounter.RX_FRAMES), "only the receiver received");
        final TrappedAccess icr = engine.proxy().offerAccess(
            receiver.port, TrappedAccess.MMIO_SPACE, false, E1000Registers.ICR, Integer.BYTES, 0);
        engine.doWork();
        assertTrue(icr.isComplete());
        assertTrue(0 != (icr.result() & E1000Registers.ICR_RXT0), "the batch raised RXT0 once it ended");
        icr.end();
    }

    @Test
    void shouldNoticeIdlePortsDoorbellWithinOnePassAmong64Ports()
    {
        attachAll();
        final TestGuest quiet = guests.get(37);
        final TestGuest peer = guests.get(38);
        for (int cycle = 0; cycle < 10; cycle++)
        {
            engine.doWork();
        }
        final long doorbellsBefore = quiet.port.counters().get(PortCounter.DOORBELLS_SHARED);
        final long txBefore = quiet.port.counters().get(PortCounter.TX_FRAMES);

        quiet.send(quiet.frameTo(peer.mac, 64, 1));
        engine.doWork();

        assertEquals(1, quiet.port.counters().get(PortCounter.DOORBELLS_SHARED) - doorbellsBefore,
            "the TDT write was seen in the first pass after it");
        assertEquals(1, quiet.port.counters().get(PortCounter.TX_FRAMES) - txBefore, "and its frame sent in it");
        assertEquals(1, peer.port.counters().get(PortCounter.RX_FRAMES), "and received by its peer in it");
    }

    private void attachAll()
    {
        for (int i = 0; i < PORTS; i++)
        {
            final TestGuest guest = new TestGuest(i + 1);
            guest.attachToSwitch(engine.proxy());
            guests.add(guest);
        }
        for (final TestGuest guest : guests)
        {
            guest.setUpTx(8);
            guest.setUpRx(8);
        }
        // the PHY's autonegotiation completes, every link comes up
        engine.doWork();
        clock.advance(SECOND_NS);
        engine.doWork();
        engine.doWork();
    }

    private void sendFrames(final TestGuest sender, final TestGuest receiver)
    {
        final byte[][] frames = new byte[FRAMES][];
        for (int i = 0; i < FRAMES; i++)
        {
            frames[i] = sender.frameTo(receiver.mac, 64, i);
        }
        assertEquals(FRAMES, sender.send(frames));
    }

    private long countAcross(final PortCounter counter)
    {
        long sum = 0;
        for (final TestGuest guest : guests)
        {
            sum += guest.port.counters().get(counter);
        }
        return sum;
    }
}
