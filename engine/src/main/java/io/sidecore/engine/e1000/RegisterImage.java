package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The BAR0 register image of one port: the storage of every register, split by page between two BAR0-shaped
 * buffers.
 * <ul>
 *     <li>The <b>doorbell pages</b> ({@link PortRegionDescriptor#DOORBELL_PAGES_LENGTH}), memory shared with the
 *     guest: only the pages in the port's shared-page bitmap (by default the RX and TX ring pages) are ever read or
 *     written there. The guest writes them directly (tails, ring geometry), and the sidecore polls them and publishes
 *     the heads. What a VMM maps is this object, so it holds nothing else of the daemon's state.</li>
 *     <li>The <b>private image</b>, daemon memory: every other register (the ones that trap), written only by the
 *     device model in response to trapped accesses.</li>
 * </ul>
 * Accessors take BAR0 byte offsets from {@link E1000Registers} and find the buffer through a 32-entry page table, so
 * the sidecore's per-pass reads of TDT/RDT/TDH/RDH cost one array load more than a single image.
 * <p>
 * Only the owning agent thread writes through this class. Host-owned fields in shared pages (TDH, RDH) are
 * published with release stores; guest-owned doorbells (TDT, RDT) are read with acquire loads.
 */
public final class RegisterImage
{
    private static final int PAGE_SHIFT = Integer.numberOfTrailingZeros(E1000Registers.PAGE_LENGTH);

    private final AtomicBuffer privateImage;
    private final AtomicBuffer doorbellPages;
    private final int sharedPages;
    private final AtomicBuffer[] pages = new AtomicBuffer[E1000Registers.PAGE_COUNT];
    /** Per page, the {@code byteArray()} and {@code addressOffset()} of its buffer, for the unchecked accessors. */
    private final byte[][] pageArrays = new byte[E1000Registers.PAGE_COUNT][];
    private final long[] pageAddresses = new long[E1000Registers.PAGE_COUNT];
    /** Keeps native memory allocated here reachable: the buffers only hold raw addresses. */
    private final MemorySegment[] owners;
    // The registers a quiet port's pass reads (doorbellsAsLeft), by array and address: one load each, where the
    // page lookup of get and getAcquire is three dependent ones (page table, buffer, its fields), and over 64 quiet
    // ports those chains missed the first-level cache at every step.
    private final byte[] txQuietArray;
    private final long tdtAddress;
    private final long tdhAddress;
    private final long tidvAddress;
    private final byte[] rxQuietArray;
    private final long rdtAddress;
    private final long rdtrAddress;

    /**
     * An image whose shared pages live in {@code doorbellPages} (mapped from the port's doorbell memfd) and whose
     * other registers live in private memory allocated here.
     *
     * @param doorbellPages BAR0-shaped buffer, offset 0 = BAR0 offset 0, at least
     *                      {@link PortRegionDescriptor#DOORBELL_PAGES_LENGTH} bytes.
     * @param sharedPages   bit n set = BAR0 page n lives in {@code doorbellPages}.
     */
    public RegisterImage(final AtomicBuffer doorbellPages, final int sharedPages)
    {
        this(allocateSegment(), doorbellPages, sharedPages);
    }

    /**
     * An image over two given buffers (tests that observe the private image).
     *
     * @param privateImage  BAR0-shaped buffer for the registers that trap.
     * @param doorbellPages BAR0-shaped buffer for the shared pages.
     * @param sharedPages   bit n set = BAR0 page n lives in {@code doorbellPages}.
     */
    public RegisterImage(final AtomicBuffer privateImage, final AtomicBuffer doorbellPages, final int sharedPages)
    {
        this(privateImage, doorbellPages, sharedPages, new MemorySegment[0]);
    }

    private RegisterImage(final MemorySegment privateSegment, final AtomicBuffer doorbellPages, final int sharedPages)
    {
        this(wrap(privateSegment), doorbellPages, sharedPages, new MemorySegment[]{ privateSegment });
    }

    private RegisterImage(
        final AtomicBuffer privateImage,
        final AtomicBuffer doorbellPages,
        final int sharedPages,
        final MemorySegment[] owners)
    {
        checkCapacity("private register image", privateImage);
        checkCapacity("doorbell pages", doorbellPages);
        this.privateImage = privateImage;
        this.doorbellPages = doorbellPages;
        this.sharedPages = sharedPages;
        this.owners = owners;
        for (int page = 0; page < pages.length; page++)
        {
            final AtomicBuffer buffer = 0 != (sharedPages & (1 << page)) ? doorbellPages : privateImage;
            pages[page] = buffer;
            pageArrays[page] = buffer.byteArray();
            pageAddresses[page] = buffer.addressOffset();
        }
        txQuietArray = pageArrays[page(E1000Registers.TDT)];
        tdtAddress = addressOf(E1000Registers.TDT);
        tdhAddress = addressOf(E1000Registers.TDH);
        tidvAddress = addressOf(E1000Registers.TIDV);
        rxQuietArray = pageArrays[page(E1000Registers.RDT)];
        rdtAddress = addressOf(E1000Registers.RDT);
        rdtrAddress = addressOf(E1000Registers.RDTR);
    }

    /**
     * An image in native memory with the default shared pages (tests, ports without a VMM).
     *
     * @return a zeroed image.
     */
    public static RegisterImage allocate()
    {
        return allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES);
    }

    /**
     * An image in native memory, both buffers allocated here.
     *
     * @param sharedPages bit n set = BAR0 page n is shared.
     * @return a zeroed image.
     */
    public static RegisterImage allocate(final int sharedPages)
    {
        final MemorySegment privateSegment = allocateSegment();
        final MemorySegment doorbellSegment = allocateSegment();
        return new RegisterImage(
            wrap(privateSegment), wrap(doorbellSegment), sharedPages,
            new MemorySegment[]{ privateSegment, doorbellSegment });
    }

    /**
     * @param offset BAR0 byte offset, 4-byte aligned, in range.
     * @return plain read.
     */
    public int get(final int offset)
    {
        final int page = page(offset);
        return UnsafeApi.getInt(pageArrays[page], pageAddresses[page] + offset);
    }

    /**
     * @param offset BAR0 byte offset.
     * @param value  plain write.
     */
    public void set(final int offset, final int value)
    {
        final int page = page(offset);
        UnsafeApi.putInt(pageArrays[page], pageAddresses[page] + offset, value);
    }

    /**
     * @param offset BAR0 byte offset of a guest-written shared register.
     * @return acquire read.
     */
    public int getAcquire(final int offset)
    {
        return pages[page(offset)].getIntAcquire(offset);
    }

    /**
     * A quiet port's look at its registers (see {@code Port.pollUnlessQuiet}): TDT and RDT as the port last saw them
     * (acquire reads: the guest's doorbells), TDH as it left it, and no bit above the timer fields of RDTR and TIDV,
     * which share the doorbells' lines (a flush request, FPD, or a reserved bit: the full pass acts on them).
     *
     * @param lastTdt TDT the port last saw.
     * @param lastRdt RDT the port last saw.
     * @param lastTdh TDH the port left.
     * @return true when none of them changed.
     */
    public boolean doorbellsAsLeft(final int lastTdt, final int lastRdt, final int lastTdh)
    {
        // The same pages (TDT, TDH and TIDV share page 3, RDT and RDTR page 2) and the same orderings as the
        // getAcquire and get each was read with before: TDH plain, as get reads it.
        final byte[] txArray = txQuietArray;
        final byte[] rxArray = rxQuietArray;
        return UnsafeApi.getIntAcquire(txArray, tdtAddress) == lastTdt &&
            UnsafeApi.getIntAcquire(rxArray, rdtAddress) == lastRdt &&
            UnsafeApi.getInt(txArray, tdhAddress) == lastTdh &&
            0 == ((UnsafeApi.getIntAcquire(rxArray, rdtrAddress) | UnsafeApi.getIntAcquire(txArray, tidvAddress)) &
                ~E1000Registers.TIMER_MASK);
    }

    /**
     * @param offset BAR0 byte offset of a host-written shared register.
     * @param value  release write.
     */
    public void setRelease(final int offset, final int value)
    {
        pages[page(offset)].putIntRelease(offset, value);
    }

    /**
     * Replace a register in a shared page only if the guest has not rewritten it since it was read: the sidecore's
     * store never overwrites a newer guest store.
     *
     * @param offset   BAR0 byte offset.
     * @param expected the value read.
     * @param update   the value to store.
     * @return true if stored.
     */
    public boolean compareAndSet(final int offset, final int expected, final int update)
    {
        return pages[page(offset)].compareAndSetInt(offset, expected, update);
    }

    /**
     * @param offset BAR0 byte offset.
     * @return the register's address in its page's array (or in memory, for a native page): what get reads at.
     */
    private long addressOf(final int offset)
    {
        return pageAddresses[page(offset)] + offset;
    }

    /**
     * The range check of every register access, ours: the plain accessors ({@link #get}, {@link #set}: dozens per
     * frame, with constant offsets, for which this check folds away) then load and store unchecked, where Agrona's
     * check compares with a capacity loaded from the buffer on each access (issue 11 §0: RegisterImage.get was
     * 10-15 % of a multi-guest profile). The ordered accessors (acquire, release, compare-and-set: a few per pass)
     * go on through the buffer. Both buffers hold the whole BAR0 ({@link #checkCapacity}).
     *
     * @param offset BAR0 byte offset.
     * @return the page, whose buffer holds {@code [offset, offset + 4)}.
     * @throws IndexOutOfBoundsException when the register is outside BAR0.
     */
    private static int page(final int offset)
    {
        if (offset < 0 || offset > E1000Registers.BAR0_LENGTH - Integer.BYTES)
        {
            throw new IndexOutOfBoundsException("register offset outside BAR0: " + offset);
        }
        return offset >>> PAGE_SHIFT;
    }

    /**
     * Zero every register: each page in the buffer that holds it, so nothing is written to the doorbell pages
     * outside the shared ones.
     */
    public void clear()
    {
        for (int page = 0; page < pages.length; page++)
        {
            pages[page].setMemory(page << PAGE_SHIFT, E1000Registers.PAGE_LENGTH, (byte)0);
        }
    }

    /**
     * Copy the whole BAR0 view (every page from the buffer that holds it), for tests and diagnostics.
     *
     * @param destination at least {@link E1000Registers#BAR0_LENGTH} bytes.
     */
    public void copyTo(final MutableDirectBuffer destination)
    {
        for (int page = 0; page < pages.length; page++)
        {
            final int offset = page << PAGE_SHIFT;
            destination.putBytes(offset, pages[page], offset, E1000Registers.PAGE_LENGTH);
        }
    }

    /**
     * @param offset BAR0 byte offset.
     * @return true if the register lives in the doorbell pages (guest accesses to it do not trap).
     */
    public boolean isShared(final int offset)
    {
        return PortRegionDescriptor.isShared(sharedPages, offset);
    }

    /**
     * @return the shared-page bitmap (bit n = BAR0 page n).
     */
    public int sharedPages()
    {
        return sharedPages;
    }

    /**
     * @return the doorbell pages: what the guest maps (only its shared pages are ever written).
     */
    public AtomicBuffer doorbellPages()
    {
        return doorbellPages;
    }

    /**
     * @return the private image of the trapped registers (never handed to a VMM).
     */
    AtomicBuffer privateImage()
    {
        return privateImage;
    }

    private static MemorySegment allocateSegment()
    {
        return Arena.ofAuto().allocate(E1000Registers.BAR0_LENGTH, E1000Registers.PAGE_LENGTH);
    }

    private static UnsafeBuffer wrap(final MemorySegment segment)
    {
        return new UnsafeBuffer(segment.address(), E1000Registers.BAR0_LENGTH);
    }

    private static void checkCapacity(final String what, final AtomicBuffer buffer)
    {
        if (buffer.capacity() < E1000Registers.BAR0_LENGTH)
        {
            throw new IllegalArgumentException(what + " too short: capacity=" + buffer.capacity() + " required=" +
                E1000Registers.BAR0_LENGTH);
        }
    }
}
