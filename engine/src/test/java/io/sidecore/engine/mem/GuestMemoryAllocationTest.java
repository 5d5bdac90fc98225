package io.sidecore.engine.mem;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Translation allocates nothing on any branch: cache hits, searches over hundreds of regions, and every rejection
 * (whose counting must not box or allocate either).
 */
class GuestMemoryAllocationTest
{
    private static final int REGIONS = 300;
    private static final long STRIDE = 0x10_0000L;
    private static final long REGION_BYTES = 0x1000L;
    private static final int ROUNDS_PER_WINDOW = 20_000;
    /** A window translates 240,000 times: one allocation per call would show as megabytes (see RxAllocationTest). */
    private static final long NOISE_BYTES = 1024;

    @Test
    void shouldNotAllocateWhenTranslatingOrRejecting()
    {
        final GuestMemory memory = new GuestMemory();
        final MemorySegment slab = Arena.ofAuto().allocate(REGIONS * REGION_BYTES, 4096);
        for (int i = 0; i < REGIONS; i++)
        {
            final int access = 0 == i % 3 ? GuestMemoryRegion.READ : GuestMemoryRegion.READ_WRITE;
            memory.add(GuestMemoryRegion.ofSegment(
                i * STRIDE, slab.asSlice(i * REGION_BYTES, REGION_BYTES), access));
        }
        memory.add(GuestMemoryRegion.withoutHostMapping(REGIONS * STRIDE, REGION_BYTES, GuestMemoryRegion.READ));
        memory.add(GuestMemoryRegion.ofSegment(
            (REGIONS - 1) * STRIDE + REGION_BYTES, Arena.ofAuto().allocate(REGION_BYTES), GuestMemoryRegion.READ));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        long checksum = translateAll(memory, 50_000);
        for (int window = 0; window < 5; window++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            checksum += translateAll(memory, ROUNDS_PER_WINDOW);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < NOISE_BYTES, "window " + window + " allocated " + allocated + " bytes");
        }
        assertTrue(checksum != 0);
        for (final GuestMemory.Rejection rejection : GuestMemory.Rejection.values())
        {
            assertTrue(memory.rejectionCount(rejection) > 0, rejection + " was exercised");
        }
        assertEquals(REGIONS + 2, memory.regionCount());
    }

    private static long translateAll(final GuestMemory memory, final int rounds)
    {
        long checksum = 0;
        for (int round = 0; round < rounds; round++)
        {
            final long gpa = (round * 7L % REGIONS) * STRIDE;
            checksum += memory.translateForRead(gpa + 0x10, 64);                     // search (region changes)
            checksum += memory.translateForRead(gpa + 0x80, 64);                     // cache hit
            checksum += memory.translateForWrite(gpa + 0x80, 64);                    // hit, or READ_ONLY
            checksum += memory.translateForRead(gpa + REGION_BYTES, 1);              // UNMAPPED (hole)
            checksum += memory.translateForRead(gpa + REGION_BYTES - 8, 16);         // PAST_REGION_END
            checksum += memory.translateForRead((REGIONS - 1) * STRIDE + 0xFF8, 16); // SPANS_REGIONS
            checksum += memory.translateForRead(REGIONS * STRIDE, 8);                // NOT_HOST_MAPPED
            checksum += memory.translateForRead(gpa, 0);                             // BAD_RANGE
            checksum += memory.translateForRead(-8L, 16);                            // BAD_RANGE (wraps)
            checksum += memory.translateForWrite(Long.MIN_VALUE, 1);                 // UNMAPPED (>= 2^63)
            checksum += memory.translateForWrite(gpa + 0x100, Long.MAX_VALUE);       // PAST_REGION_END
            checksum += memory.translateForWrite(gpa, 1);                            // hit, or READ_ONLY
        }
        return checksum;
    }
}
