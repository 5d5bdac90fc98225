package io.sidecore.engine.e1000;

import org.agrona.DirectBuffer;

/**
 * Where a port's transmitted frames go: the L2 switch, a TAP device, a capture file, a test wire.
 * <p>
 * Called on the agent thread. The buffer is the port's scratch and is reused as soon as the call returns, so a
 * sink copies what it keeps. Frames have no FCS.
 */
public interface FrameSink
{
    /**
     * A complete Ethernet frame (TSO already segmented, checksums already inserted).
     *
     * @param sourcePortId port that transmitted it.
     * @param frame        buffer holding the frame.
     * @param offset       offset of the first byte.
     * @param lengthBytes  frame length without FCS.
     */
    void onFrame(int sourcePortId, DirectBuffer frame, int offset, int lengthBytes);

    /**
     * Does this sink take whole offload frames through {@link #onOffloadFrame} (like a TAP with IFF_VNET_HDR),
     * so the device need not segment TSO packets or insert checksums itself?
     *
     * @return true if {@link #onOffloadFrame} should be used.
     */
    default boolean acceptsOffload()
    {
        return false;
    }

    /**
     * A whole frame whose TSO segmentation and/or checksum insertion is left to the sink, as described by
     * {@code offload}. Only called when {@link #acceptsOffload()} is true.
     *
     * @param sourcePortId port that transmitted it.
     * @param frame        buffer holding the frame.
     * @param offset       offset of the first byte.
     * @param lengthBytes  frame length.
     * @param offload      what remains to be done; valid only during the call.
     */
    default void onOffloadFrame(
        final int sourcePortId,
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes,
        final TxOffloadInfo offload)
    {
        throw new UnsupportedOperationException("sink does not accept offload frames");
    }
}
