package io.sidecore.shm;

/**
 * Layout and protocol of the Communication Status Block (CSB) of the paravirtual e1000 extension described by
 * Rizzo, Lettieri and Maffione, "Speeding up packet I/O in virtual machines" (ANCS 2013).
 * <p>
 * <b>Where it lives.</b> The guest allocates the block in its own RAM ({@link #CSB_LENGTH} bytes, aligned to
 * {@link #CSB_ALIGNMENT}) and tells the device its guest-physical address through the CSBAH
 * ({@link E1000Registers#CSBAH}, 0x2834) and CSBAL ({@link E1000Registers#CSBAL}, 0x2830) registers. A port offers
 * the extension by presenting PCI subsystem ID {@link PciConfig#SUBSYSTEM_ID_CSB} (0x1101); a stock driver ignores
 * both the ID and the registers and sees a plain 82540EM.
 * <pre>
 *   CSB, guest RAM, all fields 32-bit little-endian
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+  guest-written group
 *   |                        magic 'SCSB'                           | 0
 *   +---------------------------------------------------------------+
 *   |                 version (guest writes it last)                | 4
 *   +---------------------------------------------------------------+
 *   |            guest_tdt: TX tail, replaces TDT writes            | 8
 *   +---------------------------------------------------------------+
 *   |            guest_rdt: RX tail, replaces RDT writes            | 12
 *   +---------------------------------------------------------------+
 *   |     guest_need_txkick: 1 = interrupt me when TX completes     | 16
 *   +---------------------------------------------------------------+
 *   |     guest_need_rxkick: 1 = interrupt me when a frame arrives  | 20
 *   +---------------------------------------------------------------+
 *   |                   reserved (zero) up to 128                   | 24
 *   +---------------------------------------------------------------+  host-written group (128-byte boundary)
 *   |   host_version: the version the host serves (written last)    | 128
 *   +---------------------------------------------------------------+
 *   |             host_tdh: TX head, copy of TDH                    | 132
 *   +---------------------------------------------------------------+
 *   |             host_rdh: RX head, copy of RDH                    | 136
 *   +---------------------------------------------------------------+
 *   |    host_need_txkick: 1 = host stopped polling TX, kick me     | 140
 *   +---------------------------------------------------------------+
 *   |    host_need_rxkick: 1 = host ran out of RX buffers, kick me  | 144
 *   +---------------------------------------------------------------+
 *   |    host_txcycles_lim: empty TX polls before host goes idle    | 148
 *   +---------------------------------------------------------------+
 *   |    host_txcycles: empty TX polls in the current run           | 152
 *   +---------------------------------------------------------------+
 *   |                   reserved (zero) up to 256                   | 156
 *   +---------------------------------------------------------------+
 * </pre>
 * <b>Registration.</b> The guest zeroes the block, writes the guest group with {@code guest_tdt}/{@code guest_rdt}
 * equal to the tails it last wrote to TDT/RDT, the {@link #MAGIC}, and {@link #CSB_VERSION} last with a release
 * store. It then writes CSBAH and then CSBAL: the CSBAL write commits the 64-bit address (the order the original
 * QEMU patch requires). The host, on the CSBAL write, composes the address ({@link #csbGpa}), checks
 * {@link #isCsbAddressAligned alignment}, checks that the whole block lies inside one writable guest memory region
 * (the engine's {@code GuestMemory.translateForWrite(gpa, CSB_LENGTH)}), reads the version with acquire semantics and
 * the magic, and validates them ({@link #csbStatus} / {@link #checkCsb}). If all pass it initialises the host group
 * ({@code host_tdh}=TDH, {@code host_rdh}=RDH, both need-kick flags 0, its TX spin limit, {@code host_txcycles}=0)
 * and writes {@code host_version} = {@link #CSB_VERSION} last with a release store; if any fails it leaves the port
 * in register mode and writes nothing into guest memory. The guest must not skip a doorbell write until it reads
 * {@code host_version} == {@link #CSB_VERSION} ({@link #isServedByHost}). Writing 0 to CSBAH and CSBAL releases
 * the block; a MAC reset (CTRL.RST) clears CSBAL/CSBAH like the other MAC registers and releases it as well. The
 * original patch's {@code guest_csb_on} flag is not needed: the committed address plus the version written last
 * already say "on", and a zero address says "off".
 * <p>
 * <b>Kick protocol.</b> A need-kick flag is set by the side that is about to stop watching, and asks the other
 * side to notify it. A <i>kick</i> from the guest is a write of the new tail to TDT or RDT; it reaches a polling
 * sidecore through the shared doorbell page, and a parked one through the port's wake-up path. A kick from the host
 * is an interrupt (still subject to IMS and moderation).
 * <ul>
 *   <li>TX, guest side: after filling descriptors the guest stores the new tail in {@code guest_tdt}; only if it
 *       then reads {@code host_need_txkick} == 1 does it also write TDT (the kick).</li>
 *   <li>TX, host side: while the sidecore polls the port it keeps {@code host_need_txkick} = 0 and consumes
 *       descriptors up to {@code guest_tdt}, publishing progress in {@code host_tdh} (and TDH). After
 *       {@code host_txcycles_lim} consecutive empty polls, or before the sidecore parks, it sets
 *       {@code host_need_txkick} = 1 and re-reads {@code guest_tdt}; if new work appeared it clears the flag and
 *       continues. Receiving a kick clears the flag.</li>
 *   <li>TX completion: when the guest's ring is full it sets {@code guest_need_txkick} = 1 and re-reads
 *       {@code host_tdh}. The host posts a TX interrupt for completed descriptors only while
 *       {@code guest_need_txkick} == 1; otherwise the guest reclaims descriptors by reading {@code host_tdh}.</li>
 *   <li>RX delivery: the guest sets {@code guest_need_rxkick} = 1 when it has drained the RX ring and re-armed
 *       interrupts (NAPI complete), then re-reads {@code host_rdh}; it clears the flag while it polls. The host
 *       posts an RX interrupt for a delivered frame only while {@code guest_need_rxkick} == 1.</li>
 *   <li>RX buffers: the guest returns buffers by storing {@code guest_rdt}. When the host finds no free RX
 *       descriptor (it drops and counts the frame, it never blocks) it sets {@code host_need_rxkick} = 1 and
 *       re-reads {@code guest_rdt}; while the flag is 1 the guest also writes RDT (the kick) after returning
 *       buffers. The host clears it once buffers are available again.</li>
 * </ul>
 * Every "set flag, then re-read" step needs a full fence between the store and the load (a volatile store followed
 * by a volatile load), otherwise both sides can go to sleep waiting for each other.
 * <p>
 * <b>Hostile guest.</b> The host reads only the guest group, copies each field into a local once, and validates
 * it: a {@code guest_tdt}/{@code guest_rdt} at or beyond the ring size faults the port like a bad TDT/RDT. The
 * host never reads its own group back (the guest may scribble on it); it keeps the authoritative values privately.
 * <p>
 * <b>Deviation from the original.</b> The original block put the host fields 64 bytes after the guest fields and let
 * the guest set {@code host_txcycles_lim}; here the groups are {@link LayoutUtil#WRITER_GROUP_LENGTH} apart and every
 * field has exactly one writer, so {@code host_txcycles_lim} is the limit the host applies (a per-port policy) and
 * is published for the guest's information. The threshold variants ({@code guest_txkick_at},
 * {@code host_rxkick_at}) are not used.
 */
