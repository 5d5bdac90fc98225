package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host's floor on the inter-interrupt interval ({@link InterruptController#minModerationDelayNs(long)}): applied
 * like ITR, as the larger of the ITR window and the floor.
 */
class MinModerationDelayTest
{
    private static final long T0 = 1_000_000_000L;
    /** QEMU's newest floor: 500 ITR units. */
    private static final long FLOOR_NS = 128_000L;
    private static final long ITR_100_NS = 100 * 256;
    private static final long ITR_1000_NS = 1000 * 256;

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

    /**
     * First LSC edge at T0 (raised at once, opening the window), acknowledged at T0 + 1 µs; another LSC at T0 + 2 µs.
     */
    private void twoEdges()
    {
        at(T0);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        assertTrue(line(), "the first edge is never delayed");
        at(T0 + 1_000);
        harness.read(E1000Registers.ICR);
        at(T0 + 2_000);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
    }

    @Test
    void shouldHaveNoFloorByDefault()
    {
        assertEquals(0, interrupts.minModerationDelayNs());

        twoEdges();

        assertTrue(line(), "ITR = 0 and no floor: the second edge is raised at once");
        assertEquals(2, harness.counter(PortCounter.INTERRUPTS_POSTED));
        assertEquals(0, harness.counter(PortCounter.INTERRUPTS_MODERATED));
    }

    @Test
    void shouldDeferSecondEdgeToFloorWhenItrZero()
    {
        interrupts.minModerationDelayNs(FLOOR_NS);

        twoEdges();

        assertFalse(line());
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_MODERATED));
        assertEquals(T0 + FLOOR_NS, interrupts.nextDeadlineNs());
        assertEquals(0, harness.device.onTimers(T0 + FLOOR_NS - 1));
        assertFalse(line());
        assertEquals(1, harness.device.onTimers(T0 + FLOOR_NS));
        assertTrue(line());
        assertEquals(List.of(true, false, true), harness.irqLevels);
        assertEquals(2, harness.counter(PortCounter.INTERRUPTS_POSTED));
    }

    @Test
    void shouldUseFloorWhenLongerThanItrWindow()
    {
        interrupts.minModerationDelayNs(FLOOR_NS);
        harness.write(E1000Registers.ITR, 100);

        twoEdges();

        assertEquals(T0 + FLOOR_NS, interrupts.nextDeadlineNs(), "128 µs floor beats the 25.6 µs ITR window");
        harness.device.onTimers(T0 + ITR_100_NS);
        assertFalse(line(), "still inside the floor at the end of the ITR window");
        harness.device.onTimers(T0 + FLOOR_NS);
        assertTrue(line());
    }

    @Test
    void shouldUseItrWindowWhenLongerThanFloor()
    {
        interrupts.minModerationDelayNs(FLOOR_NS);
        harness.write(E1000Registers.ITR, 1000);

        twoEdges();

        assertEquals(T0 + ITR_1000_NS, interrupts.nextDeadlineNs(), "256 µs ITR window beats the 128 µs floor");
        harness.device.onTimers(T0 + FLOOR_NS);
        assertFalse(line());
        harness.device.onTimers(T0 + ITR_1000_NS);
        assertTrue(line());
    }

    @Test
    void shouldModerateExactlyAsItrWhenFloorZero()
    {
        interrupts.minModerationDelayNs(0);
        harness.write(E1000Registers.ITR, 100);

        twoEdges();

        assertEquals(T0 + ITR_100_NS, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + ITR_100_NS);
        assertTrue(line());
    }

    @Test
    void shouldBoundInterruptRateByFloorUnderSteadyLoad()
    {
        interrupts.minModerationDelayNs(FLOOR_NS);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXO);
        long edges = 0;

        for (long t = T0; t < T0 + 10 * FLOOR_NS; t += 1_000)
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

        assertEquals(10, harness.counter(PortCounter.INTERRUPTS_POSTED), "one interrupt per 128 µs");
        assertEquals(10, edges);
        assertEquals(10, harness.counter(PortCounter.INTERRUPTS_MODERATED));
    }

    @Test
    void shouldApplyFloorToDelayedRxInterruptsToo()
    {
        interrupts.minModerationDelayNs(FLOOR_NS);
        harness.write(E1000Registers.RDTR, 10);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        at(T0);
        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0);
        harness.device.onTimers(T0 + 10 * 1024);
        assertTrue(line(), "RDTR expired: the first edge");
        at(T0 + 20_000);
        harness.read(E1000Registers.ICR);

        interrupts.raiseRx(E1000Registers.ICR_RXT0, T0 + 20_000);
        harness.device.onTimers(T0 + 20_000 + 10 * 1024);

        assertFalse(line(), "RDTR expired again, but the floor since the first edge has not");
        assertEquals(T0 + 10 * 1024 + FLOOR_NS, interrupts.nextDeadlineNs());
        harness.device.onTimers(T0 + 10 * 1024 + FLOOR_NS);
        assertTrue(line());
    }

    @Test
    void shouldKeepFloorWhenMacReset()
    {
        interrupts.minModerationDelayNs(FLOOR_NS);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertEquals(FLOOR_NS, interrupts.minModerationDelayNs());
        twoEdges();
        assertFalse(line());
        assertEquals(T0 + FLOOR_NS, interrupts.nextDeadlineNs());
    }

    @Test
    void shouldRejectNegativeFloor()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> interrupts.minModerationDelayNs(-1));

        assertEquals("minModerationDelayNs must not be negative: -1", ex.getMessage());
        assertEquals(0, interrupts.minModerationDelayNs());
    }
}
