package io.sidecore.bench.fuzz;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One guest-memory region of the fuzzer with guard margins: the region's bytes sit in the middle of a larger native
 * allocation whose margins before and after hold a canary pattern. A device write that leaves the region lands in a
 * margin (mapped, so the JVM survives to report it) and breaks the canary; {@link #damagedCanaryBytes} finds it. The
 * margins are larger than any single access the device makes (a 1 MiB ring, a 64 KiB buffer), so an access that
 * starts inside the region and runs past its end stays inside the allocation.
 */
final class GuardedRegion
{
    /** Bytes of each margin. */
    static final int MARGIN_BYTES = 2 << 20;
    /** Bytes checked next to each boundary by {@link #damagedEdgeBytes()}. */
    static final int EDGE_BYTES = 4096;

    private static final byte CANARY = (byte)0xC5;

    private final long gpaBase;
    private final int lengthBytes;
    private final boolean writable;
    private final MemorySegment allocation;
    private final MemorySegment region;
    private final MemorySegment canary;

    /**
     * @param arena       owns the allocation.
     * @param gpaBase     guest-physical base of the region.
     * @param lengthBytes region length, a multiple of 4096.
     * @param writable    false for a read-only region (a ROM).
     */
    GuardedRegion(final Arena arena, final long gpaBase, final int lengthBytes, final boolean writable)
    {
        this.gpaBase = gpaBase;
        this.lengthBytes = lengthBytes;
        this.writable = writable;
        this.allocation = arena.allocate((long)MARGIN_BYTES * 2 + lengthBytes, 4096);
        this.region = allocation.asSlice(MARGIN_BYTES, lengthBytes);
        this.canary = arena.allocate(MARGIN_BYTES, 4096);
        canary.fill(CANARY);
        allocation.asSlice(0, MARGIN_BYTES).fill(CANARY);
        allocation.asSlice(MARGIN_BYTES + lengthBytes, MARGIN_BYTES).fill(CANARY);
    }

    long gpaBase()
    {
        return gpaBase;
    }

    int lengthBytes()
    {
        return lengthBytes;
    }

    boolean isWritable()
    {
        return writable;
    }

    MemorySegment segment()
    {
        return region;
    }

    long hostAddress()
    {
        return region.address();
    }

    /**
     * @param gpa guest-physical address.
     * @return true if the byte is in this region.
     */
    boolean contains(final long gpa)
    {
        return gpa >= gpaBase && gpa - gpaBase < lengthBytes;
    }

    /**
     * @return bytes of the margins that no longer hold the canary: 0 unless something wrote outside the region.
     */
    long damagedCanaryBytes()
    {
        return damaged(allocation.asSlice(0, MARGIN_BYTES)) +
            damaged(allocation.asSlice(MARGIN_BYTES + (long)lengthBytes, MARGIN_BYTES));
    }

    /**
     * Cheap check after each case: the {@link #EDGE_BYTES} of each margin next to the region, where a write that runs
     * past a boundary lands first.
     *
     * @return damaged bytes there.
     */
    long damagedEdgeBytes()
    {
        return damaged(allocation.asSlice(MARGIN_BYTES - EDGE_BYTES, EDGE_BYTES)) +
            damaged(allocation.asSlice(MARGIN_BYTES + (long)lengthBytes, EDGE_BYTES));
    }

    /**
     * Restore the canaries (after a reported violation, so one bad write is counted once).
     */
    void restoreCanaries()
    {
        allocation.asSlice(0, MARGIN_BYTES).fill(CANARY);
        allocation.asSlice(MARGIN_BYTES + (long)lengthBytes, MARGIN_BYTES).fill(CANARY);
    }

    private long damaged(final MemorySegment margin)
    {
        long count = 0;
        long from = 0;
        final long size = margin.byteSize();
        while (from < size)
        {
            final long mismatch = margin.asSlice(from).mismatch(canary.asSlice(0, size - from));
            if (mismatch < 0)
            {
                break;
            }
            count++;
            from += mismatch + 1;
        }
        return count;
    }

    /**
     * @param offset offset in the region.
     * @return the byte there.
     */
    byte get(final long offset)
    {
        return region.get(ValueLayout.JAVA_BYTE, offset);
    }
}
