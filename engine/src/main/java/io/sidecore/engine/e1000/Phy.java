package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

/**
 * The 82540EM's integrated copper PHY, a Marvell 88E1011 at MDIO address 1, as reached through MDIC (SDM 13.4.7;
 * register contents per e1000-checklist 2.6), with a link that follows the medium and the PHY's own settings.
 * <pre>
 *   reg  name          reset   access
 *   0x00 BMCR          0x1140  RW; RESET(15) and AN_RESTART(9) self-clear; LOOPBACK(14), POWER_DOWN(11), AN_ENABLE(12),
 *                              speed (6, 13) and duplex (8) stored and acted on
 *   0x01 BMSR          0x796D  RO  LINK(2) latched low, AN_COMPLETE(5)
 *   0x02 PHYID1        0x0141  RO
 *   0x03 PHYID2        0x0C20  RO  M88E1011 revision 0
 *   0x04 ANAR          0x0DE1  RW
 *   0x05 ANLPAR        0x41E0  RO  partner abilities + acknowledge once negotiated, else 0
 *   0x06 ANER          0x0000  RO
 *   0x09 1000T_CTRL    0x0E00  RW
 *   0x0A 1000T_STATUS  0x3C00  RO  receivers OK while the link is up, partner 1000 abilities once negotiated
 *   0x10 M88 PSCR      0x0360  RW
 *   0x11 M88 PSSR      0xAC00  RO  resolved speed (15:14), duplex (13), resolved (11), real-time link (10)
 *   0x14 M88 EPSCR     0x0D60  RW
 *   0x15 RX error cnt  0x0000  RO
 * </pre>
 * Every other register address is not implemented: MDIC reports ERROR for it.
 *
 * <h2>Link</h2>
 * The <em>medium</em> is what a cable would be: the port's backend with its carrier and the operator's link setting
 * ({@link #setMedium}). The PHY's link is up when it is powered (BMCR.POWER_DOWN clear, not held in reset by
 * CTRL.PHY_RST), the medium is up, and either autonegotiation has completed (BMCR.AN_ENABLE) or speed and duplex
 * are forced; in loopback (BMCR.LOOPBACK) the PHY is its own partner and the link is up whatever the medium.
 * Autonegotiation (IEEE 802.3 clause 28) runs after a restart (BMCR.AN_RESTART, a software reset with AN_ENABLE,
 * AN_ENABLE set, power-up, leaving reset, the medium coming up) and takes {@link #AUTONEGOTIATION_NS}: the link is
 * down meanwhile and comes up when it completes. The partner is taken to offer every 10/100/1000 ability, so the
 * result is the highest ability both advertise (1000T_CTRL, ANAR); with no common ability negotiation never
 * completes. Forced speed and duplex come from BMCR bits 6/13 and 8. BMSR.LINK latches low (IEEE 802.3 22.2.4.2.13):
 * after a loss it reads 0 once even if the link is back, which is why drivers read it twice.
 * <p>
 * At power-on the link is up at once when the medium is (the 82540EM comes out of reset with autonegotiation done
 * against its EEPROM defaults, as QEMU's e1000 presents it), so a driver that never restarts autonegotiation sees a
 * link.
 */
final class Phy
{
    /**
     * Time from an autonegotiation restart to link up. QEMU's e1000 takes 500 ms, a real 88E1011 1.5 to 3 s; Linux
     * polls the link only from its watchdog (on LSC and every 2 s), so any value in that range behaves alike, and the
     * shorter one keeps boots fast.
     */
    static final long AUTONEGOTIATION_NS = 500_000_000L;
    /** Result of {@link #read} for a register the PHY does not implement. */
    static final int NOT_IMPLEMENTED = -1;
    /** BMSR without LINK and AN_COMPLETE: the 10/100 abilities, extended status, preamble suppression, AN ability. */
    static final int BMSR_ABILITIES = 0x7949;
    /** ANLPAR once negotiated: the partner's 10/100 half and full abilities and the acknowledge bit. */
    static final int ANLPAR_NEGOTIATED = 0x41E0;
    /** 1000T_STATUS: local and remote receiver status OK. */
    static final int GIGABIT_STATUS_RECEIVERS_OK = 0x3000;
    /** 1000T_STATUS: the partner is 1000BASE-T full and half duplex capable. */
    static final int GIGABIT_STATUS_PARTNER_ABILITIES = 0x0C00;
    /** PSSR: speed and duplex resolved. */
    static final int PSSR_RESOLVED = 1 << 11;
    /** PSSR: real-time link. */
    static final int PSSR_LINK = 1 << 10;
    /** PSSR: full duplex. */
    static final int PSSR_FULL_DUPLEX = 1 << 13;
    /** PSSR speed field position (15:14; 10 = 1000, 01 = 100, 00 = 10, the STATUS encoding). */
    static final int PSSR_SPEED_SHIFT = 14;
    /** Speed code 10 Mb/s (STATUS.SPEED, CTRL.SPEED, PSSR encoding). */
    static final int SPEED_10 = 0;
    /** Speed code 100 Mb/s. */
    static final int SPEED_100 = 1;
    /** Speed code 1000 Mb/s. */
    static final int SPEED_1000 = 2;

