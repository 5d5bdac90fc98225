package io.sidecore.tools.stat;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.LongPredicate;

/**
 * One run of {@code sidecore stat}: open the counters file, then print one snapshot, or in watch mode one every
 * interval with rates, until the count is reached or the thread is interrupted.
 * <p>
 * In watch mode a daemon restart is followed: when the path is removed or replaced the old mapping is dropped and
 * the new file opened once it is ready (a line on stderr says so; rates restart). The first open must succeed.
 * <p>
 * Exit code: {@link #EXIT_OK}, or {@link #EXIT_NOT_RUNNING} when the file cannot be read or, at the last snapshot,
 * its heartbeat is stale.
 */
final class StatSession
{
    /** The counters file was read and the daemon's heartbeat is fresh. */
    static final int EXIT_OK = 0;
    /** The counters file is missing, not ready or invalid, or the daemon is not running (stale heartbeat). */
    static final int EXIT_NOT_RUNNING = 1;
    /** Prefix of every line on stderr. */
    static final String ERROR_PREFIX = "sidecore stat: ";

    private final Path path;
    private final boolean watch;
    private final long intervalMs;
    private final long count;
    private final CounterSelection selection;
    private final boolean includeErrors;
    private final SnapshotRenderer renderer;
    private final EpochClock epochClock;
    private final NanoClock nanoClock;
    private final Sleeper sleeper;
    private final LongPredicate processAlive;
    private final PrintWriter out;
    private final PrintWriter err;

    /**
     * @param path          counters file.
     * @param watch         repeat every {@code intervalMs}.
     * @param intervalMs    watch interval, ms.
     * @param count         snapshots in watch mode, 0 for no limit.
     * @param selection     counters to show.
     * @param includeErrors show the error log.
     * @param renderer      output format.
     * @param epochClock    wall clock, for the heartbeat age.
     * @param nanoClock     monotonic clock, for rates.
     * @param sleeper       waits between snapshots.
     * @param processAlive  whether a pid is alive.
     * @param out           snapshots.
     * @param err           error lines.
     */
    StatSession(
        final Path path,
        final boolean watch,
        final long intervalMs,
        final long count,
        final CounterSelection selection,
        final boolean includeErrors,
        final SnapshotRenderer renderer,
        final EpochClock epochClock,
        final NanoClock nanoClock,
        final Sleeper sleeper,
        final LongPredicate processAlive,
        final PrintWriter out,
        final PrintWriter err)
    {
        this.path = path;
        this.watch = watch;
        this.intervalMs = intervalMs;
        this.count = count;
        this.selection = selection;
        this.includeErrors = includeErrors;
        this.renderer = renderer;
        this.epochClock = epochClock;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.processAlive = processAlive;
        this.out = out;
        this.err = err;
    }

    /**
     * @return the exit code.
     */
    int run()
    {
        CountersFileReader reader;
        try
        {
            reader = CountersFileReader.open(path);
        }
        catch (final StatException ex)
        {
            error(ex.getMessage());
            return EXIT_NOT_RUNNING;
        }

        try
        {
            final long snapshots = watch ? count : 1;
            Snapshot previous = null;
            int exitCode = EXIT_OK;
            for (long i = 0; 0 == snapshots || i < snapshots; i++)
            {
                if (i > 0)
                {
                    try
                    {
                        sleeper.sleepMs(intervalMs);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        break;
                    }

                    if (null == reader || reader.isReplaced())
                    {
                        if (null != reader)
                        {
                            reader.close();
                            reader = null;
                            error("counters file removed or replaced (sidecore restarted?): " + path);
                        }
                        previous = null;
                        try
                        {
                            reader = CountersFileReader.open(path);
                        }
                        catch (final StatException ex)
                        {
                            error(ex.getMessage() + "; retrying in " + intervalMs + " ms");
                            exitCode = EXIT_NOT_RUNNING;
                            continue;
                        }
                    }
                }

                final Snapshot snapshot = Snapshot.capture(
                    reader, selection, includeErrors, processAlive.test(reader.pid()), epochClock, nanoClock);
                renderer.render(snapshot, Rates.between(previous, snapshot), out);
                out.flush();
                exitCode = snapshot.isStale() ? EXIT_NOT_RUNNING : EXIT_OK;
                previous = snapshot;
            }
            return exitCode;
        }
        finally
        {
            if (null != reader)
            {
                reader.close();
            }
        }
    }

    private void error(final String message)
    {
        err.println(ERROR_PREFIX + message);
        err.flush();
    }
}
