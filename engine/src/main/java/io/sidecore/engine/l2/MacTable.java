package io.sidecore.engine.l2;

/**
 * The forwarding database of one switch shard: MAC address to switch slot, learned from source addresses and aged
 * by the agent's clock. Open addressing with linear probing over preallocated arrays, so learning and lookup never
 * allocate; deletion shifts the following entries back, so no tombstones accumulate.
 * <p>
 * An entry may be <i>pinned</i> ({@link #pin}): the address a port was configured with, known to the switch from the
 * moment the port attaches, as a host bridge is told a VM's MAC. A pinned entry never ages and is not moved by
 * learning; it goes when its slot is removed.
 * <p>
 * At most three quarters of the slots are used; when the table is that full, a new address is not learned (frames
 * to it are flooded, which is correct, only slower) and the caller counts it. Expired entries are ignored by
 * {@link #lookup} at once and removed by the incremental {@link #sweep}.
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

    private static final long PRESENT = 1L << 48;

    private final long[] keys;
    private final int[] slots;
    private final long[] lastSeenNs;
    private final boolean[] pinned;
    private final int mask;
    private final int maxEntries;
    private final long agingNs;
    private int size;
    private int sweepCursor;

    /**
     * @param capacity slots, a power of two of at least 16.
     * @param agingNs  how long an entry lives without being refreshed.
     */
    public MacTable(final int capacity, final long agingNs)
    {
        if (capacity < 16 || 0 != (capacity & (capacity - 1)))
        {
            throw new IllegalArgumentException("MAC table capacity must be a power of two >= 16: " + capacity);
        }
        if (agingNs <= 0)
        {
            throw new IllegalArgumentException("MAC aging must be positive: " + agingNs);
        }
        keys = new long[capacity];
        slots = new int[capacity];
        lastSeenNs = new long[capacity];
        pinned = new boolean[capacity];
        mask = capacity - 1;
        maxEntries = capacity - (capacity >> 2);
        this.agingNs = agingNs;
    }

    /**
     * Learn or refresh that {@code mac} lives behind {@code slot}.
     *
     * @param mac   48-bit address, first octet in bits 47..40.
     * @param slot  switch slot.
     * @param nowNs current time.
     * @return {@link #LEARNED} or {@link #TABLE_FULL}.
     */
    public int learn(final long mac, final int slot, final long nowNs)
    {
        final long key = mac | PRESENT;
        int index = home(key);
        while (0 != keys[index])
        {
            if (key == keys[index])
            {
                if (!pinned[index])
                {
                    slots[index] = slot;
                    lastSeenNs[index] = nowNs;
                }
                return LEARNED;
            }
            index = (index + 1) & mask;
        }
        if (size >= maxEntries)
        {
            return TABLE_FULL;
        }
        keys[index] = key;
        slots[index] = slot;
        lastSeenNs[index] = nowNs;
        size++;
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
        int index = home(key);
        while (0 != keys[index] && key != keys[index])
        {
            index = (index + 1) & mask;
        }
        if (0 == keys[index])
        {
            if (size >= maxEntries)
            {
                return TABLE_FULL;
            }
            keys[index] = key;
            size++;
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
        final long key = mac | PRESENT;
        int index = home(key);
        while (0 != keys[index])
        {
            if (key == keys[index])
            {
                return pinned[index] || nowNs - lastSeenNs[index] < agingNs ? slots[index] : UNKNOWN;
            }
            index = (index + 1) & mask;
        }
        return UNKNOWN;
    }

    /**
     * @param mac 48-bit address.
     * @return true if an entry for it is stored, expired or not (diagnostics, tests).
     */
    public boolean contains(final long mac)
    {
        final long key = mac | PRESENT;
        int index = home(key);
        while (0 != keys[index])
        {
            if (key == keys[index])
            {
                return true;
            }
            index = (index + 1) & mask;
        }
        return false;
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
     * @return entries stored, expired ones included until swept.
     */
    public int size()
    {
        return size;
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

    private int home(final long key)
    {
        long hash = key * 0x9E3779B97F4A7C15L;
        hash ^= hash >>> 29;
        return (int)hash & mask;
    }
}
