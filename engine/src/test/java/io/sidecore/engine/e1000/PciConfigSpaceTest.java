package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PciConfigSpaceTest
{
    private final DeviceHarness harness = DeviceHarness.poweredOn();
    private final E1000Device device = harness.device;

    @Test
    void shouldPresentIntel82540EmIdentityWhenVendorDeviceDwordRead()
    {
        assertEquals(0x100E8086, device.configRead(PciConfig.VENDOR_ID_OFFSET, 4));
        assertEquals(0x8086, device.configRead(PciConfig.VENDOR_ID_OFFSET, 2));
        assertEquals(0x100E, device.configRead(PciConfig.DEVICE_ID_OFFSET, 2));
    }

    @Test
    void shouldPresentRevision3AndEthernetClassWhenClassDwordRead()
    {
        assertEquals(0x02000003, device.configRead(PciConfig.REVISION_OFFSET, 4));
        assertEquals(0x0200, device.configRead(0x0A, 2));
    }

    @Test
    void shouldPresentCacheLine16AndHeaderType0WhenDword0x0cRead()
    {
        assertEquals(0x00000010, device.configRead(PciConfig.CACHE_LINE_SIZE_OFFSET, 4));
        assertEquals(0, device.configRead(PciConfig.HEADER_TYPE_OFFSET, 1));
    }

    @Test
    void shouldKeepCacheLineAndLatencyTimerWhenWritten()
    {
        device.configWrite(PciConfig.LATENCY_TIMER_OFFSET, 1, 0x40);
        device.configWrite(PciConfig.CACHE_LINE_SIZE_OFFSET, 1, 0x08);

        assertEquals(0x00004008, device.configRead(PciConfig.CACHE_LINE_SIZE_OFFSET, 4));
    }

    @Test
    void shouldReadBackBar0SizeMaskWhenAllOnesWritten()
    {
        assertEquals(0, device.configRead(PciConfig.BAR0_OFFSET, 4));

        device.configWrite(PciConfig.BAR0_OFFSET, 4, 0xFFFFFFFF);
        assertEquals(0xFFFE0000, device.configRead(PciConfig.BAR0_OFFSET, 4));

        device.configWrite(PciConfig.BAR0_OFFSET, 4, 0xFEBC0000);
        assertEquals(0xFEBC0000, device.configRead(PciConfig.BAR0_OFFSET, 4));
    }

    @Test
    void shouldReadBackBar1IoSizeWhenAllOnesWritten()
    {
        assertEquals(PciConfig.BAR_IO_SPACE, device.configRead(PciConfig.BAR1_OFFSET, 4));

        device.configWrite(PciConfig.BAR1_OFFSET, 4, 0xFFFFFFFF);
        assertEquals(0xFFFFFFC1, device.configRead(PciConfig.BAR1_OFFSET, 4));

        device.configWrite(PciConfig.BAR1_OFFSET, 4, 0xC000);
        assertEquals(0xC001, device.configRead(PciConfig.BAR1_OFFSET, 4));
    }

    @Test
    void shouldReadZeroFromAbsentBarsAndExpansionRomWhenAllOnesWritten()
    {
        for (int offset = PciConfig.BAR2_OFFSET; offset <= PciConfig.BAR5_OFFSET; offset += 4)
        {
            device.configWrite(offset, 4, 0xFFFFFFFF);
            assertEquals(0, device.configRead(offset, 4), "offset 0x" + Integer.toHexString(offset));
        }
        device.configWrite(PciConfig.EXPANSION_ROM_OFFSET, 4, 0xFFFFF800);
        assertEquals(PciConfig.EXPANSION_ROM_NONE, device.configRead(PciConfig.EXPANSION_ROM_OFFSET, 4));
    }

    @Test
    void shouldPresentDefaultSubsystemWhenCsbNotOffered()
    {
        assertEquals(0x11001AF4, device.configRead(PciConfig.SUBSYSTEM_VENDOR_ID_OFFSET, 4));
    }

    @Test
    void shouldPresentCsbSubsystemIdWhenCsbOffered()
    {
        final DeviceHarness csb = new DeviceHarness(true, DeviceHarness.MAC, false);

        assertEquals(PciConfig.SUBSYSTEM_ID_CSB, csb.device.configRead(PciConfig.SUBSYSTEM_ID_OFFSET, 2));
        assertEquals(PciConfig.SUBSYSTEM_VENDOR_ID_DEFAULT,
            csb.device.configRead(PciConfig.SUBSYSTEM_VENDOR_ID_OFFSET, 2));
    }

    @Test
    void shouldPresentInterruptPinAAndKeepInterruptLineWhenWritten()
    {
        device.configWrite(PciConfig.INTERRUPT_LINE_OFFSET, 1, 0x0B);

        assertEquals(PciConfig.INTERRUPT_PIN_INTA, device.configRead(PciConfig.INTERRUPT_PIN_OFFSET, 1));
        assertEquals(0x010B, device.configRead(PciConfig.INTERRUPT_LINE_OFFSET, 4));
    }

    @Test
    void shouldIgnoreWriteToInterruptPinAndIdentity()
    {
        device.configWrite(PciConfig.VENDOR_ID_OFFSET, 4, 0x12345678);
        device.configWrite(PciConfig.INTERRUPT_PIN_OFFSET, 1, 4);
        device.configWrite(PciConfig.SUBSYSTEM_VENDOR_ID_OFFSET, 4, 0);

        assertEquals(0x100E8086, device.configRead(PciConfig.VENDOR_ID_OFFSET, 4));
        assertEquals(PciConfig.INTERRUPT_PIN_INTA, device.configRead(PciConfig.INTERRUPT_PIN_OFFSET, 1));
        assertEquals(0x11001AF4, device.configRead(PciConfig.SUBSYSTEM_VENDOR_ID_OFFSET, 4));
    }

    @Test
    void shouldMaskCommandRegisterWhenAllOnesWritten()
    {
        assertEquals(0, device.configRead(PciConfig.COMMAND_OFFSET, 2));

        device.configWrite(PciConfig.COMMAND_OFFSET, 2, 0xFFFF);

        assertEquals(PciConfig.COMMAND_WRITABLE_MASK, device.configRead(PciConfig.COMMAND_OFFSET, 2));
    }

    @Test
    void shouldGateBusMasterOnCommandRegister()
    {
        assertFalse(device.isBusMasterEnabled());

        device.configWrite(PciConfig.COMMAND_OFFSET, 2, PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE);
        assertFalse(device.isBusMasterEnabled());

        device.configWrite(PciConfig.COMMAND_OFFSET, 2, 0x107);
        assertTrue(device.isBusMasterEnabled());

        device.configWrite(PciConfig.COMMAND_OFFSET, 2, 0x103);
        assertFalse(device.isBusMasterEnabled());
    }

    @Test
    void shouldReflectInterruptLevelInStatusWhenLineAsserted()
    {
        assertEquals(0, device.configRead(PciConfig.STATUS_OFFSET, 2));

        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);
        assertEquals(PciConfig.STATUS_INTERRUPT, device.configRead(PciConfig.STATUS_OFFSET, 2));
        assertEquals(PciConfig.STATUS_INTERRUPT << 16, device.configRead(PciConfig.COMMAND_OFFSET, 4));

        harness.read(E1000Registers.ICR);
        assertEquals(0, device.configRead(PciConfig.STATUS_OFFSET, 2));
    }

    @Test
    void shouldHoldOutputLowButShowStatusWhenIntxDisabled()
    {
        device.configWrite(PciConfig.COMMAND_OFFSET, 2, PciConfig.COMMAND_INTX_DISABLE);
        harness.write(E1000Registers.IMS, E1000Registers.ICR_LSC);
        harness.write(E1000Registers.ICS, E1000Registers.ICR_LSC);

        assertEquals(List.of(), harness.irqLevels);
        assertEquals(0, harness.counter(PortCounter.INTERRUPTS_POSTED));
        assertEquals(PciConfig.STATUS_INTERRUPT, device.configRead(PciConfig.STATUS_OFFSET, 2));

        device.configWrite(PciConfig.COMMAND_OFFSET, 2, 0);
        assertEquals(List.of(true), harness.irqLevels);
        assertEquals(1, harness.counter(PortCounter.INTERRUPTS_POSTED));
    }

    @Test
    void shouldPresentNoCapabilityList()
    {
        assertEquals(0, device.configRead(PciConfig.CAPABILITIES_POINTER_OFFSET, 1));
        assertEquals(0, device.configRead(PciConfig.STATUS_OFFSET, 2) & 0x10);
        for (int offset = 0x40; offset < PciConfig.CONFIG_SPACE_LENGTH; offset += 4)
        {
            device.configWrite(offset, 4, 0xFFFFFFFF);
            assertEquals(0, device.configRead(offset, 4));
        }
    }

    @Test
    void shouldServeByteWordAndDwordAccessesAtAnyOffset()
    {
        assertEquals(0x80, device.configRead(0x01, 1));
        assertEquals(0x0E80, device.configRead(0x01, 2));
        assertEquals(0x0000100E, device.configRead(0x02, 4));
        assertEquals(0x03, device.configRead(PciConfig.REVISION_OFFSET, 1));

        device.configWrite(0x12, 2, 0xABFF);
        assertEquals(0xABFE0000, device.configRead(PciConfig.BAR0_OFFSET, 4));
        assertEquals(0, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
    }

    @Test
    void shouldReadZeroAndCountWhenConfigAccessOutOfRangeOrOddSized()
    {
        assertEquals(0, device.configRead(0xFE, 4));
        assertEquals(0, device.configRead(0x100, 1));
        assertEquals(0, device.configRead(-1, 1));
        assertEquals(0, device.configRead(0, 3));
        assertEquals(0, device.configRead(0, 8));
        device.configWrite(0xFF, 2, 0xFFFF);
        device.configWrite(PciConfig.COMMAND_OFFSET, 0, 0xFFFF);

        assertEquals(7, harness.counter(PortCounter.BAD_REGISTER_ACCESSES));
        assertEquals(0, device.configRead(PciConfig.COMMAND_OFFSET, 2));
    }
}