public final class CsbDescriptor
{
    /** 'SCSB' little-endian: the bytes 'S', 'C', 'S', 'B' in memory. */
    public static final int MAGIC = 0x42534353;
    /** Version of this layout and protocol; bump on any change. Written last by the guest and by the host. */
    public static final int CSB_VERSION = 1;

    /** Bytes the block occupies; the whole range must be inside one guest memory region. */
    public static final int CSB_LENGTH;
    /** Required alignment of the block's guest-physical address: one writer group, so groups never share lines. */
    public static final int CSB_ALIGNMENT = LayoutUtil.WRITER_GROUP_LENGTH;

    /** Value of a need-kick flag asking the other side to notify. */
    public static final int NEED_KICK = 1;
    /** Value of a need-kick flag when no notification is needed. */
    public static final int NO_KICK = 0;

    /** {@link #csbStatus}: the block is usable. */
    public static final int CSB_OK = 0;
    /** {@link #csbStatus}: the version is 0, the guest has not finished writing the block. */
    public static final int CSB_NOT_INITIALISED = 1;
    /** {@link #csbStatus}: the magic is wrong. */
    public static final int CSB_BAD_MAGIC = 2;
    /** {@link #csbStatus}: the version is not {@link #CSB_VERSION}. */
    public static final int CSB_BAD_VERSION = 3;

