package io.sidecore.shm;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Layout of the per-port shared-memory region (a memfd or file) that the sidecore, the VMM (QEMU through
 * vfio-user, or the synthetic guest) and operator tools map. It holds a header page and the BAR0 register image.
 * <pre>
 *   region
 *   0x00000 +---------------------------------------------+
 *           | header page (4 KiB), see below              |
 *   0x01000 +---------------------------------------------+  = BAR0_IMAGE_OFFSET
 *           | BAR0 image, 128 KiB; register at BAR0 byte  |
 *           | offset r lives at BAR0_IMAGE_OFFSET + r     |
 *           |   +0x2000 RX ring page  } shared with the   |
 *           |   +0x3000 TX ring page  } guest, polled     |
 *   0x21000 +---------------------------------------------+  = REGION_LENGTH
 *
 *   header page (native byte order, little-endian on x86-64)
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
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
 *   |                    reserved (zero) up to 128                  | 36
 *   +---------------------------------------------------------------+  engine-written group (128-byte boundary)
 *   |             interrupt sequence (64 bits, engine)              | 128
 *   +---------------------------------------------------------------+
 *   |             port state (engine: 0 ready, 1 faulted)           | 136
 *   +---------------------------------------------------------------+
 *   |             fault reason id (engine)                          | 140
 *   +---------------------------------------------------------------+
 * </pre>
 * The first group is written once by the daemon's control plane when it creates the port; the second only by the
 * agent that owns the port. The creator calls {@link #writeHeader} (which zeroes the version first), fills the BAR0
 * reset image, then calls {@link #signalReady}, which writes {@link #LAYOUT_VERSION} last with a volatile store.
 * Every reader calls {@link #checkHeader(AtomicBuffer, long)} (version read first, with a volatile load) before
 * touching anything else.
 */
public final class PortRegionDescriptor
{
    /** 'SCPR' little-endian. */
    public static final int MAGIC = 0x52504353;
    /** Version of this layout; bump on any change. */
    public static final int LAYOUT_VERSION = 1;

    /** Magic, creator-written. */
    public static final int MAGIC_FIELD_OFFSET;
    /** Layout version, creator-written last. */
    public static final int VERSION_FIELD_OFFSET;
    /** Numeric port id. */
    public static final int PORT_ID_FIELD_OFFSET;
    /** Bitmap of BAR0 pages shared with the guest and polled: bit n = page n. */
    public static final int SHARED_PAGES_FIELD_OFFSET;
    /** Length of the whole region, 64 bits. */
    public static final int REGION_LENGTH_FIELD_OFFSET;
    /** MAC address, 6 bytes in wire order, then 2 zero bytes. */
    public static final int MAC_FIELD_OFFSET;
    /** Feature flags ({@link #FEATURE_CSB}). */
    public static final int FEATURES_FIELD_OFFSET;
    /** Start of the engine-written group. */
    public static final int ENGINE_GROUP_OFFSET;
    /** Interrupt sequence, 64 bits, engine-written: incremented for every interrupt posted. */
    public static final int INTERRUPT_SEQUENCE_FIELD_OFFSET;
    /** Port state ({@link #PORT_STATE_READY} or {@link #PORT_STATE_FAULTED}), engine-written. */
    public static final int PORT_STATE_FIELD_OFFSET;
    /** Fault reason id when faulted, engine-written. */
    public static final int FAULT_REASON_FIELD_OFFSET;
    /** Length of the header page. */
    public static final int HEADER_LENGTH;
    /** Offset of the BAR0 register image. */
    public static final int BAR0_IMAGE_OFFSET;
    /** Length of the whole region. */
    public static final int REGION_LENGTH;

    /** Length of a MAC address. */
    public static final int MAC_LENGTH = 6;

    /** Feature flag: the port offers the CSB paravirtual extension. */
    public static final int FEATURE_CSB = 1;
    /** Every feature flag this layout version defines. */
    public static final int KNOWN_FEATURES_MASK = FEATURE_CSB;

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
        ENGINE_GROUP_OFFSET = offset;
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
     * @return true if guest accesses to it do not trap; false for any offset outside BAR0.
     */
    public static boolean isShared(final int sharedPages, final int bar0Offset)
    {
        if (bar0Offset < 0 || bar0Offset >= E1000Registers.BAR0_LENGTH)
        {
            return false;
        }
        return 0 != (sharedPages & (1 << (bar0Offset / E1000Registers.PAGE_LENGTH)));
    }

    /**
     * Check the magic, version and length a reader found.
     *
     * @param magic         value at {@link #MAGIC_FIELD_OFFSET}.
     * @param version       value at {@link #VERSION_FIELD_OFFSET}.
     * @param mappedLength  bytes the reader mapped.
     * @throws IllegalStateException {@code "port region not initialised: version=0"},
     *                               {@code "port region magic mismatch: expected=0x52504353 found=0x<hex>"},
     *                               {@code "port region version mismatch: expected=1 found=<n>"} or
     *                               {@code "port region too short: required=135168 mapped=<m>"}.
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

    /**
     * Check the magic, version and length of a mapped region, reading the version first with a volatile load.
     *
     * @param region       the mapped region, at least {@code mappedLength} bytes.
     * @param mappedLength bytes the reader mapped.
     * @throws IllegalStateException with the exact messages of {@link #checkHeader(int, int, long)}, or
     *                               {@code "port region too short: required=<n> mapped=<m>"} when not even the
     *                               magic and version are mapped.
     */
    public static void checkHeader(final AtomicBuffer region, final long mappedLength)
    {
        if (mappedLength < VERSION_FIELD_OFFSET + Integer.BYTES)
        {
            throw new IllegalStateException("port region too short: required=" + REGION_LENGTH +
                " mapped=" + mappedLength);
        }
        final int version = region.getIntVolatile(VERSION_FIELD_OFFSET);
        checkHeader(region.getInt(MAGIC_FIELD_OFFSET), version, mappedLength);
    }

    /**
     * Write the header of a freshly created region: version 0 first, then the creator's fields, then the engine
     * group's initial values. Publish it with {@link #signalReady} after the BAR0 reset image is written.
     *
     * @param region      the whole region.
     * @param portId      numeric port id.
     * @param sharedPages bitmap of shared BAR0 pages.
     * @param macAddress  6 bytes, wire order.
     * @param features    feature flags, a subset of {@link #KNOWN_FEATURES_MASK}.
     * @throws IllegalArgumentException {@code "port region buffer too short: required=<n> capacity=<c>"},
     *                                  {@code "MAC address must be 6 bytes: length=<n>"} or
     *                                  {@code "unknown port features: 0x<hex>"}.
     */
    public static void writeHeader(
        final AtomicBuffer region,
        final int portId,
        final int sharedPages,
        final byte[] macAddress,
        final int features)
    {
        if (region.capacity() < REGION_LENGTH)
        {
            throw new IllegalArgumentException("port region buffer too short: required=" + REGION_LENGTH +
                " capacity=" + region.capacity());
        }
        if (MAC_LENGTH != macAddress.length)
        {
            throw new IllegalArgumentException("MAC address must be " + MAC_LENGTH + " bytes: length=" +
                macAddress.length);
        }
        if (0 != (features & ~KNOWN_FEATURES_MASK))
        {
            throw new IllegalArgumentException("unknown port features: 0x" +
                Integer.toHexString(features & ~KNOWN_FEATURES_MASK));
        }

        region.putIntVolatile(VERSION_FIELD_OFFSET, 0);
        region.putInt(MAGIC_FIELD_OFFSET, MAGIC);
        region.putInt(PORT_ID_FIELD_OFFSET, portId);
        region.putInt(SHARED_PAGES_FIELD_OFFSET, sharedPages);
        region.putLong(REGION_LENGTH_FIELD_OFFSET, REGION_LENGTH);
        region.putLong(MAC_FIELD_OFFSET, 0L);
        region.putBytes(MAC_FIELD_OFFSET, macAddress, 0, MAC_LENGTH);
        region.putInt(FEATURES_FIELD_OFFSET, features);
        region.putLong(INTERRUPT_SEQUENCE_FIELD_OFFSET, 0L);
        region.putInt(PORT_STATE_FIELD_OFFSET, PORT_STATE_READY);
        region.putInt(FAULT_REASON_FIELD_OFFSET, 0);
    }

    /**
     * Publish the region: write {@link #LAYOUT_VERSION} last, with a volatile store.
     *
     * @param region the whole region, after {@link #writeHeader} and the BAR0 reset image.
     */
    public static void signalReady(final AtomicBuffer region)
    {
        region.putIntVolatile(VERSION_FIELD_OFFSET, LAYOUT_VERSION);
    }
}
