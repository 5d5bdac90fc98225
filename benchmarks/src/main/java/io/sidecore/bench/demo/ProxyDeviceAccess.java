package io.sidecore.bench.demo;

import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.tools.guest.DeviceAccess;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The synthetic guest's NIC as a VMM presents it: configuration space, BAR0 outside the shared pages and BAR1 trap,
 * and each trapped access becomes a request to the owning sidecore through {@link EngineProxy}, the same path (the
 * port's preallocated {@link TrappedAccess} slot on the sidecore's command queue) the vfio-user socket thread takes
 * for a real VM. The shared BAR0 pages are the guest's own mapping of the port region, so doorbell writes land in
 * memory the sidecore polls, with no trap.
 * <p>
 * The guest thread waits for the sidecore's answer by spinning, as a vCPU stuck in a VM exit does on the guests'
 * dedicated core: yielding would hand the core to whatever else is runnable and turn a microsecond round trip into
 * a scheduler time slice. The wait is bounded by the engine's command timeout. Nothing is allocated.
 */
public final class ProxyDeviceAccess implements DeviceAccess
{
    private final EngineProxy proxy;
    private final Port port;
    private final AtomicBuffer sharedBar0;
    private final int sharedPages;
    private final long timeoutNs;
    // Written by the guest thread only; read by whoever reports on the run.
    private volatile long accesses;
    private volatile long waitNs;

    /**
     * @param proxy       the engine's proxy.
     * @param port        the guest's port.
     * @param sharedBar0  the guest's view of the BAR0 image in the port region (offset 0 = BAR0 offset 0).
     * @param sharedPages bitmap of BAR0 pages mapped into the guest, from the region header.
     * @param timeoutNs   how long to wait for the sidecore before failing the access.
     */
    public ProxyDeviceAccess(
        final EngineProxy proxy,
        final Port port,
        final AtomicBuffer sharedBar0,
        final int sharedPages,
        final long timeoutNs)
    {
        this.proxy = proxy;
        this.port = port;
        this.sharedBar0 = sharedBar0;
        this.sharedPages = sharedPages;
        this.timeoutNs = timeoutNs;
    }

    /**
     * {@inheritDoc}
     */
    public int configRead(final int offset, final int sizeBytes)
    {
        return access(TrappedAccess.CONFIG_SPACE, false, offset, sizeBytes, 0);
    }

    /**
     * {@inheritDoc}
     */
    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        access(TrappedAccess.CONFIG_SPACE, true, offset, sizeBytes, value);
    }

    /**
     * {@inheritDoc}
     */
    public int bar0Read(final int offset)
    {
        return access(TrappedAccess.MMIO_SPACE, false, offset, Integer.BYTES, 0);
    }

    /**
     * {@inheritDoc}
     */
    public void bar0Write(final int offset, final int value)
    {
        access(TrappedAccess.MMIO_SPACE, true, offset, Integer.BYTES, value);
    }

    /**
     * {@inheritDoc}
     */
    public int ioRead(final int offset)
    {
        return access(TrappedAccess.IO_SPACE, false, offset, Integer.BYTES, 0);
    }

    /**
     * {@inheritDoc}
     */
    public void ioWrite(final int offset, final int value)
    {
        access(TrappedAccess.IO_SPACE, true, offset, Integer.BYTES, value);
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
        DeviceAccess.realTimeDelay(durationNs);
    }

    /**
     * @return trapped accesses made so far.
     */
    public long accesses()
    {
        return accesses;
    }

    /**
     * @return time the guest thread spent waiting for the sidecore to take and answer its trapped accesses, in ns:
     *         what a vCPU stuck in the exit would lose.
     */
    public long waitNs()
    {
        return waitNs;
    }

    private int access(
        final int space, final boolean write, final int offset, final int sizeBytes, final int value)
    {
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + timeoutNs;
        TrappedAccess access;
        while (null == (access = proxy.offerAccess(port, space, write, offset, sizeBytes, value)))
        {
            // The slot is in use (an abandoned access not yet executed) or the command queue is full.
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("sidecore did not take a trapped access within " + timeoutNs +
                    " ns: port " + port.name() + " offset 0x" + Integer.toHexString(offset));
            }
            Thread.onSpinWait();
        }
        while (!access.isComplete())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                access.abandon();
                throw new IllegalStateException("sidecore did not answer a trapped access within " + timeoutNs +
                    " ns: port " + port.name() + " offset 0x" + Integer.toHexString(offset));
            }
            Thread.onSpinWait();
        }
        final Exception failure = access.failure();
        final int result = access.result();
        access.end();
        accesses++;
        waitNs += System.nanoTime() - startNs;
        if (null != failure)
        {
            throw new IllegalStateException("trapped access failed: port " + port.name() + " offset 0x" +
                Integer.toHexString(offset), failure);
        }
        return result;
    }
}
