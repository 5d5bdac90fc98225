package io.sidecore.tools.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The system benchmark's guests as one process (the synthetic guest side; it depends on {@code shm-layout} only): N
 * guests on T threads, each thread attaching and then driving its own guests round-robin, plus an optional latency
 * probe (one more guest on its own thread that sends one frame at a time and spins until DD, and between two probes
 * services its interrupts and RX as a driver does). Guests that do not send (before SEND, after IDLE, or all the
 * time in a paced case) service their interrupts and RX every {@value #IDLE_PARK_NS} ns. The benchmark
 * ({@code io.sidecore.bench.system}) starts it on the core the sidecore does not use and steers it through standard
 * input, one command a line, each answered on standard output:
 * <pre>
 *   (after set-up)  READY guests=N threads=T setup_ms=S
 *   SEND            start sending                                         -> OK
 *   MEASURE         start the measured interval (counts and latency)      -> OK
 *   REPORT          the interval's counts                                 -> GUESTS ... and LATENCY ... lines, OK
 *   IDLE            stop sending (keep receiving)                         -> OK
 *   QUIT            detach every guest and exit                           -> BYE
 * </pre>
 * A failure of a guest thread is reported as one {@code FAILED <reason>} line and exit status 1.
 */
@Command(
    name = "sidecore bench guests",
    mixinStandardHelpOptions = true,
    description = "The system benchmark's guests: many synthetic guests attached to a daemon, driven by threads.")
public final class LoadGuestMain implements Runnable
{
    private static final long PROBE_TIMEOUT_NS = 1_000_000_000L;
    /**
     * Pause of a guest thread whose guests do not send. An idle Linux guest waits for an interrupt; a shorter pause
     * here keeps the guests' core busy with eventfd reads (256 idle guests on one thread) and takes it from the
     * latency probe, whose measurement would then be its own preemption.
     */
    private static final long IDLE_PARK_NS = 1_000_000L;
    private static final long HIGHEST_TRACKABLE_NS = 10_000_000_000L;
    private static final int SIGNIFICANT_DIGITS = 3;
    private static final int SETUP_THREADS = 4;
    private static final int PROBE_INDEX = 0xFFFE;

    @Spec
    private CommandSpec spec;

    @Option(names = "--socket", required = true, paramLabel = "PATH", description = "the daemon's control socket")
    private Path socket;

    @Option(names = "--port-socket-dir", paramLabel = "DIR", description = "the daemon's port sockets (vfio-user)")
    private Path portSocketDirectory;

    @Option(names = "--attach", defaultValue = "NATIVE",
        description = "NATIVE or VFIO_USER (default: ${DEFAULT-VALUE})")
    private BenchGuest.Attach attach;

    @Option(names = "--guest", paramLabel = "PORT,DESTMAC", description = "a guest: its port and the MAC it sends " +
        "to ('-' to only receive); repeat for each guest")
    private List<String> guests = new ArrayList<>();

    @Option(names = "--probe", paramLabel = "PORT,DESTMAC", description = "the latency probe's port and destination")
    private String probe;

    @Option(names = "--probe-interval-us", defaultValue = "200", description = "pause between probes, µs")
    private long probeIntervalUs;

    @Option(names = "--frame-bytes", defaultValue = "64", description = "frame length without FCS, 60 to 65536")
    private int frameBytes;

    @Option(names = "--tx-batch", defaultValue = "32", description = "frames per doorbell")
    private int txBatch;

    @Option(names = "--threads", defaultValue = "1", description = "guest threads")
    private int threads;

    @Option(names = "--trap-doorbells", description = "the trap baseline: TDT and RDT writes trap")
    private boolean trapDoorbells;

    @Option(names = "--irq", defaultValue = "POLL", description = "POLL (interrupts masked) or NAPI")
    private BenchGuest.IrqMode irqMode;

    @Option(names = "--ram-bytes", defaultValue = "4194304", description = "each guest's RAM")
    private long ramBytes;

    @Option(names = "--huge-pages", description = "each guest's RAM in 2 MiB huge pages (vm.nr_hugepages reserved)")
    private boolean hugePages;

    private volatile boolean running = true;
    private volatile boolean sending;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        final CommandLine commandLine = new CommandLine(new LoadGuestMain()).setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(commandLine.execute(args));
    }

    /**
     * {@inheritDoc}
     */
    public void run()
    {
        if (threads < 1 || txBatch < 1 || probeIntervalUs < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--threads, --tx-batch and --probe-interval-us must be positive");
        }
        final PrintStream out = System.out;
        final LoadSettings settings = new LoadSettings(attach, socket, portSocketDirectory, frameBytes, txBatch,
            trapDoorbells, irqMode, ramBytes, hugePages);
        final int count = guests.size();
        final int threadCount = Math.max(1, Math.min(threads, count));
        final long setupStartNs = System.nanoTime();
        final List<GuestThread> workers = new ArrayList<>();
        ProbeThread probeThread = null;
        try
        {
            final BenchGuest[] opened = openAll(settings);
            for (int t = 0; t < threadCount && count > 0; t++)
            {
                final List<BenchGuest> mine = new ArrayList<>();
                for (int i = t; i < count; i += threadCount)
                {
                    mine.add(opened[i]);
                }
                workers.add(new GuestThread(t, mine, settings.txBatch()));
            }
            if (null != probe)
            {
                probeThread = new ProbeThread(opened[count]);
            }
            out.printf(Locale.ROOT, "READY guests=%d threads=%d setup_ms=%d%n", count, threadCount,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - setupStartNs));
            out.flush();
            for (final GuestThread worker : workers)
            {
                worker.thread.start();
            }
            if (null != probeThread)
            {
                probeThread.thread.start();
            }
            commandLoop(out, workers, probeThread);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException | RuntimeException ex)
        {
            failure.compareAndSet(null, ex);
            failed(out);
        }
        finally
        {
            running = false;
            for (final GuestThread worker : workers)
            {
                join(worker.thread);
            }
            if (null != probeThread)
            {
                join(probeThread.thread);
            }
        }
    }

    /**
     * Attach, probe and open every guest (and the probe, last) on {@value #SETUP_THREADS} set-up threads, then wait for
     * their links, which negotiate meanwhile (half a second each, all at once): a probe of the
     * Linux driver makes thousands of trapped accesses (the 82540's EEPROM is read bit by bit), and a few guests'
     * accesses overlap well; more at once only add daemon threads that spin and yield while they wait for the
     * sidecore, on the same cores as the guests.
     */
    private BenchGuest[] openAll(final LoadSettings settings) throws IOException, InterruptedException
    {
        final int count = guests.size();
        final BenchGuest[] opened = new BenchGuest[count + (null != probe ? 1 : 0)];
        final ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(SETUP_THREADS,
            opened.length)));
        try
        {
            final List<Future<BenchGuest>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final int index = i;
                final String[] fields = guests.get(i).split(",");
                final byte[] destination = "-".equals(fields[1]) ? null : parseMac(fields[1]);
                futures.add(pool.submit(() -> BenchGuest.open(settings, fields[0], index, destination,
                    null == destination ? index : macNumber(destination) - 1)));
            }
            if (null != probe)
            {
                final String[] fields = probe.split(",");
                final byte[] destination = parseMac(fields[1]);
                futures.add(pool.submit(() -> BenchGuest.open(settings, fields[0], PROBE_INDEX, destination,
                    macNumber(destination) - 1)));
            }
            for (int i = 0; i < futures.size(); i++)
            {
                try
                {
                    opened[i] = futures.get(i).get();
                }
                catch (final ExecutionException ex)
                {
                    closeAll(opened);
                    final Throwable cause = ex.getCause();
                    if (cause instanceof IOException io)
                    {
                        throw io;
                    }
                    throw new IllegalStateException("guest set-up failed: " + cause, cause);
                }
            }
            // Every link negotiated meanwhile; the guests opened first have waited longest.
            for (final BenchGuest guest : opened)
            {
                try
                {
                    guest.awaitLink();
                }
                catch (final RuntimeException ex)
                {
                    closeAll(opened);
                    throw ex;
                }
            }
            return opened;
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    /**
     * Close every guest opened so far (the process exits after a failed set-up, which ends the others).
     */
    private static void closeAll(final BenchGuest[] opened)
    {
        for (int i = 0; i < opened.length; i++)
        {
            if (null != opened[i])
            {
                opened[i].close();
                opened[i] = null;
            }
        }
    }

    private static int macNumber(final byte[] mac)
    {
        return (mac[4] & 0xFF) << 8 | (mac[5] & 0xFF);
    }

    private void commandLoop(final PrintStream out, final List<GuestThread> workers, final ProbeThread probeThread)
        throws IOException
    {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
        long[] measureStart = totals(workers, threadBean);
        long measureStartNs = System.nanoTime();
        String line;
        while (null != (line = in.readLine()))
        {
            if (failed(out))
            {
                return;
            }
            switch (line.trim())
            {
                case "SEND" -> sending = true;
                case "IDLE" -> sending = false;
                case "MEASURE" ->
                {
                    measureStart = totals(workers, threadBean);
                    measureStartNs = System.nanoTime();
                    if (null != probeThread)
                    {
                        probeThread.recorder.getIntervalHistogram();
                        probeThread.timeouts = 0;
                    }
                }
                case "REPORT" -> report(out, workers, probeThread, threadBean, measureStart, measureStartNs);
                case "QUIT" ->
                {
                    out.println("BYE");
                    out.flush();
                    return;
                }
                default ->
                {
                    out.println("ERROR unknown command: " + line);
                    out.flush();
                    continue;
                }
            }
            out.println("OK");
            out.flush();
        }
    }

    private void report(
        final PrintStream out, final List<GuestThread> workers, final ProbeThread probeThread,
        final ThreadMXBean threadBean, final long[] measureStart, final long measureStartNs)
    {
        final long[] now = totals(workers, threadBean);
        final long wallNs = System.nanoTime() - measureStartNs;
        out.printf(Locale.ROOT, "GUESTS tx_frames=%d rx_frames=%d rounds=%d ring_full=%d ring_empty=%d " +
                "trapped_accesses=%d interrupts=%d cpu_ns=%d wall_ns=%d%n",
            now[BenchGuest.TX_FRAMES] - measureStart[BenchGuest.TX_FRAMES],
            now[BenchGuest.RX_FRAMES] - measureStart[BenchGuest.RX_FRAMES],
            now[BenchGuest.ROUNDS] - measureStart[BenchGuest.ROUNDS],
            now[BenchGuest.RING_FULL] - measureStart[BenchGuest.RING_FULL],
            now[BenchGuest.RING_EMPTY] - measureStart[BenchGuest.RING_EMPTY],
            now[BenchGuest.TRAPPED_ACCESSES] - measureStart[BenchGuest.TRAPPED_ACCESSES],
            now[BenchGuest.INTERRUPTS] - measureStart[BenchGuest.INTERRUPTS],
            now[BenchGuest.STAT_COUNT] - measureStart[BenchGuest.STAT_COUNT],
            wallNs);
        if (null != probeThread)
        {
            final Histogram histogram = probeThread.recorder.getIntervalHistogram();
            final ByteBuffer encoded = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
            final int length = histogram.encodeIntoCompressedByteBuffer(encoded);
            final byte[] bytes = new byte[length];
            encoded.flip();
            encoded.get(bytes);
            out.printf(Locale.ROOT, "LATENCY samples=%d timeouts=%d p50_ns=%d p99_ns=%d p999_ns=%d max_ns=%d hdr=%s%n",
                histogram.getTotalCount(), probeThread.timeouts, histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue(),
                Base64.getEncoder().encodeToString(bytes));
        }
    }

    /**
     * Sums over the guests of every statistic, then the guest threads' CPU time at index {@link BenchGuest#STAT_COUNT}.
     */
    private static long[] totals(final List<GuestThread> workers, final ThreadMXBean threadBean)
    {
        final long[] totals = new long[BenchGuest.STAT_COUNT + 1];
        for (final GuestThread worker : workers)
        {
            for (final BenchGuest guest : worker.guests)
            {
                for (int stat = 0; stat < BenchGuest.STAT_COUNT; stat++)
                {
                    totals[stat] += guest.stat(stat);
                }
            }
            totals[BenchGuest.STAT_COUNT] += Math.max(0, threadBean.getThreadCpuTime(worker.thread.threadId()));
        }
        return totals;
    }

    private boolean failed(final PrintStream out)
    {
        final Throwable cause = failure.get();
        if (null == cause)
        {
            return false;
        }
        out.println("FAILED " + cause);
        out.flush();
        System.exit(1);
        return true;
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] parseMac(final String text)
    {
        final String[] parts = text.split(":");
        if (6 != parts.length)
        {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            mac[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    /**
     * A guest thread: serves its guests round-robin, sending while the run sends; it detaches them when it ends.
     */
    private final class GuestThread
    {
        final Thread thread;
        final List<BenchGuest> guests;

        GuestThread(final int index, final List<BenchGuest> guests, final int batch)
        {
            this.guests = guests;
            thread = new Thread(() -> runGuests(batch), "guests-" + index);
            thread.setDaemon(true);
        }

        private void runGuests(final int batch)
        {
            final BenchGuest[] mine = guests.toArray(new BenchGuest[0]);
            try
            {
                while (running)
                {
                    final boolean send = sending;
                    for (int i = 0; i < mine.length; i++)
                    {
                        final BenchGuest guest = mine[i];
                        guest.service();
                        if (send)
                        {
                            guest.send(batch);
                        }
                        guest.publish();
                    }
                    if (!send)
                    {
                        LockSupport.parkNanos(IDLE_PARK_NS);
                    }
                }
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                for (final BenchGuest guest : mine)
                {
                    guest.close();
                }
            }
        }
    }

    /**
     * The latency probe: one guest that sends a frame, spins until its DD, records the time, and pauses.
     */
    private final class ProbeThread
    {
        final Thread thread;
        final SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        volatile long timeouts;

        ProbeThread(final BenchGuest guest)
        {
            thread = new Thread(() -> runProbe(guest), "latency-probe");
            thread.setDaemon(true);
        }

        private void runProbe(final BenchGuest guest)
        {
            final long intervalNs = TimeUnit.MICROSECONDS.toNanos(probeIntervalUs);
            try (guest)
            {
                while (running)
                {
                    LockSupport.parkNanos(intervalNs);
                    // Between probes, as a driver between two sends: the last probe's interrupt (NAPI mode: ICR
                    // read, NAPI poll, IMS; trapped accesses outside the measured doorbell-to-DD time) and RX.
                    guest.service();
                    final long latencyNs = guest.sendOneAndAwaitCompletion(PROBE_TIMEOUT_NS);
                    if (latencyNs < 0)
                    {
                        timeouts++;
                    }
                    else
                    {
                        recorder.recordValue(Math.min(latencyNs, HIGHEST_TRACKABLE_NS));
                    }
                }
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }
    }
}
