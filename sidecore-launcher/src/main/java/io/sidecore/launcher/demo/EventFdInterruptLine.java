package io.sidecore.launcher.demo;

import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.shm.os.EventFd;

/**
 * A port's INTx line as KVM's irqfd sees it: the owning sidecore writes the VMM's eventfd on each rising edge of the
 * device's line (after moderation); a falling edge needs no signal, since the guest's ICR read is what lowers the
 * line. Runs on the agent thread only and allocates nothing ({@link EventFd#signal()} reuses its buffers).
 */
public final class EventFdInterruptLine implements InterruptLine
{
    private final EventFd eventFd;

    /**
     * @param eventFd the engine's descriptor of the interrupt eventfd (non-blocking).
     */
    public EventFdInterruptLine(final EventFd eventFd)
    {
        this.eventFd = eventFd;
    }

    /**
     * {@inheritDoc}
     */
    public void onLevelChange(final boolean asserted)
    {
        // A non-blocking eventfd refuses a write (false) only when its 64-bit counter would overflow: the guest
        // has not read it for 2^64 - 2 edges, so an interrupt is pending anyway and nothing is lost.
        if (asserted)
        {
            eventFd.signal();
        }
    }
}
