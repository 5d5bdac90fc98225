package io.sidecore.launcher.control;

import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.daemon.DaemonDirectories;

import java.util.Arrays;

/**
 * Who may use the control socket, decided from the peer's credentials as the kernel reports them
 * ({@code SO_PEERCRED}: uid, gid, pid at connect time), not from anything the peer says.
 * <p>
 * Allowed: root and the daemon's own uid, always (both can read and write the daemon's memory anyway, so refusing
 * them would protect nothing); the uids of {@code sidecore.control.allowed.uids}; a peer whose primary gid is in
 * {@code sidecore.control.allowed.gids}. The socket's file mode (0660, in a directory of mode 0700 or 0750) is the
 * first gate; this is the second, and the one a process that can reach the socket cannot get around.
 */
public final class PeerPolicy
{
    private final long ownUid;
    private final long[] allowedUids;
    private final long[] allowedGids;

    /**
     * @param ownUid      the daemon's uid.
     * @param allowedUids further uids, sorted.
     * @param allowedGids gids, sorted.
     */
    PeerPolicy(final long ownUid, final long[] allowedUids, final long[] allowedGids)
    {
        this.ownUid = ownUid;
        this.allowedUids = allowedUids.clone();
        this.allowedGids = allowedGids.clone();
    }

    /**
     * @param config the daemon's configuration.
     * @return the policy it sets.
     */
    public static PeerPolicy from(final Configuration config)
    {
        return new PeerPolicy(DaemonDirectories.ownUid(), allowedUids(config), allowedGids(config));
    }

    /**
     * @param config a configuration.
     * @return {@link Configuration#CONTROL_ALLOWED_UIDS}.
     */
    static long[] allowedUids(final Configuration config)
    {
        return config.get(Configuration.CONTROL_ALLOWED_UIDS);
    }

    /**
     * @param config a configuration.
     * @return {@link Configuration#CONTROL_ALLOWED_GIDS}.
     */
    static long[] allowedGids(final Configuration config)
    {
        return config.get(Configuration.CONTROL_ALLOWED_GIDS);
    }

    /**
     * @param uid the peer's uid.
     * @param gid the peer's primary gid.
     * @return true when the peer may use the control socket.
     */
    public boolean allows(final long uid, final long gid)
    {
        return 0 == uid || ownUid == uid || Arrays.binarySearch(allowedUids, uid) >= 0 ||
            Arrays.binarySearch(allowedGids, gid) >= 0;
    }
}
