package io.sidecore.shm.os;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The data path's reads and writes of a non-blocking descriptor (a TAP device's) allocate nothing from their first
 * calls on, before any optimising compilation: a call with errno capture allocates a slice of its capture segment
 * each time until C2's escape analysis removes it, which on a loaded machine took longer than the bench's warm-up
 * and all three intervals (one 40-byte segment per TAP frame read or written).
 */
class DataPathIoAllocationTest
{
    private static final int WARM_UP_ROUNDS = 300;
    // Few enough calls in all that none of them reaches C2's thresholds (5000 invocations of a method).
    private static final int ROUNDS_PER_WINDOW = 300;
    private static final int WINDOWS = 5;

    @Test
    void shouldReadWriteAndFailWithEagainWithoutAllocatingBeforeTheJitCompilesTheCalls()
    {
        try (Arena arena = Arena.ofConfined();
            EventFd eventFd = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))
        {
            final MemorySegment buffer = arena.allocate(Long.BYTES);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            long outcomes = rounds(eventFd.fd(), buffer, WARM_UP_ROUNDS);
            final long[] allocatedPerWindow = new long[WINDOWS];
            int window = 0;
            long allocated = -1;
            while (0 != allocated && window < WINDOWS)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                outcomes += rounds(eventFd.fd(), buffer, ROUNDS_PER_WINDOW);
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
                allocatedPerWindow[window++] = allocated;
            }

            assertEquals(0, allocated, "bytes allocated per window of " + ROUNDS_PER_WINDOW + " rounds of write, " +
                "read, read (EAGAIN) on a non-blocking eventfd: " + Arrays.toString(allocatedPerWindow) + " (a " +
                "one-off of the JVM's is tolerated; an allocation per call is not)");
            assertEquals((long)(WARM_UP_ROUNDS + window * ROUNDS_PER_WINDOW) * (8 + 8 - Errno.EAGAIN), outcomes,
                "each round wrote 8 bytes, read 8 bytes, then found nothing (-EAGAIN)");
        }
    }

    private static long rounds(final int fd, final MemorySegment buffer, final int count)
    {
        long outcomes = 0;
        for (int i = 0; i < count; i++)
        {
            buffer.set(ValueLayout.JAVA_LONG, 0, 1);
            outcomes += LibC.writeOrMinusErrno(fd, buffer, Long.BYTES);
            outcomes += LibC.readOrMinusErrno(fd, buffer, Long.BYTES);
            outcomes += LibC.readOrMinusErrno(fd, buffer, Long.BYTES);
        }
        return outcomes;
    }
}
