package io.sidecore.shm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A Linux eventfd: a 64-bit counter the kernel keeps, which a write adds to and a read takes (and zeroes, or
 * decrements by one in semaphore mode). sidecore posts interrupts by signalling the eventfd the VMM registered as
 * KVM irqfd, and a CSB guest's kick wakes a parked sidecore through one.
 * <p>
 * {@link #signal()}, {@link #drain()}, {@link #await(int)} and {@link #awaitNs(long)} allocate nothing: the 8-byte
 * value buffer, the {@code pollfd}, the {@code timespec} and the errno capture are preallocated per instance, and a
 * signal or drain that succeeds makes its call without errno capture (the JDK allocates a slice of the capture per
 * call until C2's escape analysis removes it, which on a loaded machine may never happen); only a failed one is
 * repeated with errno captured. An instance is used by one thread at a time (the agent that owns it); other
 * processes reach the same counter through their own descriptor, and other threads of this process through
 * {@link #signalDescriptor(int)}. After {@link #close()} the buffers are freed and any further call throws
 * {@link IllegalStateException}.
 */
public final class EventFd implements AutoCloseable
{
    /** Reads return 1 and decrement, instead of returning and zeroing the counter. */
    public static final int EFD_SEMAPHORE = 1;
    /** Close on exec. */
    public static final int EFD_CLOEXEC = LibC.O_CLOEXEC;
    /** Non-blocking reads and writes. */
    public static final int EFD_NONBLOCK = LibC.O_NONBLOCK;

    /**
     * Per-thread scratch of {@link #signalDescriptor}: errno capture and the constant 1, allocated at a thread's
     * first signal and freed with the thread.
     */
    private static final ThreadLocal<MemorySegment[]> SIGNAL_SCRATCH = ThreadLocal.withInitial(() ->
    {
        final Arena arena = Arena.ofAuto();
        final MemorySegment one = arena.allocate(JAVA_LONG);
        one.set(JAVA_LONG, 0, 1L);
        return new MemorySegment[]{LibC.allocateCallState(arena), one};
    });

    private final int fd;
    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment value;
    private final MemorySegment pollFd;
    private final MemorySegment timespec;
    private boolean closed;

    private EventFd(final int fd)
    {
        this.fd = fd;
        this.arena = Arena.ofShared();
        this.callState = LibC.allocateCallState(arena);
        this.value = arena.allocate(JAVA_LONG);
        this.pollFd = arena.allocate(LibC.POLLFD_BYTES, 8);
        this.timespec = arena.allocate(LibC.TIMESPEC_BYTES, 8);
    }

    /**
     * Create an eventfd with counter 0.
     *
     * @param flags {@link #EFD_NONBLOCK}, {@link #EFD_CLOEXEC}, {@link #EFD_SEMAPHORE}.
     * @return the eventfd.
     * @throws OsException when the kernel refuses (e.g. EMFILE).
     */
    public static EventFd create(final int flags)
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment state = LibC.allocateCallState(scratch);
            final int fd = LibC.eventfd(state, 0, flags);
            if (fd < 0)
            {
                throw new OsException("eventfd(0, flags=0x" + Integer.toHexString(flags) + ")", LibC.errno(state));
            }
            return new EventFd(fd);
        }
    }

    /**
     * Wrap an eventfd descriptor received from elsewhere (the VMM's irqfd, {@link Fds#takeFromProcess}); the
     * instance owns it from now on and closes it.
     *
     * @param fd descriptor of an eventfd.
     * @return the wrapper.
     */
    public static EventFd adopt(final int fd)
    {
        if (fd < 0)
        {
            throw new IllegalArgumentException("bad descriptor: " + fd);
        }
        return new EventFd(fd);
    }

    /**
     * @return the descriptor (for registration with KVM or poll).
     */
    public int fd()
    {
        return fd;
    }

    /**
     * Add one to the counter, waking any reader.
     *
     * @return true when added; false when a non-blocking eventfd's counter is at its maximum (EAGAIN).
     * @throws OsException on any other failure (EBADF after close).
     */
    public boolean signal()
    {
        return signal(1L);
    }

    /**
     * Add {@code increment} to the counter.
     *
     * @param increment 1 .. 0xFFFFFFFFFFFFFFFE.
     * @return true when added; false on EAGAIN (non-blocking, counter would overflow).
     * @throws OsException on any other failure.
     */
    public boolean signal(final long increment)
    {
        value.set(JAVA_LONG, 0, increment);
        // The call without errno allocates nothing; only a failed one (EAGAIN, EINTR, an error), which wrote nothing,
        // is repeated with errno captured to tell which.
        if (8 == LibC.writeWithoutErrno(fd, value, 8))
        {
            return true;
        }
        while (true)
        {
            final long written = LibC.write(callState, fd, value, 8);
            if (written == 8)
            {
                return true;
            }
            final int errno = LibC.errno(callState);
            if (errno == Errno.EAGAIN)
            {
                return false;
            }
            if (errno != Errno.EINTR)
            {
                throw new OsException("write(eventfd=" + fd + ")", errno);
            }
        }
    }

    /**
     * Take the counter: the sum of signals since the last drain (1 in semaphore mode).
     *
     * @return the value taken; 0 when nothing was signalled and the eventfd is non-blocking (a blocking eventfd
     * waits for a signal instead).
     * @throws OsException on failure.
     */
    public long drain()
    {
        // As in signal: a failed read took nothing (EAGAIN: nothing signalled), so repeating it to learn errno is safe.
        if (8 == LibC.readWithoutErrno(fd, value, 8))
        {
            return value.get(JAVA_LONG, 0);
        }
        while (true)
        {
            final long read = LibC.read(callState, fd, value, 8);
            if (read == 8)
            {
                return value.get(JAVA_LONG, 0);
            }
            final int errno = LibC.errno(callState);
            if (errno == Errno.EAGAIN)
            {
                return 0;
            }
            if (errno != Errno.EINTR)
            {
                throw new OsException("read(eventfd=" + fd + ")", errno);
            }
        }
    }

    /**
     * Wait until the counter is non-zero, without taking it.
     *
     * @param timeoutMs bound on the wait; 0 tests and returns; -1 waits forever.
     * @return true when signalled, false on timeout.
     */
    public boolean await(final int timeoutMs)
    {
        return Fds.pollReadable(callState, pollFd, fd, timeoutMs);
    }

    /**
     * Wait until the counter is non-zero, without taking it, for at most {@code timeoutNs} ({@code ppoll(2)}: a
     * nanosecond timeout, where {@link #await(int)} rounds to milliseconds). A signal delivered to the thread may end
     * the wait early, reported as a timeout.
     *
     * @param timeoutNs bound on the wait, at least 0 (0 tests and returns).
     * @return true when signalled, false on timeout.
     */
    public boolean awaitNs(final long timeoutNs)
    {
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, LibC.POLLIN);
        return Fds.ppollReadable(callState, pollFd, 1, timespec, timeoutNs) > 0 &&
            (pollFd.get(JAVA_SHORT, 6) & LibC.POLLIN) != 0;
    }

    /**
     * Add one to the counter of the eventfd {@code fd}, from any thread: the per-thread scratch makes concurrent
     * signallers safe and, after a thread's first call, allocation-free.
     *
     * @param fd an open eventfd.
     * @return true when added; false on EAGAIN (non-blocking, counter at its maximum).
     * @throws OsException on any other failure.
     */
    public static boolean signalDescriptor(final int fd)
    {
        final MemorySegment[] scratch = SIGNAL_SCRATCH.get();
        final MemorySegment state = scratch[0];
        while (true)
        {
            final long written = LibC.write(state, fd, scratch[1], 8);
            if (written == 8)
            {
                return true;
            }
            final int errno = LibC.errno(state);
            if (errno == Errno.EAGAIN)
            {
                return false;
            }
            if (errno != Errno.EINTR)
            {
                throw new OsException("write(eventfd=" + fd + ")", errno);
            }
        }
    }

    /**
     * Close the descriptor and free the buffers. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            Fds.closeWithArena(callState, fd, arena, "eventfd=" + fd);
        }
    }

    /**
     * @return true after {@link #close()}.
     */
    public boolean isClosed()
    {
        return closed;
    }
}
