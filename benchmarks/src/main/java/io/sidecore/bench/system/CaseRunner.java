package io.sidecore.bench.system;

import io.sidecore.shm.PassTimeHistogram;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one case on a running daemon: creates its ports, starts the guests' process, lets them send through a
 * warm-up, then measures {@code repeats} intervals (the counters file read before and after each, right after the
 * sidecore's reading of its allocated bytes, so an interval lasts whole seconds; the guests' own counts over the same
 * interval), and tears it all down.
 */
final class CaseRunner
{
    /** The probe's port. */
    static final String PROBE_PORT = "probe";
    /** MAC the null and TAP paths' frames go to: no port and no TAP has it. */
    static final String SINK_MAC = "02:00:00:00:fe:fe";

    private static final long SETUP_TIMEOUT_MS = 900_000;
    private static final int PROBE_NUMBER = 0xFFFE;
    // The sidecore reads its allocated bytes once a second (SidecoreAgent.HEARTBEAT_INTERVAL_NS): an interval of S
    // seconds ends at the reading nearest to S seconds after it started, and a late one is waited for this long.
    private static final long HALF_READING_PERIOD_MS = 500;
    private static final long READING_TIMEOUT_MS = 10_000;
    /**
     * The least warm-up of a run's first case. The daemon lives for the whole run, so only the first case finds its
     * data path interpreted: with one second of warm-up the first case of a run (one guest, 64 bytes, in the matrix)
     * measured about half of what the same case measured warm, both the sidecore and the guests half idle.
     */
    static final double FIRST_CASE_WARMUP_SECONDS = 5;

    private final BenchDaemon daemon;
    private final BenchSettings settings;
    private final TapNamespace namespace;
    private final PrintStream out;
    private final Path directory;
    /** Whether a throughput case has run on this daemon: its data path is compiled. */
    private boolean daemonWarm;

    /**
     * @param daemon    the daemon.
     * @param settings  the run's settings.
     * @param namespace the namespace TAP devices go into (null when no case uses TAP).
     * @param directory where logs go.
     * @param out       progress lines.
     */
    CaseRunner(final BenchDaemon daemon, final BenchSettings settings, final TapNamespace namespace,
        final Path directory, final PrintStream out)
    {
        this.daemon = daemon;
        this.settings = settings;
        this.namespace = namespace;
        this.directory = directory;
        this.out = out;
    }

    /**
     * @param index guest number, from 1.
     * @return its MAC, {@code 02:00:00:00:XX:YY} with XXYY = index.
     */
    static String mac(final int index)
    {
        return String.format(Locale.ROOT, "02:00:00:00:%02x:%02x", index >>> 8 & 0xFF, index & 0xFF);
    }

    /**
     * Measure one case.
     *
     * @param benchCase the case.
     * @param caseIndex its number in the run (for TAP names and logs).
     * @return one result per repetition.
     * @throws IOException when a port cannot be created or the guests fail.
     * @throws InterruptedException when interrupted.
     */
    List<RunResult> run(final BenchCase benchCase, final int caseIndex) throws IOException, InterruptedException
    {
        final List<String> measured = new ArrayList<>();
        final List<String> created = new ArrayList<>();
        final List<String> guestArgs = new ArrayList<>();
        try
        {
            final int guests = benchCase.guests();
            final boolean g2g = BenchCase.Path.G2G == benchCase.path();
            // one guest sending to another through the switch needs a receiver; a paced case's guests send nothing
            final int receivers = g2g && 1 == guests && BenchCase.Load.PACED != benchCase.load() ? 1 : 0;
            for (int i = 0; i < guests + receivers; i++)
            {
                final String name = "b" + i;
                final String backend = switch (benchCase.path())
                {
                    case G2G -> "switch";
                    case NULL -> "null";
                    case TAP -> "tap:" + tapName(caseIndex, i);
                };
                daemon.createPort(name, mac(i + 1), backend, benchCase.csb());
                created.add(name);
                if (BenchCase.Path.TAP == benchCase.path())
                {
                    namespace.adopt(tapName(caseIndex, i));
                }
                final boolean sends = benchCase.sends(i);
                final String destination = !sends ? "-" : g2g ? mac((i + 1) % (guests + receivers) + 1) : SINK_MAC;
                guestArgs.add("--guest");
                guestArgs.add(name + "," + destination);
                // Guest to guest: what every port received; otherwise what the senders emitted.
                if (g2g || sends)
                {
                    measured.add(name);
                }
            }
            // The probe's frames go to its own MAC on the switch (which never sends a frame back out of its source
            // port) or to a null backend: they load no measured port.
            daemon.createPort(PROBE_PORT, mac(PROBE_NUMBER), g2g ? "switch" : "null", benchCase.csb());
            created.add(PROBE_PORT);
            guestArgs.addAll(List.of("--probe", PROBE_PORT + "," + (g2g ? mac(PROBE_NUMBER) : SINK_MAC)));
            guestArgs.addAll(List.of(
                "--socket", daemon.controlSocket().toString(),
                "--port-socket-dir", daemon.portSocketDirectory().toString(),
                "--attach", settings.attach(),
                "--frame-bytes", Integer.toString(benchCase.frameBytes()),
                "--tx-batch", Integer.toString(settings.txBatch()),
                "--threads", Integer.toString(guestThreads(benchCase)),
                "--irq", irqMode(benchCase),
                "--probe-interval-us", Long.toString(settings.probeIntervalUs()),
                "--ram-bytes", Long.toString(BenchSettings.guestRamBytes(benchCase.frameBytes()))));
            if (BenchCase.Mode.TRAP == benchCase.mode())
            {
                guestArgs.add("--trap-doorbells");
            }
            if (settings.hugePages())
            {
                guestArgs.add("--huge-pages");
            }
            return measure(benchCase, caseIndex, guestArgs, measured);
        }
        finally
        {
            daemon.destroyPorts(created);
        }
    }

