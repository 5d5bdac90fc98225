package io.sidecore.tools.guest;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuestRamTest
{
    private static final long BASE = 0x4000_0800L;

    @Test
    void shouldAlignGuestPhysicalAddressWhenAllocating()
    {
        final GuestRam ram = GuestRam.allocate(BASE, 64 * 1024);

        final long first = ram.allocate(10, 16);
        final long second = ram.allocate(100, 4096);
        final long third = ram.allocate(1, 64);

        assertEquals(BASE, first);
        assertEquals(0x4000_1000L, second);
        assertEquals(0x4000_1000L + 128, third);
        assertEquals((int)(third - BASE) + 1, ram.usedBytes());
    }

    @Test
    void shouldFailWithSizesWhenWindowExhausted()
    {
        final GuestRam ram = GuestRam.allocate(BASE, 8192);
        ram.allocate(8000, 8);

        final GuestDriverException ex = assertThrows(GuestDriverException.class, () -> ram.allocate(256, 64));

        assertEquals("guest RAM exhausted: requested=256 alignment=64 used=8000 length=8192", ex.getMessage());
    }

    @Test
    void shouldRejectAlignmentThatIsNotPowerOfTwo()
    {
        final GuestRam ram = GuestRam.allocate(BASE, 4096);

        assertThrows(IllegalArgumentException.class, () -> ram.allocate(16, 24));
        assertThrows(IllegalArgumentException.class, () -> ram.allocate(0, 16));
    }

    @Test
    void shouldTranslateGuestPhysicalRangeInsideWindow()
    {
        final GuestRam ram = GuestRam.allocate(BASE, 4096);

        assertEquals(0, ram.offset(BASE, 4096));
        assertEquals(100, ram.offset(BASE + 100, 16));
        assertEquals(BASE + 100, ram.gpa(100));
    }

    @Test
    void shouldRejectRangeOutsideWindow()
    {
        final GuestRam ram = GuestRam.allocate(BASE, 4096);

        assertThrows(IllegalArgumentException.class, () -> ram.offset(BASE - 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ram.offset(BASE + 4090, 7));
        assertThrows(IllegalArgumentException.class, () -> ram.offset(Long.MAX_VALUE, 1));
    }

    @Test
    void shouldRejectHeapSegment()
    {
        assertThrows(IllegalArgumentException.class, () -> new GuestRam(MemorySegment.ofArray(new byte[64]), BASE));
    }
}
