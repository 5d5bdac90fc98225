package io.sidecore.tools.e2e;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest's driver statistics as {@code ethtool -S IFACE} prints them ({@code NIC statistics:} then one
 * {@code name: value} per line), and the guest's view of its traffic taken from them. The harness prints a
 * virtio-net guest's netdev statistics in the same form, since virtio_net's {@code ethtool -S} (Linux 6.12) has
 * kick and XDP counters but no packet or byte counts.
 */
final class EthtoolStats
{
    private static final Pattern ENTRY = Pattern.compile("^\\s*([A-Za-z0-9_.\\[\\]-]+):\\s+(-?\\d+)\\s*$");

    private EthtoolStats()
    {
    }

    /**
     * @param output what {@code ethtool -S} printed.
     * @return every numeric statistic by name, in output order.
     * @throws E2eException when the output has no statistics at all.
     */
    static Map<String, Long> parse(final String output)
    {
        final Map<String, Long> statistics = new LinkedHashMap<>();
        for (final String line : Text.lines(output))
        {
            final Matcher matcher = ENTRY.matcher(line);
            if (matcher.matches())
            {
                statistics.put(matcher.group(1), Long.parseLong(matcher.group(2)));
            }
        }
        if (statistics.isEmpty())
        {
            throw new E2eException("ethtool -S printed no statistics: " + Text.abbreviate(output));
        }
        return statistics;
    }

    /**
     * @param statistics what {@link #parse} returned.
     * @return the guest's traffic from {@code tx_packets}, {@code tx_bytes}, {@code rx_packets} and
     * {@code rx_bytes}: for e1000 the hardware counters GPTC, GOTC, GPRC and GORC (SDM 13.7).
     * @throws E2eException naming a counter the output lacks.
     */
    static PortTraffic guestTraffic(final Map<String, Long> statistics)
    {
        return new PortTraffic(
            required(statistics, "tx_packets"),
            required(statistics, "tx_bytes"),
            required(statistics, "rx_packets"),
            required(statistics, "rx_bytes"));
    }

    private static long required(final Map<String, Long> statistics, final String name)
    {
        final Long value = statistics.get(name);
        if (null == value)
        {
            throw new E2eException("ethtool -S has no '" + name + "' statistic");
        }
        return value;
    }
}
