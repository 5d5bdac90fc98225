package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterruptRegistersTest
{
    private final DeviceHarness harness = new DeviceHarness();
    private final InterruptController interrupts = harness.device.interrupts();

    @Test
    void shouldReturnAndClearCausesWhenIcrRead()
    {
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC | E1000Registers.ICR_RXT0);

        assertEquals(E1000Registers.ICR_LSC | E1000Registers.ICR_RXT0, harness.read(E1000Registers.ICR));
        assertEquals(0, harness.read(E1000Registers.ICR));
        assertEquals(2, harness.counter(PortCounter.ICR_READS));
    }

    @Test
    void shouldClearOnlyWrittenBitsWhenIcrWritten()
    {
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC | E1000Registers.ICR_RXT0);

        harness.write(E1000Registers.ICR, E1000Registers.ICR_LSC);

        assertEquals(E1000Registers.ICR_RXT0, harness.read(E1000Registers.ICS));
        assertEquals(0, harness.counter(PortCounter.ICR_READS));
    }

    @Test
    void shouldMirrorIcrWithoutClearingWhenIcsRead()
    {
        harness.write(E1000Registers.ICS, E1000Registers.ICR_TXDW);

        assertEquals(E1000Registers.ICR_TXDW, harness.read(E1000Registers.ICS));
        assertEquals(E1000Registers.ICR_TXDW, harness.read(E1000Registers.ICS));
        assertEquals(E1000Registers.ICR_TXDW, harness.read(E1000Registers.ICR));
    }

    @Test
    void shouldKeepOnlyImplementedCausesWhenIcsWritten()
    {
        harness.write(E1000Registers.ICS, 0xFFFFFFFF);

        assertEquals(E1000Registers.ICR_VALID_MASK, harness.read(E1000Registers.ICR));
    }

    @Test
    void shouldSetMaskBitsWhenImsWrittenAndClearThemWhenImcWritten()
    {
        harness.write(E1000Registers.IMS, E1000Registers.IMS_LINUX_ENABLE_MASK);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_TXQE);
        assertEquals(E1000Registers.IMS_LINUX_ENABLE_MASK | E1000Registers.ICR_TXQE,
            harness.read(E1000Registers.IMS));

        harness.write(E1000Registers.IMC, E1000Registers.ICR_RXT0 | E1000Registers.ICR_TXQE);
        assertEquals(E1000Registers.IMS_LINUX_ENABLE_MASK & ~E1000Registers.ICR_RXT0,
            harness.read(E1000Registers.IMS));
        assertEquals(0, harness.read(E1000Registers.IMC));
    }

    @Test
    void shouldAssertLineWhenEnabledCauseSet()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);

        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        assertTrue(interrupts.isLineAsserted());
        assertEquals(List.of(true), harness.irqLevels);
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_POSTED));
    }

    @Test
    void shouldKeepLineLowWhenCauseMasked()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);

        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        assertFalse(interrupts.isLineAsserted());
        assertEquals(List.of(), harness.irqLevels);
        assertEquals(0, harness.counter(PortCounter.INTERRUPTS_MODERATED));
    }

    @Test
    void shouldDeassertWhenImcMasksPendingCause()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        harness.write(E1000Registers.IMC, 0xFFFFFFFF);

        assertFalse(interrupts.isLineAsserted());
        assertEquals(List.of(true, false), harness.irqLevels);
        assertEquals(E1000Registers.ICR_LSC, harness.read(E1000Registers.ICS));
    }

    @Test
    void shouldAssertWhenImsEnablesLatchedCause()
    {
        harness.write(E1000Registers.ICS, E1000Registers.ICR_RXDMT0);
        assertFalse(interrupts.isLineAsserted());

        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXDMT0);

        assertTrue(interrupts.isLineAsserted());
    }

    @Test
    void shouldDeassertWhenIcrRead()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        harness.read(E1000Registers.ICR);

        assertFalse(interrupts.isLineAsserted());
        assertEquals(List.of(true, false), harness.irqLevels);
    }

    @Test
    void shouldDeassertWhenLastEnabledCauseClearedByIcrWrite()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC | E1000Registers.ICR_RXSEQ);

        harness.write(E1000Registers.ICR, E1000Registers.ICR_LSC);

        assertFalse(interrupts.isLineAsserted());
        assertEquals(E1000Registers.ICR_RXSEQ, harness.read(E1000Registers.ICS));
    }

    @Test
    void shouldCountPostedOnEachRisingEdgeOnly()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC | E1000Registers.ICR_RXDMT0);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_RXDMT0);
        harness.read(E1000Registers.ICR);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        assertEquals(2, harness.counter(PortCounter.INTERRUPTS_POSTED));
        assertEquals(List.of(true, false, true), harness.irqLevels);
    }

    @Test
    void shouldRaiseDeviceCausesImmediatelyWithoutModeration()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXO);

        interrupts.raise(E1000Registers.ICR_RXO, harness.nowNs);

        assertTrue(interrupts.isLineAsserted());
        assertEquals(InterruptController.NO_DEADLINE, interrupts.nextDeadlineNs());
    }
}
