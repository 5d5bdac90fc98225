package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResetTest
{
    private static final int MAC_LOW = 0x00000002;
    private static final int MAC_HIGH = 0x0100 | E1000Registers.RAH_AV;

    private final DeviceHarness harness = new DeviceHarness();
    private final E1000Device device = harness.device;

    @Test
    void shouldPowerOnWithResetValues()
    {
        assertEquals(E1000Registers.CTRL_RESET_VALUE, harness.read(E1000Registers.CTRL));
        assertEquals(E1000Registers.STATUS_RESET_VALUE, harness.read(E1000Registers.STATUS));
        assertEquals(E1000Registers.PBA_RESET_VALUE, harness.read(E1000Registers.PBA));
        assertEquals(E1000Registers.LEDCTL_RESET_VALUE, harness.read(E1000Registers.LEDCTL));
        assertEquals(E1000Registers.MANC_RESET_VALUE, harness.read(E1000Registers.MANC));
        assertEquals(E1000Registers.VET_RESET_VALUE, harness.read(E1000Registers.VET));
        assertEquals(MAC_LOW, harness.read(E1000Registers.ral(0)));
        assertEquals(MAC_HIGH, harness.read(E1000Registers.rah(0)));
        assertEquals(0, harness.read(E1000Registers.ral(1)));
        assertEquals(0, harness.read(E1000Registers.IMS));
        assertEquals(0, harness.read(E1000Registers.ICR));
        assertEquals(0, harness.counter(PortCounter.DEVICE_RESETS));
    }

    @Test
    void shouldRestoreEveryRegisterToResetValueWhenCtrlRstWritten()
    {
        harness.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_UPE);
        harness.write(E1000Registers.TCTL, E1000Registers.TCTL_EN);
        harness.write(E1000Registers.ITR, 195);
        harness.write(E1000Registers.MTA + 4, 0xFFFF);
        harness.write(E1000Registers.ral(0), 0x11223344);
        harness.write(E1000Registers.ral(1), 0x55667788);
        harness.write(E1000Registers.VET, 0);
        harness.write(E1000Registers.TDLEN, 4096);
        harness.write(E1000Registers.TDT, 5);
        harness.write(E1000Registers.IMS, E1000Registers.IMS_LINUX_ENABLE_MASK);
        harness.write(E1000Registers.MANC, 0);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST | E1000Registers.CTRL_SLU);

        assertEquals(0, harness.read(E1000Registers.RCTL));
        assertEquals(0, harness.read(E1000Registers.TCTL));
        assertEquals(0, harness.read(E1000Registers.ITR));
        assertEquals(0, harness.read(E1000Registers.MTA + 4));
        assertEquals(MAC_LOW, harness.read(E1000Registers.ral(0)));
        assertEquals(MAC_HIGH, harness.read(E1000Registers.rah(0)));
        assertEquals(0, harness.read(E1000Registers.ral(1)));
        assertEquals(E1000Registers.VET_RESET_VALUE, harness.read(E1000Registers.VET));
        assertEquals(0, harness.read(E1000Registers.TDLEN));
        assertEquals(0, harness.read(E1000Registers.TDT));
        assertEquals(0, harness.read(E1000Registers.IMS));
        assertEquals(E1000Registers.MANC_RESET_VALUE, harness.read(E1000Registers.MANC));
        assertEquals(1, harness.counter(PortCounter.DEVICE_RESETS));
    }

    @Test
    void shouldSelfClearRstWhenCtrlReadAfterReset()
    {
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE | E1000Registers.CTRL_RST);

        assertEquals(0, harness.read(E1000Registers.CTRL) & E1000Registers.CTRL_RST);
        assertEquals(E1000Registers.CTRL_RESET_VALUE, harness.read(E1000Registers.CTRL));
    }

    @Test
    void shouldResetMacWhenRstWrittenThroughCtrlDup()
    {
        harness.write(E1000Registers.RCTL, E1000Registers.RCTL_EN);

        harness.write(E1000Registers.CTRL_DUP, E1000Registers.CTRL_RST);

        assertEquals(0, harness.read(E1000Registers.RCTL));
        assertEquals(1, harness.counter(PortCounter.DEVICE_RESETS));
    }

    @Test
    void shouldDeassertLineWhenReset()
    {
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        assertTrue(device.interrupts().isLineAsserted());

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertFalse(device.interrupts().isLineAsserted());
        assertEquals(List.of(true, false), harness.irqLevels);
        assertEquals(0, harness.read(E1000Registers.ICR));
    }

    @Test
    void shouldCancelModerationTimersWhenReset()
    {
        harness.write(E1000Registers.RDTR, 100);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_RXT0);
        device.interrupts().raiseRx(E1000Registers.ICR_RXT0, harness.nowNs);
        assertEquals(harness.nowNs + 100 * 1024, device.nextTimerDeadlineNs());

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertEquals(InterruptController.NO_DEADLINE, device.nextTimerDeadlineNs());
        assertEquals(0, device.onTimers(harness.nowNs + 1_000_000));
        assertEquals(List.of(), harness.irqLevels);
    }

    @Test
    void shouldKeepPciConfigAcrossMacReset()
    {
        device.configWrite(PciConfig.COMMAND_OFFSET, 2, 0x107);
        device.configWrite(PciConfig.BAR0_OFFSET, 4, 0xFEBC0000);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertTrue(device.isBusMasterEnabled());
        assertEquals(0xFEBC0000, device.configRead(PciConfig.BAR0_OFFSET, 4));
    }

    @Test
    void shouldKeepPhyAndEepromAcrossMacReset()
    {
        PhyMdicTest.mdicWrite(harness, E1000Registers.PHY_ANAR, 0x0061);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertEquals(0x0061, PhyMdicTest.mdicRead(harness, E1000Registers.PHY_ANAR) & 0xFFFF);
        assertEquals(0x0002, EerdTest.eerdRead(harness, 0));
    }

    @Test
    void shouldClearRingFaultWhenReset()
    {
        harness.setUpTxRing(8);
        harness.writeShared(E1000Registers.TDT, 9);
        harness.pollTx();
        assertTrue(device.isFaulted());
        assertEquals(PortFault.TX_TAIL_BEYOND_RING, device.fault());

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertFalse(device.isFaulted());
        assertNull(device.fault());
        assertEquals(0, device.faultState().register());
        assertEquals(0, device.faultState().value());
        assertEquals(1, harness.counter(PortCounter.RING_FAULTS));
    }

    @Test
    void shouldReturnEepromInterfaceToIdleWhenReset()
    {
        harness.write(E1000Registers.EECD, E1000Registers.EECD_REQ | E1000Registers.EECD_CS);

        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);

        assertEquals(E1000Registers.EECD_PRES | E1000Registers.EECD_DO, harness.read(E1000Registers.EECD));
    }
}
