package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * A backend for benchmarks: a sink that counts and discards what the guest transmits, and optionally a source that
 * offers the guest a fixed frame, up to {@code framesPerPoll} per pass (and never more than the port's frame
 * budget), with a sequence number stamped into it.
 * <p>
 * The counts are plain fields written by the owning agent; other threads may read them only after the agent
 * stopped, or accept a stale value.
 */
public final class NullBackend implements PortBackend
{
    /** {@link #typeName()} of this backend. */
    public static final String TYPE_NAME = "null";

    /** Offset of the 64-bit sequence number stamped into generated frames (just after the Ethernet header). */
    public static final int SEQUENCE_OFFSET = 14;

    private final UnsafeBuffer template;
    private final FrameMetadata metadata = new FrameMetadata();
    private final int framesPerPoll;
    private long framesSunk;
    private long bytesSunk;
    private long framesGenerated;
    private long framesDelivered;

    /**
     * A sink only.
     */
    public NullBackend()
    {
        this(null, 0);
    }

    /**
     * A sink and a source.
     *
     * @param frame         the frame to offer the guest (copied; at least 14 bytes, 22 to carry the sequence).
     * @param framesPerPoll frames offered per pass at most, 0 for none.
     */
    public NullBackend(final byte[] frame, final int framesPerPoll)
    {
        if (framesPerPoll < 0)
        {
            throw new IllegalArgumentException("framesPerPoll must not be negative: " + framesPerPoll);
        }
        if (framesPerPoll > 0 && (null == frame || frame.length < 14))
        {
            throw new IllegalArgumentException("a source needs a frame of at least 14 bytes");
        }
        this.template = null == frame ? null : new UnsafeBuffer(frame.clone());
        this.framesPerPoll = framesPerPoll;
    }

    /**
     * {@inheritDoc}
     */
    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        framesSunk++;
        bytesSunk += lengthBytes;
        return DELIVERED;
    }

    /**
     * {@inheritDoc}
     */
    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        final int limit = Math.min(framesPerPoll, frameBudget);
        final UnsafeBuffer template = this.template;
        final boolean stamp = null != template && template.capacity() >= SEQUENCE_OFFSET + Long.BYTES;
        int frames = 0;
        long bytes = 0;
        while (frames < limit && bytes < byteBudget)
        {
            if (stamp)
            {
                template.putLong(SEQUENCE_OFFSET, framesGenerated, ByteOrder.BIG_ENDIAN);
            }
            framesGenerated++;
            if (DELIVERED == toGuest.onFrame(template, 0, template.capacity(), metadata.reset(), nowNs))
            {
                framesDelivered++;
            }
            bytes += template.capacity();
            frames++;
        }
        return frames;
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
    }

    /**
     * {@inheritDoc}
     */
    public String typeName()
    {
        return TYPE_NAME;
    }

    /**
     * @return frames the guest transmitted into the sink.
     */
    public long framesSunk()
    {
        return framesSunk;
    }

    /**
     * @return bytes the guest transmitted into the sink.
     */
    public long bytesSunk()
    {
        return bytesSunk;
    }

    /**
     * @return frames the source offered the guest.
     */
    public long framesGenerated()
    {
        return framesGenerated;
    }

    /**
     * @return generated frames the port's receive side delivered (the rest it counted as drops).
     */
    public long framesDelivered()
    {
        return framesDelivered;
    }
}
