package io.sidecore.launcher.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.engine.proxy.CommandCancelledException;
import io.sidecore.engine.proxy.CommandOutcomeUnknownException;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.proxy.PortKeptAfterFailedAddException;
import io.sidecore.engine.proxy.SidecoreFullException;
import io.sidecore.engine.proxy.SwitchSlotQuarantinedException;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.engine.proxy.PortStatus;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.backend.TapOpener;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.mem.GuestMemoryMapper;
import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.vfiouser.IntxLine;
import io.sidecore.launcher.vfiouser.VfioUserServer;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.control.ControlProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

/**
 * The ports the daemon serves, by name: create-port to destroy-port, with guests attaching and detaching in between
 * (a detached port is in its power-on state, kept for the next VMM; only destroy-port removes it). Every change goes
 * to the sidecores through the {@link EngineProxy}; this class keeps the names, MACs, device sockets and settings.
 * <p>
 * A port of the default transport ({@link ControlProtocol#TRANSPORT_VFIO_USER}) listens on its device socket from
 * create-port to destroy-port (a {@link VfioUserServer} with the port as its {@link VfioUserPortDevice}); a guest
 * may also attach to it natively over the control socket, but one guest at a time either way: the second is refused
 * naming the first ({@link ManagedPort#claim}).
 * <p>
 * Called from the control connections' threads and the daemon's start and stop (trapped accesses never come here).
 * A request that changes ports never waits for a sidecore under the registry's lock, so a sidecore that does not
 * answer (wedged: a command timeout and its grace, seconds) holds only the requests that concern it: a create-port
 * reserves its name, MAC, port id and place under the lock, releases it while the sidecores take the port, and
 * commits (lists the port) or gives the reservation back under it again; the requests on one port (set, attach,
 * detach, destroy, and the rest of its create) are serialised by the port's own lock, taken before the registry's
 * (never the other way round), and see the port still listed once they hold it. The read-only
 * requests ({@link #list}, {@link #stats}, {@link #names}) and the fault watch ({@link #logNewFaults}) take no lock:
 * they read the ports from a list republished at every change, so one that waits on a wedged sidecore (a command
 * timeout and its grace, seconds) does not freeze them; and within one of them a sidecore that did not answer for
 * one port is not asked again for the next, so a wedged sidecore costs it one command timeout, not one per port.
 * <p>
 * {@link #close()} (the daemon's stop) closes the registry first: a create-port is refused from then on, and one in
 * flight (reserved before) that reaches its commit afterwards is not listed: it takes its port off the sidecore again
 * and answers {@link ControlProtocol#E_SHUTTING_DOWN}. The close waits (up to {@code sidecore.shutdown.create.wait})
 * for the create-ports in flight to end, then takes every listed port down, so nothing a create started is left
 * behind (no port on a sidecore, no device socket listening).
 */
public final class PortRegistry implements AutoCloseable
{
    /** Suffix of a port's device socket in the port socket directory. */
    public static final String SOCKET_SUFFIX = ".sock";

    private static final Logger LOG = LoggerFactory.getLogger(PortRegistry.class);

    private final EngineProxy proxy;
    private final Path portSocketDir;
    private final int maxPorts;
    private final boolean csbOffered;
    private final int sharedPages;
    private final PortSettings portDefaults;
    private final IntUnaryOperator sidecoreKickFds;
    private final PortEndpointSettings endpoints;
    private final long shutdownCreateWaitNs;
    private final Map<String, ManagedPort> ports = new LinkedHashMap<>();
    /** Ports whose removal is under way: kept out of {@link #published} until it ends; under the lock. */
    private final Set<ManagedPort> leaving = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The create-ports in flight (reserved, not yet listed) by name, each its own request's; under the lock. */
    private final Map<String, Reservation> reserved = new HashMap<>();
    /** {@link #ports}' values in creation order, republished under the lock at every change; read without it. */
    private volatile Listing published = Listing.of(List.of());
    private int nextPortId = 1;
    /** Set by {@link #close()}: no create-port is reserved or committed from then on; under the lock. */
    private boolean closed;

    /**
     * @param config the daemon's configuration: the port socket directory (already prepared), the maximum number
     *               of ports, the per-port defaults.
     * @param proxy  the engine.
     * @param sidecoreKickFds each sidecore's kick eventfd by index (-1 without one), handed to CSB guests.
     */
    public PortRegistry(final Configuration config, final EngineProxy proxy, final IntUnaryOperator sidecoreKickFds)
    {
        this.proxy = proxy;
        this.sidecoreKickFds = sidecoreKickFds;
        this.portSocketDir = portSocketDir(config);
        this.maxPorts = maxPorts(config);
        this.csbOffered = config.get(Configuration.PORT_CSB_OFFERED);
        this.sharedPages = config.get(Configuration.PORT_SHARED_PAGES);
        this.portDefaults = config.portDefaults();
        this.endpoints = PortEndpointSettings.from(config);
        this.shutdownCreateWaitNs = config.get(Configuration.SHUTDOWN_CREATE_WAIT);
    }

    /**
     * @param config a configuration.
     * @return the directory of the ports' device sockets.
     */
    public static Path portSocketDir(final Configuration config)
    {
        return config.get(Configuration.PORT_SOCKET_DIR);
    }

