package io.sidecore.engine.mem;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * For random streams of adds, removes, replaces, remove-alls and translations (reads and writes, in and around
 * regions, at both ends of the 63-bit range and past it), {@link GuestMemory} agrees with a reference model written
 * independently: a sorted list of intervals, with unsigned arithmetic in {@link BigInteger}s. Every change is
 * accepted or refused as the model says, the regions stay the model's in address order, and every translation gives
 * the model's host address or its rejection reason (so the last-hit cache never answers for a region that is gone).
 */
class GuestMemoryPropertyTest
{
    private static final long SLAB_BYTES = 1 << 20;
    private static final long MAX_REGION_BYTES = 0x1000;
    /** Bases near the top of the 63-bit range start here, so regions there can end at 2^63 or try to pass it. */
    private static final long HIGH_BASE = Long.MAX_VALUE - 0xFFFF;
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private static Arena arena;
    private static MemorySegment slab;

    /** How a region is backed. */
    enum Kind
    {
        READ_WRITE, READ_ONLY, NO_HOST
    }

    /** Where a translation starts, relative to an existing region picked by a hint. */
    enum Anchor
    {
        BASE, END, ABSOLUTE
    }

    sealed interface Op permits Add, Remove, Replace, RemoveAll, Translate
    {
    }

    record Add(long gpaBase, long lengthBytes, Kind kind, long hostOffset) implements Op
    {
    }

    record Remove(int hint, boolean exact, long lengthDelta) implements Op
    {
    }

    record Replace(int hint, Add replacement) implements Op
    {
    }

    record RemoveAll() implements Op
    {
    }

    record Translate(int hint, Anchor anchor, long delta, long lengthBytes, boolean forWrite) implements Op
    {
    }

    /** One region of the reference model. */
    record Interval(long base, long lengthBytes, Kind kind, long hostOffset)
    {
        BigInteger start()
        {
            return BigInteger.valueOf(base);
        }

        BigInteger end()
        {
            return start().add(BigInteger.valueOf(lengthBytes));
        }
    }

    @BeforeContainer
    static void allocateSlab()
    {
        arena = Arena.ofShared();
        slab = arena.allocate(SLAB_BYTES, 4096);
    }

    @AfterContainer
    static void freeSlab()
    {
        arena.close();
    }

    @Property(tries = 300)
    void shouldAgreeWithSortedIntervalModel(@ForAll("operations") final List<Op> operations)
    {
        final GuestMemory memory = new GuestMemory();
        final List<Interval> model = new ArrayList<>();
        for (int step = 0; step < operations.size(); step++)
        {
            final Op op = operations.get(step);
            final String context = "step " + step + " " + op + " on " + model;
            switch (op)
            {
                case Add add -> apply(memory, model, add, context);
                case Remove remove -> apply(memory, model, remove, context);
                case Replace replace -> apply(memory, model, replace, context);
                case RemoveAll ignored ->
                {
                    assertEquals(model.size(), memory.removeAll().length, context);
                    model.clear();
                }
                case Translate translate -> check(memory, model, translate, context);
            }
            assertEquals(model.size(), memory.regionCount(), context);
            for (int i = 0; i < model.size(); i++)
            {
                assertEquals(model.get(i).base(), memory.region(i).gpaBase(), context);
                assertEquals(model.get(i).lengthBytes(), memory.region(i).lengthBytes(), context);
            }
        }
        memory.removeAll();
    }

    private static void apply(final GuestMemory memory, final List<Interval> model, final Add add, final String context)
    {
        final Interval interval = new Interval(add.gpaBase(), add.lengthBytes(), add.kind(), add.hostOffset());
        if (!fitsBelow2To63(interval))
        {
            assertThrows(GuestMemoryException.class, () -> region(add), context);
            return;
        }
        if (overlapsAny(model, interval, -1))
        {
            final GuestMemoryException ex = assertThrows(GuestMemoryException.class, () -> memory.add(region(add)),
                context);
            assertEquals(GuestMemoryException.Reason.OVERLAP, ex.reason(), context);
            return;
        }
        memory.add(region(add));
        insertSorted(model, interval);
    }

