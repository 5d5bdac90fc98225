package io.sidecore.shm;

/**
 * Layout of the per-port shared-memory region (a memfd or file) that the sidecore, the VMM (QEMU through
 * vfio-user, or the synthetic guest) and operator tools map. It holds a header page and the BAR0 register image.
 * <pre>
 *   region
 *   0x00000 +---------------------------------------------+
 *           | header page (4 KiB), see below              |
 *   0x01000 +---------------------------------------------+  = BAR0_IMAGE_OFFSET
 *           | BAR0 image, 128 KiB; register at BAR0 byte  |
 *           | offset r lives at BAR0_IMAGE_OFFSET + r      |
 *           |   +0x2000 RX ring page  } shared with the    |
 *           |   +0x3000 TX ring page  } guest, polled       |
 *   0x21000 +---------------------------------------------+  = REGION_LENGTH
 *
 *   header page
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                       magic 'SCPR'                            | 0
 *   +---------------------------------------------------------------+
 *   |              layout version (written last)                    | 4
 *   +---------------------------------------------------------------+
 *   |                          port id                              | 8
 *   +---------------------------------------------------------------+
 *   |        shared pages: bit n set = BAR0 page n is shared        | 12
 *   +---------------------------------------------------------------+
 *   |                   region length (64 bits)                     | 16
 *   +---------------------------------------------------------------+
 *   |                 MAC address (6 bytes) + 2 pad                 | 24
 *   +---------------------------------------------------------------+
 *   |                 feature flags (bit 0: CSB offered)            | 32
 *   +---------------------------------------------------------------+
 *   |                          ...                                  |
 *   +---------------------------------------------------------------+ 128 engine-written group
 *   |             interrupt sequence (64 bits, engine)              | 128
 *   +---------------------------------------------------------------+
 *   |             port state (engine: 0 ready, 1 faulted)           | 136
 *   +---------------------------------------------------------------+
 *   |             fault reason id (engine)                          | 140
 *   +---------------------------------------------------------------+
 * </pre>
 * The creator fills the header and the BAR0 reset image, then writes {@link #LAYOUT_VERSION} last with a volatile
 * store; every reader calls {@link #checkHeader} first.
 */
public final class PortRegionDescriptor
{
    /** 'SCPR' little-endian. */
    public static final int MAGIC = 0x52504353;
    /** Version of this layout; bump on any change. */
    public static final int LAYOUT_VERSION = 1;

    public static final int MAGIC_FIELD_OFFSET;
    public static final int VERSION_FIELD_OFFSET;
    public static final int PORT_ID_FIELD_OFFSET;
    public static final int SHARED_PAGES_FIELD_OFFSET;
    public static final int REGION_LENGTH_FIELD_OFFSET;
    public static final int MAC_FIELD_OFFSET;
    public static final int FEATURES_FIELD_OFFSET;
    public static final int INTERRUPT_SEQUENCE_FIELD_OFFSET;
    public static final int PORT_STATE_FIELD_OFFSET;
    public static final int FAULT_REASON_FIELD_OFFSET;
    public static final int HEADER_LENGTH;
    public static final int BAR0_IMAGE_OFFSET;
    public static final int REGION_LENGTH;

    /** Feature flag: the port offers the CSB paravirtual extension. */
    public static final int FEATURE_CSB = 1;

    /** Port state: serving. */
    public static final int PORT_STATE_READY = 0;
    /** Port state: quarantined after a ring-level guest fault. */
    public static final int PORT_STATE_FAULTED = 1;

    /** Default sharing policy: the RX (0x2000) and TX (0x3000) ring pages. */
    public static final int DEFAULT_SHARED_PAGES =
        (1 << (E1000Registers.RX_RING_PAGE_OFFSET / E1000Registers.PAGE_LENGTH)) |
        (1 << (E1000Registers.TX_RING_PAGE_OFFSET / E1000Registers.PAGE_LENGTH));

    static
    {
        int offset = 0;
        MAGIC_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        VERSION_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        PORT_ID_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        SHARED_PAGES_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        REGION_LENGTH_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        MAC_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        FEATURES_FIELD_OFFSET = offset;

        offset = LayoutUtil.CACHE_LINE_LENGTH * 2;
        INTERRUPT_SEQUENCE_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        PORT_STATE_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        FAULT_REASON_FIELD_OFFSET = offset;

        HEADER_LENGTH = E1000Registers.PAGE_LENGTH;
        BAR0_IMAGE_OFFSET = HEADER_LENGTH;
        REGION_LENGTH = BAR0_IMAGE_OFFSET + E1000Registers.BAR0_LENGTH;
    }

    private PortRegionDescriptor()
    {
    }

    /**
     * Region offset of a BAR0 register.
     *
     * @param bar0Offset BAR0 byte offset.
     * @return offset in the region.
     */
    public static int registerOffset(final int bar0Offset)
    {
        return BAR0_IMAGE_OFFSET + bar0Offset;
    }

    /**
     * Is the BAR0 page holding this offset shared under the given policy?
     *
     * @param sharedPages bitmap from {@link #SHARED_PAGES_FIELD_OFFSET}.
     * @param bar0Offset  BAR0 byte offset.
     * @return true if guest accesses to it do not trap.
     */
    public static boolean isShared(final int sharedPages, final int bar0Offset)
    {
        final int page = bar0Offset / E1000Registers.PAGE_LENGTH;
        return page >= 0 && page < 32 && 0 != (sharedPages & (1 << page));
    }

    /**
     * Check the magic, version and length a reader found.
     *
     * @param magic         value at {@link #MAGIC_FIELD_OFFSET}.
     * @param version       value at {@link #VERSION_FIELD_OFFSET}.
     * @param mappedLength  bytes the reader mapped.
     * @throws IllegalStateException with an exact message when the region is not usable.
     */
    public static void checkHeader(final int magic, final int version, final long mappedLength)
    {
        if (0 == version)
        {
            throw new IllegalStateException("port region not initialised: version=0");
        }
        if (MAGIC != magic)
        {
            throw new IllegalStateException("port region magic mismatch: expected=0x" +
                Integer.toHexString(MAGIC) + " found=0x" + Integer.toHexString(magic));
        }
        if (LAYOUT_VERSION != version)
        {
            throw new IllegalStateException("port region version mismatch: expected=" + LAYOUT_VERSION +
                " found=" + version);
        }
        if (mappedLength < REGION_LENGTH)
        {
            throw new IllegalStateException("port region too short: required=" + REGION_LENGTH +
                " mapped=" + mappedLength);
        }
    }
}
