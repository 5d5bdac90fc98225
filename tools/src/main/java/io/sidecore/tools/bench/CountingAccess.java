package io.sidecore.tools.bench;

import io.sidecore.tools.guest.DeviceAccess;
import org.agrona.concurrent.AtomicBuffer;

/**
 * A device as a benchmark guest reaches it, counting its trapped accesses, in one of the two doorbell modes:
 * <ul>
 *   <li>polling: the shared BAR0 pages (the TDT and RDT doorbells) stay mapped, every other access traps;</li>
 *   <li>trap baseline: the same device and connection, but no BAR0 page is mapped, so every register access, the
 *       doorbells included, goes as a trapped access over the socket and is waited for, as QEMU sends it when a
 *       region's pages are not mapped (and as an out-of-process emulator without shared doorbells works). The driver
 *       writes TDT and RDT at exactly the points it writes them in polling mode.</li>
 * </ul>
 */
final class CountingAccess implements DeviceAccess
{
    private final DeviceAccess device;
    private final boolean trapDoorbells;
    private long trappedAccesses;

    /**
     * @param device        the attached device.
     * @param trapDoorbells true for the trap baseline.
     */
    CountingAccess(final DeviceAccess device, final boolean trapDoorbells)
    {
        this.device = device;
        this.trapDoorbells = trapDoorbells;
    }

    public int configRead(final int offset, final int sizeBytes)
    {
        trappedAccesses++;
        return device.configRead(offset, sizeBytes);
    }

    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        trappedAccesses++;
        device.configWrite(offset, sizeBytes, value);
    }

    public int bar0Read(final int offset)
    {
        trappedAccesses++;
        return device.bar0Read(offset);
    }

    public void bar0Write(final int offset, final int value)
    {
        trappedAccesses++;
        device.bar0Write(offset, value);
    }

    public int ioRead(final int offset)
    {
        trappedAccesses++;
        return device.ioRead(offset);
    }

    public void ioWrite(final int offset, final int value)
    {
        trappedAccesses++;
        device.ioWrite(offset, value);
    }

    public int sharedPages()
    {
        return trapDoorbells ? 0 : device.sharedPages();
    }

    public AtomicBuffer sharedBar0()
    {
        return trapDoorbells ? null : device.sharedBar0();
    }

    public void wakeHost(final int doorbellOffset)
    {
        device.wakeHost(doorbellOffset);
    }

    public void delay(final long durationNs)
    {
        device.delay(durationNs);
    }

    /**
     * @return trapped accesses sent so far (the guest's thread).
     */
    long trappedAccesses()
    {
        return trappedAccesses;
    }
}
