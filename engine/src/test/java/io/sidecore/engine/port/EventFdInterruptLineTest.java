package io.sidecore.engine.port;

import io.sidecore.shm.os.EventFd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The port's INTx line as KVM's irqfd sees it: each rising edge writes the eventfd once, a falling edge writes
 * nothing.
 */
class EventFdInterruptLineTest
{
    @Test
    void shouldSignalEventFdOnceForEachRisingEdgeAndNeverForFallingEdge()
    {
        try (EventFd eventFd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))
        {
            final EventFdInterruptLine line = new EventFdInterruptLine(eventFd);

            line.onLevelChange(false);
            assertFalse(eventFd.awaitNs(0), "a falling edge writes nothing");

            line.onLevelChange(true);
            line.onLevelChange(false);
            line.onLevelChange(true);

            assertTrue(eventFd.awaitNs(0));
            assertEquals(2, eventFd.drain(), "one write per rising edge");
            assertFalse(eventFd.awaitNs(0));
        }
    }
}
