package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An RX batch (the sidecore opens one per port per duty cycle) publishes RDH and raises the RX interrupt causes once,
 * when it ends, and ends in exactly the state one publication and one raise per frame leave: same RDH, ICR, line,
 * descriptors and counters.
 */
class RxBatchTest
{
    private static final int RING = 32;
    private static final int FRAMES = 5;
    private static final int RDTR_UNITS = 8;

    @Test
    void shouldPublishRdhAndRaiseRxCausesOnceWhenBatchEndsAndMatchPerFramePublication()
    {
        final DeviceHarness perFrame = ready();
        final DeviceHarness batched = ready();

        for (int i = 0; i < FRAMES; i++)
        {
            assertTrue(perFrame.receive(DeviceHarness.broadcastFrame(60 + i * 100, i)));
        }
        batched.device.rxBatching(true, batched.nowNs);
        for (int i = 0; i < FRAMES; i++)
        {
            assertTrue(batched.receive(DeviceHarness.broadcastFrame(60 + i * 100, i)));
            assertEquals(0, batched.registers.get(E1000Registers.RDH), "RDH not published inside the batch");
            assertEquals(0, batched.device.interrupts().peekIcr(), "no RX cause latched inside the batch");
            assertTrue(0 != (batched.rxStatus(i) & 0x01), "DD of frame " + i + " written at once");
        }
        assertEquals(RING - 1 - FRAMES, batched.device.rx.freeDescriptors(), "the batch's own head counts");
        assertTrue(batched.irqLevels.isEmpty());

        batched.device.rxBatching(false, batched.nowNs);

        assertEquals(FRAMES, perFrame.registers.get(E1000Registers.RDH));
        assertEquals(perFrame.registers.get(E1000Registers.RDH), batched.registers.get(E1000Registers.RDH));
        assertEquals(perFrame.device.interrupts().peekIcr(), batched.device.interrupts().peekIcr());
        assertEquals(perFrame.device.interrupts().heldCauses(), batched.device.interrupts().heldCauses());
        assertEquals(perFrame.device.nextTimerDeadlineNs(), batched.device.nextTimerDeadlineNs(),
            "RDTR/RADV armed alike");
        assertEquals(perFrame.irqLevels, batched.irqLevels);
        for (final PortCounter counter : PortCounter.values())
        {
            assertEquals(perFrame.counter(counter), batched.counter(counter), counter.name());
        }
        for (int i = 0; i < FRAMES; i++)
        {
            assertEquals(perFrame.rxStatus(i), batched.rxStatus(i));
            assertEquals(perFrame.rxLength(i), batched.rxLength(i));
        }
        for (final int statistic : new int[]{E1000Registers.GPRC, E1000Registers.GORCL, E1000Registers.PRC64})
        {
            assertEquals(perFrame.registers.get(statistic), batched.registers.get(statistic));
        }
    }

    @Test
    void shouldPublishDeferredRdhBeforeACommandAndReadGuestRdhAgainAfterFlush()
    {
        final DeviceHarness h = ready();
        h.device.rxBatching(true, h.nowNs);
        assertTrue(h.receive(DeviceHarness.broadcastFrame(60, 1)));
        assertEquals(0, h.registers.get(E1000Registers.RDH));

        h.device.flushRxBatch(h.nowNs);
        assertEquals(1, h.registers.get(E1000Registers.RDH));
        assertTrue(0 != (h.device.interrupts().peekIcr() & E1000Registers.ICR_RXT0));
        // The guest moves RDH itself (undefined while receiving, but its page): the next frame starts there.
        h.writeShared(E1000Registers.RDH, 4);
        assertTrue(h.receive(DeviceHarness.broadcastFrame(60, 2)));
        h.device.rxBatching(false, h.nowNs);

        assertEquals(5, h.registers.get(E1000Registers.RDH));
        assertTrue(0 != (h.rxStatus(4) & 0x01));
        assertFalse(0 != (h.rxStatus(1) & 0x01));
    }

    @Test
    void shouldForgetDeferredRdhWhenMacIsReset()
    {
        final DeviceHarness h = ready();
        h.device.rxBatching(true, h.nowNs);
        assertTrue(h.receive(DeviceHarness.broadcastFrame(60, 1)));

        h.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
        h.device.rxBatching(false, h.nowNs);

        assertEquals(0, h.registers.get(E1000Registers.RDH), "a reset's RDH is not overwritten by the batch");
        assertEquals(0, h.device.interrupts().peekIcr());
    }

    private static DeviceHarness ready()
    {
        final DeviceHarness h = new DeviceHarness();
        h.setUpRxRing(RING);
        h.write(E1000Registers.RDTR, RDTR_UNITS);
        h.write(E1000Registers.RADV, 4 * RDTR_UNITS);
        h.write(E1000Registers.IMS, E1000Registers.ICR_RXT0 | E1000Registers.ICR_RXDMT0);
        h.writeShared(E1000Registers.RDT, RING - 1);
        return h;
    }
}
