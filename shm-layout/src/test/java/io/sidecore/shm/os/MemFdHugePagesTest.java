package io.sidecore.shm.os;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guest memory in 2 MiB huge pages ({@code memfd_create(MFD_HUGETLB)}), as a host tuned for VMs backs guest RAM. The
 * kernel's pool is host-wide: the test that needs a free page reserves one ({@code vm.nr_hugepages}, which needs
 * root, as the project's other OS tests do) and gives the pool back its old size afterwards.
 */
class MemFdHugePagesTest
{
    private static long poolBefore = HugePagePool.UNKNOWN;

    @AfterAll
    static void restorePool() throws IOException
    {
        if (HugePagePool.UNKNOWN != poolBefore)
        {
            HugePagePool.resize(poolBefore);
        }
    }

    @Test
    void shouldShareBytesThroughHugePagesOnHugetlbfs() throws IOException
    {
        poolBefore = keepFirst(poolBefore, HugePagePool.reserveFree(1));
        try (MemFd memFd = MemFd.createSealed("sc-huge", MemFd.HUGE_PAGE_BYTES, true);
            Arena first = Arena.ofConfined(); Arena second = Arena.ofConfined())
        {
            final MemorySegment a = memFd.map(first);
            final MemorySegment b = memFd.map(second);
            a.set(JAVA_LONG, MemFd.HUGE_PAGE_BYTES - 8, 0x0102_0304_0506_0708L);

            assertEquals(0x0102_0304_0506_0708L, b.get(JAVA_LONG, MemFd.HUGE_PAGE_BYTES - 8));
            assertTrue(memFd.isHugePages());
            assertEquals(LibC.HUGETLBFS_MAGIC, Fds.fstat(memFd.fd()).filesystemMagic(), "lives on hugetlbfs");
            assertTrue(smapsOfThisProcess().contains("KernelPageSize:     2048 kB"), "mapped in 2 MiB pages");
            assertEquals(MemFd.HUGE_PAGE_BYTES, memFd.sizeBytes());
            assertEquals(MemFd.GUEST_MEMORY_SEALS, memFd.seals());
        }
    }

    @Test
    void shouldSayHowToReserveHugePagesWhenThePoolIsTooSmall() throws IOException
    {
        final long free = HugePagePool.availablePages();
        assertNotEquals(HugePagePool.UNKNOWN, free, "this kernel reports no pool of 2 MiB huge pages");
        assertEquals(0, HugePagePool.overcommitPages(), "surplus huge pages would make a short pool long enough: " +
            "this test needs vm.nr_overcommit_hugepages=0");
        try (MemFd memFd = MemFd.create("sc-huge-short", (free + 1) * MemFd.HUGE_PAGE_BYTES, true);
            Arena arena = Arena.ofConfined())
        {
            final OsException ex = assertThrows(OsException.class, () -> memFd.map(arena));

            assertEquals(Errno.ENOMEM, ex.errno());
            assertTrue(ex.getMessage().contains("not enough free 2 MiB huge pages for " + (free + 1)),
                ex.getMessage());
            assertTrue(ex.getMessage().contains("sysctl vm.nr_hugepages"), ex.getMessage());
        }
    }

    @Test
    void shouldKeepThePagesReservedForTheFileAfterReservePagesUnmaps() throws IOException
    {
        poolBefore = keepFirst(poolBefore, HugePagePool.reserveFree(2));
        final long availableBefore = HugePagePool.availablePages();
        try (MemFd memFd = MemFd.create("sc-huge-reserved", 2 * MemFd.HUGE_PAGE_BYTES, true))
        {
            memFd.reservePages();

            assertEquals(availableBefore - 2, HugePagePool.availablePages(), "still reserved once unmapped");
        }
        assertEquals(availableBefore, HugePagePool.availablePages(), "given back with the file");
    }

    @Test
    void shouldRefuseHugePageMemoryThatIsNotWholePages()
    {
        final IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
            () -> MemFd.create("sc-huge-partial", MemFd.HUGE_PAGE_BYTES + 4096, true));
        final IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
            () -> MemFd.createSealed("sc-huge-empty", 0, true));

        assertTrue(partial.getMessage().contains("sizeBytes=" + (MemFd.HUGE_PAGE_BYTES + 4096)),
            partial.getMessage());
        assertTrue(empty.getMessage().contains("whole number"), empty.getMessage());
    }

    @Test
    void shouldReadThePoolFromMeminfoText()
    {
        final String meminfo = "MemFree:  100 kB\nHugePages_Total:     12\nHugePages_Free:       5\n" +
            "HugePages_Rsvd:        2\nHugepagesize:       2048 kB\n";

        assertEquals(12, HugePagePool.field(meminfo, "HugePages_Total"));
        assertEquals(HugePagePool.UNKNOWN, HugePagePool.field(meminfo, "HugePages_Surp"));
        assertEquals(HugePagePool.UNKNOWN, HugePagePool.field("HugePages_Free: many\n", "HugePages_Free"));
        assertEquals(3, HugePagePool.availablePages(meminfo), "reserved pages are not available");
        assertEquals(HugePagePool.UNKNOWN, HugePagePool.availablePages(meminfo.replace("2048 kB", "1048576 kB")),
            "a default pool of 1 GiB pages is not the 2 MiB one");
    }

    @Test
    void shouldMakeOrdinaryPagesWhenNotAskedForHugeOnes()
    {
        try (MemFd memFd = MemFd.create("sc-small", 4096, false))
        {
            assertFalse(memFd.isHugePages());
            assertEquals(LibC.TMPFS_MAGIC, Fds.fstat(memFd.fd()).filesystemMagic());
        }
    }

    private static String smapsOfThisProcess() throws IOException
    {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/smaps"));
    }

    /** The pool's size before the first test that grew it: the one to give back. */
    private static long keepFirst(final long kept, final long returned)
    {
        return HugePagePool.UNKNOWN != kept ? kept : returned;
    }
}
