package io.sidecore.engine.port;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.DeadlineListener;
import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.EepromImage;
import io.sidecore.engine.e1000.InterruptController;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.e1000.RxProcessor;
import io.sidecore.engine.e1000.YieldSignal;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryException;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.PortFaultPublisher;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;

/**
 * One port: the device model of one guest NIC, what the port is connected to (its backend), its counters, its fault
 * state (the device's), the doorbell shadows, the CSB state when the port offers the extension ({@link CsbPort}),
 * and the fairness budgets and rate limits a pass over it applies. Which sidecore serves it and where it sits on
 * the switch are the sidecore's business (the {@link EngineProxy} places it, the agent attaches it), not the port's.
 * <p>
 * A pass ({@link #poll}) first gives the device's PHY its medium (the backend's carrier and the operator's link:
 * {@link #operatorLinkUp}), then takes the CSB tails, then looks at the shared registers as a trapped write would
 * ({@link E1000Device#pollSharedRegisters}), then the shared-page doorbells (a change of TDT or RDT since last seen
 * counts in {@code doorbells_shared}; a trapped TDT/RDT write is re-synchronised without counting, the device counts
 * it as trapped), then runs TX when TDT differs from TDH or a TSO packet still has segments to send: descriptor by
 * descriptor and segment by segment while the descriptor, segment (frames produced) and byte budgets have room,
 * limited further by the token buckets, which are charged afterwards for the frames and bytes actually sent. A pass
 * never exceeds a budget by more than one descriptor or one frame, whatever the guest queued. Then the backend moves
 * up to the frame budget into the guest. Every frame that reaches the guest between two passes (from the backend,
 * the switch or another sidecore) is charged the RX descriptors it made the device examine, up to the port's RX
 * descriptor budget per pass.
 * <p>
 * <b>Storm control.</b> A broadcast or multicast frame the guest transmits is charged to a third bucket, the port's
 * flood rate; past it the frame is dropped as {@code tx_drop_storm} before the switch copies it to every port.
 * <b>Guest memory.</b> The port gives its guest's memory its limit on regions ({@link PortSettings#maxDmaRegions()}),
 * so a vfio-user DMA_MAP and a native attach alike are refused past it.
 * <p>
 * Other threads hold a port only to name it in {@link EngineProxy} calls and to read its identity and counters;
 * everything else is touched only by the owning agent.
 * <p>
 * <b>Frames.</b> A port has two {@link FrameSink} sides. Its transmit side is the device's TX output: it sees every
 * frame the guest transmits, so a pass can stop at the port's byte budget, and hands the frame on to the backend.
 * Its {@link #receiveSide() receive side} is where the backend's poll and the switch deliver frames for the guest:
 * it hands them to the device's RX path, which accounts for each. Both sides show every frame to the port's
 * {@link PortCapture capture} first, so a capture sees the port's traffic in both directions whatever the backend.
 */
public final class Port
{
    /** {@link #moderationOverrideNs()} of a port that takes its sidecore's default moderation floor. */
    public static final long NO_MODERATION_OVERRIDE = -1;

    /** The I/G bit: set in the first octet of a broadcast or multicast destination (IEEE 802.3 3.2.3). */
    private static final int GROUP_ADDRESS_BIT = 0x01;

