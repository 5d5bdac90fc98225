package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhyMdicTest
{
    private final DeviceHarness harness = new DeviceHarness();

    static int mdic(final int phyAddress, final int register, final int opcode, final int data)
    {
        return (phyAddress << E1000Registers.MDIC_PHY_SHIFT) | (register << E1000Registers.MDIC_REG_SHIFT) |
            opcode | (data & E1000Registers.MDIC_DATA_MASK);
    }

    static int mdicRead(final DeviceHarness harness, final int register)
    {
        harness.write(E1000Registers.MDIC, mdic(E1000Registers.PHY_ADDRESS, register, E1000Registers.MDIC_OP_READ, 0));
        return harness.read(E1000Registers.MDIC);
    }

    static int mdicWrite(final DeviceHarness harness, final int register, final int data)
    {
        harness.write(E1000Registers.MDIC,
            mdic(E1000Registers.PHY_ADDRESS, register, E1000Registers.MDIC_OP_WRITE, data));
        return harness.read(E1000Registers.MDIC);
    }

    @Test
    void shouldReadM88E1011IdentifiersAtAddressOne()
    {
        final int id1 = mdicRead(harness, E1000Registers.PHY_ID1);
        final int id2 = mdicRead(harness, E1000Registers.PHY_ID2);

        assertEquals(0x0141, id1 & 0xFFFF);
        assertEquals(0x0C20, id2 & 0xFFFF);
        assertEquals(0x01410C20, ((id1 & 0xFFFF) << 16) | (id2 & 0xFFF0));
    }

    @Test
    void shouldCompleteAtOnceWithReadyAndNoError()
    {
        final int mdic = mdicRead(harness, E1000Registers.PHY_BMCR);

        assertEquals(E1000Registers.MDIC_READY, mdic & E1000Registers.MDIC_READY);
        assertEquals(0, mdic & E1000Registers.MDIC_ERROR);
        assertEquals(0, harness.counter(PortCounter.PHY_ACCESS_ERRORS));
    }

    @Test
    void shouldReportLinkUpAndAutonegotiationCompleteInBmsr()
    {
        final int bmsr = mdicRead(harness, E1000Registers.PHY_BMSR) & 0xFFFF;

        assertEquals(0x796D, bmsr);
        assertEquals(E1000Registers.PHY_BMSR_LINK_STATUS, bmsr & E1000Registers.PHY_BMSR_LINK_STATUS);
        assertEquals(E1000Registers.PHY_BMSR_AN_COMPLETE, bmsr & E1000Registers.PHY_BMSR_AN_COMPLETE);
    }

    @Test
    void shouldPresentChecklistResetValues()
    {
        assertEquals(0x1140, mdicRead(harness, E1000Registers.PHY_BMCR) & 0xFFFF);
        assertEquals(0x0DE1, mdicRead(harness, E1000Registers.PHY_ANAR) & 0xFFFF);
        assertEquals(0x41E0, mdicRead(harness, E1000Registers.PHY_ANLPAR) & 0xFFFF);
        assertEquals(0x0000, mdicRead(harness, E1000Registers.PHY_ANER) & 0xFFFF);
        assertEquals(0x0E00, mdicRead(harness, E1000Registers.PHY_1000T_CTRL) & 0xFFFF);
        assertEquals(0x3C00, mdicRead(harness, E1000Registers.PHY_1000T_STATUS) & 0xFFFF);
        assertEquals(0x0360, mdicRead(harness, E1000Registers.PHY_M88_PSCR) & 0xFFFF);
        assertEquals(0xAC00, mdicRead(harness, E1000Registers.PHY_M88_PSSR) & 0xFFFF);
        assertEquals(0x0D60, mdicRead(harness, E1000Registers.PHY_M88_EPSCR) & 0xFFFF);
        assertEquals(0x0000, mdicRead(harness, E1000Registers.PHY_M88_RX_ERR_CNTR) & 0xFFFF);
        assertEquals(0, harness.counter(PortCounter.PHY_ACCESS_ERRORS));
    }

    @Test
    void shouldSetErrorAndCountWhenPhyAddressIsNotOne()
    {
        harness.write(E1000Registers.MDIC, mdic(2, E1000Registers.PHY_ID1, E1000Registers.MDIC_OP_READ, 0));
        final int mdic = harness.read(E1000Registers.MDIC);

        assertEquals(E1000Registers.MDIC_ERROR | E1000Registers.MDIC_READY,
            mdic & (E1000Registers.MDIC_ERROR | E1000Registers.MDIC_READY));
        assertEquals(0, mdic & E1000Registers.MDIC_DATA_MASK);
        assertEquals(1, harness.counter(PortCounter.PHY_ACCESS_ERRORS));
    }

    @Test
    void shouldSetErrorWhenRegisterNotImplemented()
    {
        final int mdic = mdicRead(harness, 0x1D);

        assertEquals(E1000Registers.MDIC_ERROR, mdic & E1000Registers.MDIC_ERROR);
        assertEquals(E1000Registers.MDIC_ERROR, mdicWrite(harness, 0x1E, 0x1234) & E1000Registers.MDIC_ERROR);
        assertEquals(2, harness.counter(PortCounter.PHY_ACCESS_ERRORS));
    }

    @Test
    void shouldSetErrorAndKeepValueWhenReadOnlyRegisterWritten()
    {
        final int mdic = mdicWrite(harness, E1000Registers.PHY_BMSR, 0);

        assertEquals(E1000Registers.MDIC_ERROR, mdic & E1000Registers.MDIC_ERROR);
        assertEquals(0x796D, mdicRead(harness, E1000Registers.PHY_BMSR) & 0xFFFF);
        assertEquals(E1000Registers.MDIC_ERROR, mdicWrite(harness, E1000Registers.PHY_ID1, 0) &
            E1000Registers.MDIC_ERROR);
    }

    @Test
    void shouldSetErrorWhenOpcodeReserved()
    {
        harness.write(E1000Registers.MDIC, mdic(1, E1000Registers.PHY_BMCR, 0, 0));
        assertEquals(E1000Registers.MDIC_ERROR, harness.read(E1000Registers.MDIC) & E1000Registers.MDIC_ERROR);

        harness.write(E1000Registers.MDIC, mdic(1, E1000Registers.PHY_BMCR, 3 << E1000Registers.MDIC_OP_SHIFT, 0));
        assertEquals(E1000Registers.MDIC_ERROR, harness.read(E1000Registers.MDIC) & E1000Registers.MDIC_ERROR);
        assertEquals(2, harness.counter(PortCounter.PHY_ACCESS_ERRORS));
    }

    @Test
    void shouldStoreAdvertisementAndGigabitControlWithinMasks()
    {
        mdicWrite(harness, E1000Registers.PHY_ANAR, 0xFFFF);
        mdicWrite(harness, E1000Registers.PHY_1000T_CTRL, 0xFFFF);

        assertEquals(0xAFE1, mdicRead(harness, E1000Registers.PHY_ANAR) & 0xFFFF);
        assertEquals(0xFF00, mdicRead(harness, E1000Registers.PHY_1000T_CTRL) & 0xFFFF);
    }

    @Test
    void shouldStoreM88ControlRegistersWhenWritten()
    {
        mdicWrite(harness, E1000Registers.PHY_M88_PSCR, 0x0808);
        mdicWrite(harness, E1000Registers.PHY_M88_EPSCR, 0x0C60);

        assertEquals(0x0808, mdicRead(harness, E1000Registers.PHY_M88_PSCR) & 0xFFFF);
        assertEquals(0x0C60, mdicRead(harness, E1000Registers.PHY_M88_EPSCR) & 0xFFFF);
    }

    @Test
    void shouldSelfClearResetAndAutonegRestartKeepingOtherRegisters()
    {
        mdicWrite(harness, E1000Registers.PHY_M88_PSCR, 0x0868);

        mdicWrite(harness, E1000Registers.PHY_BMCR, 0x1140 | E1000Registers.PHY_BMCR_RESET);
        mdicWrite(harness, E1000Registers.PHY_BMCR, 0x1140 | E1000Registers.PHY_BMCR_AN_RESTART);

        assertEquals(0x1140, mdicRead(harness, E1000Registers.PHY_BMCR) & 0xFFFF);
        assertEquals(0x0868, mdicRead(harness, E1000Registers.PHY_M88_PSCR) & 0xFFFF);
        assertEquals(Phy.BMSR_ABILITIES, mdicRead(harness, E1000Registers.PHY_BMSR) & 0xFFFF,
            "autonegotiation restarted: no link, not complete");
    }

    @Test
    void shouldStoreLoopbackAndPowerDownInBmcr()
    {
        assertFalse(harness.device.isPhyLoopback());

        mdicWrite(harness, E1000Registers.PHY_BMCR, 0x4140);
        assertTrue(harness.device.isPhyLoopback());
        assertEquals(0x4140, mdicRead(harness, E1000Registers.PHY_BMCR) & 0xFFFF);

        mdicWrite(harness, E1000Registers.PHY_BMCR, 0x1140 | E1000Registers.PHY_BMCR_POWER_DOWN);
        assertFalse(harness.device.isPhyLoopback());
        assertEquals(0x1940, mdicRead(harness, E1000Registers.PHY_BMCR) & 0xFFFF);
    }

    @Test
    void shouldRaiseMdacWhenInterruptEnableSet()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_MDAC);

        harness.write(E1000Registers.MDIC, mdic(1, E1000Registers.PHY_ID1, E1000Registers.MDIC_OP_READ, 0) |
            E1000Registers.MDIC_INT_EN);

        assertTrue(harness.device.interrupts().isLineAsserted());
        assertEquals(E1000Registers.ICR_MDAC, harness.read(E1000Registers.ICR));
    }

    @Test
    void shouldNotRaiseMdacWithoutInterruptEnable()
    {
        mdicRead(harness, E1000Registers.PHY_ID1);

        assertEquals(0, harness.read(E1000Registers.ICR));
    }
}
