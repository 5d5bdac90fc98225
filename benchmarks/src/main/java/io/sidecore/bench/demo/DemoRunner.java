package io.sidecore.bench.demo;

import io.sidecore.bench.InMemoryCounters;
import io.sidecore.engine.EngineContext;
import io.sidecore.engine.proxy.CaptureSummary;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.LoopbackBackend;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.launcher.Configuration;
import io.sidecore.launcher.affinity.CpuAffinity;
import io.sidecore.launcher.affinity.PinnedThreadFactory;
import io.sidecore.tools.guest.GuestDriverConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One run of the demo, start to finish: a sidecore engine with the embedded default configuration (the
 * {@link Configuration} defaults; system properties may override them), pinned to a free core; N synthetic guests
 * on real shared memory and eventfds, played by one guest thread kept off the sidecore's core; each guest sending to
 * the next one through the L2 switch (a lone guest sends to itself through a {@link LoopbackBackend}).
 * <p>
 * Phases: set-up (probe, open, link); warm-up (the guests send, uncounted, then the engine drains); the measured run
 * of {@code seconds}, one progress line per second; stop sending and let the engine drain (bounded); then one
 * {@code PORT} line per guest and the {@code SUMMARY} line, whose counts are the engine's port counters over the
 * measured run. The switch knows every port's configured MAC address from the moment the port attaches, so the
 * guests' unicast frames are never flooded: each frame emitted has one destination, and
 * {@code tx_frames = rx_frames + dropped} exactly.
 */
public final class DemoRunner
{
    /** Exit code of a run whose every frame was accounted for. */
    public static final int EXIT_OK = 0;
    /** Exit code of a run that failed or left frames unaccounted. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of bad options. */
    public static final int EXIT_USAGE = 2;

    /** Smallest guest RAM: the driver's default rings and buffers take about 1 MiB. */
    static final int MIN_GUEST_RAM_BYTES = 4 << 20;
    /** Largest guest RAM. */
    static final int MAX_GUEST_RAM_BYTES = 16 << 20;
    /** Guest RAM of all guests together, at most (memfd pages are only backed once touched). */
    static final long TOTAL_GUEST_RAM_BYTES = 256L << 20;

    private static final long SETUP_TIMEOUT_MS = 120_000L;
    private static final long PIN_TIMEOUT_MS = 5_000L;
    private static final long LEARN_TIMEOUT_NS = 5_000_000_000L;
    private static final long DRAIN_TIMEOUT_NS = 5_000_000_000L;
    private static final long SAMPLE_INTERVAL_MS = 10L;
    private static final int QUIET_SAMPLES = 3;
    private static final long JOIN_TIMEOUT_MS = 5_000L;

    private final DemoOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private Thread guestThread;

