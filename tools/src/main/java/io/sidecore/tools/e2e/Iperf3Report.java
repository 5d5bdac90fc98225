package io.sidecore.tools.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The end summary of one iperf3 client run, read from its JSON report ({@code iperf3 -J}) as the guest's console
 * carried it.
 * <p>
 * For UDP the received datagram count is taken from the bytes the receiver got divided by the datagram size: exact,
 * whereas iperf3's own {@code packets}/{@code lost_packets} come from sequence-number gaps and do not add up when
 * the receiver is overrun (seen with 3.18: 210959 sent, "196532 packets, 179393 lost" for 17139 received).
 *
 * @param protocol               {@code TCP} or {@code UDP}.
 * @param reverse                the server sent ({@code -R}).
 * @param senderSeconds          how long the sender sent.
 * @param senderBitsPerSecond    payload rate at the sender.
 * @param receiverSeconds        how long the receiver received.
 * @param receiverBitsPerSecond  payload rate at the receiver.
 * @param datagramBytes          UDP payload bytes per datagram (0 for TCP).
 * @param datagramsSent          UDP datagrams sent (0 for TCP).
 * @param datagramsReceived      UDP datagrams received (0 for TCP).
 */
record Iperf3Report(
    String protocol,
    boolean reverse,
    double senderSeconds,
    double senderBitsPerSecond,
    double receiverSeconds,
    double receiverBitsPerSecond,
    long datagramBytes,
    long datagramsSent,
    long datagramsReceived)
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param consoleOutput what {@code iperf3 -J} printed (anything before the first '{' or after the last '}' is
     *                      ignored: the console may carry a stray line).
     * @return the summary.
     * @throws E2eException when the output holds no report, iperf3 reported an error, or a field is missing.
     */
    static Iperf3Report parse(final String consoleOutput)
    {
        final int start = consoleOutput.indexOf('{');
        final int end = consoleOutput.lastIndexOf('}');
        if (start < 0 || end < start)
        {
            throw new E2eException("iperf3 printed no JSON report: " + Text.abbreviate(consoleOutput));
        }
        final JsonNode root;
        try
        {
            root = JSON.readTree(consoleOutput.substring(start, end + 1));
        }
        catch (final JsonProcessingException ex)
        {
            throw new E2eException("iperf3's JSON report does not parse (" + ex.getOriginalMessage() + "): " +
                Text.abbreviate(consoleOutput));
        }
        if (root.hasNonNull("error"))
        {
            throw new E2eException("iperf3 failed: " + root.get("error").asText());
        }
        final JsonNode testStart = required(root, "start", "test_start");
        final String protocol = required(testStart, "protocol").asText();
        final boolean reverse = 0 != required(testStart, "reverse").asInt();
        final JsonNode sent = required(root, "end", "sum_sent");
        final JsonNode received = required(root, "end", "sum_received");
        long datagramBytes = 0;
        long datagramsSent = 0;
        long datagramsReceived = 0;
        if ("UDP".equals(protocol))
        {
            datagramBytes = required(testStart, "blksize").asLong();
            if (datagramBytes <= 0)
            {
                throw new E2eException("iperf3 UDP report with a datagram size of " + datagramBytes);
            }
            datagramsSent = required(sent, "packets").asLong();
            datagramsReceived = required(received, "bytes").asLong() / datagramBytes;
        }
        return new Iperf3Report(
            protocol,
            reverse,
            required(sent, "seconds").asDouble(),
            required(sent, "bits_per_second").asDouble(),
            required(received, "seconds").asDouble(),
            required(received, "bits_per_second").asDouble(),
            datagramBytes,
            datagramsSent,
            datagramsReceived);
    }

    /**
     * @return payload megabits per second at the receiver.
     */
    double receiverMegabitsPerSecond()
    {
        return receiverBitsPerSecond / 1e6;
    }

    /**
     * @return UDP datagrams per second the sender sent.
     */
    double datagramsSentPerSecond()
    {
        return senderSeconds > 0 ? datagramsSent / senderSeconds : 0;
    }

    /**
     * @return UDP datagrams per second the receiver got.
     */
    double datagramsReceivedPerSecond()
    {
        return receiverSeconds > 0 ? datagramsReceived / receiverSeconds : 0;
    }

    /**
     * @return percent of the UDP datagrams sent that never arrived.
     */
    double datagramLossPercent()
    {
        return datagramsSent > 0 ? 100.0 * (datagramsSent - datagramsReceived) / datagramsSent : 0;
    }

    private static JsonNode required(final JsonNode node, final String... path)
    {
        JsonNode current = node;
        for (final String field : path)
        {
            current = current.get(field);
            if (null == current || current.isNull())
            {
                throw new E2eException("iperf3's JSON report has no " + String.join(".", path));
            }
        }
        return current;
    }
}
