package io.sidecore.shm;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.sidecore.shm.LayoutAssertions.LayoutField;
import static io.sidecore.shm.LayoutAssertions.assertLayout;
import static io.sidecore.shm.LayoutAssertions.assertWriterGroupsSeparate;
import static io.sidecore.shm.LayoutAssertions.field;
import static io.sidecore.shm.LayoutAssertions.intConstant;
import static io.sidecore.shm.LayoutAssertions.parseInt;
import static io.sidecore.shm.PortRegionDescriptor.DEFAULT_SHARED_PAGES;
import static io.sidecore.shm.PortRegionDescriptor.DOORBELL_PAGES_LENGTH;
import static io.sidecore.shm.PortRegionDescriptor.DOORBELL_PAGES_LENGTH_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.ENGINE_GROUP_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.FAULT_REASON_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.FAULT_REGISTER_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.FAULT_VALUE_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.FEATURES_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.FEATURE_CSB;
import static io.sidecore.shm.PortRegionDescriptor.HEADER_LENGTH;
import static io.sidecore.shm.PortRegionDescriptor.INTERRUPT_SEQUENCE_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.LAYOUT_VERSION;
import static io.sidecore.shm.PortRegionDescriptor.MAC_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.MAC_LENGTH;
import static io.sidecore.shm.PortRegionDescriptor.MAGIC;
import static io.sidecore.shm.PortRegionDescriptor.MAGIC_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.PORT_ID_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.PORT_STATE_FAULTED;
import static io.sidecore.shm.PortRegionDescriptor.PORT_STATE_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.PORT_STATE_READY;
import static io.sidecore.shm.PortRegionDescriptor.REGION_LENGTH;
import static io.sidecore.shm.PortRegionDescriptor.REGION_LENGTH_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.SHARED_PAGES_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.VERSION_FIELD_OFFSET;
import static io.sidecore.shm.PortRegionDescriptor.checkDoorbellPages;
import static io.sidecore.shm.PortRegionDescriptor.checkHeader;
import static io.sidecore.shm.PortRegionDescriptor.clearFault;
import static io.sidecore.shm.PortRegionDescriptor.fault;
import static io.sidecore.shm.PortRegionDescriptor.isShared;
import static io.sidecore.shm.PortRegionDescriptor.portState;
import static io.sidecore.shm.PortRegionDescriptor.publishFault;
import static io.sidecore.shm.PortRegionDescriptor.signalReady;
import static io.sidecore.shm.PortRegionDescriptor.writeHeader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortRegionDescriptorTest
{
    private static final byte[] MAC = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };

    private static final LayoutField[] CREATOR_GROUP = {
        field("magic", MAGIC_FIELD_OFFSET, 4),
        field("version", VERSION_FIELD_OFFSET, 4),
        field("port id", PORT_ID_FIELD_OFFSET, 4),
        field("shared pages", SHARED_PAGES_FIELD_OFFSET, 4),
        field("region length", REGION_LENGTH_FIELD_OFFSET, 8),
        field("MAC + pad", MAC_FIELD_OFFSET, 8),
        field("features", FEATURES_FIELD_OFFSET, 4),
        field("doorbell pages length", DOORBELL_PAGES_LENGTH_FIELD_OFFSET, 8),
    };

    private static final LayoutField[] ENGINE_GROUP = {
        field("interrupt sequence", INTERRUPT_SEQUENCE_FIELD_OFFSET, 8),
        field("port state", PORT_STATE_FIELD_OFFSET, 4),
        field("fault reason", FAULT_REASON_FIELD_OFFSET, 4),
        field("fault register", FAULT_REGISTER_FIELD_OFFSET, 4),
        field("fault value", FAULT_VALUE_FIELD_OFFSET, 8),
    };

    private final UnsafeBuffer region = new UnsafeBuffer(BufferUtil.allocateDirectAligned(REGION_LENGTH, 64));

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "MAGIC, 0x52504353", "LAYOUT_VERSION, 2",
        "MAGIC_FIELD_OFFSET, 0", "VERSION_FIELD_OFFSET, 4", "PORT_ID_FIELD_OFFSET, 8",
        "SHARED_PAGES_FIELD_OFFSET, 12", "REGION_LENGTH_FIELD_OFFSET, 16", "MAC_FIELD_OFFSET, 24",
        "FEATURES_FIELD_OFFSET, 32", "DOORBELL_PAGES_LENGTH_FIELD_OFFSET, 40",
        "ENGINE_GROUP_OFFSET, 128", "INTERRUPT_SEQUENCE_FIELD_OFFSET, 128", "PORT_STATE_FIELD_OFFSET, 136",
        "FAULT_REASON_FIELD_OFFSET, 140", "FAULT_REGISTER_FIELD_OFFSET, 144", "FAULT_VALUE_FIELD_OFFSET, 152",
        "HEADER_LENGTH, 0x1000", "REGION_LENGTH, 0x1000", "DOORBELL_PAGES_LENGTH, 0x20000",
        "MAC_LENGTH, 6", "FEATURE_CSB, 1", "KNOWN_FEATURES_MASK, 1",
        "PORT_STATE_READY, 0", "PORT_STATE_FAULTED, 1", "DEFAULT_SHARED_PAGES, 0xC",
    })
    void shouldPinPortRegionConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(PortRegionDescriptor.class, name));
    }

    @Test
    void shouldPinEveryPortRegionConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(
            PortRegionDescriptor.class, PortRegionDescriptorTest.class, "shouldPinPortRegionConstant");
    }

    @Test
    void shouldLayOutHeaderWithoutOverlapInsideHeaderPage()
    {
        final LayoutField[] all = new LayoutField[CREATOR_GROUP.length + ENGINE_GROUP.length];
        System.arraycopy(CREATOR_GROUP, 0, all, 0, CREATOR_GROUP.length);
        System.arraycopy(ENGINE_GROUP, 0, all, CREATOR_GROUP.length, ENGINE_GROUP.length);
        assertLayout("port region header", HEADER_LENGTH, all);
    }

    @Test
    void shouldSeparateCreatorAndEngineWriterGroups()
    {
        assertWriterGroupsSeparate("port region header", CREATOR_GROUP, ENGINE_GROUP);
        assertEquals(0, ENGINE_GROUP_OFFSET % LayoutUtil.WRITER_GROUP_LENGTH);
    }

    @Test
    void shouldShapeDoorbellPagesLikeBar0SoSharedPagesMapAtTheirOwnOffsets()
    {
        assertEquals(E1000Registers.BAR0_LENGTH, DOORBELL_PAGES_LENGTH);
        assertEquals(0, DOORBELL_PAGES_LENGTH % E1000Registers.PAGE_LENGTH);
        assertEquals(HEADER_LENGTH, REGION_LENGTH, "the port region is the header page alone");
    }

    @Test
    void shouldAcceptDoorbellMappingOfBar0LengthAndRejectShorterWithExactMessage()
    {
        assertDoesNotThrow(() -> checkDoorbellPages(DOORBELL_PAGES_LENGTH));
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkDoorbellPages(0x4000));
        assertEquals("doorbell pages too short: required=131072 mapped=16384", ex.getMessage());
    }

    @Test
    void shouldPublishFaultDetailsBeforeStateAndClearThem()
    {
        writeHeader(region, 3, DEFAULT_SHARED_PAGES, MAC, 0);
        signalReady(region);

        publishFault(region, PortFault.TX_TAIL_BEYOND_RING.id(), E1000Registers.TDT, 0x1234_5678_9AL);

        assertEquals(PORT_STATE_FAULTED, portState(region));
        assertEquals(PortFault.TX_TAIL_BEYOND_RING, fault(region));
        assertEquals(E1000Registers.TDT, region.getInt(FAULT_REGISTER_FIELD_OFFSET));
        assertEquals(0x1234_5678_9AL, region.getLong(FAULT_VALUE_FIELD_OFFSET));

        clearFault(region);

        assertEquals(PORT_STATE_READY, portState(region));
        assertEquals(null, fault(region));
        assertEquals(0, region.getInt(FAULT_REGISTER_FIELD_OFFSET));
        assertEquals(0L, region.getLong(FAULT_VALUE_FIELD_OFFSET));
    }

    @ParameterizedTest(name = "isShared(0x{0}, 0x{1}) = {2}")
    @CsvSource({
        "C, 2818, true", "C, 3818, true", "C, 2000, true", "C, 3FFC, true", "C, 1FFC, false", "C, 4000, false",
        "C, 0000, false", "1, 0000, true", "80000000, 1F000, true", "FFFFFFFF, 20000, false", "FFFFFFFF, -4, false",
    })
    void shouldTellWhetherAPageIsShared(final String pagesHex, final String offsetHex, final boolean expected)
    {
        assertEquals(expected, isShared((int)Long.parseLong(pagesHex, 16), Integer.parseInt(offsetHex, 16)));
    }

    @Test
    void shouldRoundTripHeaderWithVersionWrittenLast()
    {
        writeHeader(region, 42, DEFAULT_SHARED_PAGES, MAC, FEATURE_CSB);

        assertEquals(0, region.getIntVolatile(VERSION_FIELD_OFFSET), "not published before signalReady");
        final IllegalStateException beforeReady = assertThrows(
            IllegalStateException.class, () -> checkHeader(region, REGION_LENGTH));
        assertEquals("port region not initialised: version=0", beforeReady.getMessage());

        signalReady(region);

        assertDoesNotThrow(() -> checkHeader(region, REGION_LENGTH));
        assertEquals(LAYOUT_VERSION, region.getIntVolatile(VERSION_FIELD_OFFSET));
        assertEquals(MAGIC, region.getInt(MAGIC_FIELD_OFFSET));
        assertEquals(42, region.getInt(PORT_ID_FIELD_OFFSET));
        assertEquals(DEFAULT_SHARED_PAGES, region.getInt(SHARED_PAGES_FIELD_OFFSET));
        assertEquals(REGION_LENGTH, region.getLong(REGION_LENGTH_FIELD_OFFSET));
        assertEquals(DOORBELL_PAGES_LENGTH, region.getLong(DOORBELL_PAGES_LENGTH_FIELD_OFFSET));
        final byte[] mac = new byte[MAC_LENGTH];
        region.getBytes(MAC_FIELD_OFFSET, mac);
        assertArrayEquals(MAC, mac);
        assertEquals(0, region.getShort(MAC_FIELD_OFFSET + MAC_LENGTH), "pad bytes are zero");
        assertEquals(FEATURE_CSB, region.getInt(FEATURES_FIELD_OFFSET));
        assertEquals(0L, region.getLong(INTERRUPT_SEQUENCE_FIELD_OFFSET));
        assertEquals(PORT_STATE_READY, region.getInt(PORT_STATE_FIELD_OFFSET));
        assertEquals(0, region.getInt(FAULT_REASON_FIELD_OFFSET));
        assertEquals(0, region.getInt(FAULT_REGISTER_FIELD_OFFSET));
        assertEquals(0L, region.getLong(FAULT_VALUE_FIELD_OFFSET));
    }

    @Test
    void shouldUnpublishAndResetEngineGroupWhenHeaderIsRewritten()
    {
        writeHeader(region, 1, DEFAULT_SHARED_PAGES, MAC, 0);
        signalReady(region);
        region.putLong(INTERRUPT_SEQUENCE_FIELD_OFFSET, 99);
        region.putInt(PORT_STATE_FIELD_OFFSET, PORT_STATE_FAULTED);
        region.putInt(FAULT_REASON_FIELD_OFFSET, 7);
        region.putInt(FAULT_REGISTER_FIELD_OFFSET, 0x3818);
        region.putLong(FAULT_VALUE_FIELD_OFFSET, 5);
        region.putShort(MAC_FIELD_OFFSET + MAC_LENGTH, (short)-1);

        writeHeader(region, 2, DEFAULT_SHARED_PAGES, MAC, 0);

        assertEquals(0, region.getIntVolatile(VERSION_FIELD_OFFSET));
        assertEquals(0L, region.getLong(INTERRUPT_SEQUENCE_FIELD_OFFSET));
        assertEquals(PORT_STATE_READY, region.getInt(PORT_STATE_FIELD_OFFSET));
        assertEquals(0, region.getInt(FAULT_REASON_FIELD_OFFSET));
        assertEquals(0, region.getInt(FAULT_REGISTER_FIELD_OFFSET));
        assertEquals(0L, region.getLong(FAULT_VALUE_FIELD_OFFSET));
        assertEquals(0, region.getShort(MAC_FIELD_OFFSET + MAC_LENGTH));
    }

    @Test
    void shouldStoreMagicAsAsciiScprInMemory()
    {
        writeHeader(region, 1, DEFAULT_SHARED_PAGES, MAC, 0);
        assertEquals("SCPR", region.getStringWithoutLengthAscii(MAGIC_FIELD_OFFSET, 4));
    }

    @Test
    void shouldRejectHeaderWhenNotInitialised()
    {
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkHeader(MAGIC, 0, REGION_LENGTH));
        assertEquals("port region not initialised: version=0", ex.getMessage());
    }

    @Test
    void shouldRejectHeaderWhenMagicMismatches()
    {
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkHeader(0x12345678, LAYOUT_VERSION, REGION_LENGTH));
        assertEquals("port region magic mismatch: expected=0x52504353 found=0x12345678", ex.getMessage());
    }

    @Test
    void shouldRejectHeaderWhenVersionMismatches()
    {
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkHeader(MAGIC, 1, REGION_LENGTH));
        assertEquals("port region version mismatch: expected=2 found=1", ex.getMessage());
    }

    @Test
    void shouldRejectHeaderWhenMappingTooShort()
    {
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkHeader(MAGIC, LAYOUT_VERSION, REGION_LENGTH - 1));
        assertEquals("port region too short: required=4096 mapped=4095", ex.getMessage());
    }

    @Test
    void shouldRejectMappedRegionTooShortToHoldVersion()
    {
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkHeader(region, 7));
        assertEquals("port region too short: required=4096 mapped=7", ex.getMessage());
    }

    @Test
    void shouldRejectMappedRegionWithForeignMagicAfterReadingVersion()
    {
        writeHeader(region, 1, DEFAULT_SHARED_PAGES, MAC, 0);
        signalReady(region);
        region.putInt(MAGIC_FIELD_OFFSET, 0xCAFE);
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkHeader(region, REGION_LENGTH));
        assertEquals("port region magic mismatch: expected=0x52504353 found=0xcafe", ex.getMessage());
    }

    @Test
    void shouldRejectWriteHeaderWhenBufferTooShort()
    {
        final UnsafeBuffer small = new UnsafeBuffer(BufferUtil.allocateDirectAligned(HEADER_LENGTH - 64, 64));
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> writeHeader(small, 1, DEFAULT_SHARED_PAGES, MAC, 0));
        assertEquals("port region buffer too short: required=4096 capacity=4032", ex.getMessage());
    }

    @Test
    void shouldRejectWriteHeaderWhenMacIsNotSixBytes()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> writeHeader(region, 1, DEFAULT_SHARED_PAGES, new byte[5], 0));
        assertEquals("MAC address must be 6 bytes: length=5", ex.getMessage());
        assertEquals(0, region.getInt(MAGIC_FIELD_OFFSET), "nothing written on rejection");
    }

    @Test
    void shouldRejectWriteHeaderWhenFeatureUnknown()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> writeHeader(region, 1, DEFAULT_SHARED_PAGES, MAC, 0x11));
        assertEquals("unknown port features: 0x10", ex.getMessage());
    }

    @Test
    void shouldShareExactlyTheTwoRingPagesByDefault()
    {
        assertEquals(2, Integer.bitCount(DEFAULT_SHARED_PAGES));
        assertTrue(isShared(DEFAULT_SHARED_PAGES, E1000Registers.RDT));
        assertTrue(isShared(DEFAULT_SHARED_PAGES, E1000Registers.TDT));
        assertFalse(isShared(DEFAULT_SHARED_PAGES, E1000Registers.ICR));
    }
}