    private List<RunResult> measure(
        final BenchCase benchCase, final int caseIndex, final List<String> guestArgs, final List<String> measured)
        throws IOException, InterruptedException
    {
        final List<RunResult> results = new ArrayList<>();
        final Path log = directory.resolve(String.format(Locale.ROOT, "guests-%03d.log", caseIndex));
        try (GuestProcess guests = GuestProcess.start(settings.guestCpus(), guestArgs, log, SETUP_TIMEOUT_MS);
            CounterSnapshot.Reader counters = CounterSnapshot.Reader.open(daemon.countersFile()))
        {
            if (BenchCase.Load.PACED != benchCase.load())
            {
                guests.command("SEND");
            }
            Thread.sleep((long)(warmupSeconds(settings.warmupSeconds(), daemonWarm) * 1000));
            // A paced case's probe alone does not compile the path a saturating case runs.
            daemonWarm |= BenchCase.Load.PACED != benchCase.load();
            final long tid = daemon.sidecoreThreadId();
            for (int repeat = 1; repeat <= settings.repeats(); repeat++)
            {
                // The interval starts and ends at the sidecore's once-a-second reading of its allocated bytes, so
                // alloc_bytes is what its thread allocated over the interval itself, not over a window up to a
                // second earlier (which took in the warm-up's first compilations and class loading).
                counters.awaitJvmReading(READING_TIMEOUT_MS);
                guests.command("MEASURE");
                final CounterSnapshot before = counters.read();
                final ThreadStats threadBefore = ThreadStats.read(daemon.pid(), tid);
                final Instant start = Instant.now();
                Thread.sleep(Math.max(0, settings.measureSeconds() * 1000L - HALF_READING_PERIOD_MS));
                counters.awaitJvmReading(READING_TIMEOUT_MS);
                final CounterSnapshot after = counters.read();
                final ThreadStats threadAfter = ThreadStats.read(daemon.pid(), tid);
                final Instant end = Instant.now();
                final Map<String, String> report = guests.report();
                final RunResult result = result(benchCase, repeat, measured, before, after,
                    threadAfter.minus(threadBefore), report, start, end);
                out.println(result.progressLine());
                out.flush();
                results.add(result);
            }
            guests.command("IDLE");
            guests.quit();
        }
        return results;
    }

    /**
     * @param warmupSeconds the run's warm-up.
     * @param daemonWarm    whether a case has run on the daemon before.
     * @return the warm-up of the next case: at least {@link #FIRST_CASE_WARMUP_SECONDS} for a run's first.
     */
    static double warmupSeconds(final double warmupSeconds, final boolean daemonWarm)
    {
        return daemonWarm ? warmupSeconds : Math.max(warmupSeconds, FIRST_CASE_WARMUP_SECONDS);
    }