    private final PortConfig config;
    private RegisterImage registers;
    private final PortCounters counters;
    private final PortBackend backend;
    // The backend's answer, read once: the agent asks it of every port that did no work, every pass.
    private final boolean backendPollsTheKernel;
    // Read once too: whether an idle pass over the port may leave the backend alone (see pollUnlessQuiet).
    private final boolean backendPollsNothing;
    private final TokenBucket frameBucket = new TokenBucket();
    private final TokenBucket byteBucket = new TokenBucket();
    private final TokenBucket floodBucket = new TokenBucket();
    private final TokenBucket faultResetBucket = new TokenBucket();
    private long faultsAndResetsSeen;
    private E1000Device device;
    private final PortFaultPublisher faultPublisher;
    private final EepromImage eepromImage;
    private CsbPort csb;
    private final TransmitSide transmitSide = new TransmitSide();
    private final ReceiveSide receiveSide = new ReceiveSide();
    private RxBatchTracker rxBatchTracker;
    private boolean rxBatchOpen;
    private final PortCapture capture = new PortCapture();
    private PortSettings settings;
    private long moderationOverrideNs = NO_MODERATION_OVERRIDE;
    private int lastTdt;
    private int lastRdt;
    private long passTxFrames;
    private long passTxBytes;
    private boolean operatorLinkUp = true;
    private GuestMemory guestMemory;
    // The serving sidecore's timer queue, and this port's place in it (-1: not queued); see PortTimerQueue.
    private PortTimerQueue timerQueue;
    int timerQueueIndex = -1;
    private final DeadlineListener deadlineListener = this::onDeadlineArmed;
    // Set by a pass that found nothing the next pass could do without a doorbell (see pollUnlessQuiet); the wake
    // epoch and TDH it saw then.
    private boolean quiet;
    private long quietWakeEpoch;
    private int quietTdh;
    // A frame used some of the RX descriptor budget since the budget was last given (see pollUnlessQuiet).
    private boolean rxBudgetUsed = true;
    // Full passes in a row whose shared-register sweep corrected nothing (saturating).
    private int cleanSweeps;

    /**
     * Build a port and its device. Runs on a control thread; the port is handed to its agent by a command.
     *
     * @param config      identity and policy.
     * @param registers   the BAR0 image.
     * @param guestMemory the guest's RAM.
     * @param counters    the port's counters.
     * @param line        interrupt output.
     * @param backend     what the port is connected to.
     * @param settings    initial budgets and rate limits.
     * @param faultPublisher where the port's faults are recorded.
     */
    public Port(
        final PortConfig config,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final PortCounters counters,
        final InterruptLine line,
        final PortBackend backend,
        final PortSettings settings,
        final PortFaultPublisher faultPublisher)
    {
        this.config = config;
        this.registers = registers;
        this.counters = counters;
        this.backend = backend;
        this.backendPollsTheKernel = backend.pollsTheKernel();
        this.backendPollsNothing = backend.pollsNothing();
        this.settings = settings;
        this.faultPublisher = faultPublisher;
        this.eepromImage = new EepromImage(config.macAddress());
        limitRegions(guestMemory, settings);
        this.guestMemory = guestMemory;
        this.device = new E1000Device(
            config, registers, guestMemory, counters, transmitSide, line, faultPublisher, eepromImage);
        this.device.initialMediumUp(backend.hasCarrier(0));
        this.csb = config.csbOffered() ? new CsbPort(registers, guestMemory, counters, device) : null;
    }

    /**
     * What a guest brings to a port, made into a device in its power-on state: built on a control thread by
     * {@link #newGuestBinding}, swapped in by the owning agent ({@link #adopt}). Binding a new guest, or unbinding
     * one, is a whole new device over the new guest's memory, register image and interrupt line, so nothing of the
     * old guest's state survives (SDM 13.4: the power-on values; PCI configuration, EEPROM interface and PHY
     * included) and nothing the sidecore does afterwards can reach the old guest's memory or pages.
     */
    public static final class GuestBinding
    {
        private final RegisterImage registers;
        private final GuestMemory guestMemory;
        private final E1000Device device;
        private final CsbPort csb;

        private GuestBinding(
            final RegisterImage registers, final GuestMemory guestMemory, final E1000Device device, final CsbPort csb)
        {
            this.registers = registers;
            this.guestMemory = guestMemory;
            this.device = device;
            this.csb = csb;
        }
    }

    /**
     * A device in its power-on state for a guest, not yet used. Any thread; the registers must not be in use by the
     * port's current device.
     *
     * @param registers   the BAR0 image the guest shares.
     * @param guestMemory the guest's RAM.
     * @param line        the guest's interrupt line.
     * @return the binding to hand to the owning agent.
     * @throws GuestMemoryException ({@link GuestMemoryException.Reason#TOO_MANY_REGIONS}) when the guest brings more
     *     regions than the port's {@link PortSettings#maxDmaRegions()}; nothing changes.
     */
    public GuestBinding newGuestBinding(
        final RegisterImage registers, final GuestMemory guestMemory, final InterruptLine line)
    {
        limitRegions(guestMemory, settings);
        final E1000Device newDevice = new E1000Device(
            config, registers, guestMemory, counters, transmitSide, line, faultPublisher, eepromImage);
        final CsbPort newCsb = config.csbOffered() ? new CsbPort(registers, guestMemory, counters, newDevice) : null;
        return new GuestBinding(registers, guestMemory, newDevice, newCsb);
    }

