package io.sidecore.tools.e2e;

import java.util.List;

/**
 * The result of a netperf TCP_RR run with omni output selectors
 * ({@code -- -o min_latency,mean_latency,p99_latency,transaction_rate}): one request/response of 1 byte each way at
 * a time, so the mean latency is the round trip through both NICs and the two stacks.
 *
 * @param minLatencyUs       shortest round trip, microseconds.
 * @param meanLatencyUs      mean round trip, microseconds.
 * @param p99LatencyUs       99th percentile round trip, microseconds.
 * @param transactionsPerSec transactions per second.
 */
record NetperfRrReport(double minLatencyUs, double meanLatencyUs, double p99LatencyUs, double transactionsPerSec)
{
    /** The output selectors the harness asks netperf for, in the order {@link #parse} reads them. */
    static final String OUTPUT_SELECTORS = "min_latency,mean_latency,p99_latency,transaction_rate";

    private static final String HEADER_START = "Minimum Latency Microseconds";

    /**
     * @param output what netperf printed: a banner, then a CSV header line and a CSV value line.
     * @return the result.
     * @throws E2eException when the output has no header/value pair of four numbers.
     */
    static NetperfRrReport parse(final String output)
    {
        final List<String> lines = Text.lines(output);
        for (int i = 0; i < lines.size() - 1; i++)
        {
            if (lines.get(i).startsWith(HEADER_START))
            {
                final String[] values = lines.get(i + 1).split(",");
                if (4 != values.length)
                {
                    break;
                }
                try
                {
                    return new NetperfRrReport(
                        Double.parseDouble(values[0].strip()),
                        Double.parseDouble(values[1].strip()),
                        Double.parseDouble(values[2].strip()),
                        Double.parseDouble(values[3].strip()));
                }
                catch (final NumberFormatException ex)
                {
                    break;
                }
            }
        }
        throw new E2eException("netperf printed no TCP_RR result (" + OUTPUT_SELECTORS + "): " +
            Text.abbreviate(output));
    }
}
