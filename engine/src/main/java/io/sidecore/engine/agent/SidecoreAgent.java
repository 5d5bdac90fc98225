package io.sidecore.engine.agent;

import io.sidecore.engine.EngineContext;
import io.sidecore.engine.e1000.InterruptController;
import io.sidecore.engine.e1000.YieldSignal;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.MacTable;
import io.sidecore.engine.l2.SwitchUplink;
import io.sidecore.engine.l2.ShardRing;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.engine.port.PortTimerQueue;
import io.sidecore.engine.port.RxBatchTracker;
import io.sidecore.engine.proxy.SidecoreCommand;
import io.sidecore.engine.status.CountersFile;
import io.sidecore.engine.status.JvmActivity;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.jctools.queues.MpscArrayQueue;

import java.util.ArrayList;
import java.util.List;

/**
 * One sidecore: the agent that runs on one pinned core and is the single writer of every port it owns.
 * <p>
 * {@link #doWork()} reads the clock once and then takes bounded steps, each returning its work count:
 * <ol>
 *   <li>execute up to {@code commandDrainLimit} commands from the bounded MPSC command queue (trapped register
 *       accesses and control commands from other threads); again, up to as many, after every port of the pass that
 *       did work, so a trapped access queued during a pass waits for one port's work, not for the rest of the pass
 *       (issue 11 §0: a guest's trapped read waited ≈47 µs for the pass to end). A command that adds or removes a
 *       port ends the pass there (the pass order would no longer be the one it started with); the next pass goes on
 *       from the rotating index;</li>
 *   <li>one pass over the owned ports, starting one port later each cycle (a rotating index, so no port is always
 *       served first). Per port: detect doorbells (for a CSB port {@code guest_tdt}/{@code guest_rdt} in the CSB,
 *       then TDT/RDT in the shared page, each compared with the value last seen), TX within
 *       the port's descriptor and byte budgets and rate limits, frames from the backend within its frame budget;
 *       a port whose work took more than its share of the sidecore's time sits the pass out (fairness by time, see
 *       {@link #pollPorts}); a quiet port's pass only looks at its doorbells ({@link Port#pollUnlessQuiet});</li>
 *   <li>the timers that are due, from the deadline queue (see <b>Timers</b> below);</li>
 *   <li>frames other sidecores switched to this one, up to {@code crossShardDrainLimit} per inbound ring. Around
 *       these two steps RX batches are open: the first frame a port receives opens its batch, and the RDH and RX
 *       interrupt causes of the frames it received are published once, when the batch ends with the two steps (and
 *       before any command runs between two ports). Only the ports that received frames are in a batch, so a port
 *       that received nothing costs nothing here ({@link RxBatchTracker});</li>
 *   <li>MAC aging over up to {@code macAgingSweepLimit} table slots;</li>
 *   <li>sidecore 0 only, with a counters file: the file's heartbeat, once every {@link #HEARTBEAT_INTERVAL_NS}
 *       of {@code nowNs} (one comparison per cycle; after a stall the next beat is an interval after the late one,
 *       never a burst to catch up), so readers can tell a live daemon from a dead one;</li>
 *   <li>on the same schedule, every sidecore: the bytes its thread has allocated and the JVM's collection count and
 *       time ({@link JvmActivity}, read without allocating), so a benchmark can show the data path allocates
 *       nothing and attribute long passes to collections.</li>
 * </ol>
 * Each duty cycle that did work is accounted by its wall time, measured from its start to the next cycle's start:
 * the busy time ({@code busy_ns}, whose rate is the fraction of wall time spent in work), the busy ratio of the
 * last window and the pass time histogram ({@code PassTimeHistogram}).
 * <b>Timers</b> (moderation deadlines, PHY autonegotiation) are kept in a deadline queue ({@link PortTimerQueue}, a
 * preallocated min-heap of ports by deadline): every device reports each timer it arms, whatever armed it (a frame,
 * a write-back, a trapped ITR/ICS/IMS write), and after the pass over the ports the agent fires the ports whose
 * deadline has come, earliest first; a port with no due timer costs nothing (issue 11 §2: each pass compared every
 * port's deadline with the clock before). Deadline latency is one duty cycle, as before. Before parking, the agent
 * shortens the park to the earliest queued deadline, so an adaptive sidecore is never late by a park period.
 * <p>
 * <b>Idle ports.</b> A port whose last pass found nothing a later pass could do without news is quiet
 * ({@link Port#pollUnlessQuiet}): its pass reads its shared doorbell lines and nothing else. Commands other than
 * trapped accesses (which wake their own port) move {@code wakeEpoch}, and every quiet port takes a full pass next.
 * <p>
 * <b>Parking.</b> With the adaptive idle strategy, {@link #onParkPrepare} refuses to park while commands or
 * cross-sidecore frames wait, asks CSB guests to kick ({@code host_need_txkick}), and re-checks every doorbell;
 * {@link #onParkEnd} withdraws the kick requests. The park itself is a wait in the sidecore's {@link Kick}: with
 * {@link EventFdKick} a {@code ppoll} on the sidecore's eventfd, which a CSB guest in another process writes when it
 * finds the kick request set, and which {@link #offer} writes for threads of this process.
 * <p>
 * Nothing here allocates in steady state: ports, rings and commands are arrays walked with indexed loops, and
 * commands are allocated (or, for trapped accesses, preallocated) by the requesting threads.
 */
