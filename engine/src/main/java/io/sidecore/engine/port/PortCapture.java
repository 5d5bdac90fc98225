package io.sidecore.engine.port;

import org.agrona.DirectBuffer;

import java.io.UncheckedIOException;

/**
 * A port's capture: when on, every frame that enters or leaves the port, whatever its backend, is recorded with its
 * direction in a pcapng file ({@link PcapNgWriter}): outbound, each frame the guest transmits, before the backend
 * takes it (an offload frame whole, as the backend gets it); inbound, each frame handed to the port's receive side,
 * by its backend or by the switch, before the device filters or places it (so a frame the guest's NIC drops is
 * still seen, as on a wire).
 * <p>
 * Switched on and off while the port runs, through commands ({@code EngineProxy.startCapture} and
 * {@code stopCapture}): the file is opened and closed by the control thread, and only handed to and taken back from
 * the agent here. Only the owning agent records, and it reads no clock of its own: a frame's time is the agent's
 * {@code nowNs} plus the offset to the wall clock taken when the capture started. The staging buffer is written to
 * the file when it fills and at least every {@link #FLUSH_INTERVAL_NS}, so the file can be read while the port runs.
 * <p>
 * The capture never drops or delays traffic. If the file cannot be written (disk full), recording stops at once,
 * rather than retrying on every frame, and the failure is kept for the operator ({@link #failure()}).
 */
public final class PortCapture
{
    /** Longest time recorded frames stay in the staging buffer before they are written to the file. */
    public static final long FLUSH_INTERVAL_NS = 100_000_000L;

    private PcapNgWriter writer;
    private boolean recording;
    private long epochOffsetNs;
    private long lastFlushNs;
    private long framesCaptured;
    private RuntimeException failure;

    /**
     * @return true while frames are being recorded.
     */
    public boolean isRecording()
    {
        return recording;
    }

    /**
     * Start recording into {@code writer}. Agent thread (a command).
     *
     * @param writer        an open file; owned by the capture until {@link #stop()} hands it back.
     * @param epochOffsetNs wall-clock epoch nanoseconds minus the agent's {@code nowNs}, at the start.
     * @param nowNs         the agent's time.
     * @return the writer of a capture that was running and is now replaced (the caller closes it), or null.
     */
    public PcapNgWriter start(final PcapNgWriter writer, final long epochOffsetNs, final long nowNs)
    {
        final PcapNgWriter previous = stop();
        this.writer = writer;
        this.epochOffsetNs = epochOffsetNs;
        this.lastFlushNs = nowNs;
        this.framesCaptured = 0;
        this.failure = null;
        this.recording = true;
        return previous;
    }

    /**
     * Stop recording. Agent thread (a command, or the port's removal).
     *
     * @return the writer, for the caller to close (which writes what is still staged), or null when none ran.
     */
    public PcapNgWriter stop()
    {
        final PcapNgWriter stopped = writer;
        writer = null;
        recording = false;
        return stopped;
    }

    /**
     * Record a frame the guest transmitted. Agent thread.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length.
     * @param nowNs       the agent's time.
     */
    public void recordOutbound(final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
    {
        record(PcapNgWriter.DIRECTION_OUTBOUND, frame, offset, lengthBytes, nowNs);
    }

    /**
     * Record a frame handed towards the guest. Agent thread.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length.
     * @param nowNs       the agent's time.
     */
    public void recordInbound(final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
    {
        record(PcapNgWriter.DIRECTION_INBOUND, frame, offset, lengthBytes, nowNs);
    }

    /**
     * Write staged frames to the file when {@link #FLUSH_INTERVAL_NS} has passed since the last time. Agent thread,
     * once per pass over the port.
     *
     * @param nowNs the agent's time.
     */
    public void flushIfDue(final long nowNs)
    {
        if (recording && nowNs - lastFlushNs >= FLUSH_INTERVAL_NS)
        {
            lastFlushNs = nowNs;
            try
            {
                writer.flush();
            }
            catch (final UncheckedIOException | IllegalStateException ex)
            {
                fail(ex);
            }
        }
    }

    /**
     * @return frames recorded since the capture started.
     */
    public long framesCaptured()
    {
        return framesCaptured;
    }

    /**
     * @return why recording stopped by itself (the file could not be written, or was closed under it), or null.
     */
    public RuntimeException failure()
    {
        return failure;
    }

    private void record(
        final int direction, final DirectBuffer frame, final int offset, final int lengthBytes, final long nowNs)
    {
        if (recording)
        {
            try
            {
                writer.write(nowNs + epochOffsetNs, direction, frame, offset, lengthBytes);
                framesCaptured++;
            }
            catch (final UncheckedIOException | IllegalStateException ex)
            {
                fail(ex);
            }
        }
    }

    private void fail(final RuntimeException ex)
    {
        failure = ex;
        recording = false;
    }
}
