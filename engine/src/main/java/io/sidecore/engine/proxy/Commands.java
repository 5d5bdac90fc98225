package io.sidecore.engine.proxy;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryRegion;
import io.sidecore.engine.port.PcapNgWriter;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortCapture;
import io.sidecore.engine.port.PortSettings;
import io.sidecore.shm.PortFault;
import org.agrona.concurrent.SystemEpochNanoClock;

/**
 * The control commands the {@link EngineProxy} sends to sidecores. Each is allocated by the control thread that
 * sends it (the control plane may allocate); the agent only executes it.
 */
public final class Commands
{
    private Commands()
    {
    }

    /**
     * Hand a new port to its sidecore: it joins the pass and, when on the switch, the sidecore's switch shard. A
     * sidecore that serves its maximum of ports refuses it with {@link SidecoreFullException}, so the caller can answer
     * "no room" rather than a failure.
     */
    public static final class AddPort extends SidecoreCommand
    {
        private final Port port;
        private final int switchSlot;
        private final int maxPortsPerSidecore;

        public AddPort(final Port port, final int switchSlot, final int maxPortsPerSidecore)
        {
            this.port = port;
            this.switchSlot = switchSlot;
            this.maxPortsPerSidecore = maxPortsPerSidecore;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            if (agent.portCount() >= maxPortsPerSidecore)
            {
                throw new SidecoreFullException("sidecore " + agent.index() + " is full: maxPortsPerSidecore=" +
                    maxPortsPerSidecore);
            }
            agent.onAddPort(port, switchSlot, nowNs);
        }
    }

    /**
     * Take a port away from its sidecore: it leaves the pass and the switch, and its backend is closed. A port the
     * sidecore no longer serves is already removed (an earlier removal ran whose requester was answered "outcome
     * unknown"): that is done too, so a retried removal can finish what the requester holds for it.
     */
    public static final class RemovePort extends SidecoreCommand
    {
        private final Port port;

        public RemovePort(final Port port)
        {
            this.port = port;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            if (agent.owns(port))
            {
                agent.onRemovePort(port);
            }
        }
    }

    /**
     * Tell a sidecore that a port of another sidecore joined or left the switch.
     */
    public static final class RemoteSwitchPort extends SidecoreCommand
    {
        private final int slot;
        private final int portId;
        private final long mac;
        private final int ownerSidecore;
        private final boolean attach;

        public RemoteSwitchPort(
            final int slot, final int portId, final long mac, final int ownerSidecore, final boolean attach)
        {
            this.slot = slot;
            this.portId = portId;
            this.mac = mac;
            this.ownerSidecore = ownerSidecore;
            this.attach = attach;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            if (attach)
            {
                agent.l2Switch().attachRemote(slot, portId, mac, ownerSidecore);
            }
            else
            {
                agent.l2Switch().detach(slot);
            }
        }
    }

    /**
     * Change a port's budgets and rate limits.
     */
    public static final class UpdatePortSettings extends SidecoreCommand
    {
        private final Port port;
        private final PortSettings settings;

        public UpdatePortSettings(final Port port, final PortSettings settings)
        {
            this.port = port;
            this.settings = settings;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.onUpdatePortSettings(port, settings, nowNs);
        }
    }

    /**
     * Start (or restart into a new file) a port's capture: the agent adopts a file the control thread opened.
     */
    public static final class StartCapture extends SidecoreCommand
    {
        private final Port port;
        private final PcapNgWriter writer;
        private PcapNgWriter replaced;

        public StartCapture(final Port port, final PcapNgWriter writer)
        {
            this.port = port;
            this.writer = writer;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            requireServedBy(agent, port);
            // The wall clock is read once here, on the control path, never per frame.
            final long epochOffsetNs = SystemEpochNanoClock.INSTANCE.nanoTime() - nowNs;
            replaced = port.capture().start(writer, epochOffsetNs, nowNs);
        }

        /**
         * @return the file of a capture this one replaced, for the requester to close; valid once complete.
         */
        public PcapNgWriter replaced()
        {
            return replaced;
        }
    }

    /**
     * Stop a port's capture and hand its file back to the control thread, which closes it.
     */
    public static final class StopCapture extends SidecoreCommand
    {
        private final Port port;
        private PcapNgWriter stopped;
        private long framesCaptured;
        private RuntimeException failure;

        public StopCapture(final Port port)
        {
            this.port = port;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            requireServedBy(agent, port);
            final PortCapture capture = port.capture();
            framesCaptured = capture.framesCaptured();
            failure = capture.failure();
            stopped = capture.stop();
        }

        /**
         * @return the stopped capture's file, or null when none ran; valid once complete.
         */
        public PcapNgWriter stopped()
        {
            return stopped;
        }

        /**
         * @return frames it recorded; valid once complete.
         */
        public long framesCaptured()
        {
            return framesCaptured;
        }

