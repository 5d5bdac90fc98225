package io.sidecore.shm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few glibc functions sidecore needs, bound once through the Foreign Function &amp; Memory API (no JNI).
 * <p>
 * Every call takes a <em>call state</em> segment first ({@link #allocateCallState}): the linker stores the C
 * {@code errno} into it right after the call ({@code Linker.Option.captureCallState("errno")}), so errno survives
 * the JVM's own native activity. Objects on hot paths allocate their call state and buffers once and reuse them;
 * the method handles are static finals invoked with {@code invokeExact}, so a call allocates nothing.
 * <p>
 * Functions return what libc returns ({@code -1} on failure, then read {@link #errno}); the typed wrappers
 * ({@link EventFd}, {@link MemFd}, {@code TapDevice}, ...) turn failures into {@link OsException}s that name the
 * call, the errno and its {@code strerror} text. Linux on x86-64/aarch64 only.
 */
// Binding native code is what this class is for; the JVM runs with --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
public final class LibC
{
    /** {@code open} flag: read and write. */
    public static final int O_RDWR = 0x2;
    /** {@code open}/{@code eventfd} flag: non-blocking I/O. */
    public static final int O_NONBLOCK = 0x800;
    /** {@code open} flag: close on exec. */
    public static final int O_CLOEXEC = 0x80000;
    /** {@code open} flag: read only. */
    public static final int O_RDONLY = 0x0;

    /** {@code fcntl} command: get file status flags. */
    public static final int F_GETFL = 3;
    /** {@code fcntl} command: set file status flags. */
    public static final int F_SETFL = 4;
    /** {@code fcntl} command: duplicate a descriptor, close-on-exec, at the lowest number at or above the argument. */
    public static final int F_DUPFD_CLOEXEC = 1030;
    /** {@code fcntl} command: add seals to a memfd, tmpfs or hugetlbfs file ({@code F_LINUX_SPECIFIC_BASE + 9}). */
    public static final int F_ADD_SEALS = 1033;
    /** {@code fcntl} command: read a file's seals; EINVAL on a filesystem without sealing. */
    public static final int F_GET_SEALS = 1034;

    /** Seal: no further seals may be added (also what a file that never allowed sealing reports). */
    public static final int F_SEAL_SEAL = 0x1;
    /** Seal: the file cannot shrink, so no page of a mapping can disappear under it (no SIGBUS). */
    public static final int F_SEAL_SHRINK = 0x2;
    /** Seal: the file cannot grow. */
    public static final int F_SEAL_GROW = 0x4;
    /** Seal: the contents cannot be written (and no shared writable mapping can be made). */
    public static final int F_SEAL_WRITE = 0x8;
    /** Seal: no new writable mapping or write, existing writable mappings keep working (Linux 5.1). */
    public static final int F_SEAL_FUTURE_WRITE = 0x10;

    /** {@code statx} flag: the path is empty, describe the descriptor itself (what {@code fstat} does). */
    public static final int AT_EMPTY_PATH = 0x1000;
    /** {@code statx} mask: type, mode, link count, owner, times, inode, size and blocks. */
    public static final int STATX_BASIC_STATS = 0x7FF;
    /** Size of {@code struct statx}: the same on every architecture (unlike {@code struct stat}). */
    public static final int STATX_BYTES = 256;
    /** {@code struct statx} offset of {@code stx_mode} (u16). */
    public static final int STATX_MODE_OFFSET = 28;
    /** {@code struct statx} offset of {@code stx_ino} (u64). */
    public static final int STATX_INODE_OFFSET = 32;
    /** {@code struct statx} offset of {@code stx_size} (u64). */
    public static final int STATX_SIZE_OFFSET = 40;
    /** {@code struct statx} offset of {@code stx_dev_major} (u32); {@code stx_dev_minor} follows. */
    public static final int STATX_DEVICE_MAJOR_OFFSET = 136;
    /** {@code struct statx} offset of {@code stx_dev_minor} (u32). */
    public static final int STATX_DEVICE_MINOR_OFFSET = 140;

    /** Size of {@code struct statfs} on 64-bit Linux (120 bytes; rounded up). */
    public static final int STATFS_BYTES = 128;
    /** {@code struct statfs} offset of {@code f_type}, a 64-bit word first on every 64-bit architecture. */
    public static final int STATFS_TYPE_OFFSET = 0;
    /** {@code f_type} of tmpfs and shmem, where memfds and /dev/shm files live. */
    public static final long TMPFS_MAGIC = 0x01021994L;
    /** {@code f_type} of hugetlbfs, where {@code MFD_HUGETLB} memfds and hugepage files live. */
    public static final long HUGETLBFS_MAGIC = 0x958458F6L;

    /** {@code st_mode} mask of the file type bits. */
    public static final int S_IFMT = 0xF000;
    /** File type: socket. */
    public static final int S_IFSOCK = 0xC000;
    /** File type: symbolic link. */
    public static final int S_IFLNK = 0xA000;
    /** File type: regular file (memfds are regular files). */
    public static final int S_IFREG = 0x8000;
    /** File type: block device. */
    public static final int S_IFBLK = 0x6000;
    /** File type: directory. */
    public static final int S_IFDIR = 0x4000;
    /** File type: character device. */
    public static final int S_IFCHR = 0x2000;
    /** File type: FIFO (pipe). */
    public static final int S_IFIFO = 0x1000;

    /** {@code prctl} option: the calling thread's timer slack in ns (how late the kernel may fire its timers). */
    public static final int PR_SET_TIMERSLACK = 29;
    /** {@code prctl} option: read the calling thread's timer slack. */
    public static final int PR_GET_TIMERSLACK = 30;

    /** {@code mmap} protection: readable. */
    public static final int PROT_READ = 0x1;
    /** {@code mmap} protection: writable. */
    public static final int PROT_WRITE = 0x2;
    /** {@code mmap} flag: changes are shared with every other mapping of the file. */
    public static final int MAP_SHARED = 0x01;

    /** {@code poll} event: data to read. */
    public static final short POLLIN = 0x1;
    /** {@code poll} event: writable. */
    public static final short POLLOUT = 0x4;

    /** {@code lseek} whence: from the end. */
    public static final int SEEK_END = 2;

    /** {@code socket} domain: Unix. */
    public static final int AF_UNIX = 1;
    /** Socket domain: IPv4 (an interface-ioctl socket needs no more). */
    public static final int AF_INET = 2;
    /** Socket type: datagram. */
    public static final int SOCK_DGRAM = 2;
    /** {@code socket} type: reliable, message boundaries kept (like a TAP's read/write). */
    public static final int SOCK_SEQPACKET = 5;
    /** {@code SOCK_STREAM}. */
    public static final int SOCK_STREAM = 1;
    /**
     * Size of {@code struct sockaddr_un}: {@code sa_family_t sun_family} (2 bytes) then {@code char sun_path[108]}.
     */
    public static final int SOCKADDR_UN_BYTES = 110;
    /** Longest {@code sun_path}, without its terminating NUL. */
    public static final int SUN_PATH_MAX_BYTES = 107;
    /** {@code socket} type flag: non-blocking. */
    public static final int SOCK_NONBLOCK = O_NONBLOCK;
    /** {@code socket} type flag: close on exec. */
    public static final int SOCK_CLOEXEC = O_CLOEXEC;

    /** {@code setns} type: network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;

    /** x86-64 syscall number of {@code pidfd_open}; the same on aarch64 (new syscalls share numbers). */
    public static final long SYS_PIDFD_OPEN = 434;
    /** Syscall number of {@code pidfd_getfd}. */
    public static final long SYS_PIDFD_GETFD = 438;

    /** Size of {@code struct pollfd}. */
    public static final int POLLFD_BYTES = 8;
    /** Size of {@code struct timespec} on 64-bit Linux: {@code long tv_sec; long tv_nsec}. */
    public static final int TIMESPEC_BYTES = 16;
    /** Nanoseconds per second, for {@code struct timespec}. */
    public static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        CALL_STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle READ = bind("read",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = bind("write",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** Neither critical nor capturing errno: see {@link #readWithoutErrno}. */
    private static final MethodHandle READ_WITHOUT_ERRNO = LINKER.downcallHandle(symbol("read"),
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE_WITHOUT_ERRNO = LINKER.downcallHandle(symbol("write"),
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** Critical, without errno capture: see {@link #readOrMinusErrno}. */
    private static final MethodHandle READ_CRITICAL = LINKER.downcallHandle(symbol("read"),
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle WRITE_CRITICAL = LINKER.downcallHandle(symbol("write"),
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.critical(false));
    /** glibc's address of the calling thread's errno, as a long so that no segment is made of it per call. */
    private static final MethodHandle ERRNO_LOCATION = LINKER.downcallHandle(symbol("__errno_location"),
        FunctionDescriptor.of(JAVA_LONG), Linker.Option.critical(false));
    /** All of the address space, made once, to load errno at an address without making a segment per load. */
    private static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MEMFD_CREATE = bind("memfd_create",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = bind("ftruncate",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSEEK = bind("lseek",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MMAP = bind("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = bind("poll",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle PPOLL = bind("ppoll",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle PRCTL = bindVariadic("prctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), 1);
    private static final MethodHandle OPEN = bindVariadic("open",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle FCNTL = bindVariadic("fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle IOCTL_PTR = bindVariadic("ioctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    /** Without errno capture: see {@link #ioctlWithoutErrno}. */
    private static final MethodHandle IOCTL_PTR_WITHOUT_ERRNO = LINKER.downcallHandle(symbol("ioctl"),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = bindVariadic("ioctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    private static final MethodHandle SYSCALL2 = bindVariadic("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    private static final MethodHandle SYSCALL3 = bindVariadic("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHMOD = bind("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKET = bind("socket",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = bind("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle STATX = bind("statx",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FSTATFS = bind("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETPAGESIZE = LINKER.downcallHandle(
        symbol("getpagesize"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SOCKETPAIR = bind("socketpair",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
        LOOKUP.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    static
    {
        // The error branch of readOrMinusErrno/writeOrMinusErrno loads errno through ALL_MEMORY: run once here, so
        // that its first use (class loading, linking) never runs between a call and the load of that call's errno.
        try
        {
            ALL_MEMORY.get(JAVA_INT, (long)ERRNO_LOCATION.invokeExact());
        }
        catch (final Throwable t)
        {
            throw new ExceptionInInitializerError(t);
        }
    }

    private LibC()
    {
    }

    private static MethodHandle bind(final String name, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO);
    }

    private static MethodHandle bindVariadic(final String name, final FunctionDescriptor descriptor,
        final int firstVariadicArgument)
    {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(firstVariadicArgument));
    }

    private static MemorySegment symbol(final String name)
    {
        return LOOKUP.find(name).orElseThrow(
            () -> new UnsatisfiedLinkError("libc symbol not found: " + name + " (sidecore needs glibc on Linux)"));
    }

    /**
     * A segment the linker stores {@code errno} into after each call. One per thread that makes calls through it.
     *
     * @param arena lifetime of the segment.
     * @return call state segment.
     */
    public static MemorySegment allocateCallState(final Arena arena)
    {
        return arena.allocate(CALL_STATE_LAYOUT);
    }

    /**
     * @param callState segment passed to the last call.
     * @return errno captured right after that call.
     */
    public static int errno(final MemorySegment callState)
    {
        return (int)ERRNO.get(callState, 0L);
    }

    /**
     * Human-readable text of an errno value ({@code strerror}). Cold path only.
     *
     * @param errno value.
     * @return text, e.g. "No such file or directory".
     */
    public static String strerror(final int errno)
    {
        try
        {
            final MemorySegment text = (MemorySegment)STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        }
        catch (final Throwable t)
        {
            return "errno " + errno;
        }
    }

    /**
     * {@code read(2)}.
     *
     * @param callState errno capture.
     * @param fd        file descriptor.
     * @param buffer    native destination.
     * @param count     bytes at most.
     * @return bytes read, 0 at end, -1 on error.
     */
    public static long read(final MemorySegment callState, final int fd, final MemorySegment buffer, final long count)
    {
        try
        {
            return (long)READ.invokeExact(callState, fd, buffer, count);
        }
        catch (final Throwable t)
        {
            throw rethrow("read", t);
        }
    }

    /**
     * {@code write(2)}.
     *
     * @param callState errno capture.
     * @param fd        file descriptor.
     * @param buffer    native source.
     * @param count     bytes.
     * @return bytes written or -1.
     */
    public static long write(final MemorySegment callState, final int fd, final MemorySegment buffer,
        final long count)
    {
        try
        {
            return (long)WRITE.invokeExact(callState, fd, buffer, count);
        }
        catch (final Throwable t)
        {
            throw rethrow("write", t);
        }
    }

    /**
     * {@code read(2)} for a caller that needs only whether it read everything, allocation-free from its first call:
     * a call with errno capture ({@link #read}) allocates the JDK's 40-byte slice of its call state per call unless
     * C2 inlined the downcall and escape analysis removed the slice, which a loaded machine may never get to (the
     * sidecore posts every interrupt through an eventfd). Unlike {@link #readOrMinusErrno} it is an ordinary call,
     * with the thread-state transition, so it may block (a blocking descriptor received from another process) without
     * holding off the JVM's safepoints. Its errno is lost: a caller that needs it repeats the call with {@link #read}.
     *
     * @param fd     file descriptor.
     * @param buffer native destination.
     * @param count  bytes at most.
     * @return bytes read, 0 at end, -1 on error (its errno is not kept).
     */
    public static long readWithoutErrno(final int fd, final MemorySegment buffer, final long count)
    {
        try
        {
            return (long)READ_WITHOUT_ERRNO.invokeExact(fd, buffer, count);
        }
        catch (final Throwable t)
        {
            throw rethrow("read", t);
        }
    }

    /**
     * {@code write(2)}, allocation-free from its first call, errno not kept: see {@link #readWithoutErrno}.
     *
     * @param fd     file descriptor.
     * @param buffer native source.
     * @param count  bytes.
     * @return bytes written, or -1 on error (its errno is not kept).
     */
    public static long writeWithoutErrno(final int fd, final MemorySegment buffer, final long count)
    {
        try
        {
            return (long)WRITE_WITHOUT_ERRNO.invokeExact(fd, buffer, count);
        }
        catch (final Throwable t)
        {
            throw rethrow("write", t);
        }
    }

    /**
     * {@code read(2)} of a non-blocking descriptor polled on the data path (a TAP device), allocation-free from its
     * first call, without the JIT's help.
     * <p>
     * Why not {@link #read}: a call with errno capture allocates a slice of its capture segment every time (the
     * JDK checks the segment with {@code asSlice} before the call), and only C2's escape analysis, once the whole
     * call is inlined and compiled, removes it: the system benchmark's TAP case allocated a 40-byte segment per frame
     * read or written for as long as that took (the whole run on a loaded machine). Here the call is a critical one
     * ({@link Linker.Option#critical}: no thread-state transition, so no safepoint check inside the call) and errno
     * is read right after it at the thread's errno address, which {@code __errno_location()} (a second critical
     * call) gave before it: asked after, the first call's linking of that handle (class loading, file lookups) could
     * itself set errno. Between the read and the load of errno only the return from the call runs; before C2
     * compiles the path a safepoint could in principle stop the thread there, which can only mislabel this call's
     * error, never lose a frame (the callers retry a failed read on the next pass and count a failed write as dropped
     * whatever its errno). A critical call holds off safepoints for its length: a TAP read or write of one frame,
     * microseconds.
     *
     * @param fd     file descriptor.
     * @param buffer native destination.
     * @param count  bytes at most.
     * @return bytes read, 0 at end, or minus errno ({@code -EAGAIN} when nothing is pending).
     */
    public static long readOrMinusErrno(final int fd, final MemorySegment buffer, final long count)
    {
        try
        {
            final long errnoAddress = (long)ERRNO_LOCATION.invokeExact();
            final long result = (long)READ_CRITICAL.invokeExact(fd, buffer, count);
            return result >= 0 ? result : -ALL_MEMORY.get(JAVA_INT, errnoAddress);
        }
        catch (final Throwable t)
        {
            throw rethrow("read", t);
        }
    }

    /**
     * Link {@link #readOrMinusErrno} and {@link #writeOrMinusErrno} now, on the calling thread: the first call of each
     * in the JVM's life initialises the classes behind its downcall ({@code DirectMethodHandle.ensureInitialized}),
     * allocating about 64 KiB on the thread that makes it. A TAP device calls this when it opens, so that the
     * sidecore's first read of it, which comes only when the kernel first sends a frame to the TAP, possibly in the
     * middle of a measured interval, allocates nothing (issue 11: 0 bytes on the sidecore in steady state; the
     * whole matrix's first TAP case allocated 65 896 bytes this way). Both calls go to descriptor -1 and fail with
     * EBADF: nothing is read or written.
     */
    public static void linkDataPathCalls()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(Long.BYTES);
            readOrMinusErrno(-1, buffer, Long.BYTES);
            writeOrMinusErrno(-1, buffer, Long.BYTES);
        }
    }

    /**
     * {@code write(2)} to a non-blocking descriptor on the data path (a TAP device), allocation-free from its first
     * call, without the JIT's help: see {@link #readOrMinusErrno}.
     *
     * @param fd     file descriptor.
     * @param buffer native source.
     * @param count  bytes.
     * @return bytes written, or minus errno.
     */
    public static long writeOrMinusErrno(final int fd, final MemorySegment buffer, final long count)
    {
        try
        {
            final long errnoAddress = (long)ERRNO_LOCATION.invokeExact();
            final long result = (long)WRITE_CRITICAL.invokeExact(fd, buffer, count);
            return result >= 0 ? result : -ALL_MEMORY.get(JAVA_INT, errnoAddress);
        }
        catch (final Throwable t)
        {
            throw rethrow("write", t);
        }
    }

    /**
     * {@code close(2)}.
     *
     * @param callState errno capture.
     * @param fd        file descriptor.
     * @return 0 or -1.
     */
    public static int close(final MemorySegment callState, final int fd)
    {
        try
        {
            return (int)CLOSE.invokeExact(callState, fd);
        }
        catch (final Throwable t)
        {
            throw rethrow("close", t);
        }
    }

    /**
     * {@code eventfd(2)}.
     *
     * @param callState    errno capture.
     * @param initialValue initial counter.
     * @param flags        {@code EFD_*}.
     * @return fd or -1.
     */
    public static int eventfd(final MemorySegment callState, final int initialValue, final int flags)
    {
        try
        {
            return (int)EVENTFD.invokeExact(callState, initialValue, flags);
        }
        catch (final Throwable t)
        {
            throw rethrow("eventfd", t);
        }
    }

    /**
     * {@code memfd_create(2)}.
     *
     * @param callState errno capture.
     * @param name      NUL-terminated name (shows in /proc/pid/fd as memfd:name).
     * @param flags     {@code MFD_*}.
     * @return fd or -1.
     */
    public static int memfdCreate(final MemorySegment callState, final MemorySegment name, final int flags)
    {
        try
        {
            return (int)MEMFD_CREATE.invokeExact(callState, name, flags);
        }
        catch (final Throwable t)
        {
            throw rethrow("memfd_create", t);
        }
    }

    /**
     * {@code ftruncate(2)}.
     *
     * @param callState   errno capture.
     * @param fd          file descriptor.
     * @param lengthBytes new size.
     * @return 0 or -1.
     */
    public static int ftruncate(final MemorySegment callState, final int fd, final long lengthBytes)
    {
        try
        {
            return (int)FTRUNCATE.invokeExact(callState, fd, lengthBytes);
        }
        catch (final Throwable t)
        {
            throw rethrow("ftruncate", t);
        }
    }

    /**
     * {@code lseek(2)}.
     *
     * @param callState   errno capture.
     * @param fd          file descriptor.
     * @param offsetBytes offset.
     * @param whence      {@code SEEK_*}.
     * @return new offset or -1.
     */
    public static long lseek(final MemorySegment callState, final int fd, final long offsetBytes, final int whence)
    {
        try
        {
            return (long)LSEEK.invokeExact(callState, fd, offsetBytes, whence);
        }
        catch (final Throwable t)
        {
            throw rethrow("lseek", t);
        }
    }

    /**
     * {@code mmap(2)}.
     *
     * @param callState   errno capture.
     * @param address     hint ({@link MemorySegment#NULL} for none).
     * @param lengthBytes length.
     * @param protection  {@code PROT_*}.
     * @param flags       {@code MAP_*}.
     * @param fd          file descriptor.
     * @param offsetBytes file offset (page aligned).
     * @return zero-length segment at the mapping's address; address -1 ({@code MAP_FAILED}) on error.
     */
    public static MemorySegment mmap(final MemorySegment callState, final MemorySegment address,
        final long lengthBytes, final int protection, final int flags, final int fd, final long offsetBytes)
    {
        try
        {
            return (MemorySegment)MMAP.invokeExact(callState, address, lengthBytes, protection, flags, fd,
                offsetBytes);
        }
        catch (final Throwable t)
        {
            throw rethrow("mmap", t);
        }
    }

    /**
     * {@code munmap(2)}.
     *
     * @param callState   errno capture.
     * @param address     mapping start.
     * @param lengthBytes mapping length.
     * @return 0 or -1.
     */
    public static int munmap(final MemorySegment callState, final MemorySegment address, final long lengthBytes)
    {
        try
        {
            return (int)MUNMAP.invokeExact(callState, address, lengthBytes);
        }
        catch (final Throwable t)
        {
            throw rethrow("munmap", t);
        }
    }

    /**
     * {@code poll(2)}.
     *
     * @param callState errno capture.
     * @param pollFds   array of {@code struct pollfd} ({@link #POLLFD_BYTES} each: int fd, short events, short
     *                  revents).
     * @param count     number of entries.
     * @param timeoutMs -1 to wait forever, 0 to return at once.
     * @return number of ready entries, 0 on timeout, -1 on error.
     */
    public static int poll(final MemorySegment callState, final MemorySegment pollFds, final long count,
        final int timeoutMs)
    {
        try
        {
            return (int)POLL.invokeExact(callState, pollFds, count, timeoutMs);
        }
        catch (final Throwable t)
        {
            throw rethrow("poll", t);
        }
    }

    /**
     * {@code ppoll(2)}: {@link #poll} with a nanosecond timeout (poll's millisecond timeout is far coarser than the
     * sidecore's park periods) and an optional signal mask.
     *
     * @param callState errno capture.
     * @param pollFds   array of {@code struct pollfd}, as for {@link #poll}.
     * @param count     number of entries.
     * @param timeout   {@code struct timespec} ({@link #TIMESPEC_BYTES}), or {@link MemorySegment#NULL} to wait
     *                  forever; glibc does not modify it.
     * @param sigmask   {@code sigset_t} to install during the wait, or {@link MemorySegment#NULL} to keep the mask.
     * @return number of ready entries, 0 on timeout, -1 on error (EINTR when a signal ended the wait).
     */
    public static int ppoll(final MemorySegment callState, final MemorySegment pollFds, final long count,
        final MemorySegment timeout, final MemorySegment sigmask)
    {
        try
        {
            return (int)PPOLL.invokeExact(callState, pollFds, count, timeout, sigmask);
        }
        catch (final Throwable t)
        {
            throw rethrow("ppoll", t);
        }
    }

    /**
     * {@code prctl(2)} with one integer argument, for options such as {@link #PR_SET_TIMERSLACK} that apply to the
     * calling thread.
     *
     * @param callState errno capture.
     * @param option    {@code PR_*}.
     * @param argument  the option's argument.
     * @return the option's result (0 for set options) or -1.
     */
    public static int prctl(final MemorySegment callState, final int option, final long argument)
    {
        try
        {
            return (int)PRCTL.invokeExact(callState, option, argument);
        }
        catch (final Throwable t)
        {
            throw rethrow("prctl", t);
        }
    }

    /**
     * {@code open(2)}.
     *
     * @param callState errno capture.
     * @param path      NUL-terminated path.
     * @param flags     {@code O_*}.
     * @param mode      permission bits when creating.
     * @return fd or -1.
     */
    public static int open(final MemorySegment callState, final MemorySegment path, final int flags, final int mode)
    {
        try
        {
            return (int)OPEN.invokeExact(callState, path, flags, mode);
        }
        catch (final Throwable t)
        {
            throw rethrow("open", t);
        }
    }

    /**
     * {@code fcntl(2)} with an int argument.
     *
     * @param callState errno capture.
     * @param fd        file descriptor.
     * @param command   {@code F_*}.
     * @param argument  argument.
     * @return result or -1.
     */
    public static int fcntl(final MemorySegment callState, final int fd, final int command, final int argument)
    {
        try
        {
            return (int)FCNTL.invokeExact(callState, fd, command, argument);
        }
        catch (final Throwable t)
        {
            throw rethrow("fcntl", t);
        }
    }

    /**
     * {@code fchmod(2)}.
     *
     * @param callState errno capture.
     * @param fd        file descriptor.
     * @param mode      permission bits.
     * @return 0 or -1.
     */
    public static int fchmod(final MemorySegment callState, final int fd, final int mode)
    {
        try
        {
            return (int)FCHMOD.invokeExact(callState, fd, mode);
        }
        catch (final Throwable t)
        {
            throw rethrow("fchmod", t);
        }
    }

    /**
     * {@code socket(2)}.
     *
     * @param callState errno capture.
     * @param domain    {@link #AF_UNIX} or {@link #AF_INET}.
     * @param type      e.g. {@link #SOCK_STREAM} | {@link #SOCK_CLOEXEC}.
     * @param protocol  0.
     * @return the descriptor, or -1.
     */
    public static int socket(final MemorySegment callState, final int domain, final int type, final int protocol)
    {
        try
        {
            return (int)SOCKET.invokeExact(callState, domain, type, protocol);
        }
        catch (final Throwable t)
        {
            throw rethrow("socket", t);
        }
    }

    /**
     * {@code bind(2)}.
     *
     * @param callState     errno capture.
     * @param fd            the socket.
     * @param address       a {@code struct sockaddr} (for {@link #AF_UNIX}: {@link #SOCKADDR_UN_BYTES} bytes).
     * @param addressLength its length.
     * @return 0 or -1.
     */
    public static int bind(final MemorySegment callState, final int fd, final MemorySegment address,
        final int addressLength)
    {
        try
        {
            return (int)BIND.invokeExact(callState, fd, address, addressLength);
        }
        catch (final Throwable t)
        {
            throw rethrow("bind", t);
        }
    }

    /**
     * {@code listen(2)}.
     *
     * @param callState errno capture.
     * @param fd        a bound socket.
     * @param backlog   pending connections at most.
     * @return 0 or -1.
     */
    public static int listen(final MemorySegment callState, final int fd, final int backlog)
    {
        try
        {
            return (int)LISTEN.invokeExact(callState, fd, backlog);
        }
        catch (final Throwable t)
        {
            throw rethrow("listen", t);
        }
    }

    /**
     * {@code ioctl(2)} with a pointer argument.
     *
     * @param callState errno capture.
     * @param fd        file descriptor.
     * @param request   request code.
     * @param argument  pointer argument.
     * @return result or -1.
     */
    public static int ioctl(final MemorySegment callState, final int fd, final long request,
        final MemorySegment argument)
    {
        try
        {
            return (int)IOCTL_PTR.invokeExact(callState, fd, request, argument);
        }
        catch (final Throwable t)
        {
            throw rethrow("ioctl", t);
        }
    }

    /**
     * {@code ioctl(2)} with a pointer argument, for a caller that needs only whether it failed. A call with errno
     * capture allocates the JDK's slice of the call state (40 bytes) unless the JIT compiled its caller with the
     * downcall inlined and escape analysis removed the slice; a periodic check (a TAP's carrier, ten times a second
     * on the sidecore) is never compiled that far, so it calls this one, which allocates nothing even interpreted.
     *
     * @param fd       file descriptor.
     * @param request  request code.
     * @param argument pointer argument.
     * @return result, or -1 on failure (its errno is not kept).
     */
    public static int ioctlWithoutErrno(final int fd, final long request, final MemorySegment argument)
    {
        try
        {
            return (int)IOCTL_PTR_WITHOUT_ERRNO.invokeExact(fd, request, argument);
        }
        catch (final Throwable t)
        {
            throw rethrow("ioctl", t);
        }
    }

    /**
     * {@code ioctl(2)} with an integer (unsigned long) argument, as {@code TUNSETOFFLOAD} and {@code TUNSETPERSIST}
     * take.
     *
     * @param callState errno capture.
     * @param fd        file descriptor.
     * @param request   request code.
     * @param argument  value argument.
     * @return result or -1.
     */
    public static int ioctl(final MemorySegment callState, final int fd, final long request, final long argument)
    {
        try
        {
            return (int)IOCTL_LONG.invokeExact(callState, fd, request, argument);
        }
        catch (final Throwable t)
        {
            throw rethrow("ioctl", t);
        }
    }

    /**
     * {@code syscall(2)} with two arguments (e.g. {@code pidfd_open}).
     *
     * @param callState errno capture.
     * @param number    syscall number.
     * @param argument0 first argument.
     * @param argument1 second argument.
     * @return result or -1.
     */
    public static long syscall(final MemorySegment callState, final long number, final long argument0,
        final long argument1)
    {
        try
        {
            return (long)SYSCALL2.invokeExact(callState, number, argument0, argument1);
        }
        catch (final Throwable t)
        {
            throw rethrow("syscall", t);
        }
    }

    /**
     * {@code syscall(2)} with three arguments (e.g. {@code pidfd_getfd}).
     *
     * @param callState errno capture.
     * @param number    syscall number.
     * @param argument0 first argument.
     * @param argument1 second argument.
     * @param argument2 third argument.
     * @return result or -1.
     */
    public static long syscall(final MemorySegment callState, final long number, final long argument0,
        final long argument1, final long argument2)
    {
        try
        {
            return (long)SYSCALL3.invokeExact(callState, number, argument0, argument1, argument2);
        }
        catch (final Throwable t)
        {
            throw rethrow("syscall", t);
        }
    }

    /**
     * {@code setns(2)}: moves the <em>calling thread</em> into a namespace.
     *
     * @param callState errno capture.
     * @param fd        namespace file descriptor (e.g. /run/netns/NAME).
     * @param type      {@link #CLONE_NEWNET} or 0.
     * @return 0 or -1.
     */
    public static int setns(final MemorySegment callState, final int fd, final int type)
    {
        try
        {
            return (int)SETNS.invokeExact(callState, fd, type);
        }
        catch (final Throwable t)
        {
            throw rethrow("setns", t);
        }
    }

    /**
     * {@code socketpair(2)}.
     *
     * @param callState errno capture.
     * @param domain    {@link #AF_UNIX} or {@link #AF_INET}.
     * @param type      e.g. {@link #SOCK_SEQPACKET} | {@link #SOCK_NONBLOCK}.
     * @param protocol  0.
     * @param fds       two ints receiving the descriptors.
     * @return 0 or -1.
     */
    public static int socketpair(final MemorySegment callState, final int domain, final int type, final int protocol,
        final MemorySegment fds)
    {
        try
        {
            return (int)SOCKETPAIR.invokeExact(callState, domain, type, protocol, fds);
        }
        catch (final Throwable t)
        {
            throw rethrow("socketpair", t);
        }
    }

    /**
     * {@code statx(2)}; with {@link #AT_EMPTY_PATH} and an empty path it describes {@code dirFd} itself, as
     * {@code fstat} does, into a {@code struct statx} whose layout is the same on every architecture.
     *
     * @param callState errno capture.
     * @param dirFd     descriptor to describe (with {@link #AT_EMPTY_PATH}).
     * @param path      NUL-terminated path, empty with {@link #AT_EMPTY_PATH}.
     * @param flags     {@code AT_*}.
     * @param mask      {@code STATX_*} fields wanted.
     * @param statx     {@link #STATX_BYTES} receiving the result.
     * @return 0 or -1.
     */
    public static int statx(final MemorySegment callState, final int dirFd, final MemorySegment path, final int flags,
        final int mask, final MemorySegment statx)
    {
        try
        {
            return (int)STATX.invokeExact(callState, dirFd, path, flags, mask, statx);
        }
        catch (final Throwable t)
        {
            throw rethrow("statx", t);
        }
    }

    /**
     * {@code fstatfs(2)}: what filesystem a descriptor's file lives on.
     *
     * @param callState errno capture.
     * @param fd        file descriptor.
     * @param statfs    {@link #STATFS_BYTES} receiving {@code struct statfs}.
     * @return 0 or -1.
     */
    public static int fstatfs(final MemorySegment callState, final int fd, final MemorySegment statfs)
    {
        try
        {
            return (int)FSTATFS.invokeExact(callState, fd, statfs);
        }
        catch (final Throwable t)
        {
            throw rethrow("fstatfs", t);
        }
    }

    /**
     * {@code getpagesize(2)}: the base page size, which {@code mmap} file offsets must be a multiple of.
     *
     * @return page size in bytes.
     */
    public static int getpagesize()
    {
        try
        {
            return (int)GETPAGESIZE.invokeExact();
        }
        catch (final Throwable t)
        {
            throw rethrow("getpagesize", t);
        }
    }

    /**
     * {@code invokeExact} declares Throwable; a downcall only throws unchecked ones (wrong arguments, a closed
     * segment's arena): pass those through unchanged and wrap anything else.
     */
    private static RuntimeException rethrow(final String function, final Throwable cause)
    {
        if (cause instanceof RuntimeException unchecked)
        {
            return unchecked;
        }
        if (cause instanceof Error error)
        {
            throw error;
        }
        return new IllegalStateException("native call " + function + " failed to dispatch", cause);
    }
}
