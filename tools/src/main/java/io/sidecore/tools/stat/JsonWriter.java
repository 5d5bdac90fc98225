package io.sidecore.tools.stat;

/**
 * A minimal streaming JSON writer (RFC 8259) for the {@code --format json} output. Hand-rolled because the tools
 * module depends on shm-layout, Agrona and picocli only, and the output is a handful of flat objects.
 * <p>
 * Usage is not validated (the renderer is the only caller): names go inside objects, values after names or inside
 * arrays.
 */
final class JsonWriter
{
    private final StringBuilder out;
    private boolean needsComma;

    /**
     * @param out where to append.
     */
    JsonWriter(final StringBuilder out)
    {
        this.out = out;
    }

    /**
     * @return this, after an opening brace.
     */
    JsonWriter beginObject()
    {
        separate();
        out.append('{');
        needsComma = false;
        return this;
    }

    /**
     * @return this, after a closing brace.
     */
    JsonWriter endObject()
    {
        out.append('}');
        needsComma = true;
        return this;
    }

    /**
     * @return this, after an opening bracket.
     */
    JsonWriter beginArray()
    {
        separate();
        out.append('[');
        needsComma = false;
        return this;
    }

    /**
     * @return this, after a closing bracket.
     */
    JsonWriter endArray()
    {
        out.append(']');
        needsComma = true;
        return this;
    }

    /**
     * @param name member name.
     * @return this, after the name and its colon.
     */
    JsonWriter name(final String name)
    {
        separate();
        string(name);
        out.append(':');
        needsComma = false;
        return this;
    }

    /**
     * @param value a number.
     * @return this.
     */
    JsonWriter value(final long value)
    {
        separate();
        out.append(value);
        needsComma = true;
        return this;
    }

    /**
     * @param value a number; NaN and infinities, which JSON cannot hold, are written as null.
     * @return this.
     */
    JsonWriter value(final double value)
    {
        separate();
        if (Double.isFinite(value))
        {
            out.append(value);
        }
        else
        {
            out.append("null");
        }
        needsComma = true;
        return this;
    }

    /**
     * @param value a boolean.
     * @return this.
     */
    JsonWriter value(final boolean value)
    {
        separate();
        out.append(value);
        needsComma = true;
        return this;
    }

    /**
     * @param value a string, or null.
     * @return this.
     */
    JsonWriter value(final String value)
    {
        separate();
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        needsComma = true;
        return this;
    }

    private void separate()
    {
        if (needsComma)
        {
            out.append(',');
        }
    }

    /**
     * Quote and escape: the quote, the backslash and every control character (U+0000..U+001F) must be escaped
     * (RFC 8259 section 7); U+2028/U+2029 are escaped too so the line stays one line for line-oriented readers.
     */
    private void string(final String value)
    {
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default ->
                {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029')
                    {
                        out.append("\\u");
                        final String hex = Integer.toHexString(c);
                        for (int pad = hex.length(); pad < 4; pad++)
                        {
                            out.append('0');
                        }
                        out.append(hex);
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
