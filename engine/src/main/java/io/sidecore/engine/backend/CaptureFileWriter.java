package io.sidecore.engine.backend;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * What every capture file writer shares: the file and its rotation, and a preallocated staging buffer of
 * little-endian records written through a {@link FileChannel} when it fills, on {@link #flush()}, on rotation and on
 * {@link #close()}; nothing is allocated per record. A format ({@link PcapWriter}, pcapng) puts its file header with
 * {@link #putFileHeader} and each record between {@link #claim} and {@link #commit}.
 * <p>
 * With {@code maxFileBytes > 0}, a record that would take the current file past the limit first rotates:
 * {@code file} becomes {@code file.1}, {@code file.1} becomes {@code file.2}, ..., and the oldest beyond
 * {@code maxFiles} is deleted; every file starts with its own file header. Not thread-safe: one writer thread at a
 * time (a file may be handed from one thread to another through a happens-before edge, as a command queue gives).
 * <p>
 * <b>Safety.</b> The daemon (often root) writes a capture where a control client or an operator says, so opening one
 * must not become a way to write, truncate or expose another file:
 * <ul>
 *   <li>the file's directory must be a real directory (not a symbolic link) owned by this process's user and
 *       writable by nobody else, so nobody can swap a file or a link in between the checks and the open;</li>
 *   <li>an existing file is replaced only when it is a regular file of this user holding a capture (pcap or pcapng
 *       magic) or nothing, and never through a symbolic link: it is removed and a new file created with
 *       {@code O_CREAT|O_EXCL|O_NOFOLLOW};</li>
 *   <li>a new file is created mode 0600: the frames are the guests' traffic.</li>
 * </ul>
 * Rotation replaces only files that pass the same check.
 */
public abstract class CaptureFileWriter implements AutoCloseable
{
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
        PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE);
    private static final Set<OpenOption> CREATE_OPTIONS =
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;
    private static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    private static final int PCAPNG_SECTION_HEADER = 0x0A0D0D0A;

    private final Path[] paths;
    private final long maxFileBytes;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private FileChannel channel;
    private long fileBytes;
    private long fileHeaderBytes;
    private long framesWritten;
    private long filesRotated;
    private boolean closed;

    /**
     * @param file               the capture file (replaced if it exists).
     * @param maxFileBytes       rotate before a file would exceed this; 0 for no rotation.
     * @param maxFiles           files kept with rotation, including the current one (at least 1).
     * @param bufferBytes        staging buffer (raised to hold at least {@code largestRecordBytes}).
     * @param largestRecordBytes the longest file header plus record the format writes.
     * @throws IllegalArgumentException when maxFiles or maxFileBytes is out of range.
     */
    protected CaptureFileWriter(
        final Path file, final long maxFileBytes, final int maxFiles, final int bufferBytes,
        final int largestRecordBytes)
    {
        if (maxFiles < 1 || maxFileBytes < 0)
        {
            throw new IllegalArgumentException("maxFiles=" + maxFiles + " maxFileBytes=" + maxFileBytes);
        }
        this.maxFileBytes = maxFileBytes;
        this.paths = new Path[maxFiles];
        paths[0] = file;
        for (int i = 1; i < maxFiles; i++)
        {
            paths[i] = file.resolveSibling(file.getFileName() + "." + i);
        }
        final int capacity = Math.max(bufferBytes, largestRecordBytes);
        this.byteBuffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.buffer = new UnsafeBuffer(byteBuffer);
    }

    /**
     * Put the format's file header at {@code offset}.
     *
     * @param buffer the staging buffer.
     * @param offset where the header starts.
     * @return the header's length in bytes.
     */
    protected abstract int putFileHeader(UnsafeBuffer buffer, int offset);

    /**
     * Open (create or truncate) the current file and stage its header. The subclass calls it once, at the end of
     * its constructor, when everything {@link #putFileHeader} reads is set.
     *
     * @throws UncheckedIOException when the file cannot be opened.
     */
    protected final void openFile()
    {
        final Path file = paths[0];
        try
        {
            checkDirectory(file);
            Files.deleteIfExists(requireReplaceable(file));
            channel = FileChannel.open(file, CREATE_OPTIONS, OWNER_ONLY);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open capture file " + file + ": " + ex.getMessage(), ex);
        }
        final int position = byteBuffer.position();
        final int headerBytes = putFileHeader(buffer, position);
        byteBuffer.position(position + headerBytes);
        fileBytes = headerBytes;
        fileHeaderBytes = headerBytes;
    }

    /**
     * Make room for one record: rotate first if it would take the file past its limit, flush if the staging buffer
     * cannot take it.
     *
     * @param recordBytes the record's length.
     * @return where in {@link #buffer()} to put it.
     * @throws IllegalStateException when the writer is closed.
     * @throws UncheckedIOException  when the file cannot be written or rotated.
     */
    protected final int claim(final int recordBytes)
    {
        if (closed)
        {
            throw new IllegalStateException("capture writer closed: " + paths[0]);
        }
        if (maxFileBytes > 0 && fileBytes + recordBytes > maxFileBytes && fileBytes > fileHeaderBytes)
        {
            rotate();
        }
        if (byteBuffer.remaining() < recordBytes)
        {
            flush();
        }
        return byteBuffer.position();
    }

    /**
     * The record put at the position {@link #claim} returned is complete.
     *
     * @param recordBytes its length.
     */
    protected final void commit(final int recordBytes)
    {
        byteBuffer.position(byteBuffer.position() + recordBytes);
        fileBytes += recordBytes;
        framesWritten++;
    }

    /**
     * @return the staging buffer records are put into.
     */
    protected final UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Write staged records to the current file.
     *
     * @throws UncheckedIOException on I/O failure.
     */
    public final void flush()
    {
        byteBuffer.flip();
        try
        {
            while (byteBuffer.hasRemaining())
            {
                channel.write(byteBuffer);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write capture file " + paths[0], ex);
        }
        finally
        {
            byteBuffer.clear();
        }
    }

    private void rotate()
    {
        flush();
        try
        {
            channel.close();
            final int last = paths.length - 1;
            Files.deleteIfExists(requireReplaceable(paths[last]));
            for (int i = last - 1; i >= 0; i--)
            {
                if (Files.exists(paths[i], LinkOption.NOFOLLOW_LINKS))
                {
                    requireReplaceable(paths[i + 1]);
                    Files.move(paths[i], paths[i + 1], StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rotate capture file " + paths[0], ex);
        }
        filesRotated++;
        openFile();
    }

    /**
     * The directory of a capture file must be a real directory owned by this process's user that nobody else can
     * write into: then nothing in it changes between the checks below and the open.
     *
     * @throws IOException naming the directory and what is wrong with it.
     */
    private static void checkDirectory(final Path file) throws IOException
    {
        final Path directory = file.toAbsolutePath().getParent();
        final PosixFileAttributes attributes =
            Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink())
        {
            throw new IOException("directory " + directory + " is a symbolic link");
        }
        if (!attributes.isDirectory())
        {
            throw new IOException(directory + " is not a directory");
        }
        final int ownerUid = (Integer)Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        final int ownUid = ownUid();
        if (ownerUid != ownUid)
        {
            throw new IOException("directory " + directory + " is owned by uid " + ownerUid + ", not by this " +
                "process's uid " + ownUid);
        }
        final Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) ||
            permissions.contains(PosixFilePermission.OTHERS_WRITE))
        {
            throw new IOException("directory " + directory + " is writable by others (mode " +
                PosixFilePermissions.toString(permissions) + ")");
        }
    }

    /**
     * A file may be replaced only when it is absent, or a regular file (not a link) of this process's user that
     * holds nothing or a capture.
     *
     * @return the file.
     * @throws IOException naming the file and why it is kept.
     */
    private static Path requireReplaceable(final Path file) throws IOException
    {
        final PosixFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final NoSuchFileException ex)
        {
            return file;
        }
        if (attributes.isSymbolicLink())
        {
            throw new IOException(file + " is a symbolic link");
        }
        if (!attributes.isRegularFile())
        {
            throw new IOException(file + " exists and is not a regular file");
        }
        if ((Integer)Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS) != ownUid())
        {
            throw new IOException(file + " exists and belongs to another user");
        }
        if (attributes.size() > 0 && !isCapture(file))
        {
            throw new IOException(file + " exists and is not a capture file (no pcap or pcapng magic): kept");
        }
        return file;
    }

    private static boolean isCapture(final Path file) throws IOException
    {
        final ByteBuffer magic = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel existing = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            while (magic.hasRemaining())
            {
                if (existing.read(magic) <= 0)
                {
                    break;
                }
            }
        }
        if (magic.hasRemaining())
        {
            return false;
        }
        final int value = magic.getInt(0);
        final int swapped = Integer.reverseBytes(value);
        return PCAPNG_SECTION_HEADER == value ||
            PCAP_MAGIC_MICROS == value || PCAP_MAGIC_MICROS == swapped ||
            PCAP_MAGIC_NANOS == value || PCAP_MAGIC_NANOS == swapped;
    }

    private static int ownUid() throws IOException
    {
        return (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /**
     * @return frames written since creation (across rotations).
     */
    public final long framesWritten()
    {
        return framesWritten;
    }

    /**
     * @return rotations done.
     */
    public final long filesRotated()
    {
        return filesRotated;
    }

    /**
     * @return the current file.
     */
    public final Path path()
    {
        return paths[0];
    }

    /**
     * Flush and close the file. Idempotent.
     *
     * @throws UncheckedIOException when the last records cannot be written or the file not closed.
     */
    public final void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                flush();
            }
            finally
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot close capture file " + paths[0], ex);
                }
            }
        }
    }
}
