package io.sidecore.bench.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Options that fail before anything starts: one line on the error stream, nothing on the output, exit status 2.
 */
class DemoCommandTest
{
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @Test
    void shouldRejectGuestsOutOfRange()
    {
        assertUsageError("sidecore demo: --guests must be in 1..64: 0 (see --help)", "--guests", "0");
    }

    @Test
    void shouldRejectTooManyGuests()
    {
        assertUsageError("sidecore demo: --guests must be in 1..64: 100 (see --help)", "--guests", "100");
    }

    @Test
    void shouldRejectSecondsOutOfRange()
    {
        assertUsageError("sidecore demo: --seconds must be in 1..3600: 0 (see --help)", "--seconds", "0");
    }

    @Test
    void shouldRejectWarmupOutOfRange()
    {
        assertUsageError(
            "sidecore demo: --warmup-seconds must be in 0..60: 61 (see --help)", "--warmup-seconds", "61");
    }

    @Test
    void shouldRejectFrameBytesBelowMinimum()
    {
        assertUsageError("sidecore demo: --frame-bytes must be in 60..1514: 59 (see --help)", "--frame-bytes", "59");
    }

    @Test
    void shouldRejectFrameBytesAboveMaximum()
    {
        assertUsageError(
            "sidecore demo: --frame-bytes must be in 60..1514: 9000 (see --help)", "--frame-bytes", "9000");
    }

    @Test
    void shouldRejectCaptureFileBytesBelowMinimum()
    {
        assertUsageError("sidecore demo: --capture-file-bytes must be in 65536..1099511627776: 1000 (see --help)",
            "--capture", "/tmp", "--capture-file-bytes", "1000");
    }

    @Test
    void shouldRejectNonNumericGuests()
    {
        assertUsageError(
            "sidecore demo: Invalid value for option '--guests': 'many' is not an int (see --help)",
            "--guests", "many");
    }

    @Test
    void shouldRejectUnknownOption()
    {
        assertUsageError("sidecore demo: Unknown option: '--fast' (see --help)", "--fast");
    }

    @Test
    void shouldRejectMissingValue()
    {
        assertUsageError(
            "sidecore demo: Missing required parameter for option '--seconds' (S) (see --help)", "--seconds");
    }

    @Test
    void shouldPrintHelpWithRateDefinitionsAndExitZero()
    {
        final int status = execute("--help");

        final String help = out();
        assertEquals(DemoRunner.EXIT_OK, status);
        assertTrue(help.contains("mpps         rx_frames / seconds / 1e6"), help);
        assertTrue(help.contains("gbps         rx_bytes * 8 / seconds / 1e9"), help);
        assertTrue(help.contains("unaccounted  tx_frames - rx_frames - dropped"), help);
        assertTrue(help.contains("--frame-bytes=B"), help);
        assertEquals("", err());
    }

    private void assertUsageError(final String expectedLine, final String... args)
    {
        final int status = execute(args);

        assertEquals(DemoRunner.EXIT_USAGE, status);
        assertEquals(expectedLine + System.lineSeparator(), err());
        assertEquals("", out());
    }

    private int execute(final String... args)
    {
        return DemoCommand.execute(args, print(outBytes), print(errBytes));
    }

    private static PrintStream print(final ByteArrayOutputStream bytes)
    {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private String out()
    {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err()
    {
        return errBytes.toString(StandardCharsets.UTF_8);
    }
}