    /**
     * @param config a configuration.
     * @return the most ports the daemon serves.
     */
    public static int maxPorts(final Configuration config)
    {
        return config.get(Configuration.MAX_PORTS);
    }

    /**
     * Create a port: checked, placed on its sidecore, connected to its backend, in its power-on state with no guest.
     *
     * @param spec what is asked for.
     * @return the port's description.
     * @throws ControlException duplicate name or MAC, too many ports, a backend that cannot be opened.
     */
    public ObjectNode create(final PortSpec spec) throws ControlException
    {
        final Reservation reservation = reserve(spec);
        try
        {
            return create(spec, reservation);
        }
        finally
        {
            giveBack(reservation);
        }
    }

    /**
     * Reserve a create-port's name and MAC, a place among the daemon's ports, and a port id.
     *
     * @return the reservation, this request's own (told apart from any other by identity, never by its spec).
     */
    synchronized Reservation reserve(final PortSpec spec) throws ControlException
    {
        if (closed)
        {
            throw new ControlException(ControlProtocol.E_SHUTTING_DOWN, "port " + spec.name() + " was not created: " +
                "the daemon is shutting down");
        }
        if (ports.containsKey(spec.name()) || reserved.containsKey(spec.name()))
        {
            throw new ControlException(ControlProtocol.E_DUPLICATE_NAME, "a port named " + spec.name() + " exists" +
                (ports.containsKey(spec.name()) ? "" : " (its create-port is in progress)"));
        }
        for (final ManagedPort other : ports.values())
        {
            if (Arrays.equals(other.spec().mac(), spec.mac()))
            {
                throw new ControlException(ControlProtocol.E_DUPLICATE_MAC, "port " + other.name() + " has MAC " +
                    PortSpec.formatMac(spec.mac()) + " already");
            }
        }
        for (final Map.Entry<String, Reservation> other : reserved.entrySet())
        {
            if (Arrays.equals(other.getValue().spec.mac(), spec.mac()))
            {
                throw new ControlException(ControlProtocol.E_DUPLICATE_MAC, "port " + other.getKey() + " (its " +
                    "create-port is in progress) has MAC " + PortSpec.formatMac(spec.mac()) + " already");
            }
        }
        if (ports.size() + reserved.size() >= maxPorts)
        {
            throw new ControlException(ControlProtocol.E_TOO_MANY_PORTS, "the daemon serves its maximum of " +
                maxPorts + " ports (sidecore.max.ports)");
        }
        // An id offered to the engine is never offered again, whatever the answer: a failed add may leave the port
        // served (kept listed by the proxy) or of unknown outcome, and a refused one loses nothing by it.
        final Reservation reservation = new Reservation(spec, nextPortId++);
        reserved.put(spec.name(), reservation);
        return reservation;
    }

    /**
     * Give a create-port's reservation back, if it is still reserved: its own only, never another request's of the
     * same name (listed by its commit, a failed create-port's name may be reserved again by another request by now).
     *
     * @param reservation the request's reservation.
     */
    synchronized void giveBack(final Reservation reservation)
    {
        reserved.remove(reservation.spec.name(), reservation);
        // A close waits for the create-ports in flight.
        notifyAll();
    }

    /**
     * The rest of a create-port, its name and id reserved; waits for the sidecores without the registry's lock.
     */
    private ObjectNode create(final PortSpec spec, final Reservation reservation) throws ControlException
    {
        final int portId = reservation.portId;
        final PortSettings settings = spec.settings(portDefaults);
        final PortConfig config = new PortConfig(portId, spec.name(), spec.mac(),
            null == spec.csb() ? csbOffered : spec.csb(), sharedPages);
        final Port handle;
        try
        {
            handle = spec.uplink() ?
                proxy.addUplinkPort(config, spec.sidecore(), counters -> TapOpener.open(spec.tapName(), counters)) :
                proxy.addPort(config, RegisterImage.allocate(), new GuestMemory(), InterruptLine.NONE,
                    spec.sidecore(), backendFactory(spec));
        }
        catch (final IllegalArgumentException ex)
        {
            throw placementError(ex);
        }
        catch (final UncheckedIOException | io.sidecore.shm.os.OsException ex)
        {
            throw new ControlException(ControlProtocol.E_BACKEND_UNAVAILABLE, "backend " + spec.backend() +
                " of port " + spec.name() + " cannot be opened: " + ex.getMessage(), ex);
        }
        catch (final CommandOutcomeUnknownException ex)
        {
            LOG.error("port {}: {} outcome unknown; its backend and counters are kept (leaked): {}", spec.name(),
                ex.commandName(), ex.getMessage());
            throw engineFailure(ex, "create-port " + spec.name());
        }
        catch (final PortKeptAfterFailedAddException ex)
        {
            throw keepHalfCreated(reservation, ex);
        }
        catch (final SwitchSlotQuarantinedException ex)
        {
            // Nothing is in use but the slot, handed out again once the sidecore that may hold it let it go: not
            // outcome_unknown.
            LOG.warn("port {}: not created, switch slot {} quarantined: {}", spec.name(), ex.switchSlot(),
                ex.getMessage());
            throw new ControlException(ControlProtocol.E_INTERNAL, "port " + spec.name() + " was not created, " +
                "switch slot " + ex.switchSlot() + " quarantined: " + ex.getMessage(), ex);
        }
        catch (final IllegalStateException ex)
        {
            if (ex.getCause() instanceof SidecoreFullException)
            {
                throw new ControlException(ControlProtocol.E_TOO_MANY_PORTS, ex.getMessage(), ex);
            }
            throw engineFailure(ex, "port " + spec.name() + " was not created");
        }
        final ManagedPort port = new ManagedPort(spec, handle, spec.vfioUser() ? socketPathOf(spec.name()) : null,
            settings, spec.settings().moderationNs(), false);
        // Its own lock before it is listed: no other request on it runs before its create-port is done.
        synchronized (port)
        {
            if (!commit(port, reservation))
            {
                throw undoAfterClose(port);
            }
            return setUp(port, spec, settings);
        }
    }