    /**
     * Serve a new guest (or none): the binding's device replaces the current one; a fault of the old guest is
     * cleared, the port's region limit applied to the new guest memory and the doorbells taken as seen. The rate
     * limit and fault/reset backoff buckets keep their state (they belong to the port). Agent thread.
     *
     * @param binding              the new device.
     * @param minModerationDelayNs the moderation floor to give the new device.
     * @param nowNs                current time.
     */
    public void adopt(final GuestBinding binding, final long minModerationDelayNs, final long nowNs)
    {
        // The outgoing guest's last stores through its page are its own doorbells: counted before the page goes.
        takeGuestTails(nowNs);
        if (device.isFaulted())
        {
            faultPublisher.onPortFaultCleared(config.portId(), config.name());
        }
        // The read-ahead depth is configuration the outgoing device holds: the new one takes it over.
        final int rxReadAheadDescriptors = device.rxReadAheadDescriptors();
        registers = binding.registers;
        guestMemory = binding.guestMemory;
        device = binding.device;
        // The port's EEPROM (what earlier guests wrote through EECD) is read here, on the agent that writes it.
        device.loadEepromMacAddress();
        device.initialMediumUp(operatorLinkUp && backend.hasCarrier(nowNs));
        csb = binding.csb;
        device.deadlineListener(null == timerQueue ? DeadlineListener.NONE : deadlineListener);
        if (null != timerQueue)
        {
            timerQueue.requeue(this, device.nextTimerDeadlineNs());
        }
        // A new guest's shared registers: swept a whole round before the port may go quiet.
        cleanSweeps = 0;
        wake();
        // The rate limits and the fault/reset backoff are the port's, not the guest's: their buckets keep their
        // state, so a guest that reconnects in a loop gains no burst and no fresh allowance (only time refills them).
        guestMemory.maxRegions(settings.maxDmaRegions());
        device.interrupts().minModerationDelayNs(minModerationDelayNs);
        device.rxReadAheadDescriptors(rxReadAheadDescriptors);
        syncDoorbells();
    }

    /**
     * Set the RX read-ahead of this port's device and of every device a later guest brings
     * ({@code sidecore.rx.read.ahead.descriptors}). Agent thread.
     *
     * @param descriptors most RX buffers read ahead per batch, 0 (off) to
     *                    {@link RxProcessor#MAX_READ_AHEAD_DESCRIPTORS}.
     */
    public void rxReadAheadDescriptors(final int descriptors)
    {
        device.rxReadAheadDescriptors(descriptors);
    }

    /**
     * @return the port's own moderation floor in ns, or {@link #NO_MODERATION_OVERRIDE} (its sidecore's default).
     *         Agent thread, or a control thread after the agent applied it.
     */
    public long moderationOverrideNs()
    {
        return moderationOverrideNs;
    }

    /**
     * Set the port's moderation floor and apply it to the device. Agent thread.
     *
     * @param overrideNs floor in ns, or {@link #NO_MODERATION_OVERRIDE}.
     * @param defaultNs  the sidecore's default, applied when there is no override.
     */
    public void applyModeration(final long overrideNs, final long defaultNs)
    {
        moderationOverrideNs = overrideNs;
        wake();
        device.interrupts().minModerationDelayNs(NO_MODERATION_OVERRIDE == overrideNs ? defaultNs : overrideNs);
    }

    /**
     * @return where frames for this port's guest are delivered: the backend's poll and the switch hand frames to it.
     */
    public FrameSink receiveSide()
    {
        return receiveSide;
    }

    /**
     * @return the port's capture; switched on and off only by commands on the owning agent.
     */
    public PortCapture capture()
    {
        return capture;
    }

