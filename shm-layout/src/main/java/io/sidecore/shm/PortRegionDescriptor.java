package io.sidecore.shm;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Layout of the per-port shared memory: two memory objects (memfds) the daemon creates for each port, so that what
 * it hands to a VMM holds the doorbell pages and nothing else of the daemon's state.
 * <pre>
 *   port region (this header, one page)           doorbell pages (BAR0-shaped, 128 KiB)
 *   0x0000 +-----------------------------+         0x00000 +-------------------------------+
 *          | header, see below           |                 | never written (trapped        |
 *   0x1000 +-----------------------------+                 | registers live in the daemon) |
 *          = REGION_LENGTH                         0x02000 +-------------------------------+
 *                                                          | RX ring page  } shared with   |
 *                                                  0x03000 +---------------+ the guest,    |
 *                                                          | TX ring page  } polled        |
 *                                                  0x04000 +-------------------------------+
 *                                                          | never written                 |
 *                                                  0x20000 +-------------------------------+
 *                                                          = DOORBELL_PAGES_LENGTH
 * </pre>
 * <b>The doorbell pages</b> are a BAR0-shaped object: the register at BAR0 offset r lives at offset r, but only the
 * pages the port shares ({@link #SHARED_PAGES_FIELD_OFFSET}, by default the RX and TX ring pages) are ever written,
 * by the guest (tails, ring geometry) and by the sidecore (heads); every other page stays zero, and in a memfd is
 * never even allocated. A VMM maps exactly the shared pages of it into the guest (vfio-user sparse mmap areas at
 * those offsets). The registers of the other pages trap, and the daemon keeps them in its own private memory.
 * <p>
 * <b>The port region</b> is this header page: identity and policy written once by the daemon's control plane, and a
 * group the sidecore that owns the port writes: the port's state and, when a ring-level guest error quarantined the
 * port, the {@link PortFault} with its register and value (cleared by a device reset). It is for the guest side (the
 * synthetic guest, a native VMM): the daemon's authoritative record of a fault is in the counters file
 * ({@link PortFaultDescriptor}), since a VMM could write this page.
 * <pre>
 *   header (native byte order, little-endian on x86-64)
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
 *   |              length of this region (64 bits)                  | 16
 *   +---------------------------------------------------------------+
 *   |                 MAC address (6 bytes) + 2 pad                 | 24
 *   +---------------------------------------------------------------+
 *   |                 feature flags (bit 0: CSB offered)            | 32
 *   +---------------------------------------------------------------+
 *   |                         pad (zero)                            | 36
 *   +---------------------------------------------------------------+
 *   |           length of the doorbell pages (64 bits)              | 40
 *   +---------------------------------------------------------------+
 *   |                    reserved (zero) up to 128                  | 48
 *   +---------------------------------------------------------------+  engine-written group (128-byte boundary)
 *   |             interrupt sequence (64 bits, engine)              | 128
 *   +---------------------------------------------------------------+
 *   |        port state (engine: 0 ready, 1 faulted; written last)  | 136
 *   +---------------------------------------------------------------+
 *   |           fault reason: PortFault id, 0 when ready            | 140
 *   +---------------------------------------------------------------+
 *   |           fault register: BAR0 offset, 0 when ready           | 144
 *   +---------------------------------------------------------------+
 *   |                          pad (zero)                           | 148
 *   +---------------------------------------------------------------+
 *   |           fault value (64 bits), 0 when ready                 | 152
 *   +---------------------------------------------------------------+
 * </pre>
 * The creator calls {@link #writeHeader} (which zeroes the version first), creates the doorbell pages, then calls
 * {@link #signalReady}, which writes {@link #LAYOUT_VERSION} last with a volatile store. Every reader calls
 * {@link #checkHeader(AtomicBuffer, long)} (version read first, with a volatile load) before touching anything else,
 * and {@link #checkDoorbellPages} on its mapping of the doorbell pages. The sidecore publishes a fault with
 * {@link #publishFault} (details first, the state last with a release store) and withdraws it with
 * {@link #clearFault} (the state first); a reader takes {@link #portState} (acquire) before the details.
 * <p>
 * Version 1 held the header and a whole BAR0 image in one object, trapped registers included; version 2 splits them
 * and records the fault's register and value.
 */
public final class PortRegionDescriptor
{
    /** 'SCPR' little-endian. */
    public static final int MAGIC = 0x52504353;
    /** Version of this layout; bump on any change. */
    public static final int LAYOUT_VERSION = 2;

    /** Magic, creator-written. */
    public static final int MAGIC_FIELD_OFFSET;
    /** Layout version, creator-written last. */
    public static final int VERSION_FIELD_OFFSET;
    /** Numeric port id. */
    public static final int PORT_ID_FIELD_OFFSET;
    /** Bitmap of BAR0 pages shared with the guest and polled: bit n = page n. */
    public static final int SHARED_PAGES_FIELD_OFFSET;
    /** Length of this region, 64 bits. */
    public static final int REGION_LENGTH_FIELD_OFFSET;
    /** MAC address, 6 bytes in wire order, then 2 zero bytes. */
    public static final int MAC_FIELD_OFFSET;
    /** Feature flags ({@link #FEATURE_CSB}). */
    public static final int FEATURES_FIELD_OFFSET;
    /** Length of the doorbell pages object, 64 bits. */
    public static final int DOORBELL_PAGES_LENGTH_FIELD_OFFSET;
    /** Start of the engine-written group. */
    public static final int ENGINE_GROUP_OFFSET;
    /** Interrupt sequence, 64 bits, engine-written: incremented for every interrupt posted. */
    public static final int INTERRUPT_SEQUENCE_FIELD_OFFSET;
    /** Port state ({@link #PORT_STATE_READY} or {@link #PORT_STATE_FAULTED}), engine-written, after the details. */
    public static final int PORT_STATE_FIELD_OFFSET;
    /** {@link PortFault} id when faulted, {@link PortFault#NO_FAULT_ID} when ready; engine-written. */
    public static final int FAULT_REASON_FIELD_OFFSET;
    /** BAR0 offset of the register the fault names; engine-written. */
    public static final int FAULT_REGISTER_FIELD_OFFSET;
    /** Value of that register, 64 bits; engine-written. */
    public static final int FAULT_VALUE_FIELD_OFFSET;
    /** Length of the header page. */
    public static final int HEADER_LENGTH;
    /** Length of the port region: the header page. */
    public static final int REGION_LENGTH;
    /** Length of the doorbell pages object: BAR0-shaped. */
    public static final int DOORBELL_PAGES_LENGTH = E1000Registers.BAR0_LENGTH;

    /** Length of a MAC address. */
    public static final int MAC_LENGTH = 6;

    /** Feature flag: the port offers the CSB paravirtual extension. */
    public static final int FEATURE_CSB = 1;
    /** Every feature flag this layout version defines. */
    public static final int KNOWN_FEATURES_MASK = FEATURE_CSB;

    /** Port state: serving. */
    public static final int PORT_STATE_READY = 0;
    /** Port state: quarantined after a ring-level guest fault ({@link PortFault}) until a device reset. */
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
        offset += Integer.BYTES;
        offset += Integer.BYTES;
        DOORBELL_PAGES_LENGTH_FIELD_OFFSET = offset;

        offset = LayoutUtil.WRITER_GROUP_LENGTH;
        ENGINE_GROUP_OFFSET = offset;
        INTERRUPT_SEQUENCE_FIELD_OFFSET = offset;
        offset += Long.BYTES;
        PORT_STATE_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        FAULT_REASON_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        FAULT_REGISTER_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        offset += Integer.BYTES;
        FAULT_VALUE_FIELD_OFFSET = offset;

        HEADER_LENGTH = E1000Registers.PAGE_LENGTH;
        REGION_LENGTH = HEADER_LENGTH;
    }

    private PortRegionDescriptor()
    {
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
     *                               {@code "port region version mismatch: expected=2 found=<n>"} or
     *                               {@code "port region too short: required=4096 mapped=<m>"}.
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
     * group's initial values. Publish it with {@link #signalReady} once the doorbell pages exist.
     *
     * @param region      the whole region (the header page).
     * @param portId      numeric port id.
     * @param sharedPages bitmap of shared BAR0 pages.
     * @param macAddress  6 bytes, wire order.
     * @param features    feature flags, a subset of {@link #KNOWN_FEATURES_MASK}.
     * @throws IllegalArgumentException {@code "port region buffer too short: required=4096 capacity=<c>"},
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
        region.putInt(FEATURES_FIELD_OFFSET + Integer.BYTES, 0);
        region.putLong(DOORBELL_PAGES_LENGTH_FIELD_OFFSET, DOORBELL_PAGES_LENGTH);
        region.putLong(INTERRUPT_SEQUENCE_FIELD_OFFSET, 0L);
        region.putInt(PORT_STATE_FIELD_OFFSET, PORT_STATE_READY);
        region.putInt(FAULT_REASON_FIELD_OFFSET, PortFault.NO_FAULT_ID);
        region.putInt(FAULT_REGISTER_FIELD_OFFSET, 0);
        region.putInt(FAULT_REGISTER_FIELD_OFFSET + Integer.BYTES, 0);
        region.putLong(FAULT_VALUE_FIELD_OFFSET, 0L);
    }

    /**
     * Publish the region: write {@link #LAYOUT_VERSION} last, with a volatile store.
     *
     * @param region the whole region, after {@link #writeHeader}, once the doorbell pages exist.
     */
    public static void signalReady(final AtomicBuffer region)
    {
        region.putIntVolatile(VERSION_FIELD_OFFSET, LAYOUT_VERSION);
    }

    /**
     * Check a mapping of the doorbell pages a reader made (after {@link #checkHeader(AtomicBuffer, long)}).
     *
     * @param mappedLength bytes the reader mapped of the doorbell pages object.
     * @throws IllegalStateException {@code "doorbell pages too short: required=131072 mapped=<m>"}.
     */
    public static void checkDoorbellPages(final long mappedLength)
    {
        if (mappedLength < DOORBELL_PAGES_LENGTH)
        {
            throw new IllegalStateException("doorbell pages too short: required=" + DOORBELL_PAGES_LENGTH +
                " mapped=" + mappedLength);
        }
    }

    /**
     * Engine side: show the port as quarantined by a fault. The details are written first and the state last, with a
     * release store, so a reader that sees {@link #PORT_STATE_FAULTED} (acquire) sees the details.
     *
     * @param region   the header.
     * @param faultId  {@link PortFault#id()}.
     * @param register BAR0 offset of the register the fault names.
     * @param value    its value.
     */
    public static void publishFault(final AtomicBuffer region, final int faultId, final int register, final long value)
    {
        region.putInt(FAULT_REASON_FIELD_OFFSET, faultId);
        region.putInt(FAULT_REGISTER_FIELD_OFFSET, register);
        region.putLong(FAULT_VALUE_FIELD_OFFSET, value);
        region.putIntRelease(PORT_STATE_FIELD_OFFSET, PORT_STATE_FAULTED);
    }

    /**
     * Engine side: show the port as serving again (a device reset cleared the fault). The state is written first.
     *
     * @param region the header.
     */
    public static void clearFault(final AtomicBuffer region)
    {
        region.putIntRelease(PORT_STATE_FIELD_OFFSET, PORT_STATE_READY);
        region.putInt(FAULT_REASON_FIELD_OFFSET, PortFault.NO_FAULT_ID);
        region.putInt(FAULT_REGISTER_FIELD_OFFSET, 0);
        region.putLong(FAULT_VALUE_FIELD_OFFSET, 0L);
    }

    /**
     * @param region the header.
     * @return {@link #PORT_STATE_READY} or {@link #PORT_STATE_FAULTED} (acquire: read it before the details).
     */
    public static int portState(final AtomicBuffer region)
    {
        return region.getIntAcquire(PORT_STATE_FIELD_OFFSET);
    }

    /**
     * @param region the header, after {@link #portState} returned {@link #PORT_STATE_FAULTED}.
     * @return the fault, or null when none (or the id is unknown to this reader).
     */
    public static PortFault fault(final AtomicBuffer region)
    {
        return PortFault.byId(region.getInt(FAULT_REASON_FIELD_OFFSET));
    }
}
