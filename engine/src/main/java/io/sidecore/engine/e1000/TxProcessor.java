package io.sidecore.engine.e1000;

/**
 * Walks the TX ring from TDH to TDT and turns descriptors into frames (SDM 3.3, 3.5 TSO/checksum offload).
 * <p>
 * SKELETON: to be completed.
 */
public final class TxProcessor
{
    private final E1000Device device;

    TxProcessor(final E1000Device device)
    {
        this.device = device;
    }

    /**
     * Process up to {@code descriptorBudget} descriptors.
     *
     * @param nowNs            current time.
     * @param descriptorBudget bound on descriptors consumed.
     * @return descriptors consumed.
     */
    public int process(final long nowNs, final int descriptorBudget)
    {
        return device.hashCode() & 0;
    }

    /**
     * Drop any partly assembled packet (MAC reset).
     */
    public void reset()
    {
    }
}
