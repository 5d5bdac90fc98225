package io.sidecore.engine.l2;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest must not be able to choose addresses that collide in the MAC table (issue 10 §0 hole 4): with a hash
 * anyone can compute, 1000 addresses with one home slot make the k-th learn probe k slots (about 1.7 µs a learn was
 * measured) and every lookup of them as many. Whatever addresses a guest picks, one learn or lookup examines a
 * bounded number of slots.
 */
class MacTableProbingTest
{
    /** Slots a single learn, pin or lookup may examine. */
    private static final long PROBE_BOUND = 64;
    private static final long AGING_NS = 300_000_000_000L;
    private static final long NOW_NS = 1_000_000_000_000L;
    private static final int CAPACITY = 4096;

    @Test
    void shouldExamineBoundedSlotsPerOperationWhenAddressesCollideUnderTheUnkeyedHash()
    {
        final MacTable table = new MacTable(CAPACITY, AGING_NS);
        final long[] colliding = collidingUnderUnkeyedHash(1000, CAPACITY - 1);

        long worst = 0;
        for (final long mac : colliding)
        {
            final long before = table.probes();
            table.learn(mac, 1, NOW_NS);
            worst = Math.max(worst, table.probes() - before);
        }
        for (final long mac : colliding)
        {
            final long before = table.probes();
            table.lookup(mac, NOW_NS);
            worst = Math.max(worst, table.probes() - before);
        }
        final long before = table.probes();
        assertEquals(MacTable.UNKNOWN, table.lookup(0x02_FF_FF_FF_FF_FFL, NOW_NS));
        worst = Math.max(worst, table.probes() - before);

        assertTrue(worst <= PROBE_BOUND, "one operation examined " + worst + " slots");
    }

    /**
     * Unicast addresses whose home slot under the table's original, unkeyed hash (a multiplication by the golden
     * ratio and a shift, public in the source) is 0: what an attacker computes offline.
     */
    private static long[] collidingUnderUnkeyedHash(final int count, final int mask)
    {
        final long[] found = new long[count];
        int n = 0;
        for (long mac = 0x02_00_00_00_00_00L; n < count; mac++)
        {
            long hash = (mac | 1L << 48) * 0x9E3779B97F4A7C15L;
            hash ^= hash >>> 29;
            if (0 == ((int)hash & mask))
            {
                found[n++] = mac;
            }
        }
        return found;
    }
}