    /**
     * Release what the port holds open: its backend's resources and a running capture's file. Agent thread, once,
     * when the port leaves its sidecore or the sidecore closes.
     */
    public void close()
    {
        final PcapNgWriter captureWriter = capture.stop();
        try
        {
            backend.close();
        }
        finally
        {
            if (null != captureWriter)
            {
                captureWriter.close();
            }
        }
    }

    /**
     * @return identity and policy.
     */
    public PortConfig config()
    {
        return config;
    }

    /**
     * @return numeric port id.
     */
    public int portId()
    {
        return config.portId();
    }

    /**
     * @return port name.
     */
    public String name()
    {
        return config.name();
    }

    /**
     * @return the port's counters (read from any thread).
     */
    public PortCounters counters()
    {
        return counters;
    }

    /**
     * @return the device model; only the owning agent may call it.
     */
    public E1000Device device()
    {
        return device;
    }

    /**
     * @return true once a guest fault quarantined the port (the device's fault state); agent thread.
     */
    public boolean isFaulted()
    {
        return device.isFaulted();
    }

    /**
     * @return the BAR0 image.
     */
    public RegisterImage registers()
    {
        return registers;
    }

    /**
     * @return what the port is connected to.
     */
    public PortBackend backend()
    {
        return backend;
    }

    /**
     * @return true if every poll of the port's backend asks the kernel ({@link PortBackend#pollsTheKernel()}).
     */
    public boolean backendPollsTheKernel()
    {
        return backendPollsTheKernel;
    }

    /**
     * @return the settings the agent applies (as last applied; the agent's view may be a pass ahead).
     */
    public PortSettings settings()
    {
        return settings;
    }

    /**
     * @return where the port's faults are recorded (its record is freed when the port is removed).
     */
    public PortFaultPublisher faultPublisher()
    {
        return faultPublisher;
    }

    /**
     * Set the link as an operator would plug or pull the cable; the next pass applies it. Agent thread.
     *
     * @param up    true for up.
     * @param nowNs current time.
     */
    public void operatorLinkUp(final boolean up, final long nowNs)
    {
        operatorLinkUp = up;
        wake();
        updateMedium(nowNs);
    }

    /**
     * @return the link as the operator set it (up unless set down). Agent thread.
     */
    public boolean isOperatorLinkUp()
    {
        return operatorLinkUp;
    }

    /**
     * Apply budgets and rate limits; buckets start full. Agent thread.
     *
     * @param settings new settings.
     * @param nowNs    current time.
     */
    public void applySettings(final PortSettings settings, final long nowNs)
    {
        this.settings = settings;
        wake();
        frameBucket.configure(settings.txFramesPerSecond(), settings.txBurstFrames(), nowNs);
        byteBucket.configure(settings.txBytesPerSecond(), settings.txBurstBytes(), nowNs);
        floodBucket.configure(settings.floodFramesPerSecond(), settings.floodBurstFrames(), nowNs);
        faultResetBucket.configure(settings.faultResetsPerSecond(), settings.faultResetsPerSecond(), nowNs);
        faultsAndResetsSeen = faultsAndResets();
        guestMemory.maxRegions(settings.maxDmaRegions());
    }

    /**
     * Give a guest's memory the port's limit on regions, refusing one that already has more (native attach maps its
     * regions before binding; vfio-user DMA maps arrive afterwards and meet the limit in {@link GuestMemory#add}).
     */
    private static void limitRegions(final GuestMemory guestMemory, final PortSettings settings)
    {
        final int limit = settings.maxDmaRegions();
        if (guestMemory.regionCount() > limit)
        {
            throw new GuestMemoryException(GuestMemoryException.Reason.TOO_MANY_REGIONS,
                "guest brings " + guestMemory.regionCount() + " memory regions, the port allows " + limit +
                " (sidecore.port.max.dma.regions)");
        }
        guestMemory.maxRegions(limit);
    }

    /**
     * Whole-device reset (a VMM's DEVICE_RESET, a VM reboot, a VMM that went away): the device back to its power-on
     * state (see {@link E1000Device#powerOnReset()}), the CSB released without touching guest memory, the doorbell
     * shadows taken anew. Agent thread.
     *
     * @param nowNs current time.
     */
    public void powerOnReset(final long nowNs)
    {
        wake();
        // The registers are new: the port goes quiet again only after a whole sweep round has found them clean.
        cleanSweeps = 0;
        takeGuestTails(nowNs);
        device.powerOnReset();
        if (null != csb)
        {
            csb.reset(nowNs);
        }
        syncDoorbells();
    }

