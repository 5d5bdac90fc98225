package io.sidecore.bench;

import io.sidecore.engine.mem.GuestMemory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the overflow-safe guest-physical range check every descriptor and buffer access goes through, for a
 * guest with one region and for one with several (the translation walks the region table).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
@State(Scope.Thread)
public class GuestMemoryBenchmark
{
    @Param({"1", "4"})
    int regionCount;

    private GuestMemory memory;
    private long lastRegionGpa;
    private long offsetBytes;

    /**
     * Map the regions.
     */
    @Setup
    public void setUp()
    {
        memory = new GuestMemory();
        final Arena arena = Arena.ofAuto();
        for (int i = 0; i < regionCount; i++)
        {
            lastRegionGpa = 0x1_0000_0000L * (i + 1);
            memory.addRegion(lastRegionGpa, arena.allocate(1 << 20, 4096));
        }
    }

    /**
     * A buffer-sized range in the last region (the worst case for the table walk).
     *
     * @return the host address.
     */
    @Benchmark
    public long translateInRange()
    {
        offsetBytes = (offsetBytes + 2048) & ((1 << 20) - 1);
        return memory.translate(lastRegionGpa + offsetBytes, 1500);
    }

    /**
     * A hostile range that wraps the address space.
     *
     * @return NO_MAPPING.
     */
    @Benchmark
    public long translateHostile()
    {
        return memory.translate(0xFFFF_FFFF_FFFF_F000L, 0x2000);
    }
}
