package io.sidecore.launcher.control;

import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortSettings;

import java.nio.file.Path;

/**
 * One port the daemon serves, from create-port to destroy-port, and what the registry knows of it: how it was asked
 * for, its handle on the engine, its device socket, its current settings and moderation, and the guest attached to
 * it, if any. Guarded by the {@link PortRegistry}'s lock.
 */
final class ManagedPort
{
    private final PortSpec spec;
    private final Port handle;
    private final Path socketPath;
    private PortSettings settings;
    private Long moderationNs;
    private GuestAttachment guest;
    private Runnable guestRevoker;
    private boolean faultLogged;
    private boolean capturing;

    ManagedPort(final PortSpec spec, final Port handle, final Path socketPath, final PortSettings settings,
        final Long moderationNs)
    {
        this.spec = spec;
        this.handle = handle;
        this.socketPath = socketPath;
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
     * @param guest   the attached guest, or null.
     * @param revoker ends the guest's connection (destroy-port, daemon stop), or null.
     */
    void guest(final GuestAttachment guest, final Runnable revoker)
    {
        this.guest = guest;
        this.guestRevoker = revoker;
    }

    Runnable guestRevoker()
    {
        return guestRevoker;
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
