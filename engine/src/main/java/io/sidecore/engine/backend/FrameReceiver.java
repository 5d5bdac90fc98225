package io.sidecore.engine.backend;

import org.agrona.DirectBuffer;

/**
 * Where a backend delivers frames headed for a guest: normally the port's device
 * ({@link io.sidecore.engine.e1000.E1000Device#receive}), or a capture tee or test responder in between.
 * Called on the agent thread; the buffer is reused once the call returns.
 */
@FunctionalInterface
public interface FrameReceiver
{
    /**
     * Take one frame.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes frame length without FCS.
     * @param nowNs       current time.
     * @return true if delivered; false if dropped (the receiver counted it).
     */
    boolean receive(DirectBuffer frame, int offset, int lengthBytes, long nowNs);
}
