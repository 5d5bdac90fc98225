package io.sidecore.tools.stat;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonWriterTest
{
    @Test
    void shouldSeparateMembersAndElementsWithCommasWhenNested()
    {
        final StringBuilder out = new StringBuilder();

        new JsonWriter(out).beginObject()
            .name("a").value(1)
            .name("b").beginArray().value(true).beginObject().endObject().beginArray().endArray().value(2.5).endArray()
            .name("c").beginObject().name("d").value((String)null).endObject()
            .name("e").value(-7)
            .endObject();

        assertEquals("{\"a\":1,\"b\":[true,{},[],2.5],\"c\":{\"d\":null},\"e\":-7}", out.toString());
        final Map<String, Object> expected = Map.of(
            "a", 1L, "b", List.of(true, Map.of(), List.of(), 2.5), "c", Collections.singletonMap("d", null), "e", -7L);
        assertEquals(expected, MiniJson.parse(out.toString()));
    }

    @Test
    void shouldEscapeQuotesBackslashesAndControlCharactersWhenWritingStrings()
    {
        final String text = "q\" b\\ n\n r\r t\t bs\b ff\f nul\u0000 us\u001f del\u007f ls\u2028 ps\u2029 \u00e9";
        final StringBuilder out = new StringBuilder();

        new JsonWriter(out).value(text);

        assertEquals("\"q\\\" b\\\\ n\\n r\\r t\\t bs\\b ff\\f nul\\u0000 us\\u001f del\u007f ls\\u2028 ps\\u2029 " +
            "\u00e9\"", out.toString());
        assertEquals(text, MiniJson.parse(out.toString()));
    }

    @Test
    void shouldWriteNullWhenDoubleNotFinite()
    {
        final StringBuilder out = new StringBuilder();

        new JsonWriter(out).beginArray()
            .value(Double.NaN).value(Double.POSITIVE_INFINITY).value(Double.NEGATIVE_INFINITY).value(0.5)
            .endArray();

        assertEquals("[null,null,null,0.5]", out.toString());
    }

    @Test
    void shouldWriteLongExtremesExactly()
    {
        final StringBuilder out = new StringBuilder();

        new JsonWriter(out).beginArray().value(Long.MAX_VALUE).value(Long.MIN_VALUE).endArray();

        assertEquals(List.of(Long.MAX_VALUE, Long.MIN_VALUE), MiniJson.parse(out.toString()));
    }
}
