package io.sidecore.engine.mem;

import io.sidecore.shm.os.MemFd;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.sidecore.engine.mem.GuestMemory.NO_MAPPING;
import static io.sidecore.engine.mem.GuestMemoryRegion.READ;
import static io.sidecore.engine.mem.GuestMemoryRegion.READ_WRITE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The DMA_MAP/DMA_UNMAP stream QEMU sends for a 4 GiB {@code pc} guest whose RAM is one sealed
 * {@code memory-backend-memfd} (sparse here: only touched pages cost memory): RAM below and above the PCI hole as
 * offsets of one file, the option ROM and BIOS without a file, firmware turning the 0xC0000-0xFFFFF shadow into RAM
 * (PAM) with its top 64 KiB read-only again, the device's own BAR mapped and unmapped as the guest probes, then a
 * reboot that unmaps everything and maps it again. Bytes written through the regions land at the right file
 * offsets and survive the reboot.
 */
class QemuMemoryMapTest
{
    private static final long GIB = 1L << 30;
    private static final long RAM_BYTES = 4 * GIB;
    private static final long BELOW_4G_END = 3 * GIB;
    private static final long ABOVE_4G = 4 * GIB;
    private static final long BAR0_GPA = 0xFEB8_0000L;

    private final GuestMemoryMapper mapper = new GuestMemoryMapper(GuestMemoryMapper.SealPolicy.REQUIRE_SHRINK_SEAL);
    private final GuestMemory memory = new GuestMemory();
    private final MemFd ram = MemFd.createSealed("sc-pc.ram", RAM_BYTES);
    private final Arena fileArena = Arena.ofConfined();
    private final MemorySegment file = ram.map(fileArena);

    @AfterEach
    void tearDown()
    {
        release(memory.removeAll());
        fileArena.close();
        ram.close();
    }

    @Test
    void shouldFollowQemuMemoryMapThroughBootAndReboot() throws IOException
    {
        mapAtMachineStart();

        assertEquals(6, memory.regionCount());
        write(0x1000L, 0x1111L);
        write(BELOW_4G_END - 8, 0x2222L);
        write(ABOVE_4G + 0x1000L, 0x3333L);
        assertEquals(0x1111L, file.get(JAVA_LONG, 0x1000L));
        assertEquals(0x2222L, file.get(JAVA_LONG, BELOW_4G_END - 8));
        assertEquals(0x3333L, file.get(JAVA_LONG, BELOW_4G_END + 0x1000L), "above 4G is file offset 3 GiB on");
        assertRejected(GuestMemory.Rejection.PAST_REGION_END, BELOW_4G_END - 8, 16, false);
        assertRejected(GuestMemory.Rejection.NOT_HOST_MAPPED, 0xC0000L, 16, false);
        assertRejected(GuestMemory.Rejection.NOT_HOST_MAPPED, 0xFFFF_FFF0L, 16, false);
        assertRejected(GuestMemory.Rejection.UNMAPPED, 0xA0000L, 16, false);

        firmwareShadowsRomsIntoRam();

        file.set(JAVA_LONG, 0xF0000L, 0xB105L);
        assertEquals(0xB105L, read(0xF0000L));
        assertRejected(GuestMemory.Rejection.READ_ONLY, 0xF0000L, 8, true);
        write(0xEFFF8L, 0x4444L);
        assertEquals(0x4444L, file.get(JAVA_LONG, 0xEFFF8L));
        assertRejected(GuestMemory.Rejection.SPANS_REGIONS, 0xEFFF8L, 16, false);

        guestProbesBar();

        reboot();

        assertEquals(0x1111L, read(0x1000L));
        assertEquals(0x2222L, read(BELOW_4G_END - 8));
        assertEquals(0x3333L, read(ABOVE_4G + 0x1000L));
        assertRejected(GuestMemory.Rejection.NOT_HOST_MAPPED, 0xF0000L, 8, false);
    }