    /**
     * @param options what to run.
     * @param out     progress, PORT and SUMMARY lines.
     * @param err     warnings and errors.
     */
    public DemoRunner(final DemoOptions options, final PrintStream out, final PrintStream err)
    {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /**
     * @param guests number of guests.
     * @return bytes of each guest's RAM memfd: an equal share of {@link #TOTAL_GUEST_RAM_BYTES}, a power of two
     *     within {@link #MIN_GUEST_RAM_BYTES}..{@link #MAX_GUEST_RAM_BYTES}.
     */
    static int guestRamBytes(final int guests)
    {
        final long share = Long.highestOneBit(TOTAL_GUEST_RAM_BYTES / Math.max(1, guests));
        return (int)Math.max(MIN_GUEST_RAM_BYTES, Math.min(MAX_GUEST_RAM_BYTES, share));
    }

    /**
     * Run the demo.
     *
     * @return {@link #EXIT_OK}, or {@link #EXIT_FAILURE} after one line on the error stream.
     */
    public int run()
    {
        try
        {
            return runEngine();
        }
        catch (final GuestLoop.CsbNotServedException ex)
        {
            err.println("sidecore demo: --csb is not yet supported: " + ex.getMessage());
            return EXIT_FAILURE;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("sidecore demo: interrupted");
            return EXIT_FAILURE;
        }
        catch (final RuntimeException ex)
        {
            err.println("sidecore demo: " + describe(ex));
            return EXIT_FAILURE;
        }
    }

    private int runEngine() throws InterruptedException
    {
        final Configuration config = Configuration.fromSystemProperties();
        final EngineContext ctx = config.engineContext().countersFile(options.countersFile());
        if (null == options.countersFile())
        {
            ctx.countersManager(InMemoryCounters.create(ctx.maxCounters()));
        }
        final int sidecores = ctx.sidecoreCount();
        final int[] cores = config.cores();
        final PinnedThreadFactory[] factories = new PinnedThreadFactory[Math.max(0, sidecores)];
        for (int i = 0; i < factories.length; i++)
        {
            factories[i] = new PinnedThreadFactory(
                "sidecore-" + i, i < cores.length ? cores[i] : PinnedThreadFactory.ANY_FREE_CPU, options.pin(), err);
        }

        final SidecoreEngine engine = new SidecoreEngine(ctx);
        final GuestPort[] guests = new GuestPort[options.guests()];
        try
        {
            engine.start(index -> factories[index]);
            final int[] sidecoreCpus = new int[factories.length];
            for (int i = 0; i < factories.length; i++)
            {
                sidecoreCpus[i] = factories[i].awaitCpu(PIN_TIMEOUT_MS);
            }
            createGuests(engine, guests, config.get(Configuration.PORT_SHARED_PAGES));
            startCaptures(engine, guests);
            return runGuests(engine, guests, sidecoreCpus, ctx.idleStrategy());
        }
        finally
        {
            engine.close();
            if (null != guestThread && guestThread.isAlive())
            {
                // Unmapping memory a thread may still touch would crash the JVM: leave it to the process exit.
                err.println("sidecore demo: warning: guest thread still running; guest memory left mapped");
            }
            else
            {
                for (int i = 0; i < guests.length; i++)
                {
                    if (null != guests[i])
                    {
                        guests[i].close();
                    }
                }
            }
        }
    }

    private void createGuests(final SidecoreEngine engine, final GuestPort[] guests, final int sharedPages)
    {
        final int count = guests.length;
        final int ramBytes = guestRamBytes(count);
        for (int i = 0; i < count; i++)
        {
            final GuestDriverConfig driver = new GuestDriverConfig().useCsbWhenOffered(options.csb());
            guests[i] = GuestPort.create(
                i, ramBytes, engine.proxy(), 1 == count, options.csb(), sharedPages, driver, options.frameBytes(),
                (i + 1) % count, engine.context().commandTimeoutNs());
        }
    }

    /**
     * With {@code --capture DIR}: every port records its traffic, both directions, into {@code DIR/<port>.pcapng}
     * from before the guests start sending.
     */
    private void startCaptures(final SidecoreEngine engine, final GuestPort[] guests)
    {
        final Path directory = options.captureDirectory();
        if (null == directory)
        {
            return;
        }
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create capture directory " + directory, ex);
        }
        for (int i = 0; i < guests.length; i++)
        {
            engine.proxy().startCapture(guests[i].port(), directory.resolve(guests[i].name() + ".pcapng"),
                options.captureFileBytes(), DemoOptions.CAPTURE_FILES);
        }
    }

    /**
     * Close every port's capture file and say what it holds: one CAPTURE line per port.
     */
    private void stopCaptures(final SidecoreEngine engine, final GuestPort[] guests)
    {
        if (null == options.captureDirectory())
        {
            return;
        }
        for (int i = 0; i < guests.length; i++)
        {
            final CaptureSummary capture = engine.proxy().stopCapture(guests[i].port());
            out.println(DemoReport.captureLine(guests[i].name(), capture));
            if (null != capture.failure())
            {
                err.println("sidecore demo: warning: capture of " + guests[i].name() + " stopped early: " +
                    capture.failure());
            }
        }
    }