        /**
         * @return why it had stopped recording by itself, or null; valid once complete.
         */
        public RuntimeException captureFailure()
        {
            return failure;
        }
    }

    /**
     * Reset a port's device to its power-on state (see {@link Port#powerOnReset}).
     */
    public static final class ResetDevice extends SidecoreCommand
    {
        private final Port port;

        public ResetDevice(final Port port)
        {
            this.port = port;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            requireServedBy(agent, port);
            port.powerOnReset(nowNs);
        }
    }

    /**
     * Serve a new guest on a port, or none: the port's device is replaced by one in its power-on state.
     */
    public static final class BindGuest extends SidecoreCommand
    {
        private final Port port;
        private final Port.GuestBinding binding;

        public BindGuest(final Port port, final Port.GuestBinding binding)
        {
            this.port = port;
            this.binding = binding;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.onBindGuest(port, binding, nowNs);
        }
    }

    /**
     * Add a region to the guest memory of a port's bound guest (a vfio-user DMA_MAP): from the next translation on
     * the device may use it.
     */
    public static final class MapGuestMemory extends SidecoreCommand
    {
        private final Port port;
        private final GuestMemory guestMemory;
        private final GuestMemoryRegion region;

        public MapGuestMemory(final Port port, final GuestMemory guestMemory, final GuestMemoryRegion region)
        {
            this.port = port;
            this.guestMemory = guestMemory;
            this.region = region;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            requireServedBy(agent, port);
            guestMemory.add(region);
        }
    }

    /**
     * Take a region, or every region, out of the guest memory of a port's bound guest (a vfio-user DMA_UNMAP): once
     * the command has run on the sidecore, no translation yields an address inside it and nothing holds one, so the
     * requester may unmap it.
     */
    public static final class UnmapGuestMemory extends SidecoreCommand
    {
        private final Port port;
        private final GuestMemory guestMemory;
        private final long gpaBase;
        private final long lengthBytes;
        private final boolean all;
        private GuestMemoryRegion[] removed;

        /**
         * @param port        the port.
         * @param guestMemory the bound guest's memory.
         * @param gpaBase     base of the region (ignored with {@code all}).
         * @param lengthBytes its length (ignored with {@code all}).
         * @param all         take out every region.
         */
        public UnmapGuestMemory(
            final Port port, final GuestMemory guestMemory, final long gpaBase, final long lengthBytes,
            final boolean all)
        {
            this.port = port;
            this.guestMemory = guestMemory;
            this.gpaBase = gpaBase;
            this.lengthBytes = lengthBytes;
            this.all = all;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            requireServedBy(agent, port);
            removed = all ? guestMemory.removeAll() :
                new GuestMemoryRegion[]{ guestMemory.remove(gpaBase, lengthBytes) };
        }

        /**
         * @return the regions taken out, for the requester to close; valid once complete.
         */
        GuestMemoryRegion[] removed()
        {
            return removed;
        }
    }

    /**
     * Change a port's moderation floor.
     */
    public static final class UpdateModeration extends SidecoreCommand
    {
        private final Port port;
        private final long overrideNs;

        public UpdateModeration(final Port port, final long overrideNs)
        {
            this.port = port;
            this.overrideNs = overrideNs;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.onUpdateModeration(port, overrideNs);
        }
    }

    /**
     * Set a port's link up or down, as an operator would plug or pull its cable.
     */
    public static final class SetLink extends SidecoreCommand
    {
        private final Port port;
        private final boolean up;

        public SetLink(final Port port, final boolean up)
        {
            this.port = port;
            this.up = up;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            requireServedBy(agent, port);
            port.operatorLinkUp(up, nowNs);
        }
    }

    /**
     * Read what only the agent may read of a port: its fault, moderation floor and link.
     */
    public static final class QueryPortStatus extends SidecoreCommand
    {
        private final Port port;
        private PortFault fault;
        private long minModerationDelayNs;
        private boolean operatorLinkUp;
        private boolean linkUp;

        public QueryPortStatus(final Port port)
        {
            this.port = port;
        }

        /**
         * A query only reads: the launcher's fault watch asks for every port's status each tick, which must not turn
         * every quiet port's next pass into a full one.
         */
        @Override
        public boolean mayWakePorts()
        {
            return false;
        }

        /**
         * Copies the state into this command's fields: the {@link PortStatus} is built by the requester in
         * {@link #status()}, so the sidecore allocates nothing for a query (the launcher asks for every port's status
         * on each housekeeping tick).
         */
        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.requireOwned(port);
            fault = port.device().fault();
            minModerationDelayNs = port.device().interrupts().minModerationDelayNs();
            operatorLinkUp = port.isOperatorLinkUp();
            linkUp = port.device().isLinkUp();
        }

        PortStatus status()
        {
            return new PortStatus(fault, minModerationDelayNs, operatorLinkUp, linkUp);
        }
    }
}
