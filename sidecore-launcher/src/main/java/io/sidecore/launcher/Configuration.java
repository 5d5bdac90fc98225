package io.sidecore.launcher;

import io.sidecore.engine.EngineContext;
import io.sidecore.engine.agent.EventFdKick;
import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.agent.ThreadKick;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.SystemUtil;

import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * Every setting of the sidecore daemon, declared once: a {@code *_PROP_NAME} (a system property, usually loaded from
 * the daemon's properties file), a {@code *_DEFAULT}, and a static accessor that reads the property and falls back
 * to the default. Sizes accept the suffixes {@code k}, {@code m}, {@code g}; durations {@code ns}, {@code us},
 * {@code ms}, {@code s}. A value that does not parse makes the accessor throw {@link IllegalArgumentException}
 * naming the property; ranges are checked by {@link EngineContext#conclude()} (engine settings) and by
 * {@link #cores()} / {@link #sharedPages()} here.
 * <p>
 * {@link #engineContext()} builds the engine's context from these settings; no other class holds a default.
 */
public final class Configuration
{
    /**
     * Number of sidecores: agents, each on its own pinned core, each owning a shard of the ports.
     */
    public static final String SIDECORE_COUNT_PROP_NAME = "sidecore.sidecores";
    /** Default of {@link #SIDECORE_COUNT_PROP_NAME}: one sidecore. */
    public static final int SIDECORE_COUNT_DEFAULT = 1;

    /**
     * Cores to pin the sidecores to, one per sidecore in index order, comma-separated (e.g. {@code 1} or
     * {@code 2,3}). Empty: do not pin (the launcher then pins to a free core when one exists, else not at all).
     */
    public static final String CORES_PROP_NAME = "sidecore.cores";
    /** Default of {@link #CORES_PROP_NAME}: not set. */
    public static final String CORES_DEFAULT = "";

    /**
     * Idle strategy of the sidecores when a duty cycle found no work: {@code busy} (spin; for a dedicated core) or
     * {@code adaptive} (spin, yield, then park up to {@link #IDLE_MAX_PARK_PROP_NAME}; CSB guests are asked to kick).
     */
    public static final String IDLE_STRATEGY_PROP_NAME = "sidecore.idle.strategy";
    /** Default of {@link #IDLE_STRATEGY_PROP_NAME}: busy spinning. */
    public static final String IDLE_STRATEGY_DEFAULT = SidecoreIdleStrategy.BUSY;

    /** Adaptive idle: idle duty cycles spent spinning before yielding. */
    public static final String IDLE_SPINS_PROP_NAME = "sidecore.idle.spins";
    /** Default of {@link #IDLE_SPINS_PROP_NAME}. */
    public static final int IDLE_SPINS_DEFAULT = 1000;

    /** Adaptive idle: idle duty cycles spent yielding before parking. */
    public static final String IDLE_YIELDS_PROP_NAME = "sidecore.idle.yields";
    /** Default of {@link #IDLE_YIELDS_PROP_NAME}. */
    public static final int IDLE_YIELDS_DEFAULT = 100;

    /** Adaptive idle: the first park period; periods double up to {@link #IDLE_MAX_PARK_PROP_NAME}. */
    public static final String IDLE_MIN_PARK_PROP_NAME = "sidecore.idle.min.park";
    /** Default of {@link #IDLE_MIN_PARK_PROP_NAME}: 1 µs. */
    public static final long IDLE_MIN_PARK_DEFAULT_NS = 1_000L;

    /**
     * Adaptive idle: the park bound, i.e. the longest a non-CSB guest's doorbell can wait for a parked sidecore.
     */
    public static final String IDLE_MAX_PARK_PROP_NAME = "sidecore.idle.max.park";
    /** Default of {@link #IDLE_MAX_PARK_PROP_NAME}: 50 µs. */
    public static final long IDLE_MAX_PARK_DEFAULT_NS = 50_000L;

    /**
     * How a parked sidecore is woken: {@value #KICK_EVENTFD} (it waits in {@code ppoll} on its own eventfd, which CSB
     * guests in other processes write when the CSB asks them to kick) or {@value #KICK_THREAD} (an in-JVM park/unpark:
     * only threads of the daemon can wake it, so a CSB guest's kick waits for the park to time out).
     */
    public static final String KICK_PROP_NAME = "sidecore.idle.kick";
    /** {@link #KICK_PROP_NAME} value: one eventfd per sidecore ({@code EventFdKick}). */
    public static final String KICK_EVENTFD = "eventfd";
    /** {@link #KICK_PROP_NAME} value: {@code LockSupport} park/unpark ({@code ThreadKick}). */
    public static final String KICK_THREAD = "thread";
    /** Default of {@link #KICK_PROP_NAME}: eventfd. */
    public static final String KICK_DEFAULT = KICK_EVENTFD;

    /** The counters file other processes (sidecore stat) map to read every counter. */
    public static final String COUNTERS_FILE_PROP_NAME = "sidecore.counters.file";
    /** Default of {@link #COUNTERS_FILE_PROP_NAME}: in shared memory. */
    public static final String COUNTERS_FILE_DEFAULT = io.sidecore.shm.CountersFileDescriptor.DEFAULT_FILE;

    /** Counters the counters file holds; each port takes up to 64 and each sidecore up to 32. */
    public static final String MAX_COUNTERS_PROP_NAME = "sidecore.counters.max";
    /** Default of {@link #MAX_COUNTERS_PROP_NAME}: room for 250 ports on 4 sidecores. */
    public static final int MAX_COUNTERS_DEFAULT = 16384;

    /** Bytes of the counters file's error log, where distinct engine errors are recorded with their counts. */
    public static final String ERROR_LOG_LENGTH_PROP_NAME = "sidecore.error.log.length";
    /** Default of {@link #ERROR_LOG_LENGTH_PROP_NAME}: 1 MiB. */
    public static final int ERROR_LOG_LENGTH_DEFAULT = 1024 * 1024;

    /** Directory of the control socket and of the per-port vfio-user device sockets. */
    public static final String SOCKET_DIR_PROP_NAME = "sidecore.socket.dir";
    /** Default of {@link #SOCKET_DIR_PROP_NAME}. */
    public static final String SOCKET_DIR_DEFAULT = "/run/sidecore";

    /** Capacity of each sidecore's command queue (trapped accesses and control commands), a power of two. */
    public static final String COMMAND_QUEUE_CAPACITY_PROP_NAME = "sidecore.command.queue.capacity";
    /** Default of {@link #COMMAND_QUEUE_CAPACITY_PROP_NAME}. */
    public static final int COMMAND_QUEUE_CAPACITY_DEFAULT = 1024;

    /** Commands a sidecore executes per duty cycle at most (Aeron's COMMAND_DRAIN_LIMIT). */
    public static final String COMMAND_DRAIN_LIMIT_PROP_NAME = "sidecore.command.drain.limit";
    /** Default of {@link #COMMAND_DRAIN_LIMIT_PROP_NAME}. */
    public static final int COMMAND_DRAIN_LIMIT_DEFAULT = 16;

    /** How long a trapped access or control command waits for its sidecore before failing. */
    public static final String COMMAND_TIMEOUT_PROP_NAME = "sidecore.command.timeout";
    /** Default of {@link #COMMAND_TIMEOUT_PROP_NAME}: 1 s. */
    public static final long COMMAND_TIMEOUT_DEFAULT_NS = 1_000_000_000L;

    /** Ports one sidecore can own. */
    public static final String MAX_PORTS_PER_SIDECORE_PROP_NAME = "sidecore.max.ports.per.sidecore";
    /** Default of {@link #MAX_PORTS_PER_SIDECORE_PROP_NAME}. */
    public static final int MAX_PORTS_PER_SIDECORE_DEFAULT = 256;

    /** Ports the built-in L2 switch can hold across all sidecores. */
    public static final String SWITCH_MAX_PORTS_PROP_NAME = "sidecore.switch.max.ports";
    /** Default of {@link #SWITCH_MAX_PORTS_PROP_NAME}. */
    public static final int SWITCH_MAX_PORTS_DEFAULT = 1024;

    /** Slots of each sidecore's MAC table, a power of two; at most three quarters are filled. */
    public static final String MAC_TABLE_CAPACITY_PROP_NAME = "sidecore.switch.mac.table.capacity";
    /** Default of {@link #MAC_TABLE_CAPACITY_PROP_NAME}. */
    public static final int MAC_TABLE_CAPACITY_DEFAULT = 4096;

    /** How long a learned MAC address stays valid without being seen (the Linux bridge ageing time). */
    public static final String MAC_AGING_PROP_NAME = "sidecore.switch.mac.aging";
    /** Default of {@link #MAC_AGING_PROP_NAME}: 300 s. */
    public static final long MAC_AGING_DEFAULT_NS = 300_000_000_000L;

    /** MAC table slots the aging sweep examines per duty cycle. */
    public static final String MAC_AGING_SWEEP_LIMIT_PROP_NAME = "sidecore.switch.aging.sweep.limit";
    /** Default of {@link #MAC_AGING_SWEEP_LIMIT_PROP_NAME}. */
    public static final int MAC_AGING_SWEEP_LIMIT_DEFAULT = 8;

    /** Bytes of each SPSC ring carrying switched frames between two sidecores, a power of two. */
    public static final String CROSS_SHARD_RING_LENGTH_PROP_NAME = "sidecore.cross.shard.ring.length";
    /** Default of {@link #CROSS_SHARD_RING_LENGTH_PROP_NAME}: 1 MiB (frames up to 128 KiB). */
    public static final int CROSS_SHARD_RING_LENGTH_DEFAULT = 1024 * 1024;

    /** Frames a sidecore takes from each inbound cross-sidecore ring per duty cycle at most. */
    public static final String CROSS_SHARD_DRAIN_LIMIT_PROP_NAME = "sidecore.cross.shard.drain.limit";
    /** Default of {@link #CROSS_SHARD_DRAIN_LIMIT_PROP_NAME}. */
    public static final int CROSS_SHARD_DRAIN_LIMIT_DEFAULT = 256;

    /** Per port, default: TX descriptors processed per pass (fairness between guests). */
    public static final String PORT_TX_DESCRIPTOR_BUDGET_PROP_NAME = "sidecore.port.tx.descriptor.budget";
    /** Default of {@link #PORT_TX_DESCRIPTOR_BUDGET_PROP_NAME}. */
    public static final int PORT_TX_DESCRIPTOR_BUDGET_DEFAULT = 64;

    /** Per port, default: TX frame bytes per pass. */
    public static final String PORT_TX_BYTE_BUDGET_PROP_NAME = "sidecore.port.tx.byte.budget";
    /** Default of {@link #PORT_TX_BYTE_BUDGET_PROP_NAME}: 256 KiB (four 64 KiB TSO sends). */
    public static final long PORT_TX_BYTE_BUDGET_DEFAULT = 256 * 1024;

    /** Per port, default: frames moved from the backend into the guest per pass. */
    public static final String PORT_RX_FRAME_BUDGET_PROP_NAME = "sidecore.port.rx.frame.budget";
    /** Default of {@link #PORT_RX_FRAME_BUDGET_PROP_NAME}. */
    public static final int PORT_RX_FRAME_BUDGET_DEFAULT = 64;

    /** Per port, default: sustained TX frames per second, 0 for no limit. */
    public static final String PORT_TX_RATE_FRAMES_PROP_NAME = "sidecore.port.tx.rate.frames";
    /** Default of {@link #PORT_TX_RATE_FRAMES_PROP_NAME}: no limit. */
    public static final long PORT_TX_RATE_FRAMES_DEFAULT = PortSettings.UNLIMITED;

    /** Per port, default: TX frames that may go at once after an idle period, when a frame rate is set. */
    public static final String PORT_TX_BURST_FRAMES_PROP_NAME = "sidecore.port.tx.burst.frames";
    /** Default of {@link #PORT_TX_BURST_FRAMES_PROP_NAME}. */
    public static final long PORT_TX_BURST_FRAMES_DEFAULT = 64;

    /** Per port, default: sustained TX bytes per second, 0 for no limit. */
    public static final String PORT_TX_RATE_BYTES_PROP_NAME = "sidecore.port.tx.rate.bytes";
    /** Default of {@link #PORT_TX_RATE_BYTES_PROP_NAME}: no limit. */
    public static final long PORT_TX_RATE_BYTES_DEFAULT = PortSettings.UNLIMITED;

    /** Per port, default: TX bytes that may go at once after an idle period, when a byte rate is set. */
    public static final String PORT_TX_BURST_BYTES_PROP_NAME = "sidecore.port.tx.burst.bytes";
    /** Default of {@link #PORT_TX_BURST_BYTES_PROP_NAME}: 256 KiB. */
    public static final long PORT_TX_BURST_BYTES_DEFAULT = 256 * 1024;

    /**
     * Per port, default: BAR0 pages shared with the guest and polled instead of trapped, as comma-separated page
     * offsets (e.g. {@code 0x2000,0x3000}, the RX and TX ring pages with the RDT and TDT doorbells).
     */
    public static final String PORT_SHARED_PAGES_PROP_NAME = "sidecore.port.shared.pages";
    /** Default of {@link #PORT_SHARED_PAGES_PROP_NAME}: the two doorbell pages. */
    public static final String PORT_SHARED_PAGES_DEFAULT = "0x2000,0x3000";

    /** Per port, default: whether ports offer the CSB paravirtual extension (PCI subsystem id 0x1101). */
    public static final String PORT_CSB_OFFERED_PROP_NAME = "sidecore.port.csb.offered";
    /** Default of {@link #PORT_CSB_OFFERED_PROP_NAME}: a plain 82540EM. */
    public static final boolean PORT_CSB_OFFERED_DEFAULT = false;

    /**
     * Floor on the interval between two interrupts of a port, applied like ITR (the window after each interrupt is
     * the larger of the guest's ITR and this floor, even when the guest sets ITR = 0); 0 moderates exactly as the
     * guest programs ITR/TIDV/TADV/RDTR/RADV. QEMU's newest e1000 hard-codes 128 µs ({@code 128us} here); a positive
     * value caps every guest's interrupt rate at 1/floor.
     */
    public static final String MIN_MODERATION_DELAY_PROP_NAME = "sidecore.moderation.min.delay";
    /** Default of {@link #MIN_MODERATION_DELAY_PROP_NAME}: exact. */
    public static final long MIN_MODERATION_DELAY_DEFAULT_NS = 0L;

    /** Window over which each sidecore's busy ratio counter is computed. */
    public static final String BUSY_RATIO_WINDOW_PROP_NAME = "sidecore.busy.ratio.window";
    /** Default of {@link #BUSY_RATIO_WINDOW_PROP_NAME}: 1 s. */
    public static final long BUSY_RATIO_WINDOW_DEFAULT_NS = 1_000_000_000L;

    /** A busy duty cycle longer than this is counted in {@code cycle_time_threshold_exceeded}. */
    public static final String CYCLE_TIME_THRESHOLD_PROP_NAME = "sidecore.cycle.time.threshold";
    /** Default of {@link #CYCLE_TIME_THRESHOLD_PROP_NAME}: 1 ms. */
    public static final long CYCLE_TIME_THRESHOLD_DEFAULT_NS = 1_000_000L;

    /** Synthetic guest: descriptors in its TX ring (a multiple of 8, at most 65536). */
    public static final String GUEST_TX_RING_DESCRIPTORS_PROP_NAME = "sidecore.guest.tx.ring.descriptors";
    /** Default of {@link #GUEST_TX_RING_DESCRIPTORS_PROP_NAME}: Linux e1000's default. */
    public static final int GUEST_TX_RING_DESCRIPTORS_DEFAULT = 256;

    /** Synthetic guest: descriptors in its RX ring (a multiple of 8, at most 65536). */
    public static final String GUEST_RX_RING_DESCRIPTORS_PROP_NAME = "sidecore.guest.rx.ring.descriptors";
    /** Default of {@link #GUEST_RX_RING_DESCRIPTORS_PROP_NAME}: Linux e1000's default. */
    public static final int GUEST_RX_RING_DESCRIPTORS_DEFAULT = 256;

    private Configuration()
    {
    }

    /**
     * @return {@link #SIDECORE_COUNT_PROP_NAME}.
     */
    public static int sidecoreCount()
    {
        return intProperty(SIDECORE_COUNT_PROP_NAME, SIDECORE_COUNT_DEFAULT);
    }

    /**
     * @return {@link #CORES_PROP_NAME} as core numbers, empty when not set.
     * @throws IllegalArgumentException when an entry is not a non-negative integer or a core repeats.
     */
    public static int[] cores()
    {
        return parseCores(SystemUtil.getProperty(CORES_PROP_NAME, CORES_DEFAULT));
    }

    /**
     * @return {@link #IDLE_STRATEGY_PROP_NAME}.
     */
    public static String idleStrategy()
    {
        return SystemUtil.getProperty(IDLE_STRATEGY_PROP_NAME, IDLE_STRATEGY_DEFAULT).trim();
    }

    /**
     * @return {@link #KICK_PROP_NAME}, {@value #KICK_EVENTFD} or {@value #KICK_THREAD}.
     * @throws IllegalArgumentException naming the property for any other value.
     */
    public static String kick()
    {
        final String value = SystemUtil.getProperty(KICK_PROP_NAME, KICK_DEFAULT).trim();
        if (!KICK_EVENTFD.equals(value) && !KICK_THREAD.equals(value))
        {
            throw new IllegalArgumentException(KICK_PROP_NAME + " must be '" + KICK_EVENTFD + "' or '" + KICK_THREAD +
                "': " + value);
        }
        return value;
    }

    /**
     * @return makes each sidecore's {@link Kick} as {@link #KICK_PROP_NAME} says.
     */
    public static IntFunction<Kick> kickFactory()
    {
        return KICK_THREAD.equals(kick()) ? index -> new ThreadKick() : index -> EventFdKick.create();
    }

    /**
     * @return {@link #IDLE_SPINS_PROP_NAME}.
     */
    public static int idleSpins()
    {
        return intProperty(IDLE_SPINS_PROP_NAME, IDLE_SPINS_DEFAULT);
    }

    /**
     * @return {@link #IDLE_YIELDS_PROP_NAME}.
     */
    public static int idleYields()
    {
        return intProperty(IDLE_YIELDS_PROP_NAME, IDLE_YIELDS_DEFAULT);
    }

    /**
     * @return {@link #IDLE_MIN_PARK_PROP_NAME} in ns.
     */
    public static long idleMinParkNs()
    {
        return durationProperty(IDLE_MIN_PARK_PROP_NAME, IDLE_MIN_PARK_DEFAULT_NS);
    }

    /**
     * @return {@link #IDLE_MAX_PARK_PROP_NAME} in ns.
     */
    public static long idleMaxParkNs()
    {
        return durationProperty(IDLE_MAX_PARK_PROP_NAME, IDLE_MAX_PARK_DEFAULT_NS);
    }

    /**
     * @return {@link #COUNTERS_FILE_PROP_NAME}.
     */
    public static Path countersFile()
    {
        return Path.of(SystemUtil.getProperty(COUNTERS_FILE_PROP_NAME, COUNTERS_FILE_DEFAULT));
    }

    /**
     * @return {@link #MAX_COUNTERS_PROP_NAME}.
     */
    public static int maxCounters()
    {
        return intProperty(MAX_COUNTERS_PROP_NAME, MAX_COUNTERS_DEFAULT);
    }

    /**
     * @return {@link #ERROR_LOG_LENGTH_PROP_NAME} in bytes.
     */
    public static int errorLogLength()
    {
        return sizeProperty(ERROR_LOG_LENGTH_PROP_NAME, ERROR_LOG_LENGTH_DEFAULT);
    }

    /**
     * @return {@link #SOCKET_DIR_PROP_NAME}.
     */
    public static Path socketDir()
    {
        return Path.of(SystemUtil.getProperty(SOCKET_DIR_PROP_NAME, SOCKET_DIR_DEFAULT));
    }

    /**
     * @return {@link #COMMAND_QUEUE_CAPACITY_PROP_NAME}.
     */
    public static int commandQueueCapacity()
    {
        return sizeProperty(COMMAND_QUEUE_CAPACITY_PROP_NAME, COMMAND_QUEUE_CAPACITY_DEFAULT);
    }

    /**
     * @return {@link #COMMAND_DRAIN_LIMIT_PROP_NAME}.
     */
    public static int commandDrainLimit()
    {
        return intProperty(COMMAND_DRAIN_LIMIT_PROP_NAME, COMMAND_DRAIN_LIMIT_DEFAULT);
    }

    /**
     * @return {@link #COMMAND_TIMEOUT_PROP_NAME} in ns.
     */
    public static long commandTimeoutNs()
    {
        return durationProperty(COMMAND_TIMEOUT_PROP_NAME, COMMAND_TIMEOUT_DEFAULT_NS);
    }

    /**
     * @return {@link #MAX_PORTS_PER_SIDECORE_PROP_NAME}.
     */
    public static int maxPortsPerSidecore()
    {
        return intProperty(MAX_PORTS_PER_SIDECORE_PROP_NAME, MAX_PORTS_PER_SIDECORE_DEFAULT);
    }

    /**
     * @return {@link #SWITCH_MAX_PORTS_PROP_NAME}.
     */
    public static int switchMaxPorts()
    {
        return intProperty(SWITCH_MAX_PORTS_PROP_NAME, SWITCH_MAX_PORTS_DEFAULT);
    }

    /**
     * @return {@link #MAC_TABLE_CAPACITY_PROP_NAME}.
     */
    public static int macTableCapacity()
    {
        return sizeProperty(MAC_TABLE_CAPACITY_PROP_NAME, MAC_TABLE_CAPACITY_DEFAULT);
    }

    /**
     * @return {@link #MAC_AGING_PROP_NAME} in ns.
     */
    public static long macAgingNs()
    {
        return durationProperty(MAC_AGING_PROP_NAME, MAC_AGING_DEFAULT_NS);
    }

    /**
     * @return {@link #MAC_AGING_SWEEP_LIMIT_PROP_NAME}.
     */
    public static int macAgingSweepLimit()
    {
        return intProperty(MAC_AGING_SWEEP_LIMIT_PROP_NAME, MAC_AGING_SWEEP_LIMIT_DEFAULT);
    }

    /**
     * @return {@link #CROSS_SHARD_RING_LENGTH_PROP_NAME} in bytes.
     */
    public static int crossShardRingLength()
    {
        return sizeProperty(CROSS_SHARD_RING_LENGTH_PROP_NAME, CROSS_SHARD_RING_LENGTH_DEFAULT);
    }

    /**
     * @return {@link #CROSS_SHARD_DRAIN_LIMIT_PROP_NAME}.
     */
    public static int crossShardDrainLimit()
    {
        return intProperty(CROSS_SHARD_DRAIN_LIMIT_PROP_NAME, CROSS_SHARD_DRAIN_LIMIT_DEFAULT);
    }

    /**
     * @return {@link #PORT_TX_DESCRIPTOR_BUDGET_PROP_NAME}.
     */
    public static int portTxDescriptorBudget()
    {
        return intProperty(PORT_TX_DESCRIPTOR_BUDGET_PROP_NAME, PORT_TX_DESCRIPTOR_BUDGET_DEFAULT);
    }

    /**
     * @return {@link #PORT_TX_BYTE_BUDGET_PROP_NAME} in bytes.
     */
    public static long portTxByteBudget()
    {
        return longSizeProperty(PORT_TX_BYTE_BUDGET_PROP_NAME, PORT_TX_BYTE_BUDGET_DEFAULT);
    }

    /**
     * @return {@link #PORT_RX_FRAME_BUDGET_PROP_NAME}.
     */
    public static int portRxFrameBudget()
    {
        return intProperty(PORT_RX_FRAME_BUDGET_PROP_NAME, PORT_RX_FRAME_BUDGET_DEFAULT);
    }

    /**
     * @return {@link #PORT_TX_RATE_FRAMES_PROP_NAME}.
     */
    public static long portTxRateFrames()
    {
        return longSizeProperty(PORT_TX_RATE_FRAMES_PROP_NAME, PORT_TX_RATE_FRAMES_DEFAULT);
    }

    /**
     * @return {@link #PORT_TX_BURST_FRAMES_PROP_NAME}.
     */
    public static long portTxBurstFrames()
    {
        return longSizeProperty(PORT_TX_BURST_FRAMES_PROP_NAME, PORT_TX_BURST_FRAMES_DEFAULT);
    }

    /**
     * @return {@link #PORT_TX_RATE_BYTES_PROP_NAME}.
     */
    public static long portTxRateBytes()
    {
        return longSizeProperty(PORT_TX_RATE_BYTES_PROP_NAME, PORT_TX_RATE_BYTES_DEFAULT);
    }

    /**
     * @return {@link #PORT_TX_BURST_BYTES_PROP_NAME}.
     */
    public static long portTxBurstBytes()
    {
        return longSizeProperty(PORT_TX_BURST_BYTES_PROP_NAME, PORT_TX_BURST_BYTES_DEFAULT);
    }

    /**
     * @return {@link #PORT_SHARED_PAGES_PROP_NAME} as a page bitmap (bit n = BAR0 page n), the form
     *         {@link PortRegionDescriptor#SHARED_PAGES_FIELD_OFFSET} stores.
     * @throws IllegalArgumentException when an entry is not a page-aligned offset inside BAR0.
     */
    public static int sharedPages()
    {
        return parseSharedPages(SystemUtil.getProperty(PORT_SHARED_PAGES_PROP_NAME, PORT_SHARED_PAGES_DEFAULT));
    }

    /**
     * @return {@link #PORT_CSB_OFFERED_PROP_NAME}.
     */
    public static boolean portCsbOffered()
    {
        final String value = SystemUtil.getProperty(PORT_CSB_OFFERED_PROP_NAME);
        if (null == value)
        {
            return PORT_CSB_OFFERED_DEFAULT;
        }
        final String trimmed = value.trim();
        if ("true".equalsIgnoreCase(trimmed))
        {
            return true;
        }
        if ("false".equalsIgnoreCase(trimmed))
        {
            return false;
        }
        throw new IllegalArgumentException(PORT_CSB_OFFERED_PROP_NAME + " must be true or false: " + value);
    }

    /**
     * @return {@link #MIN_MODERATION_DELAY_PROP_NAME} in ns.
     */
    public static long minModerationDelayNs()
    {
        return durationProperty(MIN_MODERATION_DELAY_PROP_NAME, MIN_MODERATION_DELAY_DEFAULT_NS);
    }

    /**
     * @return {@link #BUSY_RATIO_WINDOW_PROP_NAME} in ns.
     */
    public static long busyRatioWindowNs()
    {
        return durationProperty(BUSY_RATIO_WINDOW_PROP_NAME, BUSY_RATIO_WINDOW_DEFAULT_NS);
    }

    /**
     * @return {@link #CYCLE_TIME_THRESHOLD_PROP_NAME} in ns.
     */
    public static long cycleTimeThresholdNs()
    {
        return durationProperty(CYCLE_TIME_THRESHOLD_PROP_NAME, CYCLE_TIME_THRESHOLD_DEFAULT_NS);
    }

    /**
     * @return {@link #GUEST_TX_RING_DESCRIPTORS_PROP_NAME}, checked.
     */
    public static int guestTxRingDescriptors()
    {
        return ringDescriptors(GUEST_TX_RING_DESCRIPTORS_PROP_NAME, GUEST_TX_RING_DESCRIPTORS_DEFAULT);
    }

    /**
     * @return {@link #GUEST_RX_RING_DESCRIPTORS_PROP_NAME}, checked.
     */
    public static int guestRxRingDescriptors()
    {
        return ringDescriptors(GUEST_RX_RING_DESCRIPTORS_PROP_NAME, GUEST_RX_RING_DESCRIPTORS_DEFAULT);
    }

    /**
     * The per-port defaults as one value.
     *
     * @return the settings a new port starts with.
     * @throws IllegalArgumentException naming the first bad value.
     */
    public static PortSettings portDefaults()
    {
        return new PortSettings(
            portTxDescriptorBudget(),
            portTxByteBudget(),
            portRxFrameBudget(),
            portTxRateFrames(),
            portTxBurstFrames(),
            portTxRateBytes(),
            portTxBurstBytes());
    }

    /**
     * An engine context filled from every engine setting, not yet concluded (the caller may still change it,
     * e.g. the threading mode or the clock, and must call {@link EngineContext#conclude()}).
     *
     * @return the context.
     */
    public static EngineContext engineContext()
    {
        return new EngineContext()
            .sidecoreCount(sidecoreCount())
            .idleStrategy(idleStrategy())
            .idleSpins(idleSpins())
            .idleYields(idleYields())
            .idleMinParkNs(idleMinParkNs())
            .idleMaxParkNs(idleMaxParkNs())
            .kickFactory(kickFactory())
            .countersFile(countersFile())
            .maxCounters(maxCounters())
            .errorLogLengthBytes(errorLogLength())
            .commandQueueCapacity(commandQueueCapacity())
            .commandDrainLimit(commandDrainLimit())
            .commandTimeoutNs(commandTimeoutNs())
            .maxPortsPerSidecore(maxPortsPerSidecore())
            .maxSwitchPorts(switchMaxPorts())
            .macTableCapacity(macTableCapacity())
            .macAgingNs(macAgingNs())
            .macAgingSweepLimit(macAgingSweepLimit())
            .crossShardRingLengthBytes(crossShardRingLength())
            .crossShardDrainLimit(crossShardDrainLimit())
            .portDefaults(portDefaults())
            .minModerationDelayNs(minModerationDelayNs())
            .busyRatioWindowNs(busyRatioWindowNs())
            .cycleTimeThresholdNs(cycleTimeThresholdNs());
    }

    /**
     * Parse a core list.
     *
     * @param value comma-separated core numbers, or empty.
     * @return the cores.
     * @throws IllegalArgumentException naming {@link #CORES_PROP_NAME}.
     */
    static int[] parseCores(final String value)
    {
        final String trimmed = value.trim();
        if (trimmed.isEmpty())
        {
            return new int[0];
        }
        final String[] parts = trimmed.split(",");
        final int[] cores = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            final String part = parts[i].trim();
            try
            {
                cores[i] = Integer.parseInt(part);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(CORES_PROP_NAME + " must list core numbers: '" + part + "' in '" +
                    value + "'", ex);
            }
            if (cores[i] < 0)
            {
                throw new IllegalArgumentException(CORES_PROP_NAME + " must not contain negative cores: " + value);
            }
            for (int j = 0; j < i; j++)
            {
                if (cores[j] == cores[i])
                {
                    throw new IllegalArgumentException(CORES_PROP_NAME + " lists core " + cores[i] + " twice: " +
                        value);
                }
            }
        }
        return cores;
    }

    /**
     * Parse a shared-pages list.
     *
     * @param value comma-separated BAR0 page offsets (decimal or 0x-hex).
     * @return the page bitmap.
     * @throws IllegalArgumentException naming {@link #PORT_SHARED_PAGES_PROP_NAME}.
     */
    static int parseSharedPages(final String value)
    {
        final String trimmed = value.trim();
        if (trimmed.isEmpty())
        {
            return 0;
        }
        int bitmap = 0;
        for (final String rawPart : trimmed.split(","))
        {
            final String part = rawPart.trim();
            final long offset;
            try
            {
                offset = part.startsWith("0x") || part.startsWith("0X") ?
                    Long.parseLong(part.substring(2), 16) : Long.parseLong(part);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(PORT_SHARED_PAGES_PROP_NAME + " must list BAR0 page offsets: '" +
                    part + "'", ex);
            }
            if (offset < 0 || offset >= E1000Registers.BAR0_LENGTH || 0 != offset % E1000Registers.PAGE_LENGTH)
            {
                throw new IllegalArgumentException(PORT_SHARED_PAGES_PROP_NAME +
                    " entries must be page-aligned offsets inside BAR0 (0x0 to 0x1f000): " + part);
            }
            bitmap |= 1 << (int)(offset / E1000Registers.PAGE_LENGTH);
        }
        return bitmap;
    }

    private static int ringDescriptors(final String name, final int defaultValue)
    {
        final int value = intProperty(name, defaultValue);
        if (value < 8 || value > 65536 || 0 != value % 8)
        {
            throw new IllegalArgumentException(name + " must be a multiple of 8 in [8, 65536]: " + value);
        }
        return value;
    }

    private static int intProperty(final String name, final int defaultValue)
    {
        final String value = SystemUtil.getProperty(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be an integer: " + value, ex);
        }
    }

    private static int sizeProperty(final String name, final int defaultValue)
    {
        final long value = longSizeProperty(name, defaultValue);
        if (value > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(name + " must be below 2 GiB: " + value);
        }
        return (int)value;
    }

    private static long longSizeProperty(final String name, final long defaultValue)
    {
        final String value = SystemUtil.getProperty(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            return SystemUtil.parseSize(name, value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be a size (e.g. 4096, 64k, 1m): " + value, ex);
        }
    }

    private static long durationProperty(final String name, final long defaultValueNs)
    {
        final String value = SystemUtil.getProperty(name);
        if (null == value)
        {
            return defaultValueNs;
        }
        try
        {
            return SystemUtil.parseDuration(name, value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be a duration (e.g. 50us, 10ms, 1s): " + value, ex);
        }
    }
}
