package io.sidecore.engine.proxy;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.port.Port;

/**
 * The preallocated, reusable request slot for trapped register accesses to one port (PCI configuration space,
 * BAR0 outside the shared pages, the BAR1 I/O window). The VMM's socket thread for the port fills it, offers it to
 * the owning sidecore and waits for the reply; the sidecore executes it against the device within its next duty
 * cycle. Nothing is allocated on either side.
 * <p>
 * One request at a time per port: a second thread trying to start a request while one is in flight is refused
 * ({@link #tryBegin} returns false) and retries. A requester that gave up waiting marks the slot abandoned, so the
 * next requester can reclaim it once the sidecore has completed the old request.
 * <p>
 * An access carries its size (1, 2, 4 or 8 bytes) and is carried out as {@link E1000Device} describes for its space;
 * one the device refuses (misaligned, straddling a register, a size the space does not take, out of range) reads 0,
 * changes nothing, is counted by the device, and is reported through {@link #isRejected()} so that the VMM's server
 * can answer it with an error.
 */
public final class TrappedAccess extends SidecoreCommand
{
    /** PCI configuration space. */
    public static final int CONFIG_SPACE = 0;
    /** BAR0, memory-mapped registers. */
    public static final int MMIO_SPACE = 1;
    /** BAR1, the IOADDR/IODATA window. */
    public static final int IO_SPACE = 2;

    private final Port port;
    private volatile boolean abandoned;
    private int space;
    private boolean write;
    private int offset;
    private int sizeBytes;
    private long value;
    private long result;
    private boolean rejected;

    public TrappedAccess(final Port port)
    {
        this.port = port;
        state(IDLE);
    }

    /**
     * Claim the slot and fill in a request of at most 4 bytes. Requester thread.
     *
     * @param space     {@link #CONFIG_SPACE}, {@link #MMIO_SPACE} or {@link #IO_SPACE}.
     * @param write     true for a write.
     * @param offset    byte offset in the space.
     * @param sizeBytes access size.
     * @param value     value to write (the low {@code sizeBytes} bytes).
     * @return false if another request is in flight.
     */
    public boolean tryBegin(
        final int space, final boolean write, final int offset, final int sizeBytes, final int value)
    {
        return tryBegin(space, write, offset, sizeBytes, value & 0xFFFF_FFFFL);
    }

    /**
     * Claim the slot and fill in a request. Requester thread.
     *
     * @param space     {@link #CONFIG_SPACE}, {@link #MMIO_SPACE} or {@link #IO_SPACE}.
     * @param write     true for a write.
     * @param offset    byte offset in the space.
     * @param sizeBytes access size: 1, 2 or 4 (configuration space and BAR1), or 8 as well (BAR0).
     * @param value     value to write (the low {@code sizeBytes} bytes).
     * @return false if another request is in flight.
     */
    public boolean tryBegin(
        final int space, final boolean write, final int offset, final int sizeBytes, final long value)
    {
        if (!compareAndSetState(IDLE, QUEUED))
        {
            final int current = state();
            if (!abandoned || (DONE != current && FAILED != current) || !compareAndSetState(current, QUEUED))
            {
                return false;
            }
            abandoned = false;
        }
        this.space = space;
        this.write = write;
        this.offset = offset;
        this.sizeBytes = sizeBytes;
        this.value = value;
        this.result = 0;
        this.rejected = false;
        return true;
    }

    /**
     * @return the value read (its low 32 bits); valid after {@link #isComplete()} of a read.
     */
    public int result()
    {
        return (int)result;
    }

    /**
     * @return the bytes read, zero-extended (all 8 of an 8-byte read); valid after {@link #isComplete()} of a read.
     */
    public long resultBytes()
    {
        return result;
    }

    /**
     * @return true if the device refused the access (see the class description); valid after {@link #isComplete()}.
     */
    public boolean isRejected()
    {
        return rejected;
    }

    /**
     * @return the access size.
     */
    public int sizeBytes()
    {
        return sizeBytes;
    }

    /**
     * Release the slot after reading the outcome. Requester thread.
     */
    public void end()
    {
        state(IDLE);
    }

    /**
     * Give up waiting: the sidecore will still execute the request, and the next {@link #tryBegin} may reclaim the
     * slot once it has. Requester thread.
     */
    public void abandon()
    {
        abandoned = true;
    }

    /**
     * A trapped write wakes its own port ({@code Port#syncDoorbells}); a read gives no port work.
     */
    @Override
    public boolean mayWakePorts()
    {
        return false;
    }

    /**
     * @return the port the slot belongs to.
     */
    public Port port()
    {
        return port;
    }

    void run(final SidecoreAgent agent, final long nowNs)
    {
        requireServedBy(agent, port);
        final E1000Device device = port.device();
        if (write && CONFIG_SPACE != space)
        {
            // A tail the guest stored through the mapped page before this write came through the shared page (or is
            // a CSB kick), even when this write reaches the sidecore before its next pass has looked (it takes
            // commands first): count it now, since the write's own resynchronisation below takes whatever the page
            // then holds as seen. (A store another vCPU makes while this write runs is still taken uncounted.)
            port.takeGuestTails(nowNs);
        }
        switch (space)
        {
            case CONFIG_SPACE:
                rejected = !E1000Device.isValidConfigAccess(offset, sizeBytes);
                if (write)
                {
                    device.configWrite(offset, sizeBytes, (int)value);
                }
                else
                {
                    result = device.configRead(offset, sizeBytes) & 0xFFFF_FFFFL;
                }
                break;

            case MMIO_SPACE:
                rejected = !E1000Device.isValidBar0Access(offset, sizeBytes);
                if (write)
                {
                    device.mmioWrite(offset, sizeBytes, value, nowNs);
                }
                else
                {
                    result = device.mmioRead(offset, sizeBytes, nowNs);
                }
                break;

            case IO_SPACE:
                rejected = !E1000Device.isValidBar1Access(offset, sizeBytes);
                if (write)
                {
                    device.ioWrite(offset, sizeBytes, value, nowNs);
                }
                else
                {
                    result = device.ioRead(offset, sizeBytes, nowNs);
                }
                break;

            default:
                throw new IllegalArgumentException("unknown access space: " + space);
        }
        if (write && CONFIG_SPACE != space)
        {
            port.syncDoorbells();
        }
    }
}
