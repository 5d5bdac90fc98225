package io.sidecore.engine.mem;

import io.sidecore.shm.os.Errno;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.sidecore.engine.mem.GuestMemory.NO_MAPPING;
import static io.sidecore.engine.mem.GuestMemoryRegion.READ;
import static io.sidecore.engine.mem.GuestMemoryRegion.READ_WRITE;
import static io.sidecore.engine.mem.GuestMemoryRegion.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Translation, rejection reasons and their counts, region changes (add, remove, replace, remove-all) and the last-hit
 * cache of {@link GuestMemory}, on arena segments.
 */
class GuestMemoryTest
{
    private static final long LOW_GPA = 0x10000L;
    private static final long HIGH_GPA = 0x1_0000_0000L;

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment low = arena.allocate(0x1000, 4096);
    private final MemorySegment high = arena.allocate(0x2000, 4096);
    private final GuestMemory memory = new GuestMemory();

    GuestMemoryTest()
    {
        memory.addRegion(LOW_GPA, low);
        memory.addRegion(HIGH_GPA, high);
    }

    @Test
    void shouldTranslateAddressInsideRegionForReadAndWrite()
    {
        assertEquals(low.address() + 0x10, memory.translateForRead(0x10010L, 16));
        assertEquals(high.address() + 0x1FF0, memory.translateForWrite(0x1_0000_1FF0L, 16));
        assertEquals(high.address(), memory.translateForRead(HIGH_GPA, 0x2000));
    }

    @Test
    void shouldAcceptRangeEndingExactlyAtRegionEnd()
    {
        assertEquals(low.address() + 0xFF0, memory.translateForWrite(0x10FF0L, 16));
        assertEquals(low.address() + 0xFFF, memory.translateForRead(0x10FFFL, 1));
    }

    @Test
    void shouldRejectAndCountRangeRunningPastRegionEndIntoHole()
    {
        assertRejected(GuestMemory.Rejection.PAST_REGION_END, () -> memory.translateForRead(0x10FF8L, 16));
        assertRejected(GuestMemory.Rejection.PAST_REGION_END, () -> memory.translateForWrite(0x10FF8L, 9));
    }

    @Test
    void shouldRejectLengthLargerThanRegion()
    {
        assertRejected(GuestMemory.Rejection.PAST_REGION_END, () -> memory.translateForRead(LOW_GPA, 0x1001));
        assertRejected(GuestMemory.Rejection.PAST_REGION_END,
            () -> memory.translateForRead(HIGH_GPA, Long.MAX_VALUE));
    }

