package io.sidecore.engine.l2;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The single-producer single-consumer ring that carries switched frames from one sidecore to another (an Agrona
 * {@link OneToOneRingBuffer}, lock-free). The producing agent claims space, copies the frame in once and commits;
 * the consuming agent delivers the frame straight from ring memory into the destination guest.
 * <pre>
 *   message (after the ring's own record header)
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |            destination slot, or {@link #FLOOD}                | 0
 *   +---------------------------------------------------------------+
 *   |            destination port id (0 when flooding)              | 4
 *   +---------------------------------------------------------------+
 *   |                       source slot                             | 8
 *   +---------------------------------------------------------------+
 *   |                      source port id                           | 12
 *   +---------------------------------------------------------------+
 *   |                      frame bytes ...                          | 16
 *   +---------------------------------------------------------------+
 * </pre>
 * Port ids travel with the slots so a frame for a slot that was reused while it was in flight is recognised.
 * <p>
 * <b>Fair share.</b> The ring is shared by every port of the producing sidecore, and the consumer drains it in
 * order, so a port that fills it would make its neighbours lose frames. Each source slot therefore has a share of
 * the ring: {@code (capacity - 2 * maxMsgLength) / max(2, active)} bytes in flight (records as the ring stores
 * them, header and alignment included), where {@code active} is the number of sources that offered a frame in the
 * current or the previous window of {@link #ACTIVE_WINDOW_PASSES} producer passes. Idle ports take no share, so a busy
 * honest port beside many idle ones is not held to a sliver of a ring that has room (issue 10 §0 hole 5). The shares
 * together leave room for the largest record and the padding of a wrap, so a port within its share finds space
 * whatever the others send; a frame past the sender's share is refused, and the switch counts it against the sender.
 * When a source becomes active the others' shares shrink, and what they hold beyond their new share stays until the
 * consumer reads it. A source alone may hold only half, so the first to join it finds its whole share free at once;
 * a source joining two or more finds the room kept for the largest records at once and the rest of its share as the
 * consumer reads the others' excess. The bookkeeping is a window number per source slot and three counts, updated
 * when a source offers: no allocation, no walk over the ports.
 * <p>
 * Bytes in flight are what the producer wrote for the slot minus what the consumer read for it: two counters per
 * slot, each written by one thread (release) and read by the other (acquire), no read-modify-write shared between
 * the threads.
 */
public final class ShardRing
{
    /** Destination slot meaning "every local port of the consuming shard". */
    public static final int FLOOD = -1;
    /** Message type of a switched frame. */
    public static final int FRAME_MSG_TYPE_ID = 1;

    /** Offset of the destination slot in a message. */
    public static final int DESTINATION_SLOT_OFFSET = 0;
    /** Offset of the destination port id in a message. */
    public static final int DESTINATION_PORT_ID_OFFSET = 4;
    /** Offset of the source slot in a message. */
    public static final int SOURCE_SLOT_OFFSET = 8;
    /** Offset of the source port id in a message. */
    public static final int SOURCE_PORT_ID_OFFSET = 12;
    /** Length of the message header; the frame follows. */
    public static final int HEADER_LENGTH = 16;
    /**
     * Producer passes in a window of the fair share: a source that offered a frame in the current or the previous
     * window shares the ring. Long enough that a port sending in bursts keeps its share between bursts.
     */
    public static final int ACTIVE_WINDOW_PASSES = 1024;

    private static final long NEVER = Long.MIN_VALUE;

    private final RingBuffer ringBuffer;
    private final int producerShard;
    private final int consumerShard;
    private final long sharedBytes;
    private final long[] producedBytes;
    private final AtomicLongArray consumedBytes;
    private final long[] activeWindowBySlot;
    private long window = NEVER;
    private int activeInWindow;
    private int activeInPreviousWindow;
    private int activeInBothWindows;
    private final MessageHandler releasingHandler = this::release;
    private MessageHandler handler;

    /**
     * @param lengthBytes   data capacity, a power of two.
     * @param producerShard index of the writing sidecore.
     * @param consumerShard index of the reading sidecore.
     * @param sourceSlots   switch slots a source may have (the fair share is kept per slot).
     */
    public ShardRing(final int lengthBytes, final int producerShard, final int consumerShard, final int sourceSlots)
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(lengthBytes + RingBufferDescriptor.TRAILER_LENGTH);
        this.ringBuffer = new OneToOneRingBuffer(new UnsafeBuffer(memory));
        this.producerShard = producerShard;
        this.consumerShard = consumerShard;
        this.sharedBytes = lengthBytes - 2L * recordLength(ringBuffer.maxMsgLength());
        this.producedBytes = new long[sourceSlots];
        this.consumedBytes = new AtomicLongArray(sourceSlots);
        this.activeWindowBySlot = new long[sourceSlots];
        Arrays.fill(activeWindowBySlot, NEVER);
    }

    /**
     * Copy a frame into the ring. Producer thread only; never blocks.
     *
     * @param destinationSlot   destination slot or {@link #FLOOD}.
     * @param destinationPortId destination port id.
     * @param sourceSlot        source slot.
     * @param sourcePortId      source port id.
     * @param frame             frame bytes.
     * @param offset            first byte.
     * @param lengthBytes       frame length.
     * @param pass              the producer's pass count (0 or more, never decreasing): which sources are active.
     * @return false if the frame would take the source past its share, the ring is full or the frame is larger than
     *         {@link #maxFrameLength()}.
     */
    public boolean offer(
        final int destinationSlot,
        final int destinationPortId,
        final int sourceSlot,
        final int sourcePortId,
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes,
        final long pass)
    {
        if (lengthBytes > maxFrameLength())
        {
            return false;
        }
        final int sharers = markActive(sourceSlot, pass);
        final int recordBytes = recordLength(HEADER_LENGTH + lengthBytes);
        final long produced = producedBytes[sourceSlot];
        if (produced - consumedBytes.getAcquire(sourceSlot) + recordBytes > shareBytes(sharers))
        {
            return false;
        }
        final int index = ringBuffer.tryClaim(FRAME_MSG_TYPE_ID, HEADER_LENGTH + lengthBytes);
        if (index <= 0)
        {
            return false;
        }
        final AtomicBuffer buffer = ringBuffer.buffer();
        buffer.putInt(index + DESTINATION_SLOT_OFFSET, destinationSlot, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + DESTINATION_PORT_ID_OFFSET, destinationPortId, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + SOURCE_SLOT_OFFSET, sourceSlot, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + SOURCE_PORT_ID_OFFSET, sourcePortId, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(index + HEADER_LENGTH, frame, offset, lengthBytes);
        ringBuffer.commit(index);
        producedBytes[sourceSlot] = produced + recordBytes;
        return true;
    }

    /**
     * @param activeSources sources sharing the ring.
     * @return the bytes in flight each may have: half at most, so a source that becomes active beside one other
     *         finds its share free.
     */
    public long shareBytes(final int activeSources)
    {
        return sharedBytes / Math.max(2, activeSources);
    }

    /**
     * Count a source as active in the window of {@code pass}.
     *
     * @return the sources active in this window or the previous one, this one included.
     */
    private int markActive(final int sourceSlot, final long pass)
    {
        final long passWindow = pass / ACTIVE_WINDOW_PASSES;
        if (passWindow != window)
        {
            activeInPreviousWindow = passWindow - 1 == window ? activeInWindow : 0;
            activeInWindow = 0;
            activeInBothWindows = 0;
            window = passWindow;
        }
        final long sourceWindow = activeWindowBySlot[sourceSlot];
        if (sourceWindow != passWindow)
        {
            activeInWindow++;
            if (sourceWindow == passWindow - 1)
            {
                activeInBothWindows++;
            }
            activeWindowBySlot[sourceSlot] = passWindow;
        }
        return activeInPreviousWindow + activeInWindow - activeInBothWindows;
    }

    /**
     * @param pass the producer's pass count.
     * @return sources sharing the ring at that pass: those that offered in its window or the previous one.
     */
    public int activeSources(final long pass)
    {
        final long passWindow = pass / ACTIVE_WINDOW_PASSES;
        if (passWindow == window)
        {
            return activeInPreviousWindow + activeInWindow - activeInBothWindows;
        }
        return passWindow - 1 == window ? activeInWindow : 0;
    }

    /**
     * @param sourceSlot a source slot.
     * @return record bytes it has in the ring (approximate when read by the consumer's thread).
     */
    public long inFlightBytes(final int sourceSlot)
    {
        return producedBytes[sourceSlot] - consumedBytes.getAcquire(sourceSlot);
    }

    /**
     * Hand up to {@code limit} messages to the handler. Consumer thread only.
     *
     * @param handler gets each message (header at {@code index}, frame at {@code index + HEADER_LENGTH}).
     * @param limit   messages at most.
     * @return messages read.
     */
    public int read(final MessageHandler handler, final int limit)
    {
        this.handler = handler;
        return ringBuffer.read(releasingHandler, limit);
    }

    /**
     * The message's bytes leave its source's share before it is handled, so a handler that fails cannot leak them.
     */
    private void release(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int sourceSlot = buffer.getInt(index + SOURCE_SLOT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        consumedBytes.setRelease(sourceSlot, consumedBytes.getPlain(sourceSlot) + recordLength(length));
        handler.onMessage(msgTypeId, buffer, index, length);
    }

    private static int recordLength(final int messageLength)
    {
        return BitUtil.align(RecordDescriptor.HEADER_LENGTH + messageLength, RecordDescriptor.ALIGNMENT);
    }

    /**
     * @return the largest frame a message can carry.
     */
    public int maxFrameLength()
    {
        return ringBuffer.maxMsgLength() - HEADER_LENGTH;
    }

    /**
     * @return bytes currently queued (approximate when read by another thread).
     */
    public int size()
    {
        return ringBuffer.size();
    }

    /**
     * @return index of the writing sidecore.
     */
    public int producerShard()
    {
        return producerShard;
    }

    /**
     * @return index of the reading sidecore.
     */
    public int consumerShard()
    {
        return consumerShard;
    }
}
