package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.FrameSink;

/**
 * What a port is connected to: the built-in L2 switch, a TAP device, a capture file, or a null sink/source.
 * <p>
 * As a {@link FrameSink} it takes the frames the port's guest transmits. {@link #poll} moves frames arriving from
 * the backend side into the guest (through {@link E1000Device#receive}), bounded by a budget so one port cannot
 * starve others. All methods run on the agent thread that owns the port and never block.
 */
public interface PortBackend extends FrameSink
{
    /**
     * Move up to {@code frameBudget} frames from the backend into the guest.
     *
     * @param nowNs       current time.
     * @param device      the port's device (destination of received frames).
     * @param frameBudget bound on frames moved in this call.
     * @return frames moved or dropped (work count).
     */
    int poll(long nowNs, E1000Device device, int frameBudget);

    /**
     * Release OS resources (file descriptors, files). Called once, on the agent thread, when the port is removed.
     */
    void close();

    /**
     * @return short type name for tools ("switch", "tap", "capture", "null").
     */
    String typeName();
}
