package io.sidecore.shm;

/**
 * The registry of port faults: the ring-level guest errors that quarantine one port until the guest resets the
 * device (CTRL.RST, or a whole-device reset from the VMM). A bad descriptor is never a port fault: it is completed
 * and counted under one {@link PortCounter}. A port fault stops the port's TX and RX so that nothing is read from or
 * written to a ring the device cannot trust (CVE-2016-1981 was QEMU looping on such a ring).
 * <p>
 * Each fault has a stable id (stored in the counters file's port fault records, {@link PortFaultDescriptor}, and
 * mirrored in the port region's {@link PortRegionDescriptor#FAULT_REASON_FIELD_OFFSET}), a stable snake_case name
 * that tools show, the register it is recorded with, and a one-line description that says what the recorded value
 * is. Id 0 is {@link #NO_FAULT_ID}: no fault.
 * <p>
 * Adding a fault: append it with the next unused id. Ids never change meaning; a removed fault's id stays reserved.
 */
public enum PortFault
{
    TX_RING_OUTSIDE_MEMORY(1, "tx_ring_outside_memory", E1000Registers.TDBAL,
        "the TX ring (TDBAL/TDBAH, TDLEN) is not inside guest memory; value: the ring base address"),
    TX_RING_LENGTH_ZERO(2, "tx_ring_length_zero", E1000Registers.TDLEN,
        "TDT != TDH on a TX ring of length 0; value: TDLEN as written"),
    TX_HEAD_BEYOND_RING(3, "tx_head_beyond_ring", E1000Registers.TDH,
        "TDH names no descriptor of the TX ring; value: TDH"),
    TX_TAIL_BEYOND_RING(4, "tx_tail_beyond_ring", E1000Registers.TDT,
        "TDT names no descriptor of the TX ring; value: TDT"),
    RX_RING_OUTSIDE_MEMORY(5, "rx_ring_outside_memory", E1000Registers.RDBAL,
        "the RX ring (RDBAL/RDBAH, RDLEN) is not inside guest memory; value: the ring base address"),
    RX_RING_LENGTH_ZERO(6, "rx_ring_length_zero", E1000Registers.RDLEN,
        "RDH or RDT not 0 on an RX ring of length 0; value: RDLEN as written"),
    RX_HEAD_BEYOND_RING(7, "rx_head_beyond_ring", E1000Registers.RDH,
        "RDH names no descriptor of the RX ring; value: RDH"),
    RX_TAIL_BEYOND_RING(8, "rx_tail_beyond_ring", E1000Registers.RDT,
        "RDT names no descriptor of the RX ring; value: RDT");

    /** The id that means "no fault" (a port that serves, or one that a reset cleared). */
    public static final int NO_FAULT_ID = 0;
    /** Ids are below this. */
    public static final int MAX_ID = 64;

    private static final PortFault[] BY_ID = new PortFault[MAX_ID];

    static
    {
        final PortFault[] faults = values();
        final int[] ids = new int[faults.length];
        for (int i = 0; i < faults.length; i++)
        {
            if (NO_FAULT_ID == faults[i].id)
            {
                throw new IllegalStateException("port fault id 0 means no fault: " + faults[i]);
            }
            ids[i] = faults[i].id;
        }
        LayoutUtil.checkUniqueIds("port fault", ids, MAX_ID);
        for (final PortFault fault : faults)
        {
            BY_ID[fault.id] = fault;
        }
    }

    private final int id;
    private final String faultName;
    private final int registerOffset;
    private final String description;

    PortFault(final int id, final String faultName, final int registerOffset, final String description)
    {
        this.id = id;
        this.faultName = faultName;
        this.registerOffset = registerOffset;
        this.description = description;
    }

    /**
     * @return stable id, never {@link #NO_FAULT_ID}.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return stable snake_case name shown by tools.
     */
    public String faultName()
    {
        return faultName;
    }

    /**
     * @return BAR0 offset of the register the fault is recorded with.
     */
    public int registerOffset()
    {
        return registerOffset;
    }

    /**
     * @return one-line description, saying what the recorded value is.
     */
    public String description()
    {
        return description;
    }

    /**
     * @param id a fault id.
     * @return the fault, or null for {@link #NO_FAULT_ID} and unused ids.
     */
    public static PortFault byId(final int id)
    {
        return id > NO_FAULT_ID && id < MAX_ID ? BY_ID[id] : null;
    }
}
