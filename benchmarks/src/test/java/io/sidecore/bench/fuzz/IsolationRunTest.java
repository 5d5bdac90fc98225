package io.sidecore.bench.fuzz;

import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.MacTable;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void shouldSelectAttacksByTheNamesItPrints()
    {
        assertEquals(EnumSet.of(IsolationRun.Attack.TSO_MIN_MSS, IsolationRun.Attack.BROADCAST_STORM),
            IsolationRun.Attack.parse("tso-64k-at-min-mss, broadcast-storm"));
        assertEquals(IsolationRun.Attack.values().length - 1, IsolationRun.Attack.parse("all").size());
        assertFalse(IsolationRun.Attack.parse("all").contains(IsolationRun.Attack.NONE));
    }

    @Test
    void shouldRefuseAnUnknownAttackNamingTheKnownOnes()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> IsolationRun.Attack.parse("broadcast-storm,none"));

        assertTrue(refused.getMessage().contains("unknown attack 'none'"), refused.getMessage());
        assertTrue(refused.getMessage().contains("tap-gso-bomb"), refused.getMessage());
    }

    @Test
    void shouldAnswerAnUnknownAttackWithAUsageError()
    {
        assertUsageError("--attacks: unknown attack 'tso'", "--isolation", "--attacks", "tso");
    }

    @Test
    void shouldAnswerRoundsOutsideTheirRangeWithAUsageError()
    {
        assertUsageError("--rounds must be in [1, 20]: 0", "--isolation", "--rounds", "0");
    }

    private static void assertUsageError(final String expected, final String... args)
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = FuzzCommand.execute(args,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(FuzzCommand.EXIT_USAGE, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(expected), err.toString(StandardCharsets.UTF_8));
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
