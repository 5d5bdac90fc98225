package io.sidecore.launcher.vfiouser;

import com.fasterxml.jackson.databind.JsonNode;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.os.Mmap;
import io.sidecore.shm.vfiouser.VfioUserCommand;
import io.sidecore.shm.vfiouser.VfioUserDeviceInfo;
import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserIrqInfo;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import io.sidecore.shm.vfiouser.VfioUserVersion;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.VfioUserClientException;
import io.sidecore.shm.vfiouser.VfioUserRegion;
import io.sidecore.shm.vfiouser.VfioUserReply;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.assertErrorReply;
import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.assertStillServing;
import static io.sidecore.launcher.vfiouser.VfioUserTestSupport.exchange;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's handling of every message QEMU sends, over a real Unix socket with a scripted QEMU-like client and
 * a recording fake device: replies, their sizes against QEMU's limits, the fds they carry, and what the device
 * was told.
 */
class VfioUserServerTest extends ConnectedClientTest
{
    @Test
    void shouldOfferFdsAndTransferSizeButNotWriteMultipleWhenQemuProposesItsCapabilities() throws IOException
    {
        try (VfioUserClient second = reconnect())
        {
            final JsonNode capabilities = second.negotiateVersion();
            assertEquals(VfioUserVersion.SERVER_MAX_MSG_FDS, capabilities.get(VfioUserVersion.MAX_MSG_FDS).asInt());
            assertEquals(VfioUserVersion.DEFAULT_MAX_DATA_XFER_SIZE,
                capabilities.get(VfioUserVersion.MAX_DATA_XFER_SIZE).asInt());
            assertFalse(capabilities.has(VfioUserVersion.WRITE_MULTIPLE));
        }
    }

    @Test
    void shouldReplyWithEmptyCapabilitiesWhenVersionRequestIsTooShortForTheFullReply() throws IOException
    {
        try (VfioUserClient second = reconnect())
        {
            final byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
            final UnsafeBuffer message = second.newMessage(VfioUserCommand.VERSION,
                VfioUserVersion.messageLength(json.length), VfioUserHeader.TYPE_COMMAND);
            message.putBytes(VfioUserVersion.JSON_OFFSET, json);
            final VfioUserReply reply = exchange(second, message);
            assertEquals(VfioUserHeader.TYPE_REPLY, reply.flags());
            assertTrue(reply.size() <= message.capacity(), "QEMU receives the reply into the request's buffer");
            assertEquals("{}", new String(reply.message().byteArray(), VfioUserVersion.JSON_OFFSET,
                reply.size() - 1 - VfioUserVersion.JSON_OFFSET, StandardCharsets.UTF_8));
            assertEquals(0, reply.message().getByte(reply.size() - 1), "JSON ends with NUL");
            assertStillServing(second);
        }
    }

    @Test
    void shouldReportPciDeviceWithResetNineRegionsAndFiveIrqIndexesWhenAskedForDeviceInfo()
    {
        final int[] info = client.deviceInfo();
        assertEquals(VfioUserDeviceInfo.FLAG_PCI | VfioUserDeviceInfo.FLAG_RESET, info[0]);
        assertEquals(9, info[1]);
        assertEquals(5, info[2]);
    }

