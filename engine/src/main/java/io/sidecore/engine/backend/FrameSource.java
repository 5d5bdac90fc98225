package io.sidecore.engine.backend;

/**
 * A backend whose guest-bound frames can be delivered to any {@link FrameReceiver}, not only to the device: lets a
 * {@link CaptureTap} see both directions and lets tests stand in for a guest.
 */
public interface FrameSource
{
    /**
     * Move up to {@code frameBudget} frames from the backend to {@code receiver}.
     *
     * @param nowNs       current time.
     * @param receiver    destination.
     * @param frameBudget bound on frames moved in this call.
     * @return frames moved or dropped (work count).
     */
    int pollInto(long nowNs, FrameReceiver receiver, int frameBudget);
}
