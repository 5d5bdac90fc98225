package io.sidecore.tools.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Small text helpers for failure messages and console output.
 */
final class Text
{
    /** Longest excerpt of foreign output put into a message. */
    static final int EXCERPT_CHARS = 600;

    private Text()
    {
    }

    /**
     * @param output program or console output.
     * @return it on one line, cut to its last {@link #EXCERPT_CHARS} characters when longer.
     */
    static String abbreviate(final String output)
    {
        final String oneLine = output.strip().replace("\r", "").replace('\n', '|');
        return oneLine.length() <= EXCERPT_CHARS ? oneLine :
            "..." + oneLine.substring(oneLine.length() - EXCERPT_CHARS);
    }

    /**
     * @param output console output.
     * @return its lines, without carriage returns, blank lines dropped.
     */
    static List<String> lines(final String output)
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : output.replace("\r", "").split("\n"))
        {
            if (!line.isBlank())
            {
                lines.add(line);
            }
        }
        return lines;
    }
}
