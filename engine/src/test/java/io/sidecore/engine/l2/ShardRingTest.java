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
    private static final long PASS = 5;
    private static final int WINDOW = ShardRing.ACTIVE_WINDOW_PASSES;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
    private final ShardRing ring = new ShardRing(RING_BYTES, 0, 1, 8);

    @Test
    void shouldRefuseSourcePastItsShareWhileRingHasRoom()
    {
        activateAll(PASS);
        int accepted = 0;
        while (ring.offer(0, 0, FLOODER, 7, frame, 0, FRAME_BYTES, PASS))
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
        activateAll(PASS);
        for (int source = 0; source < SHARERS; source++)
        {
            while (ring.offer(0, 0, source, 7, frame, 0, FRAME_BYTES, PASS))
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
        activateAll(PASS);
        while (ring.offer(0, 0, FLOODER, 7, frame, 0, FRAME_BYTES, PASS))
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
        assertTrue(ring.offer(0, 0, FLOODER, 7, frame, 0, FRAME_BYTES, PASS), "its share is free again");
        assertFalse(ring.inFlightBytes(FLOODER) == 0);
    }

    @Test
    void shouldShareTheRingOnlyAmongSourcesThatSentInThisWindowOrThePrevious()
    {
        activateAll(PASS);
        assertEquals(SHARERS, ring.activeSources(PASS));
        assertTrue(ring.offer(0, 0, FLOODER, 7, frame, 0, FRAME_BYTES, WINDOW + 1));
        assertEquals(SHARERS, ring.activeSources(WINDOW + 1), "the others sent in the previous window");
        assertTrue(ring.offer(0, 0, 2, 7, frame, 0, FRAME_BYTES, WINDOW + 2));
        assertEquals(SHARERS, ring.activeSources(WINDOW + 2), "a source active in both windows counts once");

        assertEquals(2, ring.activeSources(2L * WINDOW), "only the two that sent in the last window");
        assertEquals(0, ring.activeSources(4L * WINDOW), "idle for two windows");
        drain();
        while (ring.offer(0, 0, FLOODER, 7, frame, 0, FRAME_BYTES, 4L * WINDOW))
        {
            assertTrue(ring.inFlightBytes(FLOODER) <= ring.shareBytes(1));
        }
        assertTrue(ring.inFlightBytes(FLOODER) > ring.shareBytes(1) - 2 * FRAME_BYTES,
            "alone, it has half the ring: the rest waits for a newcomer");
    }

    private void activateAll(final long pass)
    {
        for (int source = 0; source < SHARERS; source++)
        {
            assertTrue(ring.offer(0, 0, source, 7, frame, 0, FRAME_BYTES, pass));
        }
        drain();
    }

    private void drain()
    {
        ring.read((type, buffer, index, length) -> { }, Integer.MAX_VALUE);
    }
}
