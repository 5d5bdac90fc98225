package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

/**
 * The 82540EM's integrated copper PHY, a Marvell 88E1011 at MDIO address 1, as reached through MDIC (SDM 13.4.7;
 * register contents per e1000-checklist 2.6). The link is always up at 1000 Mb/s full duplex with
 * autonegotiation complete: the sidecore has no physical medium, and Linux decides the link from BMSR.LINK.
 * <pre>
 *   reg  name          reset   access
 *   0x00 BMCR          0x1140  RW; RESET(15) and AN_RESTART(9) self-clear; LOOPBACK(14) stored
 *   0x01 BMSR          0x796D  RO  link up, autonegotiation complete
 *   0x02 PHYID1        0x0141  RO
 *   0x03 PHYID2        0x0C20  RO  M88E1011 revision 0
 *   0x04 ANAR          0x0DE1  RW
 *   0x05 ANLPAR        0x41E0  RO  partner abilities + acknowledge
 *   0x06 ANER          0x0000  RO
 *   0x09 1000T_CTRL    0x0E00  RW
 *   0x0A 1000T_STATUS  0x3C00  RO
 *   0x10 M88 PSCR      0x0360  RW
 *   0x11 M88 PSSR      0xAC00  RO  1000 Mb/s, full duplex, resolved, link
 *   0x14 M88 EPSCR     0x0D60  RW
 *   0x15 RX error cnt  0x0000  RO
 * </pre>
 * Every other register address is not implemented: MDIC reports ERROR for it.
 */
final class Phy
{
    private static final int[] RESET_VALUES = new int[E1000Registers.PHY_REGISTER_COUNT];
    private static final int[] WRITE_MASKS = new int[E1000Registers.PHY_REGISTER_COUNT];
    private static final boolean[] IMPLEMENTED = new boolean[E1000Registers.PHY_REGISTER_COUNT];
    private static final int BMCR_SELF_CLEARING = E1000Registers.PHY_BMCR_RESET | E1000Registers.PHY_BMCR_AN_RESTART;

    static
    {
        define(E1000Registers.PHY_BMCR, 0x1140, 0xFFC0 & ~BMCR_SELF_CLEARING);
        define(E1000Registers.PHY_BMSR, 0x796D, 0);
        define(E1000Registers.PHY_ID1, E1000Registers.PHY_ID1_MARVELL, 0);
        define(E1000Registers.PHY_ID2, E1000Registers.PHY_ID2_M88E1011, 0);
        define(E1000Registers.PHY_ANAR, 0x0DE1, 0xAFE0);
        define(E1000Registers.PHY_ANLPAR, 0x41E0, 0);
        define(E1000Registers.PHY_ANER, 0x0000, 0);
        define(E1000Registers.PHY_1000T_CTRL, 0x0E00, 0xFF00);
        define(E1000Registers.PHY_1000T_STATUS, 0x3C00, 0);
        define(E1000Registers.PHY_M88_PSCR, 0x0360, 0xFFFF);
        define(E1000Registers.PHY_M88_PSSR, 0xAC00, 0);
        define(E1000Registers.PHY_M88_EPSCR, 0x0D60, 0xFFFF);
        define(E1000Registers.PHY_M88_RX_ERR_CNTR, 0x0000, 0);
    }

    /** Result of {@link #read} for a register the PHY does not implement. */
    static final int NOT_IMPLEMENTED = -1;

    private final int[] values = new int[E1000Registers.PHY_REGISTER_COUNT];

    Phy()
    {
        reset();
    }

    private static void define(final int register, final int resetValue, final int writeMask)
    {
        RESET_VALUES[register] = resetValue;
        WRITE_MASKS[register] = writeMask;
        IMPLEMENTED[register] = true;
    }

    /**
     * Hardware reset (CTRL.PHY_RST, SDM 13.4.1): every register back to its reset value.
     */
    void reset()
    {
        System.arraycopy(RESET_VALUES, 0, values, 0, values.length);
    }

    /**
     * @param register MII register address, 0..31.
     * @return the value, or {@link #NOT_IMPLEMENTED}.
     */
    int read(final int register)
    {
        final int index = register & (E1000Registers.PHY_REGISTER_COUNT - 1);
        return IMPLEMENTED[index] ? values[index] : NOT_IMPLEMENTED;
    }

    /**
     * Write a register. BMCR.RESET is the 88E1011 software reset: it self-clears and, like the part, keeps the
     * other register values (they take effect at the reset). BMCR.AN_RESTART self-clears and autonegotiation
     * completes at once (there is no medium), so BMSR keeps LINK and AN_COMPLETE.
     *
     * @param register MII register address, 0..31.
     * @param value    16-bit value.
     * @return false if the register is not implemented or read-only (MDIC then reports ERROR).
     */
    boolean write(final int register, final int value)
    {
        final int index = register & (E1000Registers.PHY_REGISTER_COUNT - 1);
        final int mask = WRITE_MASKS[index];
        if (!IMPLEMENTED[index] || 0 == mask)
        {
            return false;
        }
        values[index] = (values[index] & ~mask) | (value & mask);
        return true;
    }

    /**
     * @return BMCR.LOOPBACK: TX frames are to be looped to the port's own RX.
     */
    boolean isLoopback()
    {
        return 0 != (values[E1000Registers.PHY_BMCR] & E1000Registers.PHY_BMCR_LOOPBACK);
    }

    /**
     * @return BMSR.LINK_STATUS.
     */
    boolean isLinkUp()
    {
        return 0 != (values[E1000Registers.PHY_BMSR] & E1000Registers.PHY_BMSR_LINK_STATUS);
    }
}
