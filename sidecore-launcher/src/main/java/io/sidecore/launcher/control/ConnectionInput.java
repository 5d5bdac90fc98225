package io.sidecore.launcher.control;

import io.sidecore.shm.os.ReceivedDescriptors;
import org.newsclub.net.unix.AFUNIXSocket;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes and file descriptors arriving on one control connection: JSON lines first, then (after attach) fixed-size
 * binary messages, from one buffer, so no byte read ahead is lost when the connection changes mode.
 * <p>
 * Descriptors passed with SCM_RIGHTS arrive with the read whose first byte is the first byte of the sender's
 * {@code sendmsg} (a Unix stream socket never merges data carrying descriptors into an earlier read); each is tagged
 * with that position in the stream, so a line owns exactly the descriptors sent with it. Every received descriptor is
 * handed out with its line or closed by {@link #closePendingDescriptors()}: none leaks.
 */
final class ConnectionInput
{
    /** What {@link #readLine} found. */
    enum Status
    {
        /** A whole line. */
        LINE,
        /** The peer closed the connection between lines. */
        END,
        /** The peer closed the connection in the middle of a line. */
        TRUNCATED,
        /** The line is longer than allowed. */
        TOO_LARGE
    }

    private final AFUNIXSocket socket;
    private final InputStream in;
    private final byte[] buffer;
    private final List<long[]> descriptors = new ArrayList<>();
    private int start;
    private int end;
    private long bufferPosition;
    private byte[] line;
    private int[] lineDescriptors = new int[0];

    /**
     * @param socket         the connection.
     * @param maxLineBytes   longest line accepted, without its end.
     * @throws IOException when the socket cannot be read.
     */
    ConnectionInput(final AFUNIXSocket socket, final int maxLineBytes) throws IOException
    {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.buffer = new byte[Math.max(maxLineBytes + 1, 4096)];
    }

    /**
     * Read up to the next line end.
     *
     * @param maxLineBytes the longest line accepted.
     * @return what was found; for {@link Status#LINE} see {@link #line()} and {@link #lineDescriptors()}.
     * @throws IOException when reading fails.
     */
    Status readLine(final int maxLineBytes) throws IOException
    {
        int scannedBytes = 0;
        while (true)
        {
            for (int i = start + scannedBytes; i < end; i++)
            {
                if ('\n' == buffer[i])
                {
                    takeLine(i);
                    return Status.LINE;
                }
            }
            // Counted from start: fill() moves the unread bytes to the front of the buffer.
            scannedBytes = end - start;
            if (end - start > maxLineBytes)
            {
                return Status.TOO_LARGE;
            }
            if (!fill())
            {
                return end == start ? Status.END : Status.TRUNCATED;
            }
        }
    }

    /**
     * @return the last line read, without its end.
     */
    byte[] line()
    {
        return line;
    }

    /**
     * @return the descriptors that came with the last line read; the caller owns them.
     */
    int[] lineDescriptors()
    {
        return lineDescriptors;
    }

    /**
     * Read exactly {@code length} bytes.
     *
     * @param destination where to put them.
     * @param length      how many.
     * @return false when the peer closed the connection before (any bytes of a partial message are dropped).
     * @throws IOException when reading fails.
     */
    boolean readFully(final byte[] destination, final int length) throws IOException
    {
        while (end - start < length)
        {
            if (!fill())
            {
                return false;
            }
        }
        System.arraycopy(buffer, start, destination, 0, length);
        start += length;
        closeDescriptorsBefore(bufferPosition + start);
        return true;
    }

    /**
     * Close every received descriptor not handed out with a line.
     */
    void closePendingDescriptors()
    {
        for (final long[] descriptor : descriptors)
        {
            io.sidecore.shm.os.Fds.close((int)descriptor[1]);
        }
        descriptors.clear();
    }

    private void takeLine(final int lineEnd)
    {
        line = java.util.Arrays.copyOfRange(buffer, start, lineEnd);
        final long lineStart = bufferPosition + start;
        final long next = bufferPosition + lineEnd + 1;
        final List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < descriptors.size(); )
        {
            final long[] descriptor = descriptors.get(i);
            if (descriptor[0] >= lineStart && descriptor[0] < next)
            {
                taken.add((int)descriptor[1]);
                descriptors.remove(i);
            }
            else
            {
                i++;
            }
        }
        lineDescriptors = new int[taken.size()];
        for (int i = 0; i < lineDescriptors.length; i++)
        {
            lineDescriptors[i] = taken.get(i);
        }
        start = lineEnd + 1;
        closeDescriptorsBefore(lineStart);
    }

    private boolean fill() throws IOException
    {
        if (start > 0)
        {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            bufferPosition += start;
            end -= start;
            start = 0;
        }
        if (end == buffer.length)
        {
            return true;
        }
        final int read = in.read(buffer, end, buffer.length - end);
        collectDescriptors(bufferPosition + end);
        if (read < 0)
        {
            return false;
        }
        end += read;
        return true;
    }

    private void collectDescriptors(final long position) throws IOException
    {
        final FileDescriptor[] received = socket.getReceivedFileDescriptors();
        if (null == received)
        {
            return;
        }
        for (final FileDescriptor descriptor : received)
        {
            descriptors.add(new long[]{ position, ReceivedDescriptors.takeOver(socket, descriptor) });
        }
    }

    private void closeDescriptorsBefore(final long position)
    {
        for (int i = 0; i < descriptors.size(); )
        {
            final long[] descriptor = descriptors.get(i);
            if (descriptor[0] < position)
            {
                io.sidecore.shm.os.Fds.close((int)descriptor[1]);
                descriptors.remove(i);
            }
            else
            {
                i++;
            }
        }
    }
}
