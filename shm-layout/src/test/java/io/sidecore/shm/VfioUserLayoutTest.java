package io.sidecore.shm;

import io.sidecore.shm.vfiouser.VfioUserDeviceFeature;
import io.sidecore.shm.vfiouser.VfioUserDeviceInfo;
import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserDmaUnmap;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserIrqInfo;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import io.sidecore.shm.vfiouser.VfioUserSetIrqs;
import io.sidecore.shm.vfiouser.VfioUserVersion;
import io.sidecore.shm.vfiouser.VfioUserWriteMulti;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static io.sidecore.shm.LayoutAssertions.assertDisjointBits;
import static io.sidecore.shm.LayoutAssertions.assertTiles;
import static io.sidecore.shm.LayoutAssertions.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the vfio-user wire layouts to the packed C structures QEMU's client uses ({@code hw/vfio-user/protocol.h},
 * Linux {@code vfio.h}): a drifted offset would be read by QEMU as a different field.
 */
class VfioUserLayoutTest
{
    @ParameterizedTest(name = "{0} is {1} bytes")
    @CsvSource({
        "header, 16", "DMA_MAP, 48", "DMA_UNMAP, 40", "DEVICE_GET_INFO, 32", "REGION_INFO, 48",
        "REGION_INFO two areas argsz, 80", "IRQ_INFO, 32", "SET_IRQS, 36", "REGION_RW, 32",
        "WRITE_MULTI entry, 24", "WRITE_MULTI full, 4824", "DEVICE_FEATURE, 24",
    })
    void shouldMatchQemuStructSize(final String structure, final int lengthBytes)
    {
        final int actual = switch (structure)
        {
            case "header" -> VfioUserHeader.HEADER_LENGTH;
            case "DMA_MAP" -> VfioUserDmaMap.MESSAGE_LENGTH;
            case "DMA_UNMAP" -> VfioUserDmaUnmap.MESSAGE_LENGTH;
            case "DEVICE_GET_INFO" -> VfioUserDeviceInfo.MESSAGE_LENGTH;
            case "REGION_INFO" -> VfioUserRegionInfo.MESSAGE_LENGTH;
            case "REGION_INFO two areas argsz" -> VfioUserRegionInfo.fullArgsz(2);
            case "IRQ_INFO" -> VfioUserIrqInfo.MESSAGE_LENGTH;
            case "SET_IRQS" -> VfioUserSetIrqs.MESSAGE_LENGTH;
            case "REGION_RW" -> VfioUserRegionAccess.MESSAGE_LENGTH;
            case "WRITE_MULTI entry" -> VfioUserWriteMulti.WRITE_LENGTH;
            case "WRITE_MULTI full" -> VfioUserWriteMulti.messageLength(VfioUserWriteMulti.MAX_WRITES);
            case "DEVICE_FEATURE" -> VfioUserDeviceFeature.MIN_MESSAGE_LENGTH;
            default -> throw new IllegalArgumentException(structure);
        };
        assertEquals(lengthBytes, actual);
    }

    @Test
    void shouldTileHeader()
    {
        assertTiles("header", VfioUserHeader.HEADER_LENGTH,
            field("id", VfioUserHeader.MESSAGE_ID_OFFSET, 2),
            field("command", VfioUserHeader.COMMAND_OFFSET, 2),
            field("size", VfioUserHeader.SIZE_OFFSET, 4),
            field("flags", VfioUserHeader.FLAGS_OFFSET, 4),
            field("error", VfioUserHeader.ERROR_OFFSET, 4));
    }

