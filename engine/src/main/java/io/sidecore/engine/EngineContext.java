package io.sidecore.engine;

import io.sidecore.engine.agent.Kick;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.agent.ThreadKick;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.e1000.RxProcessor;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.engine.status.CountersFile;
import io.sidecore.engine.status.JvmActivity;
import io.sidecore.engine.status.PortFaultListener;
import io.sidecore.engine.status.PortFaultTable;
import io.sidecore.shm.PortCounter;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.file.Path;
import java.util.function.IntFunction;

import static io.sidecore.engine.SettingChecks.checkPowerOfTwo;
import static io.sidecore.engine.SettingChecks.checkRange;
import static io.sidecore.engine.SettingChecks.requireSet;

/**
 * Everything a {@link SidecoreEngine} is built from. Getters and setters share a name; setters return {@code this}.
 * <p>
 * The context carries no defaults of its own: the launcher's {@code Configuration} is the one place where every
 * setting has a property name, a default and documentation, and it fills a context with
 * {@code Configuration.engineContext()}. {@link #conclude()} then validates every value, naming the setting and
 * the allowed range in the message, and creates the derived resources (the counters file or a counters area in
 * private memory).
 */
public final class EngineContext
{
    /** Largest number of sidecores: the cross-shard rings grow with its square. */
    public static final int MAX_SIDECORES = 64;

    /** Largest fairness quantum: a second; a larger share of one pass would be no fairness at all. */
    public static final long MAX_FAIR_QUANTUM_NS = 1_000_000_000L;

    private boolean concluded;
    private ThreadingMode threadingMode = ThreadingMode.DEDICATED;
    private int sidecoreCount;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private String idleStrategy;
    private long idleSpins = -1;
    private long idleYields = -1;
    private long idleMinParkNs;
    private long idleMaxParkNs;
    private int commandQueueCapacity;
    private int commandDrainLimit;
    private long commandTimeoutNs;
    private int maxPortsPerSidecore;
    private int maxSwitchPorts;
    private int crossShardRingLengthBytes;
    private int crossShardDrainLimit;
    private int macTableCapacity;
    private long macAgingNs;
    private int macAgingSweepLimit;
    private PortSettings portDefaults;
    private long busyRatioWindowNs;
    private long cycleTimeThresholdNs;
    private long minModerationDelayNs = -1;
    private long fairQuantumNs = -1;
    private int rxReadAheadDescriptors = -1;
    private long yieldablePassNs = -1;
    private int maxCounters;
    private int errorLogLengthBytes;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private JvmActivity jvmActivity;
    private Path countersFile;
    private CountersFile mappedCountersFile;
    private CountersManager countersManager;
    private ErrorHandler errorHandler;
    private AtomicCounter errorCounter;
    private PortFaultListener portFaultListener = PortFaultListener.NONE;
    private PortFaultTable portFaultTable;
    private IntFunction<Kick> kickFactory = sidecoreIndex -> new ThreadKick();

