package io.sidecore.engine;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;

/**
 * Test support: a backend whose every poll takes {@code costNs} of the injected clock and reports one unit of work,
 * so the agent's per-port time accounting and fairness by time can be driven deterministically.
 */
final class ClockChargingBackend implements PortBackend
{
    private final CachedNanoClock clock;
    private final long costNs;
    private int polls;

    ClockChargingBackend(final CachedNanoClock clock, final long costNs)
    {
        this.clock = clock;
        this.costNs = costNs;
    }

    /**
     * @return polls so far: the passes in which the agent served the port.
     */
    int polls()
    {
        return polls;
    }

    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        polls++;
        clock.advance(costNs);
        return 1;
    }

    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        return FrameSink.DELIVERED;
    }

    public void close()
    {
    }

    public String typeName()
    {
        return "clock-charging";
    }
}
