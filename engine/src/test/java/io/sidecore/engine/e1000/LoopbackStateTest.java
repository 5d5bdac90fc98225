package io.sidecore.engine.e1000;

import io.sidecore.engine.mem.DataPathBuffer;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import org.junit.jupiter.api.Test;

import static io.sidecore.engine.e1000.PhyMdicTest.mdicWrite;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device keeps {@link E1000Device#isLoopback()} (RCTL.LBM, SDM 13.4.22, or the PHY's BMCR loopback bit) from the
 * last register write instead of reading RCTL and the PHY for every frame: every way those registers change refreshes
 * it (a BAR0 write of any size, a write through the I/O BAR, MDIC, CTRL.PHY_RST, CTRL.RST, a power-on reset); with
 * RCTL's page shared with the guest it reads the registers; and in the test suite's checked mode a change that
 * bypassed the refresh is an error at the next use.
 */
final class LoopbackStateTest
{
    private static final int RCTL_MAC_LOOPBACK = 1 << 6;
    private static final int BMCR_LOOPBACK_1000_FULL = 0x4140;

    private final DeviceHarness harness = new DeviceHarness(false, DeviceHarness.MAC, null, true);
    private final E1000Device device = harness.device;

    @Test
    void shouldFollowRctlWrittenThroughBar0AndThroughTheIoBar()
    {
        assertFalse(device.isLoopback(), "reset state");

        harness.write(E1000Registers.RCTL, E1000Registers.RCTL_EN | RCTL_MAC_LOOPBACK);
        assertTrue(device.isLoopback(), "32-bit BAR0 write");

        device.mmioWrite(E1000Registers.RCTL, 1, 0, harness.nowNs);
        assertFalse(device.isLoopback(), "1-byte BAR0 write of RCTL's low byte");

        device.ioWrite(E1000Registers.IOADDR, E1000Registers.RCTL, harness.nowNs);
        device.ioWrite(E1000Registers.IODATA, RCTL_MAC_LOOPBACK, harness.nowNs);
        assertTrue(device.isLoopback(), "write through IOADDR/IODATA");
    }

    @Test
    void shouldFollowThePhyLoopbackBitAndThePhyReset()
    {
        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_LOOPBACK_1000_FULL);
        assertTrue(device.isLoopback(), "BMCR written through MDIC");

        harness.write(E1000Registers.CTRL, harness.read(E1000Registers.CTRL) | E1000Registers.CTRL_PHY_RST);
        assertFalse(device.isLoopback(), "CTRL.PHY_RST puts the PHY's registers at their reset values");
    }

    @Test
    void shouldForgetLoopbackAtAMacResetAndAtPowerOn()
    {
        harness.write(E1000Registers.RCTL, RCTL_MAC_LOOPBACK);
        harness.write(E1000Registers.CTRL, E1000Registers.CTRL_RST);
        assertFalse(device.isLoopback(), "CTRL.RST resets RCTL");

        mdicWrite(harness, E1000Registers.PHY_BMCR, BMCR_LOOPBACK_1000_FULL);
        assertTrue(device.isLoopback());
        device.powerOnReset();
        assertFalse(device.isLoopback(), "power-on reset resets the PHY");
    }

    @Test
    void shouldReadTheRegistersWhenRctlsPageIsSharedWithTheGuest()
    {
        final DeviceHarness shared = new DeviceHarness(false, DeviceHarness.MAC, null, true,
            PortRegionDescriptor.DEFAULT_SHARED_PAGES | 1);

        shared.registers.set(E1000Registers.RCTL, RCTL_MAC_LOOPBACK);

        assertTrue(shared.device.isLoopback(), "the guest's store in the shared page, no trap");
    }

    @Test
    void shouldRefuseKeptStateTheRegistersNoLongerSayInCheckedMode()
    {
        assertTrue(DataPathBuffer.isChecked(), "the test suite runs the data path checked");
        harness.registers.set(E1000Registers.RCTL, RCTL_MAC_LOOPBACK);

        assertThrows(IllegalStateException.class, device::isLoopback);
    }
}
