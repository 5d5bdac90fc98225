package io.sidecore.launcher.demo;

import io.sidecore.engine.EngineProxy;
import io.sidecore.engine.PortHandle;
import io.sidecore.tools.guest.DeviceAccess;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The synthetic guest's NIC as a VMM presents it: configuration space, BAR0 outside the shared pages and BAR1 trap,
 * and each trapped access becomes a request to the owning sidecore through {@link EngineProxy}, the same path the
 * vfio-user socket thread takes for a real VM. The shared BAR0 pages are the guest's own mapping of the port region,
 * so doorbell writes land in memory the sidecore polls, with no trap.
 */
final class ProxyDeviceAccess implements DeviceAccess
{
    private final EngineProxy proxy;
    private final PortHandle port;
    private final AtomicBuffer sharedBar0;
    private final int sharedPages;

    /**
     * @param proxy       the engine's proxy.
     * @param port        the guest's port.
     * @param sharedBar0  the guest's view of the BAR0 image in the port region (offset 0 = BAR0 offset 0).
     * @param sharedPages bitmap of BAR0 pages mapped into the guest, from the region header.
     */
    ProxyDeviceAccess(
        final EngineProxy proxy, final PortHandle port, final AtomicBuffer sharedBar0, final int sharedPages)
    {
        this.proxy = proxy;
        this.port = port;
        this.sharedBar0 = sharedBar0;
        this.sharedPages = sharedPages;
    }

    /**
     * {@inheritDoc}
     */
    public int configRead(final int offset, final int sizeBytes)
    {
        return proxy.configRead(port, offset, sizeBytes);
    }

    /**
     * {@inheritDoc}
     */
    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        proxy.configWrite(port, offset, sizeBytes, value);
    }

    /**
     * {@inheritDoc}
     */
    public int bar0Read(final int offset)
    {
        return proxy.mmioRead(port, offset);
    }

    /**
     * {@inheritDoc}
     */
    public void bar0Write(final int offset, final int value)
    {
        proxy.mmioWrite(port, offset, value);
    }

    /**
     * {@inheritDoc}
     */
    public int ioRead(final int offset)
    {
        return proxy.ioRead(port, offset);
    }

    /**
     * {@inheritDoc}
     */
    public void ioWrite(final int offset, final int value)
    {
        proxy.ioWrite(port, offset, value);
    }

    /**
     * {@inheritDoc}
     */
    public int sharedPages()
    {
        return sharedPages;
    }

    /**
     * {@inheritDoc}
     */
    public AtomicBuffer sharedBar0()
    {
        return sharedBar0;
    }

    /**
     * The emulated device completes a reset, an EEPROM or MDIC cycle and autonegotiation at once, so the driver's
     * {@code udelay}/{@code msleep} waits add nothing here and return at once.
     *
     * @param durationNs how long the driver would wait.
     */
    public void delay(final long durationNs)
    {
    }
}
