package io.sidecore.engine.port;

import io.sidecore.engine.e1000.RxProcessor;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.proxy.EngineProxy;

import static io.sidecore.engine.SettingChecks.checkRange;

/**
 * The per-port fairness and rate-limit policy the sidecore applies on every pass. Immutable, so one instance can be
 * handed from a control thread to the owning agent through a command; changed at runtime with
 * {@link EngineProxy#updatePortSettings}.
 * <p>
 * Budgets bound the work one port gets in one pass of the agent over its ports, so one busy guest cannot starve the
 * others. Rate limits are token buckets refilled from the agent's clock; {@link #UNLIMITED} switches one off.
 *
 * @param txDescriptorBudget    TX descriptors processed per pass, at least 1.
 * @param txByteBudget          TX bytes per pass, at least 1: bytes of frames produced, and bytes copied from guest
 *                              memory; checked before every descriptor and every TSO segment, so a pass exceeds it
 *                              by at most one descriptor's copy or one frame.
 * @param txSegmentBudget       TX frames (every TSO segment counts) produced per pass, at least 1; a TSO packet
 *                              with more segments goes on in the next passes.
 * @param rxFrameBudget         frames moved from the backend into the guest per pass, at least 1.
 * @param rxDescriptorBudget    RX descriptors the port's scans for free buffers may examine per pass (every frame
 *                              for the guest, from the backend, the switch or another sidecore, is charged the
 *                              descriptors it made the device read), at least {@link #MIN_RX_DESCRIPTOR_BUDGET}.
 * @param rxByteBudget          bytes moved from the backend into the guest per pass, counted after any segmentation
 *                              the backend does, at least 1 (a pass may exceed it by one frame).
 * @param maxLearnedMacs        source addresses besides its own MAC the switch learns behind the port (for a guest
 *                              that bridges other stations); a frame from a new one past it is dropped. 0: the
 *                              port may send only from its own MAC.
 * @param txFramesPerSecond     sustained TX frame rate, or {@link #UNLIMITED}.
 * @param txBurstFrames         TX frames that may be sent at once after an idle period, at least 1 when limited.
 * @param txBytesPerSecond      sustained TX byte rate, or {@link #UNLIMITED}.
 * @param txBurstBytes          TX bytes that may be sent at once after an idle period, at least one maximum frame
 *                              ({@link #MIN_BURST_BYTES}) when limited.
 * @param maxDmaRegions         guest memory regions (vfio-user DMA maps, native attach regions) the port's guest may
 *                              have at once, 1 to {@link GuestMemory#MAX_REGIONS}: each is a host mapping, and the
 *                              process has {@code vm.max_map_count} for all ports together.
 * @param floodFramesPerSecond  storm control: sustained rate of broadcast and multicast frames the port may transmit,
 *                              or {@link #UNLIMITED}; a group-addressed frame past it is dropped
 *                              ({@code tx_drop_storm}), so one guest cannot make the switch copy a storm to every
 *                              port.
 * @param floodBurstFrames      broadcast and multicast frames that may go at once after a quiet period, at least 1
 *                              when limited.
 * @param faultResetsPerSecond  backoff for fault and reset storms: ring faults and device resets the port may have
 *                              per second (a second's worth at once), or {@link #UNLIMITED}; past it the port's
 *                              passes are skipped ({@code passes_backed_off}) until the allowance refills, so a
 *                              guest that faults or resets in a loop costs bounded work per second.
 */
