package io.sidecore.bench.fuzz;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The liar's device reports every broken server promise, so a server that let a lie through would be seen: the
 * fuzzer's vfio-user oracle can fail.
 */
class VfioUserLiarTest
{
    private final VfioUserLiar.CheckingDevice device = new VfioUserLiar.CheckingDevice();

    @AfterEach
    void tearDown()
    {
        device.close();
    }

    @Test
    void shouldAcceptAccessesAndMapsThatKeepTheServersPromises()
    {
        device.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.BAR0_LENGTH - 8, 8);
        device.regionWrite(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0xFC, 4, 0);
        device.dmaMap(-1, 0, 0x10_0000, 0x4000, true, true);
        device.dmaMap(-1, 0, 0x10_4000, 0x1000, true, true);
        device.dmaUnmap(0x10_0000, 0x4000);

        assertNull(device.takeViolation());
    }

    @Test
    void shouldReportAnAccessPastTheRegionEnd()
    {
        device.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.BAR0_LENGTH - 4, 8);

        assertViolation("read region 0");
    }

    @Test
    void shouldReportAMisalignedOrOddSizedAccessAndAnUnknownRegion()
    {
        device.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, 2, 4, 0);
        assertViolation("write region 0 offset 0x2 size 4");
        device.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, 0, 3, 0);
        assertViolation("size 3");
        device.regionRead(VfioUserRegionInfo.ROM_REGION_INDEX, 0, 4);
        assertViolation("region 6");
    }

    @Test
    void shouldReportAWrappingOrOverlappingMapAndAnUnmapNotAsMapped()
    {
        device.dmaMap(-1, 0, -0x1000L, 0x2000, true, true);
        assertViolation("DMA map iova 0xfffffffffffff000");
        device.dmaMap(-1, 0, 0x10_0000, 0x4000, true, true);
        device.dmaMap(-1, 0, 0x10_3000, 0x1000, true, true);
        assertViolation("overlaps a live map at 0x100000");
        device.dmaUnmap(0x10_0000, 0x1000);
        assertViolation("never mapped");
    }

    private void assertViolation(final String expected)
    {
        final String violation = device.takeViolation();
        assertNotNull(violation, "no violation reported, expected " + expected);
        assertTrue(violation.contains(expected), violation);
    }
}
