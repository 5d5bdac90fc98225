package io.sidecore.shm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

/**
 * Run in a JVM of its own by {@link DataPathCallLinkingTest}: prints the bytes a fresh thread allocates in the first
 * {@link LibC#readOrMinusErrno} and {@link LibC#writeOrMinusErrno} calls of the JVM's life, with or without
 * {@link LibC#linkDataPathCalls} made first on another thread (argument {@code link} or {@code none}).
 */
public final class FirstDataPathCallProbe
{
    private FirstDataPathCallProbe()
    {
    }

    /**
     * @param args {@code link} or {@code none}.
     * @throws InterruptedException never in practice.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.getCurrentThreadAllocatedBytes();
        // LibC's own class initialisation (every handle bound) is not what is measured: done here first.
        LibC.getpagesize();
        if ("link".equals(args[0]))
        {
            LibC.linkDataPathCalls();
        }
        final long[] allocated = new long[1];
        final Thread sidecore = new Thread(() ->
        {
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment buffer = arena.allocate(Long.BYTES);
                threads.getCurrentThreadAllocatedBytes();
                final long before = threads.getCurrentThreadAllocatedBytes();
                LibC.readOrMinusErrno(-1, buffer, Long.BYTES);
                LibC.writeOrMinusErrno(-1, buffer, Long.BYTES);
                allocated[0] = threads.getCurrentThreadAllocatedBytes() - before;
            }
        });
        sidecore.start();
        sidecore.join();
        System.out.println("allocated=" + allocated[0]);
    }
}
