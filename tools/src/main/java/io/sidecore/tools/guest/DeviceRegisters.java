package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The driver's view of BAR0 and BAR1, as Linux's {@code er32}/{@code ew32}/{@code E1000_WRITE_FLUSH} see it. A
 * register in a page the port shares is a plain memory access into the shared view (no VM exit); every other access
 * traps through {@link DeviceAccess}. Counts both, so a benchmark can report the exits a guest caused.
 */
public final class DeviceRegisters
{
    private final DeviceAccess access;
    private final AtomicBuffer sharedView;
    private final int sharedPages;
    private long trappedReads;
    private long trappedWrites;
    private long sharedReads;
    private long sharedWrites;
    private long ioAccesses;

    /**
     * @param access the device.
     */
    public DeviceRegisters(final DeviceAccess access)
    {
        this.access = access;
        final AtomicBuffer view = access.sharedBar0();
        if (null != view && view.capacity() < E1000Registers.BAR0_LENGTH)
        {
            throw new IllegalArgumentException("shared BAR0 view too short: capacity=" + view.capacity() +
                " required=" + E1000Registers.BAR0_LENGTH);
        }
        this.sharedView = view;
        this.sharedPages = null == view ? 0 : access.sharedPages();
    }

    /**
     * @param offset BAR0 byte offset.
     * @return true if the register lives in a page mapped into the guest.
     */
    public boolean isShared(final int offset)
    {
        return 0 != sharedPages && PortRegionDescriptor.isShared(sharedPages, offset);
    }

    /**
     * {@code er32}: read a register.
     *
     * @param offset BAR0 byte offset.
     * @return the value.
     */
    public int read(final int offset)
    {
        if (isShared(offset))
        {
            sharedReads++;
            return sharedView.getIntVolatile(offset);
        }
        trappedReads++;
        return access.bar0Read(offset);
    }

    /**
     * {@code ew32}/{@code writel}: write a register. Into a shared page this is a release store, so descriptor
     * writes that precede a doorbell are visible to the device before the doorbell (Linux's {@code wmb()}).
     *
     * @param offset BAR0 byte offset.
     * @param value  the value.
     */
    public void write(final int offset, final int value)
    {
        if (isShared(offset))
        {
            sharedWrites++;
            sharedView.putIntRelease(offset, value);
            return;
        }
        trappedWrites++;
        access.bar0Write(offset, value);
    }

    /**
     * {@code E1000_WRITE_FLUSH}: read STATUS so posted writes reach the device.
     */
    public void flush()
    {
        read(E1000Registers.STATUS);
    }

    /**
     * {@code E1000_WRITE_REG_IO}: IOADDR = register, IODATA = value (SDM 13.2; the 82540 is reset this way).
     *
     * @param offset BAR0 register the I/O window selects.
     * @param value  value written through IODATA.
     */
    public void writeThroughIo(final int offset, final int value)
    {
        ioAccesses += 2;
        access.ioWrite(E1000Registers.IOADDR, offset);
        access.ioWrite(E1000Registers.IODATA, value);
    }

    /**
     * {@code udelay}/{@code msleep}.
     *
     * @param durationNs how long.
     */
    public void delay(final long durationNs)
    {
        access.delay(durationNs);
    }

    /**
     * @return the device.
     */
    public DeviceAccess access()
    {
        return access;
    }

    /**
     * @return the shared BAR0 view or null.
     */
    public AtomicBuffer sharedView()
    {
        return sharedView;
    }

    /**
     * @return register reads that trapped (VM exits).
     */
    public long trappedReads()
    {
        return trappedReads;
    }

    /**
     * @return register writes that trapped (VM exits).
     */
    public long trappedWrites()
    {
        return trappedWrites;
    }

    /**
     * @return reads served from a shared page.
     */
    public long sharedReads()
    {
        return sharedReads;
    }

    /**
     * @return writes into a shared page.
     */
    public long sharedWrites()
    {
        return sharedWrites;
    }

    /**
     * @return BAR1 accesses.
     */
    public long ioAccesses()
    {
        return ioAccesses;
    }
}
