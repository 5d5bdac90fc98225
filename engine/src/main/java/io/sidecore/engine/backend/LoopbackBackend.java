package io.sidecore.engine.backend;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A cable from a port back to itself: every frame the guest transmits comes back to its own RX ring. On the switch
 * a lone port has nowhere to send (the switch never sends a frame back out of its source port), so the one-guest
 * demo connects its guest to this backend instead.
 * <p>
 * {@link #onFrame} copies the frame into a preallocated slot; {@link #poll} hands queued frames to the port's
 * receive side within the port's RX frame budget. Both run on the owning agent thread in the same port pass (TX,
 * then the backend), so the queue holds at most one pass of frames. A frame that does not fit (queue full, or longer
 * than a slot) is counted once, under {@link PortCounter#RX_DROP_BACKEND} of the port, so every frame the device
 * emitted is still written to the RX ring or counted in exactly one drop counter. Allocates nothing after construction.
 */
public final class LoopbackBackend implements PortBackend
{
    /** {@link #typeName()} of this backend. */
    public static final String TYPE_NAME = "loopback";
    /** Frames the queue holds: four passes at the default TX budget of 64 descriptors. */
    public static final int SLOTS = 256;
    /** Bytes of a slot: a 1514-byte frame plus an 802.1Q tag, rounded up. */
    public static final int SLOT_BYTES = 2048;

    private final UnsafeBuffer slots = new UnsafeBuffer(new byte[SLOTS * SLOT_BYTES]);
    private final int[] lengths = new int[SLOTS];
    private final FrameMetadata metadata = new FrameMetadata();
    private final PortCounters portCounters;
    private long head;
    private long tail;

    /**
     * @param portCounters the port's counters, charged for frames the loopback could not hold.
     */
    public LoopbackBackend(final PortCounters portCounters)
    {
        this.portCounters = portCounters;
    }

    /**
     * {@inheritDoc}
     */
    public int onFrame(
        final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
        final long nowNs)
    {
        if (tail - head >= SLOTS || lengthBytes > SLOT_BYTES)
        {
            portCounters.increment(PortCounter.RX_DROP_BACKEND);
            return FrameSink.dropped(PortCounter.RX_DROP_BACKEND);
        }
        final int slot = (int)(tail & (SLOTS - 1));
        slots.putBytes(slot * SLOT_BYTES, frame, offset, lengthBytes);
        lengths[slot] = lengthBytes;
        tail++;
        return DELIVERED;
    }

    /**
     * {@inheritDoc}
     */
    public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
    {
        int frames = 0;
        long bytes = 0;
        while (head < tail && frames < frameBudget && bytes < byteBudget)
        {
            final int slot = (int)(head & (SLOTS - 1));
            // The port's receive side counts the frame as received or under exactly one drop reason.
            toGuest.onFrame(slots, slot * SLOT_BYTES, lengths[slot], metadata.reset(), nowNs);
            bytes += lengths[slot];
            head++;
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
}
