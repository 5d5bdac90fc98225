package io.sidecore.shm;

/**
 * The per-port counters, each with a stable id (its slot within the port's block of counters in the counters file)
 * and a stable name. Every frame a port sees is delivered or counted under exactly one drop reason below.
 * <p>
 * Adding a counter: append it with the next id. Ids never change meaning; duplicates fail at class initialisation.
 * A removed counter's id stays reserved ({@link #RESERVED_IDS}) and is never given to another counter, so an old
 * reading of the counters file is never misread.
 */
public enum PortCounter
{
    TX_FRAMES(0, "tx_frames", "frames the guest transmitted and the device emitted"),
    TX_BYTES(1, "tx_bytes", "bytes of emitted TX frames"),
    RX_FRAMES(2, "rx_frames", "frames written into the guest RX ring"),
    RX_BYTES(3, "rx_bytes", "bytes written into the guest RX ring"),
    TX_DESCRIPTORS(4, "tx_descriptors", "TX descriptors consumed"),
    RX_DESCRIPTORS(5, "rx_descriptors", "RX descriptors consumed"),
    TX_TSO_SEGMENTS(6, "tx_tso_segments", "segments produced by TCP segmentation offload"),

    TX_DROP_DMA_FAULT(10, "tx_drop_dma_fault", "TX buffer address/length outside guest memory"),
    TX_DROP_MALFORMED(11, "tx_drop_malformed",
        "TX descriptor with inconsistent offload fields (bad context, header beyond frame, MSS 0)"),
    TX_DROP_OVERSIZE(12, "tx_drop_oversize", "TX frame larger than the 64 KiB staging buffer"),
    TX_DROP_EMPTY(15, "tx_drop_empty", "TX packet with no payload bytes"),

    RX_DROP_RING_FULL(20, "rx_drop_ring_full", "no free RX descriptors (RNBC/MPC, RXO)"),
    RX_DROP_FILTERED(21, "rx_drop_filtered", "RX frame rejected by the unicast/multicast/broadcast filter"),
    RX_DROP_VLAN_FILTERED(22, "rx_drop_vlan_filtered", "RX frame rejected by the VLAN filter table"),
    RX_DROP_OVERSIZE(23, "rx_drop_oversize", "RX frame longer than RCTL.LPE allows (ROC)"),
    RX_DROP_DMA_FAULT(24, "rx_drop_dma_fault", "RX buffer address outside guest memory"),
    RX_DROP_DISABLED(25, "rx_drop_disabled",
        "RX while the receiver, link or bus mastering is off, or while the port loops its own frames back"),
    RX_DROP_RUNT(26, "rx_drop_runt", "RX frame shorter than an Ethernet header"),
    RX_DROP_BACKEND(27, "rx_drop_backend", "frame dropped by the backend or switch before the ring"),

    INTERRUPTS_POSTED(40, "interrupts_posted", "interrupts signalled to the VMM (eventfd writes)"),
    INTERRUPTS_MODERATED(41, "interrupts_moderated", "interrupt edges deferred by ITR/TADV/RADV moderation"),
    DOORBELLS_SHARED(42, "doorbells_shared", "TDT/RDT updates seen by polling the shared page"),
    DOORBELLS_TRAPPED(43, "doorbells_trapped", "TDT/RDT updates that arrived as trapped writes"),
    DOORBELLS_CSB(44, "doorbells_csb", "tail updates seen through the CSB"),
    ICR_READS(45, "icr_reads", "trapped reads of ICR"),
    TRAPPED_READS(46, "trapped_reads", "trapped register reads"),
    TRAPPED_WRITES(47, "trapped_writes", "trapped register writes"),
    UNKNOWN_REGISTER_ACCESSES(48, "unknown_register_accesses", "accesses to registers the model does not implement"),
    BAD_REGISTER_ACCESSES(49, "bad_register_accesses", "unaligned, odd-sized or out-of-range register accesses"),
    RING_FAULTS(50, "ring_faults", "ring-level guest faults that quarantined the port"),
    DEVICE_RESETS(51, "device_resets", "MAC resets (CTRL.RST) and whole-device resets (VMM reset or disconnect)"),
    CSB_KICKS(52, "csb_kicks",
        "TDT/RDT writes a CSB guest made to wake the sidecore after it asked for kicks (host_need_txkick/rxkick)"),
    TX_RATE_LIMITED(53, "tx_rate_limited", "passes in which the port's rate limit deferred TX work"),
    EEPROM_COMMAND_ERRORS(60, "eeprom_command_errors",
        "Microwire EEPROM write or erase commands refused because writing was not enabled (no EWEN)"),
    PHY_ACCESS_ERRORS(61, "phy_access_errors",
        "MDIC accesses with a PHY address other than 1, an unknown PHY register or a bad opcode"),

