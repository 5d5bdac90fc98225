package io.sidecore.bench.fuzz;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short fuzz run against the real engine: it reaches every named case, CVE trigger, drop counter and port fault,
 * and finds no crash, no out-of-bounds access, no miscounted rejection, no lost frame and no port that a reset does
 * not bring back. (Spoofed frames reaching honest guests are issue 10 §0 hole 3, closed in the engine hardening
 * work; this test does not count them.) The same seed gives the same run.
 */
class FuzzCommandTest
{
    private static final Pattern FUZZ_LINE = Pattern.compile(
        "(?m)^FUZZ iterations=(\\d+) crashes=(\\d+) escapes=(\\d+) oob=(\\d+) " +
            "honest_throughput_ratio=(\\d+\\.\\d{3})$");

    @Test
    void shouldReachEveryCaseCounterAndFaultWithoutCrashOrOutOfBoundsAccess()
    {
        final String output = run("--iterations", "4000", "--window", "500", "--seed", "11");

        final Matcher line = FUZZ_LINE.matcher(output);
        assertTrue(line.find(), output);
        assertTrue(output.trim().endsWith(line.group()), "the FUZZ line is the last line");
        assertEquals("4000", line.group(1));
        assertEquals("0", line.group(2), output);
        assertEquals("0", line.group(4), output);
        assertTrue(Pattern.compile("(?m)^FUZZ-COVERAGE missing=none not_yet_fuzzed=$").matcher(output).find(),
            "every drop counter, fault and CVE trigger required and reached:\n" + output);
        assertTrue(output.contains("miscounted=0 unaccounted=0 unrecovered=0 corrupted=0"), output);
        assertTrue(output.contains("unsettled=0"), output);
        assertTrue(output.contains("vfio-user-unserved=0 vfio-user-broken-promise=0"), output);
        for (final NamedCase named : NamedCase.values())
        {
            assertTrue(Pattern.compile("(?m)^FUZZ-CASE " + Pattern.quote(named.caseName()) + " hits=[1-9]").matcher(
                output).find(), named.caseName() + " not reached:\n" + output);
        }
        for (final VfioUserLiar.Lie lie : VfioUserLiar.Lie.values())
        {
            assertTrue(Pattern.compile("(?m)^FUZZ-CASE " + Pattern.quote(lie.caseName) + " hits=8$").matcher(
                output).find(), lie.caseName + " not told once per window:\n" + output);
        }
    }

    @Test
    void shouldRepeatARunFromItsSeed()
    {
        final String first = run("--iterations", "600", "--window", "200", "--seed", "5");
        final String second = run("--iterations", "600", "--window", "200", "--seed", "5");

        assertEquals(withoutRate(first), withoutRate(second));
    }

    @Test
    void shouldRefuseAWindowLargerThanTheRun()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = FuzzCommand.execute(new String[]{ "--iterations", "10", "--window", "100" },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(FuzzCommand.EXIT_USAGE, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--window in [10, iterations]"), err.toString());
    }

    private static String withoutRate(final String output)
    {
        return output.replaceAll("(?m)^FUZZ-RATE .*$", "");
    }

    private static String run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = FuzzCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(FuzzCommand.EXIT_OK == status || FuzzCommand.EXIT_FINDINGS == status,
            "status " + status + ": " + err.toString(StandardCharsets.UTF_8) + text);
        return text;
    }
}
