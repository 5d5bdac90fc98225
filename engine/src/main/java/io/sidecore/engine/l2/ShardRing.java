package io.sidecore.engine.l2;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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

    private final RingBuffer ringBuffer;
    private final int producerShard;
    private final int consumerShard;

    /**
     * @param lengthBytes   data capacity, a power of two.
     * @param producerShard index of the writing sidecore.
     * @param consumerShard index of the reading sidecore.
     */
    public ShardRing(final int lengthBytes, final int producerShard, final int consumerShard)
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(lengthBytes + RingBufferDescriptor.TRAILER_LENGTH);
        this.ringBuffer = new OneToOneRingBuffer(new UnsafeBuffer(memory));
        this.producerShard = producerShard;
        this.consumerShard = consumerShard;
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
     * @return false if the ring is full or the frame larger than {@link #maxFrameLength()}.
     */
    public boolean offer(
        final int destinationSlot,
        final int destinationPortId,
        final int sourceSlot,
        final int sourcePortId,
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes)
    {
        if (lengthBytes > maxFrameLength())
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
        return true;
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
        return ringBuffer.read(handler, limit);
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
