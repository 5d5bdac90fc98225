package io.sidecore.engine.frame;

/**
 * What travels with a frame besides its bytes: its checksum state, the segmentation (GSO) left to do, and the VLAN
 * tag the device inserted. The fields mirror Linux's {@code virtio_net_hdr}, so a TAP backend translates them one to
 * one.
 * <p>
 * One instance per producer (a device's TX path, a backend's receive loop, a switch drain), preallocated and reused:
 * the producer {@link #reset()}s it and fills it before each hand-off, and a sink reads it only during the call.
 * Nothing is allocated per frame.
 */
public final class FrameMetadata
{
    /** No segmentation left: the frame goes on the wire as it is. */
    public static final int GSO_NONE = 0;
    /** A TCP/IPv4 super-frame to cut into {@link #gsoSizeBytes}-byte segments. */
    public static final int GSO_TCPV4 = 1;
    /** A UDP super-frame to cut into {@link #gsoSizeBytes}-byte datagrams, each with its own UDP header. */
    public static final int GSO_UDP = 3;
    /** A TCP/IPv6 super-frame to cut into {@link #gsoSizeBytes}-byte segments. */
    public static final int GSO_TCPV6 = 4;

    /** {@link #vlanTci} of a frame into which the device inserted no 802.1Q tag. */
    public static final int NO_VLAN_TAG = -1;

    /** One of the {@code GSO_*} constants. */
    public int gsoType;
    /** Segment payload size (MSS) when {@link #gsoType} is not {@link #GSO_NONE}. */
    public int gsoSizeBytes;
    /** Length of the L2+L3+L4 headers that every segment repeats. */
    public int headerLengthBytes;
    /**
     * Checksum state: true when the transport checksum is partial (its field holds the pseudo-header sum) and must
     * still be completed over the bytes from {@link #checksumStartBytes} to the end of the frame; false when every
     * checksum in the frame is final (or none is needed).
     */
    public boolean needsChecksum;
    /** Offset from the first byte of the frame where checksumming starts. */
    public int checksumStartBytes;
    /** Offset of the checksum field relative to {@link #checksumStartBytes}. */
    public int checksumOffsetBytes;
    /**
     * The tag control information of the 802.1Q tag the device inserted after the source address (SDM 3.3.3.1,
     * the tag travels in the frame's bytes), or {@link #NO_VLAN_TAG}. A tag already in the guest's bytes is not
     * recorded here.
     */
    public int vlanTci = NO_VLAN_TAG;

    /**
     * Clear all fields: a complete frame, no offload work, no inserted tag.
     *
     * @return this.
     */
    public FrameMetadata reset()
    {
        gsoType = GSO_NONE;
        gsoSizeBytes = 0;
        headerLengthBytes = 0;
        needsChecksum = false;
        checksumStartBytes = 0;
        checksumOffsetBytes = 0;
        vlanTci = NO_VLAN_TAG;
        return this;
    }

    /**
     * @return true when no offload work is left: no segmentation and no partial checksum.
     */
    public boolean isComplete()
    {
        return GSO_NONE == gsoType && !needsChecksum;
    }
}
