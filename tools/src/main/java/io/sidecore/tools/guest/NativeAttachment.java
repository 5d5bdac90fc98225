package io.sidecore.tools.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.MemFd;
import io.sidecore.tools.control.ControlClient;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A guest attached to a daemon's port natively, as a VMM attaches one over the control socket: its RAM a memfd
 * (sealed against shrinking and growing unless told otherwise), its interrupt an eventfd, both handed over with the
 * attach request; the port region and doorbell pages the daemon hands back, mapped; the connection then carrying the
 * trapped register accesses ({@link NativeDeviceAccess}). Closing it ends the connection (the daemon lets the port
 * go) and releases everything.
 */
public final class NativeAttachment implements AutoCloseable
{
    private final ControlClient client;
    private final MemFd ramFd;
    private final EventFd interrupt;
    private final Arena arena;
    private MemFd portRegion;
    private MemFd doorbellPages;
    private int kickFd = -1;
    private PortRegionMapping mapping;
    private NativeDeviceAccess access;
    private GuestRam ram;

    private NativeAttachment(final ControlClient client, final MemFd ramFd, final EventFd interrupt, final Arena arena)
    {
        this.client = client;
        this.ramFd = ramFd;
        this.interrupt = interrupt;
        this.arena = arena;
    }

    /**
     * Attach a new guest to a port.
     *
     * @param controlSocket the daemon's control socket.
     * @param portName      the port.
     * @param ramBytes      guest RAM, a multiple of 4096.
     * @param ramGpa        guest-physical address of its first byte.
     * @param sealed        seal the RAM memfd against shrinking (false only to see the daemon refuse it).
     * @return the attached guest.
     * @throws GuestDriverException when the daemon refuses the attach (with its error code and message) or answers
     *     with descriptors that did not arrive.
     * @throws IOException when the socket fails.
     */
    public static NativeAttachment attach(
        final Path controlSocket, final String portName, final long ramBytes, final long ramGpa, final boolean sealed)
        throws IOException
    {
        return attach(controlSocket, portName, ramBytes, ramGpa, sealed, false);
    }

    /**
     * Attach a new guest to a port, its RAM in 4 KiB pages or in 2 MiB huge pages ({@link MemFd#create(String, long,
     * boolean)}): a VM on a host tuned for it, whose memory the daemon then maps in huge pages too.
     *
     * @param controlSocket the daemon's control socket.
     * @param portName      the port.
     * @param ramBytes      guest RAM, a multiple of 4096 (of {@link MemFd#HUGE_PAGE_BYTES} with huge pages).
     * @param ramGpa        guest-physical address of its first byte.
     * @param sealed        seal the RAM memfd against shrinking (false only to see the daemon refuse it).
     * @param hugePages     true for RAM in 2 MiB huge pages from the host's reserved pool.
     * @return the attached guest.
     * @throws GuestDriverException when the daemon refuses the attach (with its error code and message) or answers
     *     with descriptors that did not arrive.
     * @throws IOException when the socket fails.
     */
    public static NativeAttachment attach(
        final Path controlSocket, final String portName, final long ramBytes, final long ramGpa, final boolean sealed,
        final boolean hugePages)
        throws IOException
    {
        final ControlClient client = ControlClient.connect(controlSocket);
        MemFd ramFd = null;
        EventFd interrupt = null;
        Arena arena = null;
        NativeAttachment attachment = null;
        try
        {
            ramFd = MemFd.create("sidecore-guest-ram", ramBytes, hugePages);
            interrupt = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            arena = Arena.ofShared();
            attachment = new NativeAttachment(client, ramFd, interrupt, arena);
            attachment.attach(portName, ramBytes, ramGpa, sealed);
            return attachment;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != attachment)
            {
                attachment.close();
            }
            else
            {
                CloseHelper.quietCloseAll(interrupt, ramFd, client);
                if (null != arena)
                {
                    arena.close();
                }
            }
            throw ex;
        }
    }

    private void attach(final String portName, final long ramBytes, final long ramGpa, final boolean sealed)
        throws IOException
    {
        if (sealed)
        {
            ramFd.addSeals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW);
        }
        ram = new GuestRam(ramFd.map(arena), ramGpa);
        final ObjectNode request = client.newRequest(ControlProtocol.CMD_ATTACH);
        request.put(ControlProtocol.NAME, portName);
        final ObjectNode region = request.putArray(ControlProtocol.REGIONS).addObject();
        region.put(ControlProtocol.GPA, ramGpa);
        region.put(ControlProtocol.SIZE, ramBytes);
        region.put(ControlProtocol.FD_INDEX, 0);
        request.put(ControlProtocol.INTERRUPT_FD_INDEX, 1);
        final ControlClient.ControlResponse response = client.call(request, ramFd.fd(), interrupt.fd());
        final int[] fds = client.receivedFds();
        if (!response.ok())
        {
            closeAll(fds);
            throw new GuestDriverException("attach to " + portName + " refused (" + response.errorCode() + "): " +
                response.errorMessage());
        }
        final JsonNode result = response.result();
        final int regionIndex = result.path(ControlProtocol.REGION_FD_INDEX).asInt(-1);
        final int doorbellIndex = result.path(ControlProtocol.DOORBELL_FD_INDEX).asInt(-1);
        final int kickIndex = result.path(ControlProtocol.KICK_FD_INDEX).asInt(-1);
        if (regionIndex < 0 || regionIndex >= fds.length || doorbellIndex < 0 || doorbellIndex >= fds.length ||
            kickIndex >= fds.length)
        {
            closeAll(fds);
            throw new GuestDriverException("the attach response names descriptors that did not arrive");
        }
        portRegion = MemFd.adopt(fds[regionIndex], "port-region");
        doorbellPages = MemFd.adopt(fds[doorbellIndex], "doorbell-pages");
        kickFd = kickIndex >= 0 ? fds[kickIndex] : -1;
        mapping = PortRegionMapping.map(portRegion, doorbellPages);
        access = new NativeDeviceAccess(client.input(), client.output(), mapping.doorbellPages(),
            mapping.sharedPages(), kickFd);
    }

    /**
     * @return the device as the guest reaches it: trapped accesses on the connection, the shared pages mapped.
     */
    public NativeDeviceAccess access()
    {
        return access;
    }

    /**
     * @return the guest's RAM.
     */
    public GuestRam ram()
    {
        return ram;
    }

    /**
     * @return the guest's end of its interrupt eventfd (non-blocking).
     */
    public EventFd interrupt()
    {
        return interrupt;
    }

    /**
     * End the connection and release the mappings and descriptors. Only after the driver stopped using them.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(mapping, portRegion, doorbellPages);
        if (kickFd >= 0)
        {
            Fds.close(kickFd);
            kickFd = -1;
        }
        CloseHelper.quietCloseAll(client, interrupt, ramFd);
        arena.close();
    }

    private static void closeAll(final int[] fds)
    {
        for (final int fd : fds)
        {
            Fds.close(fd);
        }
    }
}