    /**
     * List a created port in place of its reservation, unless the registry is closed.
     *
     * @return true when listed; false when the registry closed meanwhile (the port is not listed: the caller takes it
     *         off its sidecore again).
     */
    private synchronized boolean commit(final ManagedPort port, final Reservation reservation)
    {
        if (closed)
        {
            return false;
        }
        reserved.remove(port.name(), reservation);
        ports.put(port.name(), port);
        publish();
        return true;
    }

    /**
     * A create-port whose sidecore took the port after the registry closed: the port is taken off its sidecore again
     * (never listed, no device socket opened).
     *
     * @return the answer to the create-port.
     */
    private ControlException undoAfterClose(final ManagedPort port)
    {
        final String what = "port " + port.name() + " was not created: the daemon is shutting down";
        try
        {
            proxy.removePort(port.handle());
        }
        catch (final RuntimeException ex)
        {
            LOG.error("port {}: created on its sidecore after the daemon's stop began, and taking it off again " +
                "failed (the sidecores' stop takes it down): {}", port.name(), ex.getMessage());
            return new ControlException(ControlProtocol.E_SHUTTING_DOWN, what + "; taking it off its sidecore " +
                "again failed (" + ex.getMessage() + "): the sidecores' stop takes it down", ex);
        }
        LOG.info("port {}: created on its sidecore after the daemon's stop began; taken off again", port.name());
        return new ControlException(ControlProtocol.E_SHUTTING_DOWN, what + " (its sidecore took it, and let it go " +
            "again)");
    }