    TX_DROP_NO_CONTEXT(16, "tx_drop_no_context",
        "TX packet asking for TSO or checksum offload without a matching context descriptor"),
    TX_DROP_BAD_SEQUENCE(17, "tx_drop_bad_sequence",
        "TX packet mixing descriptor kinds or TSE settings, or interrupted by a context descriptor"),
    TX_DROP_RUNT(18, "tx_drop_runt", "TX packet shorter than an Ethernet header (14 bytes)"),
    TX_DROP_LINK_DOWN(19, "tx_drop_link_down",
        "TX frame the guest sent while its link was down (STATUS.LU clear) and not looped back"),
    TX_DROP_BACKEND(54, "tx_drop_backend",
        "TX frame the backend could not take (TAP write failed or queue full, capture write failed)"),

    TX_DROP_NO_DESTINATION(55, "tx_drop_no_destination",
        "emitted frame the switch had nowhere to send: its only destination was its source port, no other " +
            "port was attached, or it was too short to carry a destination address"),
    TX_DROP_SWITCH_RING_FULL(56, "tx_drop_switch_ring_full",
        "emitted frame for a port of another sidecore dropped because the cross-sidecore ring was full, or the " +
            "port's fair share of it"),
    TX_BUDGET_EXHAUSTED(57, "tx_budget_exhausted",
        "passes that ended the port's TX work at its descriptor, segment or byte budget with descriptors or TSO " +
            "segments still pending"),

    INTERRUPTS_SUPPRESSED_CSB(62, "interrupts_suppressed_csb",
        "interrupt edges withheld because the CSB guest polls (guest_need_rxkick/guest_need_txkick = 0)"),

    BACKEND_READ_ERRORS(58, "backend_read_errors",
        "failed reads from the backend other than EAGAIN/EINTR (TAP read errors; the read is retried next pass), " +
            "beside tx_drop_backend for failed writes"),

