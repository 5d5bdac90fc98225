package io.sidecore.launcher.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.shm.control.ControlProtocol;

import java.util.Iterator;
import java.util.Set;

/**
 * Typed, checked access to the fields of one control request: every getter names the field and what was expected
 * when the request does not have it (error {@link ControlProtocol#E_INVALID_ARGUMENT}), so that a request with a
 * field of the wrong type gets a reason, never an exception from the JSON library.
 */
final class RequestFields
{
    private final ObjectNode request;

    RequestFields(final ObjectNode request)
    {
        this.request = request;
    }

    /**
     * @return the command, checked to be a string.
     * @throws ControlException without one.
     */
    String command() throws ControlException
    {
        final JsonNode node = request.get(ControlProtocol.COMMAND);
        if (null == node || !node.isTextual())
        {
            throw new ControlException(ControlProtocol.E_UNKNOWN_COMMAND,
                "the request names no command (a string field '" + ControlProtocol.COMMAND + "')");
        }
        return node.textValue();
    }

    /**
     * Refuse fields the command does not take (a typo must not be ignored).
     *
     * @param allowed the command's fields, besides version, id and command.
     * @throws ControlException naming the first unknown field.
     */
    void allowOnly(final Set<String> allowed) throws ControlException
    {
        for (final Iterator<String> names = request.fieldNames(); names.hasNext(); )
        {
            final String name = names.next();
            if (!ControlProtocol.VERSION.equals(name) && !ControlProtocol.ID.equals(name) &&
                !ControlProtocol.COMMAND.equals(name) && !allowed.contains(name))
            {
                throw invalid("unknown field '" + name + "' (this command takes " + String.join(", ", allowed) + ")");
            }
        }
    }

    boolean has(final String field)
    {
        final JsonNode node = request.get(field);
        return null != node && !node.isNull();
    }

    String requireText(final String field) throws ControlException
    {
        if (!has(field))
        {
            throw invalid("field '" + field + "' is required");
        }
        return text(field, null);
    }

    String text(final String field, final String absent) throws ControlException
    {
        final JsonNode node = request.get(field);
        if (null == node || node.isNull())
        {
            return absent;
        }
        if (!node.isTextual())
        {
            throw invalid("field '" + field + "' must be a string, not " + describe(node));
        }
        return node.textValue();
    }

    Boolean bool(final String field) throws ControlException
    {
        final JsonNode node = request.get(field);
        if (null == node || node.isNull())
        {
            return null;
        }
        if (!node.isBoolean())
        {
            throw invalid("field '" + field + "' must be true or false, not " + describe(node));
        }
        return node.booleanValue();
    }

    Long integer(final String field, final long min, final long max) throws ControlException
    {
        final JsonNode node = request.get(field);
        if (null == node || node.isNull())
        {
            return null;
        }
        return checkedInteger(field, node, min, max);
    }

    JsonNode node(final String field)
    {
        return request.get(field);
    }

    static long checkedInteger(final String field, final JsonNode node, final long min, final long max)
        throws ControlException
    {
        if (!node.isIntegralNumber() || !node.canConvertToLong())
        {
            throw invalid("field '" + field + "' must be an integer, not " + describe(node));
        }
        final long value = node.longValue();
        if (value < min || value > max)
        {
            throw invalid("field '" + field + "' must be in [" + min + ", " + max + "]: " + value);
        }
        return value;
    }

    static ControlException invalid(final String message)
    {
        return new ControlException(ControlProtocol.E_INVALID_ARGUMENT, message);
    }

    private static String describe(final JsonNode node)
    {
        final String text = node.toString();
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " +
            (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}
