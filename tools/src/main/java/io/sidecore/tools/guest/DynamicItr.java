package io.sidecore.tools.guest;

/**
 * Linux e1000's adaptive interrupt moderation ({@code e1000_update_itr}, {@code e1000_set_itr}): after each NAPI
 * round the TX and RX packet/byte totals since the interrupt classify traffic as lowest latency (70000 interrupts/s),
 * low latency (20000/s) or bulk (4000/s); the ITR register is rewritten when the target rate changes, moving up in
 * quarter steps. ITR counts 256 ns units (SDM 13.4.18), so the register value is {@code 1e9 / (rate * 256)}.
 */
public final class DynamicItr
{
    /** Latency class: fewest packets, lowest delay. */
    public static final int LOWEST_LATENCY = 0;
    /** Latency class: 20000 interrupts/s. */
    public static final int LOW_LATENCY = 1;
    /** Latency class: bulk, 4000 interrupts/s. */
    public static final int BULK_LATENCY = 2;

    /** Rate Linux starts from in dynamic modes. */
    public static final int INITIAL_RATE = 20_000;
    /** Rate for links below 1000 Mb/s. */
    public static final int SLOW_LINK_RATE = 4_000;

    private final boolean conservative;
    private int rate = INITIAL_RATE;
    // Linux's adapter is zero-initialised: both directions start in the lowest-latency class.
    private int txLatency = LOWEST_LATENCY;
    private int rxLatency = LOWEST_LATENCY;

    /**
     * @param conservative {@code InterruptThrottleRate=3}: never choose the lowest-latency class.
     */
    public DynamicItr(final boolean conservative)
    {
        this.conservative = conservative;
    }

    /**
     * ITR register value for a rate.
     *
     * @param interruptsPerSecond target rate, positive.
     * @return ITR in 256 ns units.
     */
    public static int itrRegister(final int interruptsPerSecond)
    {
        return (int)(1_000_000_000L / (interruptsPerSecond * 256L));
    }

    /**
     * Linux {@code e1000_update_itr}.
     *
     * @param current current latency class.
     * @param packets packets since the last interrupt.
     * @param bytes   bytes since the last interrupt.
     * @return the new latency class.
     */
    public static int classify(final int current, final long packets, final long bytes)
    {
        if (0 == packets)
        {
            return current;
        }
        final long bytesPerPacket = bytes / packets;
        switch (current)
        {
            case LOWEST_LATENCY:
                if (bytesPerPacket > 8000)
                {
                    return BULK_LATENCY;
                }
                if (packets < 5 && bytes > 512)
                {
                    return LOW_LATENCY;
                }
                return current;

            case LOW_LATENCY:
                if (bytes > 10000)
                {
                    if (bytesPerPacket > 8000 || packets < 10 || bytesPerPacket > 1200)
                    {
                        return BULK_LATENCY;
                    }
                    if (packets > 35)
                    {
                        return LOWEST_LATENCY;
                    }
                }
                else if (bytesPerPacket > 2000)
                {
                    return BULK_LATENCY;
                }
                else if (packets <= 2 && bytes < 512)
                {
                    return LOWEST_LATENCY;
                }
                return current;

            case BULK_LATENCY:
                if (bytes > 25000)
                {
                    if (packets > 35)
                    {
                        return LOW_LATENCY;
                    }
                }
                else if (bytes < 6000)
                {
                    return LOW_LATENCY;
                }
                return current;

            default:
                return current;
        }
    }

    /**
     * Linux {@code e1000_set_itr}: the ITR register value to write after a NAPI round, or -1 when unchanged.
     *
     * @param linkSpeedMbps  negotiated speed.
     * @param txPackets      packets transmitted since the interrupt.
     * @param txBytes        bytes transmitted since the interrupt.
     * @param rxPackets      packets received since the interrupt.
     * @param rxBytes        bytes received since the interrupt.
     * @return new ITR register value, or -1.
     */
    public int update(
        final int linkSpeedMbps, final long txPackets, final long txBytes, final long rxPackets, final long rxBytes)
    {
        int newRate;
        if (1000 != linkSpeedMbps)
        {
            newRate = SLOW_LINK_RATE;
        }
        else
        {
            txLatency = classify(txLatency, txPackets, txBytes);
            if (conservative && LOWEST_LATENCY == txLatency)
            {
                txLatency = LOW_LATENCY;
            }
            rxLatency = classify(rxLatency, rxPackets, rxBytes);
            if (conservative && LOWEST_LATENCY == rxLatency)
            {
                rxLatency = LOW_LATENCY;
            }
            switch (Math.max(txLatency, rxLatency))
            {
                case LOWEST_LATENCY:
                    newRate = 70_000;
                    break;
                case LOW_LATENCY:
                    newRate = 20_000;
                    break;
                case BULK_LATENCY:
                    newRate = 4_000;
                    break;
                default:
                    newRate = rate;
                    break;
            }
        }
        if (newRate == rate)
        {
            return -1;
        }
        // Bias towards bulk: when the rate rises, climb a quarter of the target at a time.
        if (newRate > rate)
        {
            newRate = Math.min(rate + (newRate >> 2), newRate);
        }
        rate = newRate;
        return itrRegister(newRate);
    }

    /**
     * @return current target rate in interrupts per second.
     */
    public int rate()
    {
        return rate;
    }
}
