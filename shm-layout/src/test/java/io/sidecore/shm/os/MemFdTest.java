package io.sidecore.shm.os;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemFdTest
{
    private static final long SIZE = 2 * 4096;

    @Test
    void shouldShareBytesBetweenTwoMappingsWhenMappedTwice()
    {
        try (MemFd memFd = MemFd.create("sc-test", SIZE); Arena first = Arena.ofConfined();
            Arena second = Arena.ofConfined())
        {
            final MemorySegment a = memFd.map(first);
            final MemorySegment b = memFd.map(second);
            assertNotEquals(a.address(), b.address(), "two distinct mappings");

            a.set(JAVA_LONG, 4096 + 8, 0x1122_3344_5566_7788L);
            b.set(JAVA_LONG, 0, 42L);

            assertEquals(0x1122_3344_5566_7788L, b.get(JAVA_LONG, 4096 + 8));
            assertEquals(42L, a.get(JAVA_LONG, 0));
        }
    }

    @Test
    void shouldReportSizeWhenResized()
    {
        try (MemFd memFd = MemFd.create("sc-size", 4096))
        {
            assertEquals(4096, memFd.sizeBytes());

            memFd.resize(3 * 4096);

            assertEquals(3 * 4096, memFd.sizeBytes());
        }
    }

    @Test
    void shouldSeeSameBytesWhenReopenedThroughProcFd()
    {
        try (MemFd memFd = MemFd.create("sc-proc", SIZE); Arena arena = Arena.ofConfined())
        {
            final MemorySegment original = memFd.map(arena);
            original.set(JAVA_LONG, 16, 7L);
            try (MemFd reopened = MemFd.adopt(
                Fds.open("/proc/self/fd/" + memFd.fd(), LibC.O_RDWR | LibC.O_CLOEXEC), "reopened"))
            {
                final MemorySegment view = reopened.map(0, 4096, arena);

                assertEquals(7L, view.get(JAVA_LONG, 16));
                view.set(JAVA_LONG, 24, 9L);
                assertEquals(9L, original.get(JAVA_LONG, 24));
            }
        }
    }

    @Test
    void shouldUnmapWhenArenaClosed()
    {
        try (MemFd memFd = MemFd.create("sc-unmap", 4096))
        {
            final Arena arena = Arena.ofConfined();
            final MemorySegment mapping = memFd.map(arena);
            mapping.set(JAVA_LONG, 0, 1L);

            arena.close();

            assertThrows(IllegalStateException.class, () -> mapping.get(JAVA_LONG, 0));
        }
    }

    @Test
    void shouldThrowWithErrnoWhenMappingClosedDescriptor()
    {
        final MemFd memFd = MemFd.create("sc-closed", 4096);
        final int fd = memFd.fd();
        memFd.close();
        try (Arena arena = Arena.ofConfined())
        {
            final OsException ex = assertThrows(OsException.class,
                () -> Mmap.mapShared(fd, 0, 4096, true, arena));

            assertEquals(Errno.EBADF, ex.errno());
            assertTrue(ex.getMessage().startsWith("mmap(fd=" + fd + ", offset=0, length=4096, rw, MAP_SHARED) failed:" +
                " EBADF"), ex.getMessage());
        }
    }

    @Test
    void shouldNameFileAndReasonWhenOpenFails()
    {
        final OsException ex = assertThrows(OsException.class,
            () -> Fds.open("/nonexistent/sidecore-test", LibC.O_RDONLY));

        assertEquals(Errno.ENOENT, ex.errno());
        assertEquals("open(/nonexistent/sidecore-test) failed: ENOENT (No such file or directory)", ex.getMessage());
    }
}
