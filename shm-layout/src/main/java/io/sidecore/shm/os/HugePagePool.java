package io.sidecore.shm.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's pool of reserved 2 MiB huge pages, which memory made with {@link MemFd#create(String, long, boolean)}
 * comes from: what {@code /proc/meminfo} says of it (the benchmark's check before a {@code --huge-pages} run), and, as
 * root, growing it through {@code vm.nr_hugepages}: support for the tests of two modules that need huge pages and
 * give the pool back afterwards, kept here because both depend on this module. The pool is host-wide; nothing here
 * is on a data path.
 */
public final class HugePagePool
{
    /** Where the kernel reports the pool ({@code HugePages_Total}, {@code HugePages_Free}). */
    public static final Path MEMINFO = Path.of("/proc/meminfo");
    /** The pool's size in pages, writable by root ({@code sysctl vm.nr_hugepages}). */
    public static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    /** Surplus pages the kernel may add beyond the pool ({@code sysctl vm.nr_overcommit_hugepages}). */
    public static final Path NR_OVERCOMMIT_HUGEPAGES = Path.of("/proc/sys/vm/nr_overcommit_hugepages");
    /** Returned for a field the text does not have. */
    public static final long UNKNOWN = -1;

    /** {@code Hugepagesize} of a kernel whose default huge page is the 2 MiB one that memfds here ask for. */
    public static final long PAGE_KILOBYTES = 2048;

    private HugePagePool()
    {
    }

    /**
     * @return huge pages a new mapping can still reserve now, or {@link #UNKNOWN} (see
     *     {@link #availablePages(String)}).
     * @throws IOException when /proc/meminfo cannot be read.
     */
    public static long availablePages() throws IOException
    {
        return availablePages(Files.readString(MEMINFO, StandardCharsets.US_ASCII));
    }

    /**
     * Pages a new mapping can reserve: {@code HugePages_Free} counts pages other mappings have reserved but not yet
     * touched ({@code HugePages_Rsvd}), which are not available.
     *
     * @param meminfo text in the form of /proc/meminfo.
     * @return {@code HugePages_Free - HugePages_Rsvd}, or {@link #UNKNOWN} when the kernel reports no pool or its
     *     default huge page is not 2 MiB (then these fields describe another pool than the memfds' one).
     */
    public static long availablePages(final String meminfo)
    {
        final long free = field(meminfo, "HugePages_Free");
        final long reserved = field(meminfo, "HugePages_Rsvd");
        if (UNKNOWN == free || UNKNOWN == reserved || PAGE_KILOBYTES != field(meminfo, "Hugepagesize"))
        {
            return UNKNOWN;
        }
        return Math.max(0, free - reserved);
    }

    /**
     * @return the pool's size as last set ({@code vm.nr_hugepages}; surplus pages not included).
     * @throws IOException when it cannot be read.
     */
    public static long poolPages() throws IOException
    {
        return readCount(NR_HUGEPAGES);
    }

    /**
     * @param meminfo text in the form of /proc/meminfo.
     * @param name    a field, e.g. {@code HugePages_Free}.
     * @return its first number, or {@link #UNKNOWN} when the text has no such field or it is not a number.
     */
    public static long field(final String meminfo, final String name)
    {
        for (final String line : meminfo.split("\n"))
        {
            if (line.startsWith(name + ":"))
            {
                final String value = line.substring(name.length() + 1).trim().split("\\s+")[0];
                try
                {
                    return Long.parseLong(value);
                }
                catch (final NumberFormatException ex)
                {
                    return UNKNOWN;
                }
            }
        }
        return UNKNOWN;
    }

    /**
     * Grow the pool so that at least {@code pages} are free; as root only.
     *
     * @param pages free pages wanted.
     * @return the pool's size before ({@code vm.nr_hugepages}), to give back with {@link #resize}, or {@link #UNKNOWN}
     *     when enough were free and nothing changed.
     * @throws IOException when the kernel has no 2 MiB pool, the pool cannot be grown (not root: the message says what
     *     to run instead) or the kernel finds too few pages (memory fragmented).
     */
    public static long reserveFree(final long pages) throws IOException
    {
        final long available = availablePages();
        if (UNKNOWN == available)
        {
            throw new IOException("this kernel reports no pool of 2 MiB huge pages (HugePages_Free, HugePages_Rsvd " +
                "and Hugepagesize: 2048 kB in " + MEMINFO + ")");
        }
        if (available >= pages)
        {
            return UNKNOWN;
        }
        final long before = poolPages();
        final long wanted = before + pages - available;
        try
        {
            resize(wanted);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot reserve " + pages + " free 2 MiB huge page(s) by writing " + NR_HUGEPAGES +
                " (needs root; or reserve them first: sysctl vm.nr_hugepages=" + wanted + "): " + ex.getMessage(), ex);
        }
        final long availableAfter = availablePages();
        if (availableAfter < pages)
        {
            resize(before);
            throw new IOException("the kernel found " + availableAfter + " free 2 MiB huge page(s) of " + pages +
                " asked for (vm.nr_hugepages=" + wanted + "): memory too fragmented or too small");
        }
        return before;
    }

    /**
     * @return surplus pages the kernel may add beyond the pool when it runs short ({@code vm.nr_overcommit_hugepages});
     *     with any, a pool that looks short is not.
     * @throws IOException when it cannot be read.
     */
    public static long overcommitPages() throws IOException
    {
        return readCount(NR_OVERCOMMIT_HUGEPAGES);
    }

    private static long readCount(final Path sysctl) throws IOException
    {
        return Long.parseLong(Files.readString(sysctl, StandardCharsets.US_ASCII).trim());
    }

    /**
     * Set the pool's size (root).
     *
     * @param poolPages pages.
     * @throws IOException when the kernel refuses.
     */
    public static void resize(final long poolPages) throws IOException
    {
        Files.writeString(NR_HUGEPAGES, Long.toString(poolPages), StandardCharsets.US_ASCII);
    }
}
