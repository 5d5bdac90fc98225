package io.sidecore.tools.e2e;

import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.RegisterSelfTest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code ethtool -t IFACE offline} printed for the e1000 driver: the overall verdict line
 * ({@code The test result is PASS|FAIL}) and, after {@code The test extra info:}, one {@code <test name>\t <value>}
 * line per part, 0 for a pass. For e1000 the parts are the register, EEPROM, interrupt, loopback and link tests
 * ({@code e1000_gstrings_test}); a failed register test reports the BAR0 offset of the first register that failed.
 *
 * @param verdictPassed the driver's overall verdict.
 * @param parts         every part's value, by its name as printed (trimmed).
 */
record EthtoolSelfTest(boolean verdictPassed, Map<String, Long> parts)
{
    /** The e1000 parts, in the driver's order, by the start of their printed names. */
    static final List<String> E1000_PARTS = List.of("Register test", "Eeprom test", "Interrupt test",
        "Loopback test", "Link test");

    private static final Pattern VERDICT = Pattern.compile("The test result is (PASS|FAIL)");
    private static final Pattern PART = Pattern.compile("^(\\S.*?)\\s+(\\d+)\\s*$");

    /**
     * @param output what {@code ethtool -t} printed.
     * @return the verdict and parts.
     * @throws E2eException when the output has no verdict or no parts (ethtool failed, or another driver).
     */
    static EthtoolSelfTest parse(final String output)
    {
        Boolean verdict = null;
        boolean inParts = false;
        final Map<String, Long> parts = new LinkedHashMap<>();
        for (final String line : Text.lines(output))
        {
            final Matcher verdictMatcher = VERDICT.matcher(line);
            if (verdictMatcher.find())
            {
                verdict = "PASS".equals(verdictMatcher.group(1));
                continue;
            }
            if (line.startsWith("The test extra info"))
            {
                inParts = true;
                continue;
            }
            final Matcher part = PART.matcher(line);
            if (inParts && part.matches())
            {
                parts.put(part.group(1).trim(), Long.parseLong(part.group(2)));
            }
        }
        if (null == verdict || parts.isEmpty())
        {
            throw new E2eException("ethtool -t printed no test results: " + Text.abbreviate(output));
        }
        return new EthtoolSelfTest(verdict, parts);
    }

    /**
     * @param partName the start of a part's printed name, e.g. {@code "Register test"}.
     * @return its value.
     * @throws E2eException when the output lacks the part.
     */
    long part(final String partName)
    {
        for (final Map.Entry<String, Long> entry : parts.entrySet())
        {
            if (entry.getKey().startsWith(partName))
            {
                return entry.getValue();
            }
        }
        throw new E2eException("ethtool -t reported no '" + partName + "' (parts: " + parts.keySet() + ")");
    }

    /**
     * The register-test results a sidecore port may report although the device is right: the BAR0 offset of a row
     * whose register lives in a shared doorbell page (the README's conformance table lists them; see
     * {@link RegisterSelfTest#rowsReadBackUnmasked}).
     *
     * @return the offsets, in table order.
     */
    static List<Long> sharedPageRegisterResults()
    {
        final List<Long> offsets = new ArrayList<>();
        for (final RegisterSelfTest.Row row :
            RegisterSelfTest.rowsReadBackUnmasked(PortRegionDescriptor.DEFAULT_SHARED_PAGES))
        {
            offsets.add((long)row.offset());
        }
        return offsets;
    }

    /**
     * The check's verdict: every e1000 part reports 0, except the register test, which may report one of
     * {@code allowedRegisterResults}.
     *
     * @param allowedRegisterResults register-test values accepted besides 0.
     * @return what passed, for the PASS line.
     * @throws E2eException naming every part that failed and its value.
     */
    String verdict(final List<Long> allowedRegisterResults)
    {
        final List<String> failed = new ArrayList<>();
        final StringBuilder passed = new StringBuilder();
        for (final String name : E1000_PARTS)
        {
            final long value = part(name);
            final boolean allowed = 0 == value ||
                ("Register test".equals(name) && allowedRegisterResults.contains(value));
            if (!allowed)
            {
                failed.add(name.toLowerCase(Locale.ROOT) + "=" + value);
            }
            passed.append(passed.isEmpty() ? "" : " ").append(name.toLowerCase(Locale.ROOT).replace(" test", ""))
                .append('=').append(value);
        }
        if (!failed.isEmpty())
        {
            throw new E2eException("ethtool -t offline: " + String.join(", ", failed) + " (parts: " + parts + ")");
        }
        return passed.toString();
    }
}
