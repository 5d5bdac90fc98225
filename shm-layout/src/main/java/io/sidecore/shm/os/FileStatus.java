package io.sidecore.shm.os;

/**
 * What {@link Fds#fstat(int)} reports about an open file: its type and permission bits, size, identity (device and
 * inode, equal for two descriptors of one file) and the filesystem it lives on.
 *
 * @param mode            {@code st_mode}: file type ({@link LibC#S_IFMT} bits) and permissions.
 * @param sizeBytes       {@code st_size}.
 * @param inode           {@code st_ino}.
 * @param deviceMajor     major number of the device holding the file.
 * @param deviceMinor     minor number of the device holding the file.
 * @param filesystemMagic {@code f_type} from {@code fstatfs} ({@link LibC#TMPFS_MAGIC}, {@link LibC#HUGETLBFS_MAGIC},
 *                        ...).
 */
public record FileStatus(
    int mode, long sizeBytes, long inode, int deviceMajor, int deviceMinor, long filesystemMagic)
{
    /**
     * @return true for a regular file (memfds, tmpfs and hugetlbfs files, files on disk).
     */
    public boolean isRegularFile()
    {
        return (mode & LibC.S_IFMT) == LibC.S_IFREG;
    }

    /**
     * @return the file type in words, for messages: "regular file", "directory", "character device", ...
     */
    public String typeName()
    {
        return switch (mode & LibC.S_IFMT)
        {
            case LibC.S_IFREG -> "regular file";
            case LibC.S_IFDIR -> "directory";
            case LibC.S_IFCHR -> "character device";
            case LibC.S_IFBLK -> "block device";
            case LibC.S_IFIFO -> "pipe";
            case LibC.S_IFSOCK -> "socket";
            case LibC.S_IFLNK -> "symbolic link";
            default -> "file of type 0" + Integer.toOctalString(mode & LibC.S_IFMT);
        };
    }

    /**
     * @return the filesystem in words, for messages: "tmpfs", "hugetlbfs" or "filesystem 0x...".
     */
    public String filesystemName()
    {
        if (LibC.TMPFS_MAGIC == filesystemMagic)
        {
            return "tmpfs";
        }
        if (LibC.HUGETLBFS_MAGIC == filesystemMagic)
        {
            return "hugetlbfs";
        }
        return "filesystem 0x" + Long.toHexString(filesystemMagic);
    }
}
