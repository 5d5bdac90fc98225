package io.sidecore.launcher.vfiouser;

import java.util.function.LongSupplier;

/**
 * A bound on how many lines one connection writes to the log about messages it refused: a client that sends
 * nothing but malformed messages must not flood the daemon's log (the journal) or spend the socket thread on
 * logging. At most {@link #LINES_PER_WINDOW} lines per {@link #WINDOW_NS}; the lines held back are counted, and the
 * first line let through after them says how many there were. Connection thread only.
 */
final class LogRateLimit
{
    /** Lines let through per window. */
    static final int LINES_PER_WINDOW = 10;
    /** The window. */
    static final long WINDOW_NS = 10_000_000_000L;

    private final LongSupplier nanoClock;
    private long windowStartNs;
    private int linesInWindow;
    private long heldBack;
    private long heldBackTotal;
    private boolean started;

    /**
     * @param nanoClock monotonic time in ns ({@code System::nanoTime}; a test's own clock).
     */
    LogRateLimit(final LongSupplier nanoClock)
    {
        this.nanoClock = nanoClock;
    }

    /**
     * Ask to log one line.
     *
     * @return -1 when the line must be held back (it is counted); otherwise the number of lines held back since the
     *         last line let through (0 when none), which the caller mentions in its line.
     */
    long acquire()
    {
        final long nowNs = nanoClock.getAsLong();
        if (!started || nowNs - windowStartNs >= WINDOW_NS)
        {
            started = true;
            windowStartNs = nowNs;
            linesInWindow = 0;
        }
        if (linesInWindow >= LINES_PER_WINDOW)
        {
            heldBack++;
            heldBackTotal++;
            return -1;
        }
        linesInWindow++;
        final long skipped = heldBack;
        heldBack = 0;
        return skipped;
    }

    /**
     * @return lines held back since creation.
     */
    long heldBackTotal()
    {
        return heldBackTotal;
    }
}