    private static RunResult result(
        final BenchCase benchCase, final int repeat, final List<String> measured, final CounterSnapshot before,
        final CounterSnapshot after, final ThreadStats sidecoreThread, final Map<String, String> report,
        final Instant start, final Instant end)
    {
        final boolean g2g = BenchCase.Path.G2G == benchCase.path();
        final PortCounter framesCounter = g2g ? PortCounter.RX_FRAMES : PortCounter.TX_FRAMES;
        final PortCounter bytesCounter = g2g ? PortCounter.RX_BYTES : PortCounter.TX_BYTES;
        final long[] buckets = new long[PassTimeHistogram.BUCKETS];
        for (int i = 0; i < buckets.length; i++)
        {
            buckets[i] = after.passTimeBuckets()[i] - before.passTimeBuckets()[i];
        }
        final long allocatedBefore = before.sidecore(SidecoreCounter.ALLOCATED_BYTES);
        final long allocatedAfter = after.sidecore(SidecoreCounter.ALLOCATED_BYTES);
        return new RunResult(
            benchCase,
            repeat,
            (after.nanoTime() - before.nanoTime()) / 1e9,
            after.sum(measured, framesCounter) - before.sum(measured, framesCounter),
            after.sum(measured, bytesCounter) - before.sum(measured, bytesCounter),
            after.drops(measured) - before.drops(measured),
            after.sidecore(SidecoreCounter.BUSY_NS) - before.sidecore(SidecoreCounter.BUSY_NS),
            buckets,
            allocatedBefore < 0 || allocatedAfter < 0 ? -1 : allocatedAfter - allocatedBefore,
            after.sidecore(SidecoreCounter.GC_COUNT) - before.sidecore(SidecoreCounter.GC_COUNT),
            after.sidecore(SidecoreCounter.GC_TIME_MS) - before.sidecore(SidecoreCounter.GC_TIME_MS),
            number(report, "latency.samples"),
            number(report, "latency.timeouts"),
            number(report, "latency.p50_ns"),
            number(report, "latency.p99_ns"),
            number(report, "latency.p999_ns"),
            number(report, "latency.max_ns"),
            report.getOrDefault("latency.hdr", ""),
            number(report, "rounds"),
            number(report, "ring_full"),
            number(report, "ring_empty"),
            number(report, "cpu_ns"),
            number(report, "trapped_accesses"),
            delta(before, after, PortCounter.DOORBELLS_SHARED),
            delta(before, after, PortCounter.DOORBELLS_TRAPPED),
            delta(before, after, PortCounter.DOORBELLS_CSB),
            delta(before, after, PortCounter.INTERRUPTS_POSTED),
            after.sidecore(SidecoreCounter.CORE_WORK_UNIT_NS),
            sidecoreThread,
            start,
            end);
    }

    private static long delta(final CounterSnapshot before, final CounterSnapshot after, final PortCounter counter)
    {
        return after.sum(after.ports().keySet(), counter) - before.sum(after.ports().keySet(), counter);
    }

    private static long number(final Map<String, String> report, final String key)
    {
        final String value = report.get(key);
        return null == value ? 0 : Long.parseLong(value);
    }

    /**
     * The run's interrupt mode, but for a paced case: its guests take interrupts as Linux does under light load
     * (moderated, each read and re-enabled by trapped accesses), since a driver that sends a frame now and then is
     * not in NAPI polling with interrupts masked.
     */
    private String irqMode(final BenchCase benchCase)
    {
        return BenchCase.Load.PACED == benchCase.load() ? "NAPI" : settings.irqMode();
    }

    /**
     * Polling guests on one core: one thread per guest core serves them all best (switching threads only costs).
     * Trap baseline: a thread blocks for each trapped doorbell, as a vCPU does; one thread per guest (at most
     * {@link BenchSettings#MAX_TRAP_THREADS}), so the guests' exits overlap as separate vCPUs' do.
     */
    private int guestThreads(final BenchCase benchCase)
    {
        if (settings.guestThreads() > 0)
        {
            return settings.guestThreads();
        }
        final int guests = benchCase.guests() + 1;
        return BenchCase.Mode.TRAP == benchCase.mode() ? Math.min(guests, BenchSettings.MAX_TRAP_THREADS) :
            Math.min(guests, settings.guestCpuCount());
    }

    private String tapName(final int caseIndex, final int guest)
    {
        return String.format(Locale.ROOT, "sbt%x-%d-%d", ProcessHandle.current().pid() & 0xFFF, caseIndex, guest);
    }
}
