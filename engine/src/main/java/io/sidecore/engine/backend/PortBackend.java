package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.YieldSignal;

import io.sidecore.engine.frame.FrameSink;

/**
 * What a port is connected to: the built-in L2 switch, a TAP device, a capture file, a loopback cable, or a null
 * sink/source.
 * <p>
 * As a {@link FrameSink} it takes the frames the port's guest transmits (after the port's capture has seen them).
 * {@link #poll} moves frames arriving from the backend's side towards the guest into the sink it is given, the
 * port's receive side, bounded by a budget so one port cannot starve others. A backend knows nothing of the device
 * behind the port. All methods run on the agent thread that owns the port and never block.
 */
public interface PortBackend extends FrameSink
{
    /**
     * Move frames from the backend towards the guest: up to {@code frameBudget} frames and about
     * {@code byteBudget} bytes, counted as handed to the guest (after any segmentation the backend does), so that
     * whatever arrives, one poll costs at most its budget. A backend that cuts a super-frame short goes on with it
     * in the next poll.
     *
     * @param nowNs       the agent's time for this duty cycle.
     * @param toGuest     where frames for the guest go: the port's receive side, which accounts for each of them.
     * @param frameBudget bound on frames handed to the guest (or dropped) in this call.
     * @param byteBudget  bound on bytes handed to the guest in this call (it may be passed by one frame).
     * @return frames moved or dropped (work count).
     */
    int poll(long nowNs, FrameSink toGuest, int frameBudget, long byteBudget);

    /**
     * {@link #poll(long, FrameSink, int, long)} with no byte bound.
     *
     * @param nowNs       the agent's time for this duty cycle.
     * @param toGuest     where frames for the guest go.
     * @param frameBudget bound on frames handed to the guest (or dropped) in this call.
     * @return frames moved or dropped (work count).
     */
    default int poll(final long nowNs, final FrameSink toGuest, final int frameBudget)
    {
        return poll(nowNs, toGuest, frameBudget, Long.MAX_VALUE);
    }

    /**
     * Whether the backend's side has carrier, for the port's link (a TAP whose interface is down or has no carrier
     * does not). Cheap enough to be asked every pass; a backend that has to ask the kernel does so at most every few
     * milliseconds of {@code nowNs}.
     *
     * @param nowNs the agent's time for this duty cycle.
     * @return true when frames can go through.
     */
    default boolean hasCarrier(final long nowNs)
    {
        return true;
    }

    /**
     * Release OS resources (file descriptors, files). Called once, on the agent thread, when the port is removed.
     */
    void close();

    /**
     * @return short type name for tools ("switch", "tap", "capture", "loopback", "null").
     */
    String typeName();

    /**
     * @return true if every {@link #poll} asks the kernel (a TAP's read, a system call of a few hundred ns to a
     *         microsecond even when nothing is there), so the agent charges an idle poll to this port's time
     *         ({@code cpu_ns}, fairness by time) instead of to the next port that works.
     */
    default boolean pollsTheKernel()
    {
        return false;
    }

    /**
     * @param signal asked between frames of a {@link #poll} whether another thread waits for the sidecore (the
     *               TX pass's signal: a guest's trapped access while this port's pass is a dear one); a backend whose
     *               input can cost a pass more than a few frames stops early when it is raised, after
     *               {@code YIELD_AFTER_FRAMES} frames, and goes on in the next poll. Agent thread. None by default.
     */
    default void yieldInputWhen(final YieldSignal signal)
    {
    }

    /**
     * @return true if {@link #poll} never delivers a frame and {@link #hasCarrier} never changes (frames for the
     *         port are pushed into its receive side by someone else, as the switch does), so a port with nothing
     *         else to do need not poll this backend at all. False unless a backend knows it.
     */
    default boolean pollsNothing()
    {
        return false;
    }
}
