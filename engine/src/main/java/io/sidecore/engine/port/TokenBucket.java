package io.sidecore.engine.port;

/**
 * A token bucket in fixed point, refilled from the agent's clock: one token is {@link #SCALE} units, and a rate of
 * {@code r} tokens per second adds {@code r} units per elapsed nanosecond, so no division is needed on the data path.
 * <p>
 * Work is admitted while the bucket holds a positive balance and is charged afterwards for what was actually done,
 * which may drive the balance negative (a debt repaid by later refills). That keeps the long-run rate exact even
 * though a pass cannot know in advance how many frames or bytes its descriptors hold. Used only by the owning agent.
 */
final class TokenBucket
{
    /** Fixed-point units per token: one second in nanoseconds. */
    static final long SCALE = 1_000_000_000L;

    private long ratePerSecond;
    private long capacityUnits;
    private long balanceUnits;
    private long lastRefillNs;

    /**
     * Change the limit, starting full.
     *
     * @param ratePerSecond tokens per second, or {@link PortSettings#UNLIMITED}.
     * @param burst         capacity in tokens.
     * @param nowNs         current time.
     */
    void configure(final long ratePerSecond, final long burst, final long nowNs)
    {
        this.ratePerSecond = ratePerSecond;
        this.capacityUnits = burst * SCALE;
        this.balanceUnits = capacityUnits;
        this.lastRefillNs = nowNs;
    }

    /**
     * @return true when a limit is configured.
     */
    boolean isLimited()
    {
        return PortSettings.UNLIMITED != ratePerSecond;
    }

    /**
     * Add the tokens earned since the last refill, up to the capacity.
     *
     * @param nowNs current time.
     */
    void refill(final long nowNs)
    {
        final long elapsedNs = nowNs - lastRefillNs;
        lastRefillNs = nowNs;
        if (elapsedNs <= 0 || !isLimited())
        {
            return;
        }
        final long missingUnits = capacityUnits - balanceUnits;
        if (missingUnits <= 0)
        {
            return;
        }
        final long fillNs = missingUnits / ratePerSecond + 1;
        balanceUnits = elapsedNs >= fillNs ? capacityUnits : balanceUnits + elapsedNs * ratePerSecond;
    }

    /**
     * @return true when work may be admitted (balance positive, or no limit).
     */
    boolean hasTokens()
    {
        return !isLimited() || balanceUnits > 0;
    }

    /**
     * @param max the caller's own bound.
     * @return how many whole tokens may be spent now, rounded up, capped at {@code max} (max when unlimited).
     */
    long available(final long max)
    {
        if (!isLimited())
        {
            return max;
        }
        if (balanceUnits <= 0)
        {
            return 0;
        }
        final long tokens = (balanceUnits + SCALE - 1) / SCALE;
        return Math.min(tokens, max);
    }

    /**
     * Charge for work done.
     *
     * @param tokens amount spent.
     */
    void consume(final long tokens)
    {
        if (isLimited())
        {
            balanceUnits -= tokens * SCALE;
        }
    }

    /**
     * @return balance in fixed-point units (tests, diagnostics).
     */
    long balanceUnits()
    {
        return balanceUnits;
    }
}
