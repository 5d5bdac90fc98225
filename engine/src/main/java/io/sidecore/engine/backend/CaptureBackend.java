package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;

import java.io.UncheckedIOException;

/**
 * A port whose backend is a capture file: every frame the guest transmits is appended to a pcap file (with the
 * writer's rotation), nothing is ever sent to the guest. The device segments TSO frames before they reach this sink
 * ({@link #acceptsOffload()} is false), so the file holds what would have been on a wire.
 * <p>
 * {@link #poll} returns no frames; it flushes the staging buffer once per {@code flushIntervalNs} so the file is
 * readable while the port runs. A frame the file cannot take is counted under
 * {@link PortCounter#TX_DROP_BACKEND}.
 */
public final class CaptureBackend implements PortBackend
{
    private final PcapWriter writer;
    private final EpochNanoClock wallClock;
    private final PortCounters counters;
    private final long flushIntervalNs;
    private long lastFlushNs;
    private long framesCaptured;
    private long writeErrors;
    private boolean closed;

    /**
     * @param writer          where frames go; owned and closed by the backend.
     * @param wallClock       timestamps for the records (epoch nanoseconds).
     * @param counters        the port's counters.
     * @param flushIntervalNs how often {@link #poll} flushes; 0 flushes every poll.
     */
    public CaptureBackend(final PcapWriter writer, final EpochNanoClock wallClock, final PortCounters counters,
        final long flushIntervalNs)
    {
        this.writer = writer;
        this.wallClock = wallClock;
        this.counters = counters;
        this.flushIntervalNs = flushIntervalNs;
    }

    /**
     * Append a transmitted frame to the capture.
     */
    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        try
        {
            writer.write(wallClock.nanoTime(), frame, offset, lengthBytes);
            framesCaptured++;
            return DELIVERED;
        }
        catch (final UncheckedIOException | IllegalStateException ex)
        {
            writeErrors++;
            counters.increment(PortCounter.TX_DROP_BACKEND);
            return FrameSink.dropped(PortCounter.TX_DROP_BACKEND);
        }
    }

    /**
     * Nothing flows towards the guest; flushes the file periodically.
     *
     * @return 0.
     */
    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        if (!closed && nowNs - lastFlushNs >= flushIntervalNs)
        {
            lastFlushNs = nowNs;
            try
            {
                writer.flush();
            }
            catch (final UncheckedIOException ex)
            {
                writeErrors++;
            }
        }
        return 0;
    }

    /**
     * Flush and close the file. Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            writer.close();
        }
    }

    /**
     * @return "capture".
     */
    public String typeName()
    {
        return "capture";
    }

    /**
     * @return frames appended.
     */
    public long framesCaptured()
    {
        return framesCaptured;
    }

    /**
     * @return failed writes or flushes.
     */
    public long writeErrors()
    {
        return writeErrors;
    }
}
