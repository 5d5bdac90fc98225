package io.sidecore.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.sidecore.shm.LayoutAssertions.assertLayout;
import static io.sidecore.shm.LayoutAssertions.field;
import static io.sidecore.shm.LayoutAssertions.intConstant;
import static io.sidecore.shm.LayoutAssertions.parseInt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Pins the PCI configuration header of the emulated 82540EM (SDM 4.1, table 4-1; e1000-checklist.md §1).
 */
class PciConfigTest
{
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "CONFIG_SPACE_LENGTH, 256",
        "VENDOR_ID_OFFSET, 0x00", "DEVICE_ID_OFFSET, 0x02", "COMMAND_OFFSET, 0x04", "STATUS_OFFSET, 0x06",
        "REVISION_OFFSET, 0x08", "CLASS_CODE_OFFSET, 0x09", "CACHE_LINE_SIZE_OFFSET, 0x0C",
        "LATENCY_TIMER_OFFSET, 0x0D", "HEADER_TYPE_OFFSET, 0x0E", "BAR0_OFFSET, 0x10", "BAR1_OFFSET, 0x14",
        "BAR2_OFFSET, 0x18", "BAR5_OFFSET, 0x24", "SUBSYSTEM_VENDOR_ID_OFFSET, 0x2C", "SUBSYSTEM_ID_OFFSET, 0x2E",
        "EXPANSION_ROM_OFFSET, 0x30", "CAPABILITIES_POINTER_OFFSET, 0x34", "INTERRUPT_LINE_OFFSET, 0x3C",
        "INTERRUPT_PIN_OFFSET, 0x3D",
        "VENDOR_ID_INTEL, 0x8086", "DEVICE_ID_82540EM, 0x100E", "REVISION_ID, 0x03",
        "CLASS_CODE_ETHERNET, 0x020000", "SUBSYSTEM_VENDOR_ID_DEFAULT, 0x1AF4", "SUBSYSTEM_ID_DEFAULT, 0x1100",
        "SUBSYSTEM_ID_CSB, 0x1101", "INTERRUPT_PIN_INTA, 1",
        "COMMAND_IO_SPACE, 0x1", "COMMAND_MEMORY_SPACE, 0x2", "COMMAND_BUS_MASTER, 0x4",
        "COMMAND_INTX_DISABLE, 0x400", "COMMAND_WRITABLE_MASK, 0x0547",
        "STATUS_INTERRUPT, 0x8", "BAR_IO_SPACE, 1",
        "CACHE_LINE_SIZE_DEFAULT, 0x10", "BAR0_SIZE_MASK, 0xFFFE0000", "BAR1_ADDRESS_MASK, 0xFFFFFFC0",
        "EXPANSION_ROM_NONE, 0",
    })
    void shouldPinPciConfigConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(PciConfig.class, name));
    }

    @Test
    void shouldPinEveryPciConfigConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(PciConfig.class, PciConfigTest.class, "shouldPinPciConfigConstant");
    }

    @Test
    void shouldLayOutType0HeaderWithoutOverlap()
    {
        assertLayout("PCI type 0 header", PciConfig.CONFIG_SPACE_LENGTH,
            field("vendor id", PciConfig.VENDOR_ID_OFFSET, 2),
            field("device id", PciConfig.DEVICE_ID_OFFSET, 2),
            field("command", PciConfig.COMMAND_OFFSET, 2),
            field("status", PciConfig.STATUS_OFFSET, 2),
            field("revision", PciConfig.REVISION_OFFSET, 1),
            field("class code", PciConfig.CLASS_CODE_OFFSET, 3),
            field("cache line size", PciConfig.CACHE_LINE_SIZE_OFFSET, 1),
            field("latency timer", PciConfig.LATENCY_TIMER_OFFSET, 1),
            field("header type", PciConfig.HEADER_TYPE_OFFSET, 1),
            field("BAR0", PciConfig.BAR0_OFFSET, 4),
            field("BAR1", PciConfig.BAR1_OFFSET, 4),
            field("BAR2..BAR5", PciConfig.BAR2_OFFSET, PciConfig.BAR5_OFFSET + 4 - PciConfig.BAR2_OFFSET),
            field("subsystem vendor id", PciConfig.SUBSYSTEM_VENDOR_ID_OFFSET, 2),
            field("subsystem id", PciConfig.SUBSYSTEM_ID_OFFSET, 2),
            field("expansion ROM", PciConfig.EXPANSION_ROM_OFFSET, 4),
            field("capabilities pointer", PciConfig.CAPABILITIES_POINTER_OFFSET, 1),
            field("interrupt line", PciConfig.INTERRUPT_LINE_OFFSET, 1),
            field("interrupt pin", PciConfig.INTERRUPT_PIN_OFFSET, 1));
    }

    @Test
    void shouldSpaceBarsOneDwordApart()
    {
        assertEquals(PciConfig.BAR0_OFFSET + 4, PciConfig.BAR1_OFFSET);
        assertEquals(PciConfig.BAR1_OFFSET + 4, PciConfig.BAR2_OFFSET);
        assertEquals(PciConfig.BAR2_OFFSET + 12, PciConfig.BAR5_OFFSET);
    }

    @Test
    void shouldOfferCsbThroughADistinctSubsystemId()
    {
        assertNotEquals(PciConfig.SUBSYSTEM_ID_DEFAULT, PciConfig.SUBSYSTEM_ID_CSB);
        assertEquals(PciConfig.SUBSYSTEM_ID_DEFAULT + 1, PciConfig.SUBSYSTEM_ID_CSB);
    }

    @Test
    void shouldKeepImplementedCommandBitsWritable()
    {
        final int implemented = PciConfig.COMMAND_IO_SPACE | PciConfig.COMMAND_MEMORY_SPACE |
            PciConfig.COMMAND_BUS_MASTER | PciConfig.COMMAND_INTX_DISABLE;
        assertEquals(implemented, implemented & PciConfig.COMMAND_WRITABLE_MASK);
    }
}