    /**
     * Take the current doorbells as seen without counting them, after a trapped write may have changed them.
     * Agent thread.
     */
    public void syncDoorbells()
    {
        wake();
        lastTdt = registers.getAcquire(E1000Registers.TDT);
        lastRdt = registers.getAcquire(E1000Registers.RDT);
    }

    /**
     * One pass over the port: doorbells, TX within the budgets and rate limits, then frames from the backend.
     * Agent thread.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int poll(final long nowNs)
    {
        quiet = false;
        beginRxPass();
        if (faultResetBucket.isLimited() && isBackedOff(nowNs))
        {
            return 0;
        }
        int workCount = updateMedium(nowNs);
        workCount += null == csb ? 0 : csb.poll(this, nowNs);
        final int corrected = device.pollSharedRegisters(nowNs);
        if (0 != corrected)
        {
            cleanSweeps = 0;
        }
        else if (cleanSweeps < Integer.MAX_VALUE)
        {
            cleanSweeps++;
        }
        workCount += corrected;
        workCount += takeSharedDoorbells();
        if (isTxPending() || device.isTxSegmenting())
        {
            workCount += transmit(nowNs);
        }
        else
        {
            device.transmitPaused(false);
        }
        workCount += backend.poll(nowNs, receiveSide, settings.rxFrameBudget(), settings.rxByteBudget());
        if (null != csb)
        {
            // host_rdh and the interrupt suppression see this pass's received frames, as without the RX batch.
            device.flushRxBatch(nowNs);
            csb.publish(nowNs);
        }
        capture.flushIfDue(nowNs);
        return workCount;
    }

    /**
     * A pass over the port that costs (close to) nothing when the port cannot have anything to do (issue 11 §2: a
     * pass visited every idle port's device, backend, budgets and timers). The port is <b>quiet</b> when its last
     * {@link #poll} found nothing that a later pass could do without news: no TX left (TDT at TDH, no TSO packet
     * half sent), not backed off, no CSB to poll, no capture to flush, and a backend that {@linkplain
     * PortBackend#pollsNothing polls nothing}, and full passes in a row have looked at every shared register with
     * reserved bits and found none set ({@link E1000Device#pollSharedRegisters}). A quiet port's pass reads only its
     * two shared doorbell lines: TDT, RDT and TDH compared with the values last seen, RDTR and TIDV for a flush
     * request; it touches neither the device nor the backend, and gives the RX descriptor budget anew only if a frame
     * used some of it. Reserved bits a guest writes into a shared register while its port is quiet stay readable until
     * the port wakes (the device masks what it acts on where it reads it: read-back fidelity only). Anything else
     * that could give the port work wakes it (a full {@link #poll} in this pass):
     * <ul>
     *     <li>a guest's doorbell, TDH or flush request on the page: seen here;</li>
     *     <li>a trapped register write, a reset, new settings, moderation or link: {@link #wake} (through
     *         {@link #syncDoorbells} for trapped writes);</li>
     *     <li>any other command the sidecore ran: the agent's {@code wakeEpoch} moved since the port went quiet;</li>
     *     <li>frames arriving for the guest need no pass (the switch places them); the timers they arm are reported
     *         to the sidecore's {@link PortTimerQueue}, which fires them when due, quiet or not.</li>
     * </ul>
     * Agent thread.
     *
     * @param nowNs     current time.
     * @param wakeEpoch the agent's count of commands that may have changed a port without telling it.
     * @return work done.
     */
    public int pollUnlessQuiet(final long nowNs, final long wakeEpoch)
    {
        if (quiet && quietWakeEpoch == wakeEpoch)
        {
            if (rxBudgetUsed)
            {
                beginRxPass();
            }
            // Also RDTR's and TIDV's bits above their timer fields (a flush request, FPD), which the full pass's
            // pollSharedRegisters acts on.
            if (registers.doorbellsAsLeft(lastTdt, lastRdt, quietTdh))
            {
                return 0;
            }
        }
        final int workCount = poll(nowNs);
        quiet = null == csb && backendPollsNothing && !capture.isRecording() && !device.isTxSegmenting() &&
            !isTxPending() && !(faultResetBucket.isLimited() && faultResetBucket.balanceUnits() < 0) &&
            cleanSweeps > device.sharedRegistersSwept();
        if (quiet)
        {
            quietWakeEpoch = wakeEpoch;
            quietTdh = registers.get(E1000Registers.TDH);
        }
        return workCount;
    }