    private int runGuests(
        final SidecoreEngine engine, final GuestPort[] guests, final int[] sidecoreCpus, final String idleStrategy)
        throws InterruptedException
    {
        final int count = guests.length;
        final GuestLoop loop = new GuestLoop(guests, options.csb());
        final Thread guestThread = new Thread(() ->
        {
            if (options.pin())
            {
                keepOffSidecores(sidecoreCpus);
            }
            loop.run();
        }, "guests");
        guestThread.setDaemon(true);
        this.guestThread = guestThread;
        guestThread.start();
        try
        {
            out.println(describeSetup(count, sidecoreCpus, idleStrategy));
            if (!loop.awaitReady(SETUP_TIMEOUT_MS))
            {
                throw new IllegalStateException("guest set-up did not finish within " + SETUP_TIMEOUT_MS + " ms");
            }
            checkGuests(loop);

            final PortCounters[] ports = new PortCounters[count];
            for (int i = 0; i < count; i++)
            {
                ports[i] = guests[i].port().counters();
            }
            final SidecoreCounters[] sidecores = new SidecoreCounters[engine.sidecoreCount()];
            for (int i = 0; i < sidecores.length; i++)
            {
                sidecores[i] = engine.agent(i).counters();
            }
            final long[] busyPpmSums = new long[engine.sidecoreCount()];
            final TrafficSnapshot total = measure(sidecores, guests, ports, loop, busyPpmSums);
            stopGuests(loop, guestThread);

            out.println(String.format(Locale.ROOT,
                "GUESTS interrupts=%d trapped_accesses=%d shared_page_writes=%d tx_ring_full=%d",
                loop.runTotal(GuestStat.INTERRUPTS),
                loop.runTotal(GuestStat.TRAPPED_ACCESSES),
                loop.runTotal(GuestStat.SHARED_PAGE_WRITES),
                loop.runTotal(GuestStat.TX_RING_FULL)));
            for (int i = 0; i < busyPpmSums.length; i++)
            {
                final SidecoreCounters counters = sidecores[i];
                out.println(String.format(Locale.ROOT,
                    "SIDECORE index=%d cpu=%s busy_ratio=%.3f max_cycle_time_ns=%d",
                    i,
                    sidecoreCpus[i] >= 0 ? String.valueOf(sidecoreCpus[i]) : "unpinned",
                    busyPpmSums[i] / 1e6 / options.seconds(),
                    counters.maxCycleTimeNs().get()));
            }
            for (int i = 0; i < count; i++)
            {
                out.println(DemoReport.portLine(guests[i].name(), total, i));
            }
            stopCaptures(engine, guests);
            if (total.totalRefused() > 0)
            {
                err.println("sidecore demo: note: the devices refused " + total.totalRefused() +
                    " packets before emitting them (tx_drop_* other than switch or backend drops); they are not " +
                    "part of tx_frames");
            }
            out.println(DemoReport.summaryLine(count, options.seconds(), total));
            if (0 != total.unaccounted())
            {
                err.println("sidecore demo: " + total.unaccounted() + " frames unaccounted for (flood copies " +
                    total.floodCopies() + ")");
                return EXIT_FAILURE;
            }
            return EXIT_OK;
        }
        finally
        {
            loop.stop();
            guestThread.join(JOIN_TIMEOUT_MS);
        }
    }

    private static void stopGuests(final GuestLoop loop, final Thread guestThread) throws InterruptedException
    {
        loop.stop();
        guestThread.join(JOIN_TIMEOUT_MS);
        if (guestThread.isAlive())
        {
            throw new IllegalStateException("guest thread did not stop within " + JOIN_TIMEOUT_MS + " ms");
        }
    }

    /**
     * The measured run: warm-up and drain, baseline (the engine idle, so the counts are exact), guests send for the
     * run's seconds with a progress line per second, then drain.
     *
     * @return the counts of the run.
     */
    private TrafficSnapshot measure(
        final SidecoreCounters[] sidecores,
        final GuestPort[] guests,
        final PortCounters[] ports,
        final GuestLoop loop,
        final long[] busyPpmSums)
        throws InterruptedException
    {
        if (options.warmupSeconds() > 0)
        {
            loop.sending(true);
            final long warmupEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
            while (System.nanoTime() - warmupEndNs < 0)
            {
                checkGuests(loop);
                Thread.sleep(SAMPLE_INTERVAL_MS);
            }
            loop.sending(false);
            drain(sidecores, guests, ports, loop);
        }
        final TrafficSnapshot baseline = TrafficSnapshot.take(ports, sidecores);
        final long startNs = System.nanoTime();
        loop.sending(true);
        TrafficSnapshot previous = baseline;
        long previousNs = startNs;
        for (int second = 1; second <= options.seconds(); second++)
        {
            sleepUntil(startNs + TimeUnit.SECONDS.toNanos(second));
            final long nowNs = System.nanoTime();
            final TrafficSnapshot sample = TrafficSnapshot.take(ports, sidecores);
            double busySum = 0;
            for (int i = 0; i < busyPpmSums.length; i++)
            {
                final long ppm = sidecores[i].busyRatioPpm().get();
                busyPpmSums[i] += ppm;
                busySum += ppm / 1e6;
            }
            final double busy = busyPpmSums.length > 0 ? busySum / busyPpmSums.length : -1;
            out.println(DemoReport.progressLine(
                second, sample.minus(previous), (nowNs - previousNs) / 1e9, busy));
            previous = sample;
            previousNs = nowNs;
            checkGuests(loop);
        }
        loop.sending(false);
        final TrafficSnapshot drained = drain(sidecores, guests, ports, loop);
        return drained.minus(baseline);
    }

