package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.LoopbackBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What idle ports cost a duty cycle (issue 11 §2, "scale the guest count honestly"): RX batches are opened by the
 * first frame a port receives and ended only for the ports that received; an idle port is quiet (its pass looks only
 * at its doorbells) and its timers are visited only when due, from the sidecore's deadline queue; and every wake
 * source of a quiet port is served in the next pass: a timer that comes due, a doorbell that moves, a backend with
 * input, a trapped access or another command. One duty cycle at a time on an injected clock, 64 switch ports.
 */
class IdlePortScanTest
{
    private static final int PORTS = 64;
    private static final int FRAMES = 3;
    private static final long SECOND_NS = 1_000_000_000L;
    private static final int RDTR_UNITS = 10;
    private static final int ITR_UNITS = 400;

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
        assertTrue(quiet.port.isQuiet(), "the idle port's passes look only at its doorbells");
        final long doorbellsBefore = quiet.port.counters().get(PortCounter.DOORBELLS_SHARED);
        final long txBefore = quiet.port.counters().get(PortCounter.TX_FRAMES);

        quiet.send(quiet.frameTo(peer.mac, 64, 1));
        engine.doWork();

        assertEquals(1, quiet.port.counters().get(PortCounter.DOORBELLS_SHARED) - doorbellsBefore,
            "the TDT write was seen in the first pass after it");
        assertEquals(1, quiet.port.counters().get(PortCounter.TX_FRAMES) - txBefore, "and its frame sent in it");
        assertEquals(1, peer.port.counters().get(PortCounter.RX_FRAMES), "and received by its peer in it");
        assertEquals(1, quiet.registers.getAcquire(E1000Registers.TDH), "TDH published");
    }

    @Test
    void shouldLeaveEveryIdleSwitchPortQuietAndFindNoWork()
    {
        attachAll();

        for (final TestGuest guest : guests)
        {
            assertTrue(guest.port.isQuiet(), guest.port.name() + " is quiet");
        }
        assertEquals(0, engine.doWork(), "an idle pass finds no work");
    }

    @Test
    void shouldFireQuietPortsRxDelayTimerInFirstPassAtItsDeadline()
    {
        attachAll();
        final TestGuest sender = guests.get(3);
        final TestGuest receiver = guests.get(50);
        receiver.proxy.mmioWrite(receiver.port, E1000Registers.RDTR, RDTR_UNITS);
        receiver.proxy.mmioWrite(receiver.port, E1000Registers.IMS, E1000Registers.ICR_RXT0);
        idle(2);
        final int levelsBefore = receiver.irqLevels.size();

        sender.send(sender.frameTo(receiver.mac, 64, 1));
        final long deliveredAtNs = clock.nanoTime();
        engine.doWork();
        assertEquals(1, receiver.port.counters().get(PortCounter.RX_FRAMES), "delivered in the sender's pass");
        assertEquals(levelsBefore, receiver.irqLevels.size(), "RXT0 held by RDTR");

        final long deadlineNs = deliveredAtNs + RDTR_UNITS * (long)E1000Registers.DELAY_UNIT_NS;
        clock.update(deadlineNs - 1);
        engine.doWork();
        engine.doWork();
        assertTrue(receiver.port.isQuiet(), "the receiver has nothing to poll meanwhile");
        assertEquals(levelsBefore, receiver.irqLevels.size(), "not before its deadline");

        final long expiredBefore = engine.agent(0).counters().get(SidecoreCounter.TIMERS_EXPIRED).getPlain();
        clock.update(deadlineNs);
        engine.doWork();
        assertEquals(levelsBefore + 1, receiver.irqLevels.size(), "posted in the first pass at the deadline");
        assertTrue(receiver.irqLevels.getLast(), "the line rose");
        assertTrue(engine.agent(0).counters().get(SidecoreCounter.TIMERS_EXPIRED).getPlain() > expiredBefore,
            "counted as an expired timer");
    }

    @Test
    void shouldPostEdgeThatTrappedIcsDefersBehindItrWindowAtWindowEnd()
    {
        attachAll();
        final TestGuest guest = guests.get(20);
        final TestGuest peer = guests.get(21);
        guest.proxy.mmioWrite(guest.port, E1000Registers.ITR, ITR_UNITS);
        guest.proxy.mmioWrite(guest.port, E1000Registers.RDTR, RDTR_UNITS);
        guest.proxy.mmioWrite(guest.port, E1000Registers.IMS, E1000Registers.ICR_TXDW);
        final int levelsBefore = guest.irqLevels.size();

        // The first edge is posted at once and opens the ITR window.
        final long windowOpenedNs = clock.nanoTime();
        guest.proxy.mmioWrite(guest.port, E1000Registers.ICS, E1000Registers.ICR_TXDW);
        assertEquals(levelsBefore + 1, guest.irqLevels.size(), "first edge posted at once");
        guest.proxy.mmioRead(guest.port, E1000Registers.ICR);
        assertEquals(levelsBefore + 2, guest.irqLevels.size(), "the ICR read lowered the line");

        // A frame the guest does not ask interrupts for arms RDTR; its expiry visits the port inside the window,
        // which finds no edge waiting and takes the port out of the deadline queue.
        peer.send(peer.frameTo(guest.mac, 64, 2));
        engine.doWork();
        clock.advance(RDTR_UNITS * (long)E1000Registers.DELAY_UNIT_NS);
        engine.doWork();
        assertEquals(levelsBefore + 2, guest.irqLevels.size(), "RXT0 is masked");

        // Now a trapped ICS: the edge waits for the window's end, which the device must report anew.
        guest.proxy.mmioWrite(guest.port, E1000Registers.ICS, E1000Registers.ICR_TXDW);
        assertEquals(levelsBefore + 2, guest.irqLevels.size(), "held by the ITR window");
        final long windowEndNs = windowOpenedNs + ITR_UNITS * (long)E1000Registers.ITR_UNIT_NS;
        clock.update(windowEndNs - 1);
        engine.doWork();
        assertEquals(levelsBefore + 2, guest.irqLevels.size(), "not before the window's end");
        clock.update(windowEndNs);
        engine.doWork();
        assertEquals(levelsBefore + 3, guest.irqLevels.size(), "posted in the first pass at the window's end");
        assertTrue(guest.irqLevels.getLast());
    }

    @Test
    void shouldCountQuietPortsRxDoorbellInNextPass()
    {
        attachAll();
        final TestGuest quiet = guests.get(11);
        assertTrue(quiet.port.isQuiet());
        final long doorbellsBefore = quiet.port.counters().get(PortCounter.DOORBELLS_SHARED);

        quiet.registers.setRelease(E1000Registers.RDT, 2);
        assertEquals(1, engine.doWork(), "the RDT move is this pass's work");

        assertEquals(1, quiet.port.counters().get(PortCounter.DOORBELLS_SHARED) - doorbellsBefore);
    }

    @Test
    void shouldServeTxAfterTdhWrittenInSharedPageOfQuietPort()
    {
        attachAll();
        final TestGuest quiet = guests.get(12);
        final TestGuest peer = guests.get(13);
        // The guest queues a frame and moves TDT while the port is busy elsewhere... then writes TDH back in the
        // shared page (a hostile or buggy guest): the device must look at the ring again, as before.
        quiet.queue(quiet.frameTo(peer.mac, 64, 1));
        quiet.ringTx();
        engine.doWork();
        assertEquals(1, quiet.port.counters().get(PortCounter.TX_FRAMES));
        idle(2);
        assertTrue(quiet.port.isQuiet());

        quiet.registers.setRelease(E1000Registers.TDH, 0);
        engine.doWork();

        assertEquals(2, quiet.port.counters().get(PortCounter.TX_FRAMES), "the descriptor between TDH and TDT sent");
    }

    @Test
    void shouldServeTxOfTrappedTdtWriteInNextPass()
    {
        attachAll();
        final TestGuest quiet = guests.get(40);
        final TestGuest peer = guests.get(41);
        quiet.queue(quiet.frameTo(peer.mac, 64, 1));
        assertTrue(quiet.port.isQuiet());

        // A trapped TDT write (the doorbell page not mapped) is drained at the start of the cycle: its pass sends.
        quiet.proxy.offerAccess(quiet.port, TrappedAccess.MMIO_SPACE, true,
            E1000Registers.TDT, Integer.BYTES, 1);
        engine.doWork();

        assertEquals(1, quiet.port.counters().get(PortCounter.TX_FRAMES), "sent in the pass after the trapped write");
        assertEquals(1, peer.port.counters().get(PortCounter.RX_FRAMES));
    }

    @Test
    void shouldGiveQuietPortFullPassAfterCommandThatDoesNotTellIt(@TempDir final Path directory)
    {
        attachAll();
        final TestGuest quiet = guests.get(30);
        assertTrue(quiet.port.isQuiet());

        // Starting a capture tells the port nothing; the command still makes every quiet port's next pass a full
        // one, which finds a capture to flush on its schedule, so the port no longer goes quiet.
        engine.proxy().startCapture(quiet.port, directory.resolve("quiet.pcapng"), 0, 1);
        engine.doWork();
        assertFalse(quiet.port.isQuiet(), "a recording port is polled every pass");

        engine.proxy().stopCapture(quiet.port);
        engine.doWork();
        assertTrue(quiet.port.isQuiet(), "and quiet again once the capture stopped");
    }

    /**
     * The launcher's fault watch asks every port's status each tick, and stat asks again: a query that woke every
     * quiet port would make N full passes over N ports per tick (review finding). Queries and trapped reads leave the
     * quiet ports alone; a command that changes a port wakes them.
     */
    @Test
    void shouldNotWakeQuietPortsForAStatusQueryOrATrappedRead()
    {
        attachAll();
        final TestGuest guest = guests.get(12);
        final long epoch = engine.agent(0).wakeEpoch();

        engine.proxy().portStatus(guest.port);
        final TrappedAccess read = engine.proxy().offerAccess(
            guest.port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, Integer.BYTES, 0);
        engine.doWork();
        assertTrue(read.isComplete());
        read.end();
        assertEquals(epoch, engine.agent(0).wakeEpoch(), "a query and a read change nothing a pass acts on");
        assertTrue(guests.get(40).port.isQuiet());

        engine.proxy().setLink(guest.port, true);
        engine.doWork();
        assertEquals(epoch + 1, engine.agent(0).wakeEpoch(), "a command that changes a port wakes the quiet ports");
    }

    @Test
    void shouldPollBackendThatMayHaveInputEveryPassAndDeliverItInNextPass()
    {
        attachAll();
        final TestGuest guest = new TestGuest(PORTS + 1);
        final LoopbackBackend[] backend = new LoopbackBackend[1];
        guest.attachWith(engine.proxy(), counters -> backend[0] = new LoopbackBackend(counters));
        guest.setUpTx(8);
        guest.setUpRx(8);
        engine.doWork();
        clock.advance(SECOND_NS);
        idle(3);
        assertFalse(guest.port.isQuiet(), "a backend that may have input is polled every pass");

        // Input arrives on the backend's side (here: put in its queue as its own side would), nothing else moves.
        final byte[] frame = guest.frameTo(guest.mac, 64, 7);
        backend[0].onFrame(new UnsafeBuffer(frame), 0, frame.length, new FrameMetadata(), clock.nanoTime());
        engine.doWork();

        assertEquals(1, guest.port.counters().get(PortCounter.RX_FRAMES), "the backend's frame delivered in it");
    }

    @Test
    void shouldGiveQuietReceiverItsRxDescriptorBudgetAnewAfterPassThatSpentIt()
    {
        attachAll();
        final TestGuest receiver = guests.get(63);
        final int budget = PortSettings.MIN_RX_DESCRIPTOR_BUDGET;
        final int framesEach = TestContexts.PORT_DEFAULTS.txDescriptorBudget();
        final int senderCount = budget / framesEach + 1;
        final List<TestGuest> senders = guests.subList(0, senderCount);
        engine.proxy().updatePortSettings(receiver.port,
            TestContexts.PORT_DEFAULTS.withRxDescriptorBudget(budget));
        receiver.setUpRx(1024);
        for (final TestGuest sender : senders)
        {
            sender.setUpTx(2 * framesEach);
        }
        idle(2);
        assertTrue(receiver.port.isQuiet());
        assertTrue(senderCount * framesEach < 1024, "the receiver's ring takes every frame of one pass");

        for (final TestGuest sender : senders)
        {
            for (int i = 0; i < framesEach; i++)
            {
                sender.queue(sender.frameTo(receiver.mac, 64, i));
            }
            sender.ringTx();
        }
        engine.doWork();
        final long receivedFirstPass = receiver.port.counters().get(PortCounter.RX_FRAMES);
        assertEquals(budget, receivedFirstPass, "one descriptor per frame, up to the budget");
        assertTrue(receiver.port.isQuiet(), "receiving does not wake a switch port");

        final TestGuest first = senders.getFirst();
        first.send(first.frameTo(receiver.mac, 64, 99));
        engine.doWork();
        assertEquals(receivedFirstPass + 1, receiver.port.counters().get(PortCounter.RX_FRAMES),
            "the next pass gave the quiet receiver its budget anew");
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

    private void idle(final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            engine.doWork();
        }
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
