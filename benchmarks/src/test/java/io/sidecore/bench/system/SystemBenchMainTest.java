package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tools/sidecore bench}'s checks of its options before anything runs. {@code --seconds}: a measured interval
 * starts and ends at the sidecore's once-a-second reading of its allocated bytes, so it lasts whole seconds; anything
 * but a whole number of seconds, at least 1, is a usage error naming the option. Each refused value comes with
 * {@code --attach bogus}, refused later in the checks, so that a value wrongly accepted fails on the attach mode
 * (naming {@code --attach}, not the option under test) and no benchmark ever runs here.
 */
class SystemBenchMainTest
{
    @ParameterizedTest
    @ValueSource(strings = { "1.5", "0.5", "2.0", "0", "-1", "three", "" })
    void shouldRefuseSecondsThatAreNotAWholeNumberOfAtLeastOne(final String seconds)
    {
        final String firstLine = firstErrorLineOfUsageError("--seconds", seconds, "--attach", "bogus");

        assertTrue(firstLine.contains("--seconds"), "the error names --seconds: " + firstLine);
        assertTrue(firstLine.contains("whole"), "the error says it takes whole seconds: " + firstLine);
    }

    /**
     * {@code --daemon-setting}: refused, naming the option and the key, when the benchmark sets the key itself, when
     * no such setting exists or when its value is out of range; accepted otherwise (the run then fails on the bogus
     * attach mode, later in the checks).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sidecore.cores=0|--daemon-setting cannot change sidecore.cores: the benchmark sets it",
        "sidecore.no.such=1|--daemon-setting sidecore.no.such=1: is not a sidecore setting",
        "sidecore.rx.read.ahead.descriptors=257|--daemon-setting sidecore.rx.read.ahead.descriptors=257: must be in",
        "sidecore.ports=x|--daemon-setting cannot change sidecore.ports: the benchmark sets it",
        "sidecore.ports.x.mac=02:00:00:00:00:09|--daemon-setting cannot change sidecore.ports.x.mac:",
        "sidecore.mac.table.capacity=1024|--daemon-setting sidecore.mac.table.capacity=1024: ",
        "sidecore.rx.read.ahead.descriptors|--daemon-setting takes KEY=VALUE: sidecore.rx.read.ahead.descriptors",
        "sidecore.rx.read.ahead.descriptors=0|--attach must be native or vfio-user: bogus"})
    void shouldRefuseADaemonSettingTheBenchmarkOwnsOrTheDaemonWouldRefuse(final String setting, final String error)
    {
        final String firstLine = firstErrorLineOfUsageError("--daemon-setting", setting, "--attach", "bogus");

        assertTrue(firstLine.startsWith(error), firstLine);
    }

    @Test
    void shouldRefuseADaemonSettingGivenTwice()
    {
        final String firstLine = firstErrorLineOfUsageError("--daemon-setting", "sidecore.rx.read.ahead.descriptors=0",
            "--daemon-setting", "sidecore.rx.read.ahead.descriptors=8", "--attach", "bogus");

        assertEquals("--daemon-setting sidecore.rx.read.ahead.descriptors given twice", firstLine);
    }

    @Test
    void shouldPutADaemonSettingOverTheDefaultsButNeverOverTheBenchmarksOwn()
    {
        final Map<String, String> settings = BenchDaemon.settings(Path.of("/tmp/d"), Path.of("/tmp/c.dat"), 1, "busy",
            Map.of("sidecore.rx.read.ahead.descriptors", "0"));

        assertEquals("0", settings.get("sidecore.rx.read.ahead.descriptors"));
        assertEquals("1", settings.get("sidecore.cores"));
        assertThrows(IllegalArgumentException.class, () -> BenchDaemon.settings(Path.of("/tmp/d"),
            Path.of("/tmp/c.dat"), 1, "busy", Map.of("sidecore.cores", "0")));
    }

    private static String firstErrorLineOfUsageError(final String... args)
    {
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = new CommandLine(new SystemBenchMain());
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setOut(new PrintWriter(new StringWriter(), true));

        final int exitCode = commandLine.execute(args);

        final String firstLine = err.toString().lines().findFirst().orElse("");
        assertEquals(2, exitCode, "a usage error: " + firstLine);
        return firstLine;
    }
}
