package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CtrlStatusTest
{
    private final DeviceHarness harness = new DeviceHarness();

    @Test
    void shouldStoreSluVmeAndFlowControlBitsWhenCtrlWritten()
    {
        final int value = E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME | E1000Registers.CTRL_RFCE |
            E1000Registers.CTRL_TFCE | E1000Registers.CTRL_FD;

        harness.write(E1000Registers.CTRL, value);

        assertEquals(value, harness.read(E1000Registers.CTRL));
        assertEquals(0, harness.counter(PortCounter.DEVICE_RESETS));
    }

    @Test
    void shouldDropReservedCtrlBitsWhenWritten()
    {
        harness.write(E1000Registers.CTRL, 0xFFFFFFFF & ~E1000Registers.CTRL_RST & ~E1000Registers.CTRL_PHY_RST);

        assertEquals(E1000Registers.CTRL_WRITE_MASK & ~E1000Registers.CTRL_PHY_RST,
            harness.read(E1000Registers.CTRL));
    }

    @Test
    void shouldMirrorCtrlThroughCtrlDup()
    {
        harness.write(E1000Registers.CTRL_DUP, E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME);

        assertEquals(E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME, harness.read(E1000Registers.CTRL));
        assertEquals(E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME, harness.read(E1000Registers.CTRL_DUP));
    }

    @Test
    void shouldReportLinkUpFullDuplex1000CopperPciWhenStatusRead()
    {
        final int status = harness.read(E1000Registers.STATUS);

        assertEquals(E1000Registers.STATUS_LU, status & E1000Registers.STATUS_LU);
        assertEquals(E1000Registers.STATUS_FD, status & E1000Registers.STATUS_FD);
        assertEquals(2, (status >>> 6) & 3);
        assertEquals(0, status & E1000Registers.STATUS_TBIMODE);
        assertEquals(0, status & E1000Registers.STATUS_PCIX_MODE);
        assertTrue(harness.device.isLinkUp());
    }

    @Test
    void shouldIgnoreWritesToStatus()
    {
        harness.write(E1000Registers.STATUS, 0);

        assertEquals(E1000Registers.STATUS_RESET_VALUE, harness.read(E1000Registers.STATUS));
        assertEquals(0, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));
    }

    @Test
    void shouldResetPhyRegistersWhenPhyRstWritten()
    {
        PhyMdicTest.mdicWrite(harness, E1000Registers.PHY_ANAR, 0x0061);
        PhyMdicTest.mdicWrite(harness, E1000Registers.PHY_BMCR, 0x1140 | E1000Registers.PHY_BMCR_LOOPBACK);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE | E1000Registers.CTRL_PHY_RST);
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE);

        assertEquals(0x0DE1, PhyMdicTest.mdicRead(harness, E1000Registers.PHY_ANAR) & 0xFFFF);
        assertEquals(0x1140, PhyMdicTest.mdicRead(harness, E1000Registers.PHY_BMCR) & 0xFFFF);
        assertEquals(0, harness.counter(PortCounter.DEVICE_RESETS));
    }

    @Test
    void shouldNotStoreEepromResetActionWhenCtrlExtWritten()
    {
        harness.write(E1000Registers.CTRL_EXT, 0xFFFFFFFF);

        assertEquals(E1000Registers.CTRL_EXT_WRITE_MASK, harness.read(E1000Registers.CTRL_EXT));
        assertEquals(0, harness.read(E1000Registers.CTRL_EXT) & E1000Registers.CTRL_EXT_EE_RST);
    }
}
