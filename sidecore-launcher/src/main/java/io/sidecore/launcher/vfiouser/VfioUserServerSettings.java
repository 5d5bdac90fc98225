package io.sidecore.launcher.vfiouser;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * How one port's vfio-user endpoint is set up.
 *
 * @param portName         the port, for logs and thread names.
 * @param socketPath       where the device socket is created (an existing socket file there is replaced).
 * @param socketOwner      user to own the socket (a libvirt-run QEMU connects as its own user), or null to keep
 *                         the daemon's.
 * @param socketGroup      group to own the socket, or null to keep the daemon's.
 * @param socketMode       permission bits of the socket; connecting needs write permission.
 * @param messageTimeoutMs bound on reading the rest of a message once it has begun (QEMU's own reply timeout,
 *                         {@code x-msg-timeout}, defaults to 5000 ms).
 */
public record VfioUserServerSettings(
    String portName,
    Path socketPath,
    String socketOwner,
    String socketGroup,
    Set<PosixFilePermission> socketMode,
    int messageTimeoutMs)
{
    /** Default socket mode: the daemon's user only. */
    public static final Set<PosixFilePermission> DEFAULT_SOCKET_MODE = PosixFilePermissions.fromString("rw-------");
    /** Default {@link #messageTimeoutMs()}. */
    public static final int DEFAULT_MESSAGE_TIMEOUT_MS = 5000;

    /**
     * @param portName         port name.
     * @param socketPath       socket path.
     * @param socketOwner      owner user or null.
     * @param socketGroup      owner group or null.
     * @param socketMode       permission bits.
     * @param messageTimeoutMs at least 1.
     */
    public VfioUserServerSettings
    {
        if (null == portName || portName.isEmpty() || null == socketPath || null == socketMode)
        {
            throw new IllegalArgumentException("a vfio-user endpoint needs a port name, a socket path and a mode");
        }
        if (messageTimeoutMs < 1)
        {
            throw new IllegalArgumentException("message timeout must be at least 1 ms: " + messageTimeoutMs);
        }
        socketMode = Set.copyOf(socketMode);
    }

    /**
     * Settings with the defaults: the daemon's user and group, mode 0600, 5 s message timeout.
     *
     * @param portName   port name.
     * @param socketPath socket path.
     * @return the settings.
     */
    public static VfioUserServerSettings of(final String portName, final Path socketPath)
    {
        return new VfioUserServerSettings(portName, socketPath, null, null, DEFAULT_SOCKET_MODE,
            DEFAULT_MESSAGE_TIMEOUT_MS);
    }
}
