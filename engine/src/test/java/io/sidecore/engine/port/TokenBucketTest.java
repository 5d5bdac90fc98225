package io.sidecore.engine.port;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest
{
    private static final long NOW_NS = 1_000_000_000_000L;

    private final TokenBucket bucket = new TokenBucket();

    @Test
    void shouldAdmitEverythingWhenUnlimited()
    {
        bucket.configure(PortSettings.UNLIMITED, 0, NOW_NS);
        bucket.consume(1_000_000);

        assertFalse(bucket.isLimited());
        assertTrue(bucket.hasTokens());
        assertEquals(64, bucket.available(64));
    }

    @Test
    void shouldStartFullWhenConfigured()
    {
        bucket.configure(1000, 10, NOW_NS);

        assertEquals(10, bucket.available(64));
        assertEquals(4, bucket.available(4));
    }

    @Test
    void shouldRefuseWhenBalanceSpent()
    {
        bucket.configure(1000, 10, NOW_NS);
        bucket.consume(10);

        assertFalse(bucket.hasTokens());
        assertEquals(0, bucket.available(64));
    }

    @Test
    void shouldRefillAtConfiguredRate()
    {
        bucket.configure(1000, 10, NOW_NS);
        bucket.consume(10);

        bucket.refill(NOW_NS + 3_000_000L);

        assertEquals(3, bucket.available(64));
    }

    @Test
    void shouldNotRefillBeyondBurst()
    {
        bucket.configure(1000, 10, NOW_NS);
        bucket.consume(5);

        bucket.refill(NOW_NS + 3_600_000_000_000L);

        assertEquals(10, bucket.available(64));
        assertEquals(10 * TokenBucket.SCALE, bucket.balanceUnits());
    }

    @Test
    void shouldCarryDebtWhenWorkExceededBalance()
    {
        bucket.configure(1000, 10, NOW_NS);
        bucket.consume(15);

        bucket.refill(NOW_NS + 4_000_000L);
        assertFalse(bucket.hasTokens(), "5 tokens of debt minus 4 refilled");

        bucket.refill(NOW_NS + 6_000_000L);
        assertTrue(bucket.hasTokens());
        assertEquals(1, bucket.available(64));
    }

    @Test
    void shouldKeepLongRunRateExactWhenChargedAfterTheFact()
    {
        bucket.configure(10_000, 1, NOW_NS);
        long sent = 0;
        long nowNs = NOW_NS;
        for (int pass = 0; pass < 1_000_000; pass++)
        {
            nowNs += 1_000;
            bucket.refill(nowNs);
            if (bucket.hasTokens())
            {
                bucket.consume(3);
                sent += 3;
            }
        }

        assertTrue(sent >= 10_000 - 3 && sent <= 10_000 + 1 + 3, "one second at 10000/s sent " + sent);
    }
}
