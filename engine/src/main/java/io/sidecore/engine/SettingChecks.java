package io.sidecore.engine;

/**
 * The checks every engine setting goes through before anything is built from it, with one message format naming
 * the setting and the allowed range, so an operator reads the same kind of error whatever the setting.
 */
public final class SettingChecks
{
    private SettingChecks()
    {
    }

    /**
     * @param name  the setting.
     * @param value its value.
     * @throws IllegalArgumentException "NAME must be set" when null.
     */
    public static void requireSet(final String name, final Object value)
    {
        if (null == value)
        {
            throw new IllegalArgumentException(name + " must be set");
        }
    }

    /**
     * @param name  the setting.
     * @param value its value.
     * @param min   smallest allowed.
     * @param max   largest allowed.
     * @throws IllegalArgumentException "NAME must be in [MIN, MAX]: VALUE" when outside.
     */
    public static void checkRange(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    /**
     * @param name  the setting.
     * @param value its value.
     * @param min   smallest allowed.
     * @param max   largest allowed.
     * @throws IllegalArgumentException when outside the range, or "NAME must be a power of two: VALUE".
     */
    public static void checkPowerOfTwo(final String name, final int value, final int min, final int max)
    {
        checkRange(name, value, min, max);
        if (0 != (value & (value - 1)))
        {
            throw new IllegalArgumentException(name + " must be a power of two: " + value);
        }
    }
}