    /**
     * What QEMU maps before the guest runs: RAM pieces from the memfd, the option ROM and BIOS without an fd.
     */
    private void mapAtMachineStart()
    {
        memory.add(mapper.map(ram.fd(), 0, 0, 0xA0000L, READ_WRITE));
        memory.add(GuestMemoryRegion.withoutHostMapping(0xC0000L, 0x20000L, READ));
        memory.add(GuestMemoryRegion.withoutHostMapping(0xE0000L, 0x20000L, READ));
        memory.add(mapper.map(ram.fd(), 0x100000L, 0x100000L, BELOW_4G_END - 0x100000L, READ_WRITE));
        memory.add(GuestMemoryRegion.withoutHostMapping(0xFFFC_0000L, 0x4_0000L, READ));
        memory.add(mapper.map(ram.fd(), BELOW_4G_END, ABOVE_4G, RAM_BYTES - BELOW_4G_END, READ_WRITE));
    }

    /**
     * PAM: 0xC0000-0xEFFFF becomes RAM, 0xF0000-0xFFFFF RAM mapped read-only (the BIOS shadow).
     */
    private void firmwareShadowsRomsIntoRam()
    {
        release(memory.remove(0xC0000L, 0x20000L));
        release(memory.replace(0xE0000L, 0x20000L, mapper.map(ram.fd(), 0xE0000L, 0xE0000L, 0x10000L, READ_WRITE)));
        memory.add(mapper.map(ram.fd(), 0xC0000L, 0xC0000L, 0x20000L, READ_WRITE));
        memory.add(mapper.map(ram.fd(), 0xF0000L, 0xF0000L, 0x10000L, READ));
        assertEquals(7, memory.regionCount());
    }

    /**
     * The guest enables and disables memory decoding while it sizes and assigns BARs: QEMU maps our BAR pages
     * without an fd each time.
     */
    private void guestProbesBar()
    {
        for (int i = 0; i < 3; i++)
        {
            memory.add(GuestMemoryRegion.withoutHostMapping(BAR0_GPA, 0x2_0000L, READ_WRITE));
            assertRejected(GuestMemory.Rejection.NOT_HOST_MAPPED, BAR0_GPA + 0x3818, 4, true);
            release(memory.remove(BAR0_GPA, 0x2_0000L));
            assertRejected(GuestMemory.Rejection.UNMAPPED, BAR0_GPA + 0x3818, 4, true);
        }
    }

    private void reboot() throws IOException
    {
        final long lowRamHost = memory.regionContaining(0x1000L).hostAddress();
        release(memory.removeAll());
        assertEquals(0, memory.regionCount());
        assertRejected(GuestMemory.Rejection.UNMAPPED, 0x1000L, 8, false);
        assertEquals("", GuestMemoryMapperTest.permissionsOfMapping(lowRamHost), "unmapped at reboot");
        mapAtMachineStart();
    }

    private void write(final long gpa, final long value)
    {
        final long address = memory.translateForWrite(gpa, 8);
        assertNotEquals(NO_MAPPING, address, () -> "gpa=0x" + Long.toHexString(gpa));
        new UnsafeBuffer(address, 8).putLong(0, value);
    }

    private long read(final long gpa)
    {
        final long address = memory.translateForRead(gpa, 8);
        assertNotEquals(NO_MAPPING, address, () -> "gpa=0x" + Long.toHexString(gpa));
        return new UnsafeBuffer(address, 8).getLong(0);
    }

    private void assertRejected(
        final GuestMemory.Rejection rejection, final long gpa, final long lengthBytes, final boolean forWrite)
    {
        final long before = memory.rejectionCount(rejection);
        final long address = forWrite ?
            memory.translateForWrite(gpa, lengthBytes) : memory.translateForRead(gpa, lengthBytes);
        assertEquals(NO_MAPPING, address, () -> "gpa=0x" + Long.toHexString(gpa));
        assertEquals(rejection, memory.lastRejection(), () -> "gpa=0x" + Long.toHexString(gpa));
        assertEquals(before + 1, memory.rejectionCount(rejection));
    }

    private void release(final GuestMemoryRegion... regions)
    {
        for (final GuestMemoryRegion region : regions)
        {
            region.close();
        }
    }
}
