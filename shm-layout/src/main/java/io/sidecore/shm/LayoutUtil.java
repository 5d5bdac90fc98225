package io.sidecore.shm;

/**
 * Constants and pure helpers shared by the layout descriptors.
 * <p>
 * Every layout separates the fields of different writers into groups that start on a {@link #WRITER_GROUP_LENGTH}
 * boundary: two cache lines, because x86 adjacent-line prefetching moves 128-byte pairs, so fields only 64 bytes
 * apart would still bounce between the writers' cores.
 */
public final class LayoutUtil
{
    /** Cache line length assumed for separating writer groups; groups sit on 2 * this boundaries. */
    public static final int CACHE_LINE_LENGTH = 64;

    /** Distance between the starts of two writer groups: two cache lines. */
    public static final int WRITER_GROUP_LENGTH = CACHE_LINE_LENGTH * 2;

    private LayoutUtil()
    {
    }

    /**
     * Round up to a power-of-two alignment.
     *
     * @param value     value to align.
     * @param alignment power of two.
     * @return the aligned value.
     */
    public static int align(final int value, final int alignment)
    {
        return (value + (alignment - 1)) & -alignment;
    }

    /**
     * Is a value (an offset or an address) a multiple of a power-of-two alignment?
     *
     * @param value     offset or address, treated as unsigned.
     * @param alignment power of two.
     * @return true when aligned.
     */
    public static boolean isAligned(final long value, final int alignment)
    {
        return 0 == (value & (alignment - 1));
    }

    /**
     * Check that stable ids of an enumerated counter registry are in range and unique. Called from the registry's
     * static initialiser, so a duplicate fails class initialisation.
     *
     * @param registryName name used in the message, e.g. {@code "sidecore counter"}.
     * @param ids          the ids, in declaration order.
     * @param slotCount    ids must be in {@code [0, slotCount)}.
     * @throws IllegalStateException {@code "<registryName> id out of range: id=<id> slots=<slotCount>"} or
     *                               {@code "<registryName> id already in use: id=<id>"}.
     */
    public static void checkUniqueIds(final String registryName, final int[] ids, final int slotCount)
    {
        final boolean[] used = new boolean[slotCount];
        for (final int id : ids)
        {
            if (id < 0 || id >= slotCount)
            {
                throw new IllegalStateException(registryName + " id out of range: id=" + id + " slots=" + slotCount);
            }
            if (used[id])
            {
                throw new IllegalStateException(registryName + " id already in use: id=" + id);
            }
            used[id] = true;
        }
    }
}
