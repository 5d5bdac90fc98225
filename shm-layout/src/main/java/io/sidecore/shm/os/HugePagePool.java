package io.sidecore.shm.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's pool of reserved 2 MiB huge pages, which memory made with {@link MemFd#create(String, long, boolean)}
 * comes from: what {@code /proc/meminfo} says of it, and (as root) growing it through {@code vm.nr_hugepages}, which
 * the tests that need huge pages do and then undo. The pool is host-wide; nothing here is on a data path.
 */
public final class HugePagePool
{
    /** Where the kernel reports the pool ({@code HugePages_Total}, {@code HugePages_Free}). */
    public static final Path MEMINFO = Path.of("/proc/meminfo");
    /** The pool's size in pages, writable by root ({@code sysctl vm.nr_hugepages}). */
    public static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    /** Returned for a field the text does not have. */
    public static final long UNKNOWN = -1;

    private HugePagePool()
    {
    }

    /**
     * @return free huge pages now, or {@link #UNKNOWN} when the kernel reports no pool.
     * @throws IOException when /proc/meminfo cannot be read.
     */
    public static long freePages() throws IOException
    {
        return field(Files.readString(MEMINFO, StandardCharsets.US_ASCII), "HugePages_Free");
    }

    /**
     * @return the pool's size now, or {@link #UNKNOWN} when the kernel reports no pool.
     * @throws IOException when /proc/meminfo cannot be read.
     */
    public static long totalPages() throws IOException
    {
        return field(Files.readString(MEMINFO, StandardCharsets.US_ASCII), "HugePages_Total");
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
     * @return the pool's size before, to give back with {@link #resize}, or {@link #UNKNOWN} when enough were free
     *     and nothing changed.
     * @throws IOException when the pool cannot be grown (not root: the message says what to run instead) or the kernel
     *     finds too few pages (memory fragmented).
     */
    public static long reserveFree(final long pages) throws IOException
    {
        final long free = freePages();
        if (free >= pages)
        {
            return UNKNOWN;
        }
        final long before = totalPages();
        final long wanted = before + pages - Math.max(0, free);
        try
        {
            resize(wanted);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot reserve " + pages + " free 2 MiB huge page(s) by writing " + NR_HUGEPAGES +
                " (needs root; or reserve them first: sysctl vm.nr_hugepages=" + wanted + "): " + ex.getMessage(), ex);
        }
        final long freeAfter = freePages();
        if (freeAfter < pages)
        {
            resize(before);
            throw new IOException("the kernel found " + freeAfter + " free 2 MiB huge page(s) of " + pages +
                " asked for (vm.nr_hugepages=" + wanted + "): memory too fragmented or too small");
        }
        return before;
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
