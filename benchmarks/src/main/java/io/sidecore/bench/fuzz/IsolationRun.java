package io.sidecore.bench.fuzz;

import io.sidecore.bench.InMemoryCounters;
import io.sidecore.bench.demo.ProxyDeviceAccess;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.launcher.Configuration;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PciConfig;
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
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code sidecore fuzz --isolation}: the attacks of issue 10 §0 one after the other, each beside honest guests, on
 * the real clock. The engine's two sidecores run on one dedicated thread here (the rig's sidecore thread calls their
 * duty cycles and times each with {@code System.nanoTime}: a pass is one duty cycle of both); the honest guests and
 * the attacker share one guest thread, the attacker taking one cheap step per round of the honest guests, so the
 * attacks load the sidecore, not the guests' core. Honest topology: {@code h0} and {@code h1} on sidecore 0,
 * {@code h2} on sidecore 1, each sending 256-byte frames to the next. The attacker owns {@code ha} (sidecore 0, its
 * sender) and {@code hp} (sidecore 0, the RX victim of its own scans) and {@code hs} (sidecore 1, a sink no driver
 * sets up).
 * <p>
 * Windows of {@code seconds} alternate: no attack, attack 1, no attack, attack 2, ...; per attack it prints the honest
 * guests' throughput (valid frames per second) as a ratio of the mean of the no-attack windows, and the p99.9 pass
 * time against theirs. Target: ratio at least 0.9 and p99.9 within 2x. Noisy on a shared machine: the numbers are
 * what this run measured.
 */
final class IsolationRun
{
    private static final long RAM_GPA = 0x4000_0000L;
    private static final int RAM_BYTES = 8 << 20;
    private static final int HONEST = 3;
    private static final int HONEST_BATCH = 32;
    private static final int FRAME_BYTES = 256;
    private static final int ATTACK_TX_DESCRIPTORS = 1024;
    private static final int RX_NULL_DESCRIPTORS = 65_528;
    private static final long ATTACK_TX_RING_GPA = RAM_GPA;
    private static final long ATTACK_RX_RING_GPA = RAM_GPA + 0x10_0000;
    private static final long ATTACK_BUFFER_GPA = RAM_GPA + 0x20_0000;
    private static final int CONTEXT_SLOT = 0x10000;

    private final int seconds;
    private final PrintStream out;
    private final PrintStream err;
    private final Arena arena = Arena.ofShared();
    private final Recorder passTimes = new Recorder(3);
    private final List<Port> ports = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(7);
    private SidecoreEngine engine;
    private EngineProxy proxy;
    private volatile boolean running = true;
    // The guests stop first: one may be waiting for the sidecore to answer a trapped access.
    private volatile boolean guestsRunning = true;
    private volatile Attack attack = Attack.NONE;
    private volatile RuntimeException guestFailure;
    private final Guest[] honest = new Guest[HONEST];
    private Guest ha;
    private Guest hp;
    private byte[] sinkMac;
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
        RESET_STORM("reset-storm");

        final String attackName;

