package io.sidecore.shm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Cold-path helpers on plain file descriptors: open, close, duplicate, status and seals, non-blocking mode, waiting,
 * socket pairs, the calling thread's timer slack, and taking a descriptor from another process with
 * {@code pidfd_getfd} (how a test or tool gets at an eventfd a VMM owns without a Unix socket). Each call allocates
 * a short-lived confined arena; hot paths use the typed classes, or {@link #ppollReadable} with caller-owned
 * scratch.
 */
public final class Fds
{
    /** {@link #seals} result for a file whose filesystem has no seals (a disk file, a pipe, a device). */
    public static final int SEALS_UNSUPPORTED = -1;

    private Fds()
    {
    }

    /**
     * {@code open(path, flags)}.
     *
     * @param path  file path.
     * @param flags {@code LibC.O_*}.
     * @return the descriptor.
     * @throws OsException on failure.
     */
    public static int open(final String path, final int flags)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final int fd = LibC.open(state, arena.allocateFrom(path), flags, 0);
            if (fd < 0)
            {
                throw new OsException("open(" + path + ")", LibC.errno(state));
            }
            return fd;
        }
    }

    /**
     * Close a descriptor.
     *
     * @param fd descriptor.
     * @throws OsException on failure (EBADF when already closed).
     */
    public static void close(final int fd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            if (LibC.close(state, fd) < 0)
            {
                throw new OsException("close(fd=" + fd + ")", LibC.errno(state));
            }
        }
    }

    /**
     * Change the permission bits of an open file ({@code fchmod(2)}). On an unbound Unix socket this sets the mode its
     * socket file is created with at {@code bind(2)} (Linux masks it with the umask then).
     *
     * @param fd   descriptor.
     * @param mode permission bits, e.g. {@code 0600}.
     * @throws OsException on failure.
     */
    public static void changeMode(final int fd, final int mode)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            if (LibC.fchmod(state, fd, mode) < 0)
            {
                throw new OsException("fchmod(fd=" + fd + ", 0" + Integer.toOctalString(mode) + ")",
                    LibC.errno(state));
            }
        }
    }

    /**
     * A listening Unix stream socket whose file never exists with wider permissions than {@code mode}: the socket's
     * mode is set before {@code bind(2)} creates the file with it, and nothing changes it afterwards (junixsocket's
     * own bind makes the file 0666 once it exists, which leaves a window before the caller can restrict it). The
     * caller then sets the file's owner, group and final mode, and wraps the descriptor (junixsocket's
     * {@code FileDescriptorCast}).
     *
     * @param path    where the socket file is created (it must not exist).
     * @param mode    permission bits the file is created with, e.g. {@code 0} (nobody but root until the caller
     *                widens it).
     * @param backlog pending connections at most.
     * @return the descriptor, close-on-exec, listening.
     * @throws OsException naming the call that failed; nothing is left open.
     */
    public static int listenUnix(final String path, final int mode, final int backlog)
    {
        final byte[] pathBytes = path.getBytes(StandardCharsets.UTF_8);
        if (pathBytes.length > LibC.SUN_PATH_MAX_BYTES || path.indexOf('\0') >= 0)
        {
            throw new OsException("socket path longer than " + LibC.SUN_PATH_MAX_BYTES + " bytes or with a NUL: " +
                path, Errno.ENAMETOOLONG);
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final int fd = LibC.socket(state, LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                throw new OsException("socket(AF_UNIX, SOCK_STREAM)", LibC.errno(state));
            }
            try
            {
                changeMode(fd, mode);
                final MemorySegment address = arena.allocate(LibC.SOCKADDR_UN_BYTES, 8);
                address.set(JAVA_SHORT, 0, (short)LibC.AF_UNIX);
                MemorySegment.copy(pathBytes, 0, address, JAVA_BYTE, 2, pathBytes.length);
                if (LibC.bind(state, fd, address, LibC.SOCKADDR_UN_BYTES) < 0)
                {
                    throw new OsException("bind(" + path + ")", LibC.errno(state));
                }
                if (LibC.listen(state, fd, backlog) < 0)
                {
                    throw new OsException("listen(" + path + ")", LibC.errno(state));
                }
                return fd;
            }
            catch (final OsException ex)
            {
                LibC.close(state, fd);
                throw ex;
            }
        }
    }

    /**
     * Duplicate a descriptor ({@code fcntl(F_DUPFD_CLOEXEC)}): the copy refers to the same open file (for an eventfd,
     * the same counter) and is closed independently.
     *
     * @param fd descriptor.
     * @return the new, close-on-exec descriptor.
     * @throws OsException on failure.
     */
    public static int duplicate(final int fd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final int copy = LibC.fcntl(state, fd, LibC.F_DUPFD_CLOEXEC, 0);
            if (copy < 0)
            {
                throw new OsException("fcntl(fd=" + fd + ", F_DUPFD_CLOEXEC)", LibC.errno(state));
            }
            return copy;
        }
    }

    /**
     * {@code fstat} of a descriptor (through {@code statx}, whose layout does not differ between architectures) plus
     * the filesystem it lives on ({@code fstatfs}).
     *
     * @param fd descriptor.
     * @return type, size, identity and filesystem of the file.
     * @throws OsException on failure (EBADF for a closed descriptor).
     */
    public static FileStatus fstat(final int fd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final MemorySegment statx = arena.allocate(LibC.STATX_BYTES, 8);
            if (LibC.statx(state, fd, arena.allocateFrom(""), LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, statx) < 0)
            {
                throw new OsException("statx(fd=" + fd + ", AT_EMPTY_PATH)", LibC.errno(state));
            }
            final MemorySegment statfs = arena.allocate(LibC.STATFS_BYTES, 8);
            if (LibC.fstatfs(state, fd, statfs) < 0)
            {
                throw new OsException("fstatfs(fd=" + fd + ")", LibC.errno(state));
            }
            return new FileStatus(
                statx.get(JAVA_SHORT, LibC.STATX_MODE_OFFSET) & 0xFFFF,
                statx.get(JAVA_LONG, LibC.STATX_SIZE_OFFSET),
                statx.get(JAVA_LONG, LibC.STATX_INODE_OFFSET),
                statx.get(JAVA_INT, LibC.STATX_DEVICE_MAJOR_OFFSET),
                statx.get(JAVA_INT, LibC.STATX_DEVICE_MINOR_OFFSET),
                statfs.get(JAVA_LONG, LibC.STATFS_TYPE_OFFSET));
        }
    }

    /**
     * The seals of a file ({@code fcntl(F_GET_SEALS)}). A memfd created without {@code MFD_ALLOW_SEALING} and a tmpfs
     * or hugetlbfs file not made by {@code memfd_create} report {@link LibC#F_SEAL_SEAL} alone: they can never be
     * sealed.
     *
     * @param fd descriptor.
     * @return the {@code F_SEAL_*} bits, or {@link #SEALS_UNSUPPORTED} when the file's filesystem has no seals.
     * @throws OsException on any other failure (EBADF).
     */
    public static int seals(final int fd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final int seals = LibC.fcntl(state, fd, LibC.F_GET_SEALS, 0);
            if (seals >= 0)
            {
                return seals;
            }
            final int errno = LibC.errno(state);
            if (Errno.EINVAL == errno)
            {
                return SEALS_UNSUPPORTED;
            }
            throw new OsException("fcntl(fd=" + fd + ", F_GET_SEALS)", errno);
        }
    }

    /**
     * Add seals to a file ({@code fcntl(F_ADD_SEALS)}); seals can never be removed.
     *
     * @param fd    descriptor (open for writing).
     * @param seals {@code F_SEAL_*} bits to add.
     * @throws OsException when the kernel refuses: EPERM once {@link LibC#F_SEAL_SEAL} is set, EBUSY for
     *     {@link LibC#F_SEAL_WRITE} while a writable shared mapping exists, EINVAL where sealing is unsupported.
     */
    public static void addSeals(final int fd, final int seals)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            if (LibC.fcntl(state, fd, LibC.F_ADD_SEALS, seals) < 0)
            {
                throw new OsException("fcntl(fd=" + fd + ", F_ADD_SEALS, " + sealNames(seals) + ")",
                    LibC.errno(state));
            }
        }
    }

    /**
     * @param seals {@code F_SEAL_*} bits.
     * @return the names joined with '|', e.g. "F_SEAL_SEAL|F_SEAL_SHRINK"; "none" for 0.
     */
    public static String sealNames(final int seals)
    {
        if (SEALS_UNSUPPORTED == seals)
        {
            return "unsupported";
        }
        final StringBuilder names = new StringBuilder();
        appendSeal(names, seals, LibC.F_SEAL_SEAL, "F_SEAL_SEAL");
        appendSeal(names, seals, LibC.F_SEAL_SHRINK, "F_SEAL_SHRINK");
        appendSeal(names, seals, LibC.F_SEAL_GROW, "F_SEAL_GROW");
        appendSeal(names, seals, LibC.F_SEAL_WRITE, "F_SEAL_WRITE");
        appendSeal(names, seals, LibC.F_SEAL_FUTURE_WRITE, "F_SEAL_FUTURE_WRITE");
        final int known = LibC.F_SEAL_SEAL | LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_WRITE |
            LibC.F_SEAL_FUTURE_WRITE;
        if (0 != (seals & ~known))
        {
            appendSeal(names, seals, seals & ~known, "0x" + Integer.toHexString(seals & ~known));
        }
        return names.isEmpty() ? "none" : names.toString();
    }

    private static void appendSeal(final StringBuilder names, final int seals, final int seal, final String name)
    {
        if (0 != (seals & seal))
        {
            if (!names.isEmpty())
            {
                names.append('|');
            }
            names.append(name);
        }
    }

    /**
     * Set the calling thread's timer slack: how much later than asked the kernel may end its timed waits (to
     * coalesce wake-ups). The default, 50 µs, is as long as a sidecore's whole park bound; a parking sidecore thread
     * sets it to about a microsecond.
     *
     * @param slackNs slack in ns, at least 1 (0 would restore the process default).
     * @throws OsException on failure.
     */
    public static void setTimerSlackNs(final long slackNs)
    {
        if (slackNs < 1)
        {
            throw new IllegalArgumentException("timer slack must be at least 1 ns: " + slackNs);
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            if (LibC.prctl(state, LibC.PR_SET_TIMERSLACK, slackNs) < 0)
            {
                throw new OsException("prctl(PR_SET_TIMERSLACK, " + slackNs + ")", LibC.errno(state));
            }
        }
    }

    /**
     * @return the calling thread's timer slack in ns.
     * @throws OsException on failure.
     */
    public static long timerSlackNs()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final int slackNs = LibC.prctl(state, LibC.PR_GET_TIMERSLACK, 0);
            if (slackNs < 0)
            {
                throw new OsException("prctl(PR_GET_TIMERSLACK)", LibC.errno(state));
            }
            return slackNs;
        }
    }

    /**
     * Close a descriptor with the call state of the object that owns it, then that object's arena (the call state
     * lives in it, so errno is read first); the arena is closed even when {@code close} fails.
     *
     * @param callState the owner's errno capture state, allocated in {@code arena}.
     * @param fd        descriptor.
     * @param arena     the owner's arena.
     * @param what      the descriptor for the message, e.g. {@code "eventfd=7"}.
     * @throws OsException when {@code close} failed.
     */
    public static void closeWithArena(final MemorySegment callState, final int fd, final Arena arena, final String what)
    {
        final int result = LibC.close(callState, fd);
        final int errno = LibC.errno(callState);
        arena.close();
        if (result < 0)
        {
            throw new OsException("close(" + what + ")", errno);
        }
    }

    /**
     * Set or clear {@code O_NONBLOCK}.
     *
     * @param fd          descriptor.
     * @param nonBlocking true for non-blocking reads and writes.
     */
    public static void setNonBlocking(final int fd, final boolean nonBlocking)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final int flags = LibC.fcntl(state, fd, LibC.F_GETFL, 0);
            if (flags < 0)
            {
                throw new OsException("fcntl(fd=" + fd + ", F_GETFL)", LibC.errno(state));
            }
            final int newFlags = nonBlocking ? flags | LibC.O_NONBLOCK : flags & ~LibC.O_NONBLOCK;
            if (LibC.fcntl(state, fd, LibC.F_SETFL, newFlags) < 0)
            {
                throw new OsException("fcntl(fd=" + fd + ", F_SETFL)", LibC.errno(state));
            }
        }
    }

    /**
     * @param fd descriptor.
     * @return true when {@code O_NONBLOCK} is set.
     */
    public static boolean isNonBlocking(final int fd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final int flags = LibC.fcntl(state, fd, LibC.F_GETFL, 0);
            if (flags < 0)
            {
                throw new OsException("fcntl(fd=" + fd + ", F_GETFL)", LibC.errno(state));
            }
            return (flags & LibC.O_NONBLOCK) != 0;
        }
    }

    /**
     * Wait until a descriptor is readable.
     *
     * @param fd        descriptor.
     * @param timeoutMs bound on the wait; 0 to test and return.
     * @return true when readable, false on timeout.
     */
    public static boolean awaitReadable(final int fd, final int timeoutMs)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final MemorySegment pollFd = arena.allocate(LibC.POLLFD_BYTES, 8);
            return pollReadable(state, pollFd, fd, timeoutMs);
        }
    }

    /**
     * Allocation-free wait for readability with caller-owned scratch (retries on EINTR).
     *
     * @param state     call state.
     * @param pollFd    {@link LibC#POLLFD_BYTES} of scratch.
     * @param fd        descriptor.
     * @param timeoutMs bound on the wait.
     * @return true when readable.
     */
    static boolean pollReadable(final MemorySegment state, final MemorySegment pollFd, final int fd,
        final int timeoutMs)
    {
        while (true)
        {
            pollFd.set(JAVA_INT, 0, fd);
            pollFd.set(JAVA_SHORT, 4, LibC.POLLIN);
            pollFd.set(JAVA_SHORT, 6, (short)0);
            final int ready = LibC.poll(state, pollFd, 1, timeoutMs);
            if (ready >= 0)
            {
                return ready > 0 && (pollFd.get(JAVA_SHORT, 6) & LibC.POLLIN) != 0;
            }
            final int errno = LibC.errno(state);
            if (errno != Errno.EINTR)
            {
                throw new OsException("poll(fd=" + fd + ")", errno);
            }
        }
    }

    /**
     * Allocation-free wait with a nanosecond timeout for any of several descriptors to become readable
     * ({@code ppoll(2)}), with caller-owned scratch. The caller fills each entry's {@code fd} (int at 0) and
     * {@code events} (short at 4, {@link LibC#POLLIN}) once; this clears the {@code revents} (short at 6), which the
     * kernel sets on return. A signal delivered to the thread ends the wait early, reported as a timeout (0): a
     * waiter re-checks its condition anyway, and retrying with the full timeout could double the wait.
     *
     * @param state     call state.
     * @param pollFds   {@code count} entries of {@link LibC#POLLFD_BYTES}.
     * @param count     number of entries.
     * @param timespec  {@link LibC#TIMESPEC_BYTES} of scratch for the timeout.
     * @param timeoutNs bound on the wait, at least 0 (0 tests and returns).
     * @return number of ready entries, 0 on timeout.
     * @throws OsException on a failure other than EINTR.
     */
    public static int ppollReadable(
        final MemorySegment state,
        final MemorySegment pollFds,
        final int count,
        final MemorySegment timespec,
        final long timeoutNs)
    {
        final long boundedNs = Math.max(0, timeoutNs);
        timespec.set(JAVA_LONG, 0, boundedNs / LibC.NANOS_PER_SECOND);
        timespec.set(JAVA_LONG, 8, boundedNs % LibC.NANOS_PER_SECOND);
        for (int i = 0; i < count; i++)
        {
            pollFds.set(JAVA_SHORT, (long)i * LibC.POLLFD_BYTES + 6, (short)0);
        }
        final int ready = LibC.ppoll(state, pollFds, count, timespec, MemorySegment.NULL);
        if (ready >= 0)
        {
            return ready;
        }
        final int errno = LibC.errno(state);
        if (errno == Errno.EINTR)
        {
            return 0;
        }
        throw new OsException("ppoll(count=" + count + ")", errno);
    }

    /**
     * A connected pair of Unix sockets; {@link LibC#SOCK_SEQPACKET} keeps message boundaries like a TAP does.
     *
     * @param type socket type and flags.
     * @return the two descriptors.
     */
    public static int[] socketPair(final int type)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if (LibC.socketpair(state, LibC.AF_UNIX, type | LibC.SOCK_CLOEXEC, 0, fds) < 0)
            {
                throw new OsException("socketpair(AF_UNIX, type=" + type + ")", LibC.errno(state));
            }
            return new int[]{fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /**
     * {@code pidfd_open(pid, 0)}: a descriptor referring to a process.
     *
     * @param pid process id.
     * @return pidfd.
     */
    public static int pidfdOpen(final long pid)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final long fd = LibC.syscall(state, LibC.SYS_PIDFD_OPEN, pid, 0);
            if (fd < 0)
            {
                throw new OsException("pidfd_open(pid=" + pid + ")", LibC.errno(state));
            }
            return (int)fd;
        }
    }

    /**
     * Duplicate a descriptor of another process into this one ({@code pidfd_open} + {@code pidfd_getfd}, Linux
     * 5.6+). Needs ptrace rights over the target (same user and, under Yama, an ancestor or CAP_SYS_PTRACE).
     * The copy is close-on-exec and refers to the same open file: an eventfd copy signals the same counter.
     *
     * @param pid      the process owning the descriptor.
     * @param remoteFd its descriptor number there.
     * @return a local descriptor.
     */
    public static int takeFromProcess(final long pid, final int remoteFd)
    {
        final int pidfd = pidfdOpen(pid);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            final long fd = LibC.syscall(state, LibC.SYS_PIDFD_GETFD, pidfd, remoteFd, 0);
            if (fd < 0)
            {
                throw new OsException("pidfd_getfd(pid=" + pid + ", fd=" + remoteFd + ")", LibC.errno(state),
                    "the caller needs ptrace rights over the target process");
            }
            return (int)fd;
        }
        finally
        {
            close(pidfd);
        }
    }

    /**
     * Move the calling thread (only it) into the network namespace at {@code path}. Sockets and TAP devices the
     * thread then opens belong to that namespace for their whole life, whichever thread uses them later. Use a
     * dedicated platform thread; never a virtual thread or a pooled one.
     *
     * @param path e.g. {@code /run/netns/NAME}.
     */
    public static void enterNetworkNamespace(final String path)
    {
        final int fd = open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(arena);
            if (LibC.setns(state, fd, LibC.CLONE_NEWNET) < 0)
            {
                throw new OsException("setns(" + path + ", CLONE_NEWNET)", LibC.errno(state),
                    "entering a network namespace needs CAP_SYS_ADMIN");
            }
        }
        finally
        {
            close(fd);
        }
    }
}