    @Test
    void shouldTileDmaMapAndUnmap()
    {
        assertTiles("DMA_MAP payload", VfioUserDmaMap.MESSAGE_LENGTH,
            field("header", 0, VfioUserHeader.HEADER_LENGTH),
            field("argsz", VfioUserDmaMap.ARGSZ_OFFSET, 4),
            field("flags", VfioUserDmaMap.FLAGS_OFFSET, 4),
            field("offset", VfioUserDmaMap.FILE_OFFSET_OFFSET, 8),
            field("iova", VfioUserDmaMap.IOVA_OFFSET, 8),
            field("size", VfioUserDmaMap.SIZE_OFFSET, 8));
        assertEquals(32, VfioUserDmaMap.ARGSZ);
        assertTiles("DMA_UNMAP", VfioUserDmaUnmap.MESSAGE_LENGTH,
            field("header", 0, VfioUserHeader.HEADER_LENGTH),
            field("argsz", VfioUserDmaUnmap.ARGSZ_OFFSET, 4),
            field("flags", VfioUserDmaUnmap.FLAGS_OFFSET, 4),
            field("iova", VfioUserDmaUnmap.IOVA_OFFSET, 8),
            field("size", VfioUserDmaUnmap.SIZE_OFFSET, 8));
        assertEquals(24, VfioUserDmaUnmap.ARGSZ);
        assertEquals(2, VfioUserDmaUnmap.FLAG_ALL);
    }

    @Test
    void shouldTileRegionInfoWithSparseMmapCapability()
    {
        final int length = VfioUserRegionInfo.ARGSZ_OFFSET + VfioUserRegionInfo.fullArgsz(1);
        assertTiles("REGION_INFO reply with one area", length,
            field("header", 0, VfioUserHeader.HEADER_LENGTH),
            field("argsz", VfioUserRegionInfo.ARGSZ_OFFSET, 4),
            field("flags", VfioUserRegionInfo.FLAGS_OFFSET, 4),
            field("index", VfioUserRegionInfo.INDEX_OFFSET, 4),
            field("cap_offset", VfioUserRegionInfo.CAP_OFFSET_OFFSET, 4),
            field("size", VfioUserRegionInfo.SIZE_OFFSET, 8),
            field("offset", VfioUserRegionInfo.REGION_FILE_OFFSET_OFFSET, 8),
            field("cap id", VfioUserRegionInfo.CAP_ID_OFFSET, 2),
            field("cap version", VfioUserRegionInfo.CAP_VERSION_OFFSET, 2),
            field("cap next", VfioUserRegionInfo.CAP_NEXT_OFFSET, 4),
            field("nr_areas", VfioUserRegionInfo.SPARSE_NR_AREAS_OFFSET, 4),
            field("reserved", VfioUserRegionInfo.SPARSE_RESERVED_OFFSET, 4),
            field("area offset", VfioUserRegionInfo.areaOffset(0), 8),
            field("area size", VfioUserRegionInfo.areaOffset(0) + VfioUserRegionInfo.SPARSE_AREA_SIZE_OFFSET, 8));
        assertEquals(32, VfioUserRegionInfo.INFO_ARGSZ);
        assertEquals(32, VfioUserRegionInfo.CAP_OFFSET_VALUE, "cap_offset is relative to argsz, right after info");
        assertEquals(1, VfioUserRegionInfo.CAP_SPARSE_MMAP_ID);
        assertEquals(9, VfioUserRegionInfo.REGION_COUNT);
        assertEquals(7, VfioUserRegionInfo.CONFIG_REGION_INDEX);
        assertDisjointBits(VfioUserRegionInfo.class, "FLAG_READ", "FLAG_WRITE", "FLAG_MMAP", "FLAG_CAPS");
    }

    @Test
    void shouldTileIrqMessages()
    {
        assertTiles("IRQ_INFO", VfioUserIrqInfo.MESSAGE_LENGTH,
            field("header", 0, VfioUserHeader.HEADER_LENGTH),
            field("argsz", VfioUserIrqInfo.ARGSZ_OFFSET, 4),
            field("flags", VfioUserIrqInfo.FLAGS_OFFSET, 4),
            field("index", VfioUserIrqInfo.INDEX_OFFSET, 4),
            field("count", VfioUserIrqInfo.COUNT_OFFSET, 4));
        assertTiles("SET_IRQS", VfioUserSetIrqs.MESSAGE_LENGTH,
            field("header", 0, VfioUserHeader.HEADER_LENGTH),
            field("argsz", VfioUserSetIrqs.ARGSZ_OFFSET, 4),
            field("flags", VfioUserSetIrqs.FLAGS_OFFSET, 4),
            field("index", VfioUserSetIrqs.INDEX_OFFSET, 4),
            field("start", VfioUserSetIrqs.START_OFFSET, 4),
            field("count", VfioUserSetIrqs.COUNT_OFFSET, 4));
        assertEquals(20, VfioUserSetIrqs.ARGSZ);
        assertEquals(0x7, VfioUserIrqInfo.INTX_FLAGS);
        assertDisjointBits(VfioUserSetIrqs.class, "DATA_NONE", "DATA_BOOL", "DATA_EVENTFD", "ACTION_MASK",
            "ACTION_UNMASK", "ACTION_TRIGGER");
    }

