package io.sidecore.shm;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteOrder;

import static io.sidecore.shm.CsbDescriptor.CSB_ALIGNMENT;
import static io.sidecore.shm.CsbDescriptor.CSB_LENGTH;
import static io.sidecore.shm.CsbDescriptor.CSB_NOT_INITIALISED;
import static io.sidecore.shm.CsbDescriptor.CSB_OK;
import static io.sidecore.shm.CsbDescriptor.CSB_VERSION;
import static io.sidecore.shm.CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.GUEST_RDT_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.GUEST_TDT_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.HOST_GROUP_OFFSET;
import static io.sidecore.shm.CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.HOST_RDH_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.HOST_TDH_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.HOST_TXCYCLES_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.HOST_TXCYCLES_LIM_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.HOST_VERSION_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.MAGIC;
import static io.sidecore.shm.CsbDescriptor.MAGIC_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.NEED_KICK;
import static io.sidecore.shm.CsbDescriptor.NO_KICK;
import static io.sidecore.shm.CsbDescriptor.VERSION_FIELD_OFFSET;
import static io.sidecore.shm.CsbDescriptor.checkCsb;
import static io.sidecore.shm.CsbDescriptor.checkCsbAddress;
import static io.sidecore.shm.CsbDescriptor.checkServedByHost;
import static io.sidecore.shm.CsbDescriptor.csbGpa;
import static io.sidecore.shm.CsbDescriptor.csbStatus;
import static io.sidecore.shm.CsbDescriptor.isCsbAddressAligned;
import static io.sidecore.shm.CsbDescriptor.isServedByHost;
import static io.sidecore.shm.LayoutAssertions.LayoutField;
import static io.sidecore.shm.LayoutAssertions.assertLayout;
import static io.sidecore.shm.LayoutAssertions.assertWriterGroupsSeparate;
import static io.sidecore.shm.LayoutAssertions.field;
import static io.sidecore.shm.LayoutAssertions.intConstant;
import static io.sidecore.shm.LayoutAssertions.parseInt;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsbDescriptorTest
{
    private static final LayoutField[] GUEST_GROUP = {
        field("magic", MAGIC_FIELD_OFFSET, 4),
        field("version", VERSION_FIELD_OFFSET, 4),
        field("guest_tdt", GUEST_TDT_FIELD_OFFSET, 4),
        field("guest_rdt", GUEST_RDT_FIELD_OFFSET, 4),
        field("guest_need_txkick", GUEST_NEED_TXKICK_FIELD_OFFSET, 4),
        field("guest_need_rxkick", GUEST_NEED_RXKICK_FIELD_OFFSET, 4),
    };

    private static final LayoutField[] HOST_GROUP = {
        field("host_version", HOST_VERSION_FIELD_OFFSET, 4),
        field("host_tdh", HOST_TDH_FIELD_OFFSET, 4),
        field("host_rdh", HOST_RDH_FIELD_OFFSET, 4),
        field("host_need_txkick", HOST_NEED_TXKICK_FIELD_OFFSET, 4),
        field("host_need_rxkick", HOST_NEED_RXKICK_FIELD_OFFSET, 4),
        field("host_txcycles_lim", HOST_TXCYCLES_LIM_FIELD_OFFSET, 4),
        field("host_txcycles", HOST_TXCYCLES_FIELD_OFFSET, 4),
    };

    private final UnsafeBuffer csb = new UnsafeBuffer(BufferUtil.allocateDirectAligned(CSB_LENGTH, CSB_ALIGNMENT));

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "MAGIC, 0x42534353", "CSB_VERSION, 1", "CSB_LENGTH, 256", "CSB_ALIGNMENT, 128",
        "NEED_KICK, 1", "NO_KICK, 0",
        "CSB_OK, 0", "CSB_NOT_INITIALISED, 1", "CSB_BAD_MAGIC, 2", "CSB_BAD_VERSION, 3",
        "GUEST_GROUP_OFFSET, 0", "MAGIC_FIELD_OFFSET, 0", "VERSION_FIELD_OFFSET, 4", "GUEST_TDT_FIELD_OFFSET, 8",
        "GUEST_RDT_FIELD_OFFSET, 12", "GUEST_NEED_TXKICK_FIELD_OFFSET, 16", "GUEST_NEED_RXKICK_FIELD_OFFSET, 20",
        "HOST_GROUP_OFFSET, 128", "HOST_VERSION_FIELD_OFFSET, 128", "HOST_TDH_FIELD_OFFSET, 132",
        "HOST_RDH_FIELD_OFFSET, 136", "HOST_NEED_TXKICK_FIELD_OFFSET, 140", "HOST_NEED_RXKICK_FIELD_OFFSET, 144",
        "HOST_TXCYCLES_LIM_FIELD_OFFSET, 148", "HOST_TXCYCLES_FIELD_OFFSET, 152",
    })
    void shouldPinCsbConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(CsbDescriptor.class, name));
    }

    @Test
    void shouldPinEveryCsbConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(
            CsbDescriptor.class, CsbDescriptorTest.class, "shouldPinCsbConstant");
    }

    @Test
    void shouldLayOutCsbWithoutOverlap()
    {
        final LayoutField[] all = new LayoutField[GUEST_GROUP.length + HOST_GROUP.length];
        System.arraycopy(GUEST_GROUP, 0, all, 0, GUEST_GROUP.length);
        System.arraycopy(HOST_GROUP, 0, all, GUEST_GROUP.length, HOST_GROUP.length);
        assertLayout("CSB", CSB_LENGTH, all);
    }

    @Test
    void shouldSeparateGuestAndHostWriterGroups()
    {
        assertWriterGroupsSeparate("CSB", GUEST_GROUP, HOST_GROUP);
        assertEquals(0, HOST_GROUP_OFFSET % LayoutUtil.WRITER_GROUP_LENGTH);
        assertEquals(0, CSB_LENGTH % LayoutUtil.WRITER_GROUP_LENGTH);
        assertEquals(0, CSB_ALIGNMENT % LayoutUtil.CACHE_LINE_LENGTH, "groups stay on whole cache lines");
    }

    @Test
    void shouldLocateCsbThroughRegistersInTheRxRingPage()
    {
        assertEquals(0x2830, E1000Registers.CSBAL);
        assertEquals(0x2834, E1000Registers.CSBAH);
        assertEquals(E1000Registers.RX_RING_PAGE_OFFSET, E1000Registers.CSBAL & -E1000Registers.PAGE_LENGTH);
        assertEquals(0x1101, PciConfig.SUBSYSTEM_ID_CSB);
    }

    @ParameterizedTest(name = "CSBAL=0x{0} CSBAH=0x{1} -> 0x{2}")
    @CsvSource({
        "0, 0, 0", "12345680, 0, 12345680", "80000000, 1, 180000000", "FFFFFF80, FFFFFFFF, FFFFFFFFFFFFFF80",
    })
    void shouldComposeCsbAddressFromRegisters(final String lowHex, final String highHex, final String gpaHex)
    {
        final long expected = Long.parseUnsignedLong(gpaHex, 16);
        assertEquals(expected, csbGpa((int)Long.parseLong(lowHex, 16), (int)Long.parseLong(highHex, 16)));
    }

    @ParameterizedTest(name = "gpa=0x{0} aligned={1}")
    @CsvSource({ "0, true", "80, true", "100000, true", "40, false", "8, false", "FFFFFFFFFFFFFF80, true" })
    void shouldRequireCsbAlignment(final String gpaHex, final boolean aligned)
    {
        assertEquals(aligned, isCsbAddressAligned(Long.parseUnsignedLong(gpaHex, 16)));
    }

    @Test
    void shouldRejectMisalignedCsbAddressWithExactMessage()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> checkCsbAddress(0x1040));
        assertEquals("CSB address not aligned to 128: gpa=0x1040", ex.getMessage());
        assertDoesNotThrow(() -> checkCsbAddress(0x1080));
    }

    @ParameterizedTest(name = "magic=0x{0} version={1} -> {2}")
    @CsvSource({
        "42534353, 1, 0", "42534353, 0, 1", "0, 0, 1", "DEADBEEF, 1, 2", "42534353, 2, 3", "42534353, -1, 3",
    })
    void shouldClassifyCsbWithoutThrowing(final String magicHex, final int version, final int expectedStatus)
    {
        assertEquals(expectedStatus, csbStatus((int)Long.parseLong(magicHex, 16), version));
    }

    @Test
    void shouldRejectCsbWhenNotInitialised()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> checkCsb(MAGIC, 0));
        assertEquals("CSB not initialised: version=0", ex.getMessage());
    }

    @Test
    void shouldRejectCsbWhenMagicMismatches()
    {
        final IllegalStateException ex = assertThrows(
            IllegalStateException.class, () -> checkCsb(0xDEADBEEF, CSB_VERSION));
        assertEquals("CSB magic mismatch: expected=0x42534353 found=0xdeadbeef", ex.getMessage());
    }

    @Test
    void shouldRejectCsbWhenVersionMismatches()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> checkCsb(MAGIC, 7));
        assertEquals("CSB version mismatch: expected=1 found=7", ex.getMessage());
    }

    @Test
    void shouldAcceptValidCsb()
    {
        assertDoesNotThrow(() -> checkCsb(MAGIC, CSB_VERSION));
    }

    @Test
    void shouldRoundTripGuestRegistrationWithVersionWrittenLast()
    {
        csb.putInt(GUEST_TDT_FIELD_OFFSET, 17, ByteOrder.LITTLE_ENDIAN);
        csb.putInt(GUEST_RDT_FIELD_OFFSET, 254, ByteOrder.LITTLE_ENDIAN);
        csb.putInt(GUEST_NEED_TXKICK_FIELD_OFFSET, NO_KICK, ByteOrder.LITTLE_ENDIAN);
        csb.putInt(GUEST_NEED_RXKICK_FIELD_OFFSET, NEED_KICK, ByteOrder.LITTLE_ENDIAN);
        csb.putInt(MAGIC_FIELD_OFFSET, MAGIC, ByteOrder.LITTLE_ENDIAN);

        assertEquals(CSB_NOT_INITIALISED, csbStatus(csb.getInt(MAGIC_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN),
            csb.getIntVolatile(VERSION_FIELD_OFFSET)), "host must not serve the block before the version");

        csb.putIntRelease(VERSION_FIELD_OFFSET, CSB_VERSION);

        final int version = csb.getIntAcquire(VERSION_FIELD_OFFSET);
        final int magic = csb.getInt(MAGIC_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN);
        assertEquals(CSB_OK, csbStatus(magic, version));
        assertEquals(17, csb.getInt(GUEST_TDT_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(254, csb.getInt(GUEST_RDT_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals("SCSB", csb.getStringWithoutLengthAscii(MAGIC_FIELD_OFFSET, 4));
    }

    @Test
    void shouldRoundTripHostAcceptanceWithHostVersionWrittenLast()
    {
        csb.putInt(HOST_TDH_FIELD_OFFSET, 3, ByteOrder.LITTLE_ENDIAN);
        csb.putInt(HOST_RDH_FIELD_OFFSET, 5, ByteOrder.LITTLE_ENDIAN);
        csb.putInt(HOST_NEED_TXKICK_FIELD_OFFSET, NO_KICK, ByteOrder.LITTLE_ENDIAN);
        csb.putInt(HOST_TXCYCLES_LIM_FIELD_OFFSET, 1000, ByteOrder.LITTLE_ENDIAN);
        assertFalse(isServedByHost(csb.getIntAcquire(HOST_VERSION_FIELD_OFFSET)));

        csb.putIntRelease(HOST_VERSION_FIELD_OFFSET, CSB_VERSION);

        assertTrue(isServedByHost(csb.getIntAcquire(HOST_VERSION_FIELD_OFFSET)));
        assertDoesNotThrow(() -> checkServedByHost(csb.getIntAcquire(HOST_VERSION_FIELD_OFFSET)));
        assertEquals(3, csb.getInt(HOST_TDH_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(5, csb.getInt(HOST_RDH_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1000, csb.getInt(HOST_TXCYCLES_LIM_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldTellGuestWhenHostDoesNotServeCsb()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> checkServedByHost(0));
        assertEquals("CSB not served by host: host_version=0", ex.getMessage());
    }

    @Test
    void shouldTellGuestWhenHostServesAnotherVersion()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> checkServedByHost(2));
        assertEquals("CSB host version mismatch: expected=1 found=2", ex.getMessage());
        assertFalse(isServedByHost(2));
    }
}
