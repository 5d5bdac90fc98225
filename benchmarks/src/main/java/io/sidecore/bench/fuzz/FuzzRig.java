package io.sidecore.bench.fuzz;

import io.sidecore.bench.InMemoryCounters;
import io.sidecore.engine.EngineContext;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.backend.LoopbackBackend;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryRegion;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.launcher.Configuration;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.GuestRam;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The fuzzer's world, on one thread: a sidecore engine in invoker mode (the real agents, switch shards and
 * cross-sidecore rings, driven by the rig's {@code doWork} calls with a manual clock, so a run is reproducible from
 * its seed) with two sidecores; three honest guests (the Linux driver model) sending numbered frames round a ring of
 * them, across both sidecores; a hostile guest driving three ports: {@code hp} on the switch (sidecore 0, with
 * the CSB offered), {@code hx} on a hostile wire ({@link FuzzWire}), {@code hl} on a loopback cable; {@code ht}, a port
 * on the engine's real TAP backend whose host side is the fuzzer ({@link FuzzTap}: hostile {@code virtio_net_hdr}
 * frames); and the {@code sink}, a switch port on sidecore 1 that no driver ever sets up, where frames to it land.
 * Every port's guest memory sits in {@link GuardedRegion}s with canaries, in a {@link ShadowMap} that is also the
 * memory layer's access probe.
 * <p>
 * Each iteration runs one case (a {@link NamedCase} with its oracle, or a random input), lets the honest guests
 * service their interrupts and queue their frames, runs the sidecores until the case has settled, and checks: no
 * exception escaped; no access left the guest's regions (shadow map, canaries next to the regions); the case's oracle;
 * an honest frame arrived intact, from its sender; a faulted port comes back after the guest resets it. Every
 * {@code window} iterations the rig lets the engine go idle and checks that every frame is accounted for, the whole
 * canaries, and the honest guests' throughput (valid frames per window) against the same work with the hostile
 * guest idle.
 */
final class FuzzRig implements AutoCloseable
{
    static final long HONEST_RAM_GPA = 0x4000_0000L;
    static final int HONEST_RAM_BYTES = 4 << 20;
    static final int HONEST_GUESTS = 3;
    static final long PASS_NS = 10_000L;
    static final int SETTLE_PASSES = 64;
    static final int QUIESCE_PASSES = 20_000;
    static final int BASELINE_WINDOWS = 3;

    private static final int MAX_COUNTERS = 4096;
    private static final PortCounter[] REFUSED_BEFORE_EMISSION = {
        PortCounter.TX_DROP_DMA_FAULT, PortCounter.TX_DROP_MALFORMED, PortCounter.TX_DROP_OVERSIZE,
        PortCounter.TX_DROP_EMPTY, PortCounter.TX_DROP_NO_CONTEXT, PortCounter.TX_DROP_BAD_SEQUENCE,
        PortCounter.TX_DROP_RUNT,
        // The segments of a TSO packet that a reset cut short were never produced (tx_frames counts those sent).
        PortCounter.TX_DROP_RESET };

    private final SplittableRandom random;
    private final PrintStream out;
    private final int window;
    private static final long LINK_POLL_NS = 1_000_000L;

    /**
     * Drop counters no case of the fuzzer provokes yet, printed so a run says so (each is then provoked only by its
     * RegistryWalkTest row); FUZZ-COVERAGE requires every other drop counter. Empty: every drop counter is fuzzed.
     */
    private static final PortCounter[] NOT_YET_FUZZED = {};

    private final CachedNanoClock clock = new CachedNanoClock();
    private final Arena arena = Arena.ofShared();
    private final SidecoreEngine engine;
    private final EngineProxy proxy;
    private final List<ShadowMap> shadows = new ArrayList<>();
    private final List<Port> allPorts = new ArrayList<>();
    private final HonestGuest[] honest = new HonestGuest[HONEST_GUESTS];
    private final byte[][] honestMacs = new byte[HONEST_GUESTS][];
    /** The ports the hostile guest drives (registers, rings, descriptors), then {@code ht}, fed from its TAP side. */
    private final HostilePort[] hostile = new HostilePort[4];
    private static final int DRIVEN_PORTS = 3;
    private final byte[] sinkMac = mac(0x0F, 0x02);
    private final Port sink;
    private final FuzzCases cases;
    private final VfioUserLiar liar;
    private final FuzzTally tally = new FuzzTally();
    private long passes;
    private long oobSeen;
    private long corruptedSeen;
    private long spoofedSeen;
    private long mismatchSeen;
    private double baselinePerWindow;
    private double worstRatio = Double.MAX_VALUE;
    private double ratioSum;
    private long windows;
    private long windowsBelow;

