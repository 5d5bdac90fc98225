package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.OsException;

/**
 * The port's legacy INTx pin as a vfio-user client sees it: level-triggered and automasked, delivered through the
 * trigger eventfd the client registered (DEVICE_SET_IRQS).
 * <ul>
 *   <li>The device drives the level ({@link #onLevelChange}): for the 82540EM, {@code (ICR & IMS) != 0} and not
 *   {@code COMMAND.INTX_DISABLE}.</li>
 *   <li>A rising edge while unmasked signals the trigger eventfd once and masks the line (automask, as the
 *   kernel's vfio-pci does for INTx).</li>
 *   <li>An unmask (an UNMASK message, or the resample eventfd becoming readable when KVM reports the guest's EOI)
 *   clears the mask and, if the level is still high, signals again and re-masks: an interrupt that arrived
 *   between the guest's ICR read and its EOI is not lost.</li>
 *   <li>A trigger eventfd registered while the level is high and the line unmasked fires at once.</li>
 * </ul>
 * <b>Threads.</b> {@link #onLevelChange} is called by the device's thread (the port's sidecore thread in the engine
 * binding) on every change of the level; it may signal the eventfd on that thread. Everything else is called by
 * the server's connection thread. Both take this object's lock, held for at most one eventfd write, and the
 * sidecore takes it only on a level change, never per frame. The lock also keeps a descriptor from being closed
 * (and its number reused) while the other thread signals it.
 */
public final class IntxLine
{
    private EventFd trigger;
    private EventFd resample;
    private boolean level;
    private boolean masked;
    private long triggerSignals;
    private long signalFailures;

    /**
     * The device's line changed level. Device thread; allocation-free.
     *
     * @param asserted true when the device asserts the line.
     */
    public synchronized void onLevelChange(final boolean asserted)
    {
        final boolean risingEdge = asserted && !level;
        level = asserted;
        if (risingEdge)
        {
            fireIfUnmasked();
        }
    }

    /**
     * Register the trigger eventfd (TRIGGER|EVENTFD). Takes ownership of {@code fd}; a previous one is closed.
     *
     * @param fd eventfd descriptor.
     */
    synchronized void setTrigger(final int fd)
    {
        closeTrigger();
        trigger = EventFd.adopt(fd);
        fireIfUnmasked();
    }

    /**
     * Register the resample eventfd (UNMASK|EVENTFD). Takes ownership of {@code fd}; a previous one is closed.
     *
     * @param fd eventfd descriptor.
     */
    synchronized void setResample(final int fd)
    {
        closeResample();
        resample = EventFd.adopt(fd);
    }

    /**
     * De-assign the trigger eventfd (TRIGGER|EVENTFD without fds).
     */
    synchronized void clearTrigger()
    {
        closeTrigger();
    }

    /**
     * De-assign the resample eventfd (UNMASK|EVENTFD without fds).
     */
    synchronized void clearResample()
    {
        closeResample();
    }

    /**
     * MASK: no signal until unmasked.
     */
    synchronized void mask()
    {
        masked = true;
    }

    /**
     * UNMASK, or the guest's EOI seen on the resample eventfd: signal again if the level is still high.
     */
    synchronized void unmask()
    {
        masked = false;
        fireIfUnmasked();
    }

    /**
     * TRIGGER with DATA_NONE or a true bool: the client raises the interrupt itself (a loopback test of the path).
     */
    synchronized void triggerNow()
    {
        signal();
    }

    /**
     * TRIGGER|NONE with count 0, a disconnect, or a reset of the transport: close both eventfds, forget the mask.
     * The level stays the device's.
     */
    synchronized void disable()
    {
        closeTrigger();
        closeResample();
        masked = false;
    }

    /**
     * @return the resample eventfd's descriptor for polling, or -1 (a negative fd is ignored by {@code poll}).
     */
    synchronized int resampleFd()
    {
        return null == resample ? -1 : resample.fd();
    }

    /**
     * The resample eventfd polled readable: take its count and unmask. Connection thread.
     */
    synchronized void onResample()
    {
        if (null != resample)
        {
            try
            {
                resample.drain();
            }
            catch (final OsException ex)
            {
                signalFailures++;
            }
            unmask();
        }
    }

    /**
     * @return the level the device last reported.
     */
    public synchronized boolean level()
    {
        return level;
    }

    /**
     * @return true while automasked or masked by the client.
     */
    public synchronized boolean masked()
    {
        return masked;
    }

    /**
     * @return true when a trigger eventfd is registered.
     */
    public synchronized boolean hasTrigger()
    {
        return null != trigger;
    }

    /**
     * @return signals written to trigger eventfds since creation.
     */
    public synchronized long triggerSignals()
    {
        return triggerSignals;
    }

    /**
     * @return eventfd writes or reads that failed (a client that closed its end in a broken way).
     */
    public synchronized long signalFailures()
    {
        return signalFailures;
    }

    private void fireIfUnmasked()
    {
        if (level && !masked && null != trigger)
        {
            signal();
            masked = true;
        }
    }

    private void signal()
    {
        if (null == trigger)
        {
            return;
        }
        try
        {
            if (trigger.signal())
            {
                triggerSignals++;
            }
            else
            {
                signalFailures++;
            }
        }
        catch (final OsException ex)
        {
            signalFailures++;
        }
    }

    private void closeTrigger()
    {
        if (null != trigger)
        {
            closeQuietly(trigger);
            trigger = null;
        }
    }

    private void closeResample()
    {
        if (null != resample)
        {
            closeQuietly(resample);
            resample = null;
        }
    }

    private static void closeQuietly(final EventFd eventFd)
    {
        try
        {
            eventFd.close();
        }
        catch (final OsException ignored)
        {
            // the descriptor is gone either way
        }
    }
}
