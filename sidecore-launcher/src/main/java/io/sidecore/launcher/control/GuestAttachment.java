package io.sidecore.launcher.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryException;
import io.sidecore.engine.mem.GuestMemoryMapper;
import io.sidecore.engine.mem.GuestMemoryRegion;
import io.sidecore.engine.port.EventFdInterruptLine;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.os.Mmap;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one attached guest brought to its port, and what the daemon made for it: the guest's memory regions (mapped
 * from its memfds by the engine's checking {@link GuestMemoryMapper}: by default sealed against shrinking, so
 * truncating them cannot fault the daemon), its interrupt eventfd, a fresh port region memfd (the header page,
 * {@link PortRegionDescriptor}) and a fresh doorbell pages memfd (BAR0-shaped; only the shared pages are ever written
 * into it) that the guest maps. Fresh memfds per attach mean a previous guest that still maps its old ones can no
 * longer reach the port, and the trapped registers stay in the daemon's own memory.
 * <p>
 * Made by the connection thread of the attach request ({@link #open}); released ({@link #close}) when the connection
 * ends, the port is destroyed or the daemon stops, after the port's device was unbound (so the sidecore no longer
 * touches any of it): the mappings are unmapped and every descriptor closed.
 */
final class GuestAttachment implements AutoCloseable
{
    private final Arena arena;
    private final GuestMemory guestMemory = new GuestMemory();
    private final List<Integer> regionFds = new ArrayList<>();
    private MemFd portRegion;
    private MemFd doorbellPages;
    private EventFd interrupt;
    private RegisterImage registers;
    private UnsafeBuffer regionHeader;
    private long peerPid;
    private boolean closed;

    private GuestAttachment()
    {
        this.arena = Arena.ofShared();
    }

    /**
     * Check and map what an attach request brings, and make the port region; nothing is bound yet.
     *
     * @param request  the attach request.
     * @param fds      the descriptors that came with it; every one is taken over (kept or closed), whatever happens.
     * @param portId   the port's id.
     * @param portName the port's name.
     * @param mac      the port's MAC.
     * @param sharedPages the port's shared-page policy.
     * @param csb      whether the port offers the CSB.
     * @param peerPid  pid of the guest's process.
     * @param mapper   maps the guest's memory files with the daemon's seal policy (by default only files sealed
     *                 against shrinking, so the daemon never maps what could fault it).
     * @return the attachment.
     * @throws ControlException naming what is wrong; the descriptors are closed.
     */
    static GuestAttachment open(
        final RequestFields request,
        final int[] fds,
        final int portId,
        final String portName,
        final byte[] mac,
        final int sharedPages,
        final boolean csb,
        final long peerPid,
        final GuestMemoryMapper mapper) throws ControlException
    {
        final GuestAttachment attachment = new GuestAttachment();
        attachment.peerPid = peerPid;
        final boolean[] used = new boolean[fds.length];
        try
        {
            if (0 == fds.length)
            {
                throw new ControlException(ControlProtocol.E_BAD_FDS, "attach needs the guest's memfds and " +
                    "interrupt eventfd sent with the request (SCM_RIGHTS); none arrived");
            }
            attachment.mapRegions(request, fds, used, mapper);
            final Long interruptIndex = request.integer(ControlProtocol.INTERRUPT_FD_INDEX, 0, fds.length - 1L);
            if (null == interruptIndex)
            {
                throw RequestFields.invalid("field '" + ControlProtocol.INTERRUPT_FD_INDEX + "' is required");
            }
            claim(used, (int)(long)interruptIndex, ControlProtocol.INTERRUPT_FD_INDEX);
            final int interruptFd = fds[(int)(long)interruptIndex];
            checkEventFd(interruptFd);
            attachment.interrupt = EventFd.adopt(interruptFd);
            for (int i = 0; i < fds.length; i++)
            {
                if (!used[i])
                {
                    throw new ControlException(ControlProtocol.E_BAD_FDS, "descriptor " + i + " of " + fds.length +
                        " is not referenced by the request");
                }
            }
            attachment.makeRegion(portId, portName, mac, sharedPages, csb);
            return attachment;
        }
        catch (final ControlException | RuntimeException ex)
        {
            for (int i = 0; i < fds.length; i++)
            {
                final int fd = fds[i];
                final boolean kept = attachment.regionFds.contains(fd) ||
                    (null != attachment.interrupt && attachment.interrupt.fd() == fd);
                if (!kept)
                {
                    Fds.close(fd);
                }
            }
            attachment.close();
            throw ex;
        }
    }

    /**
     * @return the guest's memory, for the port's device.
     */
    GuestMemory guestMemory()
    {
        return guestMemory;
    }

    /**
     * @return the BAR0 image in the port region, for the port's device.
     */
    RegisterImage registers()
    {
        return registers;
    }

    /**
     * @return the interrupt line to give the device: the guest's eventfd, written on each rising edge.
     */
    EventFdInterruptLine interruptLine()
    {
        return new EventFdInterruptLine(interrupt);
    }

    /**
     * @return the port region memfd, to hand to the guest.
     */
    int portRegionFd()
    {
        return portRegion.fd();
    }

    /**
     * @return the doorbell pages memfd, to hand to the guest.
     */
    int doorbellPagesFd()
    {
        return doorbellPages.fd();
    }

    /**
     * @return length of the port region.
     */
    long portRegionLength()
    {
        return PortRegionDescriptor.REGION_LENGTH;
    }

    /**
     * @return pid of the guest's process.
     */
    long peerPid()
    {
        return peerPid;
    }

    /**
     * Publish the port region to readers: call once the device is bound (the version is written last).
     */
    void signalReady()
    {
        PortRegionDescriptor.signalReady(regionHeader);
    }

    /**
     * Unmap and close everything. Only after the port's device no longer uses it (unbound). Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final GuestMemoryRegion region : guestMemory.removeAll())
        {
            region.close();
        }
        arena.close();
        for (final int fd : regionFds)
        {
            Fds.close(fd);
        }
        regionFds.clear();
        if (null != interrupt)
        {
            interrupt.close();
        }
        if (null != portRegion)
        {
            portRegion.close();
        }
        if (null != doorbellPages)
        {
            doorbellPages.close();
        }
    }

    private void mapRegions(
        final RequestFields request, final int[] fds, final boolean[] used, final GuestMemoryMapper mapper)
        throws ControlException
    {
        final JsonNode regions = request.node(ControlProtocol.REGIONS);
        if (null == regions || !regions.isArray() || regions.isEmpty())
        {
            throw RequestFields.invalid("field '" + ControlProtocol.REGIONS + "' must be a non-empty array");
        }
        if (regions.size() > GuestMemory.MAX_REGIONS)
        {
            throw RequestFields.invalid("at most " + GuestMemory.MAX_REGIONS + " regions: " + regions.size());
        }
        for (int i = 0; i < regions.size(); i++)
        {
            final JsonNode region = regions.get(i);
            if (!region.isObject())
            {
                throw RequestFields.invalid("region " + i + " must be an object");
            }
            final String where = ControlProtocol.REGIONS + "[" + i + "].";
            final long gpa = required(region, where, ControlProtocol.GPA, 0, Long.MAX_VALUE);
            final long size = required(region, where, ControlProtocol.SIZE, Mmap.pageSizeBytes(), Long.MAX_VALUE);
            final JsonNode offsetNode = region.get(ControlProtocol.FILE_OFFSET);
            final long fileOffset = null == offsetNode ? 0 :
                RequestFields.checkedInteger(where + ControlProtocol.FILE_OFFSET, offsetNode, 0, Long.MAX_VALUE);
            final int fdIndex = (int)required(region, where, ControlProtocol.FD_INDEX, 0, fds.length - 1L);
            for (final java.util.Iterator<String> names = region.fieldNames(); names.hasNext(); )
            {
                final String name = names.next();
                if (!ControlProtocol.GPA.equals(name) && !ControlProtocol.SIZE.equals(name) &&
                    !ControlProtocol.FILE_OFFSET.equals(name) && !ControlProtocol.FD_INDEX.equals(name))
                {
                    throw RequestFields.invalid("unknown field '" + where + name + "'");
                }
            }
            claim(used, fdIndex, where + ControlProtocol.FD_INDEX);
            regionFds.add(fds[fdIndex]);
            final GuestMemoryRegion mapped;
            try
            {
                mapped = mapper.map(fds[fdIndex], fileOffset, gpa, size, GuestMemoryRegion.READ_WRITE);
            }
            catch (final GuestMemoryException ex)
            {
                throw new ControlException(ControlProtocol.E_UNSAFE_MEMORY, where.substring(0, where.length() - 1) +
                    ": " + ex.getMessage(), ex);
            }
            try
            {
                guestMemory.add(mapped);
            }
            catch (final GuestMemoryException ex)
            {
                mapped.close();
                throw RequestFields.invalid(where.substring(0, where.length() - 1) + ": " + ex.getMessage());
            }
        }
    }

    private void makeRegion(
        final int portId, final String portName, final byte[] mac, final int sharedPages, final boolean csb)
    {
        portRegion = MemFd.create("sidecore-port-" + portName, PortRegionDescriptor.REGION_LENGTH);
        final MemorySegment region = portRegion.map(arena);
        regionHeader = new UnsafeBuffer(region.address(), PortRegionDescriptor.REGION_LENGTH);
        PortRegionDescriptor.writeHeader(regionHeader, portId, sharedPages, mac,
            csb ? PortRegionDescriptor.FEATURE_CSB : 0);
        doorbellPages = MemFd.create("sidecore-doorbells-" + portName, PortRegionDescriptor.DOORBELL_PAGES_LENGTH);
        final MemorySegment doorbells = doorbellPages.map(arena);
        registers = new RegisterImage(
            new UnsafeBuffer(doorbells.address(), PortRegionDescriptor.DOORBELL_PAGES_LENGTH), sharedPages);
    }

    private static long required(final JsonNode region, final String where, final String field, final long min,
        final long max) throws ControlException
    {
        final JsonNode node = region.get(field);
        if (null == node)
        {
            throw RequestFields.invalid("field '" + where + field + "' is required");
        }
        return RequestFields.checkedInteger(where + field, node, min, max);
    }

    private static void claim(final boolean[] used, final int index, final String field) throws ControlException
    {
        if (used[index])
        {
            throw new ControlException(ControlProtocol.E_BAD_FDS, "descriptor " + index + " is referenced twice (" +
                field + ")");
        }
        used[index] = true;
    }

    private static void checkEventFd(final int fd) throws ControlException
    {
        String target;
        try
        {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        }
        catch (final IOException ex)
        {
            target = "unknown (" + ex.getMessage() + ")";
        }
        if (!"anon_inode:[eventfd]".equals(target))
        {
            throw new ControlException(ControlProtocol.E_BAD_FDS, "the interrupt descriptor must be an eventfd, " +
                "not " + target);
        }
    }
}
