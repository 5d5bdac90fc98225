package io.sidecore.engine.l2;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacTableTest
{
    private static final long AGING_NS = 1_000_000_000L;
    private static final long NOW_NS = 5_000_000_000L;
    private static final long MAC_A = 0x02_00_00_00_00_0AL;
    private static final long MAC_B = 0x02_00_00_00_00_0BL;
    private static final long MAC_C = 0x02_00_00_00_01_00L;

    /** A fixed hash key, so that the tables' layouts (and the model test's steps) are the same in every run. */
    private static final long HASH_KEY = 0x5EED_CAFE_F00D_BEEFL;

    private final MacTable table = new MacTable(16, AGING_NS, MacTable.DEFAULT_SLOTS, 0, HASH_KEY);

    @Test
    void shouldReturnUnknownWhenNeverLearned()
    {
        assertEquals(MacTable.UNKNOWN, table.lookup(MAC_A, NOW_NS));
    }

    @Test
    void shouldReturnSlotWhenLearned()
    {
        assertEquals(MacTable.LEARNED, table.learn(MAC_A, 3, NOW_NS));
        assertEquals(MacTable.LEARNED, table.learn(MAC_B, 7, NOW_NS));

        assertEquals(3, table.lookup(MAC_A, NOW_NS));
        assertEquals(7, table.lookup(MAC_B, NOW_NS));
        assertEquals(2, table.size());
    }

    @Test
    void shouldMoveAddressWhenSeenBehindAnotherSlot()
    {
        table.learn(MAC_A, 3, NOW_NS);
        table.learn(MAC_A, 5, NOW_NS + 1);

        assertEquals(5, table.lookup(MAC_A, NOW_NS + 1));
        assertEquals(1, table.size());
    }

    @Test
    void shouldTreatEntryAsUnknownWhenAged()
    {
        table.learn(MAC_A, 3, NOW_NS);

        assertEquals(3, table.lookup(MAC_A, NOW_NS + AGING_NS - 1));
        assertEquals(MacTable.UNKNOWN, table.lookup(MAC_A, NOW_NS + AGING_NS));
    }

    @Test
    void shouldKeepEntryAliveWhenRefreshed()
    {
        table.learn(MAC_A, 3, NOW_NS);
        table.learn(MAC_A, 3, NOW_NS + AGING_NS - 1);

        assertEquals(3, table.lookup(MAC_A, NOW_NS + AGING_NS + 10));
    }

    @Test
    void shouldRemoveExpiredEntriesWhenSwept()
    {
        table.learn(MAC_A, 3, NOW_NS);
        table.learn(MAC_B, 4, NOW_NS + AGING_NS / 2);

        final int removed = table.sweep(NOW_NS + AGING_NS, 16);

        assertEquals(1, removed);
        assertEquals(1, table.size());
        assertEquals(4, table.lookup(MAC_B, NOW_NS + AGING_NS));
    }

    @Test
    void shouldExamineAtMostLimitSlotsPerSweep()
    {
        for (int i = 0; i < 12; i++)
        {
            table.learn(MAC_A + i, i, NOW_NS);
        }
        int removed = 0;
        int sweeps = 0;
        while (table.size() > 0)
        {
            final int step = table.sweep(NOW_NS + AGING_NS, 2);
            assertTrue(step <= 2, "removed " + step + " with limit 2");
            removed += step;
            sweeps++;
        }

        assertEquals(12, removed);
        assertTrue(sweeps >= 6);
    }

    @Test
    void shouldRefuseToLearnWhenFull()
    {
        for (int i = 0; i < table.maxEntries(); i++)
        {
            assertEquals(MacTable.LEARNED, table.learn(MAC_A + i, 1, NOW_NS));
        }

        assertEquals(MacTable.TABLE_FULL, table.learn(MAC_B + 100, 1, NOW_NS));
        assertEquals(MacTable.LEARNED, table.learn(MAC_A, 2, NOW_NS), "refreshing a known address still works");
        assertEquals(12, table.maxEntries());
    }

    @Test
    void shouldForgetEveryAddressBehindRemovedSlot()
    {
        for (int i = 0; i < 10; i++)
        {
            table.learn(MAC_A + i, i % 2, NOW_NS);
        }

        assertEquals(5, table.removeSlot(1));

        for (int i = 0; i < 10; i++)
        {
            assertEquals(i % 2 == 1 ? MacTable.UNKNOWN : 0, table.lookup(MAC_A + i, NOW_NS));
        }
        assertEquals(5, table.size());
    }

    @Test
    void shouldNeverAgeOrMovePinnedEntry()
    {
        assertEquals(MacTable.LEARNED, table.pin(MAC_A, 3));

        table.learn(MAC_A, 9, NOW_NS);
        assertEquals(0, table.sweep(NOW_NS + 100 * AGING_NS, 16));

        assertEquals(3, table.lookup(MAC_A, NOW_NS + 100 * AGING_NS));
        assertEquals(1, table.size());
    }

    @Test
    void shouldPinOverLearnedEntryAndRemoveItWithItsSlot()
    {
        table.learn(MAC_A, 9, NOW_NS);

        table.pin(MAC_A, 3);
        assertEquals(3, table.lookup(MAC_A, NOW_NS + 2 * AGING_NS));
        assertEquals(1, table.removeSlot(3));

        assertEquals(MacTable.UNKNOWN, table.lookup(MAC_A, NOW_NS));
        assertEquals(0, table.size());
    }

    @Test
    void shouldRejectCapacityNotPowerOfTwo()
    {
        assertThrows(IllegalArgumentException.class, () -> new MacTable(24, AGING_NS));
        assertThrows(IllegalArgumentException.class, () -> new MacTable(8, AGING_NS));
    }

    @Test
    void shouldMatchMapModelWhenLearningAgingAndRemovingRandomly()
    {
        final MacTable big = new MacTable(256, AGING_NS, MacTable.DEFAULT_SLOTS, 0, HASH_KEY);
        final Map<Long, long[]> model = new HashMap<>();
        final Random random = new Random(42);
        long nowNs = NOW_NS;
        for (int step = 0; step < 20_000; step++)
        {
            nowNs += 1 + random.nextInt(2_000_000);
            final long mac = 0x02_00_00_00_00_00L + random.nextInt(300);
            final int action = random.nextInt(10);
            if (action < 6)
            {
                final int slot = random.nextInt(8);
                if (!model.containsKey(mac) && model.size() >= big.maxEntries())
                {
                    forgetOldestExpired(model, nowNs);
                }
                if (model.containsKey(mac) || model.size() < big.maxEntries())
                {
                    assertEquals(MacTable.LEARNED, big.learn(mac, slot, nowNs), "step " + step);
                    model.put(mac, new long[]{slot, nowNs});
                }
                else
                {
                    assertEquals(MacTable.TABLE_FULL, big.learn(mac, slot, nowNs), "step " + step);
                }
            }
            else if (action < 8)
            {
                final int removed = big.sweep(nowNs, 32);
                int removedFromModel = 0;
                for (final Map.Entry<Long, long[]> entry : new HashMap<>(model).entrySet())
                {
                    if (!big.contains(entry.getKey()))
                    {
                        assertTrue(nowNs - entry.getValue()[1] >= AGING_NS, "sweep removed a live entry");
                        model.remove(entry.getKey());
                        removedFromModel++;
                    }
                }
                assertEquals(removedFromModel, removed);
            }
            else if (action < 9)
            {
                final int slot = random.nextInt(8);
                final int expected = (int)model.values().stream().filter(v -> v[0] == slot).count();
                assertEquals(expected, big.removeSlot(slot));
                model.values().removeIf(v -> v[0] == slot);
            }
            for (final Map.Entry<Long, long[]> entry : model.entrySet())
            {
                final long[] value = entry.getValue();
                final int expectedSlot = nowNs - value[1] >= AGING_NS ? MacTable.UNKNOWN : (int)value[0];
                assertEquals(expectedSlot, big.lookup(entry.getKey(), nowNs), "step " + step);
            }
            assertEquals(model.size(), big.size(), "step " + step);
        }
    }

    @Test
    void shouldKeepRoomForPinsWhenLearnedAddressesFillTheTable()
    {
        final MacTable reserving = new MacTable(16, AGING_NS, 8, 4, HASH_KEY);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(MacTable.LEARNED, reserving.learn(MAC_A + i, 1, NOW_NS));
        }

        assertEquals(MacTable.TABLE_FULL, reserving.learn(MAC_B + 100, 1, NOW_NS), "8 learned: the rest is for pins");
        for (int slot = 2; slot < 6; slot++)
        {
            assertEquals(MacTable.LEARNED, reserving.pin(0x02_00_00_00_01_00L + slot, slot), "pin " + slot);
        }
        assertEquals(12, reserving.size());
        assertEquals(8, reserving.learnedCount(1));
    }

    @Test
    void shouldRefuseAddressPinnedToAnotherSlotAndNewAddressPastAllowance()
    {
        table.pin(MAC_A, 3);

        assertEquals(MacTable.SPOOFED, table.learn(MAC_A, 5, NOW_NS, MacTable.UNLIMITED_SOURCES));
        assertEquals(MacTable.LEARNED, table.learn(MAC_A, 3, NOW_NS, 0), "its own pinned address");
        assertEquals(MacTable.LEARNED, table.learn(MAC_B, 5, NOW_NS, 1));
        assertEquals(MacTable.LEARNED, table.learn(MAC_B, 5, NOW_NS + 1, 1), "refreshing is not a new address");
        assertEquals(MacTable.SOURCE_LIMIT, table.learn(MAC_B + 1, 5, NOW_NS, 1));
        assertEquals(MacTable.SOURCE_LIMIT, table.learn(MAC_B, 6, NOW_NS, 0), "moving to a slot at its allowance");

        assertEquals(3, table.lookup(MAC_A, NOW_NS));
        assertEquals(5, table.lookup(MAC_B, NOW_NS));
        assertEquals(1, table.learnedCount(5));
        assertEquals(0, table.learnedCount(3), "a pin is not a learned address");
    }

    @Test
    void shouldForgetLearnedCountWhenEntriesAgeOrTheirSlotGoes()
    {
        table.learn(MAC_A, 5, NOW_NS);
        table.learn(MAC_B, 5, NOW_NS + AGING_NS / 2);

        table.sweep(NOW_NS + AGING_NS, 16);
        assertEquals(1, table.learnedCount(5));
        table.removeSlot(5);

        assertEquals(0, table.learnedCount(5));
        assertEquals(MacTable.LEARNED, table.learn(MAC_A, 5, NOW_NS, 1), "the allowance is free again");
    }

    @Test
    void shouldLearnNewAddressPastAllowanceOnceTheSlotsLearnedAddressesExpired()
    {
        for (int i = 0; i < 3; i++)
        {
            assertEquals(MacTable.LEARNED, table.learn(MAC_A + i, 5, NOW_NS + i, 3));
        }
        assertEquals(MacTable.SOURCE_LIMIT, table.learn(MAC_C, 5, NOW_NS + AGING_NS - 1, 3), "all three live");

        assertEquals(MacTable.LEARNED, table.learn(MAC_C, 5, NOW_NS + AGING_NS + 2, 3), "all three expired");

        assertEquals(1, table.learnedCount(5), "the expired addresses no longer count");
        assertEquals(1, table.size());
        assertEquals(5, table.lookup(MAC_C, NOW_NS + AGING_NS + 2));
    }

    @Test
    void shouldCountOnlyTheExpiredAddressesOutWhenSomeOfTheSlotsAddressesAreLive()
    {
        table.learn(MAC_A, 5, NOW_NS, 2);
        table.learn(MAC_A + 1, 5, NOW_NS + 10, 2);
        table.learn(MAC_A, 5, NOW_NS + AGING_NS / 2, 2);

        assertEquals(MacTable.LEARNED, table.learn(MAC_C, 5, NOW_NS + AGING_NS + 10, 2), "MAC_A + 1 expired");
        assertEquals(MacTable.SOURCE_LIMIT, table.learn(MAC_C + 1, 5, NOW_NS + AGING_NS + 11, 2), "MAC_A is live");

        assertEquals(2, table.learnedCount(5));
        assertTrue(table.contains(MAC_A));
        assertEquals(MacTable.UNKNOWN, table.lookup(MAC_A + 1, NOW_NS + AGING_NS + 11));
    }

    @Test
    void shouldLearnNewAddressWhenTheTableIsFullOfExpiredEntries()
    {
        final MacTable reserving = new MacTable(16, AGING_NS, 8, 4, HASH_KEY);
        for (int i = 0; i < reserving.learnedLimit(); i++)
        {
            assertEquals(MacTable.LEARNED, reserving.learn(MAC_A + i, 1, NOW_NS));
        }
        assertEquals(MacTable.TABLE_FULL, reserving.learn(MAC_C, 2, NOW_NS + AGING_NS - 1), "all live");

        assertEquals(MacTable.LEARNED, reserving.learn(MAC_C, 2, NOW_NS + AGING_NS), "all expired");

        assertEquals(1, reserving.size());
        assertEquals(0, reserving.learnedCount(1));
        assertEquals(1, reserving.learnedCount(2));
    }

    /**
     * What the table does when a new address finds it full: it forgets expired entries, oldest first, at most
     * {@link MacTable#MAX_PROBES} of them.
     */
    private static void forgetOldestExpired(final Map<Long, long[]> model, final long nowNs)
    {
        final long[] expired = model.entrySet().stream()
            .filter(entry -> nowNs - entry.getValue()[1] >= AGING_NS)
            .sorted((x, y) -> Long.compare(x.getValue()[1], y.getValue()[1]))
            .limit(MacTable.MAX_PROBES)
            .mapToLong(Map.Entry::getKey)
            .toArray();
        for (final long mac : expired)
        {
            model.remove(mac);
        }
    }
}
