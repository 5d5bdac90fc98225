package io.sidecore.tools.guest;

import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.locks.LockSupport;

/**
 * How the guest driver model reaches its NIC: what a VMM gives a guest. Configuration space, BAR0 (memory) and BAR1
 * (I/O) accesses that trap, and optionally a view of the BAR0 pages the port shares with the guest, whose accesses
 * do not trap (the exitless doorbell pages).
 * <p>
 * Implementations: an adapter straight over a device model (engine tests), a vfio-user client or shared memory plus
 * eventfds (the synthetic guest of the demo and benchmarks). Interrupts are delivered by calling
 * {@link GuestDriverModel#onInterrupt()}; the access object itself only carries register traffic.
 */
public interface DeviceAccess
{
    /** The shortest driver wait that {@link #realTimeDelay} lets pass in real time: an {@code msleep}. */
    long REAL_TIME_WAIT_THRESHOLD_NS = 1_000_000L;

    /**
     * {@link #delay} for an access over a device that runs on its own clock (a daemon's sidecore): waits of a
     * millisecond or more (Linux {@code msleep}: a reset settling, the link polled while autonegotiation runs) pass in
     * real time, so the device's timers can run; shorter ones (the {@code udelay} between register bit-bangs, which
     * the device answers at once) do not, so an EEPROM read stays fast.
     *
     * @param durationNs how long the driver waits.
     */
    static void realTimeDelay(final long durationNs)
    {
        if (durationNs >= REAL_TIME_WAIT_THRESHOLD_NS)
        {
            LockSupport.parkNanos(durationNs);
        }
    }

    /**
     * Read PCI configuration space.
     *
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @return the value, zero-extended.
     */
    int configRead(int offset, int sizeBytes);

    /**
     * Write PCI configuration space.
     *
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @param value     value; only the low {@code sizeBytes} bytes are meaningful.
     */
    void configWrite(int offset, int sizeBytes, int value);

    /**
     * Trapped 32-bit read of a BAR0 register.
     *
     * @param offset BAR0 byte offset.
     * @return the value.
     */
    int bar0Read(int offset);

    /**
     * Trapped 32-bit write of a BAR0 register.
     *
     * @param offset BAR0 byte offset.
     * @param value  the value.
     */
    void bar0Write(int offset, int value);

    /**
     * 32-bit read of BAR1 (I/O): IOADDR at 0, IODATA at 4.
     *
     * @param offset BAR1 byte offset.
     * @return the value.
     */
    int ioRead(int offset);

    /**
     * 32-bit write of BAR1 (I/O).
     *
     * @param offset BAR1 byte offset.
     * @param value  the value.
     */
    void ioWrite(int offset, int value);

    /**
     * Which BAR0 pages are mapped into the guest rather than trapped (bit n = page n, as in
     * {@code PortRegionDescriptor.SHARED_PAGES_FIELD_OFFSET}). Only meaningful with {@link #sharedBar0()}.
     *
     * @return the shared-page bitmap; 0 when every access traps.
     */
    default int sharedPages()
    {
        return 0;
    }

    /**
     * The shared view of BAR0: offset 0 is BAR0 offset 0. Accesses to a page in {@link #sharedPages()} go through
     * this buffer (plain loads and release stores, no trap).
     *
     * @return the view, or null when nothing is shared.
     */
    default AtomicBuffer sharedBar0()
    {
        return null;
    }

    /**
     * A CSB-mode kick was just written into a shared doorbell page ({@code CsbDescriptor}: the host asked for it
     * through {@code host_need_txkick}/{@code host_need_rxkick} because it may have stopped polling). An access whose
     * host can park wakes it here (the port's kick eventfd); a trapped doorbell write needs no extra signal.
     *
     * @param doorbellOffset TDT or RDT.
     */
    default void wakeHost(final int doorbellOffset)
    {
    }

    /**
     * The driver waits (Linux {@code udelay}/{@code msleep}) for the device to settle: a reset to complete, an MDIC
     * or EEPROM clock edge, autonegotiation. An access over a device with an injected clock advances that clock and
     * runs the device's timers; a remote access may sleep or return at once.
     *
     * @param durationNs how long the driver waits.
     */
    default void delay(final long durationNs)
    {
    }
}
