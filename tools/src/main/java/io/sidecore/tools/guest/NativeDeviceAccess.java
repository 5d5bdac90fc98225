package io.sidecore.tools.guest;

import io.sidecore.shm.control.TrappedAccessMessage;
import io.sidecore.shm.os.EventFd;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The synthetic guest's NIC as the daemon presents it after a native attach: trapped accesses (configuration
 * space, BAR0 outside the shared pages, BAR1) are {@link TrappedAccessMessage}s on the control connection, each
 * answered before the next is sent; the shared BAR0 pages are the guest's own mapping of the port region the daemon
 * handed over, so doorbell writes land in memory the sidecore polls, with no message at all. A CSB kick writes the
 * owning sidecore's kick eventfd, when the daemon handed one over. Nothing is allocated per access.
 */
public final class NativeDeviceAccess implements DeviceAccess
{
    private final InputStream in;
    private final OutputStream out;
    private final AtomicBuffer sharedBar0;
    private final int sharedPages;
    private final int kickFd;
    private final byte[] requestBytes = new byte[TrappedAccessMessage.LENGTH];
    private final byte[] replyBytes = new byte[TrappedAccessMessage.LENGTH];
    private final UnsafeBuffer request = new UnsafeBuffer(requestBytes);
    private final UnsafeBuffer reply = new UnsafeBuffer(replyBytes);
    private int sequence;
    private long trappedAccesses;

    /**
     * @param in          the attached connection's input.
     * @param out         the attached connection's output.
     * @param sharedBar0  the guest's view of the BAR0 image in the port region (offset 0 = BAR0 offset 0).
     * @param sharedPages bitmap of BAR0 pages shared, from the attach response.
     * @param kickFd      the sidecore's kick eventfd, or -1.
     */
    public NativeDeviceAccess(
        final InputStream in, final OutputStream out, final AtomicBuffer sharedBar0, final int sharedPages,
        final int kickFd)
    {
        this.in = in;
        this.out = out;
        this.sharedBar0 = sharedBar0;
        this.sharedPages = sharedPages;
        this.kickFd = kickFd;
    }

    /**
     * {@inheritDoc}
     */
    public int configRead(final int offset, final int sizeBytes)
    {
        return access(TrappedAccessMessage.KIND_READ, TrappedAccessMessage.SPACE_CONFIG, sizeBytes, offset, 0);
    }

    /**
     * {@inheritDoc}
     */
    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        access(TrappedAccessMessage.KIND_WRITE, TrappedAccessMessage.SPACE_CONFIG, sizeBytes, offset, value);
    }

    /**
     * {@inheritDoc}
     */
    public int bar0Read(final int offset)
    {
        return access(TrappedAccessMessage.KIND_READ, TrappedAccessMessage.SPACE_BAR0, Integer.BYTES, offset, 0);
    }

    /**
     * {@inheritDoc}
     */
    public void bar0Write(final int offset, final int value)
    {
        access(TrappedAccessMessage.KIND_WRITE, TrappedAccessMessage.SPACE_BAR0, Integer.BYTES, offset, value);
    }

    /**
     * {@inheritDoc}
     */
    public int ioRead(final int offset)
    {
        return access(TrappedAccessMessage.KIND_READ, TrappedAccessMessage.SPACE_BAR1, Integer.BYTES, offset, 0);
    }

    /**
     * {@inheritDoc}
     */
    public void ioWrite(final int offset, final int value)
    {
        access(TrappedAccessMessage.KIND_WRITE, TrappedAccessMessage.SPACE_BAR1, Integer.BYTES, offset, value);
    }

    /**
     * {@inheritDoc}
     */
    public int sharedPages()
    {
        return sharedPages;
    }

    /**
     * {@inheritDoc}
     */
    public AtomicBuffer sharedBar0()
    {
        return sharedBar0;
    }

    /**
     * {@inheritDoc}
     */
    public void wakeHost(final int doorbellOffset)
    {
        if (kickFd >= 0)
        {
            EventFd.signalDescriptor(kickFd);
        }
    }

    /**
     * The daemon completes a reset, an EEPROM or MDIC cycle and autonegotiation before it answers the access that
     * started it, so the driver's waits add nothing.
     *
     * @param durationNs how long the driver would wait.
     */
    public void delay(final long durationNs)
    {
        DeviceAccess.realTimeDelay(durationNs);
    }

    /**
     * @return trapped accesses made so far.
     */
    public long trappedAccesses()
    {
        return trappedAccesses;
    }

    private int access(final int kind, final int space, final int sizeBytes, final int offset, final int value)
    {
        final int thisSequence = ++sequence;
        TrappedAccessMessage.write(request, 0, kind, space, sizeBytes, 0, offset, value, thisSequence);
        try
        {
            out.write(requestBytes);
            int read = 0;
            while (read < replyBytes.length)
            {
                final int n = in.read(replyBytes, read, replyBytes.length - read);
                if (n < 0)
                {
                    throw new GuestDriverException("the daemon closed the connection (port destroyed or daemon " +
                        "stopped) during a trapped access at offset 0x" + Integer.toHexString(offset));
                }
                read += n;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("trapped access at offset 0x" + Integer.toHexString(offset) + " failed", ex);
        }
        trappedAccesses++;
        if (TrappedAccessMessage.KIND_REPLY != TrappedAccessMessage.kind(reply, 0) ||
            thisSequence != TrappedAccessMessage.sequence(reply, 0))
        {
            throw new GuestDriverException("the daemon's reply does not match the trapped access at offset 0x" +
                Integer.toHexString(offset));
        }
        final int status = TrappedAccessMessage.status(reply, 0);
        if (TrappedAccessMessage.STATUS_OK != status)
        {
            throw new GuestDriverException("the daemon refused the trapped access at offset 0x" +
                Integer.toHexString(offset) + " with status " + status);
        }
        return TrappedAccessMessage.value(reply, 0);
    }
}