    /**
     * Make the next pass over the port a full one (see {@link #pollUnlessQuiet}). Agent thread.
     */
    public void wake()
    {
        quiet = false;
    }

    /**
     * @return true while passes over the port read only its doorbells (see {@link #pollUnlessQuiet}); agent thread,
     *         or tests driving doWork.
     */
    public boolean isQuiet()
    {
        return quiet;
    }

    /**
     * Serve the port's timers from this sidecore's queue: the device reports every deadline it arms there, and the
     * port is queued at its device's next deadline now. Null takes the port out of its queue. Agent thread (a
     * command).
     *
     * @param queue the serving sidecore's timer queue, or null.
     */
    public void timerQueue(final PortTimerQueue queue)
    {
        if (null != timerQueue)
        {
            timerQueue.remove(this);
        }
        timerQueue = queue;
        device.deadlineListener(null == queue ? DeadlineListener.NONE : deadlineListener);
        if (null != queue)
        {
            queue.scheduleNoLaterThan(this, device.nextTimerDeadlineNs());
        }
    }

    /**
     * Fire the device's timers if they are due, and queue the port again at its next deadline (the queue visits a
     * port no later than its deadline, sometimes earlier: see {@link PortTimerQueue}). Agent thread.
     *
     * @param nowNs current time.
     * @return timers that expired.
     */
    public int fireTimers(final long nowNs)
    {
        final E1000Device device = this.device;
        final long deadlineNs = device.nextTimerDeadlineNs();
        int expired = 0;
        if (InterruptController.NO_DEADLINE != deadlineNs && deadlineNs - nowNs <= 0)
        {
            expired = device.onTimers(nowNs);
        }
        if (null != timerQueue)
        {
            timerQueue.requeue(this, device.nextTimerDeadlineNs());
        }
        return expired;
    }

    private void onDeadlineArmed(final long deadlineNs)
    {
        if (null != timerQueue)
        {
            timerQueue.scheduleNoLaterThan(this, deadlineNs);
        }
    }

    /**
     * Where this port's RX batches are opened and ended: its owning agent, or null while no agent serves it.
     * Agent thread (a command).
     *
     * @param tracker the owning agent's tracker, or null.
     */
    public void rxBatchTracker(final RxBatchTracker tracker)
    {
        rxBatchTracker = tracker;
    }

    /**
     * End the RX batch the first frame of this duty cycle opened ({@link RxBatchTracker}), publishing what it deferred;
     * nothing when no batch is open. Agent thread.
     *
     * @param nowNs current time.
     */
    public void endRxBatch(final long nowNs)
    {
        if (rxBatchOpen)
        {
            rxBatchOpen = false;
            device.rxBatching(false, nowNs);
        }
    }

    /**
     * @return true while an RX batch opened by a frame of this duty cycle is open (agent thread, or tests driving
     *         doWork).
     */
    public boolean isRxBatchOpen()
    {
        return rxBatchOpen;
    }

    /**
     * Publish what the port's RX batch deferred, before a command looks at the port. Agent thread.
     *
     * @param nowNs current time.
     */
    public void flushRxBatch(final long nowNs)
    {
        device.flushRxBatch(nowNs);
    }

    /**
     * @param signal asked by the port's TX passes, and by its backend's input (a TAP's frames and GSO segments),
     *               between frames whether another thread waits for its sidecore (the serving agent's, set when it
     *               adds the port). Agent thread.
     */
    public void yieldTxWhen(final YieldSignal signal)
    {
        device.yieldTxWhen(signal);
        backend.yieldInputWhen(signal);
    }

