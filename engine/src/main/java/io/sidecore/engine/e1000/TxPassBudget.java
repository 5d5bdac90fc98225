package io.sidecore.engine.e1000;

/**
 * What one TX pass over a port may still do: frames produced (every frame, each TSO segment included), bytes of
 * frames produced, and bytes copied out of guest memory into the staging buffer. The transmit path asks
 * {@link #hasRoom()} before every descriptor and every TSO segment and charges what each did, so a pass stops within
 * one descriptor (at most 64 KiB staged) or one frame of each limit, whatever the guest queued: a 64 KiB TSO packet at
 * MSS 1 is cut over as many passes as its segments need. Bytes staged for a packet that is then dropped are charged
 * too, so even a guest whose packets are all refused costs a pass no more than the byte budget in copying.
 * <p>
 * A pass also stops early when its {@link YieldSignal} says another thread waits for the sidecore (the agent's
 * signal says so only while it serves a dear port, one whose last pass that ran to its end took longer than the
 * yieldable pass time, {@code sidecore.yieldable.pass}: a pass cut by a yield is no evidence the port became cheap),
 * but only after
 * {@link #MIN_FRAMES_BEFORE_YIELD} frames: a trapped access (a guest's ICR read in its interrupt handler) then waits
 * for at most that many frames of the port being served (plus the rest of that port's pass: its backend input), not
 * for the rest of its TX budget — 64 TSO segments, microseconds that every honest guest's interrupt handler would
 * otherwise wait through — and a guest that keeps trapped accesses always waiting still lets every port move that
 * many frames per pass.
 * <p>
 * One per port's {@link TxProcessor}; agent thread only.
 */
final class TxPassBudget
{
    /** Frames a pass produces before it may yield to a waiting trapped access or command. */
    static final int MIN_FRAMES_BEFORE_YIELD = 16;

    private YieldSignal yieldSignal = YieldSignal.NEVER;
    private boolean yielded;
    private int frameBudget = Integer.MAX_VALUE;
    private long byteBudget = Long.MAX_VALUE;
    private int frames;
    private long producedBytes;
    private long copiedBytes;

    /**
     * Start a pass.
     *
     * @param frameBudget frames it may produce, at least 1.
     * @param byteBudget  bytes of frames it may produce, and bytes it may copy from guest memory, at least 1.
     */
    void begin(final int frameBudget, final long byteBudget)
    {
        this.frameBudget = frameBudget;
        this.byteBudget = byteBudget;
        frames = 0;
        producedBytes = 0;
        copiedBytes = 0;
        yielded = false;
    }

    /**
     * @param signal asked between frames once the pass has produced {@link #MIN_FRAMES_BEFORE_YIELD}.
     */
    void yieldSignal(final YieldSignal signal)
    {
        yieldSignal = signal;
    }

    /**
     * @return true while no limit is reached and the pass need not yield.
     */
    boolean hasRoom()
    {
        if (frames < frameBudget && producedBytes < byteBudget && copiedBytes < byteBudget)
        {
            if (frames >= MIN_FRAMES_BEFORE_YIELD && yieldSignal.isYieldRequested())
            {
                yielded = true;
                return false;
            }
            return true;
        }
        return false;
    }

    /**
     * @return true if the pass stopped to let the sidecore answer another thread.
     */
    boolean yielded()
    {
        return yielded;
    }

    /**
     * @return bytes the pass may still copy or produce before its byte budget is reached (0 when it is).
     */
    long roomBytes()
    {
        return Math.max(0, byteBudget - Math.max(producedBytes, copiedBytes));
    }

    /**
     * @param lengthBytes a frame produced.
     */
    void onFrame(final int lengthBytes)
    {
        frames++;
        producedBytes += lengthBytes;
    }

    /**
     * @param lengthBytes bytes copied from guest memory.
     */
    void onCopy(final int lengthBytes)
    {
        copiedBytes += lengthBytes;
    }

    /**
     * @return frames produced in this pass.
     */
    int frames()
    {
        return frames;
    }
}
