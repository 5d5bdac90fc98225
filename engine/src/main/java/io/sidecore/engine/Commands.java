package io.sidecore.engine;

/**
 * The control commands the {@link EngineProxy} sends to sidecores. Each is allocated by the control thread that
 * sends it (the control plane may allocate); the agent only executes it.
 */
final class Commands
{
    private Commands()
    {
    }

    /**
     * Hand a new port to its sidecore: it joins the pass and, when on the switch, the sidecore's switch shard.
     */
    static final class AddPort extends SidecoreCommand
    {
        private final PortHandle port;

        AddPort(final PortHandle port)
        {
            this.port = port;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.onAddPort(port, nowNs);
        }
    }

    /**
     * Take a port away from its sidecore: it leaves the pass and the switch, and its backend is closed.
     */
    static final class RemovePort extends SidecoreCommand
    {
        private final PortHandle port;

        RemovePort(final PortHandle port)
        {
            this.port = port;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.onRemovePort(port);
        }
    }

    /**
     * Tell a sidecore that a port of another sidecore joined or left the switch.
     */
    static final class RemoteSwitchPort extends SidecoreCommand
    {
        private final int slot;
        private final int portId;
        private final long mac;
        private final int ownerSidecore;
        private final boolean attach;

        RemoteSwitchPort(
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
    static final class UpdatePortSettings extends SidecoreCommand
    {
        private final PortHandle port;
        private final PortSettings settings;

        UpdatePortSettings(final PortHandle port, final PortSettings settings)
        {
            this.port = port;
            this.settings = settings;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.requireOwned(port);
            port.applySettings(settings, nowNs);
        }
    }

    /**
     * Serve a new guest on a port, or none: the port's device is replaced by one in its power-on state.
     */
    static final class BindGuest extends SidecoreCommand
    {
        private final PortHandle port;
        private final PortHandle.GuestBinding binding;

        BindGuest(final PortHandle port, final PortHandle.GuestBinding binding)
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
     * Change a port's moderation floor.
     */
    static final class UpdateModeration extends SidecoreCommand
    {
        private final PortHandle port;
        private final long overrideNs;

        UpdateModeration(final PortHandle port, final long overrideNs)
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
     * Read what only the agent may read of a port: its fault state and moderation floor.
     */
    static final class QueryPortStatus extends SidecoreCommand
    {
        private final PortHandle port;
        private PortStatus status;

        QueryPortStatus(final PortHandle port)
        {
            this.port = port;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.requireOwned(port);
            status = new PortStatus(
                port.device().isFaulted(),
                port.device().faultReason(),
                port.device().interrupts().minModerationDelayNs());
        }

        PortStatus status()
        {
            return status;
        }
    }
}