    /**
     * After the guests stop sending: wait until every device consumed its TX ring and the counters stop moving
     * (every frame emitted has been delivered or dropped), at most {@link #DRAIN_TIMEOUT_NS}.
     */
    private TrafficSnapshot drain(
        final SidecoreCounters[] sidecores, final GuestPort[] guests, final PortCounters[] ports, final GuestLoop loop)
        throws InterruptedException
    {
        // Two full guest rounds after the flag: no guest is still in the middle of a batch.
        final long round = loop.rounds();
        final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (loop.rounds() - round < 2 && System.nanoTime() - deadlineNs < 0)
        {
            checkGuests(loop);
            Thread.sleep(1);
        }
        TrafficSnapshot last = TrafficSnapshot.take(ports, sidecores);
        int quiet = 0;
        while (quiet < QUIET_SAMPLES)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                err.println("sidecore demo: warning: the engine did not go idle within " +
                    TimeUnit.NANOSECONDS.toMillis(DRAIN_TIMEOUT_NS) + " ms after the guests stopped sending");
                return last;
            }
            Thread.sleep(SAMPLE_INTERVAL_MS);
            checkGuests(loop);
            final TrafficSnapshot sample = TrafficSnapshot.take(ports, sidecores);
            quiet = allTxIdle(guests) && sample.sameCounts(last) ? quiet + 1 : 0;
            last = sample;
        }
        return last;
    }

    private static boolean allTxIdle(final GuestPort[] guests)
    {
        for (int i = 0; i < guests.length; i++)
        {
            if (!guests[i].isTxIdle())
            {
                return false;
            }
        }
        return true;
    }

    private static void checkGuests(final GuestLoop loop)
    {
        final Throwable failure = loop.failure();
        if (failure instanceof GuestLoop.CsbNotServedException csbFailure)
        {
            throw csbFailure;
        }
        if (null != failure)
        {
            throw new IllegalStateException("guest thread failed: " + describe(failure), failure);
        }
    }

    private void keepOffSidecores(final int[] sidecoreCpus)
    {
        try
        {
            CpuAffinity.avoid(sidecoreCpus);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            err.println("sidecore demo: warning: guest thread not kept off the sidecore cores (" + ex + ")");
        }
    }

    private String describeSetup(final int count, final int[] sidecoreCpus, final String idleStrategy)
    {
        final StringBuilder line = new StringBuilder(200)
            .append("sidecore demo: ").append(count).append(1 == count ? " guest" : " guests")
            .append(1 == count ? " on a loopback cable" : " on the L2 switch, g<i> sending to g<i+1>")
            .append(", ").append(options.frameBytes()).append("-byte frames, ")
            .append(options.csb() ? "CSB" : "doorbells in shared pages")
            .append(", ").append(options.warmupSeconds()).append(" s warm-up + ")
            .append(options.seconds()).append(" s measured; ");
        for (int i = 0; i < sidecoreCpus.length; i++)
        {
            line.append("sidecore-").append(i)
                .append(sidecoreCpus[i] >= 0 ? " pinned to cpu " + sidecoreCpus[i] : " unpinned")
                .append(", ");
        }
        return line.append("idle strategy ").append(idleStrategy).toString();
    }

    private static void sleepUntil(final long deadlineNs) throws InterruptedException
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            TimeUnit.NANOSECONDS.sleep(remainingNs);
        }
    }

    private static String describe(final Throwable ex)
    {
        final String message = ex.getMessage();
        return null == message ? ex.getClass().getSimpleName() : message;
    }
}