public final class SidecoreAgent implements Agent, SidecoreIdleStrategy.ParkListener, RxBatchTracker
{
    /**
     * Most a port's credit can owe, in quanta: what one pass is charged is capped there. A pass's work is bounded in
     * units, so a dear pass costs tens of µs; a charge of milliseconds means the OS took the core away mid-pass, and
     * the port it happened to is not to sit out hundreds of passes for it.
     */
    public static final int MAX_DEBT_QUANTA = 16;

    /**
     * Frames the cross-sidecore drain takes from a ring between two looks for a waiting command: as many as a port's
     * TX pass produces before it may yield ({@code TxPassBudget}), so a trapped access waits as long behind either.
     */
    public static final int CROSS_SHARD_FRAMES_BEFORE_YIELD = 16;

    /** Interval between two heartbeats of the counters file, by the agent's clock. */
    public static final long HEARTBEAT_INTERVAL_NS = 1_000_000_000L;

    private final int index;
    private final String roleName;
    private final NanoClock clock;
    private final MpscArrayQueue<SidecoreCommand> commandQueue;
    // Asked by the ports' TX passes between frames: a command (a guest's trapped access) waits, so the port's pass
    // stops soon and the loop in pollPorts answers it before the next port (TxPassBudget).
    private final YieldSignal commandWaiting;
    // Whether the port being served may yield: with fairness by time, only a port whose last pass took longer than
    // the yieldable pass time (dearLastPass; sidecore.yieldable.pass); a cheap port's pass is short anyway, and
    // cutting it would let one guest's trap storm shrink every honest port's passes to the yield minimum.
    private boolean servingDearPort = true;
    // Set when the port being served was told to yield: its pass was cut, so its cost says nothing of the port.
    private boolean servedPortYielded;
    // The other agents that run on this agent's thread (ThreadingMode.INVOKER: all of them, one duty cycle after the
    // other). A command waiting for one of them would otherwise wait for this whole duty cycle, which on its own core
    // it never does: a dear port yields to it, and it is answered between two ports as this agent's own are. Empty
    // when each agent has its own thread (the daemon).
    private SidecoreAgent[] threadSiblings = new SidecoreAgent[0];
    private final int commandDrainLimit;
    private final Port[] ports;
    private final int[] switchSlots;
    private int portCount;
    private int portSetChanges;
    private int roundRobinIndex;
    private final L2Switch l2Switch;
    private final ShardRing[] inbound;
    private final int crossShardDrainLimit;
    private final int macAgingSweepLimit;
    private final SidecoreCounters counters;
    private final Kick kick;
    private final long busyRatioWindowNs;
    private final long cycleTimeThresholdNs;
    private final long minModerationDelayNs;
    private final int rxReadAheadDescriptors;
    private final long fairQuantumNs;
    private final long yieldablePassNs;
    private final long[] creditNs;
    // Per position: the port's last served pass that ran to its end took longer than yieldablePassNs, so its passes
    // yield to a waiting command. Not read from its credit, which the work-conserving catch-up lifts to a whole
    // quantum, the same as a cheap port's.
    private final boolean[] dearLastPass;
    private final PortTimerQueue timers;
    // Moves with every command that may change a port without telling it, so quiet ports take a full pass
    // (Port#pollUnlessQuiet); a trapped access tells its port itself.
    private long wakeEpoch;
    private final Port[] rxBatchPorts;
    private int rxBatchPortCount;
    private final CountersFile heartbeatFile;
    private final EpochClock epochClock;
    private final JvmActivity jvmActivity;
    private boolean heartbeatStarted;
    private long nextHeartbeatNs;
    private boolean jvmActivityStarted;
    private long nextJvmActivityNs;
    private long nowNs;
    private boolean rxBatchesOpen;
    private boolean started;
    private long lastCycleStartNs;
    private int lastWorkCount;
    private long windowStartNs;
    private long windowBusyNs;

