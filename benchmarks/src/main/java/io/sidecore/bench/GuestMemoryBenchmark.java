package io.sidecore.bench;

import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryRegion;
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
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the overflow-safe guest-physical range check every descriptor, buffer and CSB access goes through, with
 * 2, 16 and 256 regions: a hit in the last-hit cache (the common case: a ring and its buffers live in one RAM
 * region), a miss that binary-searches the table (every access lands in another region than the one before), a
 * range in a hole between regions (searched, then rejected and counted) and a hostile range that wraps 2^64
 * (rejected before any search).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.ADD_OPENS_MISC, ForkOptions.NATIVE_ACCESS})
@State(Scope.Thread)
public class GuestMemoryBenchmark
{
    private static final long REGION_BYTES = 64 << 10;
    private static final long REGION_STRIDE_BYTES = 1L << 30;
    private static final int BUFFER_BYTES = 1500;
    private static final int BUFFER_STRIDE_BYTES = 2048;
    private static final int PATTERN_LENGTH = 1024;
    /** Odd, so for a power-of-two region count consecutive steps land in different regions and all are visited. */
    private static final int REGION_STEP = 5;

    @Param({"2", "16", "256"})
    int regionCount;

    private GuestMemory memory;
    private final long[] missGpas = new long[PATTERN_LENGTH];
    private long hitRegionGpa;
    private long holeGpa;
    private long offsetBytes;
    private int next;

    /**
     * Map the regions, 1 GiB apart, and lay out the access patterns.
     */
    @Setup
    public void setUp()
    {
        memory = new GuestMemory();
        final MemorySegment slab = Arena.ofAuto().allocate(REGION_BYTES * regionCount, 4096);
        for (int i = 0; i < regionCount; i++)
        {
            memory.add(GuestMemoryRegion.ofSegment(
                gpa(i), slab.asSlice(i * REGION_BYTES, REGION_BYTES), GuestMemoryRegion.READ_WRITE));
        }
        hitRegionGpa = gpa(regionCount / 2);
        holeGpa = gpa(regionCount / 2) + REGION_BYTES + 4096;
        for (int k = 0; k < PATTERN_LENGTH; k++)
        {
            final int region = (k * REGION_STEP + 1) % regionCount;
            final long offset = (long)k * BUFFER_STRIDE_BYTES % (REGION_BYTES - BUFFER_STRIDE_BYTES);
            missGpas[k] = gpa(region) + offset;
        }
    }

    private static long gpa(final int region)
    {
        return REGION_STRIDE_BYTES * (region + 1);
    }

    /**
     * A buffer-sized range in the region translated last time.
     *
     * @return the host address.
     */
    @Benchmark
    public long translateCacheHit()
    {
        offsetBytes = (offsetBytes + BUFFER_STRIDE_BYTES) & (REGION_BYTES - 1);
        return memory.translateForWrite(hitRegionGpa + offsetBytes, BUFFER_BYTES);
    }

    /**
     * A buffer-sized range in another region than the last one: a binary search every time.
     *
     * @return the host address.
     */
    @Benchmark
    public long translateCacheMiss()
    {
        final long gpa = missGpas[next];
        next = (next + 1) & (PATTERN_LENGTH - 1);
        return memory.translateForWrite(gpa, BUFFER_BYTES);
    }

    /**
     * A range in the hole after a region: searched, rejected and counted.
     *
     * @return NO_MAPPING.
     */
    @Benchmark
    public long translateUnmapped()
    {
        return memory.translateForRead(holeGpa, BUFFER_BYTES);
    }

    /**
     * A hostile range that wraps the address space.
     *
     * @return NO_MAPPING.
     */
    @Benchmark
    public long translateHostile()
    {
        return memory.translateForRead(0xFFFF_FFFF_FFFF_F000L, 0x2000);
    }
}
