package io.sidecore.engine.l2;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fair share of a cross-sidecore ring, driven by hand: no consumer runs unless the test reads.
 */
class ShardRingTest
{
    private static final int RING_BYTES = 1 << 16;
    private static final int SHARERS = 4;
    private static final int FLOODER = 1;
    private static final int FRAME_BYTES = 1514;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
    private final ShardRing ring = new ShardRing(RING_BYTES, 0, 1, 8);

    @Test
    void shouldRefuseSourcePastItsShareWhileRingHasRoom()
    {
        int accepted = 0;
        while (ring.offer(0, 0, FLOODER, 7, frame, 0, FRAME_BYTES, SHARERS))
        {
            accepted++;
        }

        assertTrue(ring.inFlightBytes(FLOODER) <= ring.shareBytes(SHARERS));
        assertTrue(ring.inFlightBytes(FLOODER) > ring.shareBytes(SHARERS) - 2 * FRAME_BYTES, "share used up");
        assertTrue(ring.size() < RING_BYTES / 2, "refused by its share, not by a full ring: " + accepted);
    }

    @Test
    void shouldLeaveEverySourceItsShareWhateverTheOthersSent()
    {
        for (int source = 0; source < SHARERS; source++)
        {
            while (ring.offer(0, 0, source, 7, frame, 0, FRAME_BYTES, SHARERS))
            {
                assertTrue(ring.inFlightBytes(source) <= ring.shareBytes(SHARERS));
            }
            assertTrue(ring.inFlightBytes(source) > ring.shareBytes(SHARERS) - 2 * FRAME_BYTES,
                "source " + source + " got its share although the others filled theirs");
        }
    }

    @Test
    void shouldReturnBytesToTheirSourceWhenConsumed()
    {
        while (ring.offer(0, 0, FLOODER, 7, frame, 0, FRAME_BYTES, SHARERS))
        {
            continue;
        }
        final int[] seenSource = new int[1];
        final int read = ring.read((type, buffer, index, length) ->
            seenSource[0] = buffer.getInt(index + ShardRing.SOURCE_SLOT_OFFSET, ByteOrder.LITTLE_ENDIAN),
            Integer.MAX_VALUE);

        assertTrue(read > 0);
        assertEquals(FLOODER, seenSource[0]);
        assertEquals(0, ring.inFlightBytes(FLOODER));
        assertTrue(ring.offer(0, 0, FLOODER, 7, frame, 0, FRAME_BYTES, SHARERS), "its share is free again");
        assertFalse(ring.inFlightBytes(FLOODER) == 0);
    }
}
