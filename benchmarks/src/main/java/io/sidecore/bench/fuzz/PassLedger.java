package io.sidecore.bench.fuzz;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which sidecore's duty cycle the isolation rig's sidecore thread is running, and for how long each has run so far,
 * so the guest thread can say what a trapped access waited behind: time inside sidecore 0's passes, inside sidecore
 * 1's, or neither (the thread between passes, or descheduled). Written by the one thread that runs the passes,
 * read by any: a sequence lock (odd while a change is under way) over volatile fields, so a reader gets a
 * consistent total without stopping the writer. Nothing is allocated.
 */
final class PassLedger
{
    static final int NONE = -1;

    private final AtomicLongArray inPassNs;
    private volatile long sequence;
    private volatile int current = NONE;
    private volatile long currentStartNs;

    /**
     * @param sidecores how many sidecores the rig's thread runs.
     */
    PassLedger(final int sidecores)
    {
        inPassNs = new AtomicLongArray(sidecores);
    }

    /**
     * @return how many sidecores this ledger follows.
     */
    int sidecores()
    {
        return inPassNs.length();
    }

    /**
     * The writer starts a sidecore's duty cycle.
     *
     * @param sidecore its index.
     * @param nowNs    {@code System.nanoTime()} at its start.
     */
    void begin(final int sidecore, final long nowNs)
    {
        sequence++;
        current = sidecore;
        currentStartNs = nowNs;
        sequence++;
    }

    /**
     * The writer ends the duty cycle it began.
     *
     * @param nowNs {@code System.nanoTime()} at its end.
     */
    void end(final long nowNs)
    {
        final int sidecore = current;
        sequence++;
        inPassNs.set(sidecore, inPassNs.get(sidecore) + (nowNs - currentStartNs));
        current = NONE;
        sequence++;
    }

    /**
     * Any thread.
     *
     * @param sidecore a sidecore's index.
     * @param nowNs    {@code System.nanoTime()} of the reader, now.
     * @return time the writer has spent in that sidecore's duty cycles up to {@code nowNs}, the one running included.
     */
    long inPassNs(final int sidecore, final long nowNs)
    {
        while (true)
        {
            final long before = sequence;
            final long totalNs = inPassNs.get(sidecore);
            final boolean running = current == sidecore;
            final long startNs = currentStartNs;
            if (0 == (before & 1) && before == sequence)
            {
                return running ? totalNs + Math.max(0, nowNs - startNs) : totalNs;
            }
            Thread.onSpinWait();
        }
    }
}
