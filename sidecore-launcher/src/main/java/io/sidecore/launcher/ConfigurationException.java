package io.sidecore.launcher;

/**
 * A setting whose value cannot be used. The message is the one line the daemon prints before it exits with status
 * 2: {@code sidecore.idle.max.park=soon: must be a duration (e.g. 50us, 10ms, 1s)}.
 */
public final class ConfigurationException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;

    /**
     * @param key    the property name.
     * @param value  the value as written.
     * @param reason why it cannot be used.
     * @param cause  the parser's exception, or null.
     */
    public ConfigurationException(final String key, final String value, final String reason, final Throwable cause)
    {
        super(key + "=" + value + ": " + reason, cause);
        this.key = key;
        this.value = value;
    }

    /**
     * @return the property name.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return the value as written.
     */
    public String value()
    {
        return value;
    }
}