    /**
     * @param index    this sidecore's index.
     * @param ctx      concluded context.
     * @param counters this sidecore's counters.
     * @param l2Switch this sidecore's switch shard.
     * @param inbound  rings from the other sidecores (none when there is one sidecore).
     * @param kick     how a parked sidecore is woken.
     */
    SidecoreAgent(
        final int index,
        final EngineContext ctx,
        final SidecoreCounters counters,
        final L2Switch l2Switch,
        final ShardRing[] inbound,
        final Kick kick)
    {
        this.index = index;
        this.roleName = "sidecore-" + index;
        this.clock = ctx.nanoClock();
        this.commandQueue = new MpscArrayQueue<>(ctx.commandQueueCapacity());
        this.commandWaiting = this::yieldToWaitingCommand;
        this.commandDrainLimit = ctx.commandDrainLimit();
        this.ports = new Port[ctx.maxPortsPerSidecore()];
        this.switchSlots = new int[ctx.maxPortsPerSidecore()];
        this.l2Switch = l2Switch;
        this.inbound = inbound.clone();
        this.crossShardDrainLimit = ctx.crossShardDrainLimit();
        this.macAgingSweepLimit = ctx.macAgingSweepLimit();
        this.counters = counters;
        this.kick = kick;
        this.busyRatioWindowNs = ctx.busyRatioWindowNs();
        this.cycleTimeThresholdNs = ctx.cycleTimeThresholdNs();
        this.minModerationDelayNs = ctx.minModerationDelayNs();
        this.fairQuantumNs = ctx.fairQuantumNs();
        this.rxReadAheadDescriptors = ctx.rxReadAheadDescriptors();
        this.yieldablePassNs = ctx.yieldablePassNs();
        this.creditNs = new long[ctx.maxPortsPerSidecore()];
        this.dearLastPass = new boolean[ctx.maxPortsPerSidecore()];
        this.timers = new PortTimerQueue(ctx.maxPortsPerSidecore());
        this.rxBatchPorts = new Port[ctx.maxPortsPerSidecore()];
        this.heartbeatFile = 0 == index ? ctx.mappedCountersFile() : null;
        this.epochClock = ctx.epochClock();
        this.jvmActivity = ctx.jvmActivity();
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        this.nowNs = nowNs;
        trackDutyCycle(nowNs);
        l2Switch.nowNs(nowNs);

        final int commands = drainCommands(nowNs);
        int workCount = commands;
        try
        {
            rxBatching(true, nowNs);
            workCount += pollPorts(nowNs, 0 == commands ? nowNs : clock.nanoTime());
            workCount += fireTimers(nowNs);
            workCount += drainCrossShard(nowNs);
        }
        finally
        {
            // Whatever the pass threw (it propagates to the runner's error handler), the frames placed before it
            // are published in this cycle, at this cycle's time, and the next cycle starts with no batch open.
            rxBatching(false, nowNs);
        }
        workCount += l2Switch.age(macAgingSweepLimit);
        heartbeat(nowNs);
        publishJvmActivity(nowNs);

        lastWorkCount = workCount;
        return workCount;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return roleName;
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        endRxBatches(nowNs);
        for (int i = 0; i < portCount; i++)
        {
            ports[i].rxBatchTracker(null);
            ports[i].timerQueue(null);
            ports[i].close();
            ports[i] = null;
        }
        portCount = 0;
        portSetChanges++;
    }

    /**
     * {@inheritDoc}
     */
    public long onParkPrepare(final long parkNs)
    {
        if (!commandQueue.isEmpty())
        {
            return 0;
        }
        for (int i = 0; i < inbound.length; i++)
        {
            if (inbound[i].size() > 0)
            {
                return 0;
            }
        }
        final Port[] ports = this.ports;
        final int count = portCount;
        boolean workFound = false;
        long limitNs = parkNs;
        for (int i = 0; i < count; i++)
        {
            workFound |= ports[i].prepareToPark(nowNs);
        }
        final long deadlineNs = timers.earliestDeadlineNs();
        if (InterruptController.NO_DEADLINE != deadlineNs)
        {
            final long remainingNs = deadlineNs - nowNs;
            if (remainingNs <= 0)
            {
                workFound = true;
            }
            else if (remainingNs < limitNs)
            {
                limitNs = remainingNs;
            }
        }
        if (workFound)
        {
            for (int i = 0; i < count; i++)
            {
                ports[i].onWake();
            }
            return 0;
        }
        counters.parks().incrementOpaque();
        return limitNs;
    }

    /**
     * {@inheritDoc}
     */
    public void onParkEnd(final boolean kicked)
    {
        if (kicked)
        {
            counters.wakeups().incrementOpaque();
        }
        final Port[] ports = this.ports;
        for (int i = 0, count = portCount; i < count; i++)
        {
            ports[i].onWake();
        }
    }

