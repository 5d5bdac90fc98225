package io.sidecore.tools.e2e;

import java.util.List;

/**
 * The network of the QEMU baseline modes: a bridge in the run's namespace carrying the peer's address, and one TAP
 * per guest on it, which QEMU opens by name ({@code -netdev tap}) for its own {@code e1000} or
 * {@code virtio-net-pci}. Guests reach the peer and each other through the bridge. The TAPs are made persistent
 * before QEMU starts, so the bridge is complete before any guest sends.
 */
final class BridgeTapNetwork implements GuestNetwork
{
    private static final String BRIDGE = "br0";

    private final NetNamespace namespace;
    private final NicMode mode;

    /**
     * @param namespace the run's namespace.
     * @param mode      {@link NicMode#QEMU_E1000} or {@link NicMode#VIRTIO}.
     */
    BridgeTapNetwork(final NetNamespace namespace, final NicMode mode)
    {
        if (NicMode.SIDECORE == mode)
        {
            throw new IllegalArgumentException("the sidecore mode attaches guests through the daemon");
        }
        this.namespace = namespace;
        this.mode = mode;
        namespace.ip("link", "add", BRIDGE, "address", TestSubnet.PEER_MAC, "type", "bridge");
        namespace.ip("link", "set", BRIDGE, "mtu", Integer.toString(TestSubnet.PEER_MTU));
        namespace.ip("addr", "add", TestSubnet.PEER_ADDRESS + "/" + TestSubnet.PREFIX_LENGTH, "dev", BRIDGE);
        namespace.ip("link", "set", BRIDGE, "up");
    }

    /**
     * {@inheritDoc}
     */
    public GuestNic attach(final int index)
    {
        final String tap = "tap" + index;
        namespace.ip("tuntap", "add", "dev", tap, "mode", "tap");
        namespace.ip("link", "set", tap, "mtu", Integer.toString(TestSubnet.PEER_MTU));
        namespace.ip("link", "set", tap, "master", BRIDGE);
        namespace.ip("link", "set", tap, "up");
        final String mac = TestSubnet.guestMac(index);
        final String device = NicMode.QEMU_E1000 == mode ? "e1000" : "virtio-net-pci";
        // romfile= : no iPXE option ROM; the guest boots its kernel directly and the ROM only costs boot time.
        final List<String> qemuArgs = List.of(
            "-netdev", "tap,id=nic0,ifname=" + tap + ",script=no,downscript=no",
            "-device", device + ",netdev=nic0,mac=" + mac + ",romfile=");
        return new GuestNic(index, TestSubnet.guestName(index), mac, TestSubnet.guestAddress(index), qemuArgs,
            List.of(), tap);
    }

    /**
     * The TAP's counters with their directions swapped: what QEMU writes into the TAP (the guest's transmissions)
     * the TAP counts as received.
     */
    public PortTraffic portTraffic(final GuestNic nic)
    {
        final String tap = nic.portName();
        return new PortTraffic(
            namespace.deviceStatistic(tap, "rx_packets"),
            namespace.deviceStatistic(tap, "rx_bytes"),
            namespace.deviceStatistic(tap, "tx_packets"),
            namespace.deviceStatistic(tap, "tx_bytes"));
    }

    /**
     * {@inheritDoc}
     */
    public long hostDroppedTowardGuest(final GuestNic nic)
    {
        return namespace.deviceStatistic(nic.portName(), "tx_dropped");
    }

    /**
     * {@inheritDoc}
     */
    public String provePath(final GuestNic nic)
    {
        final PortTraffic traffic = portTraffic(nic);
        if (traffic.txFrames() <= 0 || traffic.rxFrames() <= 0)
        {
            throw new E2eException("TAP " + nic.portName() + " behind QEMU's " + mode + " counted no traffic both " +
                "ways: " + traffic);
        }
        return "TAP " + nic.portName() + " carried " + traffic.txFrames() + " frames from and " +
            traffic.rxFrames() + " to the guest";
    }

    /**
     * {@inheritDoc}
     */
    public String peerDevice()
    {
        return BRIDGE;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        // The bridge and the TAPs go with the namespace.
    }
}
