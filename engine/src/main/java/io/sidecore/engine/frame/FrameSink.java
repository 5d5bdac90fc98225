package io.sidecore.engine.frame;

import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;

/**
 * Where a frame goes: the one hand-off of the data path. Implemented by a port's transmit side (the device's TX
 * output, which passes the frame to the port's capture and backend), by every backend (the built-in switch's
 * {@code SwitchBackend}, a TAP, a capture file, a loopback cable), and by a port's receive side (the capture, then
 * the device's RX path into the guest's ring).
 * <p>
 * <b>Accounting.</b> Every frame handed to a sink is delivered, or dropped and counted once under one named drop
 * counter by the sink that dropped it (never also by its caller). {@link #onFrame} says which: {@link #DELIVERED},
 * or the id of the {@link PortCounter} the drop was counted under ({@link #dropReason}). "Delivered" means the frame
 * reached its destination or was handed on to the next part that accounts for it (a TAP took it, the switch queued
 * it for another sidecore, a flooded frame reached at least one destination, each of which accounts for its copy).
 * <p>
 * <b>Threads and buffers.</b> Called on the agent thread that owns the port; never blocks. The bytes and the
 * metadata are valid only during the call: a sink that keeps a frame copies it. Frames carry no FCS.
 */
public interface FrameSink
{
    /** {@link #onFrame} outcome of a frame that was delivered (or handed on to whoever accounts for it next). */
    int DELIVERED = -1;

    /**
     * Take one frame.
     *
     * @param frame       buffer holding the frame.
     * @param offset      offset of the first byte.
     * @param lengthBytes frame length without FCS.
     * @param metadata    what the producer knows of the frame (checksum state, GSO, VLAN tag); offload work is
     *                    left in it only for a sink whose {@link #acceptsOffload()} is true.
     * @param nowNs       the agent's time for this duty cycle.
     * @return {@link #DELIVERED}, or the {@link PortCounter#id()} of the drop counter the frame was counted under.
     */
    int onFrame(DirectBuffer frame, int offset, int lengthBytes, FrameMetadata metadata, long nowNs);

    /**
     * Does this sink take whole frames with offload work left in their metadata (TCP segmentation, a partial
     * transport checksum), like a TAP with {@code IFF_VNET_HDR}? When false, producers hand it only frames whose
     * metadata {@link FrameMetadata#isComplete() is complete}. A transmitting device asks once per TX pass, so a
     * sink's answer must not change while a pass runs (a backend's follows its configuration, which changes between
     * passes; the device's own transmit path asks per frame where the guest can loop it back mid-pass).
     *
     * @return true if offload frames may be handed to it.
     */
    default boolean acceptsOffload()
    {
        return false;
    }

    /**
     * @param outcome what {@link #onFrame} returned.
     * @return true if the frame was delivered.
     */
    static boolean isDelivered(final int outcome)
    {
        return DELIVERED == outcome;
    }

    /**
     * @param outcome what {@link #onFrame} returned.
     * @return the drop counter the frame was counted under, or null when it was delivered.
     */
    static PortCounter dropReason(final int outcome)
    {
        return DELIVERED == outcome ? null : PortCounter.byId(outcome);
    }

    /**
     * @param reason the drop counter a sink has just counted a frame under.
     * @return the outcome naming it.
     */
    static int dropped(final PortCounter reason)
    {
        return reason.id();
    }
}