    /**
     * The steps of a create-port after its sidecore took it: settings, moderation, capture, device socket. Under the
     * port's lock.
     */
    private ObjectNode setUp(final ManagedPort port, final PortSpec spec, final PortSettings settings)
        throws ControlException
    {
        final Port handle = port.handle();
        try
        {
            if (spec.settings().changesSettings())
            {
                proxy.updatePortSettings(handle, settings);
            }
            if (null != port.moderationNs())
            {
                proxy.updateModeration(handle, port.moderationNs());
            }
            if (null != spec.captureFile())
            {
                proxy.startCapture(handle, spec.captureFile(), 0, 1);
                port.capturing(true);
            }
            if (spec.vfioUser())
            {
                listen(port);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw rollBack(port, ex);
        }
        LOG.info("port created: name={} id={} mac={} backend={} sidecore={} transport={} socket={}", spec.name(),
            handle.portId(), PortSpec.formatMac(spec.mac()), spec.backend(), proxy.sidecoreIndex(handle),
            spec.transport(), null == port.socketPath() ? "none" : port.socketPath());
        return describe(port, false);
    }

    /**
     * Destroy a port: its guest (if any) is let go and its connection closed, the port leaves its sidecore, its
     * backend is closed and its device socket removed.
     *
     * @param name the port.
     * @return the port's last description.
     * @throws ControlException when there is no such port.
     */
    public ObjectNode destroy(final String name) throws ControlException
    {
        return onPort(name, false, port -> destroy(port, name));
    }

    private ObjectNode destroy(final ManagedPort port, final String name) throws ControlException
    {
        final ObjectNode description = describe(port, false);
        try
        {
            remove(port);
        }
        catch (final RuntimeException ex)
        {
            throw engineFailure(ex, "port " + name + " is still listed (destroy-port again once its sidecore " +
                "answers)");
        }
        LOG.info("port destroyed: name={} id={}", name, port.handle().portId());
        return description;
    }

    /**
     * @return every port's description, in creation order. Takes no lock (see the class comment).
     */
    public ArrayNode list()
    {
        return describeAll(null, false);
    }

    /**
     * @param name a port, or null for all.
     * @return the ports' descriptions with their counters. Takes no lock (see the class comment).
     * @throws ControlException when the named port does not exist.
     */
    public ArrayNode stats(final String name) throws ControlException
    {
        final ArrayNode list = describeAll(name, true);
        if (null != name && list.isEmpty())
        {
            throw new ControlException(ControlProtocol.E_NO_SUCH_PORT, "no port named " + name);
        }
        return list;
    }

    /**
     * Change a running port's budgets, rate limits, moderation, capture or link; the guest keeps running.
     *
     * @param name    the port.
     * @param change  the settings to change.
     * @param capture {@link ControlProtocol#CAPTURE_ON}, {@link ControlProtocol#CAPTURE_OFF} or null.
     * @param linkUp  the link to set (as plugging or pulling the port's cable), or null to leave it.
     * @return the port's description.
     * @throws ControlException when there is no such port or the new settings are not valid.
     */
    public ObjectNode set(
        final String name, final SettingsChange change, final String capture, final Boolean linkUp)
        throws ControlException
    {
        return onPort(name, true, port -> set(port, name, change, capture, linkUp));
    }

    private ObjectNode set(
        final ManagedPort port, final String name, final SettingsChange change, final String capture,
        final Boolean linkUp) throws ControlException
    {
        if (null != linkUp)
        {
            proxy.setLink(port.handle(), linkUp);
            LOG.info("port link set: name={} link={}", name, linkUp ? ControlProtocol.LINK_UP :
                ControlProtocol.LINK_DOWN);
        }
        if (ControlProtocol.CAPTURE_ON.equals(capture))
        {
            if (null == port.spec().captureFile())
            {
                throw new ControlException(ControlProtocol.E_INVALID_ARGUMENT, "port " + name + " has no capture " +
                    "file: create it with one");
            }
            try
            {
                proxy.startCapture(port.handle(), port.spec().captureFile(), 0, 1);
            }
            catch (final UncheckedIOException ex)
            {
                throw new ControlException(ControlProtocol.E_BACKEND_UNAVAILABLE, "capture file " +
                    port.spec().captureFile() + " cannot be opened: " + ex.getMessage(), ex);
            }
            port.capturing(true);
        }
        else if (ControlProtocol.CAPTURE_OFF.equals(capture) && port.capturing())
        {
            proxy.stopCapture(port.handle());
            port.capturing(false);
        }
        final PortSettings settings = change.apply(port.settings());
        if (change.changesSettings())
        {
            proxy.updatePortSettings(port.handle(), settings);
            port.settings(settings);
        }
        if (null != change.moderationNs())
        {
            proxy.updateModeration(port.handle(), change.moderationNs());
            port.moderationNs(change.moderationNs());
        }
        LOG.info("port settings changed: name={} {}", name, change);
        return describe(port, false);
    }

    /**
     * Bind a guest to a port; the port's device starts from its power-on state on the guest's memory.
     *
     * @param name     the port.
     * @param opener   makes the attachment for the port (maps the guest's memory) once the port is known.
     * @param revoker  ends the guest's connection when the port is destroyed or the daemon stops.
     * @return the attachment, bound.
     * @throws ControlException when there is no such port, a guest is attached already, or what the guest brought
     *                          is refused.
     */
    GuestAttachment attach(
        final String name, final long peerPid, final AttachmentOpener opener, final Runnable revoker)
        throws ControlException
    {
        return onPort(name, true, port -> attach(port, name, peerPid, opener, revoker));
    }

    private GuestAttachment attach(
        final ManagedPort port, final String name, final long peerPid, final AttachmentOpener opener,
        final Runnable revoker) throws ControlException
    {
        if (port.spec().uplink())
        {
            throw new ControlException(ControlProtocol.E_INVALID_ARGUMENT, "port " + name + " is the switch's " +
                "uplink to the host; it takes no guest");
        }
        final GuestClaim claim = GuestClaim.nativeAttach(peerPid);
        final GuestClaim holder = port.claim(claim);
        if (null != holder)
        {
            throw new ControlException(ControlProtocol.E_PORT_BUSY, "port " + name + " has a guest attached " +
                "already: " + holder.describe() + "; a port takes one guest at a time");
        }
        final GuestAttachment guest;
        try
        {
            final PortConfig config = port.handle().config();
            guest = opener.open(config.portId(), config.name(), config.macAddress(), config.sharedPages(),
                config.csbOffered());
        }
        catch (final ControlException | RuntimeException ex)
        {
            port.releaseClaim(claim);
            throw ex;
        }
        try
        {
            proxy.bindGuest(port.handle(), guest.registers(), guest.guestMemory(), guest.interruptLine());
        }
        catch (final CommandOutcomeUnknownException ex)
        {
            // The port may use the guest's registers and memory: they are not closed (leaked).
            port.releaseClaim(claim);
            LOG.error("port {}: {} outcome unknown; keeping the native guest's memory mapped (leaked): {}", name,
                ex.commandName(), ex.getMessage());
            throw engineFailure(ex, "port " + name + " could not take the guest");
        }
        catch (final RuntimeException ex)
        {
            guest.close();
            port.releaseClaim(claim);
            throw engineFailure(ex, "port " + name + " could not take the guest");
        }
        guest.signalReady();
        port.guest(guest, claim, revoker);
        port.guestMapped(claim, true);
        port.faultLogged(false);
        LOG.info("guest attached: port={} transport={} pid={}", name, ControlProtocol.TRANSPORT_NATIVE,
            guest.peerPid());
        return guest;
    }

    /**
     * Let a guest go: the port returns to its power-on state, and what the guest brought is released. Does nothing
     * when the port is gone or has another guest (the guest was let go already).
     *
     * @param name  the port.
     * @param guest the guest.
     */
    void detach(final String name, final GuestAttachment guest)
    {
        final ManagedPort port = listed(name);
        if (null != port)
        {
            synchronized (port)
            {
                if (port == listed(name) && port.guest() == guest)
                {
                    release(port, guest);
                    LOG.info("guest detached: port={} transport={} pid={}", name, ControlProtocol.TRANSPORT_NATIVE,
                        guest.peerPid());
                    return;
                }
            }
        }
        guest.close();
    }

    /**
     * Look at every port's fault state and log a port that faulted since the last look, once per fault.
     */
    public void logNewFaults()
    {
        final boolean[] silent = new boolean[proxy.sidecoreCount()];
        for (final ManagedPort port : published.ports())
        {
            final PortStatus status;
            try
            {
                status = askStatus(port, silent);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("port {}: its sidecore did not report its state: {}", port.name(), ex.getMessage());
                continue;
            }
            if (status.faulted() && !port.faultLogged())
            {
                LOG.warn("port faulted: name={} fault={} ({})", port.name(), status.fault().name(),
                    status.fault().description());
            }
            port.faultLogged(status.faulted());
        }
    }

    /**
     * @return the ports' names.
     */
    public List<String> names()
    {
        final List<ManagedPort> now = published.ports();
        final List<String> names = new ArrayList<>(now.size());
        for (int i = 0, size = now.size(); i < size; i++)
        {
            names.add(now.get(i).name());
        }
        return names;
    }

    /**
     * @param name a port.
     * @return its engine handle.
     * @throws ControlException when there is no such port.
     */
    synchronized Port handle(final String name) throws ControlException
    {
        return require(name).handle();
    }

    /**
     * @param name a port.
     * @return its description.
     * @throws ControlException when there is no such port.
     */
    ObjectNode describe(final String name) throws ControlException
    {
        final ManagedPort port;
        synchronized (this)
        {
            port = require(name);
        }
        return describe(port, false);
    }

    /**
     * @param sidecoreIndex a sidecore.
     * @return its kick eventfd, or -1 when it has none (a thread kick).
     */
    int kickFd(final int sidecoreIndex)
    {
        return sidecoreKickFds.applyAsInt(sidecoreIndex);
    }

    /**
     * @return the mapper of guest memory files, with the daemon's seal policy.
     */
    GuestMemoryMapper guestMemoryMapper()
    {
        return endpoints.guestMemoryMapper();
    }

    /**
     * @return the engine.
     */
    EngineProxy proxy()
    {
        return proxy;
    }

    /**
     * Close the registry (every create-port from now on is refused, and one in flight that ends later undoes itself),
     * wait up to {@code sidecore.shutdown.create.wait} for the create-ports in flight to end, then take every port
     * down (guests let go and their connections closed, backends closed so captures are flushed, device sockets
     * removed).
     */
    public void close()
    {
        closeAndAwaitCreates();
        for (final ManagedPort port : published.ports())
        {
            synchronized (port)
            {
                if (port != listed(port.name()))
                {
                    continue;
                }
                try
                {
                    remove(port);
                }
                catch (final RuntimeException ex)
                {
                    LOG.warn("port {} did not close cleanly: {}", port.name(), ex.getMessage());
                }
            }
        }
    }

    /**
     * Refuse every create-port from now on, and wait (bounded) until those in flight ended: listed before the close
     * (then taken down with the others) or undone.
     */
    private synchronized void closeAndAwaitCreates()
    {
        closed = true;
        final long deadlineNs = System.nanoTime() + shutdownCreateWaitNs;
        while (!reserved.isEmpty())
        {
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0)
            {
                LOG.warn("stopping with create-ports in flight after {} ms (they undo themselves when their " +
                    "sidecores answer): {}", shutdownCreateWaitNs / 1_000_000, reserved.keySet());
                return;
            }
            try
            {
                TimeUnit.NANOSECONDS.timedWait(this, leftNs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                LOG.warn("interrupted while waiting for create-ports in flight: {}", reserved.keySet());
                return;
            }
        }
    }

    /**
     * Run a request on one port under the port's lock (waiting only for the requests on that port), once it holds
     * it and the port is still listed.
     *
     * @param created true for a request a half-created port refuses.
     */
    private <T> T onPort(final String name, final boolean created, final PortRequest<T> request)
        throws ControlException
    {
        while (true)
        {
            final ManagedPort port;
            synchronized (this)
            {
                port = created ? requireCreated(name) : require(name);
            }
            synchronized (port)
            {
                // Destroyed (and perhaps created again) while this waited for its lock: look it up again.
                if (port == listed(name))
                {
                    return request.apply(port);
                }
            }
        }
    }

    private synchronized ManagedPort listed(final String name)
    {
        return ports.get(name);
    }

    /**
     * A request on one listed port, under its lock.
     */
    @FunctionalInterface
    private interface PortRequest<T>
    {
        T apply(ManagedPort port) throws ControlException;
    }

    /**
     * A create-port's reservation of its name, MAC and port id: one request's, compared by identity (two requests
     * with equal specs hold two reservations).
     */
    static final class Reservation
    {
        private final PortSpec spec;
        private final int portId;

        private Reservation(final PortSpec spec, final int portId)
        {
            this.spec = spec;
            this.portId = portId;
        }
    }

    /**
     * Makes a guest attachment once the port is known.
     */
    @FunctionalInterface
    interface AttachmentOpener
    {
        /**
         * @param portId      the port's id.
         * @param portName    the port's name.
         * @param mac         the port's MAC.
         * @param sharedPages the port's shared pages.
         * @param csb         whether the port offers the CSB.
         * @return the attachment, not yet bound.
         * @throws ControlException when what the guest brought is refused.
         */
        GuestAttachment open(int portId, String portName, byte[] mac, int sharedPages, boolean csb)
            throws ControlException;
    }

    /**
     * Take a port down. The registry forgets it only once its sidecore let it go: a step that throws leaves it
     * listed (with its guest, if the unbind failed), so destroy-port can be retried and nothing still in use is freed.
     */
    private void remove(final ManagedPort port)
    {
        final VfioUserServer server = port.vfioUserServer();
        if (null != server)
        {
            // Ends a vfio-user client's connection and waits for it: the device unbinds its guest and releases
            // what the client brought. The listener closes and the socket file goes.
            server.close();
        }
        if (null != port.guest())
        {
            final GuestAttachment guest = port.guest();
            final Runnable revoker = port.guestRevoker();
            release(port, guest);
            if (null != revoker)
            {
                revoker.run();
            }
        }
        // Unlisted before its sidecore lets it go: a lock-free list or stats that read the port may then meet its
        // closed counters, or their slot reused by another port, and must find it no longer listed (describeAll).
        unpublish(port);
        try
        {
            proxy.removePort(port.handle());
        }
        catch (final RuntimeException ex)
        {
            republish(port);
            throw ex;
        }
        forget(port);
        if (null != port.socketPath())
        {
            try
            {
                Files.deleteIfExists(port.socketPath());
            }
            catch (final IOException ex)
            {
                LOG.warn("port {}: device socket {} not removed: {}", port.name(), port.socketPath(),
                    ex.getMessage());
            }
        }
    }

    /**
     * Unlist a port whose removal starts; it stays unlisted whatever other requests publish meanwhile.
     */
    private synchronized void unpublish(final ManagedPort port)
    {
        leaving.add(port);
        publish();
    }

    /**
     * List again a port whose removal failed.
     */
    private synchronized void republish(final ManagedPort port)
    {
        leaving.remove(port);
        publish();
    }

    private synchronized void forget(final ManagedPort port)
    {
        leaving.remove(port);
        ports.remove(port.name());
        publish();
    }

    /**
     * Republish the ports listed (every port but those whose removal is under way). Under the lock.
     */
    private void publish()
    {
        published = Listing.of(leaving.isEmpty() ? ports.values() :
            ports.values().stream().filter(listed -> !leaving.contains(listed)).toList());
    }

    /**
     * Unbind the port's guest, then forget it: when the unbind throws (not started in time, outcome unknown) the
     * port may still serve the guest, so the registry keeps knowing it (its memory is not released, and a later
     * destroy-port or daemon stop tries again).
     */
    private void release(final ManagedPort port, final GuestAttachment guest)
    {
        final GuestClaim claim = port.guestClaim();
        port.guestLeaving(claim);
        try
        {
            proxy.unbindGuest(port.handle());
        }
        catch (final RuntimeException ex)
        {
            // Kept, still bound (or perhaps: outcome unknown): shown attached again, for a later destroy-port.
            port.guestLeaving(null);
            throw ex;
        }
        port.guest(null, null, null);
        // Closed before the claim goes: list and stats read the claim without the registry's lock, and a port they
        // show detached has released what its guest brought.
        guest.close();
        port.releaseClaim(claim);
    }

    /**
     * Open the port's vfio-user endpoint on its device socket.
     */
    private void listen(final ManagedPort port) throws IOException
    {
        final IntxLine intx = new IntxLine();
        final VfioUserPortDevice device = new VfioUserPortDevice(port, proxy, intx, endpoints);
        final VfioUserServer server =
            new VfioUserServer(endpoints.serverSettings(port.name(), port.socketPath()), device, intx);
        device.server(server);
        port.vfioUser(server, device);
        server.start();
    }

    private ManagedPort require(final String name) throws ControlException
    {
        final ManagedPort port = ports.get(name);
        if (null == port)
        {
            throw new ControlException(ControlProtocol.E_NO_SUCH_PORT, "no port named " + name);
        }
        return port;
    }

    /**
     * @return the port, which finished its create-port.
     * @throws ControlException when there is no such port, or it is half-created (only destroy-port takes it).
     */
    private ManagedPort requireCreated(final String name) throws ControlException
    {
        final ManagedPort port = require(name);
        if (port.halfCreated())
        {
            throw new ControlException(ControlProtocol.E_INVALID_ARGUMENT, "port " + name + " is half-created (its " +
                "create-port failed and could not be undone): destroy-port takes it down");
        }
        return port;
    }

    private Path socketPathOf(final String name)
    {
        return portSocketDir.resolve(name + SOCKET_SUFFIX);
    }

    private static Function<PortCounters, PortBackend> backendFactory(final PortSpec spec)
    {
        if (ControlProtocol.BACKEND_SWITCH.equals(spec.backend()))
        {
            return null;
        }
        return counters -> null == spec.tapName() ? new NullBackend() : TapOpener.open(spec.tapName(), counters);
    }

    private static ControlException placementError(final IllegalArgumentException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        final String code = message.startsWith("switch is full") ? ControlProtocol.E_TOO_MANY_PORTS :
            ControlProtocol.E_INVALID_ARGUMENT;
        return new ControlException(code, message, ex);
    }

    /**
     * A create-port whose add failed after the port's sidecore took it, and whose undo failed too: the proxy keeps the
     * port listed (served by its sidecore), so the registry lists it too, half-created, with no device socket: its
     * name and MAC stay taken, it takes no guest and no change, and destroy-port finishes it.
     *
     * @return the answer to the create-port.
     */
    private ControlException keepHalfCreated(
        final Reservation reservation, final PortKeptAfterFailedAddException failure)
    {
        final PortSpec spec = reservation.spec;
        // The engine made it with the defaults; the spec's settings were never applied, so they are not shown.
        if (!commit(new ManagedPort(spec, failure.port(), null, portDefaults, null, true), reservation))
        {
            LOG.error("port {}: create-port failed and could not be undone after the daemon's stop began; not " +
                "listed, the sidecores' stop takes it down: {}", spec.name(), failure.getMessage());
            return new ControlException(ControlProtocol.E_SHUTTING_DOWN, "port " + spec.name() + " was " +
                "half-created while the daemon is shutting down: " + failure.getMessage() + "; the sidecores' stop " +
                "takes it down", failure);
        }
        LOG.error("port {}: create-port failed and could not be undone; listed as half-created, destroy-port " +
            "finishes it: {}", spec.name(), failure.getMessage());
        return new ControlException(
            failure.outcomeUnknown() ? ControlProtocol.E_OUTCOME_UNKNOWN : ControlProtocol.E_INTERNAL,
            "port " + spec.name() + " was half-created: " + failure.getMessage() + "; it is listed (" +
            ControlProtocol.STATE + " " + ControlProtocol.STATE_HALF_CREATED + "): destroy-port takes it down",
            failure);
    }

    /**
     * A create-port whose step after AddPort failed: the port is taken down again. When that fails too, the port stays
     * listed (destroy-port can retry) and the operator still sees the first failure: it is the cause, and the
     * rollback's failure is suppressed in the answer.
     */
    private ControlException rollBack(final ManagedPort port, final Exception failure)
    {
        final String what = "port " + port.name() + " could not be set up";
        try
        {
            remove(port);
        }
        catch (final RuntimeException rollback)
        {
            // Not "nothing was changed" whatever the first failure: the port is still there.
            final String code = failure instanceof CommandOutcomeUnknownException ||
                rollback instanceof CommandOutcomeUnknownException ? ControlProtocol.E_OUTCOME_UNKNOWN :
                ControlProtocol.E_INTERNAL;
            final ControlException answer = new ControlException(code, what + ": " + failure.getMessage() +
                "; taking it down failed too (" + rollback.getMessage() + "): it stays listed, destroy-port takes " +
                "it down once its sidecore answers", failure);
            answer.addSuppressed(rollback);
            return answer;
        }
        return engineFailure(failure, what + " (it was taken down again)");
    }

    /**
     * @return the answer to a request an engine call failed: {@link ControlProtocol#E_OUTCOME_UNKNOWN} when a sidecore
     *         may have done part of it, {@link ControlProtocol#E_SIDECORE_TIMEOUT} when a sidecore did not take it in
     *         time (nothing was changed), otherwise {@link ControlProtocol#E_INTERNAL}; the failure is the cause.
     */
    private static ControlException engineFailure(final Exception failure, final String what)
    {
        final String code;
        if (failure instanceof CommandOutcomeUnknownException)
        {
            code = ControlProtocol.E_OUTCOME_UNKNOWN;
        }
        else if (failure instanceof CommandCancelledException)
        {
            code = ControlProtocol.E_SIDECORE_TIMEOUT;
        }
        else
        {
            code = ControlProtocol.E_INTERNAL;
        }
        return new ControlException(code, what + ": " + failure.getMessage(), failure);
    }

    /**
     * @param name a port, or null for every port.
     * @return the descriptions of the ports listed now (none when the named port is not), without a port that was
     *         destroyed while they are made.
     */
    private ArrayNode describeAll(final String name, final boolean withCounters)
    {
        final ArrayNode list = JsonNodeFactory.instance.arrayNode();
        final boolean[] silent = new boolean[proxy.sidecoreCount()];
        for (final ManagedPort port : published.ports())
        {
            if (null == name || name.equals(port.name()))
            {
                try
                {
                    final ObjectNode description = describe(port, withCounters, silent);
                    // A port destroyed meanwhile is unlisted before its counters close: what was read of them may
                    // be another port's by now.
                    if (published.contains(port))
                    {
                        list.add(description);
                    }
                }
                catch (final IllegalArgumentException destroyed)
                {
                    // The engine no longer serves it ("port not served"): destroy-port took it meanwhile.
                }
                catch (final RuntimeException ex)
                {
                    // Its counters closed under the reading (destroy-port took it meanwhile): drop it; else a failure.
                    if (published.contains(port))
                    {
                        throw ex;
                    }
                }
            }
        }
        return list;
    }

    /**
     * Ask the port's sidecore for its state, unless that sidecore already did not answer in this request.
     *
     * @param silent per sidecore, set once a query to it failed other than "port not served" (not started or not
     *               finished in time): it is not asked again.
     */
    private PortStatus askStatus(final ManagedPort port, final boolean[] silent)
    {
        final int sidecore = proxy.sidecoreIndex(port.handle());
        if (null != silent && silent[sidecore])
        {
            throw new IllegalStateException("sidecore " + sidecore + " was not asked: it did not answer for " +
                "another port of this request");
        }
        try
        {
            return proxy.portStatus(port.handle());
        }
        catch (final IllegalArgumentException notServed)
        {
            // The port is gone from the engine (destroyed meanwhile): its sidecore answered nothing wrong.
            throw notServed;
        }
        catch (final RuntimeException ex)
        {
            // Not taken in time, or taken and not finished in time (wedged inside the query): either way it cost a
            // command timeout or more, so its other ports are not asked in this request.
            if (null != silent)
            {
                silent[sidecore] = true;
            }
            throw ex;
        }
    }

    private ObjectNode describe(final ManagedPort port, final boolean withCounters)
    {
        return describe(port, withCounters, null);
    }

    /**
     * @param silent see {@link #askStatus}; null to ask every port's sidecore.
     */
    private ObjectNode describe(final ManagedPort port, final boolean withCounters, final boolean[] silent)
    {
        final Port handle = port.handle();
        final ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put(ControlProtocol.PORT_ID, handle.portId());
        node.put(ControlProtocol.NAME, port.name());
        node.put(ControlProtocol.MAC, PortSpec.formatMac(port.spec().mac()));
        node.put(ControlProtocol.BACKEND, port.spec().backend());
        node.put(ControlProtocol.CSB, handle.config().csbOffered());
        node.put(ControlProtocol.SIDECORE, proxy.sidecoreIndex(handle));
        node.put(ControlProtocol.STATE, port.halfCreated() ? ControlProtocol.STATE_HALF_CREATED :
            ControlProtocol.STATE_CREATED);
        if (!port.spec().uplink())
        {
            node.put(ControlProtocol.TRANSPORT, port.spec().transport());
        }
        if (null != port.socketPath())
        {
            node.put(ControlProtocol.SOCKET, port.socketPath().toString());
        }
        final GuestClaim claim = port.currentClaim();
        node.put(ControlProtocol.ATTACHED, null != claim);
        if (null != claim)
        {
            node.put(ControlProtocol.GUEST_STATE, port.guestState(claim));
            node.put(ControlProtocol.GUEST_TRANSPORT, claim.transport());
            node.put(ControlProtocol.GUEST_PID, claim.pid());
        }
        if (null != port.spec().captureFile())
        {
            node.put(ControlProtocol.CAPTURE, port.spec().captureFile().toString());
            node.put(ControlProtocol.CAPTURING, port.capturing());
        }
        try
        {
            final PortStatus status = askStatus(port, silent);
            node.put(ControlProtocol.FAULTED, status.faulted());
            if (status.faulted())
            {
                node.put(ControlProtocol.FAULT_REASON, status.fault().name());
            }
            node.put(ControlProtocol.MODERATION_NS, status.minModerationDelayNs());
            node.put(ControlProtocol.LINK, status.operatorLinkUp() ? ControlProtocol.LINK_UP :
                ControlProtocol.LINK_DOWN);
            node.put(ControlProtocol.GUEST_LINK, status.linkUp() ? ControlProtocol.LINK_UP :
                ControlProtocol.LINK_DOWN);
        }
        catch (final RuntimeException ex)
        {
            node.put(ControlProtocol.FAULT_REASON, "sidecore did not answer: " + ex.getMessage());
        }
        final PortSettings settings = port.settings();
        node.put(ControlProtocol.TX_DESCRIPTOR_BUDGET, settings.txDescriptorBudget());
        node.put(ControlProtocol.TX_BYTE_BUDGET, settings.txByteBudget());
        node.put(ControlProtocol.RX_FRAME_BUDGET, settings.rxFrameBudget());
        node.put(ControlProtocol.TX_FRAMES_PER_SECOND, settings.txFramesPerSecond());
        node.put(ControlProtocol.TX_BURST_FRAMES, settings.txBurstFrames());
        node.put(ControlProtocol.TX_BYTES_PER_SECOND, settings.txBytesPerSecond());
        node.put(ControlProtocol.TX_BURST_BYTES, settings.txBurstBytes());
        if (withCounters)
        {
            final ObjectNode counters = node.putObject(ControlProtocol.COUNTERS);
            for (final PortCounter counter : PortCounter.values())
            {
                counters.put(counter.counterName(), handle.counters().get(counter));
            }
            if (null != port.vfioUserDevice())
            {
                port.vfioUserDevice().describe(node.putObject(ControlProtocol.VFIO_USER));
            }
        }
        return node;
    }

    /**
     * The ports listed at one moment: in creation order, and as a set, so that a request reading many ports asks
     * whether each is still listed in constant time (not a scan of the list per port).
     */
    private record Listing(List<ManagedPort> ports, Set<ManagedPort> members)
    {
        static Listing of(final Collection<ManagedPort> ports)
        {
            final List<ManagedPort> inOrder = List.copyOf(ports);
            final Set<ManagedPort> members = Collections.newSetFromMap(new IdentityHashMap<>(inOrder.size() * 2));
            members.addAll(inOrder);
            return new Listing(inOrder, Collections.unmodifiableSet(members));
        }

        boolean contains(final ManagedPort port)
        {
            return members.contains(port);
        }
    }
}