    /**
     * Queue a command for this sidecore and wake it. Any thread.
     *
     * @param command the command.
     * @return false if the queue is full (counted in {@link SidecoreCounters#proxyOfferFailures()}).
     */
    public boolean offer(final SidecoreCommand command)
    {
        if (commandQueue.offer(command))
        {
            kick.signal();
            return true;
        }
        counters.proxyOfferFailures().increment();
        return false;
    }

    /**
     * @return this sidecore's index.
     */
    public int index()
    {
        return index;
    }

    /**
     * @return this sidecore's counters.
     */
    public SidecoreCounters counters()
    {
        return counters;
    }

    /**
     * @return this sidecore's switch shard; only this agent's thread may use it.
     */
    public L2Switch l2Switch()
    {
        return l2Switch;
    }

    /**
     * @return how this sidecore is woken.
     */
    public Kick kick()
    {
        return kick;
    }

    /**
     * @return ports owned (agent thread, or tests driving doWork).
     */
    public int portCount()
    {
        return portCount;
    }

    /**
     * @param position position in the pass order, below {@link #portCount()}.
     * @return the port there (agent thread, or tests driving doWork).
     */
    public Port port(final int position)
    {
        return ports[position];
    }

    /**
     * @param position position in the pass order, below {@link #portCount()}.
     * @return the switch slot of the port there, or {@link L2Switch#NO_SLOT} (agent thread, or tests driving
     *         doWork).
     */
    public int switchSlot(final int position)
    {
        return switchSlots[position];
    }

    /**
     * @return position of the port the next pass starts with (agent thread, or tests driving doWork).
     */
    public int nextPassStart()
    {
        return roundRobinIndex >= portCount ? 0 : roundRobinIndex;
    }

