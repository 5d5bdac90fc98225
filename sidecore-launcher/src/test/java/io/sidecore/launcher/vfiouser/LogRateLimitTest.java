package io.sidecore.launcher.vfiouser;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bound on lines a connection logs about refused messages, on an injected clock.
 */
class LogRateLimitTest
{
    private final AtomicLong nowNs = new AtomicLong(1_000);
    private final LogRateLimit limit = new LogRateLimit(nowNs::get);

    @Test
    void shouldLetTenLinesThroughPerWindowAndHoldBackTheRest()
    {
        for (int i = 0; i < LogRateLimit.LINES_PER_WINDOW; i++)
        {
            assertEquals(0, limit.acquire(), "line " + i + " of the window is logged");
        }

        assertEquals(-1, limit.acquire());
        assertEquals(-1, limit.acquire());
        assertEquals(2, limit.heldBackTotal());
    }

    @Test
    void shouldSayHowManyWereHeldBackOnTheFirstLineOfTheNextWindow()
    {
        for (int i = 0; i < LogRateLimit.LINES_PER_WINDOW + 5; i++)
        {
            limit.acquire();
        }
        nowNs.addAndGet(LogRateLimit.WINDOW_NS - 1);
        assertEquals(-1, limit.acquire(), "still the same window");

        nowNs.addAndGet(1);

        assertEquals(6, limit.acquire(), "the first line of the new window reports the six held back");
        assertEquals(0, limit.acquire());
        assertEquals(6, limit.heldBackTotal());
    }
}
