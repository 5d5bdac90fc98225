package io.sidecore.tools.e2e;

import org.junit.jupiter.api.Test;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The console protocol against hand-fed console output, for what a shell cannot be made to do on cue (the real shell
 * is in {@code GuestConsoleSystemTest}).
 */
class GuestConsoleTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void shouldFindReadyLineAfterPositionAndDropCarriageReturns() throws Exception
    {
        final StringWriter transcript = new StringWriter();
        try (PipedOutputStream guestSide = new PipedOutputStream();
            GuestConsole console = new GuestConsole("fed", new PipedInputStream(guestSide, 1 << 16),
                OutputStreamSink.INSTANCE, transcript))
        {
            guestSide.write("E2E-GUEST-READY kernel=first\r\nreboot: Restarting system\r\n"
                .getBytes(StandardCharsets.UTF_8));
            assertEquals("E2E-GUEST-READY kernel=first", console.awaitReady(0, TIMEOUT));
            final int position = console.position();
            guestSide.write("E2E-GUEST-READY kernel=second\r\n".getBytes(StandardCharsets.UTF_8));

            assertEquals("E2E-GUEST-READY kernel=second", console.awaitReady(position, TIMEOUT));
        }
        assertFalse(transcript.toString().contains("\r"));
    }

    /**
     * A console input that swallows what the harness sends.
     */
    private static final class OutputStreamSink extends java.io.OutputStream
    {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        public void write(final int b)
        {
        }
    }
}
