package io.sidecore.bench.system;

import net.openhft.affinity.Affinity;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How long one cache line takes to move from one core to another: two threads, pinned to the sidecore's core and to
 * a guest core, hand a counter back and forth in one line, each waiting for the other's store before it stores.
 * A round trip is two transfers of the line, so a transfer is half a round trip.
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
    /** Timed batches; the fastest counts (a batch in which either thread lost its core must not). */
    static final int BATCHES = 50;
    /** Longs between the array's header and the counter, and after it: the line holds nothing else. */
    private static final int PAD_LONGS = 16;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private LineTransferMeter()
    {
    }

    /**
     * Measure the transfer between two cores.
     *
     * @param cpu     the first thread's core (the sidecore's).
     * @param peerCpu the second thread's core (a guest core); must differ from {@code cpu}.
     * @return the fastest batch's time per transfer (half a round trip), in nanoseconds.
     * @throws InterruptedException     when interrupted.
     * @throws IllegalArgumentException when the two cores are the same or negative.
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
        final Thread peer = new Thread(() -> runPinned(peerCpu, failure, () -> answer(line)), "line-transfer-peer");
        final double[] fastestRoundTripNs = {Double.NaN};
        final Thread initiator = new Thread(() -> runPinned(cpu, failure, () -> fastestRoundTripNs[0] = ask(line)),
            "line-transfer");
        peer.setDaemon(true);
        initiator.setDaemon(true);
        peer.start();
        initiator.start();
        initiator.join();
        peer.join();
        if (null != failure.get())
        {
            throw new IllegalStateException("cannot measure a line transfer between CPU " + cpu + " and CPU " +
                peerCpu + ": " + failure.get().getMessage(), failure.get());
        }
        return fastestRoundTripNs[0] / 2;
    }

    private static void runPinned(final int cpu, final AtomicReference<Throwable> failure, final Runnable body)
    {
        try
        {
            final BitSet only = new BitSet();
            only.set(cpu);
            Affinity.setAffinity(only);
            body.run();
        }
        catch (final RuntimeException ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    /**
     * The initiator: store an odd value, wait for the peer's next even one; time each batch of round trips.
     *
     * @return the fastest batch's time per round trip.
     */
    private static double ask(final long[] line)
    {
        long value = 0;
        long fastestNs = Long.MAX_VALUE;
        // One batch more than timed: the first warms both threads up (and compiles the loops).
        for (int batch = 0; batch <= BATCHES; batch++)
        {
            final long startNs = System.nanoTime();
            for (int i = 0; i < ROUND_TRIPS_PER_BATCH; i++)
            {
                value++;
                LONGS.setRelease(line, PAD_LONGS, value);
                final long answer = value + 1;
                while ((long)LONGS.getAcquire(line, PAD_LONGS) != answer)
                {
                    Thread.onSpinWait();
                }
                value = answer;
            }
            final long elapsedNs = System.nanoTime() - startNs;
            if (batch > 0)
            {
                fastestNs = Math.min(fastestNs, elapsedNs);
            }
        }
        // Tells the peer to stop: an even value it never waits for is never answered.
        LONGS.setRelease(line, PAD_LONGS, -1L);
        return (double)fastestNs / ROUND_TRIPS_PER_BATCH;
    }

    /**
     * The peer: wait for each odd value, answer with the next even one, until told to stop.
     */
    private static void answer(final long[] line)
    {
        long expected = 1;
        while (true)
        {
            final long seen = (long)LONGS.getAcquire(line, PAD_LONGS);
            if (-1L == seen)
            {
                return;
            }
            if (seen == expected)
            {
                LONGS.setRelease(line, PAD_LONGS, expected + 1);
                expected += 2;
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }
}