    /**
     * Validate every setting and create the derived resources. Call once, before building the engine.
     *
     * @return this.
     * @throws IllegalStateException    when called twice.
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public EngineContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("engine context already concluded");
        }
        requireSet("threadingMode", threadingMode);
        requireSet("nanoClock", nanoClock);
        requireSet("kickFactory", kickFactory);
        requireSet("portFaultListener", portFaultListener);
        checkRange("sidecoreCount", sidecoreCount, 1, MAX_SIDECORES);
        SidecoreIdleStrategy.checkSettings(idleStrategy, idleSpins, idleYields, idleMinParkNs, idleMaxParkNs);
        checkPowerOfTwo("commandQueueCapacity", commandQueueCapacity, 2, 1 << 20);
        checkRange("commandDrainLimit", commandDrainLimit, 1, commandQueueCapacity);
        checkRange("commandTimeoutNs", commandTimeoutNs, 1_000L, 3_600_000_000_000L);
        checkRange("maxPortsPerSidecore", maxPortsPerSidecore, 1, 1 << 16);
        checkRange("maxSwitchPorts", maxSwitchPorts, 1, 1 << 20);
        checkPowerOfTwo("crossShardRingLengthBytes", crossShardRingLengthBytes, 1 << 16, 1 << 30);
        checkRange("crossShardDrainLimit", crossShardDrainLimit, 1, 1 << 16);
        checkPowerOfTwo("macTableCapacity", macTableCapacity, 16, 1 << 24);
        if (macTableCapacity - (macTableCapacity >> 2) <= maxSwitchPorts)
        {
            throw new IllegalArgumentException("macTableCapacity must hold (in three quarters of its slots) more " +
                "entries than maxSwitchPorts (" + maxSwitchPorts + "), one kept for each port's address: " +
                macTableCapacity);
        }
        checkRange("macAgingNs", macAgingNs, 1_000_000L, 86_400_000_000_000L);
        checkRange("macAgingSweepLimit", macAgingSweepLimit, 1, macTableCapacity);
        requireSet("portDefaults", portDefaults);
        checkRange("busyRatioWindowNs", busyRatioWindowNs, 1_000_000L, 3_600_000_000_000L);
        checkRange("cycleTimeThresholdNs", cycleTimeThresholdNs, 1_000L, 60_000_000_000L);
        checkRange("minModerationDelayNs", minModerationDelayNs, 0, 1_000_000_000L);
        checkRange("fairQuantumNs", fairQuantumNs, 0, MAX_FAIR_QUANTUM_NS);
        checkRange("rxReadAheadDescriptors", rxReadAheadDescriptors, 0, RxProcessor.MAX_READ_AHEAD_DESCRIPTORS);
        checkRange("yieldablePassNs", yieldablePassNs, 0, MAX_FAIR_QUANTUM_NS);

        if (null == countersManager)
        {
            checkRange("maxCounters", maxCounters, 1, 1 << 24);
            if (null != countersFile)
            {
                requireSet("epochClock", epochClock);
                mappedCountersFile = CountersFile.create(
                    countersFile, maxCounters, portFaultSlots(), errorLogLengthBytes, ProcessHandle.current().pid(),
                    epochClock);
                countersManager = mappedCountersFile.countersManager();
            }
            else
            {
                checkRange("maxCounters", maxCounters, 1, CountersFile.MAX_PRIVATE_COUNTERS);
                countersManager = CountersFile.privateCountersManager(maxCounters);
            }
        }
        if (null == portFaultTable)
        {
            portFaultTable = null != mappedCountersFile ?
                mappedCountersFile.portFaults() : PortFaultTable.inPrivateMemory(portFaultSlots());
        }
        if (null == errorHandler)
        {
            errorHandler = null != mappedCountersFile ? mappedCountersFile.errorHandler() : Throwable::printStackTrace;
        }
        concluded = true;
        return this;
    }

    /**
     * Release what {@link #conclude()} created (the mapped counters file).
     */
    public void close()
    {
        if (null != mappedCountersFile)
        {
            mappedCountersFile.close();
            mappedCountersFile = null;
        }
    }

    /**
     * @return true once {@link #conclude()} succeeded.
     */
    public boolean isConcluded()
    {
        return concluded;
    }

    /**
     * @return how the agents are run.
     */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /**
     * @param threadingMode how the agents are run.
     * @return this.
     */
    public EngineContext threadingMode(final ThreadingMode threadingMode)
    {
        this.threadingMode = threadingMode;
        return this;
    }

    /**
     * @return number of sidecore agents (one per pinned core).
     */
    public int sidecoreCount()
    {
        return sidecoreCount;
    }

    /**
     * @param sidecoreCount number of sidecore agents, 1 to {@link #MAX_SIDECORES}.
     * @return this.
     */
    public EngineContext sidecoreCount(final int sidecoreCount)
    {
        this.sidecoreCount = sidecoreCount;
        return this;
    }

