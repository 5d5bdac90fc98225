package io.sidecore.engine.l2;

import org.agrona.DirectBuffer;

/**
 * A local switch port as the switch sees it: somewhere a frame is copied into. For a guest port this is the
 * device's receive path, which copies the frame into the guest's RX buffers and counts any drop itself (ring full,
 * filtered, ...), so the switch never blocks and never counts a destination's drop twice.
 */
public interface FrameDestination
{
    /**
     * Copy a frame into the destination. Called on the owning agent thread; never blocks.
     *
     * @param frame       frame bytes, valid only during the call.
     * @param offset      first byte.
     * @param lengthBytes frame length without FCS.
     * @param nowNs       current time.
     * @return true if delivered, false if dropped (and counted by the destination).
     */
    boolean receive(DirectBuffer frame, int offset, int lengthBytes, long nowNs);
}
