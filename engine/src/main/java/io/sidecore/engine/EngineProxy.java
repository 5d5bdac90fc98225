package io.sidecore.engine;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.SwitchBackend;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The only way other threads act on the sidecores: every call becomes a command offered to the owning sidecore's
 * bounded queue, and the caller waits for the sidecore to execute it, so each port keeps a single writer.
 * <p>
 * <b>Trapped register accesses</b> ({@link #mmioRead} and friends) reuse the port's preallocated
 * {@link TrappedAccess} slot: the calling socket thread fills it, offers it and spins for the reply, which a running
 * sidecore gives within its next duty cycle (microseconds). Nothing is allocated on either side.
 * <p>
 * <b>Control calls</b> (add or remove a port, change its settings) are serialised on the proxy, allocate freely and
 * wait for every sidecore involved: a switch port is announced to every sidecore's part of the switch.
 * <p>
 * A full command queue is counted in the target sidecore's {@code proxy_offer_failures} and retried until the
 * context's command timeout; a sidecore that does not answer within that timeout makes the call throw
 * {@link IllegalStateException}. In {@link ThreadingMode#INVOKER} mode the waiting caller runs the agents itself.
 */
public final class EngineProxy
{
    /** {@link #addPort(PortConfig, RegisterImage, GuestMemory, InterruptLine, int, Function)}: the least loaded. */
    public static final int LEAST_LOADED_SIDECORE = -1;

    private static final int SPINS_BEFORE_YIELD = 1000;

    private final SidecoreEngine engine;
    private final EngineContext ctx;
    private final SidecoreAgent[] agents;
    private final boolean invoker;
    private final int[] portsPerSidecore;
    private final boolean[] switchSlotsInUse;
    private final List<PortHandle> ports = new ArrayList<>();

    EngineProxy(final SidecoreEngine engine, final EngineContext ctx, final SidecoreAgent[] agents)
    {
        this.engine = engine;
        this.ctx = ctx;
        this.agents = agents.clone();
        this.invoker = ThreadingMode.INVOKER == ctx.threadingMode();
        this.portsPerSidecore = new int[agents.length];
        this.switchSlotsInUse = new boolean[ctx.maxSwitchPorts()];
    }

    /**
     * Create a port on the built-in L2 switch, on the least-loaded sidecore.
     *
     * @param config      identity and policy.
     * @param registers   the BAR0 image (shared with the guest).
     * @param guestMemory the guest's RAM.
     * @param line        interrupt output (an eventfd in the daemon).
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use or the switch is full.
     */
    public synchronized PortHandle addSwitchPort(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line)
    {
        return add(config, registers, guestMemory, line, LEAST_LOADED_SIDECORE, null);
    }

    /**
     * Create a port connected to a given backend (TAP, capture, null), on the least-loaded sidecore.
     *
     * @param config      identity and policy.
     * @param registers   the BAR0 image (shared with the guest).
     * @param guestMemory the guest's RAM.
     * @param line        interrupt output.
     * @param backend     what the port is connected to; from now on used only by the owning sidecore.
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use.
     */
    public synchronized PortHandle addPort(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line, final PortBackend backend)
    {
        if (null == backend)
        {
            throw new IllegalArgumentException("backend must not be null (use addSwitchPort for the switch)");
        }
        return add(config, registers, guestMemory, line, LEAST_LOADED_SIDECORE, counters -> backend);
    }

    /**
     * Create a port on a chosen sidecore, with a backend made for the port's counters (a TAP backend counts into
     * them).
     *
     * @param config         identity and policy.
     * @param registers      the BAR0 image.
     * @param guestMemory    the guest's RAM (empty for a port no guest is bound to yet).
     * @param line           interrupt output ({@link InterruptLine#NONE} without a guest).
     * @param sidecoreIndex  the sidecore, or {@link #LEAST_LOADED_SIDECORE}.
     * @param backendFactory makes the backend from the port's counters; null for the built-in switch. When it
     *                       throws, nothing is created and the exception propagates.
     * @return the port, served once this returns.
     * @throws IllegalArgumentException if the port id is in use, the sidecore does not exist or the switch is full.
     */
    public synchronized PortHandle addPort(
        final PortConfig config,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final InterruptLine line,
        final int sidecoreIndex,
        final Function<PortCounters, PortBackend> backendFactory)
    {
        if (LEAST_LOADED_SIDECORE != sidecoreIndex && (sidecoreIndex < 0 || sidecoreIndex >= agents.length))
        {
            throw new IllegalArgumentException("no sidecore " + sidecoreIndex + ": there are " + agents.length);
        }
        return add(config, registers, guestMemory, line, sidecoreIndex, backendFactory);
    }

    /**
     * Serve a guest on an existing port: its device is replaced by one in its power-on state over the guest's
     * register image, memory and interrupt line. Waits until the sidecore made the change.
     *
     * @param port        the port.
     * @param registers   the BAR0 image the guest shares (not the port's current one).
     * @param guestMemory the guest's RAM.
     * @param line        the guest's interrupt line.
     */
    public void bindGuest(
        final PortHandle port, final RegisterImage registers, final GuestMemory guestMemory, final InterruptLine line)
    {
        execute(agents[port.sidecoreIndex()], new Commands.BindGuest(
            port, port.newGuestBinding(registers, guestMemory, line)));
    }

    /**
     * Let a port's guest go: the port's device returns to its power-on state over a private register image, no
     * guest memory and no interrupt line, so its rings stop and nothing more is written into the old guest's memory
     * once this returns (the caller may then unmap it). The port stays, for the next guest.
     *
     * @param port the port.
     */
    public void unbindGuest(final PortHandle port)
    {
        bindGuest(port, RegisterImage.allocate(), new GuestMemory(), InterruptLine.NONE);
    }

    /**
     * Change a port's moderation floor while it runs.
     *
     * @param port       the port.
     * @param overrideNs floor on the interval between two interrupts in ns (0: exactly as the guest programs its
     *                   timers), or {@link PortHandle#NO_MODERATION_OVERRIDE} for the engine's default.
     */
    public void updateModeration(final PortHandle port, final long overrideNs)
    {
        if (PortHandle.NO_MODERATION_OVERRIDE != overrideNs && (overrideNs < 0 || overrideNs > 1_000_000_000L))
        {
            throw new IllegalArgumentException("moderation floor must be in [0, 1000000000] ns: " + overrideNs);
        }
        execute(agents[port.sidecoreIndex()], new Commands.UpdateModeration(port, overrideNs));
    }

    /**
     * @param port the port.
     * @return its fault state and moderation, as its sidecore sees them now.
     */
    public PortStatus portStatus(final PortHandle port)
    {
        final Commands.QueryPortStatus query = new Commands.QueryPortStatus(port);
        execute(agents[port.sidecoreIndex()], query);
        return query.status();
    }

    /**
     * Stop serving a port: it leaves its sidecore and the switch, its backend is closed and its counters freed.
     *
     * @param port the port.
     * @throws IllegalArgumentException if the port is not served.
     */
    public synchronized void removePort(final PortHandle port)
    {
        if (!ports.remove(port))
        {
            throw new IllegalArgumentException("port not served: " + port.name());
        }
        execute(agents[port.sidecoreIndex()], new Commands.RemovePort(port));
        final int slot = port.switchSlot();
        if (PortHandle.NO_SWITCH_SLOT != slot)
        {
            for (int i = 0; i < agents.length; i++)
            {
                if (i != port.sidecoreIndex())
                {
                    execute(agents[i], new Commands.RemoteSwitchPort(
                        slot, port.portId(), L2Switch.NO_MAC, port.sidecoreIndex(), false));
                }
            }
            switchSlotsInUse[slot] = false;
        }
        portsPerSidecore[port.sidecoreIndex()]--;
        port.counters().close();
    }

    /**
     * Change a port's budgets and rate limits while it runs.
     *
     * @param port     the port.
     * @param settings new settings (validated on construction).
     */
    public void updatePortSettings(final PortHandle port, final PortSettings settings)
    {
        execute(agents[port.sidecoreIndex()], new Commands.UpdatePortSettings(port, settings));
    }

    /**
     * @return the ports served, in creation order (a copy).
     */
    public synchronized List<PortHandle> ports()
    {
        return new ArrayList<>(ports);
    }

    /**
     * @param sidecoreIndex a sidecore.
     * @return ports placed on it.
     */
    public synchronized int portCount(final int sidecoreIndex)
    {
        return portsPerSidecore[sidecoreIndex];
    }

    /**
     * Trapped 32-bit BAR0 read, answered by the owning sidecore.
     *
     * @param port   the port.
     * @param offset BAR0 byte offset.
     * @return the register value.
     */
    public int mmioRead(final PortHandle port, final int offset)
    {
        return access(port, TrappedAccess.MMIO_SPACE, false, offset, Integer.BYTES, 0);
    }

    /**
     * Trapped 32-bit BAR0 write, executed by the owning sidecore before this returns.
     *
     * @param port   the port.
     * @param offset BAR0 byte offset.
     * @param value  value.
     */
    public void mmioWrite(final PortHandle port, final int offset, final int value)
    {
        access(port, TrappedAccess.MMIO_SPACE, true, offset, Integer.BYTES, value);
    }

    /**
     * PCI configuration space read.
     *
     * @param port      the port.
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @return value.
     */
    public int configRead(final PortHandle port, final int offset, final int sizeBytes)
    {
        return access(port, TrappedAccess.CONFIG_SPACE, false, offset, sizeBytes, 0);
    }

    /**
     * PCI configuration space write.
     *
     * @param port      the port.
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @param value     value.
     */
    public void configWrite(final PortHandle port, final int offset, final int sizeBytes, final int value)
    {
        access(port, TrappedAccess.CONFIG_SPACE, true, offset, sizeBytes, value);
    }

    /**
     * BAR1 (I/O window) read.
     *
     * @param port   the port.
     * @param offset BAR1 byte offset.
     * @return value.
     */
    public int ioRead(final PortHandle port, final int offset)
    {
        return access(port, TrappedAccess.IO_SPACE, false, offset, Integer.BYTES, 0);
    }

    /**
     * BAR1 (I/O window) write.
     *
     * @param port   the port.
     * @param offset BAR1 byte offset.
     * @param value  value.
     */
    public void ioWrite(final PortHandle port, final int offset, final int value)
    {
        access(port, TrappedAccess.IO_SPACE, true, offset, Integer.BYTES, value);
    }

    /**
     * Offer a trapped access without waiting: the caller polls {@link TrappedAccess#isComplete()}, reads
     * {@link TrappedAccess#result()} and calls {@link TrappedAccess#end()}. For callers with their own event loop,
     * and for tests that drive the agent themselves.
     *
     * @param port      the port.
     * @param space     {@link TrappedAccess#MMIO_SPACE}, {@link TrappedAccess#CONFIG_SPACE} or
     *                  {@link TrappedAccess#IO_SPACE}.
     * @param write     true for a write.
     * @param offset    byte offset.
     * @param sizeBytes access size.
     * @param value     value to write.
     * @return the slot, or null if the slot is busy or the queue full (counted).
     */
    public TrappedAccess offerAccess(
        final PortHandle port, final int space, final boolean write, final int offset, final int sizeBytes,
        final int value)
    {
        final TrappedAccess access = port.trappedAccess();
        if (!access.tryBegin(space, write, offset, sizeBytes, value))
        {
            return null;
        }
        if (!agents[port.sidecoreIndex()].offer(access))
        {
            access.end();
            return null;
        }
        return access;
    }

    /**
     * @return command offers refused because a queue was full, over every sidecore.
     */
    public long offerFailures()
    {
        long total = 0;
        for (int i = 0; i < agents.length; i++)
        {
            total += agents[i].counters().proxyOfferFailures().get();
        }
        return total;
    }

    private PortHandle add(
        final PortConfig config, final RegisterImage registers, final GuestMemory guestMemory,
        final InterruptLine line, final int sidecoreIndex, final Function<PortCounters, PortBackend> backendFactory)
    {
        for (int i = 0, size = ports.size(); i < size; i++)
        {
            if (ports.get(i).portId() == config.portId())
            {
                throw new IllegalArgumentException("port id already in use: " + config.portId());
            }
        }
        final int sidecore = LEAST_LOADED_SIDECORE == sidecoreIndex ? leastLoadedSidecore() : sidecoreIndex;
        final int slot = null == backendFactory ? allocateSwitchSlot() : PortHandle.NO_SWITCH_SLOT;
        final PortCounters counters = new PortCounters(ctx.countersManager(), config.portId(), config.name());
        final PortHandle port;
        PortBackend portBackend = null;
        try
        {
            portBackend = null == backendFactory ?
                new SwitchBackend(agents[sidecore].l2Switch(), slot) : backendFactory.apply(counters);
            port = PortHandle.create(
                config, sidecore, slot, registers, guestMemory, counters, line, portBackend, ctx.portDefaults());
            execute(agents[sidecore], new Commands.AddPort(port));
        }
        catch (final RuntimeException ex)
        {
            if (null != portBackend)
            {
                portBackend.close();
            }
            if (PortHandle.NO_SWITCH_SLOT != slot)
            {
                switchSlotsInUse[slot] = false;
            }
            counters.close();
            throw ex;
        }
        return announce(port, config, sidecore, slot);
    }

    private PortHandle announce(final PortHandle port, final PortConfig config, final int sidecore, final int slot)
    {
        if (PortHandle.NO_SWITCH_SLOT != slot)
        {
            for (int i = 0; i < agents.length; i++)
            {
                if (i != sidecore)
                {
                    execute(agents[i], new Commands.RemoteSwitchPort(
                        slot, config.portId(), L2Switch.macToLong(config.macAddress()), sidecore, true));
                }
            }
        }
        portsPerSidecore[sidecore]++;
        ports.add(port);
        return port;
    }

    private int leastLoadedSidecore()
    {
        int best = 0;
        for (int i = 1; i < portsPerSidecore.length; i++)
        {
            if (portsPerSidecore[i] < portsPerSidecore[best])
            {
                best = i;
            }
        }
        return best;
    }

    private int allocateSwitchSlot()
    {
        for (int i = 0; i < switchSlotsInUse.length; i++)
        {
            if (!switchSlotsInUse[i])
            {
                switchSlotsInUse[i] = true;
                return i;
            }
        }
        throw new IllegalArgumentException("switch is full: maxSwitchPorts=" + switchSlotsInUse.length);
    }

    /**
     * A trapped access of any space and size, executed by the owning sidecore before this returns.
     *
     * @param port      the port.
     * @param space     {@link TrappedAccess#MMIO_SPACE}, {@link TrappedAccess#CONFIG_SPACE} or
     *                  {@link TrappedAccess#IO_SPACE}.
     * @param write     true for a write.
     * @param offset    byte offset in the space.
     * @param sizeBytes access size as the guest made it, passed to the device.
     * @param value     value to write.
     * @return the value read (0 for a write).
     * @throws IllegalStateException when the sidecore does not answer within the command timeout.
     */
    public int access(
        final PortHandle port, final int space, final boolean write, final int offset, final int sizeBytes,
        final int value)
    {
        final TrappedAccess access = port.trappedAccess();
        final long deadlineNs = System.nanoTime() + ctx.commandTimeoutNs();
        int spins = 0;
        while (!access.tryBegin(space, write, offset, sizeBytes, value))
        {
            spins = waitStep(spins, deadlineNs, port, "trapped access slot busy");
        }
        final SidecoreAgent agent = agents[port.sidecoreIndex()];
        while (!agent.offer(access))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                access.end();
                throw new IllegalStateException("command queue of sidecore " + agent.index() + " full for " +
                    ctx.commandTimeoutNs() + " ns: port " + port.name());
            }
            spins = idleStep(spins);
        }
        spins = 0;
        while (!access.isComplete())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                access.abandon();
                throw new IllegalStateException("sidecore " + agent.index() + " did not answer a trapped access " +
                    "within " + ctx.commandTimeoutNs() + " ns: port " + port.name() + " offset 0x" +
                    Integer.toHexString(offset));
            }
            spins = idleStep(spins);
        }
        final Exception failure = access.failure();
        final int result = access.result();
        access.end();
        if (null != failure)
        {
            throw new IllegalStateException("trapped access failed: port " + port.name() + " offset 0x" +
                Integer.toHexString(offset), failure);
        }
        return result;
    }

    private void execute(final SidecoreAgent agent, final SidecoreCommand command)
    {
        final long deadlineNs = System.nanoTime() + ctx.commandTimeoutNs();
        int spins = 0;
        while (!agent.offer(command))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("command queue of sidecore " + agent.index() + " full for " +
                    ctx.commandTimeoutNs() + " ns");
            }
            spins = idleStep(spins);
        }
        spins = 0;
        while (!command.isComplete())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("sidecore " + agent.index() + " did not execute " +
                    command.getClass().getSimpleName() + " within " + ctx.commandTimeoutNs() + " ns");
            }
            spins = idleStep(spins);
        }
        final Exception failure = command.failure();
        if (null != failure)
        {
            throw new IllegalStateException(command.getClass().getSimpleName() + " failed on sidecore " +
                agent.index() + ": " + failure.getMessage(), failure);
        }
    }

    private int waitStep(final int spins, final long deadlineNs, final PortHandle port, final String what)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IllegalStateException(what + " for " + ctx.commandTimeoutNs() + " ns: port " + port.name());
        }
        return idleStep(spins);
    }

    private int idleStep(final int spins)
    {
        if (invoker)
        {
            engine.doWork();
            return spins;
        }
        if (spins < SPINS_BEFORE_YIELD)
        {
            Thread.onSpinWait();
            return spins + 1;
        }
        Thread.yield();
        return spins;
    }
}