        Attack(final String attackName)
        {
            this.attackName = attackName;
        }
    }

    IsolationRun(final int seconds, final PrintStream out, final PrintStream err)
    {
        this.seconds = seconds;
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
        final ProxyDeviceAccess access;
        final UnsafeBuffer ram;
        final MemorySegment ramSegment;
        GuestDriverModel model;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
        volatile long valid;

        Guest(final int id, final String name, final int sidecore)
        {
            mac = new byte[]{ 0x02, 0, 0, 0, 0x03, (byte)id };
            ramSegment = arena.allocate(RAM_BYTES, 4096);
            ram = new UnsafeBuffer(ramSegment.address(), RAM_BYTES);
            final GuestMemory memory = new GuestMemory();
            memory.addRegion(RAM_GPA, ramSegment);
            final RegisterImage registers = RegisterImage.allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES);
            port = proxy.addPort(new PortConfig(id, name, mac, false, PortRegionDescriptor.DEFAULT_SHARED_PAGES),
                registers, memory, line, sidecore, null);
            ports.add(port);
            access = new ProxyDeviceAccess(proxy, port, registers.doorbellPages(),
                PortRegionDescriptor.DEFAULT_SHARED_PAGES, TimeUnit.SECONDS.toNanos(5));
        }

        void driver(final byte[] destination)
        {
            model = new GuestDriverModel(access, new GuestRam(ramSegment, RAM_GPA), new GuestDriverConfig(),
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
            for (int i = 0; i < HONEST_BATCH && model.queue(frame, 0, FRAME_BYTES); i++)
            {
                continue;
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
        }
    }

    private int measure() throws InterruptedException
    {
        engine = new SidecoreEngine(Configuration.fromSystemProperties().engineContext()
            .threadingMode(ThreadingMode.INVOKER).nanoClock(new SystemNanoClock()).sidecoreCount(2)
            .countersFile(null).countersManager(InMemoryCounters.create(1024)));
        proxy = engine.proxy();
        for (int i = 0; i < HONEST; i++)
        {
            honest[i] = new Guest(i + 1, "h" + i, 2 == i ? 1 : 0);
        }
        ha = new Guest(10, "ha", 0);
        hp = new Guest(11, "hp", 0);
        final Guest hs = new Guest(12, "hs", 1);
        sinkMac = hs.mac;
        final Thread sidecore = new Thread(this::sidecoreLoop, "sidecore");
        sidecore.setDaemon(true);
        sidecore.start();
        for (int i = 0; i < HONEST; i++)
        {
            honest[i].driver(honest[(i + 1) % HONEST].mac);
        }
        setUpAttacker();
        final Thread guests = new Thread(this::guestLoop, "guests");
        guests.setDaemon(true);
        guests.start();

        out.println("sidecore fuzz --isolation: windows of " + seconds + " s, honest h0 -> h1 -> h2 -> h0 (" +
            FRAME_BYTES + "-byte frames), sidecores 0 and 1 on one thread");
        window(Attack.NONE);
        final List<double[]> baselines = new ArrayList<>();
        final List<Object[]> attacks = new ArrayList<>();
        baselines.add(window(Attack.NONE));
        for (final Attack each : Attack.values())
        {
            if (Attack.NONE != each)
            {
                attacks.add(new Object[]{ each, window(each) });
                baselines.add(window(Attack.NONE));
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
        double baselineFps = 0;
        double baselineP999 = 0;
        for (final double[] baseline : baselines)
        {
            baselineFps += baseline[0] / baselines.size();
            baselineP999 += baseline[1] / baselines.size();
        }
        out.println(String.format(Locale.ROOT, "ISOLATION attack=none honest_frames_per_second=%.0f " +
            "p999_pass_us=%.1f windows=%d", baselineFps, baselineP999 / 1000.0, baselines.size()));
        int meeting = 0;
        for (final Object[] result : attacks)
        {
            final double[] measured = (double[])result[1];
            final double ratio = measured[0] / baselineFps;
            final double passRatio = measured[1] / baselineP999;
            final boolean ok = ratio >= 0.9 && passRatio <= 2.0;
            meeting += ok ? 1 : 0;
            out.println(String.format(Locale.ROOT, "ISOLATION attack=%s honest_ratio=%.3f p999_pass_ratio=%.2f " +
                "honest_frames_per_second=%.0f p999_pass_us=%.1f max_pass_us=%.1f target=%s",
                ((Attack)result[0]).attackName, ratio, passRatio, measured[0], measured[1] / 1000.0,
                measured[2] / 1000.0, ok ? "met" : "missed"));
        }
        out.println("ISOLATION-RESULT attacks=" + attacks.size() + " meeting_target=" + meeting +
            " not_measured=colliding-mac-hash,tap-gso-bomb");
        return meeting == attacks.size() ? FuzzCommand.EXIT_OK : FuzzCommand.EXIT_FINDINGS;
    }

    /**
     * @return honest valid frames per second, p99.9 and maximum pass time in ns, over one window.
     */
    private double[] window(final Attack next) throws InterruptedException
    {
        if (!running)
        {
            return new double[]{ 0, 0, 0 };
        }
        attack = next;
        Thread.sleep(200);
        passTimes.getIntervalHistogram();
        final long validBefore = honestValid();
        final long startNs = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        final long valid = honestValid() - validBefore;
        final long elapsedNs = System.nanoTime() - startNs;
        final Histogram passes = passTimes.getIntervalHistogram();
        return new double[]{ valid / (elapsedNs / 1e9), passes.getValueAtPercentile(99.9), passes.getMaxValue() };
    }

    private long honestValid()
    {
        long valid = 0;
        for (final Guest guest : honest)
        {
            valid += guest.valid;
        }
        return valid;
    }

    private void sidecoreLoop()
    {
        try
        {
            while (running)
            {
                final long startNs = System.nanoTime();
                engine.doWork();
                passTimes.recordValue(Math.max(1, System.nanoTime() - startNs));
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
        try
        {
            while (running && guestsRunning)
            {
                for (final Guest guest : honest)
                {
                    guest.round();
                }
                attackStep(attack);
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
        putFrame(1, sinkMac, ha.mac, 1514);
        putFrame(2, new byte[]{ -1, -1, -1, -1, -1, -1 }, ha.mac, 64);
        putFrame(3, honest[0].mac, honest[1].mac, 64);
        putFrame(4, sinkMac, ha.mac, 64);
        putTsoHeaders(5);
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
