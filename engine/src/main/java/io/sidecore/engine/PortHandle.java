package io.sidecore.engine;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.FrameSink;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.e1000.TxOffloadInfo;
import io.sidecore.engine.l2.FrameDestination;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;

/**
 * One port as its sidecore serves it: the device model, what the port is connected to, the doorbell shadows, the
 * CSB state when the port offers the extension ({@link CsbPort}), the fairness budgets and rate limits, and the
 * preallocated slot through which other threads make trapped register accesses.
 * <p>
 * A pass ({@link #poll}) takes the CSB tails, then the shared-page doorbells (a change of TDT or RDT since last seen
 * counts in {@code doorbells_shared}; a trapped TDT/RDT write is re-synchronised without counting, the device counts
 * it as trapped), then runs TX when TDT differs from TDH: in batches of {@link #TX_BATCH_DESCRIPTORS} descriptors
 * until the descriptor or byte budget is spent, limited further by the token buckets, which are charged afterwards
 * for the frames and bytes actually sent. Then the backend moves up to the frame budget into the guest.
 * <p>
 * Other threads hold a handle only to name the port in {@link EngineProxy} calls and to read its identity and
 * counters; everything else is touched only by the owning agent. As the device's {@link FrameSink} the handle sees
 * every frame the guest transmits, so a pass can stop at the port's byte budget, before handing the frame on to the
 * backend; as a {@link FrameDestination} it lets the switch copy frames into the device.
 */
public final class PortHandle implements FrameSink, FrameDestination
{
    /**
     * TX descriptors processed between two checks of the byte budget: a pass may exceed the byte budget by at most
     * this many descriptors' frames, while the per-call cost of the TX walk stays amortised.
     */
    public static final int TX_BATCH_DESCRIPTORS = 16;

    /** {@link #switchSlot()} of a port that is not on the switch. */
    public static final int NO_SWITCH_SLOT = -1;

    /** {@link #moderationOverrideNs()} of a port that takes its sidecore's default moderation floor. */
    public static final long NO_MODERATION_OVERRIDE = -1;

    private final PortConfig config;
    private final int sidecoreIndex;
    private final int switchSlot;
    private RegisterImage registers;
    private final PortCounters counters;
    private final PortBackend backend;
    private final TrappedAccess trappedAccess;
    private final TokenBucket frameBucket = new TokenBucket();
    private final TokenBucket byteBucket = new TokenBucket();
    private E1000Device device;
    private CsbPort csb;
    private PortSettings settings;
    private long moderationOverrideNs = NO_MODERATION_OVERRIDE;
    private int lastTdt;
    private int lastRdt;
    private long passTxFrames;
    private long passTxBytes;

    private PortHandle(
        final PortConfig config,
        final int sidecoreIndex,
        final int switchSlot,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final PortCounters counters,
        final InterruptLine line,
        final PortBackend backend,
        final PortSettings settings)
    {
        this.config = config;
        this.sidecoreIndex = sidecoreIndex;
        this.switchSlot = switchSlot;
        this.registers = registers;
        this.counters = counters;
        this.backend = backend;
        this.settings = settings;
        this.trappedAccess = new TrappedAccess(this);
        this.device = new E1000Device(config, registers, guestMemory, counters, this, line);
        this.csb = config.csbOffered() ? new CsbPort(registers, guestMemory, counters, device.interrupts()) : null;
    }

    /**
     * What a guest brings to a port, made into a device in its power-on state: built on a control thread by
     * {@link #newGuestBinding}, swapped in by the owning agent ({@link #adopt}). Binding a new guest, or unbinding
     * one, is a whole new device over the new guest's memory, register image and interrupt line, so nothing of the
     * old guest's state survives (SDM 13.4: the power-on values; PCI configuration, EEPROM interface and PHY
     * included) and nothing the sidecore does afterwards can reach the old guest's memory or pages.
     */
    static final class GuestBinding
    {
        private final RegisterImage registers;
        private final E1000Device device;
        private final CsbPort csb;

