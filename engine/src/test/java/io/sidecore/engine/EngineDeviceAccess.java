package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.shm.os.EventFd;
import io.sidecore.tools.guest.DeviceAccess;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.CachedNanoClock;

/**
 * Test support: the guest driver model's view of a port served by a sidecore, as a VMM would give it. Trapped
 * accesses go through the {@link EngineProxy} (in invoker mode the proxy runs the agents while it waits); the doorbell
 * pages are the port's shared register image; a driver delay advances the manual clock and runs the agents.
 */
final class EngineDeviceAccess implements DeviceAccess
{
    private final SidecoreEngine engine;
    private final CachedNanoClock clock;
    private final Port port;
    private int hostWakeups;
    private EventFd kickEventFd;

    EngineDeviceAccess(final SidecoreEngine engine, final CachedNanoClock clock, final Port port)
    {
        this.engine = engine;
        this.clock = clock;
        this.port = port;
    }

    public int configRead(final int offset, final int sizeBytes)
    {
        return engine.proxy().configRead(port, offset, sizeBytes);
    }

    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        engine.proxy().configWrite(port, offset, sizeBytes, value);
    }

    public int bar0Read(final int offset)
    {
        return engine.proxy().mmioRead(port, offset);
    }

    public void bar0Write(final int offset, final int value)
    {
        engine.proxy().mmioWrite(port, offset, value);
    }

    public int ioRead(final int offset)
    {
        return engine.proxy().ioRead(port, offset);
    }

    public void ioWrite(final int offset, final int value)
    {
        engine.proxy().ioWrite(port, offset, value);
    }

    public int sharedPages()
    {
        return port.config().sharedPages();
    }

    public AtomicBuffer sharedBar0()
    {
        return port.registers().doorbellPages();
    }

    public void wakeHost(final int doorbellOffset)
    {
        hostWakeups++;
        if (null != kickEventFd)
        {
            kickEventFd.signal();
        }
        else
        {
            engine.agent(engine.proxy().sidecoreIndex(port)).kick().signal();
        }
    }

    /**
     * Kick the sidecore as a guest in another process does: by writing its kick eventfd (this descriptor refers to
     * it), instead of signalling the kick inside the JVM.
     *
     * @param eventFd the guest's descriptor of the sidecore's kick eventfd.
     */
    void kickThrough(final EventFd eventFd)
    {
        this.kickEventFd = eventFd;
    }

    public void delay(final long durationNs)
    {
        clock.update(clock.nanoTime() + durationNs);
        engine.doWork();
    }

    int hostWakeups()
    {
        return hostWakeups;
    }
}