    @Test
    void shouldOfferDoorbellPagesFromOneFdOnlyInTheSecondStepOfRegionInfo()
    {
        final UnsafeBuffer first = client.newMessage(VfioUserCommand.DEVICE_GET_REGION_INFO,
            VfioUserRegionInfo.MESSAGE_LENGTH, VfioUserHeader.TYPE_COMMAND);
        first.putInt(VfioUserRegionInfo.ARGSZ_OFFSET, VfioUserRegionInfo.INFO_ARGSZ, LITTLE_ENDIAN);
        final VfioUserReply firstReply = exchange(client, first);
        assertEquals(VfioUserRegionInfo.MESSAGE_LENGTH, firstReply.size(), "no more than 16 + argsz");
        assertEquals(80, firstReply.intAt(VfioUserRegionInfo.ARGSZ_OFFSET), "argsz names the full size");
        assertEquals(0, firstReply.fds().length, "no fd before the caps fit");
        assertEquals(0, firstReply.intAt(VfioUserRegionInfo.FLAGS_OFFSET) & VfioUserRegionInfo.FLAG_CAPS,
            "CAPS with cap_offset 0 would make QEMU fail the query");

        final VfioUserRegion bar0 = client.regionInfo(VfioUserRegionInfo.BAR0_REGION_INDEX);
        try
        {
            assertEquals(E1000Registers.BAR0_LENGTH, bar0.sizeBytes());
            assertEquals(VfioUserRegionInfo.FLAG_READ | VfioUserRegionInfo.FLAG_WRITE | VfioUserRegionInfo.FLAG_MMAP |
                VfioUserRegionInfo.FLAG_CAPS, bar0.flags());
            assertEquals(2, bar0.areaCount());
            assertEquals(E1000Registers.RX_RING_PAGE_OFFSET, bar0.areaOffsets()[0]);
            assertEquals(E1000Registers.TX_RING_PAGE_OFFSET, bar0.areaOffsets()[1]);
            assertEquals(4096, bar0.areaSizes()[1]);
            assertTrue(bar0.fd() >= 0, "the doorbell fd comes with the second reply");

            // what QEMU does with it: map the TX page and let the guest store TDT into it, no message
            final MemorySegment txPage = Mmap.mapShared(bar0.fd(),
                bar0.regionFileOffset() + bar0.areaOffsets()[1], bar0.areaSizes()[1], true, Arena.ofAuto());
            txPage.set(JAVA_INT_UNALIGNED, E1000Registers.TDT - E1000Registers.TX_RING_PAGE_OFFSET, 0x2A);
            assertEquals(0x2A, (int)support.device.doorbellLong(E1000Registers.TDT));
        }
        finally
        {
            FakeVfioUserDevice.closeFd(bar0.fd());
        }
    }

    @ParameterizedTest(name = "region {0}: size {1}, flags {2}")
    @CsvSource({"1, 64, 3", "2, 0, 0", "5, 0, 0", "6, 0, 0", "7, 256, 3", "8, 0, 0"})
    void shouldDescribeRegionWithoutMmapWhenItIsNotBar0(final int index, final long size, final int flags)
    {
        final VfioUserRegion region = client.regionInfo(index);
        assertEquals(size, region.sizeBytes());
        assertEquals(flags, region.flags());
        assertEquals(-1, region.fd());
    }

