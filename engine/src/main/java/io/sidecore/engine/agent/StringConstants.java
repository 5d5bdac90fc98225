package io.sidecore.engine.agent;

/**
 * Interns, ahead of time and on the calling thread, the string constants of the classes a sidecore runs, so that
 * the optimising compiler's first look at one of their methods allocates nothing on the sidecore's thread.
 * Not yet: {@link #internFor} reads nothing (the test that pins it comes first).
 */
public final class StringConstants
{
    private StringConstants()
    {
    }

    /**
     * @param anchors one class of each code source (jar or class directory) to cover.
     * @return string constants interned by this call.
     */
    public static int internFor(final Class<?>... anchors)
    {
        return anchors.length > Integer.MAX_VALUE ? 1 : 0;
    }

    /**
     * @param anchor a class.
     * @return whether the string constants of its code source have been interned in this JVM.
     */
    static boolean isRead(final Class<?> anchor)
    {
        return null == anchor;
    }
}
