package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;

/**
 * PHY register access through MDIC, as Linux {@code e1000_read_phy_reg}/{@code e1000_write_phy_reg} do it on an
 * 82540 (SDM 13.4.7): write the command, then poll MDIC for READY (reads: 64 polls 50 µs apart; writes: 641 polls
 * 5 µs apart). A read that completes with ERROR fails; writes do not look at ERROR. PHY address 1, M88E1011
 * register set (SDM 13.4.7 and the M88 registers Linux reads).
 */
public final class Phy
{
    /** BMCR. */
    public static final int PHY_CTRL = 0x00;
    /** BMSR. */
    public static final int PHY_STATUS = 0x01;
    public static final int PHY_ID1 = 0x02;
    public static final int PHY_ID2 = 0x03;
    /** ANAR. */
    public static final int PHY_AUTONEG_ADV = 0x04;
    /** ANLPAR. */
    public static final int PHY_LP_ABILITY = 0x05;
    public static final int PHY_1000T_CTRL = 0x09;
    public static final int PHY_1000T_STATUS = 0x0A;
    /** M88 PHY specific control (PSCR). */
    public static final int M88_PHY_SPEC_CTRL = 0x10;
    /** M88 PHY specific status (PSSR). */
    public static final int M88_PHY_SPEC_STATUS = 0x11;
    /** M88 extended PHY specific control (EPSCR). */
    public static final int M88_EXT_PHY_SPEC_CTRL = 0x14;

    /** BMCR: full duplex (forced). */
    public static final int MII_CR_FULL_DUPLEX = 0x0100;
    /** BMCR: speed selection MSB (1000 Mb/s when forced). */
    public static final int MII_CR_SPEED_1000 = 0x0040;
    /** BMCR: speed selection LSB (100 Mb/s when forced). */
    public static final int MII_CR_SPEED_100 = 0x2000;
    public static final int MII_CR_RESTART_AUTO_NEG = 0x0200;
    public static final int MII_CR_POWER_DOWN = 0x0800;
    public static final int MII_CR_AUTO_NEG_EN = 0x1000;
    public static final int MII_CR_LOOPBACK = 0x4000;
    public static final int MII_CR_RESET = 0x8000;
    public static final int MII_SR_LINK_STATUS = 0x0004;
    public static final int MII_SR_AUTONEG_COMPLETE = 0x0020;
    public static final int NWAY_AR_10T_HD_CAPS = 0x0020;
    public static final int NWAY_AR_10T_FD_CAPS = 0x0040;
    public static final int NWAY_AR_100TX_HD_CAPS = 0x0080;
    public static final int NWAY_AR_100TX_FD_CAPS = 0x0100;
    public static final int NWAY_AR_PAUSE = 0x0400;
    public static final int NWAY_AR_ASM_DIR = 0x0800;
    public static final int NWAY_LPAR_PAUSE = 0x0400;
    public static final int NWAY_LPAR_ASM_DIR = 0x0800;
    public static final int CR_1000T_HD_CAPS = 0x0100;
    public static final int CR_1000T_FD_CAPS = 0x0200;
    public static final int M88_PSCR_POLARITY_REVERSAL = 0x0002;
    public static final int M88_PSCR_AUTO_X_MODE = 0x0060;
    public static final int M88_PSCR_ASSERT_CRS_ON_TX = 0x0800;
    public static final int M88_EPSCR_TX_CLK_25 = 0x0070;
    public static final int M88_EPSCR_SLAVE_DOWNSHIFT_MASK = 0x0300;
    public static final int M88_EPSCR_SLAVE_DOWNSHIFT_1X = 0x0100;
    public static final int M88_EPSCR_MASTER_DOWNSHIFT_MASK = 0x0C00;
    public static final int M88_PSSR_DOWNSHIFT = 0x0020;

    /** PHY identifier Linux accepts for an 82540: M88E1011 (ID1 0x0141, ID2 0x0C2x). */
    public static final int M88E1011_I_PHY_ID = 0x01410C20;
    /** Low nibble of ID2 is the revision. */
    public static final int PHY_REVISION_MASK = 0xFFFFFFF0;
    /** Below this revision Linux programs EPSCR (TX_CLK 25 MHz, downshift). */
    public static final int M88E1011_I_REV_4 = 0x04;

    /** Linux polls a read 64 times ... */
    public static final int READ_POLLS = 64;
    /** ... 50 µs apart. */
    public static final long READ_POLL_DELAY_NS = 50_000L;
    /** Linux polls a write 641 times ... */
    public static final int WRITE_POLLS = 641;
    /** ... 5 µs apart. */
    public static final long WRITE_POLL_DELAY_NS = 5_000L;

    private final DeviceRegisters registers;
    private long reads;
    private long writes;

    /**
     * @param registers the device's registers.
     */
    public Phy(final DeviceRegisters registers)
    {
        this.registers = registers;
    }

    /**
     * Read a PHY register.
     *
     * @param register PHY register number, 0..31.
     * @return its 16-bit value.
     * @throws GuestDriverException when MDIC never reports READY or reports ERROR.
     */
    public int read(final int register)
    {
        reads++;
        final int command = (register << E1000Registers.MDIC_REG_SHIFT) |
            (E1000Registers.PHY_ADDRESS << E1000Registers.MDIC_PHY_SHIFT) | E1000Registers.MDIC_OP_READ;
        registers.write(E1000Registers.MDIC, command);
        int mdic = 0;
        for (int i = 0; i < READ_POLLS; i++)
        {
            registers.delay(READ_POLL_DELAY_NS);
            mdic = registers.read(E1000Registers.MDIC);
            if (0 != (mdic & E1000Registers.MDIC_READY))
            {
                break;
            }
        }
        if (0 == (mdic & E1000Registers.MDIC_READY))
        {
            throw new GuestDriverException("MDI read did not complete: phy register=" + register + " MDIC=0x" +
                Integer.toHexString(mdic));
        }
        if (0 != (mdic & E1000Registers.MDIC_ERROR))
        {
            throw new GuestDriverException("MDI error reading phy register=" + register + " MDIC=0x" +
                Integer.toHexString(mdic));
        }
        return mdic & E1000Registers.MDIC_DATA_MASK;
    }

    /**
     * Write a PHY register.
     *
     * @param register PHY register number, 0..31.
     * @param value    16-bit value.
     * @throws GuestDriverException when MDIC never reports READY.
     */
    public void write(final int register, final int value)
    {
        writes++;
        final int command = (value & E1000Registers.MDIC_DATA_MASK) |
            (register << E1000Registers.MDIC_REG_SHIFT) |
            (E1000Registers.PHY_ADDRESS << E1000Registers.MDIC_PHY_SHIFT) | E1000Registers.MDIC_OP_WRITE;
        registers.write(E1000Registers.MDIC, command);
        int mdic = 0;
        for (int i = 0; i < WRITE_POLLS; i++)
        {
            registers.delay(WRITE_POLL_DELAY_NS);
            mdic = registers.read(E1000Registers.MDIC);
            if (0 != (mdic & E1000Registers.MDIC_READY))
            {
                break;
            }
        }
        if (0 == (mdic & E1000Registers.MDIC_READY))
        {
            throw new GuestDriverException("MDI write did not complete: phy register=" + register + " MDIC=0x" +
                Integer.toHexString(mdic));
        }
    }

    /**
     * @return PHY reads issued.
     */
    public long reads()
    {
        return reads;
    }

    /**
     * @return PHY writes issued.
     */
    public long writes()
    {
        return writes;
    }
}
