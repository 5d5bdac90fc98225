package io.sidecore.tools.stat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict, small JSON parser (RFC 8259) for checking the tool's JSON output in tests: objects become
 * {@code LinkedHashMap}, arrays {@code ArrayList}, numbers {@code Long} (integers) or {@code Double}, and
 * {@code null} null. Anything malformed, including trailing text, fails.
 */
final class MiniJson
{
    private final String text;
    private int position;

    private MiniJson(final String text)
    {
        this.text = text;
    }

    /**
     * @param text one JSON value.
     * @return the parsed value.
     * @throws IllegalArgumentException when the text is not exactly one valid JSON value.
     */
    static Object parse(final String text)
    {
        final MiniJson parser = new MiniJson(text);
        final Object value = parser.value();
        parser.whitespace();
        if (parser.position != text.length())
        {
            throw parser.fail("trailing text");
        }
        return value;
    }

    /**
     * @param text one JSON object.
     * @return it as a map.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(final String text)
    {
        return (Map<String, Object>)parse(text);
    }

    private Object value()
    {
        whitespace();
        if (position >= text.length())
        {
            throw fail("unexpected end");
        }
        final char c = text.charAt(position);
        return switch (c)
        {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        expect('{');
        whitespace();
        if (peek('}'))
        {
            position++;
            return map;
        }
        while (true)
        {
            whitespace();
            final String name = string();
            whitespace();
            expect(':');
            if (map.containsKey(name))
            {
                throw fail("duplicate name " + name);
            }
            map.put(name, value());
            whitespace();
            if (peek(','))
            {
                position++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> array()
    {
        final List<Object> list = new ArrayList<>();
        expect('[');
        whitespace();
        if (peek(']'))
        {
            position++;
            return list;
        }
        while (true)
        {
            list.add(value());
            whitespace();
            if (peek(','))
            {
                position++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String string()
    {
        expect('"');
        final StringBuilder out = new StringBuilder();
        while (true)
        {
            if (position >= text.length())
            {
                throw fail("unterminated string");
            }
            final char c = text.charAt(position++);
            if ('"' == c)
            {
                return out.toString();
            }
            if (c < 0x20)
            {
                throw fail("raw control character in string");
            }
            if ('\\' != c)
            {
                out.append(c);
                continue;
            }
            final char escape = text.charAt(position++);
            switch (escape)
            {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' ->
                {
                    out.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                    position += 4;
                }
                default -> throw fail("bad escape \\" + escape);
            }
        }
    }

    private Object number()
    {
        final int start = position;
        if (peek('-'))
        {
            position++;
        }
        boolean integer = true;
        while (position < text.length())
        {
            final char c = text.charAt(position);
            if (c >= '0' && c <= '9')
            {
                position++;
            }
            else if ('.' == c || 'e' == c || 'E' == c || '+' == c || '-' == c)
            {
                integer = false;
                position++;
            }
            else
            {
                break;
            }
        }
        final String token = text.substring(start, position);
        if (token.isEmpty() || "-".equals(token))
        {
            throw fail("expected a value");
        }
        return integer ? (Object)Long.parseLong(token) : (Object)Double.parseDouble(token);
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, position))
        {
            throw fail("expected " + word);
        }
        position += word.length();
        return value;
    }

    private void whitespace()
    {
        while (position < text.length() && " \t\r\n".indexOf(text.charAt(position)) >= 0)
        {
            position++;
        }
    }

    private boolean peek(final char c)
    {
        return position < text.length() && text.charAt(position) == c;
    }

    private void expect(final char c)
    {
        if (!peek(c))
        {
            throw fail("expected '" + c + "'");
        }
        position++;
    }

    private IllegalArgumentException fail(final String why)
    {
        return new IllegalArgumentException(why + " at " + position + " in " + text);
    }
}
