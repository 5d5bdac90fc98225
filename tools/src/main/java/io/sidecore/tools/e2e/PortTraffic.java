package io.sidecore.tools.e2e;

/**
 * Frames and bytes through one guest NIC, always seen from the guest: {@code tx} is what the guest transmitted,
 * {@code rx} what it received, whoever counted it (the guest driver's statistics, the sidecore port's counters, or
 * the TAP behind QEMU's NIC with its directions swapped).
 *
 * @param txFrames frames the guest transmitted.
 * @param txBytes  bytes of those frames.
 * @param rxFrames frames the guest received.
 * @param rxBytes  bytes of those frames.
 */
record PortTraffic(long txFrames, long txBytes, long rxFrames, long rxBytes)
{
    /**
     * @param earlier a snapshot taken before this one.
     * @return the traffic between the two snapshots.
     */
    PortTraffic minus(final PortTraffic earlier)
    {
        return new PortTraffic(
            txFrames - earlier.txFrames,
            txBytes - earlier.txBytes,
            rxFrames - earlier.rxFrames,
            rxBytes - earlier.rxBytes);
    }
}
