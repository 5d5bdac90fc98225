package io.sidecore.engine.mem;

import io.sidecore.shm.os.Errno;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.os.OsException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.sidecore.engine.mem.GuestMemory.NO_MAPPING;
import static io.sidecore.engine.mem.GuestMemoryRegion.READ;
import static io.sidecore.engine.mem.GuestMemoryRegion.READ_WRITE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks {@link GuestMemoryMapper} makes before a VMM's file becomes guest memory, on real memfds, tmpfs and disk
 * files: truncating sealed guest memory is refused by the kernel and the mapping keeps working; memory that could
 * shrink is refused at map time with a clear reason (or accepted when the policy allows it); read-only regions are
 * mapped without write permission; closing a region unmaps it.
 */
class GuestMemoryMapperTest
{
    private static final long MIB = 1 << 20;

    private final GuestMemoryMapper mapper = new GuestMemoryMapper(GuestMemoryMapper.SealPolicy.REQUIRE_SHRINK_SEAL);
    private final List<AutoCloseable> resources = new ArrayList<>();

    @TempDir
    Path tempDir;

    @AfterEach
    void closeResources() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void shouldRefuseTruncationOfSealedGuestMemoryAndKeepServingIt()
    {
        final MemFd ram = keep(MemFd.createSealed("sc-guest-ram", MIB));
        final GuestMemory memory = memoryWith(keep(mapper.map(ram.fd(), 0, 0x10_0000L, MIB, READ_WRITE)));
        final long lastWord = 0x10_0000L + MIB - 8;
        final MemorySegment guestView = ram.map(keep(Arena.ofConfined()));

        final OsException shrink = assertThrows(OsException.class, () -> ram.resize(4096));
        final OsException grow = assertThrows(OsException.class, () -> ram.resize(2 * MIB));

        assertEquals(Errno.EPERM, shrink.errno());
        assertEquals(Errno.EPERM, grow.errno());
        assertEquals(MIB, ram.sizeBytes());
        final long address = memory.translateForWrite(lastWord, 8);
        assertNotEquals(NO_MAPPING, address);
        new UnsafeBuffer(address, 8).putLong(0, 0x5EA1_ED00_0000_0001L);
        assertEquals(0x5EA1_ED00_0000_0001L, guestView.get(JAVA_LONG, MIB - 8), "the page past 4 KiB is still there");
    }

