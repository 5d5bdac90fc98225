package io.sidecore.bench.system;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tools/sidecore bench --seconds}: a measured interval starts and ends at the sidecore's once-a-second reading
 * of its allocated bytes, so it lasts whole seconds; anything but a whole number of seconds, at least 1, is a usage
 * error naming the option. Each refused value comes with {@code --attach bogus}, refused later in the checks, so that
 * a value wrongly accepted fails on the attach mode (naming {@code --attach}, not {@code --seconds}) and no benchmark
 * ever runs here.
 */
class SystemBenchMainTest
{
    @ParameterizedTest
    @ValueSource(strings = { "1.5", "0.5", "2.0", "0", "-1", "three", "" })
    void shouldRefuseSecondsThatAreNotAWholeNumberOfAtLeastOne(final String seconds)
    {
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = new CommandLine(new SystemBenchMain());
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setOut(new PrintWriter(new StringWriter(), true));

        final int exitCode = commandLine.execute("--seconds", seconds, "--attach", "bogus");

        final String firstLine = err.toString().lines().findFirst().orElse("");
        assertEquals(2, exitCode, firstLine);
        assertTrue(firstLine.contains("--seconds"), "the error names --seconds: " + firstLine);
        assertTrue(firstLine.contains("whole"), "the error says it takes whole seconds: " + firstLine);
    }
}
