package io.sidecore.bench.system;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineTransferMeterTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldTimeATransferBetweenTwoCoresAndStopBothThreads() throws InterruptedException
    {
        assertTrue(Runtime.getRuntime().availableProcessors() >= 2,
            "the line transfer needs two cores; this machine offers " + Runtime.getRuntime().availableProcessors());

        final double oneWayNs = LineTransferMeter.oneWayNs(1, 0);

        // A real transfer between two cores takes tens to hundreds of nanoseconds; a value outside (0, 1 ms) means
        // the hand-off did not happen as designed (no wait, or a thread that never answered in time).
        assertTrue(oneWayNs > 0 && oneWayNs < 1_000_000, "one way: " + oneWayNs + " ns");
    }

    @Test
    void shouldRefuseOneCoreForBothThreads()
    {
        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> LineTransferMeter.oneWayNs(1, 1));

        assertTrue(refused.getMessage().contains("two different cores"), refused.getMessage());
    }
}
