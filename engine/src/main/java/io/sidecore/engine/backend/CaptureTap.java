package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;

import java.io.UncheckedIOException;

/**
 * A tee in front of any port's backend: records the port's traffic in both directions to a pcap file and passes
 * every frame on unchanged. The capture never drops traffic: a frame the file cannot take is only counted in
 * {@link #captureErrors()}.
 * <ul>
 *   <li>Guest to backend: {@link #onFrame} records, then forwards (an offload frame is recorded whole, as the
 *       backend receives it).</li>
 *   <li>Backend to guest: {@link #poll} routes the delegate's frames through the tee, which records each (after
 *       segmentation) and hands it on. For a delegate that delivers straight to the guest (the switch), the
 *       deliverer calls {@link #captureFrame} itself.</li>
 * </ul>
 * Classic pcap has no direction field; both directions share one file in the order they happened.
 */
public final class CaptureTap implements PortBackend
{
    private final PortBackend delegate;
    private final PcapWriter writer;
    private final EpochNanoClock wallClock;
    private final TeeSink teeSink = new TeeSink();
    private long framesCaptured;
    private long captureErrors;
    private boolean closed;

    /**
     * @param delegate  the port's real backend; closed with the tee.
     * @param writer    capture file; owned and closed by the tee.
     * @param wallClock record timestamps.
     */
    public CaptureTap(final PortBackend delegate, final PcapWriter writer, final EpochNanoClock wallClock)
    {
        this.delegate = delegate;
        this.writer = writer;
        this.wallClock = wallClock;
    }

    /**
     * Record a frame (either direction) without forwarding it: for deliverers that bypass {@link #poll}.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length.
     */
    public void captureFrame(final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        try
        {
            writer.write(wallClock.nanoTime(), frame, offset, lengthBytes);
            framesCaptured++;
        }
        catch (final UncheckedIOException | IllegalStateException ex)
        {
            captureErrors++;
        }
    }

    /**
     * Record and forward a guest frame.
     */
    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        captureFrame(frame, offset, lengthBytes);
        return delegate.onFrame(frame, offset, lengthBytes, metadata, nowNs);
    }

    /**
     * @return whatever the delegate says.
     */
    public boolean acceptsOffload()
    {
        return delegate.acceptsOffload();
    }

    /**
     * Poll the delegate into {@code toGuest}, recording each frame first.
     */
    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget)
    {
        teeSink.downstream = toGuest;
        return delegate.poll(nowNs, teeSink, frameBudget);
    }

    /**
     * Close the delegate and the file. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                delegate.close();
            }
            finally
            {
                writer.close();
            }
        }
    }

    /**
     * @return the delegate's type; the tee is transparent.
     */
    public String typeName()
    {
        return delegate.typeName();
    }

    /**
     * @return the wrapped backend.
     */
    public PortBackend delegate()
    {
        return delegate;
    }

    /**
     * @return frames recorded (both directions).
     */
    public long framesCaptured()
    {
        return framesCaptured;
    }

    /**
     * @return frames the file could not take (traffic unaffected).
     */
    public long captureErrors()
    {
        return captureErrors;
    }

    private final class TeeSink implements FrameSink
    {
        FrameSink downstream;

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            captureFrame(frame, offset, lengthBytes);
            return downstream.onFrame(frame, offset, lengthBytes, metadata, nowNs);
        }
    }
}
