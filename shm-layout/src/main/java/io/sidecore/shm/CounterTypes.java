package io.sidecore.shm;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The single registry of counter type ids in the counters file ({@link CountersFileDescriptor}), and the key
 * layouts of keyed counters. Keys are little-endian and stored in the key area of an Agrona counter metadata record
 * (at most {@code CountersReader.MAX_KEY_LENGTH} bytes).
 * <pre>
 *   per-port counter key (PORT_COUNTER_TYPE_ID)
 *    3                   2                   1
 *    1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *   +---------------------------------------------------------------+
 *   |                           port id                             | 0
 *   +---------------------------------------------------------------+
 *   |                  counter id (PortCounter.id())                | 4
 *   +---------------------------------------------------------------+
 *
 *   per-sidecore counter key (SIDECORE_COUNTER_TYPE_ID)
 *   +---------------------------------------------------------------+
 *   |                        sidecore index                         | 0
 *   +---------------------------------------------------------------+
 *   |                counter id (SidecoreCounter.id())              | 4
 *   +---------------------------------------------------------------+
 * </pre>
 * Pass time buckets ({@link #PASS_TIME_BUCKET_TYPE_ID}, {@link PassTimeHistogram}) use the per-sidecore key, with
 * the bucket index as the counter id.
 * Daemon-wide counters ({@link #SYSTEM_COUNTER_TYPE_ID}) get their key layout here when their registry is added.
 */
public final class CounterTypes
{
    /** A per-port counter. */
    public static final int PORT_COUNTER_TYPE_ID = 1001;
    /** A per-sidecore (per-core agent) counter. */
    public static final int SIDECORE_COUNTER_TYPE_ID = 1002;
    /** A daemon-wide counter (errors, proxy failures). */
    public static final int SYSTEM_COUNTER_TYPE_ID = 1003;
    /** A bucket of a sidecore's pass time histogram; its key layout is in {@link PassTimeHistogram}. */
    public static final int PASS_TIME_BUCKET_TYPE_ID = 1004;

    /** Per-port key: port id. */
    public static final int PORT_ID_KEY_OFFSET = 0;
    /** Per-port and per-sidecore key: counter id. */
    public static final int COUNTER_ID_KEY_OFFSET = 4;
    /** Length of a per-port key. */
    public static final int PORT_KEY_LENGTH = 8;
    /** Per-sidecore key: sidecore index. */
    public static final int SIDECORE_INDEX_KEY_OFFSET = 0;
    /** Per-sidecore key: counter id ({@link SidecoreCounter#id()}). */
    public static final int SIDECORE_COUNTER_ID_KEY_OFFSET = 4;
    /** Length of a per-sidecore key. */
    public static final int SIDECORE_KEY_LENGTH = 8;

    private CounterTypes()
    {
    }

    /**
     * Write a per-port key.
     *
     * @param key       destination at offset 0.
     * @param portId    port id.
     * @param counterId counter id.
     */
    public static void encodePortKey(final MutableDirectBuffer key, final int portId, final int counterId)
    {
        key.putInt(PORT_ID_KEY_OFFSET, portId, ByteOrder.LITTLE_ENDIAN);
        key.putInt(COUNTER_ID_KEY_OFFSET, counterId, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Write a per-sidecore key.
     *
     * @param key           destination at offset 0.
     * @param sidecoreIndex index of the sidecore (agent), 0-based.
     * @param counterId     {@link SidecoreCounter#id()}.
     */
    public static void encodeSidecoreKey(final MutableDirectBuffer key, final int sidecoreIndex, final int counterId)
    {
        key.putInt(SIDECORE_INDEX_KEY_OFFSET, sidecoreIndex, ByteOrder.LITTLE_ENDIAN);
        key.putInt(SIDECORE_COUNTER_ID_KEY_OFFSET, counterId, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param key    key buffer of a per-port counter.
     * @param offset where the key starts.
     * @return the port id.
     */
    public static int portId(final DirectBuffer key, final int offset)
    {
        return key.getInt(offset + PORT_ID_KEY_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param key    key buffer of a per-sidecore counter.
     * @param offset where the key starts.
     * @return the sidecore index.
     */
    public static int sidecoreIndex(final DirectBuffer key, final int offset)
    {
        return key.getInt(offset + SIDECORE_INDEX_KEY_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param key    key buffer of a per-port or per-sidecore counter.
     * @param offset where the key starts.
     * @return the counter id.
     */
    public static int counterId(final DirectBuffer key, final int offset)
    {
        return key.getInt(offset + COUNTER_ID_KEY_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