    private static final int ANAR_10_HALF = 1 << 5;
    private static final int ANAR_10_FULL = 1 << 6;
    private static final int ANAR_100_HALF = 1 << 7;
    private static final int ANAR_100_FULL = 1 << 8;
    private static final int GIGABIT_CONTROL_1000_HALF = 1 << 8;
    private static final int GIGABIT_CONTROL_1000_FULL = 1 << 9;
    private static final int NO_COMMON_ABILITY = -1;

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
        define(E1000Registers.PHY_ANLPAR, ANLPAR_NEGOTIATED, 0);
        define(E1000Registers.PHY_ANER, 0x0000, 0);
        define(E1000Registers.PHY_1000T_CTRL, 0x0E00, 0xFF00);
        define(E1000Registers.PHY_1000T_STATUS, 0x3C00, 0);
        define(E1000Registers.PHY_M88_PSCR, 0x0360, 0xFFFF);
        define(E1000Registers.PHY_M88_PSSR, 0xAC00, 0);
        define(E1000Registers.PHY_M88_EPSCR, 0x0D60, 0xFFFF);
        define(E1000Registers.PHY_M88_RX_ERR_CNTR, 0x0000, 0);
    }

    private final int[] values = new int[E1000Registers.PHY_REGISTER_COUNT];
    private final Deadline autonegotiation = new Deadline();
    private boolean mediumUp = true;
    private boolean heldInReset;
    private boolean negotiated;
    private boolean linkUp;
    private boolean linkLatchedDown;

    Phy()
    {
        powerOnReset();
    }

    private static void define(final int register, final int resetValue, final int writeMask)
    {
        RESET_VALUES[register] = resetValue;
        WRITE_MASKS[register] = writeMask;
        IMPLEMENTED[register] = true;
    }

    /**
     * Power-on: every register at its reset value, autonegotiation already done when the medium is up.
     */
    void powerOnReset()
    {
        System.arraycopy(RESET_VALUES, 0, values, 0, values.length);
        autonegotiation.stop();
        heldInReset = false;
        negotiated = mediumUp && NO_COMMON_ABILITY != negotiatedSpeedDuplex();
        linkUp = computeLink();
        linkLatchedDown = false;
    }

    /**
     * CTRL.PHY_RST (SDM 13.4.1): while asserted the PHY is held in reset (registers at their reset values, no
     * link); when released it starts autonegotiation with its reset settings.
     *
     * @param asserted the bit as written.
     * @param nowNs    current time.
     * @return true if the link changed.
     */
    boolean holdInReset(final boolean asserted, final long nowNs)
    {
        if (asserted == heldInReset)
        {
            return false;
        }
        heldInReset = asserted;
        if (asserted)
        {
            System.arraycopy(RESET_VALUES, 0, values, 0, values.length);
            negotiated = false;
            autonegotiation.stop();
            return updateLink();
        }
        return restartAutonegotiation(nowNs);
    }

    /**
     * The medium came or went (backend carrier, operator link).
     *
     * @param up    true when a partner is there.
     * @param nowNs current time.
     * @return true if the link changed.
     */
    boolean setMedium(final boolean up, final long nowNs)
    {
        if (up == mediumUp)
        {
            return false;
        }
        mediumUp = up;
        if (!up)
        {
            negotiated = false;
            autonegotiation.stop();
            return updateLink();
        }
        return isAutonegotiationEnabled() ? restartAutonegotiation(nowNs) : updateLink();
    }

    /**
     * The medium without any change of the link's history: for a PHY just powered on.
     *
     * @param up true when a partner is there.
     */
    void initialMedium(final boolean up)
    {
        mediumUp = up;
        powerOnReset();
    }

    /**
     * @return true when a partner is there.
     */
    boolean isMediumUp()
    {
        return mediumUp;
    }

    /**
     * Complete autonegotiation when its time has come.
     *
     * @param nowNs current time.
     * @return true if it completed now (the link may have come up).
     */
    boolean onTimers(final long nowNs)
    {
        if (!autonegotiation.expire(nowNs))
        {
            return false;
        }
        negotiated = mediumUp && !heldInReset && !isPoweredDown() && NO_COMMON_ABILITY != negotiatedSpeedDuplex();
        updateLink();
        return true;
    }

    /**
     * @param listener told when autonegotiation starts (see {@link DeadlineListener}).
     */
    void deadlineListener(final DeadlineListener listener)
    {
        autonegotiation.listener(listener);
    }

    /**
     * @return when autonegotiation completes, or {@link InterruptController#NO_DEADLINE}.
     */
    long nextDeadlineNs()
    {
        return autonegotiation.earliest(InterruptController.NO_DEADLINE, InterruptController.NO_DEADLINE);
    }

    /**
     * @param register MII register address, 0..31.
     * @return the value, or {@link #NOT_IMPLEMENTED}. Reading BMSR clears its latched-low link bit.
     */
    int read(final int register)
    {
        final int index = register & (E1000Registers.PHY_REGISTER_COUNT - 1);
        if (!IMPLEMENTED[index])
        {
            return NOT_IMPLEMENTED;
        }
        switch (index)
        {
            case E1000Registers.PHY_BMSR:
                return readBmsr();
            case E1000Registers.PHY_ANLPAR:
                return isNegotiatedLink() ? ANLPAR_NEGOTIATED : 0;
            case E1000Registers.PHY_1000T_STATUS:
                return linkUp ? GIGABIT_STATUS_RECEIVERS_OK |
                    (isNegotiatedLink() ? GIGABIT_STATUS_PARTNER_ABILITIES : 0) : 0;
            case E1000Registers.PHY_M88_PSSR:
                return linkUp ? speedCode() << PSSR_SPEED_SHIFT | (isFullDuplex() ? PSSR_FULL_DUPLEX : 0) |
                    PSSR_RESOLVED | PSSR_LINK : 0;
            default:
                return values[index];
        }
    }

    /**
     * Write a register. BMCR: RESET (the 88E1011 software reset, which keeps the other registers' values; they take
     * effect at the reset) and AN_RESTART self-clear and restart autonegotiation when it is enabled; a reset with it
     * disabled applies the forced speed and duplex; setting AN_ENABLE or clearing POWER_DOWN restarts it; POWER_DOWN
     * and LOOPBACK take the link down or up at once.
     *
     * @param register MII register address, 0..31.
     * @param value    16-bit value.
     * @param nowNs    current time.
     * @return false if the register is not implemented or read-only (MDIC then reports ERROR).
     */
    boolean write(final int register, final int value, final long nowNs)
    {
        final int index = register & (E1000Registers.PHY_REGISTER_COUNT - 1);
        final int mask = WRITE_MASKS[index];
        if (!IMPLEMENTED[index] || 0 == mask)
        {
            return false;
        }
        final int before = values[index];
        values[index] = (before & ~mask) | (value & mask);
        if (E1000Registers.PHY_BMCR == index)
        {
            onControlWritten(before, value, nowNs);
        }
        return true;
    }

    /**
     * @return the PHY's real-time link status.
     */
    boolean isLinkUp()
    {
        return linkUp;
    }

    /**
     * @return BMCR.LOOPBACK: TX frames are to be looped to the port's own RX.
     */
    boolean isLoopback()
    {
        return 0 != (values[E1000Registers.PHY_BMCR] & E1000Registers.PHY_BMCR_LOOPBACK);
    }

    /**
     * @return the resolved (or forced) speed: {@link #SPEED_10}, {@link #SPEED_100} or {@link #SPEED_1000}.
     */
    int speedCode()
    {
        if (isForced())
        {
            final int bmcr = values[E1000Registers.PHY_BMCR];
            if (0 != (bmcr & E1000Registers.PHY_BMCR_SPEED_MSB))
            {
                return SPEED_1000;
            }
            return 0 != (bmcr & E1000Registers.PHY_BMCR_SPEED_LSB) ? SPEED_100 : SPEED_10;
        }
        final int resolved = negotiatedSpeedDuplex();
        return NO_COMMON_ABILITY == resolved ? SPEED_1000 : resolved >>> 1;
    }

    /**
     * @return the resolved (or forced) duplex.
     */
    boolean isFullDuplex()
    {
        if (isForced())
        {
            return 0 != (values[E1000Registers.PHY_BMCR] & E1000Registers.PHY_BMCR_DUPLEX);
        }
        final int resolved = negotiatedSpeedDuplex();
        return NO_COMMON_ABILITY == resolved || 0 != (resolved & 1);
    }

    private int readBmsr()
    {
        final int bmsr = BMSR_ABILITIES | (linkUp && !linkLatchedDown ? E1000Registers.PHY_BMSR_LINK_STATUS : 0) |
            (isNegotiatedLink() ? E1000Registers.PHY_BMSR_AN_COMPLETE : 0);
        linkLatchedDown = false;
        return bmsr;
    }

    private void onControlWritten(final int before, final int written, final long nowNs)
    {
        final int after = values[E1000Registers.PHY_BMCR];
        final boolean anEnabled = 0 != (after & E1000Registers.PHY_BMCR_AN_ENABLE);
        final boolean anWasEnabled = 0 != (before & E1000Registers.PHY_BMCR_AN_ENABLE);
        final boolean poweredUp = 0 != (before & E1000Registers.PHY_BMCR_POWER_DOWN) &&
            0 == (after & E1000Registers.PHY_BMCR_POWER_DOWN);
        final boolean restart = 0 != (written & (E1000Registers.PHY_BMCR_RESET | E1000Registers.PHY_BMCR_AN_RESTART));
        if (anEnabled && (restart || !anWasEnabled || poweredUp))
        {
            restartAutonegotiation(nowNs);
            return;
        }
        if (!anEnabled)
        {
            negotiated = false;
            autonegotiation.stop();
        }
        updateLink();
    }

    private boolean restartAutonegotiation(final long nowNs)
    {
        negotiated = false;
        if (mediumUp && !heldInReset && !isPoweredDown() && isAutonegotiationEnabled())
        {
            autonegotiation.arm(nowNs + AUTONEGOTIATION_NS);
        }
        else
        {
            autonegotiation.stop();
        }
        return updateLink();
    }

    private boolean updateLink()
    {
        final boolean link = computeLink();
        if (link == linkUp)
        {
            return false;
        }
        linkUp = link;
        if (!link)
        {
            linkLatchedDown = true;
        }
        return true;
    }

    private boolean computeLink()
    {
        if (heldInReset || isPoweredDown())
        {
            return false;
        }
        if (isLoopback())
        {
            return true;
        }
        return mediumUp && (!isAutonegotiationEnabled() || negotiated);
    }

    private boolean isNegotiatedLink()
    {
        return linkUp && negotiated && isAutonegotiationEnabled() && !isLoopback();
    }

    private boolean isForced()
    {
        return !isAutonegotiationEnabled() || isLoopback();
    }

    private boolean isAutonegotiationEnabled()
    {
        return 0 != (values[E1000Registers.PHY_BMCR] & E1000Registers.PHY_BMCR_AN_ENABLE);
    }

    private boolean isPoweredDown()
    {
        return 0 != (values[E1000Registers.PHY_BMCR] & E1000Registers.PHY_BMCR_POWER_DOWN);
    }

    /**
     * The highest ability both ends advertise (the partner offers all), as speed code &lt;&lt; 1 | full duplex.
     */
    private int negotiatedSpeedDuplex()
    {
        final int gigabit = values[E1000Registers.PHY_1000T_CTRL];
        final int advertised = values[E1000Registers.PHY_ANAR];
        if (0 != (gigabit & GIGABIT_CONTROL_1000_FULL))
        {
            return SPEED_1000 << 1 | 1;
        }
        if (0 != (gigabit & GIGABIT_CONTROL_1000_HALF))
        {
            return SPEED_1000 << 1;
        }
        if (0 != (advertised & ANAR_100_FULL))
        {
            return SPEED_100 << 1 | 1;
        }
        if (0 != (advertised & ANAR_100_HALF))
        {
            return SPEED_100 << 1;
        }
        if (0 != (advertised & ANAR_10_FULL))
        {
            return SPEED_10 << 1 | 1;
        }
        return 0 != (advertised & ANAR_10_HALF) ? SPEED_10 << 1 : NO_COMMON_ABILITY;
    }
}
