package io.sidecore.engine;

/**
 * What the owning sidecore reports of a port on request ({@link EngineProxy#portStatus}): state only the agent may
 * read, copied on its thread.
 *
 * @param faulted              the port is quarantined after a ring-level guest fault (until a reset).
 * @param faultReason          why, or null.
 * @param minModerationDelayNs the moderation floor in force, ns.
 */
public record PortStatus(boolean faulted, String faultReason, long minModerationDelayNs)
{
}
