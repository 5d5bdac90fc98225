package io.sidecore.bench.fuzz;

import io.sidecore.bench.demo.ProxyDeviceAccess;
import io.sidecore.tools.guest.DeviceAccess;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An honest guest's trapped accesses in the isolation rig, each timed and its wait split by what the rig's sidecore
 * thread was doing meanwhile ({@link PassLedger}): inside which sidecore's duty cycle, or neither. An access to a
 * port of sidecore 0 that waited inside sidecore 1's passes waited for work a daemon does on another core.
 * Counters are written by the guest thread only and read by the measuring thread.
 */
final class AttributedAccess implements DeviceAccess
{
    private final ProxyDeviceAccess delegate;
    private final PassLedger ledger;
    private final long[] beforeNs;
    private final AtomicLongArray waitInPassNs;
    private volatile long accesses;
    private volatile long waitNs;

    AttributedAccess(final ProxyDeviceAccess delegate, final PassLedger ledger)
    {
        this.delegate = delegate;
        this.ledger = ledger;
        this.beforeNs = new long[ledger.sidecores()];
        this.waitInPassNs = new AtomicLongArray(ledger.sidecores());
    }

    /**
     * @return trapped accesses so far.
     */
    long accesses()
    {
        return accesses;
    }

    /**
     * @return time spent waiting for them, ns.
     */
    long waitNs()
    {
        return waitNs;
    }

    /**
     * @param sidecore a sidecore's index.
     * @return the part of {@link #waitNs()} during which the rig's sidecore thread ran that sidecore's duty cycles.
     */
    long waitInPassNs(final int sidecore)
    {
        return waitInPassNs.get(sidecore);
    }

    private long start()
    {
        final long startNs = System.nanoTime();
        for (int i = 0; i < beforeNs.length; i++)
        {
            beforeNs[i] = ledger.inPassNs(i, startNs);
        }
        return startNs;
    }

    private void finish(final long startNs)
    {
        final long endNs = System.nanoTime();
        for (int i = 0; i < beforeNs.length; i++)
        {
            waitInPassNs.set(i, waitInPassNs.get(i) + ledger.inPassNs(i, endNs) - beforeNs[i]);
        }
        accesses++;
        waitNs += endNs - startNs;
    }

    public int configRead(final int offset, final int sizeBytes)
    {
        final long startNs = start();
        final int value = delegate.configRead(offset, sizeBytes);
        finish(startNs);
        return value;
    }

    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        final long startNs = start();
        delegate.configWrite(offset, sizeBytes, value);
        finish(startNs);
    }

    public int bar0Read(final int offset)
    {
        final long startNs = start();
        final int value = delegate.bar0Read(offset);
        finish(startNs);
        return value;
    }

    public void bar0Write(final int offset, final int value)
    {
        final long startNs = start();
        delegate.bar0Write(offset, value);
        finish(startNs);
    }

    public int ioRead(final int offset)
    {
        final long startNs = start();
        final int value = delegate.ioRead(offset);
        finish(startNs);
        return value;
    }

    public void ioWrite(final int offset, final int value)
    {
        final long startNs = start();
        delegate.ioWrite(offset, value);
        finish(startNs);
    }

    public int sharedPages()
    {
        return delegate.sharedPages();
    }

    public AtomicBuffer sharedBar0()
    {
        return delegate.sharedBar0();
    }

    public void delay(final long durationNs)
    {
        delegate.delay(durationNs);
    }
}
