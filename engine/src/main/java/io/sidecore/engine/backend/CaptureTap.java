package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.TxOffloadInfo;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;

import java.io.UncheckedIOException;

/**
 * A tee in front of any port's backend: records the port's traffic in both directions to a pcap file and passes
 * every frame on unchanged. The capture never drops traffic: a frame the file cannot take is only counted in
 * {@link #captureErrors()}.
 * <ul>
 *   <li>Guest to backend: {@link #onFrame} and {@link #onOffloadFrame} record, then forward (an offload frame is
 *       recorded whole, as the backend receives it).</li>
 *   <li>Backend to guest: when the delegate is a {@link FrameSource} (a {@link TapBackend}), {@link #poll} routes
 *       its frames through the tee, which records each (after segmentation) and hands it to the device. For a
 *       delegate that delivers straight to the device (the switch), the deliverer calls
 *       {@link #captureFrame} itself.</li>
 * </ul>
 * Classic pcap has no direction field; both directions share one file in the order they happened.
 */
public final class CaptureTap implements PortBackend, FrameSource
{
    private final PortBackend delegate;
    private final FrameSource source;
    private final PcapWriter writer;
    private final EpochNanoClock wallClock;
    private final TeeReceiver teeReceiver = new TeeReceiver();
    private final DeviceReceiver deviceReceiver = new DeviceReceiver();
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
        this.source = delegate instanceof FrameSource frameSource ? frameSource : null;
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
    public void onFrame(final int sourcePortId, final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        captureFrame(frame, offset, lengthBytes);
        delegate.onFrame(sourcePortId, frame, offset, lengthBytes);
    }

    /**
     * @return whatever the delegate says.
     */
    public boolean acceptsOffload()
    {
        return delegate.acceptsOffload();
    }

    /**
     * Record the whole offload frame and forward it.
     */
    public void onOffloadFrame(
        final int sourcePortId,
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes,
        final TxOffloadInfo offload)
    {
        captureFrame(frame, offset, lengthBytes);
        delegate.onOffloadFrame(sourcePortId, frame, offset, lengthBytes, offload);
    }

    /**
     * Poll the delegate, recording what it delivers to the device when it is a {@link FrameSource}.
     */
    public int poll(final long nowNs, final E1000Device device, final int frameBudget)
    {
        if (source == null)
        {
            return delegate.poll(nowNs, device, frameBudget);
        }
        deviceReceiver.device = device;
        return pollInto(nowNs, deviceReceiver, frameBudget);
    }

    /**
     * Poll the delegate into {@code receiver}, recording each frame first.
     */
    public int pollInto(final long nowNs, final FrameReceiver receiver, final int frameBudget)
    {
        if (source == null)
        {
            throw new UnsupportedOperationException(delegate.typeName() + " backend cannot deliver to a receiver");
        }
        teeReceiver.downstream = receiver;
        return source.pollInto(nowNs, teeReceiver, frameBudget);
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

    private final class TeeReceiver implements FrameReceiver
    {
        FrameReceiver downstream;

        public boolean receive(final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
        {
            captureFrame(frame, offset, lengthBytes);
            return downstream.receive(frame, offset, lengthBytes, nowNs);
        }
    }

    private static final class DeviceReceiver implements FrameReceiver
    {
        E1000Device device;

        public boolean receive(final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
        {
            return device.receive(frame, offset, lengthBytes, nowNs);
        }
    }
}
