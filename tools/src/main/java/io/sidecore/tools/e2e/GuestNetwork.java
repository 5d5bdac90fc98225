package io.sidecore.tools.e2e;

/**
 * The test network of one run: the peer at {@link TestSubnet#PEER_ADDRESS} inside the run's network namespace,
 * and what attaches each guest's NIC to it. Each {@link NicMode} has its own.
 */
interface GuestNetwork extends AutoCloseable
{
    /**
     * Prepare guest {@code index}'s attachment (before its QEMU starts).
     *
     * @param index the guest's index.
     * @return the attachment.
     */
    GuestNic attach(int index);

    /**
     * @param nic an attached guest.
     * @return the frames and bytes the port side counted for it so far, in the guest's perspective, FCS not counted.
     */
    PortTraffic portTraffic(GuestNic nic);

    /**
     * Proof that the guest's traffic went through this network's attachment and not some other path, after the
     * guest pinged the peer.
     *
     * @param nic an attached guest.
     * @return what proves it.
     * @throws E2eException when the attachment saw no traffic.
     */
    String provePath(GuestNic nic);

    /**
     * @param nic an attached guest.
     * @return the registers its guest made the device trap on so far, or null when the mode has no such count (QEMU's
     *         own NICs).
     */
    default TrapProfile trapProfile(final GuestNic nic)
    {
        return null;
    }

    /**
     * @param nic an attached guest.
     * @return frames the host has dropped so far on their way to the guest's NIC because the TAP carrying them was not
     *     read fast enough (the TAP's {@code tx_dropped}, Linux tun: its queue to the reader was full): QEMU's own
     *     TAP, or the sidecore switch's uplink TAP, which carries the peer's frames to every guest.
     */
    long hostDroppedTowardGuest(GuestNic nic);

    /**
     * @return the device in the namespace that holds the peer's address (its MAC answers for the peer).
     */
    String peerDevice();

    /**
     * Remove everything the network made (its devices go with the namespace, which the run deletes itself).
     */
    void close();
}
