package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import org.agrona.DirectBuffer;

/**
 * Test support: a backend that never has a frame for the guest, takes every frame the guest sends, runs an action on
 * each poll (e.g. advancing an injected clock by what a system call would cost) and says whether its polls ask the
 * kernel.
 */
public final class IdleStubBackend implements PortBackend
{
    private final boolean pollsTheKernel;
    private final Runnable onPoll;

    /**
     * @param pollsTheKernel what {@link #pollsTheKernel()} answers.
     * @param onPoll         run on every poll.
     */
    public IdleStubBackend(final boolean pollsTheKernel, final Runnable onPoll)
    {
        this.pollsTheKernel = pollsTheKernel;
        this.onPoll = onPoll;
    }

    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        onPoll.run();
        return 0;
    }

    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        return FrameSink.DELIVERED;
    }

    public boolean pollsTheKernel()
    {
        return pollsTheKernel;
    }

    public void close()
    {
    }

    public String typeName()
    {
        return "idle-stub";
    }
}
