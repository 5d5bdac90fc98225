package io.sidecore.launcher.control;

import io.sidecore.shm.control.ControlProtocol;

/**
 * Who has a port's guest side: a guest attached natively over the control socket, or a vfio-user client on the
 * port's device socket. A port has at most one claim at a time ({@link ManagedPort#claim}), taken before anything
 * is bound and released after the guest was unbound, so the two ways in can never both drive one port.
 *
 * @param transport {@link ControlProtocol#TRANSPORT_NATIVE} or {@link ControlProtocol#TRANSPORT_VFIO_USER}.
 * @param pid       the guest's process (the VMM), or -1 when unknown.
 */
record GuestClaim(String transport, long pid)
{
    /**
     * @param pid the guest's process.
     * @return a native attach's claim.
     */
    static GuestClaim nativeAttach(final long pid)
    {
        return new GuestClaim(ControlProtocol.TRANSPORT_NATIVE, pid);
    }

    /**
     * @param pid the client's process.
     * @return a vfio-user client's claim.
     */
    static GuestClaim vfioUser(final long pid)
    {
        return new GuestClaim(ControlProtocol.TRANSPORT_VFIO_USER, pid);
    }

    /**
     * @return e.g. "a vfio-user client (pid 1234)", for refusals.
     */
    String describe()
    {
        return (ControlProtocol.TRANSPORT_NATIVE.equals(transport) ? "a natively attached guest" :
            "a vfio-user client") + " (pid " + pid + ")";
    }
}
