package io.sidecore.bench.fuzz;

import io.sidecore.bench.InMemoryCounters;
import io.sidecore.bench.demo.ProxyDeviceAccess;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.backend.TapBackend;
import io.sidecore.engine.backend.TapOpener;
import io.sidecore.engine.backend.VirtioNetHeader;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.launcher.Configuration;
import net.openhft.affinity.Affinity;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.Descriptors;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestRam;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * {@code sidecore fuzz --isolation}: the attacks of issue 10 §0 and §8 one after the other, each beside honest
 * guests, on the real clock. The engine's two sidecores run on one dedicated thread here (the rig's sidecore thread
 * calls their duty cycles and times each with {@code System.nanoTime}: a pass is one duty cycle of both); the honest
 * guests and the attacker share one guest thread, the attacker taking one step per round of the honest guests.
 * Honest topology: {@code h0} and {@code h1} on sidecore 0, {@code h2} on sidecore 1, each sending 256-byte frames to
 * the next. The attacker owns {@code ha} (sidecore 0, its sender, allowed to teach the switch 1024 addresses as a
 * guest bridging other stations would), {@code hp} (sidecore 0, the RX victim of its own scans), {@code hz}
 * (sidecore 0) and {@code hs} (sidecore 1), sinks no driver sets up, and {@code ht} (sidecore 0, a TAP port: a
 * {@link TapBackend} over one end of a {@code SOCK_SEQPACKET} socket pair, the rig writing the host side's GSO frames
 * into the other, so no TAP device or namespace is needed and the backend's read, segmentation and delivery are the
 * real ones).
 * <p>
 * <b>Where the attack's work runs.</b> A daemon gives each sidecore its own core; this rig, on a 2-core machine that
 * also runs the guests, runs both on one thread, so work on sidecore 1 delays sidecore 0's trapped accesses, which a
 * daemon would not (the {@code ISOLATION-ATTRIBUTION} line splits each honest access's wait by the sidecore whose
 * duty cycle ran meanwhile). So the attacker's floods land on {@code hz}, on its own sidecore: all of what the attack
 * makes the core do is then on the sidecore of {@code h0} and {@code h1}, where the engine's per-port budgets,
 * fairness by time and yields decide how much of it an honest guest waits behind, which is what the run is to
 * measure. Only the flood whose point is to cross sidecores ({@code flood-to-cross-sidecore-neighbour}, through the
 * ring that also carries {@code h1}'s frames to {@code h2}) is sent to {@code hs} on sidecore 1. The engine narrows
 * the gap of the shared thread itself: agents that share a thread (invoker mode) yield a dear port's pass to a
 * command waiting for either of them and answer it between two ports ({@code SidecoreAgent#shareThreadWith}), so an
 * access to sidecore 1 no longer waits for the rest of sidecore 0's duty cycle; what is left is the port being served
 * when it came (that time, and the answer's, count as {@code in_sc0_us}).
 * <p>
 * <b>What is measured, and how honestly.</b> On a 2-core machine the honest guests' rate is bounded by their own
 * thread (the driver model's work per frame), not by the sidecore, so anything the attacker makes the guest thread
 * do would show as an honest loss that says nothing about the sidecore: a trapped access or a reset is waited for
 * synchronously, as a vCPU waits for its exit. A hostile guest has its own vCPUs, so the rig times every attack
 * step on the guest thread and takes the honest guests' rate over the rest of the window (honest frames per second
 * of the guest thread's time spent on honest guests); the wall-clock rate and the attack's share of the guest
 * thread are printed beside it. What the attack costs the sidecore is what the rate then shows: honest frames wait
 * for passes the attacker lengthened. The honest guests' NAPI poll is as large as their RX ring, so each round's poll
 * harvests all there is and completes, and their TX ring holds two batches (64 descriptors, where Linux's default is
 * 256): they stay on the interrupt path (ICR read, IMS write: trapped accesses), whose rate depends on what an attack
 * could hurt, with the sidecore not saturated. With Linux's NAPI weight of 64 a backlog kept them in polling mode, and
 * with a 256-descriptor ring an interrupt gave back a whole ring, which they sent in one burst and then waited for the
 * next interrupt with the ring full: either way they made almost no trapped access and saturated the sidecore (3-4x
 * the rate, the sidecore 97 % busy), and a run flipped between regimes; in the saturated one the ratio measured the
 * attacker's fair share of a full core (DRR gives it one), not isolation. {@code sidecore_attacker_share} and
 * {@code sidecore_honest_share} are the attacker's and the honest ports' {@code cpu_ns} over the window, as
 * fractions of it.
 * <p>
 * Windows of {@code seconds} alternate: no attack, attack 1, no attack, attack 2, ..., for {@code rounds} rounds;
 * per attack it prints the honest guests' rate over all its windows as a ratio of the rate over the no-attack windows
 * just before and after each (the machine's load drifts over a run), the p99.9 of all its windows' passes against
 * the p99.9 of those no-attack windows' passes, and the lowest and highest per-round ratio (the spread a single
 * window would have shown). Target: ratio at least 0.9 and p99.9 within 2x. Noisy on a shared machine (the sidecore
 * thread is not pinned here, and a preempted pass counts as a long one): the numbers are what this run measured.
 */
final class IsolationRun
{
    private static final long RAM_GPA = 0x4000_0000L;
    private static final int RAM_BYTES = 8 << 20;
    private static final int HONEST = 3;
    private static final int SIDECORES = 2;
    private static final int HONEST_BATCH = 32;
    private static final int HONEST_TX_DESCRIPTORS = 2 * HONEST_BATCH;
    private static final int FRAME_BYTES = 256;
    private static final int ATTACK_TX_DESCRIPTORS = 1024;
    private static final int RX_NULL_DESCRIPTORS = 65_528;
    private static final long ATTACK_TX_RING_GPA = RAM_GPA;
    private static final long ATTACK_RX_RING_GPA = RAM_GPA + 0x10_0000;
    private static final long ATTACK_BUFFER_GPA = RAM_GPA + 0x20_0000;
    private static final int CONTEXT_SLOT = 0x10000;
    static final int COLLIDING_SOURCES = 1024;
    private static final int TAP_RX_DESCRIPTORS = 1024;
    private static final long TAP_RX_RING_GPA = RAM_GPA;
    private static final long TAP_RX_BUFFER_GPA = RAM_GPA + 0x10_0000;
    private static final int TAP_RX_BUFFER_BYTES = 2048;
    private static final int GSO_PAYLOAD_BYTES = 60_000;
    private static final int GSO_HEADER_BYTES = 54;
    private static final int GSO_MESSAGE_BYTES = VirtioNetHeader.LENGTH + GSO_HEADER_BYTES + GSO_PAYLOAD_BYTES;
    /** Linux's floor on the MSS it sends with: the smallest gso_size the port accepts (rx_drop_gso_size below). */
    private static final int MIN_GSO_SIZE = 48;

    private final int seconds;
    private final int rounds;
    private final EnumSet<Attack> selected;
    private final PrintStream out;
    private final PrintStream err;
    private final Arena arena = Arena.ofShared();
    private final Recorder passTimes = new Recorder(3);
    private final Recorder[] sidecorePassTimes = { new Recorder(3), new Recorder(3) };
    // Sidecore-thread time per sidecore in duty cycles that did work, and which sidecore runs now (PassLedger).
    private final AtomicLongArray sidecoreBusyNs = new AtomicLongArray(SIDECORES);
    private final PassLedger ledger = new PassLedger(SIDECORES);
    private final List<Port> ports = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(7);
    private SidecoreEngine engine;
    private EngineProxy proxy;
    private volatile boolean running = true;
    // The guests stop first: one may be waiting for the sidecore to answer a trapped access.
    private volatile boolean guestsRunning = true;
    private volatile Attack attack = Attack.NONE;
    private volatile RuntimeException guestFailure;
    // Guest-thread time spent in attack steps: the honest guests' rate is taken over the rest (see the class doc).
    private volatile long attackNs;
    // Sidecore-thread time in passes that did work, and honest guests' rounds and ring-full refusals: per window,
    // whether the sidecore was saturated and whether the honest guests waited for it (ISOLATION-WINDOW lines).
    private volatile long busyNs;
    private volatile long honestRounds;
    private final Guest[] honest = new Guest[HONEST];
    private Guest ha;
    private Guest hp;
    private Guest hs;
    private Guest hz;
    private Guest ht;
    private TapDevice tapPeer;
    private final MemorySegment gsoMessage = arena.allocate(GSO_MESSAGE_BYTES, 8);
    private final MemorySegment gsoSize1Message = arena.allocate(GSO_MESSAGE_BYTES, 8);
    private byte[] collidingSources;
    private int collidingNext;
    // Where the attacker's floods land: on its own sidecore, but for the flood whose point is to cross sidecores.
    private byte[] sinkMac;
    private byte[] crossSinkMac;
    private int attackTail;

    /** The attacks of issue 10 §0 this run can make in process. */
    enum Attack
    {
        NONE("none"),
        RX_NULL_RDT_FLIP("rx-ring-of-null-buffers-rdt-flipping"),
        TSO_MIN_MSS("tso-64k-at-min-mss"),
        MAC_FLOOD("mac-table-flood"),
        MAC_SPOOF("spoofed-source-mac"),
        CROSS_SIDECORE_FLOOD("flood-to-cross-sidecore-neighbour"),
        BROADCAST_STORM("broadcast-storm"),
        TRAP_STORM("trapped-access-storm"),
        RESET_STORM("reset-storm"),
        COLLIDING_MAC_HASH("colliding-mac-hash"),
        TAP_GSO_BOMB("tap-gso-bomb");

        final String attackName;

        Attack(final String attackName)
        {
            this.attackName = attackName;
        }

        /**
         * @param names attack names as printed, comma separated, or {@code all}.
         * @return the attacks named.
         * @throws IllegalArgumentException naming the unknown name and the known ones.
         */
        static EnumSet<Attack> parse(final String names)
        {
            final EnumSet<Attack> attacks = EnumSet.noneOf(Attack.class);
            for (final String name : names.split(",", -1))
            {
                final String trimmed = name.trim();
                if ("all".equals(trimmed))
                {
                    attacks.addAll(EnumSet.complementOf(EnumSet.of(NONE)));
                    continue;
                }
                Attack found = null;
                for (final Attack each : values())
                {
                    if (NONE != each && each.attackName.equals(trimmed))
                    {
                        found = each;
                    }
                }
                if (null == found)
                {
                    final StringBuilder known = new StringBuilder("all");
                    for (final Attack each : values())
                    {
                        if (NONE != each)
                        {
                            known.append(", ").append(each.attackName);
                        }
                    }
                    throw new IllegalArgumentException("unknown attack '" + trimmed + "' (known: " + known + ")");
                }
                attacks.add(found);
            }
            return attacks;
        }
    }

    /**
     * @param seconds  length of each window.
     * @param rounds   how many times each selected attack runs, each time between no-attack windows.
     * @param selected the attacks.
     * @param out      report lines.
     * @param err      failures.
     */
    IsolationRun(
        final int seconds, final int rounds, final Set<Attack> selected, final PrintStream out, final PrintStream err)
    {
        this.seconds = seconds;
        this.rounds = rounds;
        this.selected = EnumSet.copyOf(selected);
        this.out = out;
        this.err = err;
    }

    /** A guest's interrupt line, raised on the sidecore thread and taken on the guest thread. */
    private static final class SharedLine implements InterruptLine
    {
        private final AtomicBoolean edge = new AtomicBoolean();
        private boolean asserted;

        public void onLevelChange(final boolean level)
        {
            if (level && !asserted)
            {
                edge.set(true);
            }
            asserted = level;
        }

        boolean take()
        {
            return edge.getAndSet(false);
        }
    }

    private final class Guest
    {
        final byte[] mac;
        final Port port;
        final SharedLine line = new SharedLine();
        final int sidecore;
        final AttributedAccess access;
        final UnsafeBuffer ram;
        final MemorySegment ramSegment;
        GuestDriverModel model;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
        volatile long valid;
        // TX ring-full refusals seen by the guest thread, read by the measuring thread.
        volatile long ringFull;

        Guest(final int id, final String name, final int sidecore)
        {
            this(id, name, sidecore, null);
        }

        Guest(final int id, final String name, final int sidecore,
            final Function<PortCounters, PortBackend> backend)
        {
            this.sidecore = sidecore;
            mac = new byte[]{ 0x02, 0, 0, 0, 0x03, (byte)id };
            ramSegment = arena.allocate(RAM_BYTES, 4096);
            ram = new UnsafeBuffer(ramSegment.address(), RAM_BYTES);
            final GuestMemory memory = new GuestMemory();
            memory.addRegion(RAM_GPA, ramSegment);
            final RegisterImage registers = RegisterImage.allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES);
            port = proxy.addPort(new PortConfig(id, name, mac, false, PortRegionDescriptor.DEFAULT_SHARED_PAGES),
                registers, memory, line, sidecore, backend);
            ports.add(port);
            access = new AttributedAccess(new ProxyDeviceAccess(proxy, port, registers.doorbellPages(),
                PortRegionDescriptor.DEFAULT_SHARED_PAGES, TimeUnit.SECONDS.toNanos(5)), ledger);
        }

        void driver(final byte[] destination)
        {
            // A NAPI poll as large as the RX ring, so each poll harvests all there is and completes, and a TX ring of
            // two batches, so an interrupt gives back at most 64 frames: the guest stays on the interrupt path (see
            // the class doc: the regime whose rate the attacks could hurt).
            final GuestDriverConfig config = new GuestDriverConfig().txDescriptors(HONEST_TX_DESCRIPTORS);
            config.napiBudget(config.rxDescriptors());
            model = new GuestDriverModel(access, new GuestRam(ramSegment, RAM_GPA), config,
                (buffer, offset, length, status, special) ->
                {
                    if (FRAME_BYTES == length &&
                        0x88B5 == (buffer.getShort(offset + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF))
                    {
                        valid++;
                    }
                });
            frame.putBytes(0, destination);
            frame.putBytes(6, mac);
            frame.putShort(12, (short)0x88B5, ByteOrder.BIG_ENDIAN);
            model.probe();
            model.open();
            if (!model.waitForLink(TimeUnit.SECONDS.toNanos(5), 10_000L))
            {
                throw new IllegalStateException("link of guest " + port.name() + " did not come up");
            }
        }

        void round()
        {
            if (line.take())
            {
                model.onInterrupt();
            }
            else if (model.isNapiScheduled())
            {
                model.napiPoll();
            }
            for (int i = 0; i < HONEST_BATCH; i++)
            {
                if (!model.queue(frame, 0, FRAME_BYTES))
                {
                    ringFull++;
                    break;
                }
            }
            model.flushTx();
        }

        void writeShared(final int offset, final int value)
        {
            port.registers().setRelease(offset, value);
        }
    }

    int run()
    {
        try
        {
            return measure();
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            err.println("sidecore fuzz --isolation: " + ex);
            return FuzzCommand.EXIT_FINDINGS;
        }
        finally
        {
            running = false;
            if (null != engine)
            {
                engine.close();
            }
            if (null != tapPeer)
            {
                tapPeer.close();
            }
        }
    }

    private int measure() throws InterruptedException
    {
        engine = new SidecoreEngine(Configuration.fromSystemProperties().engineContext()
            .threadingMode(ThreadingMode.INVOKER).nanoClock(new SystemNanoClock()).sidecoreCount(SIDECORES)
            .countersFile(null).countersManager(InMemoryCounters.create(1024)));
        proxy = engine.proxy();
        for (int i = 0; i < HONEST; i++)
        {
            honest[i] = new Guest(i + 1, "h" + i, 2 == i ? 1 : 0);
        }
        ha = new Guest(10, "ha", 0);
        hp = new Guest(11, "hp", 0);
        hs = new Guest(12, "hs", 1);
        hz = new Guest(14, "hz", 0);
        sinkMac = hz.mac;
        crossSinkMac = hs.mac;
        final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        tapPeer = TapDevice.adopt(pair[1], "ht-host", TapOpener.TAP_FLAGS);
        ht = new Guest(13, "ht", 0, counters -> new TapBackend(TapDevice.adopt(pair[0], "ht", TapOpener.TAP_FLAGS),
            counters, TapBackend.DEFAULT_MAX_RX_FRAME_BYTES, TapOpener.WANTED_OFFLOADS));
        // The attacker bridges other stations (an operator allowed it addresses to learn), so its floods reach
        // the MAC table instead of stopping at the anti-spoofing check.
        proxy.updatePortSettings(ha.port, ha.port.settings().withMaxLearnedMacs(COLLIDING_SOURCES));
        collidingSources = collidingSources(
            Configuration.fromSystemProperties().get(Configuration.MAC_TABLE_CAPACITY) - 1);
        final Thread sidecore = new Thread(this::sidecoreLoop, "sidecore");
        sidecore.setDaemon(true);
        sidecore.start();
        for (int i = 0; i < HONEST; i++)
        {
            honest[i].driver(honest[(i + 1) % HONEST].mac);
        }
        setUpAttacker();
        setUpTapAttack();
        final Thread guests = new Thread(this::guestLoop, "guests");
        guests.setDaemon(true);
        guests.start();

        out.println("sidecore fuzz --isolation: windows of " + seconds + " s, honest h0 -> h1 -> h2 -> h0 (" +
            FRAME_BYTES + "-byte frames), sidecores 0 and 1 on one thread pinned to CPU " + sidecoreCpu() +
            " (the guests' thread on the others), the attacker's floods to a sink on its " +
            "own sidecore 0 (but the cross-sidecore flood's, to sidecore 1)");
        window(Attack.NONE);
        // Round after round of the selected attacks, each between no-attack windows: attack i of the sequence is
        // compared with baselines i and i + 1.
        final List<Window> baselines = new ArrayList<>();
        final List<Attack> sequence = new ArrayList<>();
        final List<Window> attacked = new ArrayList<>();
        baselines.add(window(Attack.NONE));
        for (int round = 0; round < rounds; round++)
        {
            for (final Attack each : Attack.values())
            {
                if (selected.contains(each))
                {
                    sequence.add(each);
                    attacked.add(window(each));
                    baselines.add(window(Attack.NONE));
                }
            }
        }
        guestsRunning = false;
        guests.join(TimeUnit.SECONDS.toMillis(10));
        running = false;
        sidecore.join(TimeUnit.SECONDS.toMillis(5));
        if (null != guestFailure)
        {
            out.println("ISOLATION-RESULT incomplete: the guest thread failed (" + guestFailure.getMessage() + ")");
            return FuzzCommand.EXIT_FINDINGS;
        }
        return report(sequence, attacked, baselines);
    }

    /**
     * One measured window: the honest guests' valid frames per second of their thread's honest time, the sidecore
     * thread's pass times, the wall-clock rate, the attack's share of the guest thread and the attacker's and honest
     * ports' shares of the sidecore ({@code cpu_ns}).
     */
    private record Window(
        double honestFps, Histogram passes, double wallFps, double guestAttackShare, double attackerShare,
        double honestShare)
    {
    }

    /**
     * Per attack, over all its rounds: the honest rate of its windows against that of the no-attack windows just
     * before and after each (the machine's load drifts over a run), and the p99.9 of all its windows' passes against
     * that of all those no-attack windows' passes; the spread of the per-round ratios beside it.
     */
    private int report(final List<Attack> sequence, final List<Window> attacked, final List<Window> baselines)
    {
        final Histogram baselinePasses = new Histogram(3);
        double baselineFps = 0;
        double baselineMin = Double.MAX_VALUE;
        double baselineMax = 0;
        double baselineHonestShare = 0;
        for (final Window baseline : baselines)
        {
            baselinePasses.add(baseline.passes());
            baselineFps += baseline.honestFps() / baselines.size();
            baselineMin = Math.min(baselineMin, baseline.honestFps());
            baselineMax = Math.max(baselineMax, baseline.honestFps());
            baselineHonestShare += baseline.honestShare() / baselines.size();
        }
        out.println(String.format(Locale.ROOT, "ISOLATION attack=none honest_frames_per_second=%.0f " +
            "min_window=%.0f max_window=%.0f p999_pass_us=%.1f sidecore_honest_share=%.3f windows=%d rounds=%d",
            baselineFps, baselineMin, baselineMax, baselinePasses.getValueAtPercentile(99.9) / 1000.0,
            baselineHonestShare, baselines.size(), rounds));
        int attacks = 0;
        int meeting = 0;
        for (final Attack each : Attack.values())
        {
            if (!sequence.contains(each))
            {
                continue;
            }
            attacks++;
            final Histogram attackPasses = new Histogram(3);
            final Histogram adjacentPasses = new Histogram(3);
            double attackFps = 0;
            double adjacentFps = 0;
            double ratioMin = Double.MAX_VALUE;
            double ratioMax = 0;
            final double[] shares = new double[4];
            int windows = 0;
            for (int i = 0; i < sequence.size(); i++)
            {
                if (sequence.get(i) != each)
                {
                    continue;
                }
                final Window window = attacked.get(i);
                final double adjacent = (baselines.get(i).honestFps() + baselines.get(i + 1).honestFps()) / 2;
                attackFps += window.honestFps();
                adjacentFps += adjacent;
                ratioMin = Math.min(ratioMin, window.honestFps() / adjacent);
                ratioMax = Math.max(ratioMax, window.honestFps() / adjacent);
                attackPasses.add(window.passes());
                adjacentPasses.add(baselines.get(i).passes());
                adjacentPasses.add(baselines.get(i + 1).passes());
                shares[0] += window.wallFps();
                shares[1] += window.guestAttackShare();
                shares[2] += window.attackerShare();
                shares[3] += window.honestShare();
                windows++;
            }
            final double ratio = attackFps / adjacentFps;
            final double passRatio = attackPasses.getValueAtPercentile(99.9) /
                (double)adjacentPasses.getValueAtPercentile(99.9);
            final boolean ok = ratio >= 0.9 && passRatio <= 2.0;
            meeting += ok ? 1 : 0;
            out.println(String.format(Locale.ROOT, "ISOLATION attack=%s honest_ratio=%.3f p999_pass_ratio=%.2f " +
                "round_ratio_min=%.3f round_ratio_max=%.3f honest_frames_per_second=%.0f p999_pass_us=%.1f " +
                "max_pass_us=%.1f wall_frames_per_second=%.0f guest_attack_share=%.3f sidecore_attacker_share=%.3f " +
                "sidecore_honest_share=%.3f windows=%d target=%s",
                each.attackName, ratio, passRatio, ratioMin, ratioMax, attackFps / windows,
                attackPasses.getValueAtPercentile(99.9) / 1000.0, attackPasses.getMaxValue() / 1000.0,
                shares[0] / windows, shares[1] / windows, shares[2] / windows, shares[3] / windows, windows,
                ok ? "met" : "missed"));
        }
        for (final Guest attacker : new Guest[]{ ha, hp, hs, hz, ht })
        {
            out.println(attackerCounters(attacker.port));
        }
        out.println("ISOLATION-RESULT attacks=" + attacks + " meeting_target=" + meeting);
        return meeting == attacks ? FuzzCommand.EXIT_OK : FuzzCommand.EXIT_FINDINGS;
    }

    /**
     * @return what one window of {@code seconds} with the given attack measured.
     */
    private Window window(final Attack next) throws InterruptedException
    {
        if (!running)
        {
            return new Window(0, new Histogram(3), 0, 0, 0, 0);
        }
        attack = next;
        Thread.sleep(200);
        passTimes.getIntervalHistogram();
        for (final Recorder recorder : sidecorePassTimes)
        {
            recorder.getIntervalHistogram();
        }
        final long[] attributionBefore = attributionSnapshot();
        final long validBefore = honestValid();
        final long attackBeforeNs = attackNs;
        final long attackerCpuBeforeNs = attackerCpuNs();
        final long honestCpuBeforeNs = honestCpuNs();
        final long busyBeforeNs = busyNs;
        final long roundsBefore = honestRounds;
        final long ringFullBefore = sumOverHonest(guest -> guest.ringFull);
        final long trapWaitBeforeNs = sumOverHonest(guest -> guest.access.waitNs());
        final long trapsBefore = sumOverHonest(guest -> guest.access.accesses());
        final long startNs = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        final long valid = honestValid() - validBefore;
        final long elapsedNs = System.nanoTime() - startNs;
        final long guestAttackNs = attackNs - attackBeforeNs;
        final Histogram passes = passTimes.getIntervalHistogram();
        final long rounds = honestRounds - roundsBefore;
        final long traps = sumOverHonest(guest -> guest.access.accesses()) - trapsBefore;
        final long trapWaitNs = sumOverHonest(guest -> guest.access.waitNs()) - trapWaitBeforeNs;
        final Window measured = new Window(valid / ((elapsedNs - guestAttackNs) / 1e9), passes,
            valid / (elapsedNs / 1e9), guestAttackNs / (double)elapsedNs,
            (attackerCpuNs() - attackerCpuBeforeNs) / (double)elapsedNs,
            (honestCpuNs() - honestCpuBeforeNs) / (double)elapsedNs);
        // Whether the honest guests waited for the sidecore (their TX rings full) or the sidecore waited for them.
        out.println(String.format(Locale.ROOT, "ISOLATION-WINDOW attack=%s honest_frames_per_second=%.0f " +
            "sidecore_busy=%.3f honest_ring_full_per_round=%.3f honest_rounds=%d honest_trap_wait_share=%.3f " +
            "honest_trap_wait_us=%.2f p50_pass_us=%.1f p999_pass_us=%.1f",
            next.attackName, measured.honestFps(), (busyNs - busyBeforeNs) / (double)elapsedNs,
            0 == rounds ? 0.0 : (sumOverHonest(guest -> guest.ringFull) - ringFullBefore) / (double)rounds, rounds,
            trapWaitNs / (double)(elapsedNs - guestAttackNs), 0 == traps ? 0.0 : trapWaitNs / 1000.0 / traps,
            passes.getValueAtPercentile(50) / 1000.0, passes.getValueAtPercentile(99.9) / 1000.0));
        out.println(attributionLine(next, attributionBefore, attributionSnapshot(), elapsedNs));
        return measured;
    }

    /**
     * @return per target sidecore (of the honest ports), its honest ports' trapped accesses, their wait and the
     *     part of it spent inside each sidecore's duty cycles; then each sidecore's busy time, ns.
     */
    private long[] attributionSnapshot()
    {
        final int perTarget = 2 + SIDECORES;
        final long[] snapshot = new long[SIDECORES * perTarget + SIDECORES];
        for (final Guest guest : honest)
        {
            final int base = guest.sidecore * perTarget;
            snapshot[base] += guest.access.accesses();
            snapshot[base + 1] += guest.access.waitNs();
            for (int i = 0; i < SIDECORES; i++)
            {
                snapshot[base + 2 + i] += guest.access.waitInPassNs(i);
            }
        }
        for (int i = 0; i < SIDECORES; i++)
        {
            snapshot[SIDECORES * perTarget + i] = sidecoreBusyNs.get(i);
        }
        return snapshot;
    }

    /**
     * One {@code ISOLATION-ATTRIBUTION} line: per sidecore, its busy fraction and pass times; per sidecore the
     * honest ports live on, the mean wait of their trapped accesses and how much of it the rig's one sidecore
     * thread spent in each sidecore's duty cycles (the rest: between cycles, or the thread descheduled).
     */
    private String attributionLine(final Attack next, final long[] before, final long[] after, final long elapsedNs)
    {
        final int perTarget = 2 + SIDECORES;
        final StringBuilder line = new StringBuilder("ISOLATION-ATTRIBUTION attack=").append(next.attackName);
        for (int i = 0; i < SIDECORES; i++)
        {
            final Histogram passes = sidecorePassTimes[i].getIntervalHistogram();
            line.append(String.format(Locale.ROOT, " sc%d_busy=%.3f sc%d_p50_pass_us=%.1f sc%d_p999_pass_us=%.1f",
                i, (after[SIDECORES * perTarget + i] - before[SIDECORES * perTarget + i]) / (double)elapsedNs,
                i, passes.getValueAtPercentile(50) / 1000.0, i, passes.getValueAtPercentile(99.9) / 1000.0));
        }
        for (int target = 0; target < SIDECORES; target++)
        {
            final int base = target * perTarget;
            final long accesses = after[base] - before[base];
            final double perAccessUs = 0 == accesses ? 0.0 : 1000.0 * accesses;
            line.append(String.format(Locale.ROOT, " trap_to_sc%d_wait_us=%.2f", target,
                0 == accesses ? 0.0 : (after[base + 1] - before[base + 1]) / perAccessUs));
            for (int i = 0; i < SIDECORES; i++)
            {
                line.append(String.format(Locale.ROOT, " in_sc%d_us=%.2f", i,
                    0 == accesses ? 0.0 : (after[base + 2 + i] - before[base + 2 + i]) / perAccessUs));
            }
        }
        return line.toString();
    }

    /**
     * @return the sum of one reading over the honest guests.
     */
    private long sumOverHonest(final ToLongFunction<Guest> reading)
    {
        long sum = 0;
        for (final Guest guest : honest)
        {
            sum += reading.applyAsLong(guest);
        }
        return sum;
    }

    private long honestValid()
    {
        return sumOverHonest(guest -> guest.valid);
    }

    /**
     * @return the attacker port's counters that moved over the run, so each attack shows it reached its code.
     */
    private static String attackerCounters(final Port port)
    {
        final StringBuilder line = new StringBuilder("ISOLATION-ATTACKER port=").append(port.name());
        for (final PortCounter counter : PortCounter.values())
        {
            final long value = port.counters().get(counter);
            if (0 != value)
            {
                line.append(' ').append(counter.counterName()).append('=').append(value);
            }
        }
        return line.toString();
    }

    private long attackerCpuNs()
    {
        return ha.port.counters().get(PortCounter.CPU_NS) + hp.port.counters().get(PortCounter.CPU_NS) +
            hs.port.counters().get(PortCounter.CPU_NS) + hz.port.counters().get(PortCounter.CPU_NS) +
            ht.port.counters().get(PortCounter.CPU_NS);
    }

    private long honestCpuNs()
    {
        return sumOverHonest(guest -> guest.port.counters().get(PortCounter.CPU_NS));
    }

    /**
     * The sidecore thread's core: the last one, as the daemon's default; -1 on a single-core machine. The rig's two
     * spinning threads on one core would take turns by the scheduler's time slices (an honest trapped access then
     * waited 8 ms in windows where the other core was busy with something else: 500 honest frames per second
     * instead of a million), which a daemon with its pinned sidecore never does.
     */
    private static int sidecoreCpu()
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        return cpus > 1 ? cpus - 1 : -1;
    }

    private static BitSet guestCpus()
    {
        final BitSet cpus = new BitSet();
        final int sidecore = sidecoreCpu();
        if (sidecore > 0)
        {
            cpus.set(0, sidecore);
        }
        return cpus;
    }

    private static void pinTo(final int cpu)
    {
        if (cpu >= 0)
        {
            final BitSet only = new BitSet();
            only.set(cpu);
            pinTo(only);
        }
    }

    private static void pinTo(final BitSet cpus)
    {
        if (!cpus.isEmpty())
        {
            Affinity.setAffinity(cpus);
        }
    }

    private void sidecoreLoop()
    {
        pinTo(sidecoreCpu());
        try
        {
            while (running)
            {
                // engine.doWork() in invoker mode, one sidecore at a time, so each one's duty cycle is timed.
                long passNs = 0;
                int work = 0;
                for (int i = 0; i < SIDECORES; i++)
                {
                    final long startNs = System.nanoTime();
                    ledger.begin(i, startNs);
                    final int sidecoreWork = engine.agent(i).doWork();
                    final long endNs = System.nanoTime();
                    ledger.end(endNs);
                    final long sidecoreNs = Math.max(1, endNs - startNs);
                    sidecorePassTimes[i].recordValue(sidecoreNs);
                    if (sidecoreWork > 0)
                    {
                        sidecoreBusyNs.set(i, sidecoreBusyNs.get(i) + sidecoreNs);
                    }
                    passNs += sidecoreNs;
                    work += sidecoreWork;
                }
                passTimes.recordValue(passNs);
                if (work > 0)
                {
                    busyNs += passNs;
                }
            }
        }
        catch (final RuntimeException | Error ex)
        {
            err.println("sidecore fuzz --isolation: the sidecore thread failed during " + attack.attackName + ": " +
                ex);
            ex.printStackTrace(err);
            running = false;
        }
    }

    private void guestLoop()
    {
        pinTo(guestCpus());
        try
        {
            while (running && guestsRunning)
            {
                for (final Guest guest : honest)
                {
                    guest.round();
                }
                honestRounds++;
                final Attack current = attack;
                if (Attack.NONE != current)
                {
                    final long startNs = System.nanoTime();
                    attackStep(current);
                    attackNs += System.nanoTime() - startNs;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            err.println("sidecore fuzz --isolation: the guest thread failed during " + attack.attackName + ": " + ex);
            guestFailure = ex;
            running = false;
        }
    }

    private void setUpAttacker()
    {
        ha.access.configWrite(PciConfig.COMMAND_OFFSET, 2,
            PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        ha.writeShared(E1000Registers.TDBAL, (int)ATTACK_TX_RING_GPA);
        ha.writeShared(E1000Registers.TDLEN, ATTACK_TX_DESCRIPTORS * 16);
        ha.writeShared(E1000Registers.TDH, 0);
        ha.writeShared(E1000Registers.TDT, 0);
        ha.access.bar0Write(E1000Registers.TCTL, E1000Registers.TCTL_EN);
        hp.access.configWrite(PciConfig.COMMAND_OFFSET, 2,
            PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        hp.writeShared(E1000Registers.RDBAL, (int)ATTACK_RX_RING_GPA);
        hp.writeShared(E1000Registers.RDLEN, RX_NULL_DESCRIPTORS * 16);
        hp.writeShared(E1000Registers.RDH, 0);
        hp.writeShared(E1000Registers.RDT, 0);
        hp.access.bar0Write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM);
        // The attacker's frames: unicast to hp, to the sink, broadcast, spoofed; a TCP/IPv4 header for TSO.
        putFrame(0, hp.mac, ha.mac, 64);
        putFrame(1, crossSinkMac, ha.mac, 1514);
        putFrame(2, new byte[]{ -1, -1, -1, -1, -1, -1 }, ha.mac, 64);
        putFrame(3, honest[0].mac, honest[1].mac, 64);
        putFrame(4, sinkMac, ha.mac, 64);
        putTsoHeaders(5);
    }

    /**
     * {@code ht}: a TAP port whose guest posts a ring of valid buffers and re-posts every one of them each round
     * without reading any, so whatever the host side sends is segmented and written into guest memory. The host
     * side's messages: a TCP/IPv4 GSO super-frame of 60 000 bytes at gso_size 48 (the smallest accepted: 1250
     * segments) and the same at gso_size 1 (refused, {@code rx_drop_gso_size}).
     */
    private void setUpTapAttack()
    {
        ht.access.configWrite(PciConfig.COMMAND_OFFSET, 2,
            PciConfig.COMMAND_MEMORY_SPACE | PciConfig.COMMAND_BUS_MASTER);
        for (int i = 0; i < TAP_RX_DESCRIPTORS; i++)
        {
            Descriptors.putRx(ht.ram, (int)(TAP_RX_RING_GPA - RAM_GPA) + i * 16,
                TAP_RX_BUFFER_GPA + (long)i * TAP_RX_BUFFER_BYTES);
        }
        ht.writeShared(E1000Registers.RDBAL, (int)TAP_RX_RING_GPA);
        ht.writeShared(E1000Registers.RDLEN, TAP_RX_DESCRIPTORS * 16);
        ht.writeShared(E1000Registers.RDH, 0);
        ht.writeShared(E1000Registers.RDT, TAP_RX_DESCRIPTORS - 1);
        ht.access.bar0Write(E1000Registers.RCTL, E1000Registers.RCTL_EN);
        putGsoMessage(gsoMessage, MIN_GSO_SIZE);
        putGsoMessage(gsoSize1Message, 1);
    }

    private void putGsoMessage(final MemorySegment message, final int gsoSize)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(message.address(), GSO_MESSAGE_BYTES);
        VirtioNetHeader.write(buffer, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, GSO_HEADER_BYTES,
            gsoSize, 34, 16);
        final int frame = VirtioNetHeader.LENGTH;
        buffer.putBytes(frame, ht.mac);
        buffer.putBytes(frame + 6, new byte[]{ 0x02, 0, 0, 0, 0x09, 1 });
        buffer.putShort(frame + 12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        buffer.putByte(frame + 14, (byte)0x45);
        buffer.putShort(frame + 16, (short)(GSO_HEADER_BYTES - 14 + GSO_PAYLOAD_BYTES), ByteOrder.BIG_ENDIAN);
        buffer.putByte(frame + 22, (byte)64);
        buffer.putByte(frame + 23, (byte)6);
        buffer.putByte(frame + 46, (byte)0x50);
    }

    /**
     * Source addresses an attacker who does not know the table's secret would choose to collide: every one lands
     * in slot 0 of the MAC table under its hash with a key of 0 (the mixing function is public; the key is not).
     */
    static byte[] collidingSources(final int slotMask)
    {
        final byte[] sources = new byte[COLLIDING_SOURCES * 6];
        int found = 0;
        for (long candidate = 0x0200_0000_0000L; found < COLLIDING_SOURCES; candidate++)
        {
            long hash = candidate | 1L << 48;
            hash = (hash ^ (hash >>> 33)) * 0xFF51AFD7ED558CCDL;
            hash = (hash ^ (hash >>> 33)) * 0xC4CEB9FE1A85EC53L;
            hash ^= hash >>> 33;
            if (0 == ((int)hash & slotMask))
            {
                for (int i = 0; i < 6; i++)
                {
                    sources[found * 6 + i] = (byte)(candidate >>> (40 - 8 * i));
                }
                found++;
            }
        }
        return sources;
    }

    private void putFrame(final int slot, final byte[] destination, final byte[] source, final int length)
    {
        final int offset = (int)(ATTACK_BUFFER_GPA - RAM_GPA) + slot * CONTEXT_SLOT;
        ha.ram.putBytes(offset, destination);
        ha.ram.putBytes(offset + 6, source);
        ha.ram.putShort(offset + 12, (short)0x88B6, ByteOrder.BIG_ENDIAN);
    }

    private void putTsoHeaders(final int slot)
    {
        final int offset = (int)(ATTACK_BUFFER_GPA - RAM_GPA) + slot * CONTEXT_SLOT;
        putFrame(slot, sinkMac, ha.mac, 64);
        ha.ram.putShort(offset + 12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        ha.ram.putByte(offset + 14, (byte)0x45);
        ha.ram.putShort(offset + 16, (short)(40 + 60_000), ByteOrder.BIG_ENDIAN);
        ha.ram.putByte(offset + 22, (byte)64);
        ha.ram.putByte(offset + 23, (byte)6);
        ha.ram.putByte(offset + 46, (byte)0x50);
    }

    private long slotGpa(final int slot)
    {
        return ATTACK_BUFFER_GPA + (long)slot * CONTEXT_SLOT;
    }

    private void attackStep(final Attack current)
    {
        switch (current)
        {
            case RX_NULL_RDT_FLIP:
                hp.writeShared(E1000Registers.RDT, 0 == (attackTail++ & 1) ? RX_NULL_DESCRIPTORS - 2 :
                    RX_NULL_DESCRIPTORS - 1);
                post(0, 64, 32);
                break;
            case TSO_MIN_MSS:
                if (freeTx() >= 8)
                {
                    for (int i = 0; i < 4; i++)
                    {
                        final int tail = txTail();
                        Descriptors.putContextTx(ha.ram, tail * 16, 14, 24, 33, 34, 50, 0, 60_000,
                            E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TSE,
                            54, 48);
                        Descriptors.putDataTx(ha.ram, ((tail + 1) % ATTACK_TX_DESCRIPTORS) * 16, slotGpa(5), 60_054,
                            E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_TSE, E1000TxDescriptor.POPTS_TXSM, 0);
                        publish(2);
                    }
                }
                break;
            case MAC_FLOOD:
                if (freeTx() >= 64)
                {
                    for (int i = 0; i < 64; i++)
                    {
                        final int offset = (int)(slotGpa(6 + (i & 7)) - RAM_GPA);
                        ha.ram.putBytes(offset, sinkMac);
                        ha.ram.putInt(offset + 6, 0x0200_0000 | random.nextInt(1 << 24), ByteOrder.BIG_ENDIAN);
                        ha.ram.putShort(offset + 10, (short)random.nextInt(), ByteOrder.BIG_ENDIAN);
                        Descriptors.putLegacyTx(ha.ram, txTail() * 16, slotGpa(6 + (i & 7)), 64,
                            E1000TxDescriptor.CMD_EOP);
                        publish(1);
                    }
                }
                break;
            case MAC_SPOOF:
                post(3, 64, 32);
                break;
            case CROSS_SIDECORE_FLOOD:
                post(1, 1514, 64);
                break;
            case BROADCAST_STORM:
                post(2, 64, 64);
                break;
            case TRAP_STORM:
                for (int i = 0; i < 16; i++)
                {
                    ha.access.bar0Write(E1000Registers.ICS, E1000Registers.ICR_TXQE);
                }
                break;
            case RESET_STORM:
                ha.access.bar0Write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
                setUpAttacker();
                break;
            case COLLIDING_MAC_HASH:
                if (freeTx() >= 64)
                {
                    for (int i = 0; i < 64; i++)
                    {
                        final int offset = (int)(slotGpa(6 + (i & 7)) - RAM_GPA);
                        ha.ram.putBytes(offset, sinkMac);
                        ha.ram.putBytes(offset + 6, collidingSources, collidingNext * 6, 6);
                        collidingNext = (collidingNext + 1) % COLLIDING_SOURCES;
                        Descriptors.putLegacyTx(ha.ram, txTail() * 16, slotGpa(6 + (i & 7)), 64,
                            E1000TxDescriptor.CMD_EOP);
                        publish(1);
                    }
                }
                break;
            case TAP_GSO_BOMB:
                final int head = ht.port.registers().getAcquire(E1000Registers.RDH) & 0xFFFF;
                ht.writeShared(E1000Registers.RDT, (head + TAP_RX_DESCRIPTORS - 1) % TAP_RX_DESCRIPTORS);
                // A full socket (EAGAIN) is the host side waiting for the port: nothing to count.
                tapPeer.write(gsoMessage, GSO_MESSAGE_BYTES);
                tapPeer.write(gsoSize1Message, GSO_MESSAGE_BYTES);
                break;
            default:
                break;
        }
    }

    private int txTail()
    {
        return ha.port.registers().getAcquire(E1000Registers.TDT) & 0xFFFF;
    }

    private int freeTx()
    {
        final int head = ha.port.registers().getAcquire(E1000Registers.TDH) & 0xFFFF;
        return (head - txTail() - 1 + ATTACK_TX_DESCRIPTORS) % ATTACK_TX_DESCRIPTORS;
    }

    private void post(final int slot, final int length, final int frames)
    {
        final int count = Math.min(frames, freeTx());
        for (int i = 0; i < count; i++)
        {
            Descriptors.putLegacyTx(ha.ram, ((txTail() + i) % ATTACK_TX_DESCRIPTORS) * 16, slotGpa(slot), length,
                E1000TxDescriptor.CMD_EOP);
        }
        publish(count);
    }

    private void publish(final int count)
    {
        ha.writeShared(E1000Registers.TDT, (txTail() + count) % ATTACK_TX_DESCRIPTORS);
    }
}
