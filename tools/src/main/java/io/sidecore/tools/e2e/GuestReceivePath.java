package io.sidecore.tools.e2e;

import java.util.List;

/**
 * Where the frames sent to a guest went inside it, from the counters of its receive path: frames its NIC driver
 * took from the ring ({@code rx_packets}), frames the NIC missed for want of descriptors ({@code rx_missed_errors}:
 * for e1000 the Missed Packets Count register MPC, SDM 13.7; virtio_net keeps no such counter), datagrams its UDP
 * layer delivered to sockets ({@code InDatagrams}) and those it dropped because the socket's buffer was full
 * ({@code RcvbufErrors}, Linux {@code /proc/net/snmp}).
 * <p>
 * Linux's e1000 driver copies MPC into {@code rx_missed_errors} only when it updates its statistics: every 2 s from
 * its watchdog, and whenever {@code ethtool -S} asks. The command asks first, so the snapshot is current.
 * <p>
 * A flood that the driver takes at its full rate can still reach the application at a trickle: the guest's CPU goes
 * to receiving frames that the UDP layer then drops at a full socket (receive livelock). Comparing the four rates
 * says whether the NIC, the guest's kernel or the application is where frames are lost.
 *
 * @param rxPackets      frames the driver received.
 * @param rxMissed       frames the NIC dropped for a full ring.
 * @param udpDelivered   UDP datagrams delivered to sockets.
 * @param udpBufferFull  UDP datagrams dropped at a full socket buffer.
 */
record GuestReceivePath(long rxPackets, long rxMissed, long udpDelivered, long udpBufferFull)
{
    private static final String STATISTICS_PREFIX = "netdev ";
    private static final String UDP_PREFIX = "Udp:";

    /**
     * @param iface the guest's interface.
     * @return a guest shell command that first has the driver update its statistics ({@code ethtool -S}, output
     *     discarded, a failure ignored), then prints the interface's counters on one line ({@code netdev rx_packets
     *     rx_missed_errors}) and the UDP lines of {@code /proc/net/snmp} (a header line and a value line).
     */
    static String guestCommand(final String iface)
    {
        final String statistics = "/sys/class/net/" + iface + "/statistics/";
        return "ethtool -S " + iface + " >/dev/null 2>&1; echo " + STATISTICS_PREFIX.trim() + " $(cat " + statistics +
            "rx_packets) $(cat " + statistics + "rx_missed_errors); grep '^" + UDP_PREFIX + "' /proc/net/snmp";
    }

    /**
     * @param output what {@link #guestCommand} printed.
     * @return the counters.
     * @throws E2eException when a counter is missing or not a number, or the UDP values do not match their names.
     */
    static GuestReceivePath parse(final String output)
    {
        long[] netdev = null;
        String[] udpNames = null;
        String[] udpValues = null;
        for (final String line : Text.lines(output))
        {
            final String trimmed = line.trim();
            if (trimmed.startsWith(STATISTICS_PREFIX))
            {
                final String[] fields = trimmed.substring(STATISTICS_PREFIX.length()).trim().split("\\s+");
                if (2 != fields.length)
                {
                    throw new E2eException("expected rx_packets and rx_missed_errors: '" + trimmed + "'");
                }
                netdev = new long[]{number(fields[0], "rx_packets"), number(fields[1], "rx_missed_errors")};
            }
            else if (trimmed.startsWith(UDP_PREFIX))
            {
                final String[] fields = trimmed.substring(UDP_PREFIX.length()).trim().split("\\s+");
                if (null == udpNames)
                {
                    udpNames = fields;
                }
                else if (null == udpValues)
                {
                    udpValues = fields;
                }
            }
        }
        if (null == netdev)
        {
            throw new E2eException("the guest printed no interface counters: " + Text.abbreviate(output));
        }
        if (null == udpValues)
        {
            throw new E2eException("the guest printed no UDP counters (/proc/net/snmp): " + Text.abbreviate(output));
        }
        if (udpNames.length != udpValues.length)
        {
            throw new E2eException("the guest's UDP counters do not match their names (" + udpNames.length +
                " names, " + udpValues.length + " values): " + Text.abbreviate(output));
        }
        return new GuestReceivePath(netdev[0], netdev[1], udpCounter(udpNames, udpValues, "InDatagrams"),
            udpCounter(udpNames, udpValues, "RcvbufErrors"));
    }

    /**
     * @param earlier a snapshot taken before this one.
     * @return the counts between the two snapshots.
     */
    GuestReceivePath minus(final GuestReceivePath earlier)
    {
        return new GuestReceivePath(rxPackets - earlier.rxPackets, rxMissed - earlier.rxMissed,
            udpDelivered - earlier.udpDelivered, udpBufferFull - earlier.udpBufferFull);
    }

    /**
     * The share of the frames offered toward the guest that the receive path's first stages account for: dropped by
     * the host at the full TAP queue, missed by the NIC for a full ring (when the NIC counts it), or taken by the
     * driver. A ratio of counts, so it needs no common time base with the rates; below 100 % the rest were in flight
     * or lost where nothing counts them, above it the driver also took frames that were not the stream's (the test's
     * control connection).
     *
     * @param offered       frames the peer sent during the stream, more than 0.
     * @param hostDropped   the host's drops at the full TAP queue during it.
     * @param missedCounted whether this NIC counts frames missed for a full ring (virtio_net does not).
     * @return percent of {@code offered}.
     * @throws IllegalArgumentException when nothing was offered.
     */
    double accountedPercent(final long offered, final long hostDropped, final boolean missedCounted)
    {
        if (offered <= 0)
        {
            throw new IllegalArgumentException("no frames offered toward the guest: " + offered);
        }
        return 100.0 * (hostDropped + (missedCounted ? rxMissed : 0) + rxPackets) / offered;
    }

    private static long udpCounter(final String[] names, final String[] values, final String name)
    {
        final int index = List.of(names).indexOf(name);
        if (index < 0)
        {
            throw new E2eException("the guest's /proc/net/snmp has no Udp " + name + ": " + String.join(" ", names));
        }
        return number(values[index], "Udp " + name);
    }

    private static long number(final String text, final String name)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new E2eException(name + " is not a number: '" + text + "'", ex);
        }
    }
}
