package io.sidecore.shm;

/**
 * Constants and pure helpers shared by the layout descriptors.
 */
public final class LayoutUtil
{
    /** Cache line length assumed for separating writer groups; groups sit on 2 * this boundaries. */
    public static final int CACHE_LINE_LENGTH = 64;

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
}