    RX_DESCRIPTORS_EXAMINED(7, "rx_descriptors_examined",
        "RX descriptors read while looking for buffers for a frame (the RX work the guest's ring costs the " +
            "sidecore, delivered or not)"),
    RX_DROP_BUDGET(28, "rx_drop_budget",
        "RX frame dropped because the port's RX descriptor budget for the pass (descriptors examined) was spent"),
    TX_DROP_RESET(29, "tx_drop_reset",
        "TSO segments of a packet the device had taken (its descriptors done) but not finished sending over its " +
            "passes when the guest reset the device"),
    TX_DROP_SPOOFED(34, "tx_drop_spoofed",
        "emitted frame the switch refused because its source address is another port's MAC or a group address " +
            "(anti-spoofing)"),
    TX_DROP_SOURCE_LIMIT(8, "tx_drop_source_limit",
        "emitted frame the switch refused because its source is a new address beyond the port's allowance of " +
            "learned addresses (sidecore.port.max.learned.macs; 0: only the port's own MAC)"),
    RX_DROP_GSO_SIZE(30, "rx_drop_gso_size",
        "GSO super-frame from the backend (TAP) refused because its gso_size is below 48 bytes, Linux's floor on " +
            "the MSS it sends with"),
    TX_DROP_STORM(31, "tx_drop_storm",
        "broadcast or multicast frame the port transmitted past its storm control rate " +
            "(sidecore.port.flood.frames.per.second)"),
    CPU_NS(32, "cpu_ns",
        "nanoseconds the sidecore spent on the port's passes that did work (its doorbells, TX, backend input, " +
            "timers; frames it sends to ports of the same sidecore included), and on every poll of a TAP port, " +
            "idle or not (a read of the TAP): which guest costs the core"),
    PASSES_BACKED_OFF(33, "passes_backed_off",
        "passes skipped because the port had more ring faults and device resets than its allowance per second " +
            "(sidecore.port.fault.resets.per.second)"),
    PASSES_OVER_SHARE(35, "passes_over_share",
        "passes in which the port's TX and backend input were skipped because its work had taken more than its " +
            "share of the sidecore's time (sidecore.fair.quantum); its timers and interrupts still ran"),
    TX_PASSES_YIELDED(36, "tx_passes_yielded",
        "passes in which the port's TX stopped early, after at least 16 frames, so the sidecore could answer a " +
            "trapped access or command another thread was waiting for; the rest went on in the next pass"),
    TAP_CARRIER_UNKNOWN(37, "tap_carrier_unknown",
        "carrier checks of a TAP port (ten a second) that could not read the interface's carrier and assumed it: the " +
            "interface is in another network namespace or its index was not found, or the descriptor was handed " +
            "to the daemon without an interface it can ask; growing means the port's link follows no host carrier");

    /** Number of counter slots reserved per port; ids are below this. */
    public static final int SLOTS_PER_PORT = 64;

    /**
     * Ids of removed counters, never given again. 13 was {@code tx_drop_link_down} while the emulated link was always
     * up and nothing could count it; the link model brought the counter back as id 19. 14 was
     * {@code tx_drop_bus_master_off}, which nothing could count either: with PCI bus mastering off the device may
     * not read TX descriptors, so no frame exists to drop (the descriptors wait, owned by hardware, until the guest
     * enables bus mastering again).
     */
    private static final int[] RESERVED_IDS = { 13, 14 };

    private static final PortCounter[] BY_ID = new PortCounter[SLOTS_PER_PORT];

    static
    {
        final PortCounter[] counters = values();
        final int[] ids = new int[counters.length + RESERVED_IDS.length];
        for (int i = 0; i < counters.length; i++)
        {
            ids[i] = counters[i].id;
        }
        System.arraycopy(RESERVED_IDS, 0, ids, counters.length, RESERVED_IDS.length);
        LayoutUtil.checkUniqueIds("port counter", ids, SLOTS_PER_PORT);
        for (final PortCounter counter : counters)
        {
            BY_ID[counter.id] = counter;
        }
    }

    private final int id;
    private final String counterName;
    private final String description;

    PortCounter(final int id, final String counterName, final String description)
    {
        this.id = id;
        this.counterName = counterName;
        this.description = description;
    }

    /**
     * @return stable id, the slot within the port's block.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return stable snake_case name used in labels and tool output.
     */
    public String counterName()
    {
        return counterName;
    }

    /**
     * @return one-line description.
     */
    public String description()
    {
        return description;
    }

    /**
     * @param id a counter id.
     * @return true if the id belonged to a removed counter and stays unused.
     */
    public static boolean isReserved(final int id)
    {
        for (final int reserved : RESERVED_IDS)
        {
            if (reserved == id)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param id slot id.
     * @return the counter or null when the slot is unused.
     */
    public static PortCounter byId(final int id)
    {
        return id >= 0 && id < SLOTS_PER_PORT ? BY_ID[id] : null;
    }

    /**
     * @return true for the counters that account for a dropped frame (names starting tx_drop_/rx_drop_).
     */
    public boolean isDrop()
    {
        return counterName.contains("_drop_");
    }
}