    FuzzRig(final long seed, final int window, final PrintStream out)
    {
        this.random = new SplittableRandom(seed);
        this.window = window;
        this.out = out;
        clock.update(1_000_000_000_000L);
        final EngineContext ctx = Configuration.fromSystemProperties().engineContext()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            // A trapped access is answered by the duty cycles this thread runs while it waits; the wait's bound is on
            // the wall clock, which says nothing about a run on the manual clock. A second was too short on a shared
            // 2-core machine during a soak (the process descheduled); a hang still shows, as a crash, after a minute.
            .commandTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .sidecoreCount(2)
            .countersFile(null)
            .countersManager(InMemoryCounters.create(MAX_COUNTERS));
        // The hostile port faults and resets every few iterations by design, and a second of the manual clock is
        // thousands of iterations: the fault and reset backoff (tested on its own) would skip the passes whose
        // counters each case checks. Its cases' settling (SETTLE_PASSES) and TSO floods are sized for a TX
        // segment budget of 256 per pass, the budget before the default became 64 (the budget itself is tested on
        // its own, HostileGuestWorkBoundsTest).
        ctx.portDefaults(ctx.portDefaults().withFaultResetRate(PortSettings.UNLIMITED).withTxSegmentBudget(256));
        engine = new SidecoreEngine(ctx);
        proxy = engine.proxy();
        cases = new FuzzCases(this, random.split());
        for (final NamedCase named : NamedCase.values())
        {
            tally.declareCase(named.caseName(), named.cve());
        }
        liar = new VfioUserLiar(tally, random.split());
        for (int i = 0; i < HONEST_GUESTS; i++)
        {
            honestMacs[i] = mac(0x01, i + 1);
        }
        for (int i = 0; i < HONEST_GUESTS; i++)
        {
            honest[i] = honestGuest(i, 2 == i ? 1 : 0);
        }
        sink = proxy.addPort(
            new PortConfig(20, "sink", sinkMac, false, PortRegionDescriptor.DEFAULT_SHARED_PAGES),
            RegisterImage.allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES), new GuestMemory(), level -> {}, 1,
            null);
        allPorts.add(sink);
        hostile[0] = hostilePort(10, "hp", mac(0x0F, 0x01), true, 0, Backend.SWITCH);
        hostile[1] = hostilePort(11, "hx", mac(0x0F, 0x03), false, 1, Backend.WIRE);
        hostile[2] = hostilePort(12, "hl", mac(0x0F, 0x04), false, 1, Backend.LOOPBACK);
        hostile[3] = hostilePort(13, "ht", mac(0x0F, 0x05), false, 0, Backend.TAP);
        for (int i = 0; i < HONEST_GUESTS; i++)
        {
            // A millisecond per link poll: the PHY's autonegotiation after the driver's reset takes 500 ms of the
            // rig's clock before the link is up (Phy.AUTONEGOTIATION_NS).
            honest[i].start(() ->
            {
                clock.advance(LINK_POLL_NS);
                pass();
            });
        }
    }

    private enum Backend
    {
        SWITCH, WIRE, LOOPBACK, TAP
    }

    private static byte[] mac(final int group, final int number)
    {
        return new byte[]{ 0x02, 0, 0, 0, (byte)group, (byte)number };
    }

    private HonestGuest honestGuest(final int index, final int sidecore)
    {
        final ShadowMap shadow = new ShadowMap("h" + index);
        shadows.add(shadow);
        final GuardedRegion ram = new GuardedRegion(arena, HONEST_RAM_GPA, HONEST_RAM_BYTES, true);
        shadow.add(ram);
        final GuestMemory memory = new GuestMemory().accessProbe(shadow);
        memory.addRegion(HONEST_RAM_GPA, ram.segment());
        final LevelLine line = new LevelLine();
        final Port port = proxy.addPort(
            new PortConfig(index, "h" + index, honestMacs[index], false, PortRegionDescriptor.DEFAULT_SHARED_PAGES),
            RegisterImage.allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES), memory, line, sidecore, null);
        allPorts.add(port);
        return new HonestGuest(index, honestMacs, port, line, new InvokerDeviceAccess(proxy, port),
            new GuestRam(ram.segment(), HONEST_RAM_GPA), honestMacs[(index + 1) % HONEST_GUESTS]);
    }

    private HostilePort hostilePort(
        final int id, final String name, final byte[] mac, final boolean csb, final int sidecore, final Backend kind)
    {
        final ShadowMap shadow = new ShadowMap(name);
        shadows.add(shadow);
        final GuardedRegion ramA = new GuardedRegion(arena, HostilePort.RAM_A_GPA, HostilePort.RAM_A_BYTES, true);
        final GuardedRegion ramB = new GuardedRegion(arena, HostilePort.RAM_B_GPA, HostilePort.RAM_B_BYTES, true);
        final GuardedRegion rom = new GuardedRegion(arena, HostilePort.ROM_GPA, HostilePort.ROM_BYTES, false);
        shadow.add(ramA);
        shadow.add(ramB);
        shadow.add(rom);
        final UnsafeBuffer romBytes = new UnsafeBuffer(rom.hostAddress(), rom.lengthBytes());
        romBytes.putBytes(0, sinkMac);
        romBytes.putBytes(6, mac);
        romBytes.putShort(12, (short)0x88B6, ByteOrder.BIG_ENDIAN);
        final GuestMemory memory = new GuestMemory().accessProbe(shadow);
        memory.addRegion(HostilePort.RAM_A_GPA, ramA.segment());
        memory.addRegion(HostilePort.RAM_B_GPA, ramB.segment());
        memory.add(GuestMemoryRegion.ofSegment(HostilePort.ROM_GPA, rom.segment(), GuestMemoryRegion.READ));
        final PortConfig config = new PortConfig(id, name, mac, csb, PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        final RegisterImage registers = RegisterImage.allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        final FuzzWire[] wire = new FuzzWire[1];
        final FuzzTap[] tap = new FuzzTap[1];
        final Port port = switch (kind)
        {
            case SWITCH -> proxy.addPort(config, registers, memory, level -> {}, sidecore, null);
            case WIRE -> proxy.addPort(config, registers, memory, level -> {}, sidecore,
                counters -> wire[0] = new FuzzWire(counters));
            case LOOPBACK -> proxy.addPort(config, registers, memory, level -> {}, sidecore, LoopbackBackend::new);
            case TAP -> proxy.addPort(config, registers, memory, level -> {}, sidecore,
                counters -> tap[0] = FuzzTap.create(counters, arena));
        };
        allPorts.add(port);
        final HostilePort hostilePort = new HostilePort(name, mac, shadow, ramA, ramB, rom, proxy, wire[0],
            tap[0]);
        hostilePort.attach(port);
        return hostilePort;
    }

    // ---- what the cases use ----

    EngineProxy proxy()
    {
        return proxy;
    }

    HostilePort switchPort()
    {
        return hostile[0];
    }

    HostilePort wirePort()
    {
        return hostile[1];
    }

    HostilePort loopbackPort()
    {
        return hostile[2];
    }

    HostilePort tapPort()
    {
        return hostile[3];
    }

    /**
     * @param index 0 to {@link #drivenCount()} - 1.
     * @return a port whose registers, rings and descriptors the hostile guest drives.
     */
    HostilePort hostilePort(final int index)
    {
        return hostile[index];
    }

    /**
     * @return how many ports the hostile guest drives ({@code ht} is fed from its TAP side only: its guest never
     *     transmits, so what the TAP backend writes needs no accounting here).
     */
    int drivenCount()
    {
        return DRIVEN_PORTS;
    }

    /**
     * @return the rig's clock now.
     */
    long nowNs()
    {
        return clock.nanoTime();
    }

    byte[] sinkMac()
    {
        return sinkMac;
    }

    /**
     * @return the counters of the sink, the switch port where the hostile guest's frames to {@link #sinkMac()} land.
     */
    PortCounters sinkCounters()
    {
        return sink.counters();
    }

    byte[] honestMac(final int index)
    {
        return honestMacs[index];
    }

    int honestCount()
    {
        return HONEST_GUESTS;
    }

    FuzzTally tally()
    {
        return tally;
    }

    // ---- the run ----

    /**
     * One duty cycle of every sidecore, the clock one pass later.
     *
     * @return work done.
     */
    int pass()
    {
        passes++;
        clock.advance(PASS_NS);
        return engine.doWork();
    }

    /**
     * The honest guests' baseline: their throughput per window with the hostile guest idle.
     */
    void measureBaseline()
    {
        final long before = honestValid();
        for (int w = 0; w < BASELINE_WINDOWS; w++)
        {
            for (int i = 0; i < window; i++)
            {
                honestStep(true);
                pass();
                pass();
            }
            quiesce();
        }
        baselinePerWindow = (honestValid() - before) / (double)BASELINE_WINDOWS;
        if (baselinePerWindow <= 0)
        {
            throw new IllegalStateException("the honest guests delivered nothing without an attack");
        }
        mismatchSeen = frameMismatch();
    }

    /**
     * Run fuzz iterations.
     *
     * @param first index of the first iteration.
     * @param count iterations to run.
     */
    void run(final long first, final long count)
    {
        long windowStartValid = honestValid();
        for (long i = first; i < first + count; i++)
        {
            iteration(i);
            if ((i + 1) % window == 0)
            {
                quiesce();
                checkpoint(i);
                liar.round(i);
                final long valid = honestValid();
                recordWindow(valid - windowStartValid);
                windowStartValid = valid;
            }
        }
    }

    private void iteration(final long iteration)
    {
        String caseName = "none";
        try
        {
            final FuzzCases.Check check;
            NamedCase named = null;
            if (random.nextBoolean())
            {
                named = NamedCase.values()[random.nextInt(NamedCase.values().length)];
                caseName = named.caseName();
                check = applyNamed(named);
                tally.hitCase(caseName, named.cve());
            }
            else
            {
                caseName = cases.random();
                tally.hitCase(caseName, null);
                check = null;
            }
            honestStep(true);
            settle();
            if (null != check)
            {
                final String failure = check.verify();
                tally.escape("miscounted", null == failure ? 0 : 1, iteration, caseName + ": " + failure);
            }
            afterCase(iteration, caseName);
        }
        catch (final RuntimeException | AssertionError | StackOverflowError ex)
        {
            tally.crash(iteration, caseName, ex);
            for (int i = 0; i < hostile.length; i++)
            {
                hostile[i].dirty();
            }
        }
    }

    /**
     * Set up every port a random input or fault left dirty, then run one named case.
     *
     * @param named the case.
     * @return its oracle, to verify once the rig {@link #settle settled}.
     */
    FuzzCases.Check applyNamed(final NamedCase named)
    {
        for (int i = 0; i < hostile.length; i++)
        {
            if (hostile[i].isDirty())
            {
                hostile[i].clean();
            }
        }
        return cases.apply(named);
    }

    private void honestStep(final boolean send)
    {
        for (int i = 0; i < HONEST_GUESTS; i++)
        {
            honest[i].service();
            if (send)
            {
                honest[i].send(HonestGuest.FRAMES_PER_ITERATION);
            }
        }
    }

    /**
     * Run the sidecores until they and the hostile wire and TAP are idle, at most {@link #SETTLE_PASSES} passes.
     */
    void settle()
    {
        int idle = 0;
        for (int i = 0; i < SETTLE_PASSES && idle < 2; i++)
        {
            idle = 0 == pass() && wiresIdle() ? idle + 1 : 0;
        }
    }

    private boolean wiresIdle()
    {
        return hostile[1].wire.isIdle() && hostile[3].tap.isIdle();
    }

    private void afterCase(final long iteration, final String caseName)
    {
        long violations = 0;
        for (int i = 0; i < shadows.size(); i++)
        {
            violations += shadows.get(i).damagedCanaries(false);
            violations += shadows.get(i).violations();
        }
        if (violations > oobSeen)
        {
            final List<String> details = new ArrayList<>();
            for (int i = 0; i < shadows.size(); i++)
            {
                details.addAll(shadows.get(i).described());
            }
            tally.oob(violations - oobSeen, iteration, caseName, details);
            oobSeen = violations;
        }
        long corrupted = 0;
        long spoofed = 0;
        for (int i = 0; i < HONEST_GUESTS; i++)
        {
            corrupted += honest[i].corruptedFrames();
            spoofed += honest[i].spoofedFrames();
        }
        tally.escape("corrupted", corrupted - corruptedSeen, iteration, caseName + ": an honest guest received a " +
            "frame of the honest kind that its sender did not send");
        tally.escape("spoofed", spoofed - spoofedSeen, iteration, caseName + ": an honest guest received a frame " +
            "with another honest guest's source MAC that guest did not send (issue 10 §0 hole 3)");
        corruptedSeen = corrupted;
        spoofedSeen = spoofed;
        for (int i = 0; i < hostile.length; i++)
        {
            final HostilePort port = hostile[i];
            if (port.port().isFaulted())
            {
                recover(iteration, port);
            }
        }
    }

    /**
     * A faulted port must come back after the guest resets the device (CTRL.RST) and sets it up again: the fault is
     * gone and a frame passes.
     */
    private void recover(final long iteration, final HostilePort port)
    {
        final PortFault fault = port.port().device().fault();
        tally.fault(fault);
        port.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
        if (port.port().isFaulted())
        {
            tally.escape("unrecovered", 1, iteration, port.name + " still faulted (" + fault + ") after CTRL.RST");
            port.dirty();
            return;
        }
        port.clean();
        final FuzzCases.Check check = cases.validFrame(port);
        settle();
        final String failure = check.verify();
        tally.escape("unrecovered", null == failure ? 0 : 1, iteration,
            port.name + " after " + fault.faultName() + " and CTRL.RST: " + failure);
    }

    /**
     * Let the engine go idle (honest guests stop sending; their rings and the hostile ones drain), bounded.
     */
    private void quiesce()
    {
        int idle = 0;
        int passes = 0;
        while (idle < 3 && passes < QUIESCE_PASSES)
        {
            honestStep(false);
            idle = 0 == pass() && wiresIdle() ? idle + 1 : 0;
            passes++;
        }
        if (idle < 3)
        {
            tally.escape("unsettled", 1, -1, "the engine did not go idle within " + QUIESCE_PASSES + " passes");
        }
    }

    private void checkpoint(final long iteration)
    {
        long damaged = 0;
        for (int i = 0; i < shadows.size(); i++)
        {
            damaged += shadows.get(i).damagedCanaries(true);
        }
        if (damaged > 0)
        {
            oobSeen += damaged;
            tally.oob(damaged, iteration, "window", shadows.get(0).described());
        }
        final long mismatch = frameMismatch();
        tally.escape("unaccounted", Math.abs(mismatch - mismatchSeen), iteration,
            "frames emitted or offered minus frames delivered or counted as dropped moved by " +
            (mismatch - mismatchSeen) + " over the window");
        mismatchSeen = mismatch;
    }

    /**
     * Conservation over the engine, idle: every frame emitted by a device (tx_frames) or offered by the hostile wire,
     * plus the switch's flood copies, is delivered (rx_frames, or taken by the wire) or counted once under a drop
     * counter of an emitted frame (every rx_drop_*, every tx_drop_* but the refusals before emission, the switch
     * drops of the sidecores).
     *
     * @return emitted minus accounted for: 0 when nothing was lost silently.
     */
    long frameMismatch()
    {
        long emitted = hostile[1].wire.offered() + hostile[3].tap.offered();
        long accounted = hostile[1].wire.taken() + hostile[3].tap.taken();
        for (int i = 0; i < allPorts.size(); i++)
        {
            final Port port = allPorts.get(i);
            emitted += port.counters().get(PortCounter.TX_FRAMES);
            accounted += port.counters().get(PortCounter.RX_FRAMES);
            for (final PortCounter counter : PortCounter.values())
            {
                if (counter.isDrop() && !isRefusedBeforeEmission(counter))
                {
                    accounted += port.counters().get(counter);
                }
            }
        }
        for (int i = 0; i < engine.sidecoreCount(); i++)
        {
            final SidecoreCounters counters = engine.agent(i).counters();
            emitted += counters.switchFloodCopies().get();
            accounted += counters.switchDropNoDestination().get() + counters.switchDropStalePort().get();
        }
        return emitted - accounted;
    }

    private static boolean isRefusedBeforeEmission(final PortCounter counter)
    {
        for (final PortCounter refused : REFUSED_BEFORE_EMISSION)
        {
            if (refused == counter)
            {
                return true;
            }
        }
        return false;
    }

    private long honestValid()
    {
        long valid = 0;
        for (int i = 0; i < HONEST_GUESTS; i++)
        {
            valid += honest[i].validFrames();
        }
        return valid;
    }

    private void recordWindow(final long valid)
    {
        final double ratio = valid / baselinePerWindow;
        windows++;
        ratioSum += ratio;
        worstRatio = Math.min(worstRatio, ratio);
        if (ratio < 0.9)
        {
            windowsBelow++;
        }
    }

    /**
     * @return the worst window's honest throughput over the baseline (1 when no window closed).
     */
    double worstRatio()
    {
        return 0 == windows ? 1.0 : worstRatio;
    }

    /**
     * Print what was hit and found, then the FUZZ line.
     *
     * @param iterations iterations run.
     * @param elapsedNs  how long they took.
     */
    void report(final long iterations, final long elapsedNs)
    {
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.isDrop())
            {
                long total = 0;
                for (int i = 0; i < allPorts.size(); i++)
                {
                    total += allPorts.get(i).counters().get(counter);
                }
                tally.drops.put(counter.counterName(), total);
            }
        }
        tally.cases.forEach((name, hits) -> out.println("FUZZ-CASE " + name + " hits=" + hits));
        tally.cves.forEach((name, hits) -> out.println("FUZZ-CVE " + name + " hits=" + hits));
        tally.drops.forEach((name, hits) -> out.println("FUZZ-DROP " + name + " hits=" + hits));
        tally.faults.forEach((name, hits) -> out.println("FUZZ-FAULT " + name + " hits=" + hits));
        final List<String> missing = new ArrayList<>();
        tally.cves.forEach((name, hits) -> addIfZero(missing, name, hits));
        final List<String> notYetFuzzed = new ArrayList<>();
        for (final PortCounter counter : NOT_YET_FUZZED)
        {
            notYetFuzzed.add(counter.counterName());
        }
        tally.drops.forEach((name, hits) ->
        {
            if (!notYetFuzzed.contains(name))
            {
                addIfZero(missing, name, hits);
            }
        });
        tally.faults.forEach((name, hits) -> addIfZero(missing, name, hits));
        out.println("FUZZ-COVERAGE missing=" + (missing.isEmpty() ? "none" : String.join(",", missing)) +
            " not_yet_fuzzed=" + String.join(",", notYetFuzzed));
        final StringBuilder escapes = new StringBuilder("FUZZ-ESCAPES");
        tally.escapes.forEach((name, count) -> escapes.append(' ').append(name).append('=').append(count));
        out.println(escapes);
        out.println(String.format(Locale.ROOT,
            "FUZZ-THROUGHPUT windows=%d window_iterations=%d baseline_frames_per_window=%.1f worst=%.3f mean=%.3f " +
            "windows_below_0.9=%d", windows, window, baselinePerWindow, worstRatio(),
            0 == windows ? 1.0 : ratioSum / windows, windowsBelow));
        out.println(String.format(Locale.ROOT, "FUZZ-RATE iterations_per_second=%.0f seconds=%.1f passes=%d",
            iterations / (elapsedNs / 1e9), elapsedNs / 1e9, passes));
        for (final String finding : tally.findings)
        {
            out.println("FUZZ-FINDING " + finding);
        }
        out.println(String.format(Locale.ROOT, "FUZZ iterations=%d crashes=%d escapes=%d oob=%d " +
            "honest_throughput_ratio=%.3f", iterations, tally.crashes, tally.escapeTotal(), tally.oob, worstRatio()));
        out.flush();
    }

    private static void addIfZero(final List<String> missing, final String name, final long hits)
    {
        if (0 == hits)
        {
            missing.add(name);
        }
    }

    /**
     * @return true when the run found nothing: no crash, escape or out-of-bounds access, and the worst window's
     *     honest throughput at least 0.9 of the baseline.
     */
    boolean isClean()
    {
        return 0 == tally.crashes && 0 == tally.escapeTotal() && 0 == tally.oob && worstRatio() >= 0.9;
    }

    public void close()
    {
        liar.close();
        engine.close();
        arena.close();
    }
}
