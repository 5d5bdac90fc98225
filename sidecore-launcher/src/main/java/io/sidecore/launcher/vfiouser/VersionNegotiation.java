package io.sidecore.launcher.vfiouser;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sidecore.shm.vfiouser.VfioUserVersion;

import java.nio.charset.StandardCharsets;

/**
 * The server side of VERSION: parse the client's capability JSON with Jackson and build the reply's. The client's
 * JSON must be an object; {@code capabilities}, when present, an object whose known keys hold non-negative
 * integers ({@code write_multiple} a boolean, {@code migration} an object); unknown keys are ignored, as QEMU
 * ignores ours. The reply offers {@code max_msg_fds} and {@code max_data_xfer_size} only (never
 * {@code write_multiple}: it would invite coalesced writes), or an empty object when the request is too short to
 * hold that, because QEMU's receive buffer for the reply is the request's size.
 */
final class VersionNegotiation
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] FULL_REPLY_JSON = replyJson(true);
    private static final byte[] MINIMAL_REPLY_JSON = replyJson(false);

    private VersionNegotiation()
    {
    }

    /**
     * Check the client's capabilities.
     *
     * @param json the JSON text (without its NUL).
     * @return null when acceptable, else what is wrong.
     */
    static String problem(final String json)
    {
        final JsonNode root;
        try
        {
            root = MAPPER.readTree(json);
        }
        catch (final JacksonException ex)
        {
            return "capabilities are not JSON: " + ex.getOriginalMessage();
        }
        if (null == root || !root.isObject())
        {
            return "capabilities JSON is not an object";
        }
        final JsonNode capabilities = root.get(VfioUserVersion.CAPABILITIES);
        if (null == capabilities)
        {
            return null;
        }
        if (!capabilities.isObject())
        {
            return "\"" + VfioUserVersion.CAPABILITIES + "\" is not an object";
        }
        for (final String key : new String[]{VfioUserVersion.MAX_MSG_FDS, VfioUserVersion.MAX_DATA_XFER_SIZE,
            VfioUserVersion.PGSIZES, VfioUserVersion.MAX_DMA_MAPS})
        {
            final JsonNode value = capabilities.get(key);
            if (null != value && !(value.canConvertToLong() && value.isIntegralNumber() && value.asLong() >= 0))
            {
                return "\"" + key + "\" is not a non-negative integer: " + value;
            }
        }
        final JsonNode writeMultiple = capabilities.get(VfioUserVersion.WRITE_MULTIPLE);
        if (null != writeMultiple && !writeMultiple.isBoolean())
        {
            return "\"" + VfioUserVersion.WRITE_MULTIPLE + "\" is not a boolean";
        }
        final JsonNode migration = capabilities.get(VfioUserVersion.MIGRATION);
        if (null != migration && !migration.isObject())
        {
            return "\"" + VfioUserVersion.MIGRATION + "\" is not an object";
        }
        return null;
    }

    /**
     * The reply JSON (UTF-8, without NUL) for a request of {@code requestLength} bytes.
     *
     * @param requestLength the request's size, header included (at least {@link VfioUserVersion#MIN_MESSAGE_LENGTH}).
     * @return the full capabilities when the reply fits the request, else the empty object.
     */
    static byte[] replyJson(final int requestLength)
    {
        final int fullLength = VfioUserVersion.messageLength(FULL_REPLY_JSON.length);
        return VfioUserVersion.replyFits(fullLength, requestLength) ? FULL_REPLY_JSON : MINIMAL_REPLY_JSON;
    }

    private static byte[] replyJson(final boolean full)
    {
        final ObjectNode root = MAPPER.createObjectNode();
        if (full)
        {
            final ObjectNode capabilities = root.putObject(VfioUserVersion.CAPABILITIES);
            capabilities.put(VfioUserVersion.MAX_MSG_FDS, VfioUserVersion.SERVER_MAX_MSG_FDS);
            capabilities.put(VfioUserVersion.MAX_DATA_XFER_SIZE, VfioUserVersion.DEFAULT_MAX_DATA_XFER_SIZE);
        }
        try
        {
            return MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        }
        catch (final JacksonException ex)
        {
            throw new IllegalStateException("cannot serialise the VERSION reply", ex);
        }
    }
}
