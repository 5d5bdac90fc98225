package io.sidecore.engine.l2;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import org.agrona.DirectBuffer;

/**
 * Connects a port to the built-in {@link L2Switch}: the frames its guest transmits are switched at once, from the
 * guest's TX scratch into the destination guests' RX buffers. Frames for this port are pushed into its receive side
 * by the switch (by the transmitting port's pass, or by the drain of a cross-sidecore ring), so {@link #poll} has
 * nothing to do.
 */
public final class SwitchBackend implements PortBackend
{
    /** {@link #typeName()} of this backend. */
    public static final String TYPE_NAME = "switch";

    private final L2Switch l2Switch;
    private final int slot;

    /**
     * @param l2Switch the owning sidecore's part of the switch.
     * @param slot     the port's global switch slot.
     */
    public SwitchBackend(final L2Switch l2Switch, final int slot)
    {
        this.l2Switch = l2Switch;
        this.slot = slot;
    }

    /**
     * {@inheritDoc}
     */
    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        return l2Switch.forward(slot, frame, offset, lengthBytes, metadata);
    }

    /**
     * {@inheritDoc}
     */
    public boolean pollsNothing()
    {
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        return 0;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }

    /**
     * {@inheritDoc}
     */
    public String typeName()
    {
        return TYPE_NAME;
    }

    /**
     * @return the port's global switch slot.
     */
    public int slot()
    {
        return slot;
    }
}