public record PortSettings(
    int txDescriptorBudget,
    long txByteBudget,
    int txSegmentBudget,
    int rxFrameBudget,
    int rxDescriptorBudget,
    long rxByteBudget,
    int maxLearnedMacs,
    long txFramesPerSecond,
    long txBurstFrames,
    long txBytesPerSecond,
    long txBurstBytes,
    int maxDmaRegions,
    long floodFramesPerSecond,
    long floodBurstFrames,
    long faultResetsPerSecond)
{
    /** A rate of 0 means the limit is off. */
    public static final long UNLIMITED = 0;

    /** Largest per-pass budget: a ring has at most 65536 descriptors (SDM 13.4.27, TDLEN). */
    public static final int MAX_DESCRIPTOR_BUDGET = 65536;

    /** Largest source address allowance of a port. */
    public static final int MAX_LEARNED_MACS = 65536;

    /** Largest TX segment budget: as many segments as a 64 KiB TSO packet at MSS 1 makes. */
    public static final int MAX_SEGMENT_BUDGET = 65536;

    /**
     * Smallest RX descriptor budget: the descriptors the longest frame needs in the smallest buffers, so that any
     * frame the guest can take finds room in a fresh pass.
     */
    public static final int MIN_RX_DESCRIPTOR_BUDGET = RxProcessor.MAX_BUFFERS_PER_FRAME;

    /** Largest rate a bucket accepts (frames or bytes per second): keeps the fixed-point arithmetic in range. */
    public static final long MAX_RATE_PER_SECOND = 1_000_000_000_000L;

    /** Largest burst a bucket accepts: keeps the fixed-point arithmetic in range. */
    public static final long MAX_BURST = 1_000_000_000L;

    /** Smallest byte burst: one maximum-size frame (16 KiB jumbo) must always fit, or the port could never send. */
    public static final long MIN_BURST_BYTES = 16384;

    /**
     * Validate.
     *
     * @throws IllegalArgumentException naming the first bad value.
     */
    public PortSettings
    {
        checkRange("txDescriptorBudget", txDescriptorBudget, 1, MAX_DESCRIPTOR_BUDGET);
        checkRange("txByteBudget", txByteBudget, 1, Long.MAX_VALUE);
        checkRange("txSegmentBudget", txSegmentBudget, 1, MAX_SEGMENT_BUDGET);
        checkRange("rxFrameBudget", rxFrameBudget, 1, MAX_DESCRIPTOR_BUDGET);
        checkRange("rxDescriptorBudget", rxDescriptorBudget, MIN_RX_DESCRIPTOR_BUDGET, MAX_DESCRIPTOR_BUDGET);
        checkRange("rxByteBudget", rxByteBudget, 1, Long.MAX_VALUE);
        checkRange("maxLearnedMacs", maxLearnedMacs, 0, MAX_LEARNED_MACS);
        checkRange("txFramesPerSecond", txFramesPerSecond, 0, MAX_RATE_PER_SECOND);
        checkRange("txBytesPerSecond", txBytesPerSecond, 0, MAX_RATE_PER_SECOND);
        if (UNLIMITED != txFramesPerSecond)
        {
            checkRange("txBurstFrames", txBurstFrames, 1, MAX_BURST);
        }
        if (UNLIMITED != txBytesPerSecond)
        {
            checkRange("txBurstBytes", txBurstBytes, MIN_BURST_BYTES, MAX_BURST);
        }
        checkRange("maxDmaRegions", maxDmaRegions, 1, GuestMemory.MAX_REGIONS);
        checkRange("floodFramesPerSecond", floodFramesPerSecond, 0, MAX_RATE_PER_SECOND);
        if (UNLIMITED != floodFramesPerSecond)
        {
            checkRange("floodBurstFrames", floodBurstFrames, 1, MAX_BURST);
        }
        checkRange("faultResetsPerSecond", faultResetsPerSecond, 0, MAX_BURST);
    }

    /**
     * @param budget new TX descriptor budget.
     * @return a copy with it.
     */
    public PortSettings withTxDescriptorBudget(final int budget)
    {
        return new PortSettings(budget, txByteBudget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget, rxByteBudget,
            maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param budget new TX byte budget.
     * @return a copy with it.
     */
    public PortSettings withTxByteBudget(final long budget)
    {
        return new PortSettings(txDescriptorBudget, budget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget,
            rxByteBudget, maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param budget new TX segment budget.
     * @return a copy with it.
     */
    public PortSettings withTxSegmentBudget(final int budget)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, budget, rxFrameBudget, rxDescriptorBudget,
            rxByteBudget, maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param budget new RX frame budget.
     * @return a copy with it.
     */
    public PortSettings withRxFrameBudget(final int budget)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, budget, rxDescriptorBudget,
            rxByteBudget, maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param budget new RX descriptor budget.
     * @return a copy with it.
     */
    public PortSettings withRxDescriptorBudget(final int budget)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, rxFrameBudget, budget, rxByteBudget,
            maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param framesPerSecond sustained rate or {@link #UNLIMITED}.
     * @param burstFrames     burst.
     * @return a copy with the frame rate limit.
     */
    public PortSettings withTxFrameRate(final long framesPerSecond, final long burstFrames)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget,
            rxByteBudget, maxLearnedMacs, framesPerSecond, burstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param bytesPerSecond sustained rate or {@link #UNLIMITED}.
     * @param burstBytes     burst.
     * @return a copy with the byte rate limit.
     */
    public PortSettings withTxByteRate(final long bytesPerSecond, final long burstBytes)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget,
            rxByteBudget, maxLearnedMacs, txFramesPerSecond, txBurstFrames, bytesPerSecond, burstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param budget new RX byte budget.
     * @return a copy with it.
     */
    public PortSettings withRxByteBudget(final long budget)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget,
            budget, maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param count learned source addresses the port may have besides its own MAC.
     * @return a copy with it.
     */
    public PortSettings withMaxLearnedMacs(final int count)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget,
            rxByteBudget, count, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param count guest memory regions the port's guest may have mapped at once.
     * @return a copy with it.
     */
    public PortSettings withMaxDmaRegions(final int count)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget,
            rxByteBudget, maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            count, floodFramesPerSecond, floodBurstFrames, faultResetsPerSecond);
    }

    /**
     * @param framesPerSecond sustained broadcast and multicast rate or {@link #UNLIMITED}.
     * @param burstFrames     burst.
     * @return a copy with the storm control limit.
     */
    public PortSettings withFloodRate(final long framesPerSecond, final long burstFrames)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget,
            rxByteBudget, maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, framesPerSecond, burstFrames, faultResetsPerSecond);
    }

    /**
     * @param perSecond ring faults and device resets per second, or {@link #UNLIMITED}.
     * @return a copy with the fault and reset backoff.
     */
    public PortSettings withFaultResetRate(final long perSecond)
    {
        return new PortSettings(txDescriptorBudget, txByteBudget, txSegmentBudget, rxFrameBudget, rxDescriptorBudget,
            rxByteBudget, maxLearnedMacs, txFramesPerSecond, txBurstFrames, txBytesPerSecond, txBurstBytes,
            maxDmaRegions, floodFramesPerSecond, floodBurstFrames, perSecond);
    }
}
