package io.sidecore.launcher;

import java.util.Objects;

/**
 * One setting of the daemon, declared once in {@link Configuration}: its property name, its default (as the text an
 * operator would write in the properties file), one line of documentation, how its text is parsed and checked, and
 * who reads it.
 * <p>
 * A parser throws {@link IllegalArgumentException} with the reason only ("must be a duration (e.g. 50us, 1s)");
 * {@link Configuration#get(Setting)} turns it into a {@link ConfigurationException} naming the key and the value.
 *
 * @param <T> the parsed type.
 */
public final class Setting<T>
{
    /**
     * Parses and checks a setting's text.
     *
     * @param <T> the parsed type.
     */
    @FunctionalInterface
    public interface Parser<T>
    {
        /**
         * @param text the value as written, trimmed.
         * @return the value.
         * @throws IllegalArgumentException with the reason the text is not acceptable.
         */
        T parse(String text);
    }

    private final String name;
    private final String defaultText;
    private final String description;
    private final Parser<T> parser;
    private final Class<?> readerClass;
    private final String readerName;

    /**
     * @param name        property name, {@code sidecore.…}.
     * @param defaultText the default, as it would be written in the file (parsed like any value).
     * @param description one or two sentences: what it does, units, allowed values.
     * @param parser      parses and checks the text.
     * @param readerClass the class whose {@code readerName} member takes the value (the engine context, the port
     *                    settings, a launcher class).
     * @param readerName  the member that takes the value: for the engine context and port settings the same name as
     *                    the setting's, in camel case, with a unit suffix ({@code Ns}, {@code Bytes}) where the
     *                    setting has a unit.
     */
    Setting(
        final String name,
        final String defaultText,
        final String description,
        final Parser<T> parser,
        final Class<?> readerClass,
        final String readerName)
    {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultText = Objects.requireNonNull(defaultText, "defaultText");
        this.description = Objects.requireNonNull(description, "description");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.readerClass = Objects.requireNonNull(readerClass, "readerClass");
        this.readerName = Objects.requireNonNull(readerName, "readerName");
    }

    /**
     * @return the property name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the default as text.
     */
    public String defaultText()
    {
        return defaultText;
    }

    /**
     * @return the documentation.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return the class that takes the value.
     */
    public Class<?> readerClass()
    {
        return readerClass;
    }

    /**
     * @return the member of {@link #readerClass()} that takes the value.
     */
    public String readerName()
    {
        return readerName;
    }

    /**
     * Parse a value of this setting.
     *
     * @param text the value as written (it is trimmed first).
     * @return the value.
     * @throws ConfigurationException naming this setting and the value.
     */
    public T parse(final String text)
    {
        final String trimmed = text.trim();
        try
        {
            return parser.parse(trimmed);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException(name, trimmed, ex.getMessage(), ex);
        }
    }

    /**
     * @return the parsed default.
     */
    public T defaultValue()
    {
        return parse(defaultText);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return name + "=" + defaultText;
    }
}
