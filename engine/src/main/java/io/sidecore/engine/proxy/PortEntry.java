package io.sidecore.engine.proxy;

import io.sidecore.engine.port.Port;

/**
 * Where a port is served, as the proxy placed it: its sidecore, its switch slot, and the preallocated slot through
 * which other threads make trapped register accesses to it. Immutable once the port is served.
 *
 * @param port          the port.
 * @param sidecoreIndex the sidecore that serves it.
 * @param switchSlot    its global switch slot, or {@link io.sidecore.engine.l2.L2Switch#NO_SLOT}.
 * @param access        its trapped-access request slot.
 */
record PortEntry(Port port, int sidecoreIndex, int switchSlot, TrappedAccess access)
{
}
