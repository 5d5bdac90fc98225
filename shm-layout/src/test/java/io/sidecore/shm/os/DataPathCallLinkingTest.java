package io.sidecore.shm.os;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first data-path read or write of a JVM's life links its downcall and allocates on the calling thread; a TAP
 * device links both when it opens ({@link LibC#linkDataPathCalls}), so that the sidecore's first read, which may come
 * in the middle of a measured interval, allocates nothing. Each case needs a JVM in which nothing has made those
 * calls yet: {@link FirstDataPathCallProbe} runs in one of its own.
 */
class DataPathCallLinkingTest
{
    @Test
    void shouldAllocateOnTheFirstDataPathCallsOfAJvmThatDidNotLinkThem() throws Exception
    {
        final long allocated = probe("none");

        assertTrue(allocated > 0, "the first read and write of a JVM allocate (what linking moves off the data " +
            "path); measured " + allocated + " bytes");
    }

    @Test
    void shouldAllocateNothingOnTheFirstDataPathCallsOfAThreadOnceLinked() throws Exception
    {
        assertEquals(0, probe("link"), "bytes allocated by a thread's first read and write after linking");
    }

    private static long probe(final String mode) throws IOException, InterruptedException
    {
        final String java = ProcessHandle.current().info().command().orElseThrow();
        final String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final Path log = Files.createTempFile("first-data-path-call-", ".log");
        final Process process = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xint", "-cp",
            classPath, FirstDataPathCallProbe.class.getName(), mode))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final String output;
        try
        {
            final boolean finished = process.waitFor(60, TimeUnit.SECONDS);
            output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(finished, "probe did not finish in 60 s: " + output);
        }
        finally
        {
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
        assertEquals(0, process.exitValue(), "probe failed: " + output);
        final int at = output.lastIndexOf("allocated=");
        assertTrue(at >= 0, "probe printed no result: " + output);
        return Long.parseLong(output.substring(at + "allocated=".length()).trim());
    }
}
