package io.sidecore.engine.proxy;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortSettings;

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
     * Hand a new port to its sidecore: it joins the pass and, when on the switch, the sidecore's switch shard.
     */
    public static final class AddPort extends SidecoreCommand
    {
        private final Port port;
        private final int switchSlot;

        public AddPort(final Port port, final int switchSlot)
        {
            this.port = port;
            this.switchSlot = switchSlot;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            agent.onAddPort(port, switchSlot, nowNs);
        }
    }

    /**
     * Take a port away from its sidecore: it leaves the pass and the switch, and its backend is closed.
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
            agent.onRemovePort(port);
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
            if (!agent.owns(port))
            {
                throw new IllegalStateException("port not served by sidecore " + agent.index() + ": " + port.name());
            }
            port.applySettings(settings, nowNs);
        }
    }
}
