package io.sidecore.launcher.control;

import io.sidecore.engine.mem.GuestMemoryMapper;
import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.vfiouser.VfioUserServerSettings;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How the daemon lets guests reach its ports: each port's vfio-user device socket (owner, group, mode, message
 * timeout), what guest memory it accepts (the seal policy, for vfio-user and native attach alike) and how many
 * DMA regions one port's VMM may map.
 *
 * @param socketOwner         user given each device socket, or null for the daemon's.
 * @param socketGroup         group given each device socket, or null for the daemon's.
 * @param socketMode          permission bits of each device socket.
 * @param messageTimeoutMs    bound on a vfio-user message's rest and on a reply's write.
 * @param maxDmaRegions       DMA regions one port may have mapped at once.
 * @param allowUnsealedMemory accept guest memory that can shrink under the mapping (see the setting's risk).
 */
public record PortEndpointSettings(
    String socketOwner,
    String socketGroup,
    int socketMode,
    int messageTimeoutMs,
    int maxDmaRegions,
    boolean allowUnsealedMemory)
{
    /**
     * @param config the daemon's configuration.
     * @return its endpoint settings.
     */
    public static PortEndpointSettings from(final Configuration config)
    {
        final String owner = config.get(Configuration.PORT_SOCKET_OWNER);
        final String group = config.get(Configuration.PORT_SOCKET_GROUP);
        return new PortEndpointSettings(
            owner.isEmpty() ? null : owner,
            group.isEmpty() ? null : group,
            config.get(Configuration.PORT_SOCKET_MODE),
            (int)TimeUnit.NANOSECONDS.toMillis(config.get(Configuration.VFIO_USER_MESSAGE_TIMEOUT)),
            config.get(Configuration.PORT_MAX_DMA_REGIONS),
            config.get(Configuration.GUEST_MEMORY_ALLOW_UNSEALED));
    }

    /**
     * @return the mapper of guest memory files, with the seal policy.
     */
    public GuestMemoryMapper guestMemoryMapper()
    {
        return new GuestMemoryMapper(allowUnsealedMemory ?
            GuestMemoryMapper.SealPolicy.ALLOW_UNSEALED : GuestMemoryMapper.SealPolicy.REQUIRE_SHRINK_SEAL);
    }

    /**
     * @param portName   the port.
     * @param socketPath its device socket.
     * @return the vfio-user server's settings for the port.
     */
    public VfioUserServerSettings serverSettings(final String portName, final Path socketPath)
    {
        return new VfioUserServerSettings(portName, socketPath, socketOwner, socketGroup, permissions(socketMode),
            messageTimeoutMs);
    }

    /**
     * @param mode permission bits, 0 to 0777.
     * @return them as a set.
     */
    static Set<PosixFilePermission> permissions(final int mode)
    {
        final Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        final PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ };
        for (int bit = 0; bit < bits.length; bit++)
        {
            if (0 != (mode & (1 << bit)))
            {
                permissions.add(bits[bit]);
            }
        }
        return permissions;
    }
}