    private static void apply(
        final GuestMemory memory, final List<Interval> model, final Remove remove, final String context)
    {
        final long base;
        final long length;
        if (model.isEmpty())
        {
            base = 0;
            length = 1;
        }
        else
        {
            final Interval target = model.get(Math.floorMod(remove.hint(), model.size()));
            base = target.base();
            length = remove.exact() ? target.lengthBytes() : target.lengthBytes() + remove.lengthDelta();
        }
        final int index = indexOfExact(model, base, length);
        if (index < 0)
        {
            final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
                () -> memory.remove(base, length), context);
            assertEquals(GuestMemoryException.Reason.NOT_MAPPED, ex.reason(), context);
            return;
        }
        final GuestMemoryRegion removed = memory.remove(base, length);
        assertEquals(base, removed.gpaBase(), context);
        assertFalse(removed.isAttached(), context);
        model.remove(index);
    }

    private static void apply(
        final GuestMemory memory, final List<Interval> model, final Replace replace, final String context)
    {
        final Add add = replace.replacement();
        final Interval interval = new Interval(add.gpaBase(), add.lengthBytes(), add.kind(), add.hostOffset());
        if (model.isEmpty() || !fitsBelow2To63(interval))
        {
            return;
        }
        final int index = Math.floorMod(replace.hint(), model.size());
        final Interval target = model.get(index);
        if (overlapsAny(model, interval, index))
        {
            final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
                () -> memory.replace(target.base(), target.lengthBytes(), region(add)), context);
            assertEquals(GuestMemoryException.Reason.OVERLAP, ex.reason(), context);
            return;
        }
        final GuestMemoryRegion replaced = memory.replace(target.base(), target.lengthBytes(), region(add));
        assertEquals(target.base(), replaced.gpaBase(), context);
        model.remove(index);
        insertSorted(model, interval);
    }

    private static void check(
        final GuestMemory memory, final List<Interval> model, final Translate translate, final String context)
    {
        long gpa = translate.delta();
        if (!model.isEmpty() && Anchor.ABSOLUTE != translate.anchor())
        {
            final Interval target = model.get(Math.floorMod(translate.hint(), model.size()));
            gpa = (Anchor.BASE == translate.anchor() ? target.base() : target.base() + target.lengthBytes()) +
                translate.delta();
        }
        final long expected = referenceTranslate(model, gpa, translate.lengthBytes(), translate.forWrite());
        final long actual = translate.forWrite() ?
            memory.translateForWrite(gpa, translate.lengthBytes()) :
            memory.translateForRead(gpa, translate.lengthBytes());
        final String where = context + " gpa=0x" + Long.toHexString(gpa);
        if (expected >= 0)
        {
            assertEquals(slab.address() + expected, actual, where);
        }
        else
        {
            assertEquals(GuestMemory.NO_MAPPING, actual, where);
            assertEquals(GuestMemory.Rejection.values()[(int)(-expected - 1)], memory.lastRejection(), where);
        }
    }

    /**
     * The model's translation, in unsigned arithmetic.
     *
     * @return the offset in the slab, or {@code -(rejection ordinal + 1)}.
     */
    private static long referenceTranslate(
        final List<Interval> model, final long gpa, final long lengthBytes, final boolean forWrite)
    {
        if (lengthBytes <= 0)
        {
            return rejected(GuestMemory.Rejection.BAD_RANGE);
        }
        final BigInteger start = new BigInteger(Long.toUnsignedString(gpa));
        final BigInteger end = start.add(BigInteger.valueOf(lengthBytes));
        if (end.compareTo(TWO_TO_64) > 0)
        {
            return rejected(GuestMemory.Rejection.BAD_RANGE);
        }
        for (int i = 0; i < model.size(); i++)
        {
            final Interval interval = model.get(i);
            if (interval.start().compareTo(start) <= 0 && start.compareTo(interval.end()) < 0)
            {
                if (end.compareTo(interval.end()) > 0)
                {
                    final boolean adjacent = i + 1 < model.size() && model.get(i + 1).start().equals(interval.end());
                    return rejected(adjacent ? GuestMemory.Rejection.SPANS_REGIONS :
                        GuestMemory.Rejection.PAST_REGION_END);
                }
                if (Kind.NO_HOST == interval.kind())
                {
                    return rejected(GuestMemory.Rejection.NOT_HOST_MAPPED);
                }
                if (forWrite && Kind.READ_ONLY == interval.kind())
                {
                    return rejected(GuestMemory.Rejection.READ_ONLY);
                }
                return interval.hostOffset() + start.subtract(interval.start()).longValueExact();
            }
        }
        return rejected(GuestMemory.Rejection.UNMAPPED);
    }

    private static long rejected(final GuestMemory.Rejection rejection)
    {
        return -(rejection.ordinal() + 1L);
    }

    private static boolean fitsBelow2To63(final Interval interval)
    {
        return interval.lengthBytes() > 0 && interval.base() >= 0 &&
            interval.end().compareTo(BigInteger.ONE.shiftLeft(63)) <= 0;
    }

    private static boolean overlapsAny(final List<Interval> model, final Interval interval, final int ignoredIndex)
    {
        for (int i = 0; i < model.size(); i++)
        {
            final Interval other = model.get(i);
            if (i != ignoredIndex && other.start().compareTo(interval.end()) < 0 &&
                interval.start().compareTo(other.end()) < 0)
            {
                return true;
            }
        }
        return false;
    }

    private static int indexOfExact(final List<Interval> model, final long base, final long lengthBytes)
    {
        for (int i = 0; i < model.size(); i++)
        {
            if (model.get(i).base() == base && model.get(i).lengthBytes() == lengthBytes)
            {
                return i;
            }
        }
        return -1;
    }

    private static void insertSorted(final List<Interval> model, final Interval interval)
    {
        model.add(interval);
        model.sort(Comparator.comparingLong(Interval::base));
    }

    private static GuestMemoryRegion region(final Add add)
    {
        return switch (add.kind())
        {
            case READ_WRITE -> GuestMemoryRegion.ofSegment(
                add.gpaBase(), slab.asSlice(add.hostOffset(), add.lengthBytes()), GuestMemoryRegion.READ_WRITE);
            case READ_ONLY -> GuestMemoryRegion.ofSegment(
                add.gpaBase(), slab.asSlice(add.hostOffset(), add.lengthBytes()), GuestMemoryRegion.READ);
            case NO_HOST -> GuestMemoryRegion.withoutHostMapping(
                add.gpaBase(), add.lengthBytes(), GuestMemoryRegion.READ_WRITE);
        };
    }

    @Provide
    Arbitrary<List<Op>> operations()
    {
        final Arbitrary<Op> op = Arbitraries.frequencyOf(
            Tuple.of(6, adds().map(add -> (Op)add)),
            Tuple.of(2, removes()),
            Tuple.of(2, Combinators.combine(Arbitraries.integers(), adds()).as(Replace::new)),
            Tuple.of(1, Arbitraries.just(new RemoveAll())),
            Tuple.of(12, translations()));
        return op.list().ofMinSize(1).ofMaxSize(80);
    }

    private static Arbitrary<Add> adds()
    {
        final Arbitrary<Long> lowBases = Arbitraries.longs().between(0, 0x1_0000).map(base -> base & ~0xFL);
        final Arbitrary<Long> highBases = Arbitraries.longs().between(HIGH_BASE, Long.MAX_VALUE);
        final Arbitrary<Long> bases = Arbitraries.frequencyOf(Tuple.of(8, lowBases), Tuple.of(1, highBases));
        final Arbitrary<Add> hostMapped = Combinators.combine(
            bases,
            Arbitraries.longs().between(1, MAX_REGION_BYTES),
            Arbitraries.of(Kind.READ_WRITE, Kind.READ_ONLY),
            Arbitraries.longs().between(0, SLAB_BYTES - MAX_REGION_BYTES)).as(Add::new);
        final Arbitrary<Long> anyLengths = Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.longs().between(1, MAX_REGION_BYTES)),
            Tuple.of(1, Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE)));
        final Arbitrary<Add> withoutHost = Combinators.combine(bases, anyLengths)
            .as((base, length) -> new Add(base, length, Kind.NO_HOST, 0));
        return Arbitraries.frequencyOf(Tuple.of(3, hostMapped), Tuple.of(1, withoutHost));
    }

    private static Arbitrary<Op> removes()
    {
        return Combinators.combine(
            Arbitraries.integers(), Arbitraries.of(true, true, true, false), Arbitraries.longs().between(-16, 16))
            .as(Remove::new);
    }

    private static Arbitrary<Op> translations()
    {
        final Arbitrary<Long> deltas = Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.longs().between(-32, 32)),
            Tuple.of(2, Arbitraries.longs().between(-0x2000, 0x2000)),
            Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, -1L, -16L, 0xFFFF_FFFF_FFFF_F000L)),
            Tuple.of(1, Arbitraries.longs()));
        final Arbitrary<Long> lengths = Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.longs().between(1, 64)),
            Tuple.of(3, Arbitraries.longs().between(1, 0x2000)),
            Tuple.of(1, Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 0x1000L)));
        return Combinators.combine(Arbitraries.integers(), Arbitraries.of(Anchor.class), deltas, lengths,
            Arbitraries.of(true, false)).as(Translate::new);
    }
}