    @Test
    void shouldRejectAddressBelowEveryRegion()
    {
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(0xFFF0L, 8));
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(0, 1));
    }

    @Test
    void shouldRejectAddressInHoleBetweenRegionsAndAboveTheLast()
    {
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(0x8000_0000L, 1));
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForWrite(0x11000L, 1));
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForWrite(0x1_0000_2000L, 1));
    }

    @Test
    void shouldRejectZeroAndNegativeLength()
    {
        assertRejected(GuestMemory.Rejection.BAD_RANGE, () -> memory.translateForRead(0x10010L, 0));
        assertRejected(GuestMemory.Rejection.BAD_RANGE, () -> memory.translateForWrite(0x10010L, -1));
        assertRejected(GuestMemory.Rejection.BAD_RANGE, () -> memory.translateForRead(0x10010L, Long.MIN_VALUE));
    }

    @Test
    void shouldRejectZeroLengthEvenWhenCacheHoldsTheRegion()
    {
        memory.translateForRead(0x10010L, 16);

        assertRejected(GuestMemory.Rejection.BAD_RANGE, () -> memory.translateForRead(0x10010L, 0));
        assertRejected(GuestMemory.Rejection.BAD_RANGE, () -> memory.translateForWrite(0x10010L, 0));
    }

    @Test
    void shouldRejectRangeThatWrapsTheAddressSpace()
    {
        assertRejected(GuestMemory.Rejection.BAD_RANGE, () -> memory.translateForRead(-16L, 32));
        assertRejected(GuestMemory.Rejection.BAD_RANGE, () -> memory.translateForWrite(-1L, 2));
        assertRejected(GuestMemory.Rejection.BAD_RANGE,
            () -> memory.translateForRead(0xFFFF_FFFF_FFFF_F000L, Long.MAX_VALUE));
    }

    @Test
    void shouldRejectAddressAtOrAbove2To63AsUnmapped()
    {
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(Long.MIN_VALUE, 1));
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(0xFFFF_FFFF_FFFF_FFF0L, 16));
    }

    @Test
    void shouldTranslateRegionEndingAt2To63WithoutOverflow()
    {
        final MemorySegment top = arena.allocate(0x1000, 4096);
        final long topGpa = Long.MAX_VALUE - 0xFFF;
        memory.addRegion(topGpa, top);

        assertEquals(top.address() + 0xFFF, memory.translateForWrite(Long.MAX_VALUE, 1));
        assertEquals(top.address(), memory.translateForRead(topGpa, 0x1000));
        assertRejected(GuestMemory.Rejection.PAST_REGION_END, () -> memory.translateForRead(Long.MAX_VALUE, 2));
        assertRejected(GuestMemory.Rejection.PAST_REGION_END,
            () -> memory.translateForRead(topGpa, Long.MAX_VALUE));
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(Long.MAX_VALUE + 1, 1));
    }

    @Test
    void shouldRejectAndCountRangeSpanningTwoAdjacentRegions()
    {
        final MemorySegment next = arena.allocate(0x1000, 4096);
        memory.addRegion(LOW_GPA + 0x1000, next);

        assertRejected(GuestMemory.Rejection.SPANS_REGIONS, () -> memory.translateForRead(0x10FF8L, 16));
        assertRejected(GuestMemory.Rejection.SPANS_REGIONS, () -> memory.translateForWrite(LOW_GPA, 0x2000));
        assertEquals(low.address() + 0xFF8, memory.translateForRead(0x10FF8L, 8));
        assertEquals(next.address(), memory.translateForRead(0x11000L, 8));
    }

    @Test
    void shouldRejectWriteIntoReadOnlyRegionButAllowRead()
    {
        final MemorySegment rom = arena.allocate(0x1000, 4096);
        memory.add(GuestMemoryRegion.ofSegment(0xC0000L, rom, READ));

        assertEquals(rom.address() + 0x10, memory.translateForRead(0xC0010L, 16));
        assertRejected(GuestMemory.Rejection.READ_ONLY, () -> memory.translateForWrite(0xC0010L, 16));
    }

    @Test
    void shouldRejectWriteIntoReadOnlyRegionWhenItsReadIsCached()
    {
        final MemorySegment rom = arena.allocate(0x1000, 4096);
        memory.add(GuestMemoryRegion.ofSegment(0xC0000L, rom, READ));
        memory.translateForRead(0xC0000L, 16);
        final long searches = memory.regionSearches();

        assertRejected(GuestMemory.Rejection.READ_ONLY, () -> memory.translateForWrite(0xC0000L, 16));
        assertEquals(rom.address(), memory.translateForRead(0xC0000L, 16));
        assertEquals(searches + 1, memory.regionSearches(), "the read hit the cache, the write searched");
    }

    @Test
    void shouldRejectTranslationIntoRegionWithoutHostMapping()
    {
        memory.add(GuestMemoryRegion.withoutHostMapping(0xFEB8_0000L, 0x2_0000L, READ_WRITE));

        assertRejected(GuestMemory.Rejection.NOT_HOST_MAPPED, () -> memory.translateForRead(0xFEB8_0000L, 4));
        assertRejected(GuestMemory.Rejection.NOT_HOST_MAPPED, () -> memory.translateForWrite(0xFEB9_0000L, 4));
    }

    @Test
    void shouldRememberLastRejectionReason()
    {
        assertNull(memory.lastRejection());

        memory.translateForRead(0, 1);
        assertEquals(GuestMemory.Rejection.UNMAPPED, memory.lastRejection());

        memory.translateForRead(LOW_GPA, 0);
        assertEquals(GuestMemory.Rejection.BAD_RANGE, memory.lastRejection());
    }

    @Test
    void shouldRefuseOverlappingAddNamingBothRangesAndChangeNothing()
    {
        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> memory.addRegion(0x10800L, arena.allocate(0x1000)));

        assertEquals(GuestMemoryException.Reason.OVERLAP, ex.reason());
        assertEquals(Errno.EEXIST, ex.errno());
        assertEquals("guest memory regions overlap: [0x10800, 0x11800) rw segment and mapped [0x10000, 0x11000) rw " +
            "segment", ex.getMessage());
        assertEquals(2, memory.regionCount());
        assertEquals(low.address(), memory.translateForRead(LOW_GPA, 1));
    }

    @Test
    void shouldRefuseEveryKindOfOverlap()
    {
        final long[][] overlapping = {
            {LOW_GPA - 0x800, 0x1000},    // ends inside
            {LOW_GPA + 0xFFF, 0x1000},    // starts at the last byte
            {LOW_GPA + 0x100, 0x10},      // inside
            {LOW_GPA - 0x1000, 0x3000},   // covers
            {LOW_GPA, 0x1000},            // the same range
            {LOW_GPA + 0x800, HIGH_GPA}   // from inside one to inside the other
        };
        for (final long[] range : overlapping)
        {
            final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
                () -> memory.add(GuestMemoryRegion.withoutHostMapping(range[0], range[1], READ_WRITE)),
                () -> "gpa=0x" + Long.toHexString(range[0]) + " length=0x" + Long.toHexString(range[1]));
            assertEquals(GuestMemoryException.Reason.OVERLAP, ex.reason());
        }
        assertEquals(2, memory.regionCount());
    }

    @Test
    void shouldAcceptRegionsTouchingOnBothSides()
    {
        memory.add(GuestMemoryRegion.withoutHostMapping(LOW_GPA - 0x1000, 0x1000, READ));
        memory.add(GuestMemoryRegion.withoutHostMapping(LOW_GPA + 0x1000, HIGH_GPA - LOW_GPA - 0x1000, READ));

        assertEquals(4, memory.regionCount());
        assertEquals(LOW_GPA - 0x1000, memory.region(0).gpaBase());
        assertEquals(HIGH_GPA, memory.region(3).gpaBase());
    }

    @Test
    void shouldRefuseInvalidRegions()
    {
        assertInvalid(() -> memory.addRegion(0x5_0000_0000L, MemorySegment.ofArray(new byte[64])),
            "guest memory region must be a native segment: gpa=0x500000000");
        assertInvalid(() -> memory.addRegion(0x5_0000_0000L, arena.allocate(0)),
            "guest memory region is empty or negative: gpa=0x500000000 length=0");
        assertInvalid(() -> GuestMemoryRegion.withoutHostMapping(Long.MAX_VALUE, 2, READ),
            "guest memory region reaches past 2^63: gpa=0x7fffffffffffffff length=0x2");
        assertInvalid(() -> GuestMemoryRegion.withoutHostMapping(-4096L, 16, READ),
            "guest memory region reaches past 2^63: gpa=0xfffffffffffff000 length=0x10");
        assertInvalid(() -> GuestMemoryRegion.withoutHostMapping(0, -1, READ),
            "guest memory region is empty or negative: gpa=0x0 length=-1");
        for (final int access : new int[]{0, WRITE, 4, 7, -1})
        {
            assertInvalid(() -> GuestMemoryRegion.withoutHostMapping(0, 4096, access),
                "guest memory access must be READ (1) or READ|WRITE (3): " + access);
        }
    }

    @Test
    void shouldRemoveRegionByExactBaseAndLength()
    {
        memory.translateForRead(LOW_GPA, 16);
        final GuestMemoryRegion lowRegion = memory.region(0);
        final long epoch = memory.mappingEpoch();

        final GuestMemoryRegion removed = memory.remove(LOW_GPA, 0x1000);

        assertSame(lowRegion, removed);
        assertFalse(removed.isAttached());
        assertEquals(1, memory.regionCount());
        assertEquals(epoch + 1, memory.mappingEpoch());
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(LOW_GPA, 16));
        assertEquals(high.address(), memory.translateForRead(HIGH_GPA, 16));
    }

    @Test
    void shouldRefuseRemoveThatDoesNotMatchARegionExactlyAndChangeNothing()
    {
        final long epoch = memory.mappingEpoch();

        final GuestMemoryException wrongLength = assertThrows(GuestMemoryException.class,
            () -> memory.remove(LOW_GPA, 0x800));
        final GuestMemoryException inside = assertThrows(GuestMemoryException.class,
            () -> memory.remove(LOW_GPA + 0x800, 0x800));
        final GuestMemoryException below = assertThrows(GuestMemoryException.class, () -> memory.remove(0, 0x1000));

        assertEquals(GuestMemoryException.Reason.NOT_MAPPED, wrongLength.reason());
        assertEquals("no guest memory region at exactly gpa=0x10000 length=0x800 (nearest below: [0x10000, 0x11000) " +
            "rw segment)", wrongLength.getMessage());
        assertEquals(GuestMemoryException.Reason.NOT_MAPPED, inside.reason());
        assertEquals("no guest memory region at exactly gpa=0x0 length=0x1000", below.getMessage());
        assertEquals(2, memory.regionCount());
        assertEquals(epoch, memory.mappingEpoch());
    }

    @Test
    void shouldRemoveAllRegions()
    {
        final GuestMemoryRegion[] removed = memory.removeAll();

        assertEquals(2, removed.length);
        assertEquals(LOW_GPA, removed[0].gpaBase());
        assertEquals(HIGH_GPA, removed[1].gpaBase());
        assertFalse(removed[0].isAttached());
        assertFalse(removed[1].isAttached());
        assertEquals(0, memory.regionCount());
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(LOW_GPA, 1));
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(HIGH_GPA, 1));
        assertEquals(0, memory.removeAll().length);
    }

    @Test
    void shouldReplaceRegionWithAnotherRangeInOneStep()
    {
        final MemorySegment bigger = arena.allocate(0x3000, 4096);
        final long epoch = memory.mappingEpoch();

        final GuestMemoryRegion replaced = memory.replace(LOW_GPA, 0x1000,
            GuestMemoryRegion.ofSegment(LOW_GPA - 0x1000, bigger, READ_WRITE));

        assertEquals(LOW_GPA, replaced.gpaBase());
        assertFalse(replaced.isAttached());
        assertEquals(epoch + 1, memory.mappingEpoch());
        assertEquals(2, memory.regionCount());
        assertEquals(bigger.address() + 0x1010, memory.translateForWrite(LOW_GPA + 0x10, 16));
        assertEquals(bigger.address() + 0x2FFF, memory.translateForWrite(LOW_GPA + 0x1FFF, 1));
    }

    @Test
    void shouldKeepReplacedRegionWhenReplacementOverlapsAnother()
    {
        final GuestMemoryException ex = assertThrows(GuestMemoryException.class, () -> memory.replace(LOW_GPA,
            0x1000, GuestMemoryRegion.withoutHostMapping(LOW_GPA, HIGH_GPA, READ_WRITE)));

        assertEquals(GuestMemoryException.Reason.OVERLAP, ex.reason());
        assertEquals(2, memory.regionCount());
        assertTrue(memory.region(0).isAttached());
        assertEquals(low.address(), memory.translateForWrite(LOW_GPA, 0x1000));
    }

    @Test
    void shouldRefuseRegionAlreadyInAGuestMemoryOrClosed()
    {
        final GuestMemoryRegion region = GuestMemoryRegion.withoutHostMapping(0x5000_0000L, 4096, READ);
        new GuestMemory().add(region);

        final GuestMemoryException attached = assertThrows(GuestMemoryException.class, () -> memory.add(region));
        final GuestMemoryRegion closed = GuestMemoryRegion.withoutHostMapping(0x6000_0000L, 4096, READ);
        closed.close();
        final GuestMemoryException afterClose = assertThrows(GuestMemoryException.class, () -> memory.add(closed));

        assertTrue(attached.getMessage().startsWith("guest memory region is already in a guest memory"),
            attached.getMessage());
        assertTrue(afterClose.getMessage().startsWith("guest memory region is closed"), afterClose.getMessage());
        assertEquals(2, memory.regionCount());
    }

    @Test
    void shouldRefuseToCloseRegionStillInGuestMemory()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> memory.region(0).close());

        assertTrue(ex.getMessage().startsWith("remove the region from its guest memory"), ex.getMessage());
        assertFalse(memory.region(0).isClosed());
    }

    @Test
    void shouldRefuseMoreThanMaxRegions()
    {
        final GuestMemory full = new GuestMemory();
        for (int i = 0; i < GuestMemory.MAX_REGIONS; i++)
        {
            full.add(GuestMemoryRegion.withoutHostMapping(i * 0x2000L, 0x1000, READ));
        }

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> full.add(GuestMemoryRegion.withoutHostMapping(0x1_0000_0000L, 0x1000, READ)));

        assertEquals(GuestMemoryException.Reason.TOO_MANY_REGIONS, ex.reason());
        assertEquals(GuestMemory.MAX_REGIONS, full.regionCount());
    }

    @Test
    void shouldTouchWhatItWouldReadAndRefuseTheRestUncounted()
    {
        assertEquals(memory.translateForRead(LOW_GPA + 8, 64), memory.translateForTouch(LOW_GPA + 8, 64));
        assertEquals(high.address() + 0x1FC0, memory.translateForTouch(HIGH_GPA + 0x1FC0, 0x40));
        final long[] before = new long[GuestMemory.Rejection.values().length];
        for (final GuestMemory.Rejection rejection : GuestMemory.Rejection.values())
        {
            before[rejection.ordinal()] = memory.rejectionCount(rejection);
        }

        assertEquals(NO_MAPPING, memory.translateForTouch(HIGH_GPA + 0x1FC0, 0x41), "past the region's end");
        assertEquals(NO_MAPPING, memory.translateForTouch(0x10, 16), "unmapped");
        assertEquals(NO_MAPPING, memory.translateForTouch(-64L, 128), "wraps past 2^64");
        assertEquals(NO_MAPPING, memory.translateForTouch(LOW_GPA, 0), "empty");

        for (final GuestMemory.Rejection rejection : GuestMemory.Rejection.values())
        {
            assertEquals(before[rejection.ordinal()], memory.rejectionCount(rejection),
                "a touch's refusal is not counted: " + rejection);
        }
        assertEquals(NO_MAPPING, memory.translateForRead(0x10, 16));
        assertEquals(before[GuestMemory.Rejection.UNMAPPED.ordinal()] + 1,
            memory.rejectionCount(GuestMemory.Rejection.UNMAPPED), "the read that acts on it is counted");
    }

    @Test
    void shouldSearchOnceForRepeatedAccessesToOneRegion()
    {
        final long searches = memory.regionSearches();

        for (int i = 0; i < 100; i++)
        {
            assertEquals(high.address() + i * 16, memory.translateForWrite(HIGH_GPA + i * 16, 16));
        }

        assertEquals(searches + 1, memory.regionSearches());
    }

    @Test
    void shouldSearchAgainWhenAccessesAlternateBetweenRegions()
    {
        final long searches = memory.regionSearches();

        for (int i = 0; i < 10; i++)
        {
            assertEquals(low.address(), memory.translateForRead(LOW_GPA, 16));
            assertEquals(high.address(), memory.translateForRead(HIGH_GPA, 16));
        }

        assertEquals(searches + 20, memory.regionSearches());
    }

    @Test
    void shouldKeepCacheWhenRegionAdded()
    {
        memory.translateForRead(HIGH_GPA, 16);
        final long searches = memory.regionSearches();
        final long epoch = memory.mappingEpoch();

        memory.addRegion(0x2_0000_0000L, arena.allocate(0x1000, 4096));

        assertEquals(high.address() + 8, memory.translateForRead(HIGH_GPA + 8, 16));
        assertEquals(searches, memory.regionSearches());
        assertEquals(epoch, memory.mappingEpoch(), "adding a region invalidates no translated address");
    }

    @Test
    void shouldNeverServeRemovedRegionFromCache()
    {
        assertEquals(low.address(), memory.translateForWrite(LOW_GPA, 16));

        memory.remove(LOW_GPA, 0x1000);

        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForWrite(LOW_GPA, 16));
        assertRejected(GuestMemory.Rejection.UNMAPPED, () -> memory.translateForRead(LOW_GPA + 0x800, 16));
    }

    @Test
    void shouldServeReplacementNotTheCachedRegionItReplaced()
    {
        assertEquals(low.address() + 0x20, memory.translateForWrite(LOW_GPA + 0x20, 16));
        final MemorySegment fresh = arena.allocate(0x1000, 4096);

        memory.replace(LOW_GPA, 0x1000, GuestMemoryRegion.ofSegment(LOW_GPA, fresh, READ));

        assertEquals(fresh.address() + 0x20, memory.translateForRead(LOW_GPA + 0x20, 16));
        assertRejected(GuestMemory.Rejection.READ_ONLY, () -> memory.translateForWrite(LOW_GPA + 0x20, 16));
    }

    @Test
    void shouldTranslateHundredsOfRegionsAddedAndRemovedInRandomOrder()
    {
        final int count = 600;
        final long stride = 0x10_0000L;
        final long lengthBytes = 0x4000L;
        final MemorySegment slab = arena.allocate(count * lengthBytes, 4096);
        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            order.add(i);
        }
        Collections.shuffle(order, new Random(42));
        final GuestMemory many = new GuestMemory();
        for (final int i : order)
        {
            many.add(GuestMemoryRegion.ofSegment(i * stride, slab.asSlice(i * lengthBytes, lengthBytes), READ_WRITE));
        }

        for (int i = 0; i < count; i++)
        {
            assertEquals(i * stride, many.region(i).gpaBase());
            assertEquals(slab.address() + i * lengthBytes, many.translateForRead(i * stride, 1));
            assertEquals(slab.address() + (i + 1) * lengthBytes - 8, many.translateForWrite(i * stride + 0x3FF8, 8));
            assertEquals(NO_MAPPING, many.translateForRead(i * stride + lengthBytes, 1));
            assertEquals(NO_MAPPING, many.translateForRead(i * stride + 0x3FF8, 9));
        }
        for (final int i : order.subList(0, count / 2))
        {
            many.remove(i * stride, lengthBytes);
        }
        for (int i = 0; i < count; i++)
        {
            final boolean removed = order.indexOf(i) < count / 2;
            assertEquals(removed ? NO_MAPPING : slab.address() + i * lengthBytes + 0x100,
                many.translateForRead(i * stride + 0x100, 64), "region " + i);
        }
        assertEquals(count - count / 2, many.regionCount());
    }

    @Test
    void shouldFindRegionContainingAddress()
    {
        assertSame(memory.region(0), memory.regionContaining(LOW_GPA + 0xFFF));
        assertSame(memory.region(1), memory.regionContaining(HIGH_GPA));
        assertNull(memory.regionContaining(LOW_GPA + 0x1000));
        assertNull(memory.regionContaining(-1L));
        assertNull(memory.regionContaining(0));
    }

    @Test
    void shouldDescribeRegionsInAddressOrder()
    {
        assertEquals("GuestMemory[2 regions: [0x10000, 0x11000) rw segment, [0x100000000, 0x100002000) rw segment]",
            memory.toString());
        assertArrayEquals(new long[]{LOW_GPA, HIGH_GPA},
            new long[]{memory.region(0).gpaBase(), memory.region(1).gpaBase()});
        assertThrows(IndexOutOfBoundsException.class, () -> memory.region(2));
    }

    private void assertRejected(final GuestMemory.Rejection expected, final Translation translation)
    {
        final long before = memory.rejectionCount(expected);
        final long othersBefore = totalRejections() - before;

        assertEquals(NO_MAPPING, translation.translate());

        assertEquals(expected, memory.lastRejection());
        assertEquals(before + 1, memory.rejectionCount(expected), "count of " + expected);
        assertEquals(othersBefore, totalRejections() - memory.rejectionCount(expected), "no other reason counted");
    }

    private long totalRejections()
    {
        long total = 0;
        for (final GuestMemory.Rejection rejection : GuestMemory.Rejection.values())
        {
            total += memory.rejectionCount(rejection);
        }
        return total;
    }

    private static void assertInvalid(final Runnable change, final String message)
    {
        final GuestMemoryException ex = assertThrows(GuestMemoryException.class, change::run);
        assertEquals(GuestMemoryException.Reason.INVALID_REGION, ex.reason());
        assertEquals(message, ex.getMessage());
    }

    @FunctionalInterface
    private interface Translation
    {
        long translate();
    }
}