    /**
     * Give the port its RX descriptor budget for this pass (what the device may examine for frames switched to it),
     * also when the port itself is not served in this pass (over its share of the sidecore's time, or backed off):
     * frames other ports send it meanwhile are bounded per pass like any others, not dropped once the rest of its
     * last served pass's budget is spent. Agent thread.
     */
    public void beginRxPass()
    {
        rxBudgetUsed = false;
        device.beginPass(settings.rxDescriptorBudget());
    }

    /**
     * The sidecore is about to park: ask CSB guests to kick, and look once more for doorbells and for interrupts a
     * CSB guest now wants. Agent thread.
     *
     * @param nowNs time of the agent's last duty cycle.
     * @return true if work appeared (do not park).
     */
    public boolean prepareToPark(final long nowNs)
    {
        final boolean csbWork = null != csb && csb.prepareToPark(nowNs);
        return csbWork ||
            registers.getAcquire(E1000Registers.TDT) != lastTdt ||
            registers.getAcquire(E1000Registers.RDT) != lastRdt;
    }

    /**
     * The sidecore polls again. Agent thread.
     */
    public void onWake()
    {
        if (null != csb)
        {
            csb.onWake();
        }
    }

    /**
     * @return ICR causes withheld because the CSB guest polls (0 without a served CSB). Agent thread, or tests
     *         driving doWork.
     */
    public int csbSuppressedCauses()
    {
        return null == csb ? 0 : csb.suppressedCauses();
    }

    /**
     * @return true while a CSB registered by the guest is served. Agent thread, or tests driving doWork.
     */
    public boolean isCsbActive()
    {
        return null != csb && csb.isActive();
    }

    /**
     * A tail taken from the CSB was applied to the register image: it is not a shared-page doorbell.
     *
     * @param offset {@link E1000Registers#TDT} or {@link E1000Registers#RDT}.
     * @param tail   the tail.
     */
    void onCsbTail(final int offset, final int tail)
    {
        if (E1000Registers.TDT == offset)
        {
            lastTdt = tail;
        }
        else
        {
            lastRdt = tail;
        }
    }

    /**
     * The medium the device's PHY sees: the backend's carrier and the operator's link.
     */
    private int updateMedium(final long nowNs)
    {
        final boolean medium = operatorLinkUp && backend.hasCarrier(nowNs);
        if (medium == device.isMediumUp())
        {
            return 0;
        }
        device.setMediumUp(medium, nowNs);
        return 1;
    }

    /**
     * Count what the guest wrote into its doorbell registers since this port's last pass, as the pass would count it
     * (a CSB kick as {@code csb_kicks}, any other tail change as {@code doorbells_shared}), before a trapped write, a
     * reset or a new binding takes the registers' tails as seen ({@link #syncDoorbells}). Agent thread.
     *
     * @param nowNs current time.
     * @return tails counted.
     */
    public int takeGuestTails(final long nowNs)
    {
        final int kicks = null == csb ? 0 : csb.takeKicks(this, nowNs);
        return kicks + takeSharedDoorbells();
    }

    /**
     * Count the tails the guest changed through the shared page since last seen (in {@code doorbells_shared}) and
     * take them as seen: each pass, after its CSB (if any) has taken its kicks, and {@link #takeGuestTails}.
     *
     * @return the tails that changed (0 to 2).
     */
    private int takeSharedDoorbells()
    {
        int workCount = 0;
        final int tdt = registers.getAcquire(E1000Registers.TDT);
        if (tdt != lastTdt)
        {
            lastTdt = tdt;
            counters.increment(PortCounter.DOORBELLS_SHARED);
            workCount++;
        }
        final int rdt = registers.getAcquire(E1000Registers.RDT);
        if (rdt != lastRdt)
        {
            lastRdt = rdt;
            counters.increment(PortCounter.DOORBELLS_SHARED);
            workCount++;
        }
        return workCount;
    }

