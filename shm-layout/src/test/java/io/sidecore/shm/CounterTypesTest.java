package io.sidecore.shm;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteOrder;

import static io.sidecore.shm.CounterTypes.COUNTER_ID_KEY_OFFSET;
import static io.sidecore.shm.CounterTypes.PASS_TIME_BUCKET_TYPE_ID;
import static io.sidecore.shm.CounterTypes.PORT_COUNTER_TYPE_ID;
import static io.sidecore.shm.CounterTypes.PORT_ID_KEY_OFFSET;
import static io.sidecore.shm.CounterTypes.PORT_KEY_LENGTH;
import static io.sidecore.shm.CounterTypes.SIDECORE_COUNTER_ID_KEY_OFFSET;
import static io.sidecore.shm.CounterTypes.SIDECORE_COUNTER_TYPE_ID;
import static io.sidecore.shm.CounterTypes.SIDECORE_INDEX_KEY_OFFSET;
import static io.sidecore.shm.CounterTypes.SIDECORE_KEY_LENGTH;
import static io.sidecore.shm.CounterTypes.SYSTEM_COUNTER_TYPE_ID;
import static io.sidecore.shm.CounterTypes.counterId;
import static io.sidecore.shm.CounterTypes.encodePortKey;
import static io.sidecore.shm.CounterTypes.encodeSidecoreKey;
import static io.sidecore.shm.CounterTypes.portId;
import static io.sidecore.shm.CounterTypes.sidecoreIndex;
import static io.sidecore.shm.LayoutAssertions.assertLayout;
import static io.sidecore.shm.LayoutAssertions.field;
import static io.sidecore.shm.LayoutAssertions.intConstant;
import static io.sidecore.shm.LayoutAssertions.parseInt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterTypesTest
{
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "PORT_COUNTER_TYPE_ID, 1001", "SIDECORE_COUNTER_TYPE_ID, 1002", "SYSTEM_COUNTER_TYPE_ID, 1003",
        "PASS_TIME_BUCKET_TYPE_ID, 1004",
        "PORT_ID_KEY_OFFSET, 0", "COUNTER_ID_KEY_OFFSET, 4", "PORT_KEY_LENGTH, 8",
        "SIDECORE_INDEX_KEY_OFFSET, 0", "SIDECORE_COUNTER_ID_KEY_OFFSET, 4", "SIDECORE_KEY_LENGTH, 8",
    })
    void shouldPinCounterTypesConstant(final String name, final String value)
    {
        assertEquals(parseInt(value), intConstant(CounterTypes.class, name));
    }

    @Test
    void shouldPinEveryCounterTypesConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(
            CounterTypes.class, CounterTypesTest.class, "shouldPinCounterTypesConstant");
    }

    @Test
    void shouldKeepTypeIdsDistinctAndClearOfAgronaDefault()
    {
        assertNotEquals(PORT_COUNTER_TYPE_ID, SIDECORE_COUNTER_TYPE_ID);
        assertNotEquals(SIDECORE_COUNTER_TYPE_ID, SYSTEM_COUNTER_TYPE_ID);
        assertNotEquals(PORT_COUNTER_TYPE_ID, SYSTEM_COUNTER_TYPE_ID);
        assertNotEquals(SIDECORE_COUNTER_TYPE_ID, PASS_TIME_BUCKET_TYPE_ID);
        assertNotEquals(SYSTEM_COUNTER_TYPE_ID, PASS_TIME_BUCKET_TYPE_ID);
        assertNotEquals(PORT_COUNTER_TYPE_ID, PASS_TIME_BUCKET_TYPE_ID);
        assertNotEquals(CountersReader.DEFAULT_TYPE_ID, PORT_COUNTER_TYPE_ID);
    }

    @Test
    void shouldFitKeysInAgronaKeyArea()
    {
        assertLayout("port key", PORT_KEY_LENGTH,
            field("port id", PORT_ID_KEY_OFFSET, 4), field("counter id", COUNTER_ID_KEY_OFFSET, 4));
        assertLayout("sidecore key", SIDECORE_KEY_LENGTH,
            field("sidecore index", SIDECORE_INDEX_KEY_OFFSET, 4),
            field("counter id", SIDECORE_COUNTER_ID_KEY_OFFSET, 4));
        assertTrue(PORT_KEY_LENGTH <= CountersReader.MAX_KEY_LENGTH);
        assertTrue(SIDECORE_KEY_LENGTH <= CountersReader.MAX_KEY_LENGTH);
        assertEquals(COUNTER_ID_KEY_OFFSET, SIDECORE_COUNTER_ID_KEY_OFFSET, "one counterId() decodes both keys");
    }

    @Test
    void shouldRoundTripPortKeyLittleEndian()
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
        encodePortKey(key, 0x01020304, PortCounter.RX_DROP_RING_FULL.id());
        assertEquals(0x04, key.getByte(PORT_ID_KEY_OFFSET), "little-endian");
        assertEquals(0x01020304, portId(key, 0));
        assertEquals(PortCounter.RX_DROP_RING_FULL.id(), counterId(key, 0));
        assertEquals(0x01020304, key.getInt(PORT_ID_KEY_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldRoundTripSidecoreKeyAtAnOffset()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        final UnsafeBuffer key = new UnsafeBuffer(buffer, 8, SIDECORE_KEY_LENGTH);
        encodeSidecoreKey(key, 3, SidecoreCounter.PARKS.id());
        assertEquals(3, sidecoreIndex(buffer, 8));
        assertEquals(SidecoreCounter.PARKS.id(), counterId(buffer, 8));
        assertEquals(3, buffer.getInt(8 + SIDECORE_INDEX_KEY_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }
}
