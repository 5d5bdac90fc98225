package io.sidecore.engine.proxy;

import io.sidecore.engine.EngineContext;
import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.SwitchBackend;
import io.sidecore.engine.l2.SwitchUplink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryRegion;
import io.sidecore.engine.port.PcapNgWriter;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.PortFaultPublisher;
import org.agrona.concurrent.AtomicBuffer;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The only way other threads act on the sidecores: every call becomes a command offered to the owning sidecore's
 * bounded queue, and the caller waits for the sidecore to execute it, so each port keeps a single writer.
 * <p>
 * <b>Trapped register accesses</b> ({@link #mmioRead} and friends) reuse the port's preallocated
 * {@link TrappedAccess} slot: the calling socket thread fills it, offers it and spins for the reply, which a running
 * sidecore gives within its next duty cycle (microseconds). Nothing is allocated on either side. An access has a size
 * (1, 2, 4 or 8 bytes: what a vfio-user client sends); {@link #read} and {@link #write} report an access the device
 * refuses (misaligned, straddling a register, a size the space does not take) with an
 * {@link IllegalArgumentException}, after the device counted it; the 4-byte helpers ({@link #mmioRead} and friends)
 * keep their old contract: a refused read returns 0 and a refused write does nothing.
 * <p>
 * <b>Control calls</b> (add or remove a port, change its settings) allocate freely and wait for every sidecore
 * involved: a switch port is announced to every sidecore's part of the switch. They reserve what they need (a port id,
 * a place on a sidecore, a switch slot, counters) under the proxy's lock, wait for the sidecores without it, and commit
 * or give back under it again: a call that concerns only healthy sidecores never waits behind one that waits on a
 * wedged sidecore (up to the command timeout and its grace). The proxy does not order two calls on the same port: its
 * caller does (the daemon's port registry serialises the calls of each port); a second removal of a port whose
 * removal is in flight is refused. Adding or
 * removing a switch port with several sidecores is all or nothing: a sidecore that does not take its step in time
 * makes the proxy undo the steps the others took. The proxy
 * places each port (the least-loaded sidecore, a free switch slot) and keeps that placement and the port's
 * trapped-access slot in its registry; the port itself knows nothing of where it is served.
 * <p>
 * A full command queue is counted in the target sidecore's {@code proxy_offer_failures} and retried until the
 * context's command timeout; a control call whose command the sidecore has not started within that timeout cancels
 * it ({@link SidecoreCommand#tryCancel()}: the sidecore skips it) and throws {@link CommandCancelledException}, so
 * a call that throws it has changed nothing and what the caller brought for it (a guest's pages, a mapped region) is
 * the caller's to free. A command the sidecore is running at the deadline is waited for: it completes in bounded time,
 * and the call reports its real outcome, up to {@value #RUNNING_GRACE_TIMEOUTS} more timeouts; past that it throws
 * {@link CommandOutcomeUnknownException}: the command may have done anything of its work and may still be running, so
 * the caller must not free what it brought (it leaks it, logged). In {@link ThreadingMode#INVOKER} mode the waiting
 * caller runs the agents itself, one caller at a time (the agents keep one writer); a caller that finds another
 * running them waits for it, up to its own deadline, as for a sidecore thread.
 */
public final class EngineProxy
{
    /** {@link #addPort(PortConfig, RegisterImage, GuestMemory, InterruptLine, int, Function)}: the least loaded. */
    public static final int LEAST_LOADED_SIDECORE = -1;

    /**
     * Spins a waiting caller makes before it parks: a running sidecore answers within its duty cycle, a few
     * microseconds, which the spin covers (each spin is one {@code PAUSE}, tens of nanoseconds).
     */
    private static final int SPINS_BEFORE_PARK = 1000;
    /**
     * Then it parks this long at a time (Linux rounds it up to its timer slack, ~50 us). Not {@code Thread.yield()}:
     * on a loaded host a yield gives the core away for a whole time slice, milliseconds, and a busy waiter would
     * take the core from the VMM thread that waits for the same answer.
     */
    private static final long PARK_NS = 10_000;
    /**
     * A command the sidecore started before the caller's command timeout is waited for this many more timeouts: a
     * running command takes microseconds, so a sidecore still inside one that long is wedged or dead, and the caller
     * answers "outcome unknown" ({@link CommandOutcomeUnknownException}) instead of hanging the requests of that
     * sidecore's ports.
     */
    private static final int RUNNING_GRACE_TIMEOUTS = 10;

    private final SidecoreEngine engine;
    private final EngineContext ctx;
    private final SidecoreAgent[] agents;
    private final boolean invoker;
    private final int[] portsPerSidecore;
    private final boolean[] switchSlotsInUse;
    private final List<Port> ports = new ArrayList<>();
    /** Ports whose add is in flight: reserved (id, place, slot, counters), not yet listed in {@link #ports}. */
    private final List<Port> adding = new ArrayList<>();
    /** Ports whose removal is in flight: still listed, not to be removed twice at once. */
    private final List<Port> removing = new ArrayList<>();
    private final Map<Port, PortEntry> entries = new ConcurrentHashMap<>();
    /** Switch slots a sidecore may still hold, each until its undo ran on every sidecore that may hold it. */
    private final List<QuarantinedSlot> quarantined = new ArrayList<>();
    private volatile CommandInterposer interposer = (sidecoreIndex, command) -> command;
    /**
     * Held by the caller that runs the agents' duty cycles in {@link ThreadingMode#INVOKER} mode. Tried, never
     * waited for: a duty cycle held inside a command (a wedged sidecore, in tests) must cost the other callers their
     * command timeout, not hang them.
     */
    private final ReentrantLock invokerLock = new ReentrantLock();

    public EngineProxy(final SidecoreEngine engine, final EngineContext ctx, final SidecoreAgent[] agents)
    {
        this.engine = engine;
        this.ctx = ctx;
        this.agents = agents.clone();
        this.invoker = ThreadingMode.INVOKER == ctx.threadingMode();
        this.portsPerSidecore = new int[agents.length];
        this.switchSlotsInUse = new boolean[ctx.maxSwitchPorts()];
    }

    /**
     * Create a port on the built-in L2 switch, on the least-loaded sidecore.
     *
     * @param config      identity and policy.
     * @param registers   the BAR0 image (shared with the guest).
     * @param guestMemory the guest's RAM.
     * @param line        interrupt output (an eventfd in the daemon).
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use or the switch is full.
     */
    public Port addSwitchPort(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line)
    {
        return add(config, registers, guestMemory, line, LEAST_LOADED_SIDECORE, null, null, false);
    }

    /**
     * Create a port on the built-in L2 switch, on the least-loaded sidecore, that mirrors its fault state into the
     * port region's header ({@code PortRegionDescriptor}).
     *
     * @param config      identity and policy.
     * @param registers   the BAR0 image (its doorbell pages shared with the guest).
     * @param guestMemory the guest's RAM.
     * @param line        interrupt output (an eventfd in the daemon).
     * @param portHeader  the port region's header page.
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use or the switch is full.
     */
    public Port addSwitchPort(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line, final AtomicBuffer portHeader)
    {
        return add(config, registers, guestMemory, line, LEAST_LOADED_SIDECORE, null, portHeader, false);
    }

    /**
     * Create a port connected to a given backend (TAP, capture, null), on the least-loaded sidecore.
     *
     * @param config      identity and policy.
     * @param registers   the BAR0 image (shared with the guest).
     * @param guestMemory the guest's RAM.
     * @param line        interrupt output.
     * @param backend     what the port is connected to; from now on used only by the owning sidecore.
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use.
     */
    public Port addPort(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line, final PortBackend backend)
    {
        if (null == backend)
        {
            throw new IllegalArgumentException("backend must not be null (use addSwitchPort for the switch)");
        }
        return add(config, registers, guestMemory, line, LEAST_LOADED_SIDECORE, counters -> backend, null, false);
    }

    /**
     * Create a port connected to a backend made for the port's counters (so a TAP or loopback backend counts its
     * drops with the port's other counters), on the least-loaded sidecore.
     *
     * @param config         identity and policy.
     * @param registers      the BAR0 image (shared with the guest).
     * @param guestMemory    the guest's RAM.
     * @param line           interrupt output.
     * @param backendFactory makes the backend from the new port's counters, on this thread; the backend is from
     *                       then on used only by the owning sidecore. When it throws, nothing is created.
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use, or the factory made no backend.
     */
    public Port addPort(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line, final Function<PortCounters, PortBackend> backendFactory)
    {
        return addPort(config, registers, guestMemory, line, backendFactory, null);
    }

    /**
     * Create a port connected to a backend made for the port's counters, on the least-loaded sidecore, that mirrors
     * its fault state into the port region's header ({@code PortRegionDescriptor}).
     *
     * @param config         identity and policy.
     * @param registers      the BAR0 image (its doorbell pages shared with the guest).
     * @param guestMemory    the guest's RAM.
     * @param line           interrupt output.
     * @param backendFactory makes the backend from the new port's counters, on this thread.
     * @param portHeader     the port region's header page, or null.
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use, or the factory made no backend.
     */
    public Port addPort(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line, final Function<PortCounters, PortBackend> backendFactory,
        final AtomicBuffer portHeader)
    {
        if (null == backendFactory)
        {
            throw new IllegalArgumentException("backend factory must not be null (use addSwitchPort for the switch)");
        }
        return add(config, registers, guestMemory, line, LEAST_LOADED_SIDECORE, backendFactory, portHeader, false);
    }

    /**
     * Create a port on a chosen sidecore, with a backend made for the port's counters (a TAP backend counts into
     * them).
     *
     * @param config         identity and policy.
     * @param registers      the BAR0 image.
     * @param guestMemory    the guest's RAM (empty for a port no guest is bound to yet).
     * @param line           interrupt output ({@link InterruptLine#NONE} without a guest).
     * @param sidecoreIndex  the sidecore, or {@link #LEAST_LOADED_SIDECORE}.
     * @param backendFactory makes the backend from the port's counters; null for the built-in switch. When it
     *                       throws, nothing is created and the exception propagates.
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use, the sidecore does not exist or the switch is full.
     * @throws PortKeptAfterFailedAddException when a switch port's announcement to another sidecore failed and so did
     *                                         taking it back: it stays listed, {@link #removePort} finishes it.
     * @throws SwitchSlotQuarantinedException  when a switch port's announcement failed and was taken back from every
     *                                         sidecore but one that may still hold its switch slot.
     */
    public Port addPort(
        final PortConfig config,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final InterruptLine line,
        final int sidecoreIndex,
        final Function<PortCounters, PortBackend> backendFactory)
    {
        if (LEAST_LOADED_SIDECORE != sidecoreIndex && (sidecoreIndex < 0 || sidecoreIndex >= agents.length))
        {
            throw new IllegalArgumentException("no sidecore " + sidecoreIndex + ": there are " + agents.length);
        }
        return add(config, registers, guestMemory, line, sidecoreIndex, backendFactory, null, false);
    }

    /**
     * Create the switch's uplink to the host: a port with no guest whose switch slot is the host backend the factory
     * makes (a TAP), so the guests on the switch and the host's network reach each other (see {@link SwitchUplink}).
     *
     * @param config        identity (its MAC is not pinned in the switch: the host's addresses are learned).
     * @param sidecoreIndex the sidecore, or {@link #LEAST_LOADED_SIDECORE}.
     * @param hostFactory   makes the host backend from the port's counters. When it throws, nothing is created.
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use, the sidecore does not exist or the switch is full.
     * @throws PortKeptAfterFailedAddException when a switch port's announcement to another sidecore failed and so did
     *                                         taking it back: it stays listed, {@link #removePort} finishes it.
     * @throws SwitchSlotQuarantinedException  when a switch port's announcement failed and was taken back from every
     *                                         sidecore but one that may still hold its switch slot.
     */
    public Port addUplinkPort(
        final PortConfig config, final int sidecoreIndex, final Function<PortCounters, PortBackend> hostFactory)
    {
        if (LEAST_LOADED_SIDECORE != sidecoreIndex && (sidecoreIndex < 0 || sidecoreIndex >= agents.length))
        {
            throw new IllegalArgumentException("no sidecore " + sidecoreIndex + ": there are " + agents.length);
        }
        if (null == hostFactory)
        {
            throw new IllegalArgumentException("an uplink needs a host backend");
        }
        return add(config, RegisterImage.allocate(config.sharedPages()), new GuestMemory(), InterruptLine.NONE,
            sidecoreIndex, hostFactory, null, true);
    }

    /**
     * Serve a guest on an existing port: its device is replaced by one in its power-on state over the guest's
     * register image, memory and interrupt line. Waits until the sidecore made the change.
     *
     * @param port        the port.
     * @param registers   the BAR0 image the guest shares (not the port's current one).
     * @param guestMemory the guest's RAM.
     * @param line        the guest's interrupt line.
     * @throws IllegalStateException when the sidecore did not start the change in time (cancelled: the port never
     *                               uses the guest's registers or memory, which the caller may free).
     */
    public void bindGuest(
        final Port port, final RegisterImage registers, final GuestMemory guestMemory, final InterruptLine line)
    {
        execute(agents[entry(port).sidecoreIndex()], new Commands.BindGuest(
            port, port.newGuestBinding(registers, guestMemory, line)));
    }

    /**
     * Let a port's guest go: the port's device returns to its power-on state over a private register image, no
     * guest memory and no interrupt line, so its rings stop and nothing more is written into the old guest's memory
     * once this returns (the caller may then unmap it). The port stays, for the next guest.
     *
     * @param port the port.
     */
    public void unbindGuest(final Port port)
    {
        bindGuest(port, RegisterImage.allocate(port.config().sharedPages()), new GuestMemory(), InterruptLine.NONE);
    }

    /**
     * Give the device of a port's bound guest one more region of guest memory (a vfio-user DMA_MAP). The region is
     * mapped by the caller (on its own thread: {@code GuestMemoryMapper}); the sidecore adds it to the guest memory
     * the guest was bound with, and the device may use it once this returns.
     *
     * @param port        the port.
     * @param guestMemory the guest memory given to {@link #bindGuest} for the guest now bound.
     * @param region      the region, not closed and in no guest memory.
     * @throws IllegalStateException wrapping the {@code GuestMemoryException} when it overlaps a mapped region or
     *                               the table is full, or when the sidecore did not start the command in time
     *                               (cancelled); either way the region was not added and stays the caller's, to
     *                               close.
     */
    public void mapGuestMemory(final Port port, final GuestMemory guestMemory, final GuestMemoryRegion region)
    {
        execute(agents[entry(port).sidecoreIndex()], new Commands.MapGuestMemory(port, guestMemory, region));
    }

    /**
     * Take one region back from the device of a port's bound guest (a vfio-user DMA_UNMAP). When this returns the
     * sidecore has removed it: no translation yields an address inside it, no DMA into it is in flight or will
     * start, so the caller may close (munmap) it and then answer the VMM.
     *
     * @param port        the port.
     * @param guestMemory the bound guest's memory.
     * @param gpaBase     the region's base, exactly as added.
     * @param lengthBytes its length, exactly as added.
     * @return the region, for the caller to close.
     * @throws IllegalStateException wrapping the {@code GuestMemoryException} when no region has exactly that base
     *                               and length, or when the sidecore did not start the command in time (cancelled:
     *                               the region stays in the guest memory, for a retry or the guest's release).
     */
    public GuestMemoryRegion unmapGuestMemory(
        final Port port, final GuestMemory guestMemory, final long gpaBase, final long lengthBytes)
    {
        final Commands.UnmapGuestMemory command =
            new Commands.UnmapGuestMemory(port, guestMemory, gpaBase, lengthBytes, false);
        execute(agents[entry(port).sidecoreIndex()], command);
        return command.removed()[0];
    }

    /**
     * Take every region back from the device of a port's bound guest, with the guarantee of
     * {@link #unmapGuestMemory}.
     *
     * @param port        the port.
     * @param guestMemory the bound guest's memory.
     * @return the regions, in address order, for the caller to close.
     */
    public GuestMemoryRegion[] unmapAllGuestMemory(final Port port, final GuestMemory guestMemory)
    {
        final Commands.UnmapGuestMemory command = new Commands.UnmapGuestMemory(port, guestMemory, 0, 0, true);
        execute(agents[entry(port).sidecoreIndex()], command);
        return command.removed();
    }

    /**
     * Change a port's moderation floor while it runs.
     *
     * @param port       the port.
     * @param overrideNs floor on the interval between two interrupts in ns (0: exactly as the guest programs its
     *                   timers), or {@link Port#NO_MODERATION_OVERRIDE} for the engine's default.
     */
    public void updateModeration(final Port port, final long overrideNs)
    {
        if (Port.NO_MODERATION_OVERRIDE != overrideNs && (overrideNs < 0 || overrideNs > 1_000_000_000L))
        {
            throw new IllegalArgumentException("moderation floor must be in [0, 1000000000] ns: " + overrideNs);
        }
        execute(agents[entry(port).sidecoreIndex()], new Commands.UpdateModeration(port, overrideNs));
    }

    /**
     * Set a port's link up or down, as an operator plugs or pulls a cable: down takes the guest's link down at once
     * (LSC, STATUS.LU clear, frames it sends are dropped and counted); up lets the link come back when the backend
     * has carrier, after autonegotiation. Waits until the sidecore made the change.
     *
     * @param port the port.
     * @param up   true for up.
     */
    public void setLink(final Port port, final boolean up)
    {
        execute(agents[entry(port).sidecoreIndex()], new Commands.SetLink(port, up));
    }

    /**
     * @param port the port.
     * @return its fault, moderation and link, as its sidecore sees them now.
     */
    public PortStatus portStatus(final Port port)
    {
        final Commands.QueryPortStatus query = new Commands.QueryPortStatus(port);
        execute(agents[entry(port).sidecoreIndex()], query);
        return query.status();
    }

    /**
     * Stop serving a port: it leaves its sidecore and the switch, its backend is closed and its counters freed. A
     * retry after a removal whose outcome was unknown finishes it: its sidecore no longer serving the port means that
     * removal ran, so the retry tells the other sidecores and frees the port's id, switch slot and counters.
     *
     * @param port the port.
     * @throws IllegalArgumentException if the port is not served.
     */
    public void removePort(final Port port)
    {
        final PortEntry entry = reserveRemoval(port);
        final int sidecore = entry.sidecoreIndex();
        final int slot = entry.switchSlot();
        // The other sidecores forget the port first, then its own sidecore lets it go: a step not started in time
        // (cancelled) undoes the steps before it, so the port stays listed and served everywhere, for a retry.
        final boolean[] told = new boolean[agents.length];
        try
        {
            if (L2Switch.NO_SLOT != slot)
            {
                tellOtherSidecores(slot, port.portId(), L2Switch.NO_MAC, sidecore, false, told);
            }
            execute(agents[sidecore], new Commands.RemovePort(port));
        }
        catch (final RuntimeException ex)
        {
            // The MAC it joined with: an uplink pins none (its backend is final, set before the port was served).
            final long mac = port.backend() instanceof SwitchUplink ? L2Switch.NO_MAC :
                L2Switch.macToLong(port.config().macAddress());
            final RuntimeException undo =
                L2Switch.NO_SLOT != slot ? untell(slot, port.portId(), mac, sidecore, false, told) : null;
            synchronized (this)
            {
                removing.remove(port);
            }
            throw partialChange(ex, undo, "port " + port.name() + " is still served and listed; a retried " +
                "removePort finishes it");
        }
        synchronized (this)
        {
            removing.remove(port);
            ports.remove(port);
            forget(port, sidecore);
            releaseSwitchSlot(slot);
        }
    }

    /**
     * @return the entry of the port, now marked as being removed.
     * @throws IllegalArgumentException if the port is not served (listed).
     * @throws IllegalStateException    if a removal of it is in flight.
     */
    private synchronized PortEntry reserveRemoval(final Port port)
    {
        final PortEntry entry = entries.get(port);
        if (null == entry || !ports.contains(port))
        {
            throw new IllegalArgumentException("port not served: " + port.name());
        }
        if (removing.contains(port))
        {
            throw new IllegalStateException("port " + port.name() + " is being removed by another call: retry " +
                "once it returned");
        }
        removing.add(port);
        return entry;
    }

    /**
     * Free what a port no longer served used, but its switch slot: its place on its sidecore, its entry, fault slot
     * and counters. Under the lock.
     */
    private void forget(final Port port, final int sidecore)
    {
        entries.remove(port);
        portsPerSidecore[sidecore]--;
        port.faultPublisher().release();
        port.counters().close();
    }

    /**
     * Reset a port's device to its power-on state while it stays served (a vfio-user DEVICE_RESET, a VM reboot, a
     * VMM that disconnected): see {@link E1000Device#powerOnReset()}. When this returns the sidecore has done it, so
     * no DMA from the old ring setup follows.
     *
     * @param port the port.
     */
    public void resetDevice(final Port port)
    {
        execute(agents[entry(port).sidecoreIndex()], new Commands.ResetDevice(port));
    }

    /**
     * Change a port's budgets and rate limits while it runs.
     *
     * @param port     the port.
     * @param settings new settings (validated on construction).
     */
    public void updatePortSettings(final Port port, final PortSettings settings)
    {
        execute(agents[entry(port).sidecoreIndex()], new Commands.UpdatePortSettings(port, settings));
    }

    /**
     * Start capturing a port's traffic, both directions, into a pcapng file (see {@code PortCapture}); a capture
     * already running on the port is replaced (its file is closed). The file is opened here, on the calling thread,
     * as the capture backend opens its file.
     *
     * @param port         a served port.
     * @param file         the capture file (replaced if it exists).
     * @param maxFileBytes rotate before a file would exceed this; 0 for no rotation.
     * @param maxFiles     files kept with rotation, including the current one (at least 1).
     * @throws java.io.UncheckedIOException when the file cannot be opened.
     * @throws IllegalArgumentException     if the port is not served or a limit is out of range.
     */
    public void startCapture(
        final Port port, final Path file, final long maxFileBytes, final int maxFiles)
    {
        final PortEntry entry = entry(port);
        final PcapNgWriter writer = new PcapNgWriter(file, port.name(), maxFileBytes, maxFiles);
        final Commands.StartCapture command = new Commands.StartCapture(port, writer);
        try
        {
            execute(agents[entry.sidecoreIndex()], command);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(writer);
            throw ex;
        }
        closeQuietly(command.replaced());
    }

    /**
     * Stop capturing a port's traffic and close the file.
     *
     * @param port a served port.
     * @return what the capture recorded, and why it stopped early if it did.
     * @throws IllegalArgumentException if the port is not served.
     * @throws IllegalStateException    if no capture runs on the port.
     */
    public CaptureSummary stopCapture(final Port port)
    {
        final PortEntry entry = entry(port);
        final Commands.StopCapture command = new Commands.StopCapture(port);
        execute(agents[entry.sidecoreIndex()], command);
        final PcapNgWriter writer = command.stopped();
        if (null == writer)
        {
            throw new IllegalStateException("no capture running on port " + port.name());
        }
        String failure = null == command.captureFailure() ? null : command.captureFailure().getMessage();
        try
        {
            writer.close();
        }
        catch (final UncheckedIOException ex)
        {
            failure = null == failure ? ex.getMessage() : failure;
        }
        return new CaptureSummary(writer.path(), command.framesCaptured(), writer.filesRotated(), failure);
    }

    /**
     * @param port a served port.
     * @return the index of the sidecore that serves it.
     * @throws IllegalArgumentException if the port is not served.
     */
    public int sidecoreIndex(final Port port)
    {
        return entry(port).sidecoreIndex();
    }

    /**
     * @param port a served port.
     * @return its global switch slot, or {@link L2Switch#NO_SLOT} when it is not on the switch.
     * @throws IllegalArgumentException if the port is not served.
     */
    public int switchSlot(final Port port)
    {
        return entry(port).switchSlot();
    }

    /**
     * @return the ports served, in creation order (a copy).
     */
    public synchronized List<Port> ports()
    {
        return new ArrayList<>(ports);
    }

    /**
     * @return switch slots not handed out now: a sidecore may hold each (an announcement or its undo whose outcome is
     *         unknown) until the undo offered again when it was quarantined ran there ({@link QuarantinedSlot}).
     */
    public synchronized int quarantinedSwitchSlots()
    {
        reclaimQuarantinedSlots();
        return quarantined.size();
    }

    /**
     * @return the number of sidecores.
     */
    public int sidecoreCount()
    {
        return agents.length;
    }

    /**
     * @param sidecoreIndex a sidecore.
     * @return ports placed on it.
     */
    public synchronized int portCount(final int sidecoreIndex)
    {
        return portsPerSidecore[sidecoreIndex];
    }

    /**
     * Trapped 32-bit BAR0 read, answered by the owning sidecore.
     *
     * @param port   the port.
     * @param offset BAR0 byte offset.
     * @return the register value.
     */
    public int mmioRead(final Port port, final int offset)
    {
        return (int)access(port, TrappedAccess.MMIO_SPACE, false, offset, Integer.BYTES, 0, false);
    }

    /**
     * Trapped 32-bit BAR0 write, executed by the owning sidecore before this returns.
     *
     * @param port   the port.
     * @param offset BAR0 byte offset.
     * @param value  value.
     */
    public void mmioWrite(final Port port, final int offset, final int value)
    {
        access(port, TrappedAccess.MMIO_SPACE, true, offset, Integer.BYTES, value & 0xFFFF_FFFFL, false);
    }

    /**
     * PCI configuration space read.
     *
     * @param port      the port.
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @return value.
     */
    public int configRead(final Port port, final int offset, final int sizeBytes)
    {
        return (int)access(port, TrappedAccess.CONFIG_SPACE, false, offset, sizeBytes, 0, false);
    }

    /**
     * PCI configuration space write.
     *
     * @param port      the port.
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @param value     value.
     */
    public void configWrite(final Port port, final int offset, final int sizeBytes, final int value)
    {
        access(port, TrappedAccess.CONFIG_SPACE, true, offset, sizeBytes, value & 0xFFFF_FFFFL, false);
    }

    /**
     * BAR1 (I/O window) read.
     *
     * @param port   the port.
     * @param offset BAR1 byte offset.
     * @return value.
     */
    public int ioRead(final Port port, final int offset)
    {
        return (int)access(port, TrappedAccess.IO_SPACE, false, offset, Integer.BYTES, 0, false);
    }

    /**
     * BAR1 (I/O window) write.
     *
     * @param port   the port.
     * @param offset BAR1 byte offset.
     * @param value  value.
     */
    public void ioWrite(final Port port, final int offset, final int value)
    {
        access(port, TrappedAccess.IO_SPACE, true, offset, Integer.BYTES, value & 0xFFFF_FFFFL, false);
    }

    /**
     * A trapped read of any size, answered by the owning sidecore (what a vfio-user REGION_READ carries).
     *
     * @param port      the port.
     * @param space     {@link TrappedAccess#CONFIG_SPACE}, {@link TrappedAccess#MMIO_SPACE} or
     *                  {@link TrappedAccess#IO_SPACE}.
     * @param offset    byte offset in the space.
     * @param sizeBytes 1, 2, 4 or 8.
     * @return the bytes read, zero-extended.
     * @throws IllegalArgumentException {@code "<space> read of <n> bytes at 0x<offset> refused: ..."} when the device
     *                                  refused it (counted in {@code bad_register_accesses}).
     */
    public long read(final Port port, final int space, final int offset, final int sizeBytes)
    {
        return access(port, space, false, offset, sizeBytes, 0, true);
    }

    /**
     * A trapped write of any size, carried out by the owning sidecore before this returns (what a vfio-user
     * REGION_WRITE carries).
     *
     * @param port      the port.
     * @param space     {@link TrappedAccess#CONFIG_SPACE}, {@link TrappedAccess#MMIO_SPACE} or
     *                  {@link TrappedAccess#IO_SPACE}.
     * @param offset    byte offset in the space.
     * @param sizeBytes 1, 2, 4 or 8.
     * @param value     the bytes, in the low {@code sizeBytes} bytes.
     * @throws IllegalArgumentException {@code "<space> write of <n> bytes at 0x<offset> refused: ..."} when the
     *                                  device refused it (counted in {@code bad_register_accesses}).
     */
    public void write(final Port port, final int space, final int offset, final int sizeBytes, final long value)
    {
        access(port, space, true, offset, sizeBytes, value, true);
    }

    /**
     * Offer a trapped access without waiting: the caller polls {@link TrappedAccess#isComplete()}, reads
     * {@link TrappedAccess#result()} and calls {@link TrappedAccess#end()}. For callers with their own event loop,
     * and for tests that drive the agent themselves.
     *
     * @param port      the port.
     * @param space     {@link TrappedAccess#MMIO_SPACE}, {@link TrappedAccess#CONFIG_SPACE} or
     *                  {@link TrappedAccess#IO_SPACE}.
     * @param write     true for a write.
     * @param offset    byte offset.
     * @param sizeBytes access size.
     * @param value     value to write.
     * @return the slot, or null if the slot is busy or the queue full (counted).
     */
    public TrappedAccess offerAccess(
        final Port port, final int space, final boolean write, final int offset, final int sizeBytes,
        final int value)
    {
        final PortEntry entry = entry(port);
        final TrappedAccess access = entry.access();
        if (!access.tryBegin(space, write, offset, sizeBytes, value))
        {
            return null;
        }
        if (!agents[entry.sidecoreIndex()].offer(access))
        {
            access.end();
            return null;
        }
        return access;
    }

    /**
     * @return command offers refused because a queue was full, over every sidecore.
     */
    public long offerFailures()
    {
        long total = 0;
        for (int i = 0; i < agents.length; i++)
        {
            total += agents[i].counters().proxyOfferFailures().get();
        }
        return total;
    }

    private Port add(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line, final int sidecoreIndex, final Function<PortCounters, PortBackend> backendFactory,
        final AtomicBuffer portHeader, final boolean uplink)
    {
        final PortEntry entry =
            reserveAdd(config, registers, guestMemory, line, sidecoreIndex, backendFactory, portHeader, uplink);
        final Port port = entry.port();
        final int sidecore = entry.sidecoreIndex();
        final int slot = entry.switchSlot();
        try
        {
            execute(agents[sidecore], new Commands.AddPort(port, slot, ctx.maxPortsPerSidecore()));
        }
        catch (final CommandOutcomeUnknownException ex)
        {
            // The sidecore may serve the port (or start to): its backend, counters, fault slot and switch slot stay
            // allocated, a deliberate leak, so nothing it may use is closed or given to another port.
            synchronized (this)
            {
                adding.remove(port);
                entries.remove(port);
                portsPerSidecore[sidecore]--;
            }
            throw new CommandOutcomeUnknownException(ex.commandName(), "port " + config.name() + " (id " +
                config.portId() + ") may or may not be served: " + ex.getMessage() + "; its backend, counters and " +
                "switch slot are kept (leaked)");
        }
        catch (final RuntimeException ex)
        {
            // The agent refused the port (or did not start it in time): it never serves it.
            synchronized (this)
            {
                adding.remove(port);
                forget(port, sidecore);
                releaseSwitchSlot(slot);
            }
            // Made here for a port that never came to be served: nobody else will close it.
            port.backend().close();
            throw ex;
        }
        if (L2Switch.NO_SLOT != slot)
        {
            final long mac = uplink ? L2Switch.NO_MAC : L2Switch.macToLong(config.macAddress());
            final boolean[] told = new boolean[agents.length];
            try
            {
                tellOtherSidecores(slot, config.portId(), mac, sidecore, true, told);
            }
            catch (final RuntimeException ex)
            {
                undoAdd(port, sidecore, slot, mac, told, ex);
            }
        }
        synchronized (this)
        {
            adding.remove(port);
            ports.add(port);
        }
        return port;
    }

    /**
     * The first step of an add, under the lock: check the id, place the port (a sidecore, a switch slot), make its
     * counters, fault slot and backend, and reserve them, so that adds waiting for other sidecores meanwhile neither
     * take them nor wait for this one.
     *
     * @return the new port's entry (in {@link #entries}; the port in {@link #adding}, counted on its sidecore).
     */
    private synchronized PortEntry reserveAdd(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line, final int sidecoreIndex, final Function<PortCounters, PortBackend> backendFactory,
        final AtomicBuffer portHeader, final boolean uplink)
    {
        reclaimQuarantinedSlots();
        requireFreePortId(ports, config.portId());
        requireFreePortId(adding, config.portId());
        final int sidecore = LEAST_LOADED_SIDECORE == sidecoreIndex ? leastLoadedSidecore() : sidecoreIndex;
        final int slot = null == backendFactory || uplink ? allocateSwitchSlot() : L2Switch.NO_SLOT;
        final PortCounters counters = new PortCounters(ctx.countersManager(), config.portId(), config.name());
        final PortFaultPublisher faultPublisher;
        try
        {
            faultPublisher = new PortFaultPublisher(
                ctx.portFaultTable().allocate(config.portId()),
                portHeader,
                null != ctx.mappedCountersFile() ? ctx.mappedCountersFile().errorLog() : null,
                ctx.portFaultListener(),
                ctx.epochClock());
        }
        catch (final RuntimeException ex)
        {
            releaseSwitchSlot(slot);
            counters.close();
            throw ex;
        }
        PortBackend backend = null;
        try
        {
            backend = null == backendFactory ?
                new SwitchBackend(agents[sidecore].l2Switch(), slot) : backendFactory.apply(counters);
            if (null == backend)
            {
                throw new IllegalArgumentException("backend factory made no backend for port " + config.name());
            }
            if (uplink)
            {
                backend = new SwitchUplink(backend, agents[sidecore].l2Switch(), slot, counters);
            }
            final Port port = new Port(
                config, registers, guestMemory, counters, line, backend, ctx.portDefaults(), faultPublisher);
            final PortEntry entry = new PortEntry(port, sidecore, slot, new TrappedAccess(port));
            entries.put(port, entry);
            adding.add(port);
            portsPerSidecore[sidecore]++;
            return entry;
        }
        catch (final RuntimeException ex)
        {
            if (null != backend)
            {
                backend.close();
            }
            releaseSwitchSlot(slot);
            faultPublisher.release();
            counters.close();
            throw ex;
        }
    }

    private static void requireFreePortId(final List<Port> taken, final int portId)
    {
        for (int i = 0, size = taken.size(); i < size; i++)
        {
            if (taken.get(i).portId() == portId)
            {
                throw new IllegalArgumentException("port id already in use: " + portId);
            }
        }
    }

    /**
     * Roll back an add another sidecore's switch did not take in time: the sidecores told (or that may have been told:
     * an announcement whose outcome is unknown) forget the port again and its own sidecore lets it go (closing its
     * backend), so the call changed nothing. When its own sidecore does not let it go, the port is kept listed as
     * added with its switch slot (a retried {@link #removePort} finishes it: forgetting a port a switch does not know
     * is harmless), so nothing the sidecores may use is freed: {@link PortKeptAfterFailedAddException} carries its
     * handle. When only a sidecore it was announced to did not forget it, the port is gone but that sidecore may still
     * hold its switch slot: the slot is quarantined, not handed to another port (whose announcement that sidecore
     * would refuse, "slot already in use") until the undo, offered to it again, ran there:
     * {@link SwitchSlotQuarantinedException}.
     */
    private void undoAdd(
        final Port port, final int sidecore, final int slot, final long mac, final boolean[] told,
        final RuntimeException cause)
    {
        final RuntimeException untold = untell(slot, port.portId(), mac, sidecore, true, told);
        try
        {
            execute(agents[sidecore], new Commands.RemovePort(port));
        }
        catch (final RuntimeException ex)
        {
            synchronized (this)
            {
                adding.remove(port);
                ports.add(port);
            }
            final boolean outcomeUnknown = cause instanceof CommandOutcomeUnknownException ||
                ex instanceof CommandOutcomeUnknownException || untold instanceof CommandOutcomeUnknownException;
            final PortKeptAfterFailedAddException kept = new PortKeptAfterFailedAddException(port, outcomeUnknown,
                cause.getMessage() + "; undoing it failed too (" + ex.getMessage() + "): port " + port.name() +
                " (id " + port.portId() + ") is kept listed, served by sidecore " + sidecore + "; removePort " +
                "finishes it", cause);
            kept.addSuppressed(ex);
            if (null != untold)
            {
                kept.addSuppressed(untold);
            }
            throw kept;
        }
        synchronized (this)
        {
            adding.remove(port);
            forget(port, sidecore);
            if (null == untold)
            {
                releaseSwitchSlot(slot);
            }
            else
            {
                // switchSlotsInUse[slot] stays set until the undo offered again ran on each sidecore told.
                quarantined.add(new QuarantinedSlot(slot, sidecore, told));
            }
        }
        if (null != untold)
        {
            final SwitchSlotQuarantinedException quarantine = new SwitchSlotQuarantinedException(slot,
                cause.getMessage() + "; port " + port.name() + " was taken back from sidecore " + sidecore +
                " (not served; its backend and counters are freed), but a sidecore it was announced to did not " +
                "take its leaving (" + untold.getMessage() + ") and may still hold its switch slot " + slot +
                ": the slot is quarantined (given to no other port until that sidecore took the leaving)", cause);
            quarantine.addSuppressed(untold);
            throw quarantine;
        }
        final String message = cause.getMessage() + "; port " + port.name() + " was taken back from sidecore " +
            sidecore + ": nothing was changed";
        throw cause instanceof CommandCancelledException ? new CommandCancelledException(message, cause) :
            new IllegalStateException(message, cause);
    }

    /**
     * Give back each quarantined slot whose leaving ran without failure on every sidecore that may hold it. Under
     * the lock; waits for nothing.
     */
    private void reclaimQuarantinedSlots()
    {
        for (int i = quarantined.size() - 1; i >= 0; i--)
        {
            if (quarantined.get(i).reclaimable())
            {
                releaseSwitchSlot(quarantined.remove(i).slot);
            }
        }
    }

    /**
     * Announce a switch port joining ({@code attach}) or leaving to every sidecore but its owner, in order, stopping
     * at the first that fails (the exception propagates).
     *
     * @param told set for each sidecore that executed the announcement, or may have (its outcome is unknown), so
     *             the undo reaches it too.
     */
    private void tellOtherSidecores(
        final int slot, final int portId, final long mac, final int owner, final boolean attach, final boolean[] told)
    {
        for (int i = 0; i < agents.length; i++)
        {
            if (i != owner)
            {
                try
                {
                    execute(agents[i], new Commands.RemoteSwitchPort(slot, portId, mac, owner, attach));
                }
                catch (final CommandOutcomeUnknownException ex)
                {
                    told[i] = true;
                    throw ex;
                }
                told[i] = true;
            }
        }
    }

    /**
     * Undo {@link #tellOtherSidecores} on the sidecores that executed it (or may have).
     *
     * @return null, or the first failure (the others are still tried).
     */
    private RuntimeException untell(
        final int slot, final int portId, final long mac, final int owner, final boolean attached,
        final boolean[] told)
    {
        RuntimeException failure = null;
        for (int i = 0; i < agents.length; i++)
        {
            if (told[i])
            {
                try
                {
                    execute(agents[i], new Commands.RemoteSwitchPort(slot, portId, mac, owner, !attached));
                }
                catch (final RuntimeException ex)
                {
                    failure = null == failure ? ex : failure;
                }
            }
        }
        return failure;
    }

    /**
     * @return the exception for a multi-sidecore change that failed: the cause when the undo worked, otherwise one
     *         saying what is left (an outcome-unknown cause or undo stays {@link CommandOutcomeUnknownException}).
     */
    private static RuntimeException partialChange(
        final RuntimeException cause, final RuntimeException undo, final String left)
    {
        if (null == undo)
        {
            return cause;
        }
        final String message = cause.getMessage() + "; undoing it failed too (" + undo.getMessage() + "): " + left;
        if (undo instanceof CommandOutcomeUnknownException unknown)
        {
            return new CommandOutcomeUnknownException(unknown.commandName(), message, cause);
        }
        if (cause instanceof CommandOutcomeUnknownException unknown)
        {
            return new CommandOutcomeUnknownException(unknown.commandName(), message, cause);
        }
        return new IllegalStateException(message, cause);
    }

    private static void closeQuietly(final PcapNgWriter writer)
    {
        if (null != writer)
        {
            try
            {
                writer.close();
            }
            catch (final UncheckedIOException ignore)
            {
                // The capture is being discarded; traffic was never affected by it.
            }
        }
    }

    private PortEntry entry(final Port port)
    {
        final PortEntry entry = entries.get(port);
        if (null == entry)
        {
            throw new IllegalArgumentException("port not served: " + port.name());
        }
        return entry;
    }

    private void releaseSwitchSlot(final int slot)
    {
        if (L2Switch.NO_SLOT != slot)
        {
            switchSlotsInUse[slot] = false;
        }
    }

    private int leastLoadedSidecore()
    {
        int best = 0;
        for (int i = 1; i < portsPerSidecore.length; i++)
        {
            if (portsPerSidecore[i] < portsPerSidecore[best])
            {
                best = i;
            }
        }
        return best;
    }

    private int allocateSwitchSlot()
    {
        for (int i = 0; i < switchSlotsInUse.length; i++)
        {
            if (!switchSlotsInUse[i])
            {
                switchSlotsInUse[i] = true;
                return i;
            }
        }
        throw new IllegalArgumentException("switch is full: maxSwitchPorts=" + switchSlotsInUse.length);
    }

    private long access(
        final Port port,
        final int space,
        final boolean write,
        final int offset,
        final int sizeBytes,
        final long value,
        final boolean failOnRejection)
    {
        final PortEntry entry = entry(port);
        final TrappedAccess access = entry.access();
        final long deadlineNs = System.nanoTime() + ctx.commandTimeoutNs();
        int spins = 0;
        while (!access.tryBegin(space, write, offset, sizeBytes, value))
        {
            spins = waitStep(spins, deadlineNs, port, "trapped access slot busy");
        }
        final SidecoreAgent agent = agents[entry.sidecoreIndex()];
        while (!agent.offer(access))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                access.end();
                throw new CommandCancelledException("command queue of sidecore " + agent.index() + " full for " +
                    ctx.commandTimeoutNs() + " ns: port " + port.name());
            }
            spins = idleStep(spins);
        }
        spins = 0;
        while (!access.isComplete())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                access.abandon();
                throw new IllegalStateException("sidecore " + agent.index() + " did not answer a trapped access " +
                    "within " + ctx.commandTimeoutNs() + " ns: port " + port.name() + " offset 0x" +
                    Integer.toHexString(offset));
            }
            spins = idleStep(spins);
        }
        final Exception failure = access.failure();
        final long result = access.resultBytes();
        final boolean rejected = access.isRejected();
        access.end();
        if (null != failure)
        {
            throw new IllegalStateException("trapped access failed: port " + port.name() + " offset 0x" +
                Integer.toHexString(offset), failure);
        }
        if (rejected && failOnRejection)
        {
            throw new IllegalArgumentException(spaceName(space) + (write ? " write of " : " read of ") + sizeBytes +
                " bytes at 0x" + Integer.toHexString(offset) + " refused: " + validAccesses(space) + " (port " +
                port.name() + ")");
        }
        return result;
    }

    private static String validAccesses(final int space)
    {
        return switch (space)
        {
            case TrappedAccess.CONFIG_SPACE -> "it takes 1, 2 or 4 bytes inside the 256-byte header";
            case TrappedAccess.MMIO_SPACE -> "it takes 1, 2, 4 or 8 bytes at a multiple of the size inside 128 KiB";
            case TrappedAccess.IO_SPACE -> "it takes 1, 2 or 4 bytes at a multiple of the size inside 64 bytes";
            default -> "unknown space";
        };
    }

    private static String spaceName(final int space)
    {
        return switch (space)
        {
            case TrappedAccess.CONFIG_SPACE -> "config space";
            case TrappedAccess.MMIO_SPACE -> "BAR0";
            case TrappedAccess.IO_SPACE -> "BAR1";
            default -> "space " + space;
        };
    }

    /**
     * Sees every control command before it is offered to a sidecore and returns what is offered instead. The daemon
     * offers each command as it is; tests wrap one to hold its sidecore inside it (a sidecore wedged in a command,
     * whose outcome the caller cannot know), which nothing in the engine can be made to do from outside.
     */
    @FunctionalInterface
    interface CommandInterposer
    {
        /**
         * @param sidecoreIndex the sidecore the command is for.
         * @param command       the command.
         * @return the command to offer: {@code command}, or one that runs it (its outcome is read from it).
         */
        SidecoreCommand interpose(int sidecoreIndex, SidecoreCommand command);
    }

    /**
     * @param interposer sees every control command from now on (tests: see {@link CommandInterposer}).
     */
    void interposer(final CommandInterposer interposer)
    {
        this.interposer = interposer;
    }

    private void execute(final SidecoreAgent agent, final SidecoreCommand request)
    {
        final SidecoreCommand command = interposer.interpose(agent.index(), request);
        final long deadlineNs = System.nanoTime() + ctx.commandTimeoutNs();
        int spins = 0;
        while (!agent.offer(command))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new CommandCancelledException("command queue of sidecore " + agent.index() + " full for " +
                    ctx.commandTimeoutNs() + " ns; " + request.getClass().getSimpleName() + " cancelled: it will " +
                    "not run and nothing was changed");
            }
            spins = idleStep(spins);
        }
        spins = 0;
        final long outcomeDeadlineNs = deadlineNs + RUNNING_GRACE_TIMEOUTS * ctx.commandTimeoutNs();
        while (!command.isComplete())
        {
            final long nowNs = System.nanoTime();
            if (nowNs - deadlineNs > 0 && command.tryCancel())
            {
                throw new CommandCancelledException("sidecore " + agent.index() + " did not start " +
                    request.getClass().getSimpleName() + " within " + ctx.commandTimeoutNs() + " ns; cancelled: " +
                    "it will not run and nothing was changed");
            }
            if (nowNs - outcomeDeadlineNs > 0)
            {
                final String name = request.getClass().getSimpleName();
                throw new CommandOutcomeUnknownException(name, "sidecore " + agent.index() + " started " + name +
                    " but did not finish it within " + (RUNNING_GRACE_TIMEOUTS + 1) * ctx.commandTimeoutNs() +
                    " ns: outcome unknown (the sidecore is wedged in it or its thread died); what the command " +
                    "was given may still be in use and must not be freed");
            }
            // Past the first deadline but not cancellable: the sidecore is running it and normally finishes it in
            // bounded time (microseconds), so the caller waits for its real outcome up to the second deadline.
            spins = idleStep(spins);
        }
        final Exception failure = command.failure();
        if (SidecoreCommand.SIDECORE_FAILED == failure)
        {
            // An Error cut the command short somewhere inside: unlike a refusal, it may have changed state, so the
            // caller must keep (leak) what it gave, as for a command that never finished.
            final String name = request.getClass().getSimpleName();
            throw new CommandOutcomeUnknownException(name, "sidecore " + agent.index() + " failed inside " + name +
                " (an Error on its thread): outcome unknown; what the command was given may still be in use and " +
                "must not be freed");
        }
        if (null != failure)
        {
            throw new IllegalStateException(request.getClass().getSimpleName() + " failed on sidecore " +
                agent.index() + ": " + failure.getMessage(), failure);
        }
    }

    private int waitStep(final int spins, final long deadlineNs, final Port port, final String what)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IllegalStateException(what + " for " + ctx.commandTimeoutNs() + " ns: port " + port.name());
        }
        return idleStep(spins);
    }

    private int idleStep(final int spins)
    {
        if (invoker)
        {
            if (invokerLock.tryLock())
            {
                try
                {
                    engine.doWork();
                }
                finally
                {
                    invokerLock.unlock();
                }
                return spins;
            }
            // Another caller runs the agents: its duty cycles take this caller's command too.
        }
        if (spins < SPINS_BEFORE_PARK)
        {
            Thread.onSpinWait();
            return spins + 1;
        }
        LockSupport.parkNanos(PARK_NS);
        return spins;
    }

    /**
     * A switch slot a sidecore may still hold (an announcement, or its undo, whose outcome is unknown), with the
     * slot's leaving offered again, without waiting, to each sidecore told of it (detaching a slot a switch does not
     * hold does nothing). A sidecore takes its commands in order, so one wedged in the announcement or its undo takes
     * the leaving after it: once each leaving ran without failure, no sidecore holds the slot and it is given back.
     * A sidecore that never runs again keeps it quarantined.
     */
    private final class QuarantinedSlot
    {
        private final int slot;
        private final SidecoreCommand[] leavings;
        private final boolean[] offered;

        QuarantinedSlot(final int slot, final int owner, final boolean[] told)
        {
            this.slot = slot;
            this.leavings = new SidecoreCommand[agents.length];
            this.offered = new boolean[agents.length];
            for (int i = 0; i < agents.length; i++)
            {
                if (told[i])
                {
                    leavings[i] = interposer.interpose(i, new Commands.RemoteSwitchPort(slot, 0, L2Switch.NO_MAC,
                        owner, false));
                }
            }
            reclaimable();
        }

        /**
         * Offer each leaving not yet taken (a full queue is tried again at the next look); waits for nothing.
         *
         * @return true once every leaving ran without failure.
         */
        boolean reclaimable()
        {
            boolean done = true;
            for (int i = 0; i < leavings.length; i++)
            {
                if (null == leavings[i])
                {
                    continue;
                }
                if (!offered[i])
                {
                    offered[i] = agents[i].offer(leavings[i]);
                    done = false;
                }
                else if (!leavings[i].isComplete() || null != leavings[i].failure())
                {
                    done = false;
                }
            }
            return done;
        }
    }
}
