package io.sidecore.bench.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel knows of one thread of another process (/proc): CPU time, time spent waiting on a run queue
 * (preempted or not yet scheduled), and involuntary context switches; the benchmark reads them for the sidecore
 * thread around each measured interval, so a long pass can be attributed to the thread having been off its core.
 *
 * @param cpuNs                  CPU time, ns ({@code schedstat} field 1).
 * @param runQueueWaitNs         time runnable but waiting for a CPU, ns ({@code schedstat} field 2).
 * @param involuntarySwitches    {@code nonvoluntary_ctxt_switches} of {@code status}.
 */
record ThreadStats(long cpuNs, long runQueueWaitNs, long involuntarySwitches)
{
    /** Returned when the thread's files cannot be read. */
    static final ThreadStats UNKNOWN = new ThreadStats(-1, -1, -1);

    /**
     * @param pid process.
     * @param tid thread.
     * @return its statistics now, or {@link #UNKNOWN}.
     */
    static ThreadStats read(final long pid, final long tid)
    {
        if (tid < 0)
        {
            return UNKNOWN;
        }
        final Path task = Path.of("/proc", Long.toString(pid), "task", Long.toString(tid));
        try
        {
            final String[] schedstat = Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII)
                .trim().split("\\s+");
            long involuntary = -1;
            for (final String line : Files.readAllLines(task.resolve("status"), StandardCharsets.US_ASCII))
            {
                if (line.startsWith("nonvoluntary_ctxt_switches:"))
                {
                    involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return new ThreadStats(Long.parseLong(schedstat[0]), Long.parseLong(schedstat[1]), involuntary);
        }
        catch (final IOException | RuntimeException ex)
        {
            return UNKNOWN;
        }
    }

    /**
     * @param pid  process.
     * @param name thread name as the kernel has it ({@code comm}).
     * @return its thread id, or -1.
     */
    static long findThread(final long pid, final String name)
    {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                if (name.equals(Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII).trim()))
                {
                    return Long.parseLong(task.getFileName().toString());
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
        return -1;
    }

    /**
     * @param earlier an earlier reading.
     * @return the differences; {@link #UNKNOWN} when either is unknown.
     */
    ThreadStats minus(final ThreadStats earlier)
    {
        if (cpuNs < 0 || earlier.cpuNs < 0)
        {
            return UNKNOWN;
        }
        return new ThreadStats(cpuNs - earlier.cpuNs, runQueueWaitNs - earlier.runQueueWaitNs,
            involuntarySwitches - earlier.involuntarySwitches);
    }
}
