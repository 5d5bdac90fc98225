package io.sidecore.engine.frame;

import io.sidecore.engine.net.InternetChecksum;

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
     * The transmitting device inserted this complete frame's transport checksum itself (TX checksum offload) and
     * carries what a receiving device needs to verify it without summing the segment again (issue 11 §0: a checksum
     * computed once travels with the frame through the switch). The sum covered the bytes from
     * {@link #carriedChecksumStartBytes} to {@link #carriedChecksumEndBytes}, with the field at
     * {@link #carriedChecksumFieldBytes} (offsets from the first byte of the frame, tag included) holding
     * {@link #carriedGuestPartial} when it was summed; no other byte of that range has changed since. The inserted
     * checksum then makes the range plus a pseudo header {@code P} sum to ones' complement zero exactly when
     * {@code P} and the guest's partial value are congruent modulo 0xFFFF (see {@link #isCarriedChecksumGood}).
     * Only the device's own transmit path sets it; every other producer leaves it false and the receiver sums.
     */
    public boolean checksumCarried;
    /** With {@link #checksumCarried}: first byte of the summed range, from the first byte of the frame. */
    public int carriedChecksumStartBytes;
    /** With {@link #checksumCarried}: the byte after the summed range, from the first byte of the frame. */
    public int carriedChecksumEndBytes;
    /** With {@link #checksumCarried}: the inserted 2-byte field, from the first byte of the frame. */
    public int carriedChecksumFieldBytes;
    /** With {@link #checksumCarried}: the field's value (16 bits) when the device summed the range. */
    public int carriedGuestPartial;

    /**
     * Whether the carried checksum describes exactly this range and field.
     *
     * @param startBytes first byte of the receiver's transport segment, from the first byte of the frame.
     * @param endBytes   the byte after the segment (the IP total length's end), from the first byte of the frame.
     * @param fieldBytes the protocol's checksum field, from the first byte of the frame.
     * @return true when a receiver may verify by {@link #isCarriedChecksumGood} instead of summing.
     */
    public boolean carriesChecksumOf(final int startBytes, final int endBytes, final int fieldBytes)
    {
        return checksumCarried && startBytes == carriedChecksumStartBytes && endBytes == carriedChecksumEndBytes &&
            fieldBytes == carriedChecksumFieldBytes;
    }

    /**
     * The verdict a receiver's full check ({@code fold(sum(segment) + P) == 0xFFFF}) would reach, for a frame whose
     * checksum is carried: the inserted field {@code c = ~(X + p)} (X the rest of the segment, p the guest's partial
     * value) makes {@code X + c + P} congruent to {@code P - p} modulo 0xFFFF, and a ones' complement sum that is not
     * all zero bits folds to 0xFFFF exactly when it is a multiple of 0xFFFF (the pseudo header's protocol number
     * keeps it from being zero). The field sits at an even distance from the segment's start, so p is summed as the
     * word it is. The multiple of 0xFFFF is found without a remainder (which the JIT makes a multiply-high and
     * corrections at best): the end-around-carry {@link InternetChecksum#fold}, a few shifts and adds, keeps a value's
     * residue modulo 0xFFFF (2^16 and 2^32 are 1 modulo 0xFFFF) and folds to 0 only from 0, so a multiple of 0xFFFF
     * folds to 0 or 0xFFFF.
     *
     * @param pseudoHeaderSum the receiver's unfolded pseudo-header sum (not negative).
     * @return true when the full check would find the checksum good.
     */
    public boolean isCarriedChecksumGood(final long pseudoHeaderSum)
    {
        final int folded = InternetChecksum.fold(pseudoHeaderSum + (0xFFFF - (carriedGuestPartial & 0xFFFF)));
        return 0 == folded || 0xFFFF == folded;
    }

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
        checksumCarried = false;
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
