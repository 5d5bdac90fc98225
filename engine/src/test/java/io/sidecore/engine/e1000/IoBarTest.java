package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IoBarTest
{
    private final DeviceHarness harness = new DeviceHarness();
    private final E1000Device device = harness.device;

    @Test
    void shouldReadBackIoaddrWhenWritten()
    {
        device.ioWrite(E1000Registers.IOADDR, E1000Registers.STATUS, harness.nowNs);

        assertEquals(E1000Registers.STATUS, device.ioRead(E1000Registers.IOADDR, harness.nowNs));
    }

    @Test
    void shouldProxyIodataReadToRegisterSelectedByIoaddr()
    {
        device.ioWrite(E1000Registers.IOADDR, E1000Registers.STATUS, harness.nowNs);

        assertEquals(E1000Registers.STATUS_RESET_VALUE, device.ioRead(E1000Registers.IODATA, harness.nowNs));
    }

    @Test
    void shouldProxyIodataWriteToRegisterSelectedByIoaddr()
    {
        device.ioWrite(E1000Registers.IOADDR, E1000Registers.RCTL, harness.nowNs);
        device.ioWrite(E1000Registers.IODATA, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM, harness.nowNs);

        assertEquals(E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM, harness.read(E1000Registers.RCTL));
        assertEquals(2, harness.counter(PortCounter.TRAPPED_WRITES));
    }

    @Test
    void shouldResetMacWhenCtrlRstWrittenThroughIodataLikeLinux()
    {
        harness.write(E1000Registers.RCTL, E1000Registers.RCTL_EN);
        final int ctrl = harness.read(E1000Registers.CTRL);

        device.ioWrite(E1000Registers.IOADDR, E1000Registers.CTRL, harness.nowNs);
        device.ioWrite(E1000Registers.IODATA, ctrl | E1000Registers.CTRL_RST, harness.nowNs);

        assertEquals(1, harness.counter(PortCounter.DEVICE_RESETS));
        assertEquals(0, harness.read(E1000Registers.RCTL));
        assertEquals(E1000Registers.CTRL_RESET_VALUE, harness.read(E1000Registers.CTRL));
    }

    @Test
    void shouldReadZeroAndCountBadWhenIoaddrSelectsBeyondBar0()
    {
        device.ioWrite(E1000Registers.IOADDR, 0x80000, harness.nowNs);

        assertEquals(0, device.ioRead(E1000Registers.IODATA, harness.nowNs));
        device.ioWrite(E1000Registers.IODATA, 0x1234, harness.nowNs);
        assertEquals(2, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
    }

    @Test
    void shouldMaskIoaddrToTwentyAddressBits()
    {
        device.ioWrite(E1000Registers.IOADDR, 0xFFF00008, harness.nowNs);

        assertEquals(E1000Registers.STATUS, device.ioRead(E1000Registers.IOADDR, harness.nowNs));
    }

    @Test
    void shouldCountUnknownForReservedIoOffsetsAndBadForUnaligned()
    {
        assertEquals(0, device.ioRead(0x08, harness.nowNs));
        device.ioWrite(0x3C, 1, harness.nowNs);
        assertEquals(2, harness.counter(PortCounter.UNKNOWN_REGISTER_ACCESSES));

        assertEquals(0, device.ioRead(0x02, harness.nowNs));
        device.ioWrite(0x40, 1, harness.nowNs);
        device.ioWrite(-4, 1, harness.nowNs);
        assertEquals(3, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
    }
}
