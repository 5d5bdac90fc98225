package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.e1000.RxProcessor;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.shm.E1000Registers;
import org.agrona.concurrent.CachedNanoClock;

/**
 * Test support: engine contexts with explicit, small values (the engine has no defaults of its own; the launcher's
 * Configuration supplies them in the daemon), driven by a manual clock in invoker mode.
 */
public final class TestContexts
{
    /** Start of the manual clock: far from 0 so wrap-safe arithmetic is exercised with large values. */
    public static final long START_NS = 1_000_000_000_000L;

    /**
     * The port settings of the test contexts: the daemon's defaults (64 TX descriptors, 256 KiB and 256 frames per
     * pass, 64 RX frames, 1024 RX descriptors and 256 KiB per pass, a guest sends from its own MAC only), no rate
     * limits.
     */
    public static final PortSettings PORT_DEFAULTS =
        new PortSettings(64, 256 * 1024, 256, 64, 1024, 256 * 1024, 0, 0, 0, 0, 0, GuestMemory.MAX_REGIONS, 0, 0, 0);

    private TestContexts()
    {
    }

    /**
     * One 200 ms busy duty cycle in a 2 s measurement window (windows of 1 s): the agent settles idle, the clock
     * jumps 1 s, a guest's doorbell makes a cycle busy, the next cycle starts 200 ms later, the window closes at 2 s.
     * Afterwards max_cycle_time_ns is 200 ms, the threshold (1 ms) was exceeded once and busy_ratio_ppm is 100,000.
     *
     * @param clock the agent's manual clock.
     * @param agent the sidecore.
     * @param guest a guest on it, whose RDT write is the work.
     */
    static void busyCycleOf200Ms(final CachedNanoClock clock, final SidecoreAgent agent, final TestGuest guest)
    {
        int cycles = 0;
        while (agent.doWork() > 0)
        {
            if (++cycles > 100)
            {
                throw new IllegalStateException("the agent does not settle");
            }
        }
        final long t0 = clock.nanoTime() + 1_000_000_000L;
        clock.update(t0);
        agent.doWork();
        guest.registers.setRelease(E1000Registers.RDT, 3);
        clock.update(t0 + 100);
        if (0 == agent.doWork())
        {
            throw new IllegalStateException("the doorbell made no work");
        }
        clock.update(t0 + 100 + 200_000_000L);
        if (0 != agent.doWork())
        {
            throw new IllegalStateException("the cycle after the doorbell was not idle");
        }
        clock.update(t0 + 2_000_000_000L);
        agent.doWork();
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
            .portDefaults(PORT_DEFAULTS)
            .busyRatioWindowNs(1_000_000_000L)
            .cycleTimeThresholdNs(1_000_000L)
            .minModerationDelayNs(0)
            // Off: most tests count work in units and charge backends arbitrary clock time; FairShareTest turns it on.
            .fairQuantumNs(0)
            // Where fairness is on (FairShareTest, TxYieldTest), a port is dear past a pass of 10 us.
            .yieldablePassNs(10_000)
            .rxReadAheadDescriptors(RxProcessor.READ_AHEAD_DESCRIPTORS)
            .maxCounters(64 * 200);
    }
}
