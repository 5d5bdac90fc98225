package io.sidecore.engine.l2;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The forwarding database of one switch shard: MAC address to switch slot, learned from source addresses and aged
 * by the agent's clock. Open addressing with linear probing over preallocated arrays, so learning and lookup never
 * allocate; deletion shifts the following entries back, so no tombstones accumulate. The hash is keyed with a secret
 * drawn when the table is made, so a guest cannot choose addresses that collide, and every operation examines at
 * most {@link #MAX_PROBES} slots whatever the addresses ({@link #probes()} counts them).
 * <p>
 * An entry may be <i>pinned</i> ({@link #pin}): the address a port was configured with, known to the switch from the
 * moment the port attaches, as a host bridge is told a VM's MAC. A pinned entry never ages and is not moved by
 * learning; it goes when its slot is removed.
 * <p>
 * At most three quarters of the slots are used; when the table is that full, a new address is not learned (frames
 * to it are flooded, which is correct, only slower) and the caller counts it. Room for the pinned entries is kept:
 * learned entries may fill the table only up to its maximum less {@code reservedForPins} (the switch reserves one
 * per switch port), so no guest can fill the table with learned addresses and leave a port created afterwards
 * unpinned. Expired entries are ignored by {@link #lookup} at once and removed by the incremental {@link #sweep}.
 * <p>
 * <b>An expired entry stops counting at its expiry.</b> The sweep runs at a cadence, so an expired entry may stay
 * stored for up to a quarter of the aging period; it must not refuse a new address meanwhile. The learned entries are
 * kept in two lists in the order they were last seen, one of the whole table and one per slot: when a new address
 * finds its slot at its allowance, or the table at its limit, the oldest entries of that list are looked at and the
 * expired ones removed (at most {@link #MAX_PROBES} of them per learn, each one an entry learned once). Refreshing an
 * entry moves it to the young end of both lists, once per distinct {@code nowNs}.
 * <p>
 * <b>Sources a port may use.</b> {@link #learn(long, int, long, int)} is also where a source address is checked: an
 * address pinned to another slot is {@link #SPOOFED} and learned nowhere, and a slot may have at most an
 * {@code allowance} of learned addresses ({@link #SOURCE_LIMIT} past it): the table counts the learned entries behind
 * each slot.
 * <p>
 * Single-threaded: only the owning agent uses it.
 */
public final class MacTable
{
    /** {@link #lookup} result when the address is unknown or expired. */
    public static final int UNKNOWN = -1;

    /** {@link #learn} result: the entry was created or refreshed. */
    public static final int LEARNED = 0;
    /** {@link #learn} result: the table is full, nothing was stored. */
    public static final int TABLE_FULL = 1;
    /** {@link #learn} result: the address is pinned to another slot; nothing changed. */
    public static final int SPOOFED = 2;
    /** {@link #learn} result: the address is new to the slot and the slot has its allowance of learned addresses. */
    public static final int SOURCE_LIMIT = 3;
    /** {@code allowance} of {@link #learn(long, int, long, int)} without a limit. */
    public static final int UNLIMITED_SOURCES = Integer.MAX_VALUE;
    /** Switch slots a table made without a slot count serves. */
    public static final int DEFAULT_SLOTS = 1024;
    /**
     * Slots one learn, pin or lookup examines at most. With the keyed hash and at most three quarters of the slots
     * used, an honest table's probe runs stay far shorter; a learn that finds no room within the bound is refused as
     * if the table were full (the frame still goes, flooded replies only slower).
     */
    public static final int MAX_PROBES = 64;

    /** Whole-table sweeps per aging period at the cadence {@link #sweepIntervalNs} gives. */
    public static final int SWEEPS_PER_AGING_PERIOD = 4;

    private static final int NO_ROOM = Integer.MIN_VALUE;

    private static final long PRESENT = 1L << 48;

    private static final int NONE = -1;

    private final long[] keys;
    private final int[] slots;
    private final long[] lastSeenNs;
    private final boolean[] pinned;
    private final int[] learnedBySlot;
    private final int[] olderInTable;
    private final int[] youngerInTable;
    private final int[] olderInSlot;
    private final int[] youngerInSlot;
    private final int[] oldestByList;
    private final int[] youngestByList;
    private final int tableList;
    private final int mask;
    private final int maxEntries;
    private final int learnedLimit;
    private final long agingNs;
    private final long hashKey;
    private int size;
    private int learnedCount;
    private int sweepCursor;
    private long probes;

    /**
     * A table for up to {@link #DEFAULT_SLOTS} switch slots with no room reserved for pins.
     *
     * @param capacity slots, a power of two of at least 16.
     * @param agingNs  how long an entry lives without being refreshed.
     */
    public MacTable(final int capacity, final long agingNs)
    {
        this(capacity, agingNs, DEFAULT_SLOTS, 0);
    }

    /**
     * A table whose hash is keyed with a secret drawn from {@link SecureRandom} now.
     *
     * @param capacity        table slots, a power of two of at least 16.
     * @param agingNs         how long an entry lives without being refreshed.
     * @param switchSlots     switch slots the entries name (slot values are below it).
     * @param reservedForPins entries kept free of learned addresses, for pins; below {@link #maxEntries()}.
     */
    public MacTable(final int capacity, final long agingNs, final int switchSlots, final int reservedForPins)
    {
        this(capacity, agingNs, switchSlots, reservedForPins, new SecureRandom().nextLong());
    }

    /**
     * @param capacity        table slots, a power of two of at least 16.
     * @param agingNs         how long an entry lives without being refreshed.
     * @param switchSlots     switch slots the entries name (slot values are below it).
     * @param reservedForPins entries kept free of learned addresses, for pins; below {@link #maxEntries()}.
     * @param hashKey         the secret the hash is keyed with (tests fix it; the engine draws it at start).
     */
    public MacTable(
        final int capacity, final long agingNs, final int switchSlots, final int reservedForPins, final long hashKey)
    {
        if (capacity < 16 || 0 != (capacity & (capacity - 1)))
        {
            throw new IllegalArgumentException("MAC table capacity must be a power of two >= 16: " + capacity);
        }
        if (agingNs <= 0)
        {
            throw new IllegalArgumentException("MAC aging must be positive: " + agingNs);
        }
        final int entries = capacity - (capacity >> 2);
        if (reservedForPins < 0 || reservedForPins >= entries || switchSlots < 1)
        {
            throw new IllegalArgumentException("a MAC table of " + capacity + " slots holds " + entries +
                " entries: it cannot keep " + reservedForPins + " for pins and learn any address");
        }
        keys = new long[capacity];
        slots = new int[capacity];
        lastSeenNs = new long[capacity];
        pinned = new boolean[capacity];
        learnedBySlot = new int[switchSlots];
        olderInTable = new int[capacity];
        youngerInTable = new int[capacity];
        olderInSlot = new int[capacity];
        youngerInSlot = new int[capacity];
        oldestByList = new int[switchSlots + 1];
        youngestByList = new int[switchSlots + 1];
        Arrays.fill(oldestByList, NONE);
        Arrays.fill(youngestByList, NONE);
        tableList = switchSlots;
        mask = capacity - 1;
        maxEntries = entries;
        learnedLimit = entries - reservedForPins;
        this.agingNs = agingNs;
        this.hashKey = hashKey;
    }

    /**
     * Learn or refresh that {@code mac} lives behind {@code slot}, with no limit on the slot's addresses.
     *
     * @param mac   48-bit address, first octet in bits 47..40.
     * @param slot  switch slot.
     * @param nowNs current time.
     * @return {@link #LEARNED}, {@link #TABLE_FULL} or {@link #SPOOFED}.
     */
    public int learn(final long mac, final int slot, final long nowNs)
    {
        return learn(mac, slot, nowNs, UNLIMITED_SOURCES);
    }

    /**
     * Check a source address a slot sent from, and learn or refresh that it lives behind the slot: an address
     * pinned to the slot is its own; one pinned to another slot is refused; one learned behind the slot is
     * refreshed; one new to the slot (unknown, or learned behind another slot: a station that moved) is learned if
     * the slot has fewer than {@code allowance} learned addresses. Expired learned entries do not count: when a new
     * address finds the slot at its allowance or the table at its limit, the oldest expired entries are removed first.
     *
     * @param mac       48-bit address, first octet in bits 47..40.
     * @param slot      switch slot.
     * @param nowNs     current time.
     * @param allowance learned addresses the slot may have, or {@link #UNLIMITED_SOURCES}.
     * @return {@link #LEARNED}, {@link #TABLE_FULL} (new address, no room: not learned, the frame may still go),
     *     {@link #SPOOFED} or {@link #SOURCE_LIMIT}.
     */
    public int learn(final long mac, final int slot, final long nowNs, final int allowance)
    {
        final long key = mac | PRESENT;
        int found = find(key);
        if (found >= 0)
        {
            if (pinned[found])
            {
                return slots[found] == slot ? LEARNED : SPOOFED;
            }
            if (slots[found] != slot)
            {
                if (learnedBySlot[slot] >= allowance)
                {
                    if (!forgetExpiredOfSlot(slot, nowNs, allowance))
                    {
                        return SOURCE_LIMIT;
                    }
                    found = find(key);
                }
                unlinkFromSlot(found);
                learnedBySlot[slots[found]]--;
                learnedBySlot[slot]++;
                slots[found] = slot;
                linkToSlot(found);
            }
            touch(found, nowNs);
            return LEARNED;
        }
        if (learnedBySlot[slot] >= allowance)
        {
            if (!forgetExpiredOfSlot(slot, nowNs, allowance))
            {
                return SOURCE_LIMIT;
            }
            found = find(key);
        }
        if (learnedCount >= learnedLimit || size >= maxEntries)
        {
            if (!forgetExpiredOfTable(nowNs))
            {
                return TABLE_FULL;
            }
            found = find(key);
        }
        if (NO_ROOM == found)
        {
            return TABLE_FULL;
        }
        final int index = -1 - found;
        keys[index] = key;
        slots[index] = slot;
        lastSeenNs[index] = nowNs;
        size++;
        learnedCount++;
        learnedBySlot[slot]++;
        linkToTable(index);
        linkToSlot(index);
        return LEARNED;
    }

    /**
     * Pin {@code mac} behind {@code slot}: the entry never ages and learning does not move it. Control path.
     *
     * @param mac  48-bit address.
     * @param slot switch slot.
     * @return {@link #LEARNED} or {@link #TABLE_FULL}.
     */
    public int pin(final long mac, final int slot)
    {
        final long key = mac | PRESENT;
        final int found = find(key);
        final int index;
        if (found >= 0)
        {
            index = found;
            if (!pinned[index])
            {
                forgetLearned(index);
            }
        }
        else if (NO_ROOM != found && size < maxEntries)
        {
            index = -1 - found;
            keys[index] = key;
            size++;
        }
        else
        {
            index = learnedEntryNear(key);
            if (index < 0)
            {
                return TABLE_FULL;
            }
            forgetLearned(index);
            keys[index] = key;
        }
        slots[index] = slot;
        pinned[index] = true;
        return LEARNED;
    }

    /**
     * @param mac   48-bit address.
     * @param nowNs current time.
     * @return the slot the address was last seen behind, or {@link #UNKNOWN} if never seen or expired.
     */
    public int lookup(final long mac, final long nowNs)
    {
        final int index = find(mac | PRESENT);
        if (index < 0)
        {
            return UNKNOWN;
        }
        return pinned[index] || nowNs - lastSeenNs[index] < agingNs ? slots[index] : UNKNOWN;
    }

    /**
     * @param mac 48-bit address.
     * @return true if an entry for it is stored, expired or not (diagnostics, tests).
     */
    public boolean contains(final long mac)
    {
        return find(mac | PRESENT) >= 0;
    }

    /**
     * How often a sweep of {@code limit} slots must run for the whole table to be swept
     * {@link #SWEEPS_PER_AGING_PERIOD} times per aging period. Expired entries are ignored by {@link #lookup} at once,
     * so the sweep only reclaims their slots; sweeping at this cadence instead of every duty cycle leaves an expired
     * entry stored at most a quarter of the aging period longer (issue 11 §0: a sweep every pass was 9 % of a
     * one-guest sidecore).
     *
     * @param limit slots each sweep examines, 1 or more.
     * @return interval in ns between two sweeps, 0 or more.
     */
    public long sweepIntervalNs(final int limit)
    {
        final long slices = (keys.length + (long)Math.max(1, limit) - 1) / Math.max(1, limit);
        return agingNs / (SWEEPS_PER_AGING_PERIOD * slices);
    }

    /**
     * Examine up to {@code limit} slots from where the previous sweep stopped and remove expired entries.
     *
     * @param nowNs current time.
     * @param limit slots to examine.
     * @return entries removed.
     */
    public int sweep(final long nowNs, final int limit)
    {
        if (0 == size)
        {
            return 0;
        }
        int removed = 0;
        int index = sweepCursor;
        for (int i = 0; i < limit; i++)
        {
            if (0 != keys[index] && !pinned[index] && nowNs - lastSeenNs[index] >= agingNs)
            {
                removed++;
                if (deleteAt(index))
                {
                    continue;
                }
            }
            index = (index + 1) & mask;
        }
        sweepCursor = index;
        return removed;
    }

    /**
     * Forget every address behind a slot (the port left the switch). Walks the whole table: control path only.
     *
     * @param slot switch slot.
     * @return entries removed.
     */
    public int removeSlot(final int slot)
    {
        int removed = 0;
        int index = 0;
        while (index <= mask)
        {
            if (0 != keys[index] && slots[index] == slot)
            {
                removed++;
                if (deleteAt(index))
                {
                    continue;
                }
            }
            index++;
        }
        return removed;
    }

    /**
     * @param slot a switch slot.
     * @return learned (not pinned) entries behind it, expired ones included until swept or forgotten to make room.
     */
    public int learnedCount(final int slot)
    {
        return learnedBySlot[slot];
    }

    /**
     * @return table slots examined by learning, pinning and lookups so far (the work the table's probing costs).
     */
    public long probes()
    {
        return probes;
    }

    /**
     * @return entries stored, expired ones included until swept.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return the most learned (not pinned) entries the table will hold: its maximum less the room kept for pins.
     */
    public int learnedLimit()
    {
        return learnedLimit;
    }

    /**
     * @return the most entries the table will hold.
     */
    public int maxEntries()
    {
        return maxEntries;
    }

    /**
     * Remove the entry at {@code index} and shift later entries of the same probe run back into the hole.
     *
     * @param index occupied slot.
     * @return true if an entry was moved into {@code index} (so it must be examined again).
     */
    private boolean deleteAt(final int index)
    {
        if (!pinned[index])
        {
            forgetLearned(index);
        }
        int hole = index;
        int next = (index + 1) & mask;
        boolean filledOriginal = false;
        while (0 != keys[next])
        {
            final int nextHome = home(keys[next]);
            final boolean stays = hole <= next ?
                (hole < nextHome && nextHome <= next) :
                (hole < nextHome || nextHome <= next);
            if (!stays)
            {
                keys[hole] = keys[next];
                slots[hole] = slots[next];
                lastSeenNs[hole] = lastSeenNs[next];
                pinned[hole] = pinned[next];
                if (!pinned[next])
                {
                    relink(next, hole);
                }
                if (hole == index)
                {
                    filledOriginal = true;
                }
                hole = next;
            }
            next = (next + 1) & mask;
        }
        keys[hole] = 0;
        slots[hole] = 0;
        lastSeenNs[hole] = 0;
        pinned[hole] = false;
        size--;
        return filledOriginal;
    }

    private void forgetLearned(final int index)
    {
        unlinkFromTable(index);
        unlinkFromSlot(index);
        learnedCount--;
        learnedBySlot[slots[index]]--;
    }

    /**
     * Remove the slot's oldest learned entries while they are expired, up to {@link #MAX_PROBES}.
     *
     * @return true if the slot is below its allowance now.
     */
    private boolean forgetExpiredOfSlot(final int slot, final long nowNs, final int allowance)
    {
        for (int i = 0; i < MAX_PROBES; i++)
        {
            final int oldest = oldestByList[slot];
            if (NONE == oldest || nowNs - lastSeenNs[oldest] < agingNs)
            {
                break;
            }
            deleteAt(oldest);
        }
        return learnedBySlot[slot] < allowance;
    }

    /**
     * Remove the table's oldest learned entries while they are expired, up to {@link #MAX_PROBES}: a table full of
     * expired entries is emptied of them in few learns, so the probe runs they lengthen go too.
     *
     * @return true if a learned entry fits now.
     */
    private boolean forgetExpiredOfTable(final long nowNs)
    {
        for (int i = 0; i < MAX_PROBES; i++)
        {
            final int oldest = oldestByList[tableList];
            if (NONE == oldest || nowNs - lastSeenNs[oldest] < agingNs)
            {
                break;
            }
            deleteAt(oldest);
        }
        return learnedCount < learnedLimit && size < maxEntries;
    }

    /**
     * Record that a learned entry was seen now: it becomes the youngest of the table and of its slot.
     */
    private void touch(final int index, final long nowNs)
    {
        if (lastSeenNs[index] == nowNs)
        {
            return;
        }
        lastSeenNs[index] = nowNs;
        if (youngestByList[tableList] != index)
        {
            unlink(index, tableList, olderInTable, youngerInTable);
            link(index, tableList, olderInTable, youngerInTable);
        }
        if (youngestByList[slots[index]] != index)
        {
            unlink(index, slots[index], olderInSlot, youngerInSlot);
            link(index, slots[index], olderInSlot, youngerInSlot);
        }
    }

    private void linkToTable(final int index)
    {
        link(index, tableList, olderInTable, youngerInTable);
    }

    private void linkToSlot(final int index)
    {
        link(index, slots[index], olderInSlot, youngerInSlot);
    }

    private void unlinkFromTable(final int index)
    {
        unlink(index, tableList, olderInTable, youngerInTable);
    }

    private void unlinkFromSlot(final int index)
    {
        unlink(index, slots[index], olderInSlot, youngerInSlot);
    }

    /**
     * Append an entry at the young end of a list: the table's ({@code tableList}) or a slot's.
     */
    private void link(final int index, final int list, final int[] older, final int[] younger)
    {
        final int youngest = youngestByList[list];
        older[index] = youngest;
        younger[index] = NONE;
        if (NONE == youngest)
        {
            oldestByList[list] = index;
        }
        else
        {
            younger[youngest] = index;
        }
        youngestByList[list] = index;
    }

    private void unlink(final int index, final int list, final int[] older, final int[] younger)
    {
        final int olderIndex = older[index];
        final int youngerIndex = younger[index];
        pointTo(youngerIndex, list, older, younger, olderIndex);
    }

    /**
     * A learned entry moved from {@code from} to {@code to} (deletion shifts entries back): its neighbours in both
     * lists, and the lists' ends, name its new place. {@code slots[to]} already holds its slot.
     */
    private void relink(final int from, final int to)
    {
        move(from, to, tableList, olderInTable, youngerInTable);
        move(from, to, slots[to], olderInSlot, youngerInSlot);
    }

    private void move(final int from, final int to, final int list, final int[] older, final int[] younger)
    {
        final int olderIndex = older[from];
        final int youngerIndex = younger[from];
        older[to] = olderIndex;
        younger[to] = youngerIndex;
        pointTo(youngerIndex, list, older, younger, to);
        pointTo(to, list, older, younger, olderIndex);
    }

    /**
     * Make {@code olderIndex} and {@code youngerIndex} neighbours in a list, either one {@link #NONE} for its end.
     */
    private void pointTo(
        final int youngerIndex, final int list, final int[] older, final int[] younger, final int olderIndex)
    {
        if (NONE == olderIndex)
        {
            oldestByList[list] = youngerIndex;
        }
        else
        {
            younger[olderIndex] = youngerIndex;
        }
        if (NONE == youngerIndex)
        {
            youngestByList[list] = olderIndex;
        }
        else
        {
            older[youngerIndex] = olderIndex;
        }
    }

    /**
     * Where a key is, within {@link #MAX_PROBES} slots of its home (every key lies there: inserts never go further
     * and deletions only move entries towards their home).
     *
     * @return its index; else {@code -1 - index} of the first empty slot within the bound; else {@link #NO_ROOM}.
     */
    private int find(final long key)
    {
        int index = home(key);
        for (int i = 0; i < MAX_PROBES; i++)
        {
            probes++;
            final long stored = keys[index];
            if (stored == key)
            {
                return index;
            }
            if (0 == stored)
            {
                return -1 - index;
            }
            index = (index + 1) & mask;
        }
        return NO_ROOM;
    }

    /**
     * @return the first learned (not pinned) entry within {@link #MAX_PROBES} slots of the key's home, or -1.
     */
    private int learnedEntryNear(final long key)
    {
        int index = home(key);
        for (int i = 0; i < MAX_PROBES; i++)
        {
            probes++;
            if (0 != keys[index] && !pinned[index])
            {
                return index;
            }
            index = (index + 1) & mask;
        }
        return -1;
    }

    /**
     * The home slot of a key: the key, xor the table's secret, through MurmurHash3's 64-bit finaliser (a bijection
     * whose every output bit depends on every input bit). Not a cryptographic function, but a guest does not know
     * the secret, so it cannot compute which of its addresses collide; and whatever it sends, probing is bounded.
     */
    private int home(final long key)
    {
        long hash = key ^ hashKey;
        hash = (hash ^ (hash >>> 33)) * 0xFF51AFD7ED558CCDL;
        hash = (hash ^ (hash >>> 33)) * 0xC4CEB9FE1A85EC53L;
        hash ^= hash >>> 33;
        return (int)hash & mask;
    }
}