    // ---- guest-written group ----
    /** Magic, guest-written. */
    public static final int MAGIC_FIELD_OFFSET;
    /** Layout version, guest-written last. */
    public static final int VERSION_FIELD_OFFSET;
    /** guest_tdt: the TX tail the guest publishes instead of writing TDT. */
    public static final int GUEST_TDT_FIELD_OFFSET;
    /** guest_rdt: the RX tail the guest publishes instead of writing RDT. */
    public static final int GUEST_RDT_FIELD_OFFSET;
    /** guest_need_txkick: the guest wants a TX completion interrupt. */
    public static final int GUEST_NEED_TXKICK_FIELD_OFFSET;
    /** guest_need_rxkick: the guest wants an RX interrupt. */
    public static final int GUEST_NEED_RXKICK_FIELD_OFFSET;
    /** Start of the guest-written group. */
    public static final int GUEST_GROUP_OFFSET;

    // ---- host-written group ----
    /** Start of the host-written group. */
    public static final int HOST_GROUP_OFFSET;
    /** host_version: {@link #CSB_VERSION} while the host serves the block, 0 otherwise; host-written last. */
    public static final int HOST_VERSION_FIELD_OFFSET;
    /** host_tdh: the TX head the host has consumed up to. */
    public static final int HOST_TDH_FIELD_OFFSET;
    /** host_rdh: the RX head the host has filled up to. */
    public static final int HOST_RDH_FIELD_OFFSET;
    /** host_need_txkick: the host stopped polling TX and needs a TDT write. */
    public static final int HOST_NEED_TXKICK_FIELD_OFFSET;
    /** host_need_rxkick: the host ran out of RX buffers and needs an RDT write. */
    public static final int HOST_NEED_RXKICK_FIELD_OFFSET;
    /** host_txcycles_lim: consecutive empty TX polls after which the host sets host_need_txkick. */
    public static final int HOST_TXCYCLES_LIM_FIELD_OFFSET;
    /** host_txcycles: consecutive empty TX polls so far (diagnostic). */
    public static final int HOST_TXCYCLES_FIELD_OFFSET;

    static
    {
        int offset = 0;
        GUEST_GROUP_OFFSET = offset;
        MAGIC_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        VERSION_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        GUEST_TDT_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        GUEST_RDT_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        GUEST_NEED_TXKICK_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        GUEST_NEED_RXKICK_FIELD_OFFSET = offset;
        offset += Integer.BYTES;

        offset = LayoutUtil.align(offset, LayoutUtil.WRITER_GROUP_LENGTH);
        HOST_GROUP_OFFSET = offset;
        HOST_VERSION_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        HOST_TDH_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        HOST_RDH_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        HOST_NEED_TXKICK_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        HOST_NEED_RXKICK_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        HOST_TXCYCLES_LIM_FIELD_OFFSET = offset;
        offset += Integer.BYTES;
        HOST_TXCYCLES_FIELD_OFFSET = offset;
        offset += Integer.BYTES;

        CSB_LENGTH = LayoutUtil.align(offset, LayoutUtil.WRITER_GROUP_LENGTH);
    }

    private CsbDescriptor()
    {
    }

    /**
     * The CSB guest-physical address from the two registers.
     *
     * @param csbal value of CSBAL (low 32 bits).
     * @param csbah value of CSBAH (high 32 bits).
     * @return the 64-bit guest-physical address; 0 means "no CSB".
     */
    public static long csbGpa(final int csbal, final int csbah)
    {
        return ((csbah & 0xFFFF_FFFFL) << 32) | (csbal & 0xFFFF_FFFFL);
    }

