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
    private int value;
    private int result;

    public TrappedAccess(final Port port)
    {
        this.port = port;
    }

    /**
     * Claim the slot and fill in a request. Requester thread.
     *
     * @param space     {@link #CONFIG_SPACE}, {@link #MMIO_SPACE} or {@link #IO_SPACE}.
     * @param write     true for a write.
     * @param offset    byte offset in the space.
     * @param sizeBytes access size (configuration space: 1, 2 or 4; otherwise 4).
     * @param value     value to write.
     * @return false if another request is in flight.
     */
    public boolean tryBegin(
        final int space, final boolean write, final int offset, final int sizeBytes, final int value)
    {
        if (!compareAndSetState(IDLE, PENDING))
        {
            final int current = state();
            if (!abandoned || (DONE != current && FAILED != current) || !compareAndSetState(current, PENDING))
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
        return true;
    }

    /**
     * @return the value read; valid after {@link #isComplete()} of a read.
     */
    public int result()
    {
        return result;
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
        switch (space)
        {
            case CONFIG_SPACE:
                if (write)
                {
                    device.configWrite(offset, sizeBytes, value);
                }
                else
                {
                    result = device.configRead(offset, sizeBytes);
                }
                break;

            case MMIO_SPACE:
                if (write)
                {
                    device.mmioWrite(offset, value, nowNs);
                }
                else
                {
                    result = device.mmioRead(offset, nowNs);
                }
                break;

            case IO_SPACE:
                if (write)
                {
                    device.ioWrite(offset, value, nowNs);
                }
                else
                {
                    result = device.ioRead(offset, nowNs);
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
