package io.sidecore.launcher.control;

import io.sidecore.engine.port.PortSettings;
import io.sidecore.shm.control.ControlProtocol;

import java.util.Set;

/**
 * The run-time settings of a port a request may change (create-port sets them, set changes them): the budgets, the
 * rate limits and the moderation floor. A null field is left as it is.
 *
 * @param txDescriptorBudget TX descriptors per pass.
 * @param txByteBudget       TX bytes per pass.
 * @param rxFrameBudget      RX frames per pass.
 * @param txFramesPerSecond  frame rate, 0 for none.
 * @param txBurstFrames      frame burst.
 * @param txBytesPerSecond   byte rate, 0 for none.
 * @param txBurstBytes       byte burst.
 * @param moderationNs       floor on the interval between two interrupts, ns.
 */
record SettingsChange(
    Long txDescriptorBudget,
    Long txByteBudget,
    Long rxFrameBudget,
    Long txFramesPerSecond,
    Long txBurstFrames,
    Long txBytesPerSecond,
    Long txBurstBytes,
    Long moderationNs)
{
    /** The fields, as the protocol names them. */
    static final Set<String> FIELDS = Set.of(
        ControlProtocol.TX_DESCRIPTOR_BUDGET, ControlProtocol.TX_BYTE_BUDGET, ControlProtocol.RX_FRAME_BUDGET,
        ControlProtocol.TX_FRAMES_PER_SECOND, ControlProtocol.TX_BURST_FRAMES, ControlProtocol.TX_BYTES_PER_SECOND,
        ControlProtocol.TX_BURST_BYTES, ControlProtocol.MODERATION_NS);

    /** Largest moderation floor: one second. */
    static final long MAX_MODERATION_NS = 1_000_000_000L;

    /**
     * @param request a create-port or set request.
     * @return its settings fields, range-checked one by one.
     * @throws ControlException naming the first bad field.
     */
    static SettingsChange fromRequest(final RequestFields request) throws ControlException
    {
        return new SettingsChange(
            request.integer(ControlProtocol.TX_DESCRIPTOR_BUDGET, 1, PortSettings.MAX_DESCRIPTOR_BUDGET),
            request.integer(ControlProtocol.TX_BYTE_BUDGET, 1, Long.MAX_VALUE),
            request.integer(ControlProtocol.RX_FRAME_BUDGET, 1, PortSettings.MAX_DESCRIPTOR_BUDGET),
            request.integer(ControlProtocol.TX_FRAMES_PER_SECOND, 0, PortSettings.MAX_RATE_PER_SECOND),
            request.integer(ControlProtocol.TX_BURST_FRAMES, 1, PortSettings.MAX_BURST),
            request.integer(ControlProtocol.TX_BYTES_PER_SECOND, 0, PortSettings.MAX_RATE_PER_SECOND),
            request.integer(ControlProtocol.TX_BURST_BYTES, PortSettings.MIN_BURST_BYTES, PortSettings.MAX_BURST),
            request.integer(ControlProtocol.MODERATION_NS, 0, MAX_MODERATION_NS));
    }

    /**
     * @return true when a budget or rate limit changes (not only the moderation).
     */
    boolean changesSettings()
    {
        return null != txDescriptorBudget || null != txByteBudget || null != rxFrameBudget ||
            null != txFramesPerSecond || null != txBurstFrames || null != txBytesPerSecond || null != txBurstBytes;
    }

    /**
     * @param base the settings now.
     * @return them with this change.
     * @throws ControlException when the result is not a valid combination.
     */
    PortSettings apply(final PortSettings base) throws ControlException
    {
        try
        {
            PortSettings settings = base;
            if (null != txDescriptorBudget)
            {
                settings = settings.withTxDescriptorBudget((int)(long)txDescriptorBudget);
            }
            if (null != txByteBudget)
            {
                settings = settings.withTxByteBudget(txByteBudget);
            }
            if (null != rxFrameBudget)
            {
                settings = settings.withRxFrameBudget((int)(long)rxFrameBudget);
            }
            if (null != txFramesPerSecond || null != txBurstFrames)
            {
                settings = settings.withTxFrameRate(
                    null == txFramesPerSecond ? base.txFramesPerSecond() : txFramesPerSecond,
                    null == txBurstFrames ? base.txBurstFrames() : txBurstFrames);
            }
            if (null != txBytesPerSecond || null != txBurstBytes)
            {
                settings = settings.withTxByteRate(
                    null == txBytesPerSecond ? base.txBytesPerSecond() : txBytesPerSecond,
                    null == txBurstBytes ? base.txBurstBytes() : txBurstBytes);
            }
            return settings;
        }
        catch (final IllegalArgumentException ex)
        {
            throw RequestFields.invalid(ex.getMessage());
        }
    }
}