    /**
     * Is a CSB address suitably aligned ({@link #CSB_ALIGNMENT})?
     *
     * @param csbGpa guest-physical address of the block.
     * @return true when aligned; whether it lies in guest memory is the engine's check.
     */
    public static boolean isCsbAddressAligned(final long csbGpa)
    {
        return LayoutUtil.isAligned(csbGpa, CSB_ALIGNMENT);
    }

    /**
     * Check a CSB address for alignment.
     *
     * @param csbGpa guest-physical address of the block.
     * @throws IllegalArgumentException {@code "CSB address not aligned to 128: gpa=0x<hex>"}.
     */
    public static void checkCsbAddress(final long csbGpa)
    {
        if (!isCsbAddressAligned(csbGpa))
        {
            throw new IllegalArgumentException("CSB address not aligned to " + CSB_ALIGNMENT + ": gpa=0x" +
                Long.toHexString(csbGpa));
        }
    }

    /**
     * Classify the magic and version a host read from a guest's CSB, without allocating or throwing (the engine's
     * path: guest input never raises an exception).
     *
     * @param magic   value at {@link #MAGIC_FIELD_OFFSET}.
     * @param version value at {@link #VERSION_FIELD_OFFSET}, read with acquire semantics before the magic.
     * @return {@link #CSB_OK}, {@link #CSB_NOT_INITIALISED}, {@link #CSB_BAD_MAGIC} or {@link #CSB_BAD_VERSION}.
     */
    public static int csbStatus(final int magic, final int version)
    {
        if (0 == version)
        {
            return CSB_NOT_INITIALISED;
        }
        if (MAGIC != magic)
        {
            return CSB_BAD_MAGIC;
        }
        if (CSB_VERSION != version)
        {
            return CSB_BAD_VERSION;
        }
        return CSB_OK;
    }

    /**
     * Check the magic and version of a CSB.
     *
     * @param magic   value at {@link #MAGIC_FIELD_OFFSET}.
     * @param version value at {@link #VERSION_FIELD_OFFSET}.
     * @throws IllegalStateException {@code "CSB not initialised: version=0"},
     *                               {@code "CSB magic mismatch: expected=0x42534353 found=0x<hex>"} or
     *                               {@code "CSB version mismatch: expected=1 found=<n>"}.
     */
    public static void checkCsb(final int magic, final int version)
    {
        switch (csbStatus(magic, version))
        {
            case CSB_NOT_INITIALISED:
                throw new IllegalStateException("CSB not initialised: version=0");

            case CSB_BAD_MAGIC:
                throw new IllegalStateException("CSB magic mismatch: expected=0x" + Integer.toHexString(MAGIC) +
                    " found=0x" + Integer.toHexString(magic));

            case CSB_BAD_VERSION:
                throw new IllegalStateException("CSB version mismatch: expected=" + CSB_VERSION +
                    " found=" + version);

            default:
                break;
        }
    }

    /**
     * Guest side: does the host serve this CSB, so doorbell writes may be skipped when no kick is needed?
     *
     * @param hostVersion value at {@link #HOST_VERSION_FIELD_OFFSET}, read with acquire semantics.
     * @return true when the host accepted the block with this layout version.
     */
    public static boolean isServedByHost(final int hostVersion)
    {
        return CSB_VERSION == hostVersion;
    }

    /**
     * Guest side: check that the host serves the CSB.
     *
     * @param hostVersion value at {@link #HOST_VERSION_FIELD_OFFSET}.
     * @throws IllegalStateException {@code "CSB not served by host: host_version=0"} or
     *                               {@code "CSB host version mismatch: expected=1 found=<n>"}.
     */
    public static void checkServedByHost(final int hostVersion)
    {
        if (0 == hostVersion)
        {
            throw new IllegalStateException("CSB not served by host: host_version=0");
        }
        if (CSB_VERSION != hostVersion)
        {
            throw new IllegalStateException("CSB host version mismatch: expected=" + CSB_VERSION +
                " found=" + hostVersion);
        }
    }
}