    /**
     * Charge the faults and resets since the last pass to the port's allowance; while it is spent the pass is
     * skipped (doorbells, TX and backend input wait), so a guest in a fault or reset loop gets at most its allowance
     * of them per second, and the work they bring. Two reads of the port's own counters per pass.
     */
    private boolean isBackedOff(final long nowNs)
    {
        final long events = faultsAndResets();
        if (events != faultsAndResetsSeen)
        {
            faultResetBucket.consume(events - faultsAndResetsSeen);
            faultsAndResetsSeen = events;
        }
        if (faultResetBucket.balanceUnits() >= 0)
        {
            return false;
        }
        faultResetBucket.refill(nowNs);
        if (faultResetBucket.balanceUnits() >= 0)
        {
            return false;
        }
        counters.increment(PortCounter.PASSES_BACKED_OFF);
        return true;
    }

    private long faultsAndResets()
    {
        return counters.get(PortCounter.RING_FAULTS) + counters.get(PortCounter.DEVICE_RESETS);
    }

    private boolean isTxPending()
    {
        return (lastTdt & E1000Registers.HEAD_TAIL_MASK) != registers.get(E1000Registers.TDH) && !device.isFaulted();
    }

    private int transmit(final long nowNs)
    {
        final int descriptorBudget = settings.txDescriptorBudget();
        int frameBudget = settings.txSegmentBudget();
        long byteBudget = settings.txByteBudget();
        final boolean rateLimited = frameBucket.isLimited() || byteBucket.isLimited();
        if (rateLimited)
        {
            frameBucket.refill(nowNs);
            byteBucket.refill(nowNs);
            if (!frameBucket.hasTokens() || !byteBucket.hasTokens())
            {
                counters.increment(PortCounter.TX_RATE_LIMITED);
                device.transmitPaused(true);
                return 0;
            }
            frameBudget = (int)frameBucket.available(frameBudget);
            byteBudget = byteBucket.available(byteBudget);
        }

        passTxFrames = 0;
        passTxBytes = 0;
        final int work = device.pollTx(nowNs, descriptorBudget, frameBudget, byteBudget);
        frameBucket.consume(passTxFrames);
        byteBucket.consume(passTxBytes);
        // Descriptors the rate limit holds back show as STATUS.TXOFF, so the Linux driver's Tx Unit Hang check
        // (e1000_clean_tx_irq skips it while TXOFF is set) does not reset a guest that is merely rate limited.
        device.transmitPaused(rateLimited && isTxPending());

        if (device.isTxYielded())
        {
            counters.increment(PortCounter.TX_PASSES_YIELDED);
        }
        else if (device.isTxBudgetSpent())
        {
            counters.increment(PortCounter.TX_BUDGET_EXHAUSTED);
        }
        return work;
    }

    /**
     * The device's TX output: counts the pass's frames and bytes for the budgets, shows each frame to the capture,
     * then hands it on to the backend.
     */
    private final class TransmitSide implements FrameSink
    {
        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            if (floodBucket.isLimited() && lengthBytes > 0 && 0 != (frame.getByte(offset) & GROUP_ADDRESS_BIT))
            {
                floodBucket.refill(nowNs);
                if (!floodBucket.hasTokens())
                {
                    counters.increment(PortCounter.TX_DROP_STORM);
                    return FrameSink.dropped(PortCounter.TX_DROP_STORM);
                }
                floodBucket.consume(1);
            }
            passTxFrames++;
            passTxBytes += lengthBytes;
            capture.recordOutbound(frame, offset, lengthBytes, nowNs);
            return backend.onFrame(frame, offset, lengthBytes, metadata, nowNs);
        }

        public boolean acceptsOffload()
        {
            return backend.acceptsOffload();
        }
    }

    /**
     * Frames for the guest, from the backend or the switch: shown to the capture, then the device's RX path places
     * each in the guest's ring or counts it under one drop reason.
     */
    private final class ReceiveSide implements FrameSink
    {
        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            if (!rxBatchOpen && null != rxBatchTracker && rxBatchTracker.isBatching())
            {
                // The duty cycle's first frame for this port opens its batch; the agent ends it with the cycle, so
                // a port that receives nothing costs the cycle nothing (issue 11: no O(ports) batch loops).
                rxBatchOpen = true;
                device.rxBatching(true, nowNs);
                rxBatchTracker.onRxBatchOpened(Port.this, nowNs);
            }
            rxBudgetUsed = true;
            capture.recordInbound(frame, offset, lengthBytes, nowNs);
            return device.receive(frame, offset, lengthBytes, metadata, nowNs);
        }
    }
}
