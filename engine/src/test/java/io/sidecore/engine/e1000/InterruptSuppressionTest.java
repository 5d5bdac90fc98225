package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link InterruptController#suppressCauses}: the causes a CSB guest does not want interrupts for stay latched in
 * ICR but do not raise the line; lifting the suppression posts them, subject to ITR; withheld edges are counted.
 */
class InterruptSuppressionTest
{
    private static final long T0 = 1_000_000_000L;
    private static final long ITR_100_NS = 100 * 256;

    private final DeviceHarness harness = new DeviceHarness();
    private final InterruptController interrupts = harness.device.interrupts();

    private boolean line()
    {
        return interrupts.isLineAsserted();
    }

    private long suppressed()
    {
        return harness.counter(PortCounter.INTERRUPTS_SUPPRESSED_CSB);
    }

    @Test
    void shouldLatchButNotRaiseWhenCauseSuppressed()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.suppressCauses(E1000Registers.ICR_RXT0, T0);

        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        assertFalse(line());
        assertEquals(E1000Registers.ICR_RXT0, interrupts.peekIcr());
        assertEquals(1, suppressed());
        assertEquals(0, harness.counter(PortCounter.INTERRUPTS_POSTED));
        assertEquals(0, harness.counter(PortCounter.INTERRUPTS_MODERATED), "suppressed is not moderated");
        assertTrue(interrupts.isInterruptSuppressed());
    }

    @Test
    void shouldRaiseAtOnceWhenSuppressionLifted()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.suppressCauses(E1000Registers.ICR_RXT0, T0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        interrupts.suppressCauses(0, T0 + 1_000);

        assertTrue(line());
        assertEquals(List.of(true), harness.irqLevels);
        assertEquals(1, suppressed());
        assertFalse(interrupts.isInterruptSuppressed());
    }

    @Test
    void shouldDeferLiftedCauseToEndOfItrWindow()
    {
        harness.write(E1000Registers.ITR, 100);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0 | E1000Registers.ICR_LSC);
        interrupts.suppressCauses(E1000Registers.ICR_RXT0, T0);
        interrupts.writeIcs(E1000Registers.ICR_LSC, T0);
        interrupts.readIcr(T0 + 500);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0 + 1_000);

        interrupts.suppressCauses(0, T0 + 2_000);

        assertFalse(line(), "inside the ITR window opened by the LSC edge");
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_MODERATED));
        assertEquals(T0 + ITR_100_NS, interrupts.nextDeadlineNs());
        interrupts.onTimers(T0 + ITR_100_NS);
        assertTrue(line());
    }

    @Test
    void shouldCountWithheldEdgeOnlyWhenDelayTimerReleasesCause()
    {
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.suppressCauses(E1000Registers.ICR_RXT0, T0);

        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);
        assertEquals(0, suppressed(), "held by RDTR: no edge due yet");
        interrupts.onTimers(T0 + 10 * 1024);

        assertEquals(1, suppressed());
        assertFalse(line());
    }

    @Test
    void shouldNotCountWhenCauseMaskedByIms()
    {
        interrupts.suppressCauses(E1000Registers.ICR_RXT0, T0);

        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);

        assertEquals(0, suppressed());
        assertFalse(interrupts.isInterruptSuppressed());
    }

    @Test
    void shouldRaiseForOtherCausesWhileSomeSuppressed()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0 | E1000Registers.ICR_LSC);
        interrupts.suppressCauses(E1000Registers.ICR_RXT0, T0);

        interrupts.writeIcs(E1000Registers.ICR_LSC, T0);

        assertTrue(line());
        assertEquals(0, suppressed());
    }

    @Test
    void shouldCountAgainAfterGuestClearedCause()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        interrupts.suppressCauses(E1000Registers.ICR_RXT0, T0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0 + 100);
        assertEquals(1, suppressed());

        interrupts.readIcr(T0 + 200);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0 + 300);

        assertEquals(2, suppressed());
    }

    @Test
    void shouldKeepOnlyValidCauseBits()
    {
        interrupts.suppressCauses(0xFFFF_FFFF, T0);

        assertEquals(E1000Registers.ICR_VALID_MASK, interrupts.suppressedCauses());
    }
}
