package io.sidecore.engine;

import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.backend.LoopbackBackend;
import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CSB paravirtual extension as the sidecore serves it: registration, doorbells through guest_tdt, head
 * publication, and kick suppression (the guest kicks only while the sidecore is about to park or parked).
 */
class CsbSidecoreTest
{
    private static final long CSB_GPA = TestGuest.RAM_GPA + 0x18_0000L;
    private static final byte[] PEER = TestGuest.macOf(999);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final RecordingBackend backend = new RecordingBackend("csb", new ArrayList<>());
    private SidecoreEngine engine;
    private TestGuest guest;

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldServeCsbWhenRegistrationValid()
    {
        start(true);
        send(3);
        engine.doWork();

        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
        engine.doWork();

        assertTrue(guest.port.isCsbActive());
        assertEquals(CsbDescriptor.CSB_VERSION, guest.csb(CsbDescriptor.HOST_VERSION_FIELD_OFFSET));
        assertEquals(3, guest.csb(CsbDescriptor.HOST_TDH_FIELD_OFFSET));
        assertEquals(CsbDescriptor.NO_KICK, guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));
    }

    @Test
    void shouldTransmitFromGuestTdtWithoutDoorbellWrite()
    {
        startRegistered();
        final long trappedBefore = guest.port.counters().get(PortCounter.DOORBELLS_TRAPPED);

        queue(5);
        guest.ringTxCsb();
        engine.doWork();

        assertEquals(5, backend.frames.size());
        assertEquals(1, guest.port.counters().get(PortCounter.DOORBELLS_CSB));
        assertEquals(0, guest.port.counters().get(PortCounter.DOORBELLS_SHARED));
        assertEquals(trappedBefore, guest.port.counters().get(PortCounter.DOORBELLS_TRAPPED));
        assertEquals(5, guest.csb(CsbDescriptor.HOST_TDH_FIELD_OFFSET));
        assertEquals(5, guest.registers.getAcquire(E1000Registers.TDH));
    }

    @Test
    void shouldPublishHostRdhOfFramesReceivedInThePortsOwnPassAtTheEndOfIt()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        guest = new TestGuest(1, true);
        guest.attachWith(engine.proxy(), LoopbackBackend::new);
        guest.setUpTx(256);
        guest.setUpRx(256);
        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
        engine.doWork();
        assertTrue(guest.port.isCsbActive());

        // The loopback backend hands the 3 frames back to the guest in the same pass, inside the RX batch.
        for (int i = 0; i < 3; i++)
        {
            assertTrue(guest.queue(guest.frameTo(guest.mac, 60, i)));
        }
        guest.ringTx();
        engine.doWork();

        assertEquals(3, guest.port.counters().get(PortCounter.RX_FRAMES));
        assertEquals(3, guest.registers.getAcquire(E1000Registers.RDH));
        assertEquals(3, guest.csb(CsbDescriptor.HOST_RDH_FIELD_OFFSET),
            "the port's RX batch is flushed before its CSB is published");
    }

    @Test
    void shouldCountOneKickPerDoorbellWriteWhenTheHostAskedForKicks()
    {
        startRegistered();
        final SidecoreAgent agent = engine.agent(0);
        guest.kick = agent.kick();

        for (int i = 0; i < 3; i++)
        {
            assertTrue(agent.onParkPrepare(50_000) > 0);
            queue(1);
            guest.ringTxCsb();
            agent.onParkEnd(true);
            engine.doWork();
        }
        queue(1);
        guest.ringTxCsb();
        engine.doWork();

        assertEquals(3, guest.kicks);
        assertEquals(3, guest.port.counters().get(PortCounter.CSB_KICKS), "one per kick, none without a request");
        assertEquals(4, guest.port.counters().get(PortCounter.DOORBELLS_CSB));
        assertEquals(0, guest.port.counters().get(PortCounter.DOORBELLS_SHARED), "a kick is not a shared doorbell");
        assertEquals(4, backend.frames.size());
    }

    @Test
    void shouldCountAKickThatATrappedWriteOvertookAsAKickNotASharedDoorbell()
    {
        // The guest kicks (TDT through the page, as the host asked), then writes IMS through a trap that reaches the
        // sidecore before its next pass: the write's handling counts the page's tails first, and a CSB's kick stays
        // a kick (review of the doorbells_shared fix).
        startRegistered();
        final SidecoreAgent agent = engine.agent(0);
        guest.kick = agent.kick();
        assertTrue(agent.onParkPrepare(50_000) > 0);
        queue(1);
        guest.ringTxCsb();
        agent.onParkEnd(true);

        guest.proxy.mmioWrite(guest.port, E1000Registers.IMS, E1000Registers.ICR_RXT0);
        engine.doWork();

        assertEquals(1, guest.kicks);
        assertEquals(1, guest.port.counters().get(PortCounter.CSB_KICKS));
        assertEquals(0, guest.port.counters().get(PortCounter.DOORBELLS_SHARED), "a kick is not a shared doorbell");
        assertEquals(1, backend.frames.size());
    }

    @Test
    void shouldNotTouchTheBlockWhileBusMasteringIsOffAndServeItAgainWhenItIsBackOn()
    {
        startRegistered();
        guest.proxy.configWrite(guest.port, io.sidecore.shm.PciConfig.COMMAND_OFFSET, 2, 0);
        queue(2);
        guest.ringTxCsb();
        final byte[] block = new byte[CsbDescriptor.CSB_LENGTH];
        guest.ramBuffer.getBytes((int)(CSB_GPA - TestGuest.RAM_GPA), block);

        engine.doWork();
        engine.agent(0).onParkPrepare(50_000);
        engine.agent(0).onParkEnd(false);

        assertFalse(guest.port.isCsbActive());
        final byte[] after = new byte[CsbDescriptor.CSB_LENGTH];
        guest.ramBuffer.getBytes((int)(CSB_GPA - TestGuest.RAM_GPA), after);
        org.junit.jupiter.api.Assertions.assertArrayEquals(block, after, "no DMA into the block (PCI 3.0 6.2.2)");
        assertEquals(0, backend.frames.size());

        guest.enableBusMastering();
        engine.doWork();

        assertTrue(guest.port.isCsbActive(), "validated again once bus mastering is back");
        assertEquals(2, backend.frames.size());
        assertEquals(2, guest.csb(CsbDescriptor.HOST_TDH_FIELD_OFFSET));
    }

    @Test
    void shouldNeverAskForKickWhileSidecorePolls()
    {
        startRegistered();

        for (int i = 0; i < 50; i++)
        {
            queue(2);
            guest.ringTxCsb();
            engine.doWork();
        }

        assertEquals(100, backend.frames.size());
        assertEquals(0, guest.kicks);
        assertEquals(50, guest.port.counters().get(PortCounter.DOORBELLS_CSB));
    }

    @Test
    void shouldAskForKicksBeforeParkAndWithdrawThemOnWake()
    {
        startRegistered();
        final SidecoreAgent agent = engine.agent(0);

        assertEquals(50_000, agent.onParkPrepare(50_000));
        assertEquals(CsbDescriptor.NEED_KICK, guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));
        assertEquals(CsbDescriptor.NEED_KICK, guest.csb(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET));

        queue(1);
        guest.ringTxCsb();
        assertEquals(1, guest.kicks);

        agent.onParkEnd(true);
        assertEquals(CsbDescriptor.NO_KICK, guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));
        assertEquals(CsbDescriptor.NO_KICK, guest.csb(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET));
        assertEquals(1, agent.counters().wakeups().get());
        engine.doWork();
        assertEquals(1, backend.frames.size());
    }

    @Test
    void shouldCancelParkWhenGuestPublishedWorkBeforeSeeingTheRequest()
    {
        startRegistered();
        final SidecoreAgent agent = engine.agent(0);
        queue(1);
        guest.ringTxCsb();
        assertEquals(0, guest.kicks, "the host was polling: no kick");

        assertEquals(0, agent.onParkPrepare(50_000));

        assertEquals(CsbDescriptor.NO_KICK, guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));
        assertEquals(0, agent.counters().parks().get());
    }

    @Test
    void shouldWakeParkedSidecoreWhenCsbGuestKicks()
    {
        final ScriptedKick kick = new ScriptedKick();
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1)
            .idleStrategy(SidecoreIdleStrategy.ADAPTIVE).idleSpins(0).idleYields(0)
            .kickFactory(index -> kick));
        attachGuest(true);
        guest.kick = kick;
        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
        engine.doWork();
        kick.whileParked = () ->
        {
            queue(1);
            guest.ringTxCsb();
        };
        final SidecoreIdleStrategy idle = engine.idleStrategy(0);

        for (int i = 0; i < 4; i++)
        {
            idle.idle(0);
        }

        assertEquals(1, kick.parks);
        assertEquals(1, guest.kicks);
        assertEquals(1, engine.agent(0).counters().wakeups().get());
        assertEquals(CsbDescriptor.NO_KICK, guest.csb(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET));
        engine.doWork();
        assertEquals(1, backend.frames.size());
    }

    @Test
    void shouldStayInRegisterModeWhenMagicWrong()
    {
        start(true);
        guest.registerCsb(CSB_GPA, 0x12345678, CsbDescriptor.CSB_VERSION);
        engine.doWork();

        queue(2);
        guest.ringTxCsb();
        engine.doWork();

        assertFalse(guest.port.isCsbActive());
        assertEquals(0, guest.csb(CsbDescriptor.HOST_VERSION_FIELD_OFFSET));
        assertEquals(0, backend.frames.size(), "guest_tdt is not a doorbell in register mode");
        assertEquals(0, guest.port.counters().get(PortCounter.DOORBELLS_CSB));
    }

    @Test
    void shouldStayInRegisterModeWhenVersionNotWritten()
    {
        start(true);
        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, 0);
        engine.doWork();

        assertFalse(guest.port.isCsbActive());
        assertEquals(0, guest.csb(CsbDescriptor.HOST_VERSION_FIELD_OFFSET));
    }

    @Test
    void shouldStayInRegisterModeWhenCsbOutsideGuestMemory()
    {
        start(true);
        guest.registerCsb(TestGuest.RAM_GPA + TestGuest.RAM_BYTES - 128, CsbDescriptor.MAGIC,
            CsbDescriptor.CSB_VERSION);

        engine.doWork();

        assertFalse(guest.port.isCsbActive());
    }

    @Test
    void shouldStayInRegisterModeWhenCsbUnaligned()
    {
        start(true);
        guest.registerCsb(CSB_GPA + 64, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);

        engine.doWork();

        assertFalse(guest.port.isCsbActive());
        assertEquals(0, guest.csb(CsbDescriptor.HOST_VERSION_FIELD_OFFSET));
    }

    @Test
    void shouldReleaseCsbWhenAddressCleared()
    {
        startRegistered();

        guest.registers.setRelease(E1000Registers.CSBAH, 0);
        guest.registers.setRelease(E1000Registers.CSBAL, 0);
        engine.doWork();
        queue(1);
        guest.ringTxCsb();
        engine.doWork();

        assertFalse(guest.port.isCsbActive());
        assertEquals(0, backend.frames.size());
    }

    @Test
    void shouldIgnoreCsbRegistersWhenPortDoesNotOfferCsb()
    {
        start(false);
        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);

        engine.doWork();

        assertFalse(guest.port.isCsbActive());
        assertEquals(0, guest.csb(CsbDescriptor.HOST_VERSION_FIELD_OFFSET));
    }

    private void start(final boolean csbOffered)
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        attachGuest(csbOffered);
    }

    private void attachGuest(final boolean csbOffered)
    {
        guest = new TestGuest(1, csbOffered);
        guest.attach(engine.proxy(), backend);
        guest.setUpTx(256);
    }

    private void startRegistered()
    {
        start(true);
        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
        engine.doWork();
        assertTrue(guest.port.isCsbActive());
    }

    private void queue(final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            assertTrue(guest.queue(guest.frameTo(PEER, 60, i)));
        }
    }

    private void send(final int frames)
    {
        queue(frames);
        guest.ringTx();
    }

    /**
     * A kick whose "park" runs a scripted guest action instead of blocking, then reports whether it was signalled.
     */
    static final class ScriptedKick implements Kick
    {
        Runnable whileParked;
        boolean signalled;
        int parks;

        public void signal()
        {
            signalled = true;
        }

        public boolean await(final long timeoutNs)
        {
            parks++;
            if (null != whileParked)
            {
                whileParked.run();
            }
            final boolean wasSignalled = signalled;
            signalled = false;
            return wasSignalled;
        }
    }
}
