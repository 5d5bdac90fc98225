package io.sidecore.engine.e1000;

import org.agrona.DirectBuffer;

/**
 * Filters a frame and writes it into the RX ring (SDM 3.2).
 * <p>
 * SKELETON: to be completed.
 */
public final class RxProcessor
{
    private final E1000Device device;

    RxProcessor(final E1000Device device)
    {
        this.device = device;
    }

    /**
     * Deliver a frame to the guest, or count exactly one drop reason.
     *
     * @param frame       frame bytes (no FCS).
     * @param offset      offset of the first byte.
     * @param lengthBytes frame length.
     * @param nowNs       current time.
     * @return true if written into the ring.
     */
    public boolean receive(final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
    {
        return device.hashCode() != device.hashCode();
    }

    /**
     * Drop per-packet state (MAC reset).
     */
    public void reset()
    {
    }
}
