package io.sidecore.tools.e2e;

import java.util.Locale;

/**
 * Addresses of the test network. Link-local IPv4 (169.254.0.0/16), used only inside the run's own network
 * namespace and the guests attached to it.
 */
final class TestSubnet
{
    /** The peer's address (on the namespace's bridge or TAP). */
    static final String PEER_ADDRESS = "169.254.90.1";
    /** Prefix length of the test subnet. */
    static final int PREFIX_LENGTH = 24;
    /** The MAC of the peer's device, set explicitly so that it never changes as guests come and go. */
    static final String PEER_MAC = "02:5c:e2:00:00:01";
    /** The largest MTU the peer side carries (the jumbo check needs 9000). */
    static final int PEER_MTU = 9000;

    private TestSubnet()
    {
    }

    /**
     * @param index guest index.
     * @return the guest's IPv4 address.
     */
    static String guestAddress(final int index)
    {
        return "169.254.90." + (11 + index);
    }

    /**
     * @param index guest index.
     * @return the guest's MAC: QEMU's locally administered prefix 52:54:00, then 5c:e2 and the index.
     */
    static String guestMac(final int index)
    {
        return String.format(Locale.ROOT, "52:54:00:5c:e2:%02x", 1 + index);
    }

    /**
     * @param index guest index.
     * @return the guest's name.
     */
    static String guestName(final int index)
    {
        return "g" + index;
    }
}
