package io.sidecore.bench.fuzz;

import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A hostile wire: the backend of a hostile port whose far side is the fuzzer. Towards the guest it offers the frames
 * the fuzzer queued (any length, runts and jumbo frames included: what a TAP or a network can hand a NIC), within the
 * port's frame budget, and counts every frame it offered; from the guest it takes frames, refusing the ones the fuzzer
 * says to refuse as a TAP with a full queue does (counted once, under {@link PortCounter#TX_DROP_BACKEND}, as the
 * frame hand-off's contract asks of a backend).
 */
final class FuzzWire implements PortBackend
{
    /** Largest frame the wire offers. */
    static final int MAX_FRAME_BYTES = 70_000;
    /** Frames the fuzzer can queue before the port polls the wire. */
    static final int SLOTS = 8;

    private final PortCounters counters;
    private final UnsafeBuffer[] frames = new UnsafeBuffer[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private final FrameMetadata metadata = new FrameMetadata();
    private int queued;
    private int refuseNext;
    private long offered;
    private long taken;
    private long refused;

    FuzzWire(final PortCounters counters)
    {
        this.counters = counters;
        for (int i = 0; i < SLOTS; i++)
        {
            frames[i] = new UnsafeBuffer(new byte[MAX_FRAME_BYTES]);
        }
    }

    /**
     * @return the next free frame slot to fill, or null when full.
     */
    UnsafeBuffer nextSlot()
    {
        return queued < SLOTS ? frames[queued] : null;
    }

    /**
     * Queue the frame just written into {@link #nextSlot()}.
     *
     * @param lengthBytes its length.
     */
    void commit(final int lengthBytes)
    {
        lengths[queued++] = lengthBytes;
    }

    /**
     * @param frames frames from the guest to refuse next.
     */
    void refuse(final int frames)
    {
        refuseNext += frames;
    }

    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        if (refuseNext > 0)
        {
            refuseNext--;
            refused++;
            counters.increment(PortCounter.TX_DROP_BACKEND);
            return FrameSink.dropped(PortCounter.TX_DROP_BACKEND);
        }
        taken++;
        return DELIVERED;
    }

    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        final int limit = Math.min(queued, frameBudget);
        int count = 0;
        long bytes = 0;
        while (count < limit && bytes < byteBudget)
        {
            offered++;
            bytes += lengths[count];
            toGuest.onFrame(frames[count], 0, lengths[count], metadata.reset(), nowNs);
            count++;
        }
        for (int i = count; i < queued; i++)
        {
            final UnsafeBuffer moved = frames[i - count];
            frames[i - count] = frames[i];
            frames[i] = moved;
            lengths[i - count] = lengths[i];
        }
        queued -= count;
        return count;
    }

    boolean isIdle()
    {
        return 0 == queued;
    }

    long offered()
    {
        return offered;
    }

    long taken()
    {
        return taken;
    }

    long refused()
    {
        return refused;
    }

    public void close()
    {
    }

    public String typeName()
    {
        return "fuzz-wire";
    }
}
