package io.sidecore.launcher.control;

import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortSettings;

import io.sidecore.launcher.vfiouser.VfioUserServer;
import io.sidecore.shm.control.ControlProtocol;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One port the daemon serves, from create-port to destroy-port, and what the registry knows of it: how it was asked
 * for, its handle on the engine, its device socket (with its vfio-user endpoint), its current settings and
 * moderation, and the guest attached to it, if any. Changed under its own lock (the object's monitor, which the
 * {@link PortRegistry} takes for each request on the port), except the {@link #claim} and its marks
 * ({@link #guestMapped}, {@link #guestLeaving}), which the vfio-user endpoint's threads take and set without it (so
 * that destroying a port, which holds the lock and waits for the endpoint's connection to end, cannot deadlock with
 * that connection). What a port's description shows (settings, moderation, capture, endpoint, the guest's state) and
 * the fault watch's mark are volatile: the registry's read-only requests read them without the lock.
 */
final class ManagedPort
{
    private final PortSpec spec;
    private final Port handle;
    private final Path socketPath;
    private final boolean halfCreated;
    private volatile PortSettings settings;
    private volatile Long moderationNs;
    private GuestAttachment guest;
    private GuestClaim guestClaim;
    private Runnable guestRevoker;
    private volatile boolean faultLogged;
    private volatile boolean capturing;
    private final AtomicReference<GuestClaim> claim = new AtomicReference<>();
    /** The claim whose guest's memory is mapped and bound to the port's device, or none (see {@link #guestState}). */
    private volatile GuestClaim mappedClaim;
    /** The claim whose guest is being let go, or none. */
    private volatile GuestClaim leavingClaim;
    private volatile VfioUserServer vfioUserServer;
    private volatile VfioUserPortDevice vfioUserDevice;

    /**
     * @param halfCreated its create-port failed after its sidecore took it and could not be undone: it is listed only
     *                    so that destroy-port can finish it (it takes no guest and no change).
     */
    ManagedPort(final PortSpec spec, final Port handle, final Path socketPath, final PortSettings settings,
        final Long moderationNs, final boolean halfCreated)
    {
        this.spec = spec;
        this.handle = handle;
        this.socketPath = socketPath;
        this.halfCreated = halfCreated;
        this.settings = settings;
        this.moderationNs = moderationNs;
    }

    /**
     * @return whether the port's capture runs (control thread's view: started or stopped by this registry).
     */
    boolean capturing()
    {
        return capturing;
    }

    void capturing(final boolean capturing)
    {
        this.capturing = capturing;
    }

    /**
     * @return whether its create-port failed and could not be undone (see the constructor).
     */
    boolean halfCreated()
    {
        return halfCreated;
    }

    PortSpec spec()
    {
        return spec;
    }

    Port handle()
    {
        return handle;
    }

    String name()
    {
        return spec.name();
    }

    Path socketPath()
    {
        return socketPath;
    }

    PortSettings settings()
    {
        return settings;
    }

    void settings(final PortSettings settings)
    {
        this.settings = settings;
    }

    Long moderationNs()
    {
        return moderationNs;
    }

    void moderationNs(final Long moderationNs)
    {
        this.moderationNs = moderationNs;
    }

    GuestAttachment guest()
    {
        return guest;
    }

    /**
     * @param guest   the natively attached guest, or null.
     * @param claim   its claim of the port, or null.
     * @param revoker ends the guest's connection (destroy-port, daemon stop), or null.
     */
    void guest(final GuestAttachment guest, final GuestClaim claim, final Runnable revoker)
    {
        this.guest = guest;
        this.guestClaim = claim;
        this.guestRevoker = revoker;
    }

    /**
     * @return the natively attached guest's claim, or null.
     */
    GuestClaim guestClaim()
    {
        return guestClaim;
    }

    Runnable guestRevoker()
    {
        return guestRevoker;
    }

    /**
     * Take the port's guest side for one guest. Any thread.
     *
     * @param guest who takes it.
     * @return null when taken, else the claim that holds it.
     */
    GuestClaim claim(final GuestClaim guest)
    {
        return claim.compareAndExchange(null, guest);
    }

    /**
     * Give the guest side back. Any thread.
     *
     * @param guest the claim {@link #claim} took.
     */
    void releaseClaim(final GuestClaim guest)
    {
        claim.compareAndSet(guest, null);
    }

    /**
     * @return who has the guest side, or null.
     */
    GuestClaim currentClaim()
    {
        return claim.get();
    }

    /**
     * Mark whether a claim's guest memory is mapped and bound to the port's device (a native attach once bound; a
     * vfio-user client while it has a DMA region mapped). Any thread.
     *
     * @param guest  the claim.
     * @param mapped true once mapped; false when it has no memory mapped any more.
     */
    void guestMapped(final GuestClaim guest, final boolean mapped)
    {
        mappedClaim = mapped ? guest : null;
    }

    /**
     * Mark a claim's guest as being let go (before its device is unbound). Any thread.
     *
     * @param guest the claim.
     */
    void guestLeaving(final GuestClaim guest)
    {
        leavingClaim = guest;
    }

    /**
     * @param current the claim read by {@link #currentClaim()}, not null.
     * @return {@link ControlProtocol#GUEST_STATE_DETACHING} once its guest is being let go, else
     *         {@link ControlProtocol#GUEST_STATE_ATTACHED} while its memory is mapped, else
     *         {@link ControlProtocol#GUEST_STATE_ATTACHING}. The marks are per claim (compared by identity), so an
     *         earlier guest's never shows for the next.
     */
    String guestState(final GuestClaim current)
    {
        if (current == leavingClaim)
        {
            return ControlProtocol.GUEST_STATE_DETACHING;
        }
        return current == mappedClaim ? ControlProtocol.GUEST_STATE_ATTACHED : ControlProtocol.GUEST_STATE_ATTACHING;
    }

    /**
     * @param server the port's vfio-user endpoint.
     * @param device its device binding.
     */
    void vfioUser(final VfioUserServer server, final VfioUserPortDevice device)
    {
        this.vfioUserServer = server;
        this.vfioUserDevice = device;
    }

    /**
     * @return the port's vfio-user endpoint, or null (a native-only port).
     */
    VfioUserServer vfioUserServer()
    {
        return vfioUserServer;
    }

    /**
     * @return the device binding of the port's vfio-user endpoint, or null.
     */
    VfioUserPortDevice vfioUserDevice()
    {
        return vfioUserDevice;
    }

    boolean faultLogged()
    {
        return faultLogged;
    }

    void faultLogged(final boolean faultLogged)
    {
        this.faultLogged = faultLogged;
    }
}
