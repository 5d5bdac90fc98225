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
    void shouldLatchBits16To0WhenIcsWritten()
    {
        harness.write(E1000Registers.ICS, 0xFFFFFFFF);

        assertEquals(0x0001FFFF, harness.read(E1000Registers.ICR));
    }

    /**
     * SDM 13.4.17-13.4.20: ICR, ICS and IMS latch bits 16:0, reserved 5, 8 and 11 included. Linux's
     * {@code e1000_intr_test} (unshared interrupt) for each bit 0-9: masked and set through ICS, no interrupt; enabled
     * and set, an interrupt whose ICR read shows the bit; every other low bit (0x7FFF) masked and set, no interrupt.
     */
    @Test
    void shouldPostEachOfTheLowTenCausesAsTheDriverSelfTestExpectsWhenToggledOneByOne()
    {
        harness.write(E1000Registers.IMC, 0xFFFFFFFF);
        for (int bit = 0; bit < 10; bit++)
        {
            final int mask = 1 << bit;
            final int edgesBefore = risingEdges();
            harness.write(E1000Registers.IMC, mask);
            harness.write(E1000Registers.ICS, mask);
            assertEquals(edgesBefore, risingEdges(), "bit " + bit + " masked: no interrupt");

            harness.write(E1000Registers.IMS, mask);
            harness.write(E1000Registers.ICS, mask);
            assertEquals(edgesBefore + 1, risingEdges(), "bit " + bit + " enabled: one interrupt");
            assertEquals(mask, harness.read(E1000Registers.ICR) & mask, "bit " + bit + " in ICR");
            assertFalse(interrupts.isLineAsserted(), "bit " + bit + ": the ICR read deasserts the line");

            harness.write(E1000Registers.IMC, ~mask & 0x7FFF);
            harness.write(E1000Registers.ICS, ~mask & 0x7FFF);
            assertEquals(edgesBefore + 1, risingEdges(), "bit " + bit + ": the other causes masked, no interrupt");
        }
        assertEquals(0x200, harness.read(E1000Registers.IMS), "only the last bit tested stays enabled");
    }

    private int risingEdges()
    {
        int edges = 0;
        for (final boolean level : harness.irqLevels)
        {
            edges += level ? 1 : 0;
        }
        return edges;
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
