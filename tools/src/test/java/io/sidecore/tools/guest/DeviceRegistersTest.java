package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceRegistersTest
{
    @Test
    void shouldWriteDoorbellIntoSharedPageWithoutTrapWhenPageShared()
    {
        final FakeE1000 device = new FakeE1000();
        device.sharedPages = PortRegionDescriptor.DEFAULT_SHARED_PAGES;
        final DeviceRegisters registers = new DeviceRegisters(device);

        registers.write(E1000Registers.TDT, 17);
        registers.write(E1000Registers.RDT, 5);

        assertEquals(17, device.bar0.getInt(E1000Registers.TDT));
        assertEquals(5, device.bar0.getInt(E1000Registers.RDT));
        assertEquals(0, device.trappedDoorbells);
        assertTrue(device.trace.isEmpty());
        assertEquals(2, registers.sharedWrites());
        assertEquals(0, registers.trappedWrites());
    }

    @Test
    void shouldTrapEverythingWhenNothingShared()
    {
        final FakeE1000 device = new FakeE1000();
        final DeviceRegisters registers = new DeviceRegisters(device);

        registers.write(E1000Registers.TDT, 3);
        registers.flush();

        assertFalse(registers.isShared(E1000Registers.TDT));
        assertEquals(1, device.trappedDoorbells);
        assertEquals(1, registers.trappedWrites());
        assertEquals(1, registers.trappedReads());
        assertEquals("mmio R 0x00008 0x80080783 4", device.trace.get(1));
    }

    @Test
    void shouldTrapRegistersOutsideSharedPagesWhenSomePagesShared()
    {
        final FakeE1000 device = new FakeE1000();
        device.sharedPages = PortRegionDescriptor.DEFAULT_SHARED_PAGES;
        final DeviceRegisters registers = new DeviceRegisters(device);

        registers.write(E1000Registers.IMS, 0x9D);
        registers.read(E1000Registers.ICR);

        assertEquals(1, registers.trappedWrites());
        assertEquals(1, registers.trappedReads());
        assertEquals(0, registers.sharedWrites());
    }

    @Test
    void shouldResetThroughIoBarWithIoaddrThenIodata()
    {
        final FakeE1000 device = new FakeE1000();
        final DeviceRegisters registers = new DeviceRegisters(device);

        registers.writeThroughIo(E1000Registers.CTRL, E1000Registers.CTRL_RESET_VALUE | E1000Registers.CTRL_RST);

        assertEquals("io W 0x00 0x00000000 4", device.trace.get(0));
        assertEquals("io W 0x04 0x04140240 4", device.trace.get(1));
        assertEquals(1, device.resets);
        assertEquals(2, registers.ioAccesses());
    }
}