    @Test
    void shouldRefuseUnsealedMemfdAtMapTimeWithClearReason()
    {
        final MemFd ram = keep(MemFd.create("sc-unsealed", MIB));

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), 0, 0, MIB, READ_WRITE));

        assertEquals(GuestMemoryException.Reason.NOT_SEALED, ex.reason());
        assertEquals(Errno.EPERM, ex.errno());
        assertEquals("guest memory fd=" + ram.fd() + " offset=0x0 length=0x100000 (tmpfs regular file, seals none) " +
            "can shrink under the mapping (no F_SEAL_SHRINK): truncating it would make the daemon's next access " +
            "raise SIGBUS. Add F_SEAL_SHRINK before handing it over (fcntl F_ADD_SEALS), as memory-backend-memfd " +
            "does with seal=on, or allow unsealed guest memory at that risk", ex.getMessage());
    }

    @Test
    void shouldRefuseMemfdThatCanNoLongerBeSealed()
    {
        final MemFd ram = keep(MemFd.create("sc-seal-off", MIB));
        ram.addSeals(LibC.F_SEAL_SEAL);

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), 0, 0, MIB, READ_WRITE));

        assertEquals(GuestMemoryException.Reason.NOT_SEALED, ex.reason());
        assertTrue(ex.getMessage().contains("(tmpfs regular file, seals F_SEAL_SEAL)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("It can no longer be sealed"), ex.getMessage());
    }

    @Test
    void shouldRefuseTmpfsFileUnderDevShmByDefault() throws IOException
    {
        final int fd = openFile(sizedFile(Path.of("/dev/shm"), MIB));

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> mapper.map(fd, 0, 0, MIB, READ_WRITE));

        assertEquals(GuestMemoryException.Reason.NOT_SEALED, ex.reason());
        assertTrue(ex.getMessage().contains("(tmpfs regular file, seals F_SEAL_SEAL)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("use QEMU's memory-backend-memfd with seal=on"), ex.getMessage());
    }

    @Test
    void shouldMapTmpfsFileWhenUnsealedMemoryAllowed() throws IOException
    {
        final int fd = openFile(sizedFile(Path.of("/dev/shm"), MIB));
        final GuestMemoryMapper permissive = new GuestMemoryMapper(GuestMemoryMapper.SealPolicy.ALLOW_UNSEALED);

        final GuestMemoryRegion region = keep(permissive.map(fd, 0, 0x4000_0000L, MIB, READ_WRITE));

        assertEquals(MIB, region.lengthBytes());
        assertTrue(region.origin().endsWith("UNSEALED (may SIGBUS if truncated)"), region.origin());
        region.segment().set(JAVA_LONG, 8, 77L);
        assertEquals(77L, region.segment().get(JAVA_LONG, 8));
    }

    @Test
    void shouldRefuseDiskFileWhoseFilesystemHasNoSeals() throws IOException
    {
        final int fd = openFile(sizedFile(tempDir, MIB));

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> mapper.map(fd, 0, 0, MIB, READ));

        assertEquals(GuestMemoryException.Reason.NOT_SEALED, ex.reason());
        assertTrue(ex.getMessage().contains("regular file, seals unsupported)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("Its filesystem has no seals"), ex.getMessage());
    }

    @Test
    void shouldRefuseDescriptorThatIsNotARegularFile()
    {
        final int[] sockets = Fds.socketPair(LibC.SOCK_SEQPACKET);
        keepFd(sockets[0]);
        keepFd(sockets[1]);
        final int directory = keepFd(Fds.open("/", LibC.O_RDONLY | LibC.O_CLOEXEC));

        final GuestMemoryException socket = assertThrows(GuestMemoryException.class,
            () -> mapper.map(sockets[0], 0, 0, 4096, READ_WRITE));
        final GuestMemoryException dir = assertThrows(GuestMemoryException.class,
            () -> mapper.map(directory, 0, 0, 4096, READ));

        assertEquals(GuestMemoryException.Reason.NOT_A_REGULAR_FILE, socket.reason());
        assertTrue(socket.getMessage().contains(" socket, seals unsupported) is not a regular file: guest memory " +
            "must be a memfd or another shared file"), socket.getMessage());
        assertEquals(GuestMemoryException.Reason.NOT_A_REGULAR_FILE, dir.reason());
        assertTrue(dir.getMessage().contains(" directory, "), dir.getMessage());
    }

    @Test
    void shouldRefuseFileShorterThanOffsetPlusLength()
    {
        final MemFd ram = keep(MemFd.createSealed("sc-short", 2 * 4096));

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), 4096, 0, 2 * 4096, READ_WRITE));

        assertEquals(GuestMemoryException.Reason.FILE_TOO_SHORT, ex.reason());
        assertTrue(ex.getMessage().endsWith(" is 0x2000 bytes long, shorter than offset + length"), ex.getMessage());
    }

    @Test
    void shouldRefuseUnalignedOrNegativeFileOffset()
    {
        final MemFd ram = keep(MemFd.createSealed("sc-offset", MIB));

        final GuestMemoryException unaligned = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), 100, 0, 4096, READ_WRITE));
        final GuestMemoryException negative = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), -4096, 0, 4096, READ_WRITE));

        assertEquals(GuestMemoryException.Reason.INVALID_REGION, unaligned.reason());
        assertTrue(unaligned.getMessage().endsWith("the file offset must be a non-negative multiple of the page " +
            "size 4096"), unaligned.getMessage());
        assertEquals(GuestMemoryException.Reason.INVALID_REGION, negative.reason());
    }

    @Test
    void shouldRefuseRangesThatOverflow()
    {
        final MemFd ram = keep(MemFd.createSealed("sc-overflow", MIB));

        final GuestMemoryException offsetPlusLength = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), Long.MAX_VALUE - 4095, 0, 8192, READ_WRITE));
        final GuestMemoryException pastTop = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), 0, Long.MAX_VALUE - 4095, 8192, READ_WRITE));
        final GuestMemoryException empty = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), 0, 0, 0, READ_WRITE));

        assertTrue(offsetPlusLength.getMessage().endsWith("file offset + length overflows"),
            offsetPlusLength.getMessage());
        assertEquals(GuestMemoryException.Reason.INVALID_REGION, pastTop.reason());
        assertEquals(GuestMemoryException.Reason.INVALID_REGION, empty.reason());
    }

    @Test
    void shouldRefuseWritableRegionOverWriteSealedFileButMapItReadOnly()
    {
        final MemFd ram = keep(MemFd.create("sc-write-sealed", MIB));
        ram.addSeals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_WRITE);

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> mapper.map(ram.fd(), 0, 0, MIB, READ_WRITE));
        final GuestMemoryRegion rom = keep(mapper.map(ram.fd(), 0, 0, MIB, READ));

        assertEquals(GuestMemoryException.Reason.WRITE_SEALED, ex.reason());
        assertTrue(ex.getMessage().endsWith("is sealed against writes, so the device could not write it; map it " +
            "READ only or unseal it"), ex.getMessage());
        assertFalse(rom.isWritable());
    }

    @Test
    void shouldMapReadOnlyRegionWithoutWritePermission() throws IOException
    {
        final MemFd rom = keep(MemFd.createSealed("sc-rom", 64 * 1024));
        final GuestMemoryRegion region = keep(mapper.map(rom.fd(), 0, 0xFFFF_0000L, 64 * 1024, READ));
        final GuestMemory memory = memoryWith(region);

        assertEquals("r--s", permissionsOfMapping(region.hostAddress()));
        assertEquals(region.hostAddress() + 0x100, memory.translateForRead(0xFFFF_0100L, 16));
        assertEquals(NO_MAPPING, memory.translateForWrite(0xFFFF_0100L, 16));
        assertEquals(GuestMemory.Rejection.READ_ONLY, memory.lastRejection());
    }

    @Test
    void shouldMapWritableRegionSharedAtItsFileOffset() throws IOException
    {
        final MemFd ram = keep(MemFd.createSealed("sc-offsets", 4 * MIB));
        final MemorySegment whole = ram.map(keep(Arena.ofConfined()));
        final GuestMemoryRegion above = keep(mapper.map(ram.fd(), 2 * MIB, 0x1_0000_0000L, 2 * MIB, READ_WRITE));
        final GuestMemory memory = memoryWith(above);

        final long address = memory.translateForWrite(0x1_0000_0010L, 8);
        new UnsafeBuffer(address, 8).putLong(0, 0xABCDL);

        assertEquals("rw-s", permissionsOfMapping(above.hostAddress()));
        assertEquals(0xABCDL, whole.get(JAVA_LONG, 2 * MIB + 0x10));
        assertTrue(above.origin().startsWith("fd=" + ram.fd() + " tmpfs offset=0x200000"), above.origin());
    }

    @Test
    void shouldUnmapWhenClosedAfterRemoval() throws IOException
    {
        final MemFd ram = keep(MemFd.createSealed("sc-unmap", MIB));
        final GuestMemory memory = new GuestMemory();
        final GuestMemoryRegion region = mapper.map(ram.fd(), 0, 0, MIB, READ_WRITE);
        memory.add(region);
        final long hostAddress = region.hostAddress();

        memory.remove(0, MIB).close();

        assertTrue(region.isClosed());
        assertEquals("", permissionsOfMapping(hostAddress), "no mapping left at the region's address");
        assertThrows(IllegalStateException.class, () -> region.segment().get(JAVA_LONG, 0));
        region.close();
    }

    @Test
    void shouldRefuseClosedDescriptorWithKernelErrno()
    {
        final MemFd ram = MemFd.createSealed("sc-closed", MIB);
        final int fd = ram.fd();
        ram.close();

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> mapper.map(fd, 0, 0, MIB, READ_WRITE));

        assertEquals(GuestMemoryException.Reason.OS_ERROR, ex.reason());
        assertEquals(Errno.EBADF, ex.errno());
        assertTrue(ex.getMessage().contains("F_GET_SEALS) failed: EBADF"), ex.getMessage());
    }

    @Test
    void shouldRefuseWritableRegionOverReadOnlyDescriptorWithKernelErrno()
    {
        final MemFd ram = keep(MemFd.createSealed("sc-rdonly", MIB));
        final int readOnly = keepFd(Fds.open("/proc/self/fd/" + ram.fd(), LibC.O_RDONLY | LibC.O_CLOEXEC));

        final GuestMemoryException ex = assertThrows(GuestMemoryException.class,
            () -> mapper.map(readOnly, 0, 0, MIB, READ_WRITE));
        final GuestMemoryRegion rom = keep(mapper.map(readOnly, 0, 0, MIB, READ));

        assertEquals(GuestMemoryException.Reason.OS_ERROR, ex.reason());
        assertEquals(Errno.EACCES, ex.errno());
        assertTrue(ex.getMessage().contains("mmap(fd=" + readOnly + ", offset=0, length=1048576, rw, MAP_SHARED) " +
            "failed: EACCES"), ex.getMessage());
        assertTrue(rom.isHostMapped());
    }

    /**
     * @return the permission column of /proc/self/maps for the mapping holding {@code address}, or "" if none.
     */
    static String permissionsOfMapping(final long address) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/maps")))
        {
            final int dash = line.indexOf('-');
            final int space = line.indexOf(' ');
            final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
            final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0)
            {
                return line.substring(space + 1, space + 5);
            }
        }
        return "";
    }

    /**
     * A guest memory holding the region, emptied again (before the region closes) when the test ends.
     */
    private GuestMemory memoryWith(final GuestMemoryRegion region)
    {
        final GuestMemory memory = new GuestMemory();
        memory.add(region);
        resources.add(memory::removeAll);
        return memory;
    }

    private Path sizedFile(final Path directory, final long sizeBytes) throws IOException
    {
        final Path file = Files.createTempFile(directory, "sidecore-guest-memory-", ".ram");
        resources.add(() -> Files.deleteIfExists(file));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(sizeBytes);
        }
        return file;
    }

    private int openFile(final Path file)
    {
        return keepFd(Fds.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC));
    }

    private int keepFd(final int fd)
    {
        resources.add(() -> Fds.close(fd));
        return fd;
    }

    private <T extends AutoCloseable> T keep(final T resource)
    {
        resources.add(resource);
        return resource;
    }
}