        private GuestBinding(final RegisterImage registers, final E1000Device device, final CsbPort csb)
        {
            this.registers = registers;
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
     */
    GuestBinding newGuestBinding(
        final RegisterImage registers, final GuestMemory guestMemory, final InterruptLine line)
    {
        final E1000Device newDevice = new E1000Device(config, registers, guestMemory, counters, this, line);
        final CsbPort newCsb =
            config.csbOffered() ? new CsbPort(registers, guestMemory, counters, newDevice.interrupts()) : null;
        return new GuestBinding(registers, newDevice, newCsb);
    }

    /**
     * Serve a new guest (or none): the binding's device replaces the current one; the budgets and rate limits are
     * applied afresh and the doorbells taken as seen. Agent thread.
     *
     * @param binding             the new device.
     * @param minModerationDelayNs the moderation floor to give the new device.
     * @param nowNs               current time.
     */
    void adopt(final GuestBinding binding, final long minModerationDelayNs, final long nowNs)
    {
        registers = binding.registers;
        device = binding.device;
        csb = binding.csb;
        applySettings(settings, nowNs);
        device.interrupts().minModerationDelayNs(minModerationDelayNs);
        syncDoorbells();
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
    void applyModeration(final long overrideNs, final long defaultNs)
    {
        moderationOverrideNs = overrideNs;
        device.interrupts().minModerationDelayNs(NO_MODERATION_OVERRIDE == overrideNs ? defaultNs : overrideNs);
    }

    /**
     * Build a port and its device. Runs on a control thread; the port is handed to its agent by a command.
     *
     * @param config        identity and policy.
     * @param sidecoreIndex owning sidecore.
     * @param switchSlot    global switch slot, or {@link #NO_SWITCH_SLOT}.
     * @param registers     the BAR0 image.
     * @param guestMemory   the guest's RAM.
     * @param counters      the port's counters.
     * @param line          interrupt output.
     * @param backend       what the port is connected to.
     * @param settings      initial budgets and rate limits.
     * @return the port.
     */
    static PortHandle create(
        final PortConfig config,
        final int sidecoreIndex,
        final int switchSlot,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final PortCounters counters,
        final InterruptLine line,
        final PortBackend backend,
        final PortSettings settings)
    {
        return new PortHandle(
            config, sidecoreIndex, switchSlot, registers, guestMemory, counters, line, backend, settings);
    }

    /**
     * {@inheritDoc}
     */
    public void onFrame(final int sourcePortId, final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        passTxFrames++;
        passTxBytes += lengthBytes;
        backend.onFrame(sourcePortId, frame, offset, lengthBytes);
    }

    /**
     * {@inheritDoc}
     */
    public boolean acceptsOffload()
    {
        return backend.acceptsOffload();
    }

    /**
     * {@inheritDoc}
     */
    public void onOffloadFrame(
        final int sourcePortId,
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes,
        final TxOffloadInfo offload)
    {
        passTxFrames++;
        passTxBytes += lengthBytes;
        backend.onOffloadFrame(sourcePortId, frame, offset, lengthBytes, offload);
    }

    /**
     * {@inheritDoc}
     */
    public boolean receive(final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
    {
        return device.receive(frame, offset, lengthBytes, nowNs);
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
     * @return index of the owning sidecore.
     */
    public int sidecoreIndex()
    {
        return sidecoreIndex;
    }

    /**
     * @return global switch slot, or {@link #NO_SWITCH_SLOT}.
     */
    public int switchSlot()
    {
        return switchSlot;
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
     * @return the settings the agent applies (as last applied; the agent's view may be a pass ahead).
     */
    public PortSettings settings()
    {
        return settings;
    }

    /**
     * @return the preallocated request slot for trapped register accesses to this port.
     */
    public TrappedAccess trappedAccess()
    {
        return trappedAccess;
    }

    /**
     * Apply budgets and rate limits; buckets start full. Agent thread.
     *
     * @param settings new settings.
     * @param nowNs    current time.
     */
    void applySettings(final PortSettings settings, final long nowNs)
    {
        this.settings = settings;
        frameBucket.configure(settings.txFramesPerSecond(), settings.txBurstFrames(), nowNs);
        byteBucket.configure(settings.txBytesPerSecond(), settings.txBurstBytes(), nowNs);
    }

    /**
     * Take the current doorbells as seen without counting them, after a trapped write may have changed them.
     * Agent thread.
     */
    void syncDoorbells()
    {
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
    int poll(final long nowNs)
    {
        int workCount = null == csb ? 0 : csb.poll(this, nowNs);
        workCount += detectDoorbells();
        if (isTxPending())
        {
            workCount += transmit(nowNs);
        }
        workCount += backend.poll(nowNs, device, settings.rxFrameBudget());
        if (null != csb)
        {
            csb.publish(nowNs);
        }
        return workCount;
    }

    /**
     * The sidecore is about to park: ask CSB guests to kick, and look once more for doorbells and for interrupts a
     * CSB guest now wants. Agent thread.
     *
     * @param nowNs time of the agent's last duty cycle.
     * @return true if work appeared (do not park).
     */
    boolean prepareToPark(final long nowNs)
    {
        final boolean csbWork = null != csb && csb.prepareToPark(nowNs);
        return csbWork ||
            registers.getAcquire(E1000Registers.TDT) != lastTdt ||
            registers.getAcquire(E1000Registers.RDT) != lastRdt;
    }

    /**
     * The sidecore polls again. Agent thread.
     */
    void onWake()
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

    private int detectDoorbells()
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

    private boolean isTxPending()
    {
        return (lastTdt & E1000Registers.HEAD_TAIL_MASK) != registers.get(E1000Registers.TDH) && !device.isFaulted();
    }

    private int transmit(final long nowNs)
    {
        int descriptorBudget = settings.txDescriptorBudget();
        long byteBudget = settings.txByteBudget();
        if (frameBucket.isLimited() || byteBucket.isLimited())
        {
            frameBucket.refill(nowNs);
            byteBucket.refill(nowNs);
            if (!frameBucket.hasTokens() || !byteBucket.hasTokens())
            {
                counters.increment(PortCounter.TX_RATE_LIMITED);
                return 0;
            }
            descriptorBudget = (int)frameBucket.available(descriptorBudget);
            byteBudget = byteBucket.available(byteBudget);
        }

        passTxFrames = 0;
        passTxBytes = 0;
        int descriptors = 0;
        while (descriptors < descriptorBudget && passTxBytes < byteBudget)
        {
            final int processed =
                device.pollTx(nowNs, Math.min(descriptorBudget - descriptors, TX_BATCH_DESCRIPTORS));
            if (processed <= 0)
            {
                break;
            }
            descriptors += processed;
        }
        frameBucket.consume(passTxFrames);
        byteBucket.consume(passTxBytes);

        if ((descriptors >= descriptorBudget || passTxBytes >= byteBudget) && isTxPending())
        {
            counters.increment(PortCounter.TX_BUDGET_EXHAUSTED);
        }
        return descriptors;
    }
}
