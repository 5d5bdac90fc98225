package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.port.CsbPort;
import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CSB interrupt suppression: while the guest's {@code guest_need_rxkick}/{@code guest_need_txkick} is 0 (it polls
 * in NAPI) the sidecore posts no RX/TX completion interrupts, keeps the causes latched, counts the withheld edge,
 * and posts it once the guest asks again. The CSB guest {@code g1} receives from a register-mode guest {@code g2}
 * on the switch.
 */
class CsbInterruptSuppressionTest
{
    private static final long CSB_GPA = TestGuest.RAM_GPA + 0x18_0000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;
    private TestGuest guest;
    private TestGuest peer;

    @BeforeEach
    void setUp()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        guest = new TestGuest(1, true);
        guest.attachToSwitch(engine.proxy());
        guest.setUpTx(64);
        guest.setUpRx(64);
        peer = new TestGuest(2);
        peer.attachToSwitch(engine.proxy());
        peer.setUpTx(64);
        guest.registerCsb(CSB_GPA, CsbDescriptor.MAGIC, CsbDescriptor.CSB_VERSION);
        engine.doWork();
        assertTrue(guest.port.isCsbActive());
        engine.proxy().mmioWrite(guest.port, E1000Registers.IMS,
            E1000Registers.ICR_RXT0 | E1000Registers.ICR_TXDW | E1000Registers.ICR_LSC);
        engine.proxy().mmioRead(guest.port, E1000Registers.ICR);
        guest.irqLevels.clear();
    }

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldPostNoRxInterruptWhenGuestNeedRxKickZero()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        final long postedBefore = posted();

        deliver(5);

        assertEquals(5, guest.port.counters().get(PortCounter.RX_FRAMES));
        assertEquals(postedBefore, posted());
        assertEquals(List.of(), guest.irqLevels);
        assertEquals(E1000Registers.ICR_RXT0, interruptCauses() & E1000Registers.ICR_RXT0, "the cause stays latched");
        assertEquals(1, suppressed());
        assertEquals(CsbPort.RX_COMPLETION_CAUSES | CsbPort.TX_COMPLETION_CAUSES, guest.port.csbSuppressedCauses());
    }

    @Test
    void shouldPostPendingRxInterruptWhenGuestSetsNeedRxKick()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        deliver(5);
        final long postedBefore = posted();

        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        engine.doWork();

        assertEquals(postedBefore + 1, posted());
        assertEquals(List.of(true), guest.irqLevels);
        assertEquals(1, suppressed(), "the withheld edge is counted once");
    }

    @Test
    void shouldPostRxInterruptAtOnceWhenGuestNeedRxKickOne()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        engine.doWork();
        final long postedBefore = posted();

        deliver(1);

        assertEquals(postedBefore + 1, posted());
        assertEquals(List.of(true), guest.irqLevels);
        assertEquals(0, suppressed());
    }

    @Test
    void shouldWithdrawAssertedLineWhenGuestStartsPolling()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        engine.doWork();
        deliver(1);

        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        engine.doWork();

        assertEquals(List.of(true, false), guest.irqLevels, "a polling guest wants no interrupt held up for it");
    }

    @Test
    void shouldCountOneSuppressedEdgePerUnacknowledgedCause()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);

        deliver(2);
        deliver(2);
        deliver(2);
        assertEquals(1, suppressed(), "RXT0 stays latched: one withheld edge");

        engine.proxy().mmioRead(guest.port, E1000Registers.ICR);
        deliver(2);

        assertEquals(2, suppressed(), "after the guest cleared ICR a new edge is withheld");
        assertEquals(List.of(), guest.irqLevels);
    }

    @Test
    void shouldSuppressTxCompletionInterruptWhenGuestNeedTxKickZero()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        guest.csb(CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        engine.doWork();
        final long postedBefore = posted();

        assertTrue(guest.queue(guest.frameTo(peer.mac, 60, 1)));
        guest.ringTxCsb();
        engine.doWork();

        assertEquals(1, guest.port.counters().get(PortCounter.TX_FRAMES));
        assertEquals(E1000Registers.ICR_TXDW, interruptCauses() & E1000Registers.ICR_TXDW);
        assertEquals(postedBefore, posted());
        assertEquals(1, suppressed());

        guest.csb(CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        engine.doWork();

        assertEquals(postedBefore + 1, posted());
        assertEquals(List.of(true), guest.irqLevels);
    }

    @Test
    void shouldPostLinkInterruptWhenCompletionCausesSuppressed()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        guest.csb(CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        engine.doWork();
        final long postedBefore = posted();

        engine.proxy().mmioWrite(guest.port, E1000Registers.ICS, E1000Registers.ICR_LSC);

        assertEquals(postedBefore + 1, posted());
        assertEquals(List.of(true), guest.irqLevels);
        assertEquals(0, suppressed());
    }

    @Test
    void shouldTreatAnyOtherFlagValueAsAskingForInterrupts()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, 0x7FFF_FFFF);
        engine.doWork();

        deliver(1);

        assertEquals(List.of(true), guest.irqLevels);
        assertEquals(0, suppressed());
    }

    @Test
    void shouldPostWithheldInterruptWhenCsbReleased()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        deliver(1);
        assertEquals(List.of(), guest.irqLevels);

        guest.registers.setRelease(E1000Registers.CSBAH, 0);
        guest.registers.setRelease(E1000Registers.CSBAL, 0);
        engine.doWork();

        assertEquals(List.of(true), guest.irqLevels, "a register-mode port suppresses nothing");
        assertEquals(0, guest.port.csbSuppressedCauses());
    }

    @Test
    void shouldPostInterruptBeforeParkWhenGuestAskedAfterLastPass()
    {
        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        deliver(1);
        assertEquals(List.of(), guest.irqLevels);

        guest.csb(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        engine.agent(0).onParkPrepare(50_000);

        assertEquals(List.of(true), guest.irqLevels, "posted before the sidecore sleeps, not a park later");
    }

    private void deliver(final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            assertTrue(peer.queue(peer.frameTo(guest.mac, 60, i)));
        }
        peer.ringTx();
        clock.update(clock.nanoTime() + 1_000);
        engine.doWork();
        engine.doWork();
    }

    private long posted()
    {
        return guest.port.counters().get(PortCounter.INTERRUPTS_POSTED);
    }

    private long suppressed()
    {
        return guest.port.counters().get(PortCounter.INTERRUPTS_SUPPRESSED_CSB);
    }

    private int interruptCauses()
    {
        return guest.port.device().interrupts().peekIcr();
    }
}
