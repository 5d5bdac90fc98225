package io.sidecore.tools.e2e;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary line of iputils ping ({@code 5 packets transmitted, 5 received, 0% packet loss, time 804ms}).
 *
 * @param transmitted echo requests sent.
 * @param received    echo replies received.
 */
record PingSummary(int transmitted, int received)
{
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    /**
     * @param output what ping printed.
     * @return its summary.
     * @throws E2eException when there is no summary line (ping could not even start).
     */
    static PingSummary parse(final String output)
    {
        final Matcher matcher = SUMMARY.matcher(output);
        if (!matcher.find())
        {
            throw new E2eException("ping printed no summary: " + Text.abbreviate(output));
        }
        return new PingSummary(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
    }
}
