package io.sidecore.launcher.control;

import java.util.function.LongSupplier;

/**
 * A connection's request rate limit: a token bucket that holds a second's worth of requests and refills
 * continuously, read on an injectable clock (the daemon's is {@link System#nanoTime()}; tests freeze it). Tokens are
 * kept in request-nanoseconds (one request is {@value #NANOS_PER_SECOND}), so the refill needs no division. One
 * connection's thread only.
 */
final class RequestRateLimit
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long requestsPerSecond;
    private final LongSupplier nanoClock;
    private long tokens;
    private long lastRefillNs;

    /**
     * @param requestsPerSecond requests allowed per second (and at once, from full).
     * @param nanoClock         the clock, nanoseconds.
     */
    RequestRateLimit(final long requestsPerSecond, final LongSupplier nanoClock)
    {
        this.requestsPerSecond = requestsPerSecond;
        this.nanoClock = nanoClock;
        this.tokens = requestsPerSecond * NANOS_PER_SECOND;
        this.lastRefillNs = nanoClock.getAsLong();
    }

    /**
     * @return true when a request may run now (its token taken), false when it is over the limit.
     */
    boolean tryTake()
    {
        final long nowNs = nanoClock.getAsLong();
        final long capacity = requestsPerSecond * NANOS_PER_SECOND;
        final long elapsedNs = Math.max(0, nowNs - lastRefillNs);
        lastRefillNs = nowNs;
        tokens = elapsedNs >= NANOS_PER_SECOND ? capacity : Math.min(capacity, tokens + elapsedNs * requestsPerSecond);
        if (tokens < NANOS_PER_SECOND)
        {
            return false;
        }
        tokens -= NANOS_PER_SECOND;
        return true;
    }
}
