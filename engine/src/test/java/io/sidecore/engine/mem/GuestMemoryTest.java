package io.sidecore.engine.mem;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuestMemoryTest
{
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment low = arena.allocate(0x1000, 4096);
    private final MemorySegment high = arena.allocate(0x2000, 4096);
    private final GuestMemory memory = new GuestMemory();

    GuestMemoryTest()
    {
        memory.addRegion(0x10000L, low);
        memory.addRegion(0x1_0000_0000L, high);
    }

    @Test
    void shouldTranslateAddressInsideRegion()
    {
        assertEquals(low.address() + 0x10, memory.translate(0x10010L, 16));
        assertEquals(high.address() + 0x1FF0, memory.translate(0x1_0000_1FF0L, 16));
    }

    @Test
    void shouldRejectRangeCrossingRegionEnd()
    {
        assertEquals(GuestMemory.NO_MAPPING, memory.translate(0x10FF8L, 16));
    }

    @Test
    void shouldAcceptRangeEndingExactlyAtRegionEnd()
    {
        assertNotEquals(GuestMemory.NO_MAPPING, memory.translate(0x10FF0L, 16));
    }

    @Test
    void shouldRejectAddressBelowEveryRegion()
    {
        assertEquals(GuestMemory.NO_MAPPING, memory.translate(0xFFF0L, 8));
    }

    @Test
    void shouldRejectAddressInHoleBetweenRegions()
    {
        assertEquals(GuestMemory.NO_MAPPING, memory.translate(0x8000_0000L, 1));
    }

    @Test
    void shouldRejectOverflowingRange()
    {
        assertEquals(GuestMemory.NO_MAPPING, memory.translate(0x1_0000_0000L, Long.MAX_VALUE));
        assertEquals(GuestMemory.NO_MAPPING, memory.translate(-16L, 32));
        assertEquals(GuestMemory.NO_MAPPING, memory.translate(0xFFFF_FFFF_FFFF_FFF0L, 16));
    }

    @Test
    void shouldRejectNegativeLength()
    {
        assertEquals(GuestMemory.NO_MAPPING, memory.translate(0x10010L, -1));
    }

    @Test
    void shouldRejectOverlappingRegion()
    {
        assertThrows(IllegalArgumentException.class, () -> memory.addRegion(0x10800L, arena.allocate(0x1000)));
    }

    @Test
    void shouldRejectHeapSegment()
    {
        assertThrows(IllegalArgumentException.class,
            () -> memory.addRegion(0x5_0000_0000L, MemorySegment.ofArray(new byte[64])));
    }
}
