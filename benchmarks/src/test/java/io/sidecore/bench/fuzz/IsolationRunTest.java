package io.sidecore.bench.fuzz;

import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.MacTable;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The colliding-MAC-hash attack of {@link IsolationRun} is what it says: its source addresses collide in a MAC table
 * whose hash is not keyed, and do not in the engine's keyed table, whose secret the attacker cannot know.
 */
class IsolationRunTest
{
    private static final int CAPACITY = 4096;
    private static final long AGING_NS = 300_000_000_000L;

    @Test
    void shouldChooseSourcesThatCollideUnderTheUnkeyedHashOnly()
    {
        final byte[] sources = IsolationRun.collidingSources(CAPACITY - 1);
        final MacTable unkeyed = new MacTable(CAPACITY, AGING_NS, 4, 0, 0L);
        final MacTable keyed = new MacTable(CAPACITY, AGING_NS, 4, 0, 0x9E37_79B9_7F4A_7C15L);

        final int learnedUnkeyed = learnAll(unkeyed, sources);
        final int learnedKeyed = learnAll(keyed, sources);

        assertEquals(IsolationRun.COLLIDING_SOURCES, learnedKeyed, "the keyed table takes every address");
        assertTrue(learnedUnkeyed <= MacTable.MAX_PROBES,
            "all land in one neighbourhood of the unkeyed table: " + learnedUnkeyed + " learned");
        assertTrue(unkeyed.probes() > 10 * keyed.probes(),
            "probes: unkeyed " + unkeyed.probes() + ", keyed " + keyed.probes());
    }

    private static int learnAll(final MacTable table, final byte[] sources)
    {
        int learned = 0;
        for (int i = 0; i < IsolationRun.COLLIDING_SOURCES; i++)
        {
            final long mac = L2Switch.macToLong(Arrays.copyOfRange(sources, i * 6, i * 6 + 6));
            learned += MacTable.LEARNED == table.learn(mac, 1, 0) ? 1 : 0;
        }
        return learned;
    }
}
