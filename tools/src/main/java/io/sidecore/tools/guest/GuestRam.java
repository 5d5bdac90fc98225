package io.sidecore.tools.guest;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The part of guest RAM the driver model owns: a native {@link MemorySegment} at a guest-physical base. The model
 * carves its rings, buffers and CSB out of it with a bump allocator (nothing is ever freed; a driver allocates once
 * at open) and puts only guest-physical addresses into descriptors and registers, like a real driver after
 * {@code dma_alloc_coherent}.
 * <p>
 * The window is at most 2 GiB so that one {@link AtomicBuffer} spans it; a larger guest gives the model a slice.
 */
public final class GuestRam
{
    /** Largest window one buffer can address. */
    public static final long MAX_LENGTH_BYTES = Integer.MAX_VALUE & ~0xFFFL;

    private final MemorySegment segment;
    private final long baseGpa;
    private final int lengthBytes;
    private final UnsafeBuffer buffer;
    private int nextOffset;

    /**
     * @param segment native memory holding the window's bytes (shared memory in a real guest).
     * @param baseGpa guest-physical address of the segment's first byte.
     * @throws IllegalArgumentException for a heap segment, an empty or too large window, or a window that wraps.
     */
    public GuestRam(final MemorySegment segment, final long baseGpa)
    {
        if (!segment.isNative())
        {
            throw new IllegalArgumentException("guest RAM must be a native segment");
        }
        final long size = segment.byteSize();
        if (size <= 0 || size > MAX_LENGTH_BYTES)
        {
            throw new IllegalArgumentException("guest RAM window length out of range: length=" + size +
                " max=" + MAX_LENGTH_BYTES);
        }
        if (baseGpa < 0 || Long.MAX_VALUE - baseGpa < size)
        {
            throw new IllegalArgumentException("guest RAM window wraps: gpa=0x" + Long.toHexString(baseGpa) +
                " length=" + size);
        }
        this.segment = segment;
        this.baseGpa = baseGpa;
        this.lengthBytes = (int)size;
        this.buffer = new UnsafeBuffer(segment.address(), lengthBytes);
    }

    /**
     * A window in fresh native memory that lives as long as the returned object is reachable (tests, demos that
     * share the segment with an in-process device).
     *
     * @param baseGpa     guest-physical base.
     * @param lengthBytes window length.
     * @return the window.
     */
    public static GuestRam allocate(final long baseGpa, final int lengthBytes)
    {
        return new GuestRam(Arena.ofAuto().allocate(lengthBytes, 4096), baseGpa);
    }

    /**
     * Bump-allocate a block.
     *
     * @param blockBytes     size of the block, positive.
     * @param alignmentBytes alignment of its guest-physical address, a power of two.
     * @return the block's guest-physical address.
     * @throws GuestDriverException when the window is exhausted.
     * @throws IllegalArgumentException for a non-positive size or an alignment that is not a power of two.
     */
    public long allocate(final int blockBytes, final int alignmentBytes)
    {
        if (blockBytes <= 0)
        {
            throw new IllegalArgumentException("allocation size must be positive: size=" + blockBytes);
        }
        if (alignmentBytes <= 0 || 0 != (alignmentBytes & (alignmentBytes - 1)))
        {
            throw new IllegalArgumentException("alignment must be a power of two: alignment=" + alignmentBytes);
        }
        final long mask = alignmentBytes - 1L;
        final long alignedGpa = (baseGpa + nextOffset + mask) & ~mask;
        final long startOffset = alignedGpa - baseGpa;
        if (startOffset > lengthBytes || lengthBytes - startOffset < blockBytes)
        {
            throw new GuestDriverException("guest RAM exhausted: requested=" + blockBytes + " alignment=" +
                alignmentBytes + " used=" + nextOffset + " length=" + lengthBytes);
        }
        nextOffset = (int)(startOffset + blockBytes);
        return alignedGpa;
    }

    /**
     * Offset in {@link #buffer()} of a guest-physical range inside the window.
     *
     * @param gpa         first byte.
     * @param rangeBytes  length of the range.
     * @return the offset.
     * @throws IllegalArgumentException when the range is not wholly inside the window.
     */
    public int offset(final long gpa, final int rangeBytes)
    {
        final long offset = gpa - baseGpa;
        if (gpa < baseGpa || rangeBytes < 0 || offset > lengthBytes || lengthBytes - offset < rangeBytes)
        {
            throw new IllegalArgumentException("guest-physical range outside the window: gpa=0x" +
                Long.toHexString(gpa) + " length=" + rangeBytes + " window=0x" + Long.toHexString(baseGpa) +
                "+" + lengthBytes);
        }
        return (int)offset;
    }

    /**
     * @param offset offset in {@link #buffer()}.
     * @return its guest-physical address.
     */
    public long gpa(final int offset)
    {
        return baseGpa + offset;
    }

    /**
     * @return the window's bytes; offset 0 is {@link #baseGpa()}.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the native segment.
     */
    public MemorySegment segment()
    {
        return segment;
    }

    /**
     * @return guest-physical address of the first byte.
     */
    public long baseGpa()
    {
        return baseGpa;
    }

    /**
     * @return window length.
     */
    public int lengthBytes()
    {
        return lengthBytes;
    }

    /**
     * @return bytes handed out so far, alignment padding included.
     */
    public int usedBytes()
    {
        return nextOffset;
    }
}
