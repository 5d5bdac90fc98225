package io.sidecore.shm.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Fds#fstat}, {@link Fds#seals}/{@link Fds#addSeals} and {@link MemFd#createSealed} on memfds, tmpfs and disk
 * files, directories and sockets: what the guest-memory checks of the daemon build on.
 */
class FileStatusAndSealsTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldDescribeMemfdAsRegularTmpfsFileOfItsSize()
    {
        try (MemFd memFd = MemFd.create("sc-stat", 3 * 4096))
        {
            final FileStatus status = Fds.fstat(memFd.fd());

            assertTrue(status.isRegularFile());
            assertEquals("regular file", status.typeName());
            assertEquals(3 * 4096, status.sizeBytes());
            assertEquals(LibC.TMPFS_MAGIC, status.filesystemMagic());
            assertEquals("tmpfs", status.filesystemName());
        }
    }

    @Test
    void shouldIdentifyOneFileThroughTwoDescriptors()
    {
        try (MemFd memFd = MemFd.create("sc-identity", 4096); MemFd other = MemFd.create("sc-other", 4096))
        {
            final int copy = Fds.duplicate(memFd.fd());
            try
            {
                final FileStatus original = Fds.fstat(memFd.fd());
                final FileStatus duplicate = Fds.fstat(copy);

                assertEquals(original.inode(), duplicate.inode());
                assertEquals(original.deviceMajor(), duplicate.deviceMajor());
                assertEquals(original.deviceMinor(), duplicate.deviceMinor());
                assertNotEquals(original.inode(), Fds.fstat(other.fd()).inode());
            }
            finally
            {
                Fds.close(copy);
            }
        }
    }

    @Test
    void shouldDescribeDirectorySocketAndDiskFile() throws IOException
    {
        final Path file = tempDir.resolve("disk.ram");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(8192);
        }
        final int directory = Fds.open("/", LibC.O_RDONLY | LibC.O_CLOEXEC);
        final int[] sockets = Fds.socketPair(LibC.SOCK_SEQPACKET);
        final int disk = Fds.open(file.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        try
        {
            assertEquals("directory", Fds.fstat(directory).typeName());
            assertFalse(Fds.fstat(directory).isRegularFile());
            assertEquals("socket", Fds.fstat(sockets[0]).typeName());
            assertTrue(Fds.fstat(disk).isRegularFile());
            assertEquals(8192, Fds.fstat(disk).sizeBytes());
            assertNotEquals(LibC.TMPFS_MAGIC, Fds.fstat(disk).filesystemMagic());
            assertTrue(Fds.fstat(disk).filesystemName().startsWith("filesystem 0x"));
        }
        finally
        {
            Fds.close(directory);
            Fds.close(sockets[0]);
            Fds.close(sockets[1]);
            Fds.close(disk);
        }
    }

    @Test
    void shouldNameCallAndErrnoWhenStatusOfClosedDescriptorIsAsked()
    {
        final MemFd memFd = MemFd.create("sc-closed", 4096);
        final int fd = memFd.fd();
        memFd.close();

        final OsException ex = assertThrows(OsException.class, () -> Fds.fstat(fd));

        assertEquals(Errno.EBADF, ex.errno());
        assertTrue(ex.getMessage().startsWith("statx(fd=" + fd + ", AT_EMPTY_PATH) failed: EBADF"), ex.getMessage());
    }

    @Test
    void shouldCreateMemfdThatAcceptsSealsAndCarriesNone()
    {
        try (MemFd memFd = MemFd.create("sc-sealable", 4096))
        {
            assertEquals(0, memFd.seals());

            memFd.addSeals(LibC.F_SEAL_SHRINK);

            assertEquals(LibC.F_SEAL_SHRINK, memFd.seals());
            assertEquals(Errno.EPERM, assertThrows(OsException.class, () -> memFd.resize(0)).errno());
            memFd.resize(8192);
            assertEquals(8192, memFd.sizeBytes());
        }
    }

    @Test
    void shouldSealGuestMemoryAsQemuDoesByDefault()
    {
        try (MemFd memFd = MemFd.createSealed("sc-sealed", 2 * 4096); Arena arena = Arena.ofConfined())
        {
            final MemorySegment mapping = memFd.map(arena);
            mapping.set(JAVA_LONG, 4096, 5L);

            assertEquals(LibC.F_SEAL_SEAL | LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW, memFd.seals());
            assertEquals(Errno.EPERM, assertThrows(OsException.class, () -> memFd.resize(4096)).errno());
            assertEquals(Errno.EPERM, assertThrows(OsException.class, () -> memFd.resize(3 * 4096)).errno());
            final OsException more = assertThrows(OsException.class, () -> memFd.addSeals(LibC.F_SEAL_WRITE));
            assertEquals(Errno.EPERM, more.errno());
            assertTrue(more.getMessage().startsWith("fcntl(fd=" + memFd.fd() + ", F_ADD_SEALS, F_SEAL_WRITE) " +
                "failed: EPERM"), more.getMessage());
            assertEquals(5L, mapping.get(JAVA_LONG, 4096));
        }
    }

    @Test
    void shouldReportTmpfsFileAsNoLongerSealable() throws IOException
    {
        final Path file = Files.createTempFile(Path.of("/dev/shm"), "sidecore-seals-", ".ram");
        try
        {
            final int fd = Fds.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
            try
            {
                assertEquals(LibC.F_SEAL_SEAL, Fds.seals(fd));
                assertEquals(Errno.EPERM,
                    assertThrows(OsException.class, () -> Fds.addSeals(fd, LibC.F_SEAL_SHRINK)).errno());
            }
            finally
            {
                Fds.close(fd);
            }
        }
        finally
        {
            Files.delete(file);
        }
    }

    @Test
    void shouldReportDiskFileAndSocketAsUnsealable() throws IOException
    {
        final Path file = Files.createFile(tempDir.resolve("plain"));
        final int disk = Fds.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
        final int[] sockets = Fds.socketPair(LibC.SOCK_SEQPACKET);
        try
        {
            assertEquals(Fds.SEALS_UNSUPPORTED, Fds.seals(disk));
            assertEquals(Fds.SEALS_UNSUPPORTED, Fds.seals(sockets[0]));
            assertEquals(Errno.EINVAL,
                assertThrows(OsException.class, () -> Fds.addSeals(disk, LibC.F_SEAL_SHRINK)).errno());
        }
        finally
        {
            Fds.close(disk);
            Fds.close(sockets[0]);
            Fds.close(sockets[1]);
        }
    }

    @Test
    void shouldNameSeals()
    {
        assertEquals("none", Fds.sealNames(0));
        assertEquals("unsupported", Fds.sealNames(Fds.SEALS_UNSUPPORTED));
        assertEquals("F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW", Fds.sealNames(MemFd.GUEST_MEMORY_SEALS));
        assertEquals("F_SEAL_WRITE|F_SEAL_FUTURE_WRITE|0x40", Fds.sealNames(0x58));
    }

    @Test
    void shouldReportTheKernelsBasePageSize() throws IOException
    {
        // The first mapping (the java launcher's text) uses base pages; smaps gives their size in kB.
        final String line = Files.readAllLines(Path.of("/proc/self/smaps")).stream()
            .filter(text -> text.startsWith("KernelPageSize:")).findFirst().orElseThrow();
        final int kernelPageBytes = Integer.parseInt(line.replaceAll("[^0-9]", "")) * 1024;

        assertEquals(kernelPageBytes, Mmap.pageSizeBytes());
    }
}
