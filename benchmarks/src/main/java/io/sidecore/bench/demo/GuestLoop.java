package io.sidecore.bench.demo;

import io.sidecore.tools.guest.GuestDriverModel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one guest thread of the demo: it plays every synthetic guest in turn, as the vCPUs of N VMs would on the
 * guests' core. First, for each guest, the Linux e1000 driver's probe and open (every trapped access a round trip to
 * the sidecore through the engine proxy) and the wait for the link. Then, round robin over the guests until stopped:
 * <ul>
 *   <li>the interrupt: the guest's eventfd is read without blocking and only when it fired does the driver run its
 *       interrupt handler (ICR read and the rest trap); otherwise a scheduled NAPI poll continues;</li>
 *   <li>while sending: a batch of up to {@value #BATCH_FRAMES} frames into the TX ring and one TDT write into the
 *       shared page (no exit).</li>
 * </ul>
 * Nothing is allocated in the loop.
 */
final class GuestLoop implements Runnable
{
    /**
     * Frames a guest queues per turn before its one doorbell write: the NAPI budget, so that under load a guest
     * harvests a full budget per poll and, like Linux, stays in polling mode with its interrupts masked.
     */
    static final int BATCH_FRAMES = 64;
    /** How long a guest may wait for its link after open (autonegotiation takes half a second). */
    static final long LINK_TIMEOUT_NS = 3_000_000_000L;
    /** Between link polls (the driver's watchdog): a millisecond, which passes in real time. */
    static final long LINK_POLL_NS = 1_000_000L;
    /** How long CSB guests wait for the sidecore to start serving their CSB. */
    static final long CSB_SERVE_TIMEOUT_NS = 500_000_000L;

    private final GuestPort[] guests;
    private final boolean csb;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile boolean sending;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long rounds;
    private final long[] runStart;
    private final long[] runEnd;
    private boolean sentLastRound;

    /**
     * @param guests the guests, created and added to the engine.
     * @param csb    the guests must run in CSB mode.
     */
    GuestLoop(final GuestPort[] guests, final boolean csb)
    {
        this.guests = guests.clone();
        this.csb = csb;
        this.runStart = new long[GuestStat.COUNT * guests.length];
        this.runEnd = new long[GuestStat.COUNT * guests.length];
    }

    /**
     * {@inheritDoc}
     */
    public void run()
    {
        try
        {
            setUp();
            ready.countDown();
            final GuestPort[] guests = this.guests;
            while (running)
            {
                final boolean send = sending;
                if (send && !sentLastRound)
                {
                    // Sending (re)starts: the last time it does is the start of the measured run.
                    GuestStat.read(guests, runStart);
                }
                sentLastRound = send;
                for (int i = 0; i < guests.length; i++)
                {
                    service(guests[i]);
                    if (send)
                    {
                        send(guests[i]);
                    }
                }
                rounds++;
            }
            GuestStat.read(guests, runEnd);
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            ready.countDown();
        }
    }

    private void setUp()
    {
        for (int i = 0; i < guests.length; i++)
        {
            final GuestDriverModel model = guests[i].model();
            model.probe();
            model.open();
        }
        // Every port negotiates its link at the same time, while the others probe.
        for (int i = 0; i < guests.length; i++)
        {
            final GuestDriverModel model = guests[i].model();
            if (!model.waitForLink(LINK_TIMEOUT_NS, LINK_POLL_NS))
            {
                throw new IllegalStateException("guest " + guests[i].name() + ": link did not come up");
            }
        }
        if (csb)
        {
            awaitCsbServed();
        }
    }

    private void awaitCsbServed()
    {
        final long deadlineNs = System.nanoTime() + CSB_SERVE_TIMEOUT_NS;
        for (int i = 0; i < guests.length; i++)
        {
            final GuestDriverModel model = guests[i].model();
            if (!model.isCsbActive())
            {
                throw new CsbNotServedException("guest " + guests[i].name() + " did not switch to CSB mode");
            }
            while (!model.isCsbServed())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new CsbNotServedException("the engine does not serve the CSB yet (no host_version from " +
                        "the sidecore within " + TimeUnit.NANOSECONDS.toMillis(CSB_SERVE_TIMEOUT_NS) + " ms)");
                }
                service(guests[i]);
            }
        }
    }

    private static void service(final GuestPort guest)
    {
        final GuestDriverModel model = guest.model();
        if (guest.interrupt().drain() > 0)
        {
            model.onInterrupt();
        }
        else if (model.isNapiScheduled())
        {
            model.napiPoll();
        }
    }

    private static void send(final GuestPort guest)
    {
        final GuestDriverModel model = guest.model();
        final int frameBytes = guest.frameBytes();
        for (int i = 0; i < BATCH_FRAMES; i++)
        {
            if (!model.queue(guest.dataFrame(), 0, frameBytes))
            {
                break;
            }
        }
        model.flushTx();
    }

    /**
     * Wait until every guest is probed, open and linked, or set-up failed.
     *
     * @param timeoutMs bound on the wait.
     * @return true when set-up ended (check {@link #failure()}), false on timeout.
     * @throws InterruptedException if interrupted.
     */
    boolean awaitReady(final long timeoutMs) throws InterruptedException
    {
        return ready.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @param on start or stop sending data frames (the guests keep receiving either way).
     */
    void sending(final boolean on)
    {
        sending = on;
    }

    /**
     * Make the thread return after its current round.
     */
    void stop()
    {
        running = false;
    }

    /**
     * @return rounds over every guest completed since set-up (the guest thread is the only writer).
     */
    long rounds()
    {
        return rounds;
    }

    /**
     * Driver-side counts of the measured run (from the last time sending started to the thread's end), summed over
     * the guests. Call after the guest thread ended (joined).
     *
     * @param stat which count.
     * @return the count.
     */
    long runTotal(final GuestStat stat)
    {
        long total = 0;
        for (int i = stat.ordinal(); i < runEnd.length; i += GuestStat.COUNT)
        {
            total += runEnd[i] - runStart[i];
        }
        return total;
    }

    /**
     * @return what made the guest thread stop, or null.
     */
    Throwable failure()
    {
        return failure;
    }

    /**
     * The guests are CSB guests but the sidecore does not serve their CSB.
     */
    static final class CsbNotServedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        CsbNotServedException(final String message)
        {
            super(message);
        }
    }
}
