package io.sidecore.engine.mem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One region of a guest's physical address space, as one DMA_MAP (vfio-user) or one native-attach memory entry
 * describes it: a guest-physical base, a length, the access the VMM granted (read, or read and write) and, when the
 * VMM shared the memory, the host mapping that holds its bytes.
 * <p>
 * Three kinds:
 * <ul>
 *     <li>{@link #ofSegment}: a segment the caller owns (tests, the in-process demo); closing the region does
 *     nothing to it;</li>
 *     <li>a mapping of a VMM's file made by {@link GuestMemoryMapper}: the region owns it, and {@link #close()}
 *     unmaps it;</li>
 *     <li>{@link #withoutHostMapping}: a range the VMM announced without a file descriptor (QEMU's anonymous
 *     {@code -m} RAM, ROMs without {@code aux-ram-share}, its own BAR pages). It takes part in the address map, so
 *     overlaps and unmaps are checked like any other, but the device cannot reach it: every translation into it is
 *     rejected as {@link GuestMemory.Rejection#NOT_HOST_MAPPED}.</li>
 * </ul>
 * A region is immutable but for one atomic state, {@code DETACHED -> ATTACHED -> DETACHED ... -> CLOSED}: it belongs
 * to at most one {@link GuestMemory} at a time and must be removed from it (on the thread that owns that guest
 * memory) before it is closed, so the device never touches memory that was unmapped. Attaching and closing are each
 * one compare-and-set of that state, so of an attach and a close that race exactly one wins: a closed region is never
 * attached, an attached one never closed.
 */
public final class GuestMemoryRegion implements AutoCloseable
{
    /** Access bit: the device may read the region. The same value as vfio-user's DMA_MAP flag READ. */
    public static final int READ = 1;
    /** Access bit: the device may write the region. The same value as vfio-user's DMA_MAP flag WRITE. */
    public static final int WRITE = 2;
    /** Guest RAM: read and write. */
    public static final int READ_WRITE = READ | WRITE;

    private final long gpaBase;
    private final long lengthBytes;
    private final int access;
    private final MemorySegment segment;
    private final Arena owner;
    private final String origin;
    private static final int DETACHED = 0;
    private static final int ATTACHED = 1;
    private static final int CLOSED = 2;
    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(GuestMemoryRegion.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused")
    private volatile int state = DETACHED;

    private GuestMemoryRegion(
        final long gpaBase,
        final long lengthBytes,
        final int access,
        final MemorySegment segment,
        final Arena owner,
        final String origin)
    {
        this.gpaBase = gpaBase;
        this.lengthBytes = lengthBytes;
        this.access = access;
        this.segment = segment;
        this.owner = owner;
        this.origin = origin;
    }

    /**
     * A region over a native segment the caller keeps owning (closing the region leaves it alone).
     *
     * @param gpaBase guest-physical address of the segment's first byte.
     * @param segment native segment; its size is the region's length.
     * @param access  {@link #READ} or {@link #READ_WRITE}.
     * @return the region.
     * @throws GuestMemoryException for a heap or empty segment, a range past 2^63 or bad access bits.
     */
    public static GuestMemoryRegion ofSegment(final long gpaBase, final MemorySegment segment, final int access)
    {
        if (!segment.isNative())
        {
            throw GuestMemoryException.invalidRegion("guest memory region must be a native segment: gpa=" +
                hex(gpaBase));
        }
        checkRange(gpaBase, segment.byteSize());
        checkAccess(access);
        return new GuestMemoryRegion(gpaBase, segment.byteSize(), access, segment, null, "segment");
    }

    /**
     * A range of the guest's address space that the daemon cannot reach (announced without a file descriptor).
     *
     * @param gpaBase     guest-physical base.
     * @param lengthBytes length.
     * @param access      {@link #READ} or {@link #READ_WRITE}.
     * @return the region.
     * @throws GuestMemoryException for an empty range, a range past 2^63 or bad access bits.
     */
    public static GuestMemoryRegion withoutHostMapping(final long gpaBase, final long lengthBytes, final int access)
    {
        checkRange(gpaBase, lengthBytes);
        checkAccess(access);
        return new GuestMemoryRegion(gpaBase, lengthBytes, access, MemorySegment.NULL, null, "no host mapping");
    }

    /**
     * A region that owns its mapping: {@link #close()} closes {@code owner}, which unmaps {@code mapping}.
     */
    static GuestMemoryRegion ofMapping(
        final long gpaBase, final MemorySegment mapping, final int access, final Arena owner, final String origin)
    {
        return new GuestMemoryRegion(gpaBase, mapping.byteSize(), access, mapping, owner, origin);
    }

    /**
     * Check a region's range: at least one byte, and its last byte below 2^63. Guest-physical addresses of real
     * machines stay far below (x86-64 has at most 52 physical address bits), and keeping every region in the
     * non-negative {@code long} range lets every range check use plain signed arithmetic.
     *
     * @param gpaBase     first byte.
     * @param lengthBytes length.
     * @throws GuestMemoryException when the range is empty, starts at or above 2^63 or ends past it.
     */
    static void checkRange(final long gpaBase, final long lengthBytes)
    {
        if (lengthBytes <= 0)
        {
            throw GuestMemoryException.invalidRegion("guest memory region is empty or negative: gpa=" +
                hex(gpaBase) + " length=" + lengthBytes);
        }
        if (gpaBase < 0 || lengthBytes - 1 > Long.MAX_VALUE - gpaBase)
        {
            throw GuestMemoryException.invalidRegion("guest memory region reaches past 2^63: gpa=" + hex(gpaBase) +
                " length=0x" + Long.toHexString(lengthBytes));
        }
    }

    /**
     * Check access bits: the device always reads (descriptors, frames), so only read-only and read-write regions
     * exist; QEMU sends READ for ROMs and READ|WRITE for RAM.
     *
     * @param access access bits.
     * @throws GuestMemoryException for anything else (none, write-only, unknown bits).
     */
    static void checkAccess(final int access)
    {
        if (READ != access && READ_WRITE != access)
        {
            throw GuestMemoryException.invalidRegion("guest memory access must be READ (1) or READ|WRITE (3): " +
                access);
        }
    }

    /**
     * @return guest-physical address of the first byte.
     */
    public long gpaBase()
    {
        return gpaBase;
    }

    /**
     * @return length in bytes (at least 1).
     */
    public long lengthBytes()
    {
        return lengthBytes;
    }

    /**
     * @return guest-physical address of the last byte (inclusive, so it never overflows).
     */
    public long lastGpa()
    {
        return gpaBase + (lengthBytes - 1);
    }

    /**
     * @return {@link #READ} or {@link #READ_WRITE}.
     */
    public int access()
    {
        return access;
    }

    /**
     * @return true if the device may write the region.
     */
    public boolean isWritable()
    {
        return 0 != (access & WRITE);
    }

    /**
     * @return true if the region's bytes are mapped in this process.
     */
    public boolean isHostMapped()
    {
        return 0 != segment.address();
    }

    /**
     * @return host address of the first byte, or {@link GuestMemory#NO_MAPPING} when not host mapped.
     */
    public long hostAddress()
    {
        return segment.address();
    }

    /**
     * @return the segment holding the bytes ({@link MemorySegment#NULL} when not host mapped).
     */
    public MemorySegment segment()
    {
        return segment;
    }

    /**
     * @return where the bytes come from, for messages ("segment", "fd=12 memfd offset=0", "no host mapping").
     */
    public String origin()
    {
        return origin;
    }

    /**
     * @return true while the region is in a {@link GuestMemory}.
     */
    public boolean isAttached()
    {
        return ATTACHED == state;
    }

    /**
     * @return true once {@link #close()} ran.
     */
    public boolean isClosed()
    {
        return CLOSED == state;
    }

    void attach()
    {
        if (!STATE.compareAndSet(this, DETACHED, ATTACHED))
        {
            throw GuestMemoryException.invalidRegion(CLOSED == state ? "guest memory region is closed: " + this :
                "guest memory region is already in a guest memory: " + this);
        }
    }

    void detach()
    {
        STATE.compareAndSet(this, ATTACHED, DETACHED);
    }

    /**
     * Release the mapping this region owns (unmap it); nothing for a caller-owned segment or an unmapped range.
     * Idempotent. Call it only after the region was removed from its {@link GuestMemory} on the thread that owns
     * it: from then on no translation can return an address inside it.
     *
     * @throws IllegalStateException while the region is still in a guest memory.
     */
    @Override
    public void close()
    {
        while (true)
        {
            final int current = state;
            if (CLOSED == current)
            {
                return;
            }
            if (ATTACHED == current)
            {
                throw new IllegalStateException(
                    "remove the region from its guest memory (on the owning thread) before closing it: " + this);
            }
            if (STATE.compareAndSet(this, DETACHED, CLOSED))
            {
                if (null != owner)
                {
                    owner.close();
                }
                return;
            }
        }
    }

    /**
     * @return e.g. {@code [0x100000, 0xc0000000) rw fd=12 memfd offset=0}.
     */
    @Override
    public String toString()
    {
        return "[" + hex(gpaBase) + ", " + (lastGpa() == Long.MAX_VALUE ? "2^63" : hex(lastGpa() + 1)) + ") " +
            (isWritable() ? "rw" : "ro") + " " + origin;
    }

    static String hex(final long value)
    {
        return "0x" + Long.toHexString(value);
    }
}
