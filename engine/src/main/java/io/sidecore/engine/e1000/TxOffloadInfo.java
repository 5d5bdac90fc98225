package io.sidecore.engine.e1000;

/**
 * Per-port, reused description of the offload work left in a whole frame handed to an offload-capable
 * {@link FrameSink} (mirrors the fields of Linux's {@code virtio_net_hdr}).
 */
public final class TxOffloadInfo
{
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;

    /** One of the GSO_* constants. */
    public int gsoType;
    /** Segment payload size (MSS) when gsoType is not GSO_NONE. */
    public int gsoSizeBytes;
    /** Length of the L2+L3+L4 headers. */
    public int headerLengthBytes;
    /** True when a transport checksum must still be computed from {@link #checksumStartBytes}. */
    public boolean needsChecksum;
    /** Offset where checksumming starts. */
    public int checksumStartBytes;
    /** Offset of the checksum field relative to {@link #checksumStartBytes}. */
    public int checksumOffsetBytes;

    /**
     * Clear all fields before describing the next frame.
     */
    public void reset()
    {
        gsoType = GSO_NONE;
        gsoSizeBytes = 0;
        headerLengthBytes = 0;
        needsChecksum = false;
        checksumStartBytes = 0;
        checksumOffsetBytes = 0;
    }
}
