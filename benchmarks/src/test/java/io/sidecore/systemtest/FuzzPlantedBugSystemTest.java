package io.sidecore.systemtest;

import io.sidecore.engine.mem.GuestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzzer finds a missing range check: a JVM in which every guest-memory translation skips its region-end check
 * ({@link GuestMemory#PLANTED_BUG_PROP_NAME}) lets a buffer or ring that starts inside a region run past its end, and
 * the fuzzer, run there as {@code tools/sidecore fuzz} runs, must report out-of-bounds accesses (its shadow map and
 * canaries, not the translation code, see them) and fail.
 */
class FuzzPlantedBugSystemTest
{
    private static final Pattern FUZZ_LINE = Pattern.compile(
        "(?m)^FUZZ iterations=2000 crashes=(\\d+) escapes=(\\d+) oob=(\\d+) honest_throughput_ratio=\\S+$");

    @TempDir
    Path directory;

    @Test
    void shouldReportOutOfBoundsAccessesWhenRegionEndCheckIsRemoved() throws Exception
    {
        final List<String> command = SidecoreProcesses.javaCommand("io.sidecore.bench.fuzz.FuzzMain");
        command.add(1, "-D" + GuestMemory.PLANTED_BUG_PROP_NAME + "=" + GuestMemory.PLANTED_BUG_SKIP_REGION_END);
        command.addAll(List.of("--iterations", "2000", "--window", "500", "--seed", "3"));
        final Path log = directory.resolve("fuzz.log");
        final Process fuzz = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(fuzz.waitFor(5, TimeUnit.MINUTES), "the fuzzer ended");
        final String output = Files.readString(log);

        assertEquals(1, fuzz.exitValue(), output);
        final Matcher line = FUZZ_LINE.matcher(output);
        assertTrue(line.find(), output);
        assertTrue(Long.parseLong(line.group(3)) > 0, "oob reported: " + line.group());
        assertTrue(output.contains("outside the regions"), output);
    }
}
