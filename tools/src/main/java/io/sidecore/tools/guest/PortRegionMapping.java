package io.sidecore.tools.guest;

import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.os.MemFd;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A port as the guest side maps it (a VMM, the synthetic guest): the port region's header page and the doorbell
 * pages, the two memfds the daemon hands over ({@link PortRegionDescriptor}). The header is checked as the descriptor
 * says (version first) before anything else is read, the doorbell mapping for its length. The guest's view of BAR0 is
 * the doorbell pages: only the pages in {@link #sharedPages()} may be touched there (a {@link DeviceRegisters} over a
 * {@link DeviceAccess} that offers this view does so); every other register traps.
 */
public final class PortRegionMapping implements AutoCloseable
{
    private final Arena arena;
    private final AtomicBuffer header;
    private final AtomicBuffer doorbellPages;
    private final int sharedPages;

    private PortRegionMapping(final Arena arena, final MemorySegment header, final MemorySegment doorbellPages)
    {
        this.arena = arena;
        this.header = new UnsafeBuffer(header.address(), (int)header.byteSize());
        PortRegionDescriptor.checkHeader(this.header, header.byteSize());
        PortRegionDescriptor.checkDoorbellPages(doorbellPages.byteSize());
        this.doorbellPages = new UnsafeBuffer(doorbellPages.address(), PortRegionDescriptor.DOORBELL_PAGES_LENGTH);
        this.sharedPages = this.header.getInt(PortRegionDescriptor.SHARED_PAGES_FIELD_OFFSET);
    }

    /**
     * Map and check a port.
     *
     * @param region    the port region's memfd (the header page).
     * @param doorbells the doorbell pages' memfd.
     * @return the mapping; {@link #close()} unmaps it.
     * @throws IllegalStateException with {@link PortRegionDescriptor}'s exact message when the header or the
     *                               doorbell mapping fails its check (nothing stays mapped).
     */
    public static PortRegionMapping map(final MemFd region, final MemFd doorbells)
    {
        final Arena arena = Arena.ofShared();
        try
        {
            return new PortRegionMapping(arena, region.map(arena), doorbells.map(arena));
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    /**
     * @return BAR0 pages mapped into the guest (bit n = page n), from the header.
     */
    public int sharedPages()
    {
        return sharedPages;
    }

    /**
     * @return the doorbell pages: BAR0-shaped, offset r = BAR0 offset r.
     */
    public AtomicBuffer doorbellPages()
    {
        return doorbellPages;
    }

    /**
     * @return the port id, from the header.
     */
    public int portId()
    {
        return header.getInt(PortRegionDescriptor.PORT_ID_FIELD_OFFSET);
    }

    /**
     * @return the fault the daemon mirrored into the header, or null while the port serves.
     */
    public PortFault fault()
    {
        return PortRegionDescriptor.PORT_STATE_FAULTED == PortRegionDescriptor.portState(header) ?
            PortRegionDescriptor.fault(header) : null;
    }

    /**
     * Unmap both.
     */
    public void close()
    {
        arena.close();
    }
}