    /**
     * @param port a port.
     * @return true if this sidecore currently serves it.
     */
    public boolean owns(final Port port)
    {
        for (int i = 0; i < portCount; i++)
        {
            if (ports[i] == port)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Serve a port from the next pass on, attached to this sidecore's part of the switch when it has a slot. Agent
     * thread (a command).
     *
     * @param port       the port.
     * @param switchSlot its global switch slot, or {@link L2Switch#NO_SLOT}.
     * @param nowNs      the agent's time.
     * @throws IllegalStateException when this sidecore is full or already serves the port id.
     */
    public void onAddPort(final Port port, final int switchSlot, final long nowNs)
    {
        if (portCount == ports.length)
        {
            throw new IllegalStateException("sidecore " + index + " is full: maxPortsPerSidecore=" + ports.length);
        }
        for (int i = 0; i < portCount; i++)
        {
            if (ports[i] == port || ports[i].portId() == port.portId())
            {
                throw new IllegalStateException("port id already served by sidecore " + index + ": " +
                    port.portId());
            }
        }
        if (L2Switch.NO_SLOT != switchSlot)
        {
            if (port.backend() instanceof SwitchUplink uplink)
            {
                // The host's addresses are learned behind the uplink; it pins none of its own and may send from
                // any of the host network's stations.
                l2Switch.attachLocal(switchSlot, port.portId(), L2Switch.NO_MAC, uplink.switchDestination(),
                    port.counters(), sourceAllowance(port, port.settings()));
            }
            else
            {
                l2Switch.attachLocal(switchSlot, port.portId(), L2Switch.macToLong(port.config().macAddress()),
                    port.receiveSide(), port.counters(), sourceAllowance(port, port.settings()));
            }
        }
        port.applySettings(port.settings(), nowNs);
        port.applyModeration(port.moderationOverrideNs(), minModerationDelayNs);
        port.rxReadAheadDescriptors(rxReadAheadDescriptors);
        port.yieldTxWhen(commandWaiting);
        port.syncDoorbells();
        port.rxBatchTracker(this);
        port.timerQueue(timers);
        port.wake();
        switchSlots[portCount] = switchSlot;
        creditNs[portCount] = fairQuantumNs;
        dearLastPass[portCount] = false;
        ports[portCount++] = port;
        portSetChanges++;
        counters.portsOwned().setRelease(portCount);
    }

    /**
     * @param port a port a command names.
     * @throws IllegalStateException unless this sidecore serves it (it was removed, or belongs to another).
     */
    public void requireOwned(final Port port)
    {
        if (!owns(port))
        {
            throw new IllegalStateException("port not served by sidecore " + index + ": " + port.name());
        }
    }

    /**
     * Serve a new guest on a port (or none): the binding's power-on device replaces the port's. Agent thread (a
     * command).
     *
     * @param port    the port.
     * @param binding the new device.
     * @param nowNs   current time.
     */
    public void onBindGuest(final Port port, final Port.GuestBinding binding, final long nowNs)
    {
        requireOwned(port);
        final long overrideNs = port.moderationOverrideNs();
        port.adopt(binding, Port.NO_MODERATION_OVERRIDE == overrideNs ? minModerationDelayNs : overrideNs, nowNs);
    }

    /**
     * Apply a port's new budgets, rate limits and source address allowance. Agent thread (a command).
     *
     * @param port     the port.
     * @param settings the settings.
     * @param nowNs    current time.
     */
    public void onUpdatePortSettings(final Port port, final PortSettings settings, final long nowNs)
    {
        requireOwned(port);
        port.applySettings(settings, nowNs);
        for (int i = 0; i < portCount; i++)
        {
            if (ports[i] == port && L2Switch.NO_SLOT != switchSlots[i])
            {
                l2Switch.sourceAllowance(switchSlots[i], sourceAllowance(port, settings));
            }
        }
    }

    private static int sourceAllowance(final Port port, final PortSettings settings)
    {
        return port.backend() instanceof SwitchUplink ? MacTable.UNLIMITED_SOURCES : settings.maxLearnedMacs();
    }

    /**
     * Change a port's moderation floor. Agent thread (a command).
     *
     * @param port       the port.
     * @param overrideNs the port's floor, or {@link Port#NO_MODERATION_OVERRIDE}.
     */
    public void onUpdateModeration(final Port port, final long overrideNs)
    {
        requireOwned(port);
        port.applyModeration(overrideNs, minModerationDelayNs);
    }

    /**
     * Stop serving a port: it leaves the pass and the switch, and its backend and capture are closed. Agent thread (a
     * command).
     *
     * @param port the port.
     * @throws IllegalStateException when this sidecore does not serve it.
     */
    public void onRemovePort(final Port port)
    {
        int position = -1;
        for (int i = 0; i < portCount; i++)
        {
            if (ports[i] == port)
            {
                position = i;
                break;
            }
        }
        if (position < 0)
        {
            throw new IllegalStateException("port not served by sidecore " + index + ": " + port.name());
        }
        final int switchSlot = switchSlots[position];
        leaveRxBatches(port);
        port.timerQueue(null);
        System.arraycopy(ports, position + 1, ports, position, portCount - position - 1);
        System.arraycopy(switchSlots, position + 1, switchSlots, position, portCount - position - 1);
        System.arraycopy(creditNs, position + 1, creditNs, position, portCount - position - 1);
        System.arraycopy(dearLastPass, position + 1, dearLastPass, position, portCount - position - 1);
        ports[--portCount] = null;
        portSetChanges++;
        if (L2Switch.NO_SLOT != switchSlot)
        {
            l2Switch.detach(switchSlot);
        }
        port.close();
        counters.portsOwned().setRelease(portCount);
    }

    private void trackDutyCycle(final long nowNs)
    {
        counters.dutyCycles().incrementOpaque();
        if (!started)
        {
            started = true;
            windowStartNs = nowNs;
        }
        else if (lastWorkCount > 0)
        {
            final long cycleNs = nowNs - lastCycleStartNs;
            windowBusyNs += cycleNs;
            counters.recordBusyCycle(cycleNs);
            counters.maxCycleTimeNs().proposeMaxOpaque(cycleNs);
            if (cycleNs > cycleTimeThresholdNs)
            {
                counters.cycleTimeThresholdExceeded().incrementOpaque();
            }
        }
        final long windowNs = nowNs - windowStartNs;
        if (windowNs >= busyRatioWindowNs)
        {
            counters.busyRatioPpm().setRelease(Math.min(windowBusyNs, windowNs) * 1_000_000L / windowNs);
            windowStartNs = nowNs;
            windowBusyNs = 0;
        }
        lastCycleStartNs = nowNs;
    }

    /**
     * Beat the counters file's heartbeat when due. Not work: it must not keep an idle sidecore from parking.
     */
    private void heartbeat(final long nowNs)
    {
        if (null != heartbeatFile && (!heartbeatStarted || nowNs - nextHeartbeatNs >= 0))
        {
            heartbeatStarted = true;
            nextHeartbeatNs = nowNs + HEARTBEAT_INTERVAL_NS;
            heartbeatFile.heartbeat(epochClock.time());
        }
    }

    /**
     * Publish this thread's allocated bytes, the JVM's collections and this core's speed when due (same schedule as
     * the heartbeat). Not work: it must not keep an idle sidecore from parking. The core's speed takes a few timings
     * of a fixed loop, 3-7 us once a second, in this pass.
     */
    private void publishJvmActivity(final long nowNs)
    {
        if (!jvmActivityStarted || nowNs - nextJvmActivityNs >= 0)
        {
            jvmActivityStarted = true;
            nextJvmActivityNs = nowNs + HEARTBEAT_INTERVAL_NS;
            counters.get(SidecoreCounter.ALLOCATED_BYTES).setRelease(jvmActivity.currentThreadAllocatedBytes());
            counters.get(SidecoreCounter.GC_COUNT).setRelease(jvmActivity.gcCount());
            counters.get(SidecoreCounter.GC_TIME_MS).setRelease(jvmActivity.gcTimeMs());
            counters.get(SidecoreCounter.CORE_WORK_UNIT_NS).setRelease(jvmActivity.coreWorkUnitNs());
            counters.get(SidecoreCounter.JVM_READINGS).incrementRelease();
        }
    }

    /**
     * Open or end the RX batches around the steps that deliver frames (ports and cross-sidecore rings), so a port's
     * RDH and RX interrupt causes are published once per duty cycle however many frames reach it (issue 11 §0), and
     * always before the cycle ends. Opening is one store: each port opens its own batch with its first frame
     * ({@link #onRxBatchOpened}); ending visits only the ports that did, so its cost follows the ports that received
     * frames, not the ports owned (an idle port cost two calls per cycle here before).
     */
    private void rxBatching(final boolean on, final long nowNs)
    {
        rxBatchesOpen = on;
        if (!on)
        {
            endRxBatches(nowNs);
        }
    }

    /**
     * {@inheritDoc}
     */
    public boolean isBatching()
    {
        return rxBatchesOpen;
    }

    /**
     * {@inheritDoc}
     */
    public void onRxBatchOpened(final Port port, final long nowNs)
    {
        if (rxBatchPortCount == rxBatchPorts.length)
        {
            // Each owned port opens at most one batch per cycle, so this cannot fill; were it to, the frame is
            // published at once rather than lost from the list.
            port.endRxBatch(nowNs);
            return;
        }
        rxBatchPorts[rxBatchPortCount++] = port;
    }

    private void endRxBatches(final long nowNs)
    {
        final Port[] open = rxBatchPorts;
        for (int i = 0, count = rxBatchPortCount; i < count; i++)
        {
            open[i].endRxBatch(nowNs);
            open[i] = null;
        }
        rxBatchPortCount = 0;
    }

    /**
     * A port leaves this sidecore: its batch (already flushed, the removal being a command) ends, and it leaves the
     * list of open batches.
     */
    private void leaveRxBatches(final Port port)
    {
        port.endRxBatch(nowNs);
        port.rxBatchTracker(null);
        final Port[] open = rxBatchPorts;
        for (int i = 0; i < rxBatchPortCount; i++)
        {
            if (open[i] == port)
            {
                System.arraycopy(open, i + 1, open, i, rxBatchPortCount - i - 1);
                open[--rxBatchPortCount] = null;
                return;
            }
        }
    }

    private int drainCommands(final long nowNs)
    {
        if (rxBatchesOpen && null != commandQueue.relaxedPeek())
        {
            // A command (a trapped ICR read, a reset, a port leaving) sees the device as it would outside a batch; only
            // the ports that received frames have anything deferred.
            final Port[] open = rxBatchPorts;
            for (int i = 0, count = rxBatchPortCount; i < count; i++)
            {
                open[i].flushRxBatch(nowNs);
            }
        }
        int count = 0;
        while (count < commandDrainLimit)
        {
            final SidecoreCommand command = commandQueue.relaxedPoll();
            if (null == command)
            {
                break;
            }
            command.execute(this, nowNs);
            if (command.mayWakePorts())
            {
                wakeEpoch++;
            }
            count++;
        }
        if (count > 0)
        {
            counters.commandsProcessed().getAndAddOpaque(count);
        }
        return count;
    }

    /**
     * One pass over the ports from the rotating index. <b>CPU accounting</b>: each port that did work is charged the
     * clock time since the previous mark (the pass's start, or the end of the previous port that did work) as
     * {@link PortCounter#CPU_NS}, so {@code stat} shows which guest costs the core. The clock is read after a port
     * that did work only, and the start mark is the cycle's {@code nowNs} unless commands ran first: an idle pass
     * reads no clock, a busy one one read per busy port (a read costs 40-80 ns here on kvm-clock, measured, against
     * a few hundred ns for an idle pass over 8 ports, so a read per port per pass was too much). An idle port's poll
     * (tens of ns) is charged to the next port that works, but for a backend whose every poll asks the kernel (a
     * TAP's read: 0.3-1 µs even when nothing is there), which is charged its own idle polls: that much time would
     * otherwise decide who sits out. These reads measure only; every decision uses
     * {@code nowNs}. Commands run between two ports are charged to no port (the mark moves past them).
     * <p>
     * <b>Fairness by time</b> (with a quantum, {@code fairQuantumNs} &gt; 0): the budgets bound a port's work per pass
     * in units (descriptors, segments, bytes), and units differ in price: a 64 KiB TSO packet at MSS 1 costs a header
     * copy and checksums per segment, so a port whose units are dear took several times an honest port's time per pass
     * (issue 10, isolation run). So the same time measurement also drives a deficit round robin: every pass gives each
     * port one quantum of credit (capped at one quantum, so an idle port banks nothing) and charges it the time its
     * work took; a port whose credit is not positive is skipped — its doorbells, TX and backend input wait ({@link
     * PortCounter#PASSES_OVER_SHARE}), its timers still fire (from the deadline queue), so its interrupts are never
     * late — until its credit recovers. A cheap port (work under a quantum per pass) is served every pass; a dear one
     * once every (cost / quantum) passes, so it gets about a quantum per pass, as much as any other. Work conserving: a
     * pass in which no served port did work, while some were skipped, moves every port's credit on by the rounds the
     * most credited skipped port still needed (the next pass serves it), so a lone dear port still gets the whole core.
     * A port's debt is capped at {@link #MAX_DEBT_QUANTA} quanta (the measurement is wall time: a preempted sidecore
     * thread charges its stall to whichever port it was serving).
     */
    private int pollPorts(final long nowNs, final long startMarkNs)
    {
        final int count = portCount;
        if (0 == count)
        {
            return 0;
        }
        int start = roundRobinIndex;
        if (start >= count)
        {
            start = 0;
        }
        roundRobinIndex = start + 1;

        final Port[] ports = this.ports;
        final long[] creditNs = this.creditNs;
        final long quantumNs = fairQuantumNs;
        final int portSet = portSetChanges;
        int workCount = 0;
        int servedWork = 0;
        long mostSkippedCreditNs = Long.MIN_VALUE;
        long markNs = startMarkNs;
        for (int n = 0; n < count; n++)
        {
            final int position = start + n < count ? start + n : start + n - count;
            final Port port = ports[position];
            boolean skipped = false;
            if (0 != quantumNs)
            {
                final long credit = Math.min(creditNs[position] + quantumNs, quantumNs);
                creditNs[position] = credit;
                if (credit <= 0)
                {
                    skipped = true;
                    mostSkippedCreditNs = Math.max(mostSkippedCreditNs, credit);
                    port.counters().increment(PortCounter.PASSES_OVER_SHARE);
                }
            }
            if (skipped)
            {
                port.beginRxPass();
            }
            servingDearPort = 0 == quantumNs || dearLastPass[position];
            servedPortYielded = false;
            final int work = skipped ? 0 : port.pollUnlessQuiet(nowNs, wakeEpoch);
            if (work > 0 || !skipped && port.backendPollsTheKernel())
            {
                workCount += work;
                servedWork += skipped ? 0 : work;
                final long endNs = clock.nanoTime();
                final long costNs = endNs - markNs;
                port.counters().add(PortCounter.CPU_NS, costNs);
                creditNs[position] = Math.max(creditNs[position] - costNs, -MAX_DEBT_QUANTA * quantumNs);
                if (!skipped && !servedPortYielded)
                {
                    // Judged by the passes that ran to their end: a pass cut by a yield cost less than the port's
                    // work would have, and read as cheap it would run its whole budget next time while trapped
                    // accesses wait (a TSO attacker did so every other pass).
                    dearLastPass[position] = costNs > yieldablePassNs;
                }
                markNs = endNs;
                if (n + 1 < count && null != commandQueue.relaxedPeek())
                {
                    workCount += drainCommands(nowNs);
                    if (portSet != portSetChanges)
                    {
                        return workCount;
                    }
                    markNs = clock.nanoTime();
                }
                if (0 != threadSiblings.length)
                {
                    final int answered = answerSiblingCommands(nowNs);
                    if (answered > 0)
                    {
                        workCount += answered;
                        markNs = clock.nanoTime();
                    }
                }
            }
        }
        if (0 == servedWork && Long.MIN_VALUE != mostSkippedCreditNs)
        {
            catchUpCredit(1 - mostSkippedCreditNs);
        }
        return workCount;
    }

    /**
     * The ports' {@link YieldSignal}: a command waits while a dear port is served, so that port's pass stops soon.
     */
    private boolean yieldToWaitingCommand()
    {
        if (servingDearPort && (null != commandQueue.relaxedPeek() || siblingCommandWaiting()))
        {
            servedPortYielded = true;
            return true;
        }
        return false;
    }

    private boolean siblingCommandWaiting()
    {
        final SidecoreAgent[] siblings = threadSiblings;
        for (int i = 0; i < siblings.length; i++)
        {
            if (null != siblings[i].commandQueue.relaxedPeek())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Answer the commands waiting for the other agents on this thread, as each would on its own core: between two of
     * this agent's ports, so no state of a port being served is touched (each agent's commands run on its own ports;
     * none of them is in its duty cycle now).
     */
    private int answerSiblingCommands(final long nowNs)
    {
        final SidecoreAgent[] siblings = threadSiblings;
        int count = 0;
        for (int i = 0; i < siblings.length; i++)
        {
            if (null != siblings[i].commandQueue.relaxedPeek())
            {
                count += siblings[i].drainCommands(nowNs);
            }
        }
        return count;
    }

    /**
     * Tell this agent which other agents run on its thread, one duty cycle after the other ({@link
     * ThreadingMode#INVOKER}): a command waiting for one of them would wait for this agent's duty cycle to return,
     * which on its own core it never does, so a dear port's pass yields to it and this agent answers it between two
     * ports, as it answers its own. (Each agent on its own core, as in the daemon, answers only its own commands.)
     * Before the agents run.
     *
     * @param agents every agent on this thread; this one among them is ignored.
     */
    void shareThreadWith(final SidecoreAgent[] agents)
    {
        final List<SidecoreAgent> others = new ArrayList<>();
        for (final SidecoreAgent agent : agents)
        {
            if (agent != this)
            {
                others.add(agent);
            }
        }
        threadSiblings = others.toArray(new SidecoreAgent[0]);
    }

    /**
     * Fast-forward the deficit round robin over rounds in which no port could be served: every port gains the same
     * credit, so their order is kept and the most credited becomes eligible.
     */
    private void catchUpCredit(final long gainNs)
    {
        final long[] creditNs = this.creditNs;
        final long quantumNs = fairQuantumNs;
        for (int i = 0, count = portCount; i < count; i++)
        {
            creditNs[i] = Math.min(creditNs[i] + gainNs, quantumNs);
        }
    }

    /**
     * @return how many commands so far could have given a port work without telling it (every quiet port takes a
     *         full pass after each: {@code Port#pollUnlessQuiet}). Agent thread, or tests driving doWork.
     */
    public long wakeEpoch()
    {
        return wakeEpoch;
    }

    /**
     * Fire the timers that are due, earliest first, from the ports' {@link PortTimerQueue}: a port whose timers are
     * not due costs nothing here. At most one visit per owned port per cycle (a port's visit re-queues it at its next
     * deadline, which is after {@code nowNs} once its timers fired), so the step is bounded whatever the deadlines.
     */
    private int fireTimers(final long nowNs)
    {
        final PortTimerQueue timers = this.timers;
        int expired = 0;
        for (int visits = 0, limit = portCount; visits < limit; visits++)
        {
            final Port port = timers.duePort(nowNs);
            if (null == port)
            {
                break;
            }
            expired += port.fireTimers(nowNs);
        }
        if (expired > 0)
        {
            counters.timersExpired().getAndAddOpaque(expired);
        }
        return expired;
    }

    /**
     * Take the frames other sidecores switched to this one, up to {@code crossShardDrainLimit} per inbound ring. It
     * yields as a port's TX does (review F7): after every {@link #CROSS_SHARD_FRAMES_BEFORE_YIELD} frames, a waiting
     * command (a guest's trapped access) is answered before the next ones, so it waits for at most that many frames,
     * not a whole drain; the limit still bounds the frames per ring. Its time is counted in the sidecore's
     * {@link SidecoreCounter#CROSS_SHARD_DRAIN_NS}, not a port's {@code cpu_ns}: the senders are ports of other
     * sidecores (whose counters have their own writer), and charging the receiving ports would blame the victims of
     * a flood. Commands answered in between are not counted in it. The clock is read only when a ring has frames.
     */
    private int drainCrossShard(final long nowNs)
    {
        final ShardRing[] inbound = this.inbound;
        int workCount = 0;
        long markNs = 0;
        long drainNs = 0;
        boolean timed = false;
        for (int i = 0; i < inbound.length; i++)
        {
            final ShardRing ring = inbound[i];
            if (0 == ring.size())
            {
                continue;
            }
            if (!timed)
            {
                timed = true;
                markNs = clock.nanoTime();
            }
            int remaining = crossShardDrainLimit;
            while (remaining > 0)
            {
                final int chunk = Math.min(remaining, CROSS_SHARD_FRAMES_BEFORE_YIELD);
                final int frames = l2Switch.drain(ring, chunk);
                workCount += frames;
                remaining -= chunk;
                if (frames < chunk)
                {
                    break;
                }
                if (remaining > 0 && null != commandQueue.relaxedPeek())
                {
                    final long beforeNs = clock.nanoTime();
                    drainNs += beforeNs - markNs;
                    workCount += drainCommands(nowNs);
                    markNs = clock.nanoTime();
                }
            }
        }
        if (timed)
        {
            drainNs += clock.nanoTime() - markNs;
            counters.get(SidecoreCounter.CROSS_SHARD_DRAIN_NS).getAndAddOpaque(drainNs);
        }
        return workCount;
    }
}