    /**
     * @return the clock every agent reads once per duty cycle.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param nanoClock the clock every agent reads once per duty cycle (a manual clock in tests).
     * @return this.
     */
    public EngineContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * @return idle strategy alias, {@value SidecoreIdleStrategy#BUSY} or {@value SidecoreIdleStrategy#ADAPTIVE}.
     */
    public String idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy idle strategy alias.
     * @return this.
     */
    public EngineContext idleStrategy(final String idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * @return adaptive idle: spins before yielding.
     */
    public long idleSpins()
    {
        return idleSpins;
    }

    /**
     * @param idleSpins adaptive idle: spins before yielding.
     * @return this.
     */
    public EngineContext idleSpins(final long idleSpins)
    {
        this.idleSpins = idleSpins;
        return this;
    }

    /**
     * @return adaptive idle: yields before parking.
     */
    public long idleYields()
    {
        return idleYields;
    }

    /**
     * @param idleYields adaptive idle: yields before parking.
     * @return this.
     */
    public EngineContext idleYields(final long idleYields)
    {
        this.idleYields = idleYields;
        return this;
    }

    /**
     * @return adaptive idle: first park period, ns.
     */
    public long idleMinParkNs()
    {
        return idleMinParkNs;
    }

    /**
     * @param idleMinParkNs adaptive idle: first park period, ns.
     * @return this.
     */
    public EngineContext idleMinParkNs(final long idleMinParkNs)
    {
        this.idleMinParkNs = idleMinParkNs;
        return this;
    }

    /**
     * @return adaptive idle: the park bound, ns.
     */
    public long idleMaxParkNs()
    {
        return idleMaxParkNs;
    }

    /**
     * @param idleMaxParkNs adaptive idle: the park bound, ns.
     * @return this.
     */
    public EngineContext idleMaxParkNs(final long idleMaxParkNs)
    {
        this.idleMaxParkNs = idleMaxParkNs;
        return this;
    }

    /**
     * @return capacity of each agent's command queue, a power of two.
     */
    public int commandQueueCapacity()
    {
        return commandQueueCapacity;
    }

    /**
     * @param commandQueueCapacity capacity of each agent's command queue, a power of two.
     * @return this.
     */
    public EngineContext commandQueueCapacity(final int commandQueueCapacity)
    {
        this.commandQueueCapacity = commandQueueCapacity;
        return this;
    }

    /**
     * @return commands an agent executes at most at the start of a duty cycle, and again after each port
     *     that did work.
     */
    public int commandDrainLimit()
    {
        return commandDrainLimit;
    }

    /**
     * @param commandDrainLimit commands an agent executes at most at the start of a duty cycle, and again after
     *                          each port that did work.
     * @return this.
     */
    public EngineContext commandDrainLimit(final int commandDrainLimit)
    {
        this.commandDrainLimit = commandDrainLimit;
        return this;
    }

    /**
     * @return how long a proxy caller waits for a command's reply before giving up, ns.
     */
    public long commandTimeoutNs()
    {
        return commandTimeoutNs;
    }

    /**
     * @param commandTimeoutNs how long a proxy caller waits for a command's reply, ns.
     * @return this.
     */
    public EngineContext commandTimeoutNs(final long commandTimeoutNs)
    {
        this.commandTimeoutNs = commandTimeoutNs;
        return this;
    }

    /**
     * @return ports one sidecore can own (its preallocated port array).
     */
    public int maxPortsPerSidecore()
    {
        return maxPortsPerSidecore;
    }

    /**
     * @param maxPortsPerSidecore ports one sidecore can own.
     * @return this.
     */
    public EngineContext maxPortsPerSidecore(final int maxPortsPerSidecore)
    {
        this.maxPortsPerSidecore = maxPortsPerSidecore;
        return this;
    }

    /**
     * @return ports the L2 switch can hold across all sidecores.
     */
    public int maxSwitchPorts()
    {
        return maxSwitchPorts;
    }

    /**
     * @param maxSwitchPorts ports the L2 switch can hold across all sidecores.
     * @return this.
     */
    public EngineContext maxSwitchPorts(final int maxSwitchPorts)
    {
        this.maxSwitchPorts = maxSwitchPorts;
        return this;
    }

    /**
     * @return bytes of each cross-shard SPSC ring (power of two; the ring adds its trailer).
     */
    public int crossShardRingLengthBytes()
    {
        return crossShardRingLengthBytes;
    }

    /**
     * @param crossShardRingLengthBytes bytes of each cross-shard SPSC ring, a power of two.
     * @return this.
     */
    public EngineContext crossShardRingLengthBytes(final int crossShardRingLengthBytes)
    {
        this.crossShardRingLengthBytes = crossShardRingLengthBytes;
        return this;
    }

    /**
     * @return frames an agent takes from each inbound cross-shard ring per duty cycle at most.
     */
    public int crossShardDrainLimit()
    {
        return crossShardDrainLimit;
    }

    /**
     * @param crossShardDrainLimit frames taken from each inbound cross-shard ring per duty cycle at most.
     * @return this.
     */
    public EngineContext crossShardDrainLimit(final int crossShardDrainLimit)
    {
        this.crossShardDrainLimit = crossShardDrainLimit;
        return this;
    }

    /**
     * @return slots of each sidecore's MAC table (a power of two; filled to at most three quarters).
     */
    public int macTableCapacity()
    {
        return macTableCapacity;
    }

    /**
     * @param macTableCapacity slots of each sidecore's MAC table, a power of two.
     * @return this.
     */
    public EngineContext macTableCapacity(final int macTableCapacity)
    {
        this.macTableCapacity = macTableCapacity;
        return this;
    }

    /**
     * @return how long a learned MAC address stays valid without being seen again, ns.
     */
    public long macAgingNs()
    {
        return macAgingNs;
    }

    /**
     * @param macAgingNs how long a learned MAC address stays valid without being seen again, ns.
     * @return this.
     */
    public EngineContext macAgingNs(final long macAgingNs)
    {
        this.macAgingNs = macAgingNs;
        return this;
    }

    /**
     * @return MAC table slots the aging sweep examines per duty cycle.
     */
    public int macAgingSweepLimit()
    {
        return macAgingSweepLimit;
    }

    /**
     * @param macAgingSweepLimit MAC table slots the aging sweep examines per duty cycle.
     * @return this.
     */
    public EngineContext macAgingSweepLimit(final int macAgingSweepLimit)
    {
        this.macAgingSweepLimit = macAgingSweepLimit;
        return this;
    }

    /**
     * @return the settings a new port starts with.
     */
    public PortSettings portDefaults()
    {
        return portDefaults;
    }

    /**
     * @param portDefaults the settings a new port starts with.
     * @return this.
     */
    public EngineContext portDefaults(final PortSettings portDefaults)
    {
        this.portDefaults = portDefaults;
        return this;
    }

    /**
     * @return window over which the busy ratio counter is computed, ns.
     */
    public long busyRatioWindowNs()
    {
        return busyRatioWindowNs;
    }

    /**
     * @param busyRatioWindowNs window over which the busy ratio counter is computed, ns.
     * @return this.
     */
    public EngineContext busyRatioWindowNs(final long busyRatioWindowNs)
    {
        this.busyRatioWindowNs = busyRatioWindowNs;
        return this;
    }

    /**
     * @return a busy duty cycle longer than this is counted as exceeding the threshold, ns.
     */
    public long cycleTimeThresholdNs()
    {
        return cycleTimeThresholdNs;
    }

    /**
     * @param cycleTimeThresholdNs a busy duty cycle longer than this is counted, ns.
     * @return this.
     */
    public EngineContext cycleTimeThresholdNs(final long cycleTimeThresholdNs)
    {
        this.cycleTimeThresholdNs = cycleTimeThresholdNs;
        return this;
    }

    /**
     * @return each port's share of a pass in ns for fairness by time (a deficit round robin over the time the
     *         sidecore spends on each port), or 0 for none (budgets in units only); see {@code SidecoreAgent}.
     */
    public long fairQuantumNs()
    {
        return fairQuantumNs;
    }

    /**
     * @param fairQuantumNs each port's share of a pass in ns, 0 (off) to {@link #MAX_FAIR_QUANTUM_NS}.
     * @return this.
     */
    public EngineContext fairQuantumNs(final long fairQuantumNs)
    {
        this.fairQuantumNs = fairQuantumNs;
        return this;
    }

    /**
     * @return most RX buffers whose first line a batch's first frame reads ahead, per port; 0 for none (see
     *         {@link RxProcessor}).
     */
    public int rxReadAheadDescriptors()
    {
        return rxReadAheadDescriptors;
    }

    /**
     * @param rxReadAheadDescriptors most RX buffers read ahead per batch, 0 (off) to
     *                               {@link RxProcessor#MAX_READ_AHEAD_DESCRIPTORS}.
     * @return this.
     */
    public EngineContext rxReadAheadDescriptors(final int rxReadAheadDescriptors)
    {
        this.rxReadAheadDescriptors = rxReadAheadDescriptors;
        return this;
    }

    /**
     * @return a port whose last pass that ran to its end took longer than this (ns) yields its next passes to a
     *         waiting trapped access or command after 16 frames; see {@code SidecoreAgent}. (Without fairness by
     *         time, quantum 0, every port yields, whatever this says.)
     */
    public long yieldablePassNs()
    {
        return yieldablePassNs;
    }

    /**
     * @param yieldablePassNs pass time in ns above which a port's passes yield to a waiting trapped access, 0 to
     *                        {@link #MAX_FAIR_QUANTUM_NS}.
     * @return this.
     */
    public EngineContext yieldablePassNs(final long yieldablePassNs)
    {
        this.yieldablePassNs = yieldablePassNs;
        return this;
    }

    /**
     * @return floor on each port's inter-interrupt interval, ns, applied like ITR (0 = moderate exactly as the guest
     *         programs it); see {@code InterruptController#minModerationDelayNs(long)}.
     */
    public long minModerationDelayNs()
    {
        return minModerationDelayNs;
    }

    /**
     * @param minModerationDelayNs floor on each port's inter-interrupt interval, ns, 0 to 1 s; every port gets it
     *                             when its sidecore adopts it.
     * @return this.
     */
    public EngineContext minModerationDelayNs(final long minModerationDelayNs)
    {
        this.minModerationDelayNs = minModerationDelayNs;
        return this;
    }

    /**
     * @return counters the counters area holds.
     */
    public int maxCounters()
    {
        return maxCounters;
    }

    /**
     * @param maxCounters counters the counters area holds (per port {@code PortCounter.SLOTS_PER_PORT} at most).
     * @return this.
     */
    public EngineContext maxCounters(final int maxCounters)
    {
        this.maxCounters = maxCounters;
        return this;
    }

    /**
     * @return bytes of the counters file's error log section.
     */
    public int errorLogLengthBytes()
    {
        return errorLogLengthBytes;
    }

    /**
     * @param errorLogLengthBytes bytes of the counters file's error log section, a positive multiple of 8.
     * @return this.
     */
    public EngineContext errorLogLengthBytes(final int errorLogLengthBytes)
    {
        this.errorLogLengthBytes = errorLogLengthBytes;
        return this;
    }

    /**
     * @return wall clock for the counters file's timestamps (never used on the data path).
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * @param epochClock wall clock for the counters file's timestamps.
     * @return this.
     */
    public EngineContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * @return the JVM readings each sidecore publishes once a second (its thread's allocated bytes, collections, its
     *     core's speed); this JVM's unless set.
     */
    public JvmActivity jvmActivity()
    {
        if (null == jvmActivity)
        {
            jvmActivity = JvmActivity.ofThisJvm();
        }
        return jvmActivity;
    }

    /**
     * @param jvmActivity the JVM readings each sidecore publishes (tests give scripted ones).
     * @return this.
     */
    public EngineContext jvmActivity(final JvmActivity jvmActivity)
    {
        this.jvmActivity = jvmActivity;
        return this;
    }

    /**
     * @return the counters file, or null for counters in private memory.
     */
    public Path countersFile()
    {
        return countersFile;
    }

    /**
     * @param countersFile the counters file to create, or null for counters in private memory.
     * @return this.
     */
    public EngineContext countersFile(final Path countersFile)
    {
        this.countersFile = countersFile;
        return this;
    }

    /**
     * @return the counters file mapped by {@link #conclude()}, or null.
     */
    public CountersFile mappedCountersFile()
    {
        return mappedCountersFile;
    }

    /**
     * @return where every counter is allocated.
     */
    public CountersManager countersManager()
    {
        return countersManager;
    }

    /**
     * @param countersManager where every counter is allocated; when set, no counters file is created.
     * @return this.
     */
    public EngineContext countersManager(final CountersManager countersManager)
    {
        this.countersManager = countersManager;
        return this;
    }

    /**
     * @return where engine errors go.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * @param errorHandler where engine errors go.
     * @return this.
     */
    public EngineContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * @return counter of engine errors, or null to use each sidecore's own errors counter.
     */
    public AtomicCounter errorCounter()
    {
        return errorCounter;
    }

    /**
     * @param errorCounter counter of engine errors.
     * @return this.
     */
    public EngineContext errorCounter(final AtomicCounter errorCounter)
    {
        this.errorCounter = errorCounter;
        return this;
    }

    /**
     * @return told of every port fault, on the owning sidecore's thread (the daemon logs through it).
     */
    public PortFaultListener portFaultListener()
    {
        return portFaultListener;
    }

    /**
     * @param portFaultListener told of every port fault and of every reset that clears one, on the owning sidecore's
     *                          thread; it must not block.
     * @return this.
     */
    public EngineContext portFaultListener(final PortFaultListener portFaultListener)
    {
        this.portFaultListener = portFaultListener;
        return this;
    }

    /**
     * @return where each port's fault is recorded: the counters file's records, or records in private memory
     *         without a counters file; set by {@link #conclude()}.
     */
    public PortFaultTable portFaultTable()
    {
        return portFaultTable;
    }

    /**
     * @return makes the {@link Kick} of each sidecore, by index.
     */
    public IntFunction<Kick> kickFactory()
    {
        return kickFactory;
    }

    /**
     * @param kickFactory makes the {@link Kick} of each sidecore (an eventfd-backed one in the daemon).
     * @return this.
     */
    public EngineContext kickFactory(final IntFunction<Kick> kickFactory)
    {
        this.kickFactory = kickFactory;
        return this;
    }

    /**
     * Ports whose faults can be recorded: as many as the counters area can hold ports (each port takes a block of
     * counters, so a port that got its counters always gets its fault record); without a counters area of known
     * size, every port the sidecores can own.
     */
    private int portFaultSlots()
    {
        final long ports = maxCounters > 0 ?
            maxCounters / PortCounter.values().length : (long)sidecoreCount * maxPortsPerSidecore;
        return (int)Math.max(1, Math.min(ports, 1 << 20));
    }
}
