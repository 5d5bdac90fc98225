package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterruptModerationTest
{
    private static final long ITR_100_NS = 100 * 256;
    private static final long T0 = 1_000_000_000L;

    private final DeviceHarness harness = new DeviceHarness();
    private final InterruptController interrupts = harness.device.interrupts();

    private void at(final long nowNs)
    {
        harness.nowNs = nowNs;
    }

    private boolean line()
    {
        return interrupts.isLineAsserted();
    }

    @Test
    void shouldReportNoDeadlineWhenIdle()
    {
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
        assertEquals(0, harness.device.onTimers(T0));
    }

    @Test
    void shouldDeferEdgeToEndOfItrWindowWhenCauseArrivesInsideIt()
    {
        harness.write(E1000Registers.ITR, 100);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        at(T0 + 1_000);
        harness.read(E1000Registers.ICR);

        at(T0 + 2_000);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        assertFalse(line());
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_MODERATED));
        assertEquals(T0 + ITR_100_NS, interrupts.nextDeadlineNs());
        assertEquals(0, harness.device.onTimers(T0 + ITR_100_NS - 1));
        assertFalse(line());
        assertEquals(1, harness.device.onTimers(T0 + ITR_100_NS));
        assertTrue(line());
        assertEquals(List.of(true, false, true), harness.irqLevels);
        assertEquals(2, harness.counter(PortCounter.INTERRUPTS_POSTED));
    }

    @Test
    void shouldSpaceEdgesByItrUnderSteadyLoad()
    {
        harness.write(E1000Registers.ITR, 100);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXO);
        long edges = 0;
        for (long t = T0; t < T0 + 10 * ITR_100_NS; t += 1_000)
        {
            at(t);
            harness.device.onTimers(t);
            if (line())
            {
                edges++;
                harness.read(E1000Registers.ICR);
            }
            interrupts.raise(E1000Registers.ICR_RXO, t);
        }

        assertEquals(10, harness.counter(PortCounter.INTERRUPTS_POSTED));
        assertEquals(10, edges);
        assertEquals(10, harness.counter(PortCounter.INTERRUPTS_MODERATED));
    }

    @Test
    void shouldRaiseAtOnceWhenItrZero()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        harness.read(E1000Registers.ICR);

        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        assertTrue(line());
        assertEquals(2, harness.counter(PortCounter.INTERRUPTS_POSTED));
        assertEquals(0, harness.counter(PortCounter.INTERRUPTS_MODERATED));
    }

    @Test
    void shouldDropDeferredEdgeWhenIcrReadBeforeWindowEnds()
    {
        harness.write(E1000Registers.ITR, 100);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        harness.read(E1000Registers.ICR);
        at(T0 + 2_000);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        at(T0 + 3_000);
        assertEquals(E1000Registers.ICR_LSC, harness.read(E1000Registers.ICR));

        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + ITR_100_NS);
        assertFalse(line());
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_POSTED));
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_MODERATED));
    }

    @Test
    void shouldTimeItrWindowFromEdgeWithItrValueAtEdge()
    {
        harness.write(E1000Registers.ITR, 100);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        harness.read(E1000Registers.ICR);
        harness.write(E1000Registers.ITR, 10);

        at(T0 + 3_000);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        assertFalse(line());
        assertEquals(T0 + ITR_100_NS, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + ITR_100_NS);
        assertTrue(line());
        harness.read(E1000Registers.ICR);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        assertEquals(T0 + ITR_100_NS + 10 * 256, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldHoldRxt0UntilPacketTimerExpiresWhenRdtrNonZero()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);

        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        assertFalse(line());
        assertEquals(E1000Registers.ICR_RXT0, harness.read(E1000Registers.ICS));
        assertEquals(E1000Registers.ICR_RXT0, interrupts.heldCauses());
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_MODERATED));
        assertEquals(T0 + 10 * 1024, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + 10 * 1024 - 1);
        assertFalse(line());
        assertEquals(1, harness.device.onTimers(T0 + 10 * 1024));
        assertTrue(line());
        assertEquals(0, interrupts.heldCauses());
    }

    @Test
    void shouldRaiseRxAtOnceWhenRdtrZeroEvenWithRadv()
    {
        harness.write(E1000Registers.RADV, 8);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);

        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        assertTrue(line());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
        assertEquals(0, harness.counter(PortCounter.INTERRUPTS_MODERATED));
    }

    @Test
    void shouldRestartRxPacketTimerOnEachPacket()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);

        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0 + 5_000);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0 + 10_000);

        assertEquals(T0 + 10_000 + 10 * 1024, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + 15_000);
        assertFalse(line());
        harness.device.onTimers(T0 + 10_000 + 10 * 1024);
        assertTrue(line());
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_MODERATED));
    }

    @Test
    void shouldFireRxAbsoluteTimerWhilePacketsKeepArriving()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.RADV, 25);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        final long absoluteNs = T0 + 25 * 1024;

        for (long t = T0; t < absoluteNs; t += 5_000)
        {
            harness.device.onTimers(t);
            interrupts.raiseRx(E1000Registers.ICR_RXT0, t);
            assertFalse(line(), "at +" + (t - T0));
        }

        assertEquals(absoluteNs, interrupts.nextDeadlineNs());
        harness.device.onTimers(absoluteNs);
        assertTrue(line());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldReportHeldRxCauseAndStopTimersWhenIcrRead()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.RADV, 20);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        at(T0 + 1_000);
        assertEquals(E1000Registers.ICR_RXT0, harness.read(E1000Registers.ICR));

        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + 100_000);
        assertFalse(line());
        assertEquals(List.of(), harness.irqLevels);
    }

    @Test
    void shouldNotHoldRxt0AlreadyLatchedAndReleased()
    {
        harness.write(E1000Registers.RDTR, 10);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);
        harness.device.onTimers(T0 + 10 * 1024);
        assertEquals(0, interrupts.heldCauses());

        at(T0 + 20_000);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, harness.nowNs);
        assertEquals(0, interrupts.heldCauses());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());

        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        assertTrue(line());
    }

    @Test
    void shouldReleaseHeldRxt0WhenIcsSetsIt()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        harness.write(E1000Registers.ICS, E1000Registers.ICR_RXT0);

        assertTrue(line());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldFlushRxDelayWhenRdtrWrittenWithFpd()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        harness.write(E1000Registers.RDTR, 10 | E1000Registers.RDTR_FPD);

        assertTrue(line());
        assertEquals(10, harness.read(E1000Registers.RDTR));
    }

    @Test
    void shouldRaiseTxdwAtOnceWhenNoIdeSeen()
    {
        harness.write(E1000Registers.TIDV, 8);
        harness.write(E1000Registers.TADV, 32);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);

        interrupts.raise(E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE, T0);

        assertTrue(line());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldHoldTxdwUntilTidvExpiresWhenIdeSeen()
    {
        harness.write(E1000Registers.TIDV, 8);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);

        interrupts.onTxIdeSeen(T0);
        interrupts.raise(E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE, T0);

        assertFalse(line());
        assertEquals(E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE, harness.read(E1000Registers.ICS));
        assertEquals(T0 + 8 * 1024, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + 8 * 1024);
        assertTrue(line());
    }

    @Test
    void shouldRestartTidvPerIdeDescriptorAndFireTadv()
    {
        harness.write(E1000Registers.TIDV, 8);
        harness.write(E1000Registers.TADV, 20);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);
        final long absoluteNs = T0 + 20 * 1024;

        for (long t = T0; t < absoluteNs; t += 5_000)
        {
            harness.device.onTimers(t);
            interrupts.onTxIdeSeen(t);
            interrupts.raise(E1000Registers.ICR_TXDW, t);
            assertFalse(line(), "at +" + (t - T0));
        }

        assertEquals(absoluteNs, interrupts.nextDeadlineNs());
        harness.device.onTimers(absoluteNs);
        assertTrue(line());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldMakeTxdwImmediateWhenRunHadDescriptorWithoutIde()
    {
        harness.write(E1000Registers.TIDV, 8);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);
        interrupts.onTxIdeSeen(T0);

        interrupts.raiseTx(E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE, T0, false);

        assertTrue(line());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldHoldTxdwWhenRaiseTxSaysIdeDelayed()
    {
        harness.write(E1000Registers.TIDV, 8);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);

        interrupts.raiseTx(E1000Registers.ICR_TXDW, T0, true);

        assertFalse(line());
        assertEquals(T0 + 8 * 1024, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldNotDelayTxWhenTidvZero()
    {
        harness.write(E1000Registers.TADV, 32);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);

        interrupts.onTxIdeSeen(T0);
        interrupts.raise(E1000Registers.ICR_TXDW, T0);

        assertTrue(line());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldFlushTxDelayWhenTidvWrittenWithFpd()
    {
        harness.write(E1000Registers.TIDV, 8);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXDW);
        interrupts.onTxIdeSeen(T0);
        interrupts.raise(E1000Registers.ICR_TXDW, T0);

        harness.write(E1000Registers.TIDV, 8 | E1000Registers.TIDV_FPD);

        assertTrue(line());
        assertEquals(8, harness.read(E1000Registers.TIDV));
    }

    @Test
    void shouldKeepRxAndTxDeadlinesIndependent()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.TIDV, 30);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0 | E1000Registers.ICR_TXDW);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);
        interrupts.onTxIdeSeen(T0 + 1_000);
        interrupts.raise(E1000Registers.ICR_TXDW, T0 + 1_000);
        assertEquals(T0 + 10 * 1024, interrupts.nextDeadlineNs());

        assertEquals(1, harness.device.onTimers(T0 + 10 * 1024));
        assertTrue(line());
        assertEquals(E1000Registers.ICR_TXDW, interrupts.heldCauses());
        assertEquals(T0 + 1_000 + 30 * 1024, interrupts.nextDeadlineNs());

        at(T0 + 12_000);
        harness.write(E1000Registers.ICR, E1000Registers.ICR_RXT0);
        assertFalse(line());

        assertEquals(1, harness.device.onTimers(T0 + 1_000 + 30 * 1024));
        assertTrue(line());
        assertEquals(List.of(true, false, true), harness.irqLevels);
    }

    @Test
    void shouldDeferReleasedCauseToItrWindowEndAndCountOnce()
    {
        harness.write(E1000Registers.ITR, 100);
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC | E1000Registers.ICR_RXT0);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        at(T0 + 1_000);
        harness.read(E1000Registers.ICR);

        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0 + 2_000);
        assertEquals(T0 + 2_000 + 10 * 1024, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + 2_000 + 10 * 1024);

        assertFalse(line());
        assertEquals(T0 + ITR_100_NS, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + ITR_100_NS);
        assertTrue(line());
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_MODERATED));
        assertEquals(2, harness.counter(PortCounter.INTERRUPTS_POSTED));
    }

    @Test
    void shouldFireExpiredDeadlinesOnAnyAccessWithoutOnTimers()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        at(T0 + 20_000);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);

        assertTrue(line());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldRaiseImmediateCauseWhileRxt0StaysHeld()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0 | E1000Registers.ICR_RXDMT0);

        interrupts.raiseRx(E1000Registers.ICR_RXT0 | E1000Registers.ICR_RXDMT0, T0);

        assertTrue(line());
        assertEquals(E1000Registers.ICR_RXT0, interrupts.heldCauses());
        assertEquals(0, harness.counter(PortCounter.INTERRUPTS_MODERATED));
        assertEquals(E1000Registers.ICR_RXT0 | E1000Registers.ICR_RXDMT0, harness.read(E1000Registers.ICR));
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }
}
