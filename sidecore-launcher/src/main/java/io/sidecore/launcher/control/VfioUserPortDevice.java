package io.sidecore.launcher.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryException;
import io.sidecore.engine.mem.GuestMemoryMapper;
import io.sidecore.engine.mem.GuestMemoryRegion;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.CommandOutcomeUnknownException;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.launcher.vfiouser.DoorbellPages;
import io.sidecore.launcher.vfiouser.IntxLine;
import io.sidecore.launcher.vfiouser.TrappedAccessCounts;
import io.sidecore.launcher.vfiouser.VfioUserDevice;
import io.sidecore.launcher.vfiouser.VfioUserDeviceException;
import io.sidecore.launcher.vfiouser.VfioUserServer;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.control.ControlProtocol;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * A daemon port as a vfio-user device: what the {@link VfioUserServer} asks of the port, carried out on the port's
 * sidecore through the {@link EngineProxy}, so the port keeps its single writer.
 * <ul>
 *   <li><b>A client connects</b> ({@link #connected}): the port's guest side is claimed (refused while a guest is
 *   attached natively), a fresh doorbell-pages memfd is made (BAR0-shaped; only the shared pages are ever written;
 *   a previous client that still maps its old one reaches nothing of the port) with an empty guest memory, and the
 *   port's device is replaced by one in its power-on state over them, its interrupt line the endpoint's
 *   {@link IntxLine} (the sidecore drives the level).</li>
 *   <li><b>Trapped accesses</b>: REGION_READ/WRITE of config space, BAR0 and BAR1 become {@link EngineProxy#read} and
 *   {@link EngineProxy#write} with their size. A BAR0 write into a shared page (QEMU sends doorbells by message while
 *   it has the BAR mmaps off, under TCG whenever INTx is pending) is stored into the same doorbell page the sidecore
 *   polls, by the device model, and counted as {@code doorbells_trapped} rather than {@code doorbells_shared}; the
 *   frames it announces are sent exactly as for a polled doorbell.</li>
 *   <li><b>DMA_MAP</b>: the fd is checked and mapped here, on the socket thread ({@link GuestMemoryMapper}, with the
 *   daemon's seal policy; without an fd, recorded as not host-mapped; READ alone read-only), then added to the
 *   guest memory on the sidecore by a command. At most {@code maxDmaRegions} at once.</li>
 *   <li><b>DMA_UNMAP</b> (one region, or all): removed on the sidecore by a command, and only once that command has
 *   run (no translation can reach it any more, nothing holds an address in it) unmapped, and then answered: no DMA
 *   lands in memory the VMM took back.</li>
 *   <li><b>DEVICE_RESET</b>: {@link EngineProxy#resetDevice}, the whole device back to power-on; the maps stay.</li>
 *   <li><b>The client goes</b> ({@link #disconnected}): the port's guest is unbound (power-on device over a private
 *   image, no memory, no line: rings stop), then everything the client brought is unmapped and closed, the doorbell
 *   memfd too, and the claim released, ready for the next VMM.</li>
 * </ul>
 * Counts for operators ({@link #describe}, in {@code ctl stats}): DMA maps and unmaps, maps refused by reason,
 * device resets, and the server's trapped accesses by register.
 * <p>
 * <b>Threads.</b> {@link #connected} runs on the server's accept thread, every other call on its connection thread
 * (one client at a time, and a thread start or join between them), {@link #describe} on control threads (it reads
 * counts written by one thread at a time).
 */
final class VfioUserPortDevice implements VfioUserDevice
{
    private static final Logger LOG = LoggerFactory.getLogger(VfioUserPortDevice.class);

    private final ManagedPort port;
    private final Port handle;
    private final EngineProxy proxy;
    private final IntxLine intx;
    private final GuestMemoryMapper mapper;
    private final int maxDmaRegions;
    private final long[] sharedPageOffsets;
    private VfioUserServer server;

    private Session session;
    private volatile long dmaMaps;
    private volatile long dmaUnmaps;
    private volatile long refusedLimit;
    private volatile long refusedUnsafeMemory;
    private volatile long refusedOverlap;
    private volatile long refusedInvalid;
    private volatile long deviceResets;
    private volatile int dmaRegions;
    // Of dmaRegions, those the daemon mapped (an fd came with them): the guest shows attached only while one is, as a
    // region without an fd (QEMU's anonymous memory) gives the device nothing to reach.
    private volatile int hostMappedRegions;
    private volatile long clientPid = -1;

    /**
     * What one client brought, and what was made for it.
     */
    private static final class Session
    {
        private final GuestClaim claim;
        private final Arena arena = Arena.ofShared();
        private final MemFd doorbells;
        private final RegisterImage registers;
        private final GuestMemory guestMemory = new GuestMemory();

        private Session(final GuestClaim claim, final String portName, final int sharedPages)
        {
            this.claim = claim;
            this.doorbells = MemFd.create("sidecore-doorbells-" + portName, PortRegionDescriptor.DOORBELL_PAGES_LENGTH);
            try
            {
                final MemorySegment pages = doorbells.map(arena);
                this.registers = new RegisterImage(
                    new UnsafeBuffer(pages.address(), PortRegionDescriptor.DOORBELL_PAGES_LENGTH), sharedPages);
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        private void close()
        {
            arena.close();
            doorbells.close();
        }
    }

    /**
     * @param port     the port.
     * @param proxy    the engine.
     * @param intx     the endpoint's INTx line, which becomes the device's interrupt line while a client is attached.
     * @param settings the daemon's endpoint settings (seal policy, DMA region limit).
     */
    VfioUserPortDevice(
        final ManagedPort port, final EngineProxy proxy, final IntxLine intx, final PortEndpointSettings settings)
    {
        this.port = port;
        this.handle = port.handle();
        this.proxy = proxy;
        this.intx = intx;
        this.mapper = settings.guestMemoryMapper();
        this.maxDmaRegions = settings.maxDmaRegions();
        final int sharedPages = handle.config().sharedPages();
        this.sharedPageOffsets = new long[Integer.bitCount(sharedPages)];
        for (int page = 0, i = 0; page < E1000Registers.PAGE_COUNT; page++)
        {
            if (0 != (sharedPages & (1 << page)))
            {
                sharedPageOffsets[i++] = (long)page * E1000Registers.PAGE_LENGTH;
            }
        }
    }

    /**
     * @param server the endpoint serving this device (for its counts in {@link #describe}).
     */
    void server(final VfioUserServer server)
    {
        this.server = server;
    }

    @Override
    public void connected(final long peerPid)
    {
        final GuestClaim claim = GuestClaim.vfioUser(peerPid);
        final GuestClaim holder = port.claim(claim);
        if (null != holder)
        {
            throw new VfioUserDeviceException(VfioUserErrno.EBUSY, "port " + port.name() + " has a guest " +
                "attached already: " + holder.describe() + "; a port takes one guest at a time");
        }
        final Session fresh;
        try
        {
            fresh = new Session(claim, port.name(), handle.config().sharedPages());
        }
        catch (final RuntimeException ex)
        {
            port.releaseClaim(claim);
            throw new VfioUserDeviceException(VfioUserErrno.EIO, "cannot make the doorbell pages of port " +
                port.name() + ": " + ex.getMessage());
        }
        // A previous client's device may have left the line high; this client's device starts with it low.
        intx.onLevelChange(false);
        final InterruptLine line = intx::onLevelChange;
        try
        {
            proxy.bindGuest(handle, fresh.registers, fresh.guestMemory, line);
        }
        catch (final CommandOutcomeUnknownException ex)
        {
            // The port may use the fresh doorbell pages: they stay mapped (leaked), never unmapped under it.
            port.releaseClaim(claim);
            LOG.error("port {}: {} outcome unknown; keeping the vfio-user guest's doorbell pages mapped (leaked): {}",
                port.name(), ex.commandName(), ex.getMessage());
            throw new VfioUserDeviceException(VfioUserErrno.EIO, "port " + port.name() + " could not take the " +
                "guest: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            fresh.close();
            port.releaseClaim(claim);
            throw new VfioUserDeviceException(VfioUserErrno.EIO, "port " + port.name() + " could not take the " +
                "guest: " + ex.getMessage());
        }
        session = fresh;
        dmaRegions = 0;
        hostMappedRegions = 0;
        clientPid = peerPid;
        LOG.info("guest attached: port={} transport={} pid={}", port.name(), ControlProtocol.TRANSPORT_VFIO_USER,
            peerPid);
    }

    @Override
    public void disconnected()
    {
        final Session ending = session;
        if (null == ending)
        {
            return;
        }
        session = null;
        port.guestLeaving(ending.claim);
        boolean released = true;
        try
        {
            proxy.unbindGuest(handle);
        }
        catch (final RuntimeException ex)
        {
            // Unmapping memory the sidecore may still use could fault it: keep the mappings (a leak, logged) unless
            // the port is gone from its sidecore, which then uses none of it. Not cancelled (outcome unknown): the
            // sidecore may still be inside the command, whatever the port list says.
            released = !(ex instanceof CommandOutcomeUnknownException) && !proxy.ports().contains(handle);
            if (!released)
            {
                LOG.error("port {}: its sidecore did not let the vfio-user guest go (BindGuest: {}); keeping its " +
                    "memory mapped (leaked)", port.name(), ex.getMessage());
            }
        }
        if (released)
        {
            // Unbound: the sidecore no longer touches this guest memory, so this thread may change and unmap it.
            final GuestMemoryRegion[] regions = ending.guestMemory.removeAll();
            for (final GuestMemoryRegion region : regions)
            {
                region.close();
            }
            dmaUnmaps += regions.length;
            ending.close();
        }
        dmaRegions = 0;
        hostMappedRegions = 0;
        clientPid = -1;
        port.releaseClaim(ending.claim);
        LOG.info("guest detached: port={} transport={} pid={}", port.name(), ControlProtocol.TRANSPORT_VFIO_USER,
            ending.claim.pid());
    }

    @Override
    public long regionRead(final int regionIndex, final long offset, final int sizeBytes)
    {
        try
        {
            return proxy.read(handle, space(regionIndex), (int)offset, sizeBytes);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new VfioUserDeviceException(VfioUserErrno.EINVAL, ex.getMessage());
        }
    }

    @Override
    public void regionWrite(final int regionIndex, final long offset, final int sizeBytes, final long value)
    {
        try
        {
            proxy.write(handle, space(regionIndex), (int)offset, sizeBytes, value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new VfioUserDeviceException(VfioUserErrno.EINVAL, ex.getMessage());
        }
    }

    @Override
    public int dmaMap(
        final int fd, final long fileOffset, final long iova, final long sizeBytes, final boolean readable,
        final boolean writable)
    {
        final Session current = requireSession();
        if (!readable)
        {
            refusedInvalid++;
            throw new VfioUserDeviceException(VfioUserErrno.EINVAL, "a mapping the device may not read " +
                "(write-only) is not served: the device reads every descriptor it writes back");
        }
        if (dmaRegions >= maxDmaRegions)
        {
            refusedLimit++;
            throw new VfioUserDeviceException(VfioUserErrno.ENOSPC, "port " + port.name() + " has " + dmaRegions +
                " DMA regions mapped, its limit (sidecore.port.max.dma.regions)");
        }
        final int access = writable ? GuestMemoryRegion.READ_WRITE : GuestMemoryRegion.READ;
        final GuestMemoryRegion region;
        try
        {
            region = fd < 0 ? GuestMemoryRegion.withoutHostMapping(iova, sizeBytes, access) :
                mapper.map(fd, fileOffset, iova, sizeBytes, access);
        }
        catch (final GuestMemoryException ex)
        {
            countRefusal(ex.reason());
            throw new VfioUserDeviceException(ex.errno(), ex.getMessage());
        }
        try
        {
            proxy.mapGuestMemory(handle, current.guestMemory, region);
        }
        catch (final IllegalArgumentException ex)
        {
            // The port was removed while the VMM mapped (destroy-port): nothing was queued, the mapping is ours.
            region.close();
            throw new VfioUserDeviceException(VfioUserErrno.EIO, "port " + port.name() + " is gone: " +
                ex.getMessage());
        }
        catch (final CommandOutcomeUnknownException ex)
        {
            // The sidecore may have added the region and may use it: it stays mapped (leaked; if it was added, the
            // guest's release unmaps it with the others).
            LOG.error("port {}: {} outcome unknown; keeping DMA region {} mapped (leaked): {}", port.name(),
                ex.commandName(), region, ex.getMessage());
            throw deviceError(ex);
        }
        catch (final IllegalStateException ex)
        {
            // Refused, or not started in time and cancelled: either way the sidecore never added the region.
            region.close();
            if (ex.getCause() instanceof GuestMemoryException refusal)
            {
                countRefusal(refusal.reason());
            }
            throw deviceError(ex);
        }
        dmaMaps++;
        dmaRegions++;
        if (region.isHostMapped())
        {
            hostMappedRegions++;
        }
        port.guestMapped(current.claim, 0 != hostMappedRegions);
        LOG.info("vfio-user {}: DMA map {}", port.name(), region);
        return 0;
    }

    @Override
    public int dmaUnmap(final long iova, final long sizeBytes)
    {
        final Session current = requireSession();
        final GuestMemoryRegion region;
        try
        {
            region = proxy.unmapGuestMemory(handle, current.guestMemory, iova, sizeBytes);
        }
        catch (final IllegalStateException ex)
        {
            // Refused, or not started in time and cancelled: the region stays mapped, in the guest memory. Outcome
            // unknown: it may or may not have been taken out, and nothing here unmaps it (leaked if taken out).
            logUnknownOutcome(ex, "DMA region at 0x" + Long.toHexString(iova));
            throw deviceError(ex);
        }
        // The sidecore has dropped it: nothing can reach it any more, so it is unmapped before the reply.
        if (region.isHostMapped())
        {
            hostMappedRegions--;
        }
        region.close();
        dmaUnmaps++;
        dmaRegions--;
        port.guestMapped(current.claim, 0 != hostMappedRegions);
        LOG.info("vfio-user {}: DMA unmap {}", port.name(), region);
        return 0;
    }

    @Override
    public int dmaUnmapAll()
    {
        final Session current = requireSession();
        final GuestMemoryRegion[] regions;
        try
        {
            regions = proxy.unmapAllGuestMemory(handle, current.guestMemory);
        }
        catch (final IllegalStateException ex)
        {
            logUnknownOutcome(ex, "every DMA region");
            throw deviceError(ex);
        }
        for (final GuestMemoryRegion region : regions)
        {
            region.close();
        }
        dmaUnmaps += regions.length;
        dmaRegions = 0;
        hostMappedRegions = 0;
        port.guestMapped(current.claim, false);
        LOG.info("vfio-user {}: DMA unmap all ({} regions)", port.name(), regions.length);
        return 0;
    }

    private void logUnknownOutcome(final IllegalStateException ex, final String what)
    {
        if (ex instanceof CommandOutcomeUnknownException unknown)
        {
            LOG.error("port {}: {} outcome unknown; {} stays mapped (leaked) whether or not it was taken out: {}",
                port.name(), unknown.commandName(), what, ex.getMessage());
        }
    }

    @Override
    public DoorbellPages doorbellPages()
    {
        final Session current = requireSession();
        return 0 == sharedPageOffsets.length ? null : new DoorbellPages(current.doorbells.fd(), 0, sharedPageOffsets);
    }

    @Override
    public void reset()
    {
        proxy.resetDevice(handle);
        deviceResets++;
    }

    /**
     * The endpoint's counts, for {@code ctl stats}.
     *
     * @param node receives them.
     */
    void describe(final ObjectNode node)
    {
        node.put(ControlProtocol.GUEST_PID, clientPid);
        if (null != server)
        {
            node.put(ControlProtocol.CLIENTS_SERVED, server.servedClients());
            node.put(ControlProtocol.CLIENTS_REFUSED, server.refusedClients());
        }
        node.put(ControlProtocol.DMA_REGIONS, dmaRegions);
        node.put(ControlProtocol.DMA_MAPS, dmaMaps);
        node.put(ControlProtocol.DMA_UNMAPS, dmaUnmaps);
        final ObjectNode refused = node.putObject(ControlProtocol.DMA_MAPS_REFUSED);
        refused.put(ControlProtocol.DMA_REFUSED_LIMIT, refusedLimit);
        refused.put(ControlProtocol.DMA_REFUSED_UNSAFE_MEMORY, refusedUnsafeMemory);
        refused.put(ControlProtocol.DMA_REFUSED_OVERLAP, refusedOverlap);
        refused.put(ControlProtocol.DMA_REFUSED_INVALID, refusedInvalid);
        node.put(ControlProtocol.DEVICE_RESETS, deviceResets);
        node.put(ControlProtocol.INTX_SIGNALS, intx.triggerSignals());
        if (null == server)
        {
            return;
        }
        final TrappedAccessCounts counts = server.trappedAccesses();
        node.put(ControlProtocol.TRAPPED_TDT_WRITES, counts.trappedTdtWrites());
        node.put(ControlProtocol.TRAPPED_RDT_WRITES, counts.trappedRdtWrites());
        node.put(ControlProtocol.POSTED_WRITES, counts.postedWrites());
        node.put(ControlProtocol.REJECTED_ACCESSES, counts.rejectedAccesses());
        final ObjectNode serviceTime = node.putObject(ControlProtocol.MESSAGE_SERVICE_TIME);
        final long[] buckets = counts.serviceTimeBuckets();
        final long[] boundsUs = TrappedAccessCounts.SERVICE_TIME_BUCKET_BOUNDS_US;
        for (int i = 0; i < buckets.length; i++)
        {
            serviceTime.put(i < boundsUs.length ? "lt_" + boundsUs[i] + "us" :
                "ge_" + boundsUs[boundsUs.length - 1] + "us", buckets[i]);
        }
        node.put(ControlProtocol.MESSAGE_SERVICE_TIME_MAX_US, counts.serviceTimeMaxNs() / 1_000);
        final ArrayNode accesses = node.putArray(ControlProtocol.TRAPPED_ACCESSES);
        for (final TrappedAccessCounts.OffsetCount count : counts.snapshot())
        {
            final ObjectNode entry = accesses.addObject();
            entry.put(ControlProtocol.REGION, regionName(count.regionIndex()));
            entry.put(ControlProtocol.OFFSET, String.format(Locale.ROOT, "0x%05x", count.offset()));
            entry.put(ControlProtocol.REGISTER, registerName(count.regionIndex(), count.offset()));
            entry.put(ControlProtocol.WRITE, count.write());
            entry.put(ControlProtocol.COUNT, count.count());
        }
    }

    /**
     * @return the client's pid while one is attached, else -1.
     */
    long clientPid()
    {
        return clientPid;
    }

    private Session requireSession()
    {
        final Session current = session;
        if (null == current)
        {
            throw new VfioUserDeviceException(VfioUserErrno.EIO, "port " + port.name() + " has no guest bound");
        }
        return current;
    }

    /**
     * @return the vfio-user error for a command the sidecore refused (the guest memory's errno) or did not start in
     *         time (EIO, naming the port and the timeout); either way it changed nothing.
     */
    private VfioUserDeviceException deviceError(final IllegalStateException ex)
    {
        if (ex.getCause() instanceof GuestMemoryException refusal)
        {
            return new VfioUserDeviceException(refusal.errno(), refusal.getMessage());
        }
        return new VfioUserDeviceException(VfioUserErrno.EIO, "port " + port.name() + ": " + ex.getMessage());
    }

    private void countRefusal(final GuestMemoryException.Reason reason)
    {
        switch (reason)
        {
            case NOT_SEALED, NOT_A_REGULAR_FILE, WRITE_SEALED -> refusedUnsafeMemory++;
            case OVERLAP -> refusedOverlap++;
            case TOO_MANY_REGIONS -> refusedLimit++;
            default -> refusedInvalid++;
        }
    }

    private static int space(final int regionIndex)
    {
        return switch (regionIndex)
        {
            case VfioUserRegionInfo.BAR0_REGION_INDEX -> TrappedAccess.MMIO_SPACE;
            case VfioUserRegionInfo.BAR1_REGION_INDEX -> TrappedAccess.IO_SPACE;
            case VfioUserRegionInfo.CONFIG_REGION_INDEX -> TrappedAccess.CONFIG_SPACE;
            default -> throw new VfioUserDeviceException(VfioUserErrno.EINVAL, "region " + regionIndex +
                " has no registers");
        };
    }

    private static String regionName(final int regionIndex)
    {
        return switch (regionIndex)
        {
            case VfioUserRegionInfo.BAR0_REGION_INDEX -> "bar0";
            case VfioUserRegionInfo.BAR1_REGION_INDEX -> "bar1";
            case VfioUserRegionInfo.CONFIG_REGION_INDEX -> "config";
            default -> "region" + regionIndex;
        };
    }

    private static String registerName(final int regionIndex, final long offset)
    {
        return switch (regionIndex)
        {
            case VfioUserRegionInfo.BAR0_REGION_INDEX -> E1000Registers.registerName((int)(offset & ~3L));
            case VfioUserRegionInfo.BAR1_REGION_INDEX -> offset < 4 ? "IOADDR" : "IODATA";
            case VfioUserRegionInfo.CONFIG_REGION_INDEX -> String.format(Locale.ROOT, "config 0x%02x", offset);
            default -> "";
        };
    }
}
