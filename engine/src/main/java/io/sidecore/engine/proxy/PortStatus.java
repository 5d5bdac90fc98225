package io.sidecore.engine.proxy;

import io.sidecore.shm.PortFault;

/**
 * What the owning sidecore reports of a port on request ({@link EngineProxy#portStatus}): state only the agent may
 * read, copied on its thread.
 *
 * @param fault                the fault the port is quarantined for (until a reset), or null while it serves.
 * @param minModerationDelayNs the moderation floor in force, ns.
 * @param operatorLinkUp       the link as the operator set it ({@link EngineProxy#setLink}).
 * @param linkUp               STATUS.LU, the link the guest sees.
 */
public record PortStatus(PortFault fault, long minModerationDelayNs, boolean operatorLinkUp, boolean linkUp)
{
    /**
     * @return true while the port is quarantined after a ring-level guest fault.
     */
    public boolean faulted()
    {
        return null != fault;
    }
}
