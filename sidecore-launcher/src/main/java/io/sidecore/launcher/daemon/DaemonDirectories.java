package io.sidecore.launcher.daemon;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The directories the daemon keeps its files in (the control socket, the port sockets, the counters file): each is
 * created mode 0700, or 0750 with its group set to {@code sidecore.control.group}, so that only the daemon's user (and
 * that group, read and traverse only) can reach what is inside; nobody else can plant a file or a symlink there.
 * <p>
 * An existing directory is accepted only if it is a real directory (not a symlink) owned by the daemon's user; its
 * mode and group are then set as if it had just been created. Anything else stops the daemon with a message naming
 * the path: a directory owned by another user could be emptied or filled by that user under the daemon's feet.
 * The parents of the directory are created with the default mode when missing and not checked (a system's
 * {@code /var/run} is a symlink to {@code /run}).
 */
public final class DaemonDirectories
{
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_AND_GROUP = PosixFilePermissions.fromString("rwxr-x---");

    private final String group;
    private final int ownUid;

    /**
     * @param group the group given the directories, by name or number; empty for none.
     */
    public DaemonDirectories(final String group)
    {
        this.group = group;
        this.ownUid = ownUid();
    }

    /**
     * @return the group given the directories; empty for none.
     */
    public String group()
    {
        return group;
    }

    /**
     * @return the uid this process runs as.
     */
    public static int ownUid()
    {
        try
        {
            return (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the daemon's own uid from /proc/self: " + ex.getMessage(), ex);
        }
    }

    /**
     * Create the directory, or check and adopt it.
     *
     * @param directory an absolute path.
     * @return the directory.
     * @throws DaemonStartException when it is a symlink, not a directory, owned by another user, or cannot be
     *                              created or given its mode or group.
     */
    public Path prepare(final Path directory)
    {
        try
        {
            if (null != directory.getParent())
            {
                Files.createDirectories(directory.getParent());
            }
            try
            {
                Files.createDirectory(directory);
            }
            catch (final FileAlreadyExistsException ex)
            {
                check(directory);
            }
            final PosixFileAttributeView view =
                Files.getFileAttributeView(directory, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            if (!group.isEmpty())
            {
                view.setGroup(lookupGroup(group));
            }
            view.setPermissions(group.isEmpty() ? OWNER_ONLY : OWNER_AND_GROUP);
            check(directory);
            return directory;
        }
        catch (final IOException ex)
        {
            throw new DaemonStartException("cannot prepare directory " + directory + ": " + ex, ex);
        }
    }

    /**
     * Give a file in a prepared directory the directories' group, when one is configured.
     *
     * @param file the file (not followed if a symlink).
     * @throws IOException when the group cannot be set.
     */
    public void applyGroup(final Path file) throws IOException
    {
        if (!group.isEmpty())
        {
            Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setGroup(lookupGroup(group));
        }
    }

    private void check(final Path directory) throws IOException
    {
        final PosixFileAttributes attributes =
            Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink())
        {
            throw new DaemonStartException("refusing " + directory + ": it is a symbolic link, not a directory", null);
        }
        if (!attributes.isDirectory())
        {
            throw new DaemonStartException("refusing " + directory + ": it exists and is not a directory", null);
        }
        final int owner = (Integer)Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != ownUid)
        {
            throw new DaemonStartException("refusing " + directory + ": owned by uid " + owner + ", not by the " +
                "daemon's uid " + ownUid, null);
        }
    }

    private static GroupPrincipal lookupGroup(final String group) throws IOException
    {
        return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByGroupName(group);
    }
}