    @ParameterizedTest(name = "SET_IRQS flags 0x{0} well formed: {1}")
    @CsvSource({"24, true", "09, true", "14, true", "11, true", "21, true", "22, true",
        "00, false", "01, false", "20, false", "25, false", "30, false", "64, false", "124, false"})
    void shouldAcceptExactlyOneDataAndOneActionFlag(final String hexFlags, final boolean wellFormed)
    {
        assertEquals(wellFormed, VfioUserSetIrqs.isWellFormedFlags(Integer.parseInt(hexFlags, 16)));
    }

    @Test
    void shouldTileRegionAccessAndWriteMulti()
    {
        assertTiles("REGION_READ", VfioUserRegionAccess.MESSAGE_LENGTH,
            field("header", 0, VfioUserHeader.HEADER_LENGTH),
            field("offset", VfioUserRegionAccess.OFFSET_OFFSET, 8),
            field("region", VfioUserRegionAccess.REGION_OFFSET, 4),
            field("count", VfioUserRegionAccess.COUNT_OFFSET, 4));
        assertEquals(36, VfioUserRegionAccess.lengthWithData(4));
        assertTiles("WRITE_MULTI entry", VfioUserWriteMulti.WRITE_LENGTH,
            field("offset", VfioUserWriteMulti.WRITE_OFFSET_OFFSET, 8),
            field("region", VfioUserWriteMulti.WRITE_REGION_OFFSET, 4),
            field("count", VfioUserWriteMulti.WRITE_COUNT_FIELD_OFFSET, 4),
            field("data", VfioUserWriteMulti.WRITE_DATA_OFFSET, VfioUserWriteMulti.WRITE_DATA_LENGTH));
    }

    @Test
    void shouldKeepServerVersionReplySmallerThanQemusRequest()
    {
        final String qemuRequestJson = "{\"capabilities\":{\"max_msg_fds\":16,\"max_data_xfer_size\":1048576," +
            "\"pgsizes\":4096,\"max_dma_maps\":65535,\"migration\":{\"pgsize\":4096,\"max_bitmap_size\":268435456}," +
            "\"write_multiple\":true}}";
        final int request = VfioUserVersion.messageLength(qemuRequestJson.getBytes(StandardCharsets.UTF_8).length);
        final int reply = VfioUserVersion.messageLength(
            VfioUserVersion.SERVER_CAPABILITIES_JSON.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(VfioUserVersion.replyFits(reply, request));
        assertFalse(VfioUserVersion.SERVER_CAPABILITIES_JSON.contains(VfioUserVersion.WRITE_MULTIPLE));
        assertEquals(VfioUserVersion.MIN_MESSAGE_LENGTH, VfioUserVersion.messageLength(
            VfioUserVersion.MINIMAL_CAPABILITIES_JSON.length()));
    }

    @Test
    void shouldDefineHeaderFlagsAsQemuDoes()
    {
        assertEquals(0x21, VfioUserHeader.ERROR_REPLY_FLAGS);
        assertEquals(0x10, VfioUserHeader.FLAG_NO_REPLY);
        assertEquals(1, VfioUserHeader.type(0x21));
        assertTrue(VfioUserHeader.isNoReply(0x10));
        assertTrue(VfioUserHeader.isError(0x21));
    }
}
