package io.sidecore.bench.system;

import net.openhft.affinity.Affinity;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How long one cache line takes to move from one core to another: two threads, pinned to the sidecore's core and to
 * a guest core, hand a counter back and forth in one line, each waiting for the other's store before it stores.
 * A round trip is two hand-offs, so one hand-off is half a round trip: a read miss on a line the other core holds
 * modified, then taking it over for the store. The fastest of many batches is kept (a lower bound: a batch in which
 * either thread lost its core must not count).
 * <p>
 * Why the benchmark needs it: a guest writes its descriptors, buffers and doorbells on its own core, and the
 * sidecore reads them, writes the status back and fills the receiver's buffers on another, so every frame moves
 * several lines between the two cores (about three per 64-byte guest-to-guest frame sent in batches of 32:
 * descriptor and status lines, the TX and RX buffer lines, the doorbell lines). This figure, set against
 * {@code ns_per_frame}, says how many such transfers a frame costs when they are not overlapped, and how far a
 * throughput target is from what this machine's cores can exchange at all.
 */
final class LineTransferMeter
{
    /** Round trips in one timed batch. */
    static final int ROUND_TRIPS_PER_BATCH = 2_000;
    /** Timed batches; the fastest counts. */
    static final int BATCHES = 50;
    /** Time spent in untimed round trips first, so both loops run compiled. */
    static final long WARM_UP_NS = 200_000_000L;
    /** How long the caller waits for the two threads. */
    static final long DEADLINE_MS = 30_000L;
    /** Longs between the array's header and the counter, and after it: the line (and its pair) holds nothing else. */
    private static final int PAD_LONGS = 16;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** The initiator's last store: the peer returns when it reads it. */
    private static final long STOP = -1L;

    private LineTransferMeter()
    {
    }

    /**
     * Measure the transfer between two cores.
     *
     * @param cpu     the first thread's core (the sidecore's).
     * @param peerCpu the second thread's core (a guest core); must differ from {@code cpu}.
     * @return the fastest batch's time per transfer (half a round trip), in nanoseconds.
     * @throws InterruptedException     when interrupted (both threads are stopped first).
     * @throws IllegalArgumentException when the two cores are the same or negative.
     * @throws IllegalStateException    when a thread cannot be pinned, or the two did not finish in time.
     */
    static double oneWayNs(final int cpu, final int peerCpu) throws InterruptedException
    {
        if (cpu < 0 || peerCpu < 0 || cpu == peerCpu)
        {
            throw new IllegalArgumentException("a line transfer needs two different cores, not " + cpu + " and " +
                peerCpu);
        }
        final long[] line = new long[2 * PAD_LONGS + 1];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean ended = new AtomicBoolean();
        final long[] answered = {0};
        final Thread peer = new Thread(
            () -> runPinned(peerCpu, failure, ended, () -> answered[0] = answer(line, ended)), "line-transfer-peer");
        final long[] timed = {0, 0};
        final Thread initiator = new Thread(
            () -> runPinned(cpu, failure, ended, () -> ask(line, ended, timed)), "line-transfer");
        peer.setDaemon(true);
        initiator.setDaemon(true);
        final long deadlineMs = System.currentTimeMillis() + DEADLINE_MS;
        try
        {
            peer.start();
            initiator.start();
            initiator.join(DEADLINE_MS);
            if (initiator.isAlive())
            {
                ended.set(true);
            }
            peer.join(Math.max(1, deadlineMs - System.currentTimeMillis()));
        }
        finally
        {
            // Whatever happened (a deadline passed, an interrupt), neither thread spins on after this call.
            ended.set(true);
        }
        if (initiator.isAlive() || peer.isAlive() || null == failure.get() && 0 == timed[0])
        {
            throw new IllegalStateException("a line transfer between CPU " + cpu + " and CPU " + peerCpu +
                " did not finish within " + DEADLINE_MS + " ms");
        }
        final Throwable failed = failure.get();
        if (null != failed)
        {
            throw new IllegalStateException("cannot measure a line transfer between CPU " + cpu + " and CPU " +
                peerCpu + ": " + failed.getMessage(), failed);
        }
        // Both threads have ended (joined): their plain writes are visible here.
        if (answered[0] != timed[0])
        {
            throw new IllegalStateException("the peer answered " + answered[0] + " of " + timed[0] + " round trips");
        }
        return (double)timed[1] / ROUND_TRIPS_PER_BATCH / 2;
    }

    private static void runPinned(final int cpu, final AtomicReference<Throwable> failure, final AtomicBoolean ended,
        final Runnable body)
    {
        try
        {
            final BitSet only = new BitSet();
            only.set(cpu);
            Affinity.setAffinity(only);
            // Without its native library the affinity library only logs a refusal: an unpinned pair must not be
            // reported as this pair of cores.
            if (!only.equals(Affinity.getAffinity()))
            {
                throw new IllegalStateException("thread not pinned to CPU " + cpu + " (its CPUs: " +
                    Affinity.getAffinity() + ")");
            }
            body.run();
        }
        catch (final Throwable ex)
        {
            // The other thread must not wait for this one forever.
            failure.compareAndSet(null, ex);
            ended.set(true);
        }
    }

    /**
     * The initiator: store an odd value, wait for the peer's next even one; warm up for {@link #WARM_UP_NS}, then
     * time {@link #BATCHES} batches. Gives up as soon as the measurement has ended elsewhere.
     *
     * @param timed receives the round trips made, and the fastest batch's nanoseconds (untouched when given up).
     */
    private static void ask(final long[] line, final AtomicBoolean ended, final long[] timed)
    {
        long value = 0;
        long fastestNs = Long.MAX_VALUE;
        final long warmUpStartNs = System.nanoTime();
        int batch = 0;
        while (batch < BATCHES)
        {
            final long startNs = System.nanoTime();
            for (int i = 0; i < ROUND_TRIPS_PER_BATCH; i++)
            {
                LONGS.setRelease(line, PAD_LONGS, value + 1);
                final long answer = value + 2;
                while ((long)LONGS.getAcquire(line, PAD_LONGS) != answer)
                {
                    if (ended.get())
                    {
                        return;
                    }
                }
                value = answer;
            }
            final long endNs = System.nanoTime();
            if (endNs - warmUpStartNs >= WARM_UP_NS)
            {
                fastestNs = Math.min(fastestNs, endNs - startNs);
                batch++;
            }
        }
        LONGS.setRelease(line, PAD_LONGS, STOP);
        timed[0] = value / 2;
        timed[1] = fastestNs;
    }

    /**
     * The peer: wait for each odd value, answer with the next even one, until told to stop (the initiator's
     * {@link #STOP}) or the measurement has ended elsewhere.
     *
     * @return round trips answered.
     */
    private static long answer(final long[] line, final AtomicBoolean ended)
    {
        long expected = 1;
        while (true)
        {
            final long seen = (long)LONGS.getAcquire(line, PAD_LONGS);
            if (STOP == seen || ended.get())
            {
                return expected / 2;
            }
            if (seen == expected)
            {
                LONGS.setRelease(line, PAD_LONGS, expected + 1);
                expected += 2;
            }
        }
    }
}