    @Test
    void shouldRefuseRegionInfoWhenIndexIsBeyondTheNineRegions()
    {
        final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
            () -> client.regionInfo(VfioUserRegionInfo.REGION_COUNT));
        assertEquals(VfioUserErrno.EINVAL, refused.errno());
        assertStillServing(client);
    }

    @Test
    void shouldOfferBar0WithoutMmapWhenTheDeviceDescribesBadDoorbellPages()
    {
        support.device.offeredPages = new DoorbellPages(support.device.doorbells.fd(), 0, new long[]{0x2001});
        final VfioUserRegion bar0 = client.regionInfo(VfioUserRegionInfo.BAR0_REGION_INDEX);
        assertEquals(VfioUserRegionInfo.FLAG_READ | VfioUserRegionInfo.FLAG_WRITE, bar0.flags());
        assertEquals(-1, bar0.fd());
    }

    @ParameterizedTest(name = "IRQ index {0}: flags {1}, count {2}")
    @CsvSource({"0, 7, 1", "1, 0, 0", "2, 0, 0", "3, 0, 0", "4, 0, 0"})
    void shouldReportOneAutomaskedIntxAndNoOtherInterruptsWhenAskedForIrqInfo(
        final int index, final int flags, final int count)
    {
        final int[] info = client.irqInfo(index);
        assertEquals(flags, info[0]);
        assertEquals(count, info[1]);
    }

    @Test
    void shouldRefuseIrqInfoWhenIndexIsUnknown()
    {
        final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
            () -> client.irqInfo(VfioUserIrqInfo.IRQ_INDEX_COUNT));
        assertEquals(VfioUserErrno.EINVAL, refused.errno());
        assertStillServing(client);
    }

    @Test
    void shouldHandGuestMemoryFdToDeviceWhenMappedWithFd()
    {
        final int before = FakeVfioUserDevice.openFdCount();
        try (MemFd ram = MemFd.create("guest-ram", 1 << 20))
        {
            client.dmaMap(ram.fd(), 0, 0x100000, 1 << 20, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            assertTrue(support.device.mappedFdWasUsable, "the device could map the fd it was handed");
            final MemorySegment clientView = ram.map(Arena.ofAuto());
            clientView.set(JAVA_INT_UNALIGNED, 64, 0x5EED);
            assertEquals(0x5EED, support.device.mappedGuestMemory.getFirst().get(JAVA_INT_UNALIGNED, 64),
                "device and client see the same guest memory");
        }
        assertEquals(before, FakeVfioUserDevice.openFdCount(), "the server closed its copy of the fd");
        assertEquals(List.of("map 0x100000 0x100000 fd r w"), support.device.calls);
    }

    @Test
    void shouldRecordMapWithoutFdAsNotDirectlyAccessible()
    {
        client.dmaMap(-1, 0, 0xFEB00000L, 0x1000, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
        assertEquals(List.of("map 0xfeb00000 0x1000 nofd r w"), support.device.calls);
        client.dmaUnmap(0xFEB00000L, 0x1000);
    }

    @Test
    void shouldRefuseMapWithEexistWhenItOverlapsAnExistingMapping()
    {
        client.dmaMap(-1, 0, 0x10000, 0x4000, VfioUserDmaMap.FLAG_READ);
        for (final long iova : new long[]{0x10000, 0xF000, 0x13000, 0x11000})
        {
            final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                () -> client.dmaMap(-1, 0, iova, 0x2000, VfioUserDmaMap.FLAG_READ));
            assertEquals(VfioUserErrno.EEXIST, refused.errno(), "iova 0x" + Long.toHexString(iova));
        }
        client.dmaMap(-1, 0, 0x14000, 0x1000, VfioUserDmaMap.FLAG_READ);
        assertEquals(2, support.device.calls.size(), "refused maps never reached the device");
    }

    @ParameterizedTest(name = "iova {0} size {1} offset {2} flags {3}")
    @CsvSource({
        "0x1000, 0, 0, 1", "0x1001, 0x1000, 0, 1", "0x1000, 0x1800, 0, 1", "0x1000, 0x1000, 0, 4",
        "0xFFFFFFFFFFFFF000, 0x2000, 0, 1", "0x0, 0x0010000000001000, 0, 1", "0x000FFFFFFFFFF000, 0x2000, 0, 1",
        "0x7FFFFFFFFFFFF000, 0x1000, 0, 3"})
    void shouldRefuseMapWithEinvalWhenRangeIsAbsurd(
        final String iova, final String size, final String offset, final int flags)
    {
        final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
            () -> client.dmaMap(-1, hex(offset), hex(iova), hex(size), flags));
        assertEquals(VfioUserErrno.EINVAL, refused.errno());
        assertTrue(support.device.calls.isEmpty());
        assertStillServing(client);
    }

    @Test
    void shouldRefuseMapWithEinvalWhenFileRangeOverflows()
    {
        try (MemFd ram = MemFd.create("guest-ram", 4096))
        {
            final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
                () -> client.dmaMap(ram.fd(), 0x7FFFFFFFFFFFF000L, 0x1000, 0x2000, VfioUserDmaMap.FLAG_READ));
            assertEquals(VfioUserErrno.EINVAL, refused.errno());
        }
        assertStillServing(client);
    }

    @Test
    void shouldRefuseUnmapWithEnoentWhenNoMappingMatchesExactly()
    {
        client.dmaMap(-1, 0, 0x20000, 0x2000, VfioUserDmaMap.FLAG_READ);
        final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
            () -> client.dmaUnmap(0x20000, 0x1000));
        assertEquals(VfioUserErrno.ENOENT, refused.errno());
        client.dmaUnmap(0x20000, 0x2000);
        assertEquals(List.of("map 0x20000 0x2000 nofd r", "unmap-begin 0x20000 0x2000", "unmap-end 0x20000"),
            support.device.calls);
    }

    @Test
    void shouldForgetEveryMappingWhenUnmappingAll()
    {
        client.dmaMap(-1, 0, 0x20000, 0x2000, VfioUserDmaMap.FLAG_READ);
        client.dmaMap(-1, 0, 0x40000, 0x2000, VfioUserDmaMap.FLAG_READ);
        client.dmaUnmapAll();
        client.dmaMap(-1, 0, 0x20000, 0x2000, VfioUserDmaMap.FLAG_READ);
        assertEquals("unmap-all", support.device.calls.get(2));
    }

    @Test
    void shouldPassDeviceErrnoWhenDeviceRefusesTheMapping()
    {
        support.device.dmaMapErrno = VfioUserErrno.EINVAL;
        final VfioUserClientException refused = assertThrows(VfioUserClientException.class,
            () -> client.dmaMap(-1, 0, 0x20000, 0x2000, VfioUserDmaMap.FLAG_READ));
        assertEquals(VfioUserErrno.EINVAL, refused.errno());
        support.device.dmaMapErrno = 0;
        client.dmaMap(-1, 0, 0x20000, 0x2000, VfioUserDmaMap.FLAG_READ);
    }

    @ParameterizedTest(name = "BAR0 {0}-byte access at 0x{1}")
    @CsvSource({"1, C3", "2, C2", "4, C0", "8, 5400"})
    void shouldPassAccessSizeToDeviceWhenBarIsAccessed(final int sizeBytes, final String hexOffset)
    {
        final long offset = Long.parseLong(hexOffset, 16);
        final long value = 0x1122334455667788L >>> (64 - 8 * sizeBytes);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, offset, sizeBytes, value, false);
        assertEquals(value, client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, offset, sizeBytes));
        assertEquals(List.of("write 0 0x" + hexOffset.toLowerCase() + " " + sizeBytes + " 0x" + Long.toHexString(value),
            "read 0 0x" + hexOffset.toLowerCase() + " " + sizeBytes), support.device.calls);
    }

    @Test
    void shouldReadWholeConfigSpaceAsDwordsWhenQemuReadsItAtRealize()
    {
        support.device.config[0] = (byte)0x86;
        support.device.config[1] = (byte)0x80;
        support.device.config[255] = 0x5A;
        final VfioUserReply reply = client.regionReadBytes(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0, 256);
        assertEquals(0x8086, reply.message().getShort(VfioUserRegionAccess.DATA_OFFSET, LITTLE_ENDIAN) & 0xFFFF);
        assertEquals(0x5A, reply.message().getByte(VfioUserRegionAccess.DATA_OFFSET + 255));
        assertEquals(64, support.device.calls.size(), "split into 64 dword reads");
        assertEquals("read 7 0xfc 4", support.device.calls.getLast());
    }

    @Test
    void shouldSplitAnEightByteConfigReadIntoTwoDwords()
    {
        // Config space reaches the device in accesses of at most 4 bytes (the VfioUserDevice contract); an 8-byte
        // dword run is no exception (found by the fuzzer's vfio-user lies: it reached the device as one 8-byte read).
        support.device.config[8] = 0x03;
        support.device.config[12] = 0x10;
        final VfioUserReply reply = client.regionReadBytes(VfioUserRegionInfo.CONFIG_REGION_INDEX, 8, 8);
        assertEquals(0x03, reply.message().getByte(VfioUserRegionAccess.DATA_OFFSET));
        assertEquals(0x10, reply.message().getByte(VfioUserRegionAccess.DATA_OFFSET + 4));
        assertEquals(List.of("read 7 0x8 4", "read 7 0xc 4"), support.device.calls);
    }

    @ParameterizedTest(name = "region {0} offset 0x{1} count {2} write {3}")
    @CsvSource({
        "0, 20000, 4, false", "0, 1FFFC, 8, false", "0, 2, 4, false", "0, 1, 2, true", "0, 0, 3, true",
        "0, 0, 16, false", "1, 40, 1, false", "1, 3C, 8, true", "7, 100, 1, false", "7, FE, 4, true",
        "7, 2, 8, false", "7, 0, 8, true", "2, 0, 4, false", "6, 0, 4, false", "9, 0, 4, false",
        "0, FFFFFFFFFFFFFFFC, 4, false", "0, 0, 0, false"})
    void shouldRefuseAccessWithEinvalWhenOutOfRangeOrMisaligned(
        final int region, final String hexOffset, final int count, final boolean write)
    {
        final long offset = Long.parseUnsignedLong(hexOffset, 16);
        final VfioUserClientException refused = assertThrows(VfioUserClientException.class, () ->
        {
            if (write)
            {
                client.regionWrite(region, offset, count, 0, false);
            }
            else
            {
                client.regionRead(region, offset, count);
            }
        });
        assertEquals(VfioUserErrno.EINVAL, refused.errno());
        assertTrue(support.device.calls.isEmpty(), "the device never saw it");
        assertEquals(1, support.server.trappedAccesses().rejectedAccesses());
        assertStillServing(client);
    }

    @Test
    void shouldTimeEveryMessageItServes()
    {
        final long before = served(support.server.trappedAccesses().serviceTimeBuckets());

        for (int i = 0; i < 3; i++)
        {
            client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4);
        }

        // The connection thread counts a message after writing its reply, so the last count may trail the reply.
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (served(support.server.trappedAccesses().serviceTimeBuckets()) - before < 3 &&
            System.nanoTime() - deadlineNs < 0)
        {
            Thread.onSpinWait();
        }
        // The set-up's last message may have been counted after 'before' was read (its count trails its reply too);
        // every message before the first of these three was counted before the server read that one.
        final long counted = served(support.server.trappedAccesses().serviceTimeBuckets()) - before;
        assertTrue(3 == counted || 4 == counted, "the three reads counted once each: " + counted);
        assertTrue(support.server.trappedAccesses().serviceTimeMaxNs() > 0);
    }

    private static long served(final long[] buckets)
    {
        long total = 0;
        for (final long count : buckets)
        {
            total += count;
        }
        return total;
    }

    @Test
    void shouldApplyPostedWritesInOrderWithoutReplyingWhenReadFollows()
    {
        for (int i = 1; i <= 50; i++)
        {
            client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4, i, true);
        }
        assertEquals(50, client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.IMS, 4),
            "the read saw every posted write before it, and the only reply was the read's");
        assertEquals(51, support.device.calls.size());
        assertEquals("write 0 0xd0 4 0x1", support.device.calls.getFirst());
        assertEquals(50, support.server.trappedAccesses().postedWrites());
    }

    @Test
    void shouldCountTrappedDoorbellWritesApartFromOtherTrappedAccesses()
    {
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, 4, 5, false);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, 4, 6, true);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.RDT, 4, 7, false);
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, 8, 7, false);
        client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, 4);
        client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.ICR, 4);
        client.regionRead(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0, 2);

        final TrappedAccessCounts counts = support.server.trappedAccesses();
        assertEquals(3, counts.trappedTdtWrites(), "two 4-byte TDT writes and an 8-byte write covering TDT");
        assertEquals(1, counts.trappedRdtWrites());
        assertEquals(3, counts.otherTrappedAccesses(), "reads, including a TDT read, are not doorbells");
        assertEquals(3, counts.count(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, true));
        assertEquals(1, counts.count(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, false));
        assertEquals(1, counts.count(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0, false));
        assertEquals(5, counts.snapshot().size(), "one entry per region, offset and direction");
    }

    @Test
    void shouldResetDeviceWithHeaderOnlyReplyWhenAskedToReset()
    {
        client.reset();
        assertEquals(List.of("reset"), support.device.calls);
    }

    @Test
    void shouldRefuseDeviceFeatureWithEnottySoQemuBlocksMigration()
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DEVICE_FEATURE, 24,
            VfioUserHeader.TYPE_COMMAND);
        message.putInt(16, 8, LITTLE_ENDIAN);
        message.putInt(20, (1 << 18) | 1, LITTLE_ENDIAN);
        assertErrorReply(exchange(client, message), client.lastId(), VfioUserCommand.DEVICE_FEATURE,
            VfioUserErrno.ENOTTY);
        assertStillServing(client);
    }

    @Test
    void shouldApplyEveryWriteOfWriteMultiInOrder()
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.REGION_WRITE_MULTI, 24 + 2 * 24,
            VfioUserHeader.FLAG_NO_REPLY);
        message.putLong(16, 2, LITTLE_ENDIAN);
        message.putLong(24, E1000Registers.IMS, LITTLE_ENDIAN);
        message.putInt(32, 0, LITTLE_ENDIAN);
        message.putInt(36, 4, LITTLE_ENDIAN);
        message.putInt(40, 0x9D, LITTLE_ENDIAN);
        message.putLong(48, E1000Registers.TDT, LITTLE_ENDIAN);
        message.putInt(56, 0, LITTLE_ENDIAN);
        message.putInt(60, 4, LITTLE_ENDIAN);
        message.putInt(64, 3, LITTLE_ENDIAN);
        client.sendRaw(message.byteArray());
        assertEquals(3, client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, E1000Registers.TDT, 4));
        assertEquals(List.of("write 0 0xd0 4 0x9d", "write 0 0x3818 4 0x3", "read 0 0x3818 4"),
            support.device.calls);
        assertEquals(1, support.server.trappedAccesses().trappedTdtWrites());
    }

    private static long hex(final String text)
    {
        return Long.parseUnsignedLong(text.startsWith("0x") ? text.substring(2) : text, 16);
    }
}
