package io.sidecore.shm;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The single registry of counter type ids in the counters file, and the key layouts of keyed counters.
 * <pre>
 *   per-port counter key (PORT_COUNTER_TYPE_ID)
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                          port id                              | 0
 *   +---------------------------------------------------------------+
 *   |                 counter id ({@link PortCounter#id()})         | 4
 *   +---------------------------------------------------------------+
 *
 *   per-sidecore counter key (SIDECORE_COUNTER_TYPE_ID)
 *   +---------------------------------------------------------------+
 *   |                        sidecore index                         | 0
 *   +---------------------------------------------------------------+
 *   |                 counter id (sidecore counter id)     | 4
 *   +---------------------------------------------------------------+
 * </pre>
 */
public final class CounterTypes
{
    /** A per-port counter. */
    public static final int PORT_COUNTER_TYPE_ID = 1001;
    /** A per-sidecore (per-core agent) counter. */
    public static final int SIDECORE_COUNTER_TYPE_ID = 1002;
    /** A daemon-wide counter (errors, proxy failures). */
    public static final int SYSTEM_COUNTER_TYPE_ID = 1003;

    public static final int PORT_ID_KEY_OFFSET = 0;
    public static final int COUNTER_ID_KEY_OFFSET = 4;
    public static final int PORT_KEY_LENGTH = 8;
    public static final int SIDECORE_INDEX_KEY_OFFSET = 0;
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
}
