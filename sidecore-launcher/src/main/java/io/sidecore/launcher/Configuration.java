package io.sidecore.launcher;

import io.sidecore.engine.EngineContext;
import io.sidecore.engine.agent.EventFdKick;
import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.agent.ThreadKick;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RxProcessor;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.launcher.control.ControlServer;
import io.sidecore.launcher.control.PeerPolicy;
import io.sidecore.launcher.control.PortEndpointSettings;
import io.sidecore.launcher.control.PortRegistry;
import io.sidecore.launcher.daemon.Daemon;
import io.sidecore.launcher.daemon.DaemonDirectories;
import io.sidecore.shm.control.DaemonFiles;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Every setting of the sidecore daemon, declared once: a {@link Setting} constant with its property name, default,
 * documentation, parser and reader. {@link #SETTINGS} lists them in declaration order; the README's settings table
 * is {@link #markdownTable()} (a test keeps the two equal).
 * <p>
 * A configuration is a set of values read from a properties file ({@link #load(Path)}), none
 * ({@link #defaults()}), or the JVM's system properties ({@link #fromSystemProperties()}, for the in-process demo).
 * {@link #get(Setting)} parses a value or its default; a value that does not parse or is out of range throws a
 * {@link ConfigurationException} whose message names the key and the value. {@link #validate()} parses every
 * setting at once and rejects unknown {@code sidecore.} keys, so a daemon with a bad file stops before it starts.
 * <p>
 * The engine's names are the settings' names: a setting read by {@link EngineContext}, {@link PortSettings} or
 * {@link PortConfig} is read by the member whose name is the key (after {@code sidecore.} or {@code sidecore.port.})
 * in camel case, with a unit suffix where the setting has one ({@code sidecore.idle.max.park} →
 * {@code idleMaxParkNs}). Port declarations ({@link #PORTS} and {@code sidecore.ports.<name>.<field>}) use the
 * control protocol's field names.
 */
public final class Configuration
{
    /** {@link #CORES} value: one sidecore, pinned to a core that no other process holds, if there is one. */
    public static final String CORES_AUTO = "auto";
    /** {@link #KICK} value: one eventfd per sidecore ({@code EventFdKick}). */
    public static final String KICK_EVENTFD = "eventfd";
    /** {@link #KICK} value: {@code LockSupport} park/unpark ({@code ThreadKick}). */
    public static final String KICK_THREAD = "thread";
    /** Prefix of the keys of a port declared in the file: {@code sidecore.ports.<name>.<field>}. */
    public static final String PORT_DECLARATION_PREFIX = "sidecore.ports.";

    private static final List<Setting<?>> DECLARED = new ArrayList<>();

    /** Cores of the sidecores: one sidecore per core listed, pinned to it. */
    public static final Setting<int[]> CORES = declare("sidecore.cores", CORES_AUTO,
        "Cores of the sidecores, one sidecore pinned to each: a list such as `1` or `2-3,6`, or `auto` for one " +
        "sidecore on a core no other process holds. A core that does not exist or is taken is a warning; that " +
        "sidecore then runs unpinned.",
        SettingParsers::cores, Daemon.class, "cores");

    /** Idle strategy. */
    public static final Setting<String> IDLE_STRATEGY = declare("sidecore.idle.strategy", SidecoreIdleStrategy.BUSY,
        "What a sidecore does when a duty cycle found no work: `busy` (spin; for a dedicated core) or `adaptive` " +
        "(spin, yield, then park up to sidecore.idle.max.park; CSB guests are asked to kick).",
        SettingParsers.choice(SidecoreIdleStrategy.BUSY, SidecoreIdleStrategy.ADAPTIVE),
        EngineContext.class, "idleStrategy");

    /** Adaptive idle spins. */
    public static final Setting<Long> IDLE_SPINS = declare("sidecore.idle.spins", "1000",
        "Adaptive idle: idle duty cycles spent spinning before yielding.",
        SettingParsers.longInteger(0, Integer.MAX_VALUE), EngineContext.class, "idleSpins");

    /** Adaptive idle yields. */
    public static final Setting<Long> IDLE_YIELDS = declare("sidecore.idle.yields", "100",
        "Adaptive idle: idle duty cycles spent yielding before parking.",
        SettingParsers.longInteger(0, Integer.MAX_VALUE), EngineContext.class, "idleYields");

    /** Adaptive idle first park. */
    public static final Setting<Long> IDLE_MIN_PARK = declare("sidecore.idle.min.park", "1us",
        "Adaptive idle: the first park period; periods double up to sidecore.idle.max.park.",
        SettingParsers.durationNs(1, 1_000_000_000L), EngineContext.class, "idleMinParkNs");

    /** Adaptive idle park bound. */
    public static final Setting<Long> IDLE_MAX_PARK = declare("sidecore.idle.max.park", "50us",
        "Adaptive idle: the park bound, the longest a non-CSB guest's doorbell can wait for a parked sidecore.",
        SettingParsers.durationNs(1, 1_000_000_000L), EngineContext.class, "idleMaxParkNs");

    /** How a parked sidecore is woken. */
    public static final Setting<String> KICK = declare("sidecore.kick", KICK_EVENTFD,
        "How a parked sidecore is woken: `eventfd` (it waits in ppoll on its own eventfd, which CSB guests in " +
        "other processes write) or `thread` (in-JVM park/unpark: a CSB guest's kick waits for the park to end).",
        SettingParsers.choice(KICK_EVENTFD, KICK_THREAD), EngineContext.class, "kickFactory");

    /** Counters file. */
    public static final Setting<Path> COUNTERS_FILE = declare(DaemonFiles.COUNTERS_FILE_PROP_NAME,
        DaemonFiles.DEFAULT_COUNTERS_FILE,
        "The counters file (shared memory) that `tools/sidecore stat` maps read-only. Its directory is created " +
        "mode 0700 (0750 with sidecore.control.group).",
        SettingParsers::absolutePath, EngineContext.class, "countersFile");

    /** Counters the file holds. */
    public static final Setting<Integer> MAX_COUNTERS = declare("sidecore.max.counters", "16384",
        "Counters the counters file holds; each port takes up to 64 and each sidecore up to 126 (32 counters and " +
        "94 pass time buckets).",
        SettingParsers.integer(1, 1 << 24), EngineContext.class, "maxCounters");

    /** Error log bytes. */
    public static final Setting<Long> ERROR_LOG_LENGTH = declare("sidecore.error.log.length", "1m",
        "Bytes of the counters file's error log, where distinct engine errors are recorded with their counts.",
        SettingParsers.sizeBytes(1024, 1 << 30), EngineContext.class, "errorLogLengthBytes");

    /** Command queue capacity. */
    public static final Setting<Integer> COMMAND_QUEUE_CAPACITY = declare("sidecore.command.queue.capacity", "1024",
        "Capacity of each sidecore's command queue (trapped accesses and control commands), a power of two.",
        SettingParsers.powerOfTwo(2, 1 << 20), EngineContext.class, "commandQueueCapacity");

    /** Command drain limit. */
    public static final Setting<Integer> COMMAND_DRAIN_LIMIT = declare("sidecore.command.drain.limit", "16",
        "Commands a sidecore executes at most at the start of a duty cycle, and again after each port that did work.",
        SettingParsers.integer(1, 1 << 20), EngineContext.class, "commandDrainLimit");

    /** Command timeout. */
    public static final Setting<Long> COMMAND_TIMEOUT = declare("sidecore.command.timeout", "1s",
        "How long a trapped access or control command waits for its sidecore before failing.",
        SettingParsers.durationNs(1_000L, 3_600_000_000_000L), EngineContext.class, "commandTimeoutNs");

    /** Ports per sidecore. */
    public static final Setting<Integer> MAX_PORTS_PER_SIDECORE = declare("sidecore.max.ports.per.sidecore", "256",
        "Ports one sidecore can own.",
        SettingParsers.integer(1, 1 << 16), EngineContext.class, "maxPortsPerSidecore");

    /** Switch ports. */
    public static final Setting<Integer> MAX_SWITCH_PORTS = declare("sidecore.max.switch.ports", "1024",
        "Ports the built-in L2 switch can hold across all sidecores.",
        SettingParsers.integer(1, 1 << 20), EngineContext.class, "maxSwitchPorts");

    /** MAC table slots. */
    public static final Setting<Integer> MAC_TABLE_CAPACITY = declare("sidecore.mac.table.capacity", "4096",
        "Slots of each sidecore's MAC table, a power of two; at most three quarters are filled.",
        SettingParsers.powerOfTwo(16, 1 << 24), EngineContext.class, "macTableCapacity");

    /** MAC aging. */
    public static final Setting<Long> MAC_AGING = declare("sidecore.mac.aging", "300s",
        "How long a learned MAC address stays valid without being seen (the Linux bridge ageing time).",
        SettingParsers.durationNs(1_000_000L, 86_400_000_000_000L), EngineContext.class, "macAgingNs");

    /** MAC aging sweep. */
    public static final Setting<Integer> MAC_AGING_SWEEP_LIMIT = declare("sidecore.mac.aging.sweep.limit", "8",
        "MAC table slots the aging sweep examines per duty cycle.",
        SettingParsers.integer(1, 1 << 24), EngineContext.class, "macAgingSweepLimit");

    /** Cross-shard ring. */
    public static final Setting<Long> CROSS_SHARD_RING_LENGTH = declare("sidecore.cross.shard.ring.length", "1m",
        "Bytes of each ring carrying switched frames between two sidecores, a power of two.",
        SettingParsers.sizeBytes(1 << 16, 1 << 30), EngineContext.class, "crossShardRingLengthBytes");

    /** Cross-shard drain. */
    public static final Setting<Integer> CROSS_SHARD_DRAIN_LIMIT = declare("sidecore.cross.shard.drain.limit", "256",
        "Frames a sidecore takes from each inbound cross-sidecore ring per duty cycle at most.",
        SettingParsers.integer(1, 1 << 16), EngineContext.class, "crossShardDrainLimit");

    /** Default moderation floor. */
    public static final Setting<Long> MIN_MODERATION_DELAY = declare("sidecore.min.moderation.delay", "0us",
        "Default moderation of every port: a floor on the interval between two interrupts, applied like ITR even " +
        "when the guest sets ITR = 0; 0 moderates exactly as the guest programs ITR/TIDV/TADV/RDTR/RADV. A port " +
        "can override it (create-port or set, `moderation_ns`).",
        SettingParsers.durationNs(0, 1_000_000_000L), EngineContext.class, "minModerationDelayNs");

    /** Fairness quantum. */
    public static final Setting<Long> FAIR_QUANTUM = declare("sidecore.fair.quantum", "10us",
        "Fairness by time: each port's share of a pass. A sidecore measures the time each port's work takes " +
        "(cpu_ns) and runs a deficit round robin over it: a port that used more than its share is skipped (its TX " +
        "and backend input; its timers and interrupts still run, counted in passes_over_share) until its credit " +
        "recovers, so a guest whose work is dear (TSO at a tiny MSS) gets no more of the core than a cheap one. " +
        "Work conserving: when only over-share ports have work, they get the whole core. 0 for budgets in units " +
        "only.",
        SettingParsers.durationNs(0, EngineContext.MAX_FAIR_QUANTUM_NS), EngineContext.class, "fairQuantumNs");

    /** RX read-ahead depth: a setting so that operators can turn it off and a comparison needs one build only. */
    public static final Setting<Integer> RX_READ_AHEAD_DESCRIPTORS = declare("sidecore.rx.read.ahead.descriptors", "32",
        "RX buffers whose first cache line the first frame of a port's receive batch reads ahead, at most: as many " +
        "as the port's previous batch received, never past RDT, none when that batch had one frame. The misses " +
        "then overlap instead of coming one frame after another (measured with 64 guests: more frames in the " +
        "system benchmark, less time per frame in one thread; see the README). 0 (or 1) turns it off.",
        SettingParsers.integer(0, RxProcessor.MAX_READ_AHEAD_DESCRIPTORS), EngineContext.class,
        "rxReadAheadDescriptors");

    /** Pass time above which a port yields to a waiting trapped access. */
    public static final Setting<Long> YIELDABLE_PASS = declare("sidecore.yieldable.pass", "2500ns",
        "A port whose last TX pass that ran to its end took longer than this yields its next passes (TX and TAP " +
        "input) to a waiting trapped access or command once they produced 16 frames: a guest's ICR read then waits " +
        "for about this long behind another guest's work, not for its whole budget. Lower bounds that wait tighter; " +
        "too low, and one guest that keeps trapped accesses waiting (a trap storm) cuts every other port's passes " +
        "to 16 frames. 0 makes every port yield; so does a fair quantum of 0. Measured with " +
        "`sidecore fuzz --isolation` (2.5us: a TSO attacker's 4-5 us passes yield; 10us: they did not).",
        SettingParsers.durationNs(0, EngineContext.MAX_FAIR_QUANTUM_NS), EngineContext.class, "yieldablePassNs");

    /** Busy ratio window. */
    public static final Setting<Long> BUSY_RATIO_WINDOW = declare("sidecore.busy.ratio.window", "1s",
        "Window over which each sidecore's busy ratio counter is computed.",
        SettingParsers.durationNs(1_000_000L, 3_600_000_000_000L), EngineContext.class, "busyRatioWindowNs");

    /** Cycle time threshold. */
    public static final Setting<Long> CYCLE_TIME_THRESHOLD = declare("sidecore.cycle.time.threshold", "1ms",
        "A busy duty cycle longer than this is counted in cycle_time_threshold_exceeded.",
        SettingParsers.durationNs(1_000L, 60_000_000_000L), EngineContext.class, "cycleTimeThresholdNs");

    /** Per-port TX descriptor budget. */
    public static final Setting<Integer> PORT_TX_DESCRIPTOR_BUDGET = declare("sidecore.port.tx.descriptor.budget",
        "64", "Per port, default: TX descriptors examined per pass (fairness between guests).",
        SettingParsers.integer(1, PortSettings.MAX_DESCRIPTOR_BUDGET), PortSettings.class, "txDescriptorBudget");

    /** Per-port TX byte budget. */
    public static final Setting<Long> PORT_TX_BYTE_BUDGET = declare("sidecore.port.tx.byte.budget", "256k",
        "Per port, default: TX bytes per pass, both of frames produced and of guest memory copied (a pass exceeds " +
        "it by at most one descriptor or one frame).",
        SettingParsers.sizeBytes(1, Long.MAX_VALUE), PortSettings.class, "txByteBudget");

    /** Per-port TX segment budget. */
    public static final Setting<Integer> PORT_TX_SEGMENT_BUDGET = declare("sidecore.port.tx.segment.budget", "64",
        "Per port, default: TX frames produced per pass, every TSO segment counted; a TSO packet with more " +
        "segments goes on in the next passes, so even MSS 1 costs a pass no more than this. 64 keeps one pass of a " +
        "TSO packet at a tiny MSS within the isolation target's pass time (fuzz --isolation) at a 3 % cost to the " +
        "demo's 64-byte throughput; 16 bounded it further but cost the demo 30 %.",
        SettingParsers.integer(1, PortSettings.MAX_SEGMENT_BUDGET), PortSettings.class, "txSegmentBudget");

    /** Per-port RX frame budget. */
    public static final Setting<Integer> PORT_RX_FRAME_BUDGET = declare("sidecore.port.rx.frame.budget", "32",
        "Per port, default: frames moved from the backend into the guest per pass, counted after segmentation (a " +
        "TAP's GSO super-frame at a tiny gso_size is cut over many passes, 32 segments each).",
        SettingParsers.integer(1, PortSettings.MAX_DESCRIPTOR_BUDGET), PortSettings.class, "rxFrameBudget");

    /** Per-port RX descriptor budget. */
    public static final Setting<Integer> PORT_RX_DESCRIPTOR_BUDGET = declare("sidecore.port.rx.descriptor.budget",
        "1024", "Per port, default: RX descriptors the device may examine per pass looking for buffers for the " +
        "frames sent to the guest (a guest's ring of null buffers costs at most this much); a frame that would " +
        "need more is dropped as rx_drop_budget. At least 257, the most one frame can need.",
        SettingParsers.integer(PortSettings.MIN_RX_DESCRIPTOR_BUDGET, PortSettings.MAX_DESCRIPTOR_BUDGET),
        PortSettings.class, "rxDescriptorBudget");

    /** Per-port RX byte budget. */
    public static final Setting<Long> PORT_RX_BYTE_BUDGET = declare("sidecore.port.rx.byte.budget", "256k",
        "Per port, default: bytes moved from the backend into the guest per pass, counted after segmentation (a " +
        "TAP's GSO super-frame is cut over as many passes as its segments need).",
        SettingParsers.sizeBytes(1, Long.MAX_VALUE), PortSettings.class, "rxByteBudget");

    /** Per-port source address allowance. */
    public static final Setting<Integer> PORT_MAX_LEARNED_MACS = declare("sidecore.port.max.learned.macs", "0",
        "Per port, default: source addresses besides its own MAC the switch learns behind a port (anti-spoofing): " +
        "0 lets a guest send only from its own MAC; more suits a guest that bridges other stations. A frame from " +
        "another port's MAC is always dropped (tx_drop_spoofed), one from a new address past the allowance too " +
        "(tx_drop_source_limit).",
        SettingParsers.integer(0, PortSettings.MAX_LEARNED_MACS), PortSettings.class, "maxLearnedMacs");

    /** Per-port DMA regions. */
    public static final Setting<Integer> PORT_MAX_DMA_REGIONS = declare("sidecore.port.max.dma.regions", "256",
        "Per port, default: guest memory regions (vfio-user DMA maps, native attach regions) a guest may have " +
        "mapped at once; a map past it is refused (ENOSPC; ctl stats: dma_maps_refused.limit). QEMU maps a few " +
        "dozen at most; each is a host mapping, and the process has vm.max_map_count (65530 by default) for all " +
        "ports together.",
        SettingParsers.integer(1, GuestMemory.MAX_REGIONS), PortSettings.class, "maxDmaRegions");

    /** Per-port storm control rate. */
    public static final Setting<Long> PORT_FLOOD_FRAMES_PER_SECOND = declare(
        "sidecore.port.flood.frames.per.second", "20000",
        "Per port, default: storm control, the sustained rate of broadcast and multicast frames a guest may " +
        "transmit (the switch copies each to every port); past it they are dropped as tx_drop_storm. 0 for no " +
        "limit.",
        SettingParsers.longInteger(0, PortSettings.MAX_RATE_PER_SECOND), PortSettings.class, "floodFramesPerSecond");

    /** Per-port storm control burst. */
    public static final Setting<Long> PORT_FLOOD_BURST_FRAMES = declare("sidecore.port.flood.burst.frames", "2000",
        "Per port, default: broadcast and multicast frames that may go at once after a quiet period, when a storm " +
        "control rate is set.",
        SettingParsers.longInteger(1, PortSettings.MAX_BURST), PortSettings.class, "floodBurstFrames");

    /** Per-port fault and reset backoff. */
    public static final Setting<Long> PORT_FAULT_RESETS_PER_SECOND = declare(
        "sidecore.port.fault.resets.per.second", "100",
        "Per port, default: backoff for fault and reset storms, the ring faults and device resets a guest may " +
        "cause per second (a second's worth at once); past it the port's passes are skipped (passes_backed_off) " +
        "until the allowance refills. A guest's start-up resets a few times (the Linux driver: probe, open, close), " +
        "far below it. 0 for no limit.",
        SettingParsers.longInteger(0, PortSettings.MAX_BURST), PortSettings.class, "faultResetsPerSecond");

    /** Per-port frame rate. */
    public static final Setting<Long> PORT_TX_FRAMES_PER_SECOND = declare("sidecore.port.tx.frames.per.second", "0",
        "Per port, default: sustained TX frames per second, 0 for no limit. Descriptors held back show as " +
        "STATUS.TXOFF, so the Linux driver does not report a Tx Unit Hang; keep it at 100 or more, or a guest " +
        "stack can time out its stopped queue (see Conformance).",
        SettingParsers.longInteger(0, PortSettings.MAX_RATE_PER_SECOND), PortSettings.class, "txFramesPerSecond");

    /** Per-port frame burst. */
    public static final Setting<Long> PORT_TX_BURST_FRAMES = declare("sidecore.port.tx.burst.frames", "64",
        "Per port, default: TX frames that may go at once after an idle period, when a frame rate is set.",
        SettingParsers.longInteger(1, PortSettings.MAX_BURST), PortSettings.class, "txBurstFrames");

    /** Per-port byte rate. */
    public static final Setting<Long> PORT_TX_BYTES_PER_SECOND = declare("sidecore.port.tx.bytes.per.second", "0",
        "Per port, default: sustained TX bytes per second, 0 for no limit. Keep it at 128k or more, or a guest " +
        "stack can time out its stopped queue (see Conformance).",
        SettingParsers.sizeBytes(0, PortSettings.MAX_RATE_PER_SECOND), PortSettings.class, "txBytesPerSecond");

    /** Per-port byte burst. */
    public static final Setting<Long> PORT_TX_BURST_BYTES = declare("sidecore.port.tx.burst.bytes", "256k",
        "Per port, default: TX bytes that may go at once after an idle period, when a byte rate is set (at least " +
        "16k, one jumbo frame).",
        SettingParsers.sizeBytes(PortSettings.MIN_BURST_BYTES, PortSettings.MAX_BURST), PortSettings.class,
        "txBurstBytes");

    /** Per-port shared pages. */
    public static final Setting<Integer> PORT_SHARED_PAGES = declare("sidecore.port.shared.pages", "0x2000,0x3000",
        "Per port: BAR0 pages shared with the guest and polled instead of trapped, as page offsets (default: the " +
        "RX and TX ring pages with the RDT and TDT doorbells).",
        SettingParsers::sharedPages, PortConfig.class, "sharedPages");

    /** Per-port CSB default. */
    public static final Setting<Boolean> PORT_CSB_OFFERED = declare("sidecore.port.csb.offered", "false",
        "Per port, default: whether a port offers the CSB paravirtual extension (PCI subsystem id 0x1101) when " +
        "create-port does not say.",
        SettingParsers::bool, PortConfig.class, "csbOffered");

    /** Control socket. */
    public static final Setting<Path> CONTROL_SOCKET = declare(DaemonFiles.CONTROL_SOCKET_PROP_NAME,
        DaemonFiles.DEFAULT_CONTROL_SOCKET,
        "The control socket (Unix stream, mode 0660) of `tools/sidecore ctl`, `guest` and VMMs; its directory " +
        "is created mode 0700 (0750 with sidecore.control.group).",
        SettingParsers::absolutePath, ControlServer.class, "controlSocket");

    /** Port socket directory. */
    public static final Setting<Path> PORT_SOCKET_DIR = declare("sidecore.port.socket.dir", "/run/sidecore/ports",
        "Directory of the ports' device sockets (`<dir>/<port>.sock`, the vfio-user endpoints), created mode " +
        "0700 (0750 with sidecore.control.group).",
        SettingParsers::absolutePath, PortRegistry.class, "portSocketDir");

    /** Owner of the ports' device sockets. */
    public static final Setting<String> PORT_SOCKET_OWNER = declare("sidecore.port.socket.owner", "",
        "User (name or number) given each port's device socket, so a VMM running as another user (libvirt's " +
        "QEMU: libvirt-qemu) can connect; empty: the daemon's user. The VMM's user also needs to reach the socket " +
        "directory (see sidecore.control.group).",
        SettingParsers::userOrGroup, PortEndpointSettings.class, "socketOwner");

    /** Group of the ports' device sockets. */
    public static final Setting<String> PORT_SOCKET_GROUP = declare("sidecore.port.socket.group", "",
        "Group (name or number) given each port's device socket; empty: the daemon's group.",
        SettingParsers::userOrGroup, PortEndpointSettings.class, "socketGroup");

    /** Mode of the ports' device sockets. */
    public static final Setting<Integer> PORT_SOCKET_MODE = declare("sidecore.port.socket.mode", "0600",
        "Permission bits of each port's device socket, octal (connecting needs write permission: 0660 lets the " +
        "socket's group in). The socket is created with no permissions and gets these after its owner and group.",
        SettingParsers::octalMode, PortEndpointSettings.class, "socketMode");

    /** vfio-user message timeout. */
    public static final Setting<Long> VFIO_USER_MESSAGE_TIMEOUT = declare("sidecore.vfio.user.message.timeout",
        "5s", "How long a vfio-user client may take to send the rest of a message it began, or to take a reply " +
        "off its socket; past it the client is disconnected (QEMU's own reply timeout, x-msg-timeout, is 5 s).",
        SettingParsers.durationNs(1_000_000L, 3_600_000_000_000L), PortEndpointSettings.class,
        "messageTimeoutMs");

    /** Unsealed guest memory. */
    public static final Setting<Boolean> GUEST_MEMORY_ALLOW_UNSEALED = declare(
        "sidecore.guest.memory.allow.unsealed", "false",
        "Accept guest memory files that are not sealed against shrinking (F_SEAL_SHRINK): QEMU's " +
        "memory-backend-file on hugetlbfs or /dev/shm, memory-backend-memfd with seal=off. RISK: whoever can " +
        "truncate such a file (the VMM, anyone holding it) makes the daemon's next access to the lost pages raise " +
        "SIGBUS, which can stop the daemon and every port it serves. Off: such memory is refused with a reason " +
        "(vfio-user DMA_MAP and native attach alike).",
        SettingParsers::bool, PortEndpointSettings.class, "allowUnsealedMemory");

    /** Maximum ports. */
    public static final Setting<Integer> MAX_PORTS = declare("sidecore.max.ports", "256",
        "Ports the daemon serves at most; create-port past it is refused.",
        SettingParsers.integer(1, 1 << 16), PortRegistry.class, "maxPorts");

    /** How long the stop waits for create-ports in flight. */
    public static final Setting<Long> SHUTDOWN_CREATE_WAIT = declare("sidecore.shutdown.create.wait", "30s",
        "How long stopping the daemon waits for the create-ports in flight (each waits on its sidecores, up to " +
        "sidecore.command.timeout and its grace per step) before it takes the ports down. A create-port that ends " +
        "after the stop began undoes itself and answers shutting_down, within this wait or after it.",
        SettingParsers.durationNs(0L, 3_600_000_000_000L), PortRegistry.class, "shutdownCreateWaitNs");

    /** Allowed uids. */
    public static final Setting<long[]> CONTROL_ALLOWED_UIDS = declare("sidecore.control.allowed.uids", "",
        "Numeric uids allowed on the control socket besides root and the daemon's own uid (checked with " +
        "SO_PEERCRED), comma-separated.",
        SettingParsers::idList, PeerPolicy.class, "allowedUids");

    /** Allowed gids. */
    public static final Setting<long[]> CONTROL_ALLOWED_GIDS = declare("sidecore.control.allowed.gids", "",
        "Numeric gids whose members (primary group, from SO_PEERCRED) are allowed on the control socket, " +
        "comma-separated.",
        SettingParsers::idList, PeerPolicy.class, "allowedGids");

    /** Group of the daemon's directories. */
    public static final Setting<String> CONTROL_GROUP = declare("sidecore.control.group", "",
        "Group (name or number) given the daemon's directories (mode 0750) and control socket, so its members " +
        "can reach the socket; empty: directories mode 0700.",
        SettingParsers::group, DaemonDirectories.class, "group");

    /** Control connections. */
    public static final Setting<Integer> CONTROL_MAX_CONNECTIONS = declare("sidecore.control.max.connections", "64",
        "Concurrent control connections at most (attached guests hold one each); more are refused with an error.",
        SettingParsers.integer(1, 4096), ControlServer.class, "maxConnections");

    /** Request size. */
    public static final Setting<Long> CONTROL_MAX_REQUEST_LENGTH = declare("sidecore.control.max.request.length",
        "64k", "Bytes of one control request (one JSON line) at most; a longer one is refused and its connection " +
        "closed.",
        SettingParsers.sizeBytes(256, 16 << 20), ControlServer.class, "maxRequestLengthBytes");

    /** Request rate. */
    public static final Setting<Integer> CONTROL_MAX_REQUESTS_PER_SECOND = declare(
        "sidecore.control.max.requests.per.second", "100",
        "Control requests one connection may make per second (bursts of as many); excess requests are refused " +
        "with an error, not executed.",
        SettingParsers.integer(1, 1_000_000), ControlServer.class, "maxRequestsPerSecond");

    /** Ports declared in the file. */
    public static final Setting<List<String>> PORTS = declare("sidecore.ports", "",
        "Ports created at start, comma-separated names, so a restarted daemon comes back with the same ports and " +
        "sockets; each is described by `sidecore.ports.<name>.<field>` keys with create-port's fields (mac, " +
        "backend, csb, sidecore, moderation_ns, tx_frames_per_second, tx_bytes_per_second, ...).",
        SettingParsers::portNames, Daemon.class, "declaredPorts");

    /** Every setting, in declaration order. */
    public static final List<Setting<?>> SETTINGS = Collections.unmodifiableList(new ArrayList<>(DECLARED));

    private final Map<String, String> values;
    private final String source;
    private final Set<String> read = ConcurrentHashMap.newKeySet();

    private Configuration(final Map<String, String> values, final String source)
    {
        this.values = values;
        this.source = source;
    }

    private static <T> Setting<T> declare(
        final String name,
        final String defaultText,
        final String description,
        final Setting.Parser<T> parser,
        final Class<?> readerClass,
        final String readerName)
    {
        final Setting<T> setting = new Setting<>(name, defaultText, description, parser, readerClass, readerName);
        for (final Setting<?> other : DECLARED)
        {
            if (other.name().equals(name))
            {
                throw new IllegalStateException("setting declared twice: " + name);
            }
        }
        DECLARED.add(setting);
        return setting;
    }

    /**
     * @return a configuration with every default (the daemon without {@code --config}).
     */
    public static Configuration defaults()
    {
        return new Configuration(new LinkedHashMap<>(), "the embedded defaults");
    }

    /**
     * @param values property name to value.
     * @return a configuration of these values.
     */
    public static Configuration of(final Map<String, String> values)
    {
        return new Configuration(new LinkedHashMap<>(values), "the given values");
    }

    /**
     * Read a properties file.
     *
     * @param file the file.
     * @return its configuration (not yet validated).
     * @throws ConfigurationException when the file cannot be read.
     */
    public static Configuration load(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new ConfigurationException("--config", file.toString(), "cannot be read: " + ex.getMessage(), ex);
        }
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String name : new TreeSet<>(properties.stringPropertyNames()))
        {
            values.put(name, properties.getProperty(name));
        }
        return new Configuration(values, file.toString());
    }

    /**
     * The JVM's {@code sidecore.*} system properties over the defaults (the in-process demo and benchmarks).
     *
     * @return the configuration.
     */
    public static Configuration fromSystemProperties()
    {
        final Map<String, String> values = new LinkedHashMap<>();
        final Properties properties = System.getProperties();
        for (final String name : new TreeSet<>(properties.stringPropertyNames()))
        {
            if (name.startsWith("sidecore."))
            {
                values.put(name, properties.getProperty(name));
            }
        }
        return new Configuration(values, "system properties");
    }

    /**
     * @return where the values came from, for messages.
     */
    public String source()
    {
        return source;
    }

    /**
     * The value of a setting: parsed from the configuration, or its default.
     *
     * @param setting the setting.
     * @param <T>     its type.
     * @return the value.
     * @throws ConfigurationException naming the key and the value when it does not parse or is out of range.
     */
    public <T> T get(final Setting<T> setting)
    {
        read.add(setting.name());
        final String text = values.get(setting.name());
        return null == text ? setting.defaultValue() : setting.parse(text);
    }

    /**
     * @param name a property name.
     * @return its value as written, or null.
     */
    public String raw(final String name)
    {
        return values.get(name);
    }

    /**
     * The values of the keys {@code sidecore.ports.<portName>.<field>}, by field.
     *
     * @param portName a declared port.
     * @return field to value, in name order.
     */
    public Map<String, String> portDeclaration(final String portName)
    {
        final String prefix = PORT_DECLARATION_PREFIX + portName + ".";
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final Map.Entry<String, String> entry : values.entrySet())
        {
            if (entry.getKey().startsWith(prefix))
            {
                fields.put(entry.getKey().substring(prefix.length()), entry.getValue().trim());
            }
        }
        return fields;
    }

    /**
     * Parse every setting and reject keys nobody reads: a {@code sidecore.} key that is not declared, or a
     * {@code sidecore.ports.<name>.} key of a port not listed in {@link #PORTS}.
     *
     * @return this.
     * @throws ConfigurationException naming the first bad key and its value.
     */
    public Configuration validate()
    {
        for (final Setting<?> setting : SETTINGS)
        {
            get(setting);
        }
        final List<String> ports = get(PORTS);
        for (final Map.Entry<String, String> entry : values.entrySet())
        {
            final String name = entry.getKey();
            if (!name.startsWith("sidecore.") || isDeclared(name))
            {
                continue;
            }
            if (name.startsWith(PORT_DECLARATION_PREFIX))
            {
                final String rest = name.substring(PORT_DECLARATION_PREFIX.length());
                final int dot = rest.indexOf('.');
                if (dot > 0 && ports.contains(rest.substring(0, dot)))
                {
                    continue;
                }
                throw new ConfigurationException(name, entry.getValue().trim(),
                    "describes a port not listed in " + PORTS.name(), null);
            }
            throw new ConfigurationException(name, entry.getValue().trim(), "is not a sidecore setting", null);
        }
        return this;
    }

    /**
     * @return names of the declared settings no one has read from this configuration yet.
     */
    public Set<String> unreadSettingNames()
    {
        final Set<String> unread = new TreeSet<>();
        for (final Setting<?> setting : SETTINGS)
        {
            if (!read.contains(setting.name()))
            {
                unread.add(setting.name());
            }
        }
        return unread;
    }

    /**
     * @return {@link #CORES}: empty for {@code auto}.
     */
    public int[] cores()
    {
        return get(CORES);
    }

    /**
     * @return the number of sidecores: one per core listed, one for {@code auto}.
     */
    public int sidecoreCount()
    {
        return Math.max(1, cores().length);
    }

    /**
     * @return makes each sidecore's {@link Kick} as {@link #KICK} says.
     */
    public IntFunction<Kick> kickFactory()
    {
        return KICK_THREAD.equals(get(KICK)) ? index -> new ThreadKick() : index -> EventFdKick.create();
    }

    /**
     * The per-port defaults as one value.
     *
     * @return the settings a new port starts with.
     * @throws ConfigurationException naming the first bad value.
     */
    public PortSettings portDefaults()
    {
        final long framesPerSecond = get(PORT_TX_FRAMES_PER_SECOND);
        final long bytesPerSecond = get(PORT_TX_BYTES_PER_SECOND);
        return new PortSettings(
            get(PORT_TX_DESCRIPTOR_BUDGET),
            get(PORT_TX_BYTE_BUDGET),
            get(PORT_TX_SEGMENT_BUDGET),
            get(PORT_RX_FRAME_BUDGET),
            get(PORT_RX_DESCRIPTOR_BUDGET),
            get(PORT_RX_BYTE_BUDGET),
            get(PORT_MAX_LEARNED_MACS),
            framesPerSecond,
            get(PORT_TX_BURST_FRAMES),
            bytesPerSecond,
            get(PORT_TX_BURST_BYTES),
            get(PORT_MAX_DMA_REGIONS),
            get(PORT_FLOOD_FRAMES_PER_SECOND),
            get(PORT_FLOOD_BURST_FRAMES),
            get(PORT_FAULT_RESETS_PER_SECOND));
    }

    /**
     * An engine context filled from every engine setting, not yet concluded (the caller may still change it, e.g.
     * the threading mode or the clock, and must call {@link EngineContext#conclude()}).
     *
     * @return the context.
     * @throws ConfigurationException naming the first bad value.
     */
    public EngineContext engineContext()
    {
        return new EngineContext()
            .sidecoreCount(sidecoreCount())
            .idleStrategy(get(IDLE_STRATEGY))
            .idleSpins(get(IDLE_SPINS))
            .idleYields(get(IDLE_YIELDS))
            .idleMinParkNs(get(IDLE_MIN_PARK))
            .idleMaxParkNs(get(IDLE_MAX_PARK))
            .kickFactory(kickFactory())
            .countersFile(get(COUNTERS_FILE))
            .maxCounters(get(MAX_COUNTERS))
            .errorLogLengthBytes((int)(long)get(ERROR_LOG_LENGTH))
            .commandQueueCapacity(get(COMMAND_QUEUE_CAPACITY))
            .commandDrainLimit(get(COMMAND_DRAIN_LIMIT))
            .commandTimeoutNs(get(COMMAND_TIMEOUT))
            .maxPortsPerSidecore(get(MAX_PORTS_PER_SIDECORE))
            .maxSwitchPorts(get(MAX_SWITCH_PORTS))
            .macTableCapacity(get(MAC_TABLE_CAPACITY))
            .macAgingNs(get(MAC_AGING))
            .macAgingSweepLimit(get(MAC_AGING_SWEEP_LIMIT))
            .crossShardRingLengthBytes((int)(long)get(CROSS_SHARD_RING_LENGTH))
            .crossShardDrainLimit(get(CROSS_SHARD_DRAIN_LIMIT))
            .portDefaults(portDefaults())
            .minModerationDelayNs(get(MIN_MODERATION_DELAY))
            .busyRatioWindowNs(get(BUSY_RATIO_WINDOW))
            .cycleTimeThresholdNs(get(CYCLE_TIME_THRESHOLD))
            .fairQuantumNs(get(FAIR_QUANTUM))
            .rxReadAheadDescriptors(get(RX_READ_AHEAD_DESCRIPTORS))
            .yieldablePassNs(get(YIELDABLE_PASS));
    }

    /**
     * Name the setting behind a message of {@link EngineContext#conclude()} or {@link PortSettings}, which name
     * their own members ({@code idleMaxParkNs must be in [...]: 5}): the daemon's one-line error then names the key.
     *
     * @param ex the exception.
     * @return a configuration exception naming the key and its value, or {@code ex} when no setting matches.
     */
    public IllegalArgumentException nameSetting(final IllegalArgumentException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        for (final Setting<?> setting : SETTINGS)
        {
            if (message.startsWith(setting.readerName() + " "))
            {
                final String value = values.getOrDefault(setting.name(), setting.defaultText()).trim();
                return new ConfigurationException(setting.name(), value, message, ex);
            }
        }
        return ex;
    }

    /**
     * The README's settings table: one row per setting, in declaration order.
     *
     * @return Markdown.
     */
    public static String markdownTable()
    {
        final StringBuilder table = new StringBuilder(8192)
            .append("| setting | default | what it does |\n")
            .append("|---|---|---|\n");
        for (final Setting<?> setting : SETTINGS)
        {
            table.append("| `").append(setting.name()).append("` | ")
                .append(setting.defaultText().isEmpty() ? "(empty)" : "`" + setting.defaultText() + "`")
                .append(" | ").append(setting.description().replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }

    private static boolean isDeclared(final String name)
    {
        for (final Setting<?> setting : SETTINGS)
        {
            if (setting.name().equals(name))
            {
                return true;
            }
        }
        return false;
    }
}
