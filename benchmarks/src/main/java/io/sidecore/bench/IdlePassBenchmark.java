package io.sidecore.bench;

import io.sidecore.engine.EngineContext;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.CountersFile;
import io.sidecore.launcher.Configuration;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.CachedNanoClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What a duty cycle costs when no guest has anything to do, against the number of ports: the part of every pass that
 * grows with the ports (issue 11 §2 asks what this O(ports) scan costs at 256 guests). Since the deadline queue and
 * quiet ports, that is each quiet port's look at its two doorbell lines and its fairness credit; timers cost nothing
 * until due. Compare trees by running this benchmark on each, alternating, in one sitting. One {@code doWork()} of a
 * sidecore in invoker mode over {@code ports} switch ports in their power-on state, the clock advancing 1 µs per pass;
 * divide the score by {@code ports} for the cost per port per pass.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
@State(Scope.Thread)
public class IdlePassBenchmark
{
    /** Ports the sidecore serves. */
    @Param({"1", "64", "256"})
    int ports;

    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;

    /**
     * One sidecore with the embedded default settings, in invoker mode, and its ports.
     */
    @Setup
    public void setUp()
    {
        clock.update(1_000_000_000L);
        final EngineContext ctx = Configuration.fromSystemProperties().engineContext()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            .sidecoreCount(1)
            .countersFile(null);
        ctx.countersManager(CountersFile.privateCountersManager(ctx.maxCounters()));
        engine = new SidecoreEngine(ctx);
        for (int i = 0; i < ports; i++)
        {
            final byte[] mac = {0x02, 0, 0, 0, (byte)((i + 1) >>> 8), (byte)(i + 1)};
            engine.proxy().addSwitchPort(new PortConfig(i + 1, "p" + i, mac, false,
                PortRegionDescriptor.DEFAULT_SHARED_PAGES), RegisterImage.allocate(), new GuestMemory(),
                InterruptLine.NONE);
        }
    }

    /**
     * Close the engine.
     */
    @TearDown
    public void tearDown()
    {
        engine.close();
    }

    /**
     * @return the pass's work count (0: nothing to do).
     */
    @Benchmark
    public int idlePass()
    {
        clock.advance(1_000);
        return engine.doWork();
    }
}
