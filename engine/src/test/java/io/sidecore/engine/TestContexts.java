package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.port.PortSettings;
import org.agrona.concurrent.CachedNanoClock;

/**
 * Test support: engine contexts with explicit, small values (the engine has no defaults of its own; the launcher's
 * Configuration supplies them in the daemon), driven by a manual clock in invoker mode.
 */
public final class TestContexts
{
    /** Start of the manual clock: far from 0 so wrap-safe arithmetic is exercised with large values. */
    public static final long START_NS = 1_000_000_000_000L;

    private TestContexts()
    {
    }

    /**
     * @param clock       the manual clock.
     * @param sidecores   number of sidecores.
     * @return an unconcluded invoker-mode context.
     */
    public static EngineContext invoker(final CachedNanoClock clock, final int sidecores)
    {
        clock.update(START_NS);
        return new EngineContext()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            .sidecoreCount(sidecores)
            .idleStrategy(SidecoreIdleStrategy.BUSY)
            .idleSpins(10)
            .idleYields(2)
            .idleMinParkNs(1_000)
            .idleMaxParkNs(50_000)
            .commandQueueCapacity(64)
            .commandDrainLimit(8)
            .commandTimeoutNs(5_000_000_000L)
            .maxPortsPerSidecore(128)
            .maxSwitchPorts(256)
            .crossShardRingLengthBytes(1 << 20)
            .crossShardDrainLimit(256)
            .macTableCapacity(1024)
            .macAgingNs(300_000_000_000L)
            .macAgingSweepLimit(16)
            .portDefaults(new PortSettings(64, 256 * 1024, 64, 0, 0, 0, 0))
            .busyRatioWindowNs(1_000_000_000L)
            .cycleTimeThresholdNs(1_000_000L)
            .minModerationDelayNs(0)
            .maxCounters(64 * 200);
    }
}
