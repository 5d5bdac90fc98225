package io.sidecore.shm.os;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;

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
    private static final int MEASURED_ROUNDS = 2_000;

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
            final long before = threads.getCurrentThreadAllocatedBytes();
            outcomes += rounds(eventFd.fd(), buffer, MEASURED_ROUNDS);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertEquals(0, allocated, "bytes allocated by " + MEASURED_ROUNDS + " rounds of write, read, read " +
                "(EAGAIN) on a non-blocking eventfd");
            assertEquals((long)(WARM_UP_ROUNDS + MEASURED_ROUNDS) * (8 + 8 - Errno.EAGAIN), outcomes,
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
