package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import static io.sidecore.engine.e1000.PhyMdicTest.mdicRead;
import static io.sidecore.engine.e1000.PhyMdicTest.mdicWrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The link follows the medium and the PHY (SDM 13.4.2 STATUS, 13.4.7 MDIC and the PHY registers, 13.4.17 LSC): each
 * change of STATUS.LU raises LSC, the PHY status registers follow, autonegotiation takes
 * {@link Phy#AUTONEGOTIATION_NS}, forced speed and duplex show in STATUS and PSSR.
 */
class LinkStateTest
{
    private static final int BMCR_AN_1000_FULL = 0x1140;
    private static final int BMCR_FORCED_100_FULL = E1000Registers.PHY_BMCR_SPEED_LSB | E1000Registers.PHY_BMCR_DUPLEX;
    private static final int BMCR_FORCED_10_HALF = 0;
    private static final int SPEED_FIELD = E1000Registers.STATUS_SPEED_MASK;

    private final DeviceHarness harness = new DeviceHarness();

    private int status()
    {
        return harness.read(E1000Registers.STATUS);
    }

    private boolean lu()
    {
        return 0 != (status() & E1000Registers.STATUS_LU);
    }

    private int phy(final int register)
    {
        return mdicRead(harness, register) & 0xFFFF;
    }

    private void advance(final long durationNs)
    {
        harness.nowNs += durationNs;
        harness.device.onTimers(harness.nowNs);
    }

    private int lscRaised()
    {
        return harness.read(E1000Registers.ICR) & E1000Registers.ICR_LSC;
    }

    @Test
    void shouldClearLuRaiseLscAndInterruptWhenTheMediumGoesDown()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);

        harness.device.setMediumUp(false, harness.nowNs);

        assertFalse(lu());
        assertTrue(harness.device.interrupts().isLineAsserted(), "LSC enabled: interrupt");
        assertEquals(E1000Registers.ICR_LSC, lscRaised());
        assertEquals(0, phy(E1000Registers.PHY_BMSR) &
            (E1000Registers.PHY_BMSR_LINK_STATUS | E1000Registers.PHY_BMSR_AN_COMPLETE));
        assertEquals(0, phy(E1000Registers.PHY_M88_PSSR) & Phy.PSSR_LINK);
        assertEquals(0, phy(E1000Registers.PHY_ANLPAR));
        assertEquals(0, phy(E1000Registers.PHY_1000T_STATUS));
    }

    @Test
    void shouldBringTheLinkUpAfterAutonegotiationWhenTheMediumComesBack()
    {
        harness.device.setMediumUp(false, harness.nowNs);
        harness.read(E1000Registers.ICR);

        harness.device.setMediumUp(true, harness.nowNs);
        advance(Phy.AUTONEGOTIATION_NS - 1);
        assertFalse(lu(), "autonegotiation still running");
        assertEquals(0, lscRaised());

        advance(1);
        assertTrue(lu());
        assertEquals(E1000Registers.ICR_LSC, lscRaised());
        assertEquals(Phy.BMSR_ABILITIES | E1000Registers.PHY_BMSR_AN_COMPLETE, phy(E1000Registers.PHY_BMSR) &
            ~E1000Registers.PHY_BMSR_LINK_STATUS, "AN complete (link bit latched low until read)");
        assertEquals(0x796D, phy(E1000Registers.PHY_BMSR));
        assertEquals(0xAC00, phy(E1000Registers.PHY_M88_PSSR));
        assertEquals(Phy.ANLPAR_NEGOTIATED, phy(E1000Registers.PHY_ANLPAR));
    }

    @Test
    void shouldDropAndRaiseTheLinkAfterTheDelayWhenAutonegotiationIsRestarted()
    {
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_AN_1000_FULL | E1000Registers.PHY_BMCR_AN_RESTART);

        assertFalse(lu());
        assertEquals(E1000Registers.ICR_LSC, lscRaised());
        assertEquals(harness.nowNs + Phy.AUTONEGOTIATION_NS, harness.device.nextTimerDeadlineNs());

        advance(Phy.AUTONEGOTIATION_NS);

        assertTrue(lu());
        assertEquals(E1000Registers.ICR_LSC, lscRaised());
        assertEquals(InterruptController.NO_DEADLINE, harness.device.nextTimerDeadlineNs());
    }

    /**
     * IEEE 802.3 22.2.4.2.13: BMSR.LINK latches low; Linux reads BMSR twice for this reason.
     */
    @Test
    void shouldReadBmsrLinkLowOnceAfterALossEvenWhenTheLinkIsBack()
    {
        harness.device.setMediumUp(false, harness.nowNs);
        harness.device.setMediumUp(true, harness.nowNs);
        advance(Phy.AUTONEGOTIATION_NS);
        assertTrue(lu());

        assertEquals(0, phy(E1000Registers.PHY_BMSR) & E1000Registers.PHY_BMSR_LINK_STATUS, "latched low");
        assertEquals(E1000Registers.PHY_BMSR_LINK_STATUS,
            phy(E1000Registers.PHY_BMSR) & E1000Registers.PHY_BMSR_LINK_STATUS, "current");
    }

    /**
     * 88E1011 BMCR: with AN_ENABLE clear speed (bits 6, 13) and duplex (bit 8) are forced; STATUS (SDM 13.4.2) and
     * PSSR show them and the link comes up without negotiation.
     */
    @Test
    void shouldShowForcedSpeedAndDuplexInStatusAndPssrWhenThePhyIsForced()
    {
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_FORCED_100_FULL | E1000Registers.PHY_BMCR_RESET);

        assertTrue(lu(), "a forced link needs no negotiation");
        assertEquals(Phy.SPEED_100 << E1000Registers.STATUS_SPEED_SHIFT, status() & SPEED_FIELD);
        assertEquals(E1000Registers.STATUS_FD, status() & E1000Registers.STATUS_FD);
        assertEquals(Phy.SPEED_100 << Phy.PSSR_SPEED_SHIFT | Phy.PSSR_FULL_DUPLEX | Phy.PSSR_RESOLVED |
            Phy.PSSR_LINK, phy(E1000Registers.PHY_M88_PSSR));
        assertEquals(0, phy(E1000Registers.PHY_BMSR) & E1000Registers.PHY_BMSR_AN_COMPLETE);

        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_FORCED_10_HALF | E1000Registers.PHY_BMCR_RESET);

        assertEquals(Phy.SPEED_10 << E1000Registers.STATUS_SPEED_SHIFT, status() & SPEED_FIELD);
        assertEquals(0, status() & E1000Registers.STATUS_FD);
        assertEquals(Phy.PSSR_RESOLVED | Phy.PSSR_LINK, phy(E1000Registers.PHY_M88_PSSR));
    }

    /**
     * SDM 13.4.1: CTRL.FRCSPD/FRCDPX make the MAC use CTRL.SPEED and CTRL.FD whatever the PHY resolved (Linux's
     * {@code e1000_phy_force_speed_duplex} and its loopback test set them).
     */
    @Test
    void shouldShowTheMacsForcedSpeedAndDuplexInStatusWhenCtrlForcesThem()
    {
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_SLU | E1000Registers.CTRL_FRCSPD |
            E1000Registers.CTRL_FRCDPX | 1 << E1000Registers.CTRL_SPEED_SHIFT);

        assertTrue(lu());
        assertEquals(Phy.SPEED_100 << E1000Registers.STATUS_SPEED_SHIFT, status() & SPEED_FIELD);
        assertEquals(0, status() & E1000Registers.STATUS_FD);
        assertEquals(3 << E1000Registers.STATUS_ASDV_SHIFT, status() & E1000Registers.STATUS_ASDV_MASK,
            "ASDV still shows what the PHY detected: 1000");
        assertEquals(0, lscRaised(), "LU did not change");
    }

    @Test
    void shouldNegotiateTheHighestAbilityBothAdvertiseWhenTheGuestLimitsItsAdvertisement()
    {
        mdicWrite(harness, E1000Registers.PHY_1000T_CTRL, 0);
        mdicWrite(harness, E1000Registers.PHY_ANAR, 0x0181);
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_AN_1000_FULL | E1000Registers.PHY_BMCR_AN_RESTART);
        advance(Phy.AUTONEGOTIATION_NS);

        assertTrue(lu());
        assertEquals(Phy.SPEED_100 << E1000Registers.STATUS_SPEED_SHIFT, status() & SPEED_FIELD);
        assertEquals(E1000Registers.STATUS_FD, status() & E1000Registers.STATUS_FD);
    }

    @Test
    void shouldNeverCompleteAutonegotiationWhenNothingIsAdvertised()
    {
        mdicWrite(harness, E1000Registers.PHY_1000T_CTRL, 0);
        mdicWrite(harness, E1000Registers.PHY_ANAR, 0x0001);
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_AN_1000_FULL | E1000Registers.PHY_BMCR_AN_RESTART);
        advance(Phy.AUTONEGOTIATION_NS);

        assertFalse(lu());
        assertEquals(0, phy(E1000Registers.PHY_BMSR) & E1000Registers.PHY_BMSR_AN_COMPLETE);
    }

    /**
     * Linux powers the PHY down at close ({@code e1000_power_down_phy}) and up at open; power-up restarts
     * autonegotiation.
     */
    @Test
    void shouldTakeTheLinkDownWhenThePhyIsPoweredDownAndBackAfterAutonegotiationWhenPoweredUp()
    {
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_AN_1000_FULL | E1000Registers.PHY_BMCR_POWER_DOWN);
        assertFalse(lu());
        assertEquals(E1000Registers.ICR_LSC, lscRaised());

        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_AN_1000_FULL);
        assertFalse(lu());
        advance(Phy.AUTONEGOTIATION_NS);

        assertTrue(lu());
    }

    /**
     * SDM 13.4.1 PHY_RST: the PHY is held in reset while the bit is set and negotiates again once it is released.
     */
    @Test
    void shouldHoldThePhyInResetWhileCtrlPhyRstIsSet()
    {
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE | E1000Registers.CTRL_PHY_RST);
        advance(Phy.AUTONEGOTIATION_NS);
        assertFalse(lu(), "held in reset");

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE);
        assertFalse(lu(), "negotiating");
        advance(Phy.AUTONEGOTIATION_NS);

        assertTrue(lu());
    }

    /**
     * SDM 13.4.1 SLU: "must be set to 1 to permit the MAC to recognize the LINK signal from the PHY".
     */
    @Test
    void shouldClearLuWhileCtrlSluIsClear()
    {
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE & ~E1000Registers.CTRL_SLU);

        assertFalse(lu());
        assertEquals(E1000Registers.ICR_LSC, lscRaised());
        assertTrue(harness.device.isMediumUp());
    }

    @Test
    void shouldKeepTheLinkAcrossAMacReset()
    {
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertTrue(lu());
        assertEquals(E1000Registers.STATUS_RESET_VALUE, status());
    }

    @Test
    void shouldDropAndCountAFrameTheGuestSendsWhileTheLinkIsDown()
    {
        harness.setUpTxRing(8);
        harness.putBytes(DeviceHarness.BUFFERS_GPA, DeviceHarness.broadcastFrame(100, 1));
        harness.putLegacyTx(0, DeviceHarness.BUFFERS_GPA, 100, E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS);
        harness.device.setMediumUp(false, harness.nowNs);

        harness.writeShared(E1000Registers.TDT, 1);
        assertEquals(1, harness.pollTx());

        assertEquals(0, harness.wire.size(), "nothing on the wire");
        assertEquals(1, harness.counter(PortCounter.TX_DROP_LINK_DOWN));
        assertEquals(E1000TxDescriptor.STA_DD, harness.txStatus(0) & E1000TxDescriptor.STA_DD,
            "the descriptor is completed");
        assertEquals(FrameSink.dropped(PortCounter.RX_DROP_DISABLED),
            harness.receiveOutcome(DeviceHarness.broadcastFrame(100, 2)), "nothing received either");
    }
}
