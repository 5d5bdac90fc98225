package io.sidecore.tools.prometheus;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strict parser the Prometheus output is checked with must itself refuse what the format does not allow.
 */
class PrometheusTextParserTest
{
    @Test
    void shouldParseFamiliesWithHelpTypeLabelsAndEscapes()
    {
        final Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(
            "# HELP a_total frames, with a \\\\ and\\na line feed\n" +
            "# TYPE a counter\n" +
            "a_total{port=\"x\\\"y\\\\z\\n\"} 5\n" +
            "a_total{port=\"b\"} 1.5e3 1700000000000\n" +
            "# TYPE g gauge\n" +
            "g NaN\n");

        assertEquals("counter", families.get("a").type());
        assertEquals(2, families.get("a").samples().size());
        assertEquals("x\"y\\z\n", families.get("a").samples().get(0).labels().get("port"));
        assertEquals(1500.0, families.get("a").samples().get(1).value());
        assertEquals("gauge", families.get("g").type());
        assertTrue(Double.isNaN(families.get("g").samples().get(0).value()));
    }

    @Test
    void shouldRefuseUndefinedEscapeInLabelValue()
    {
        assertRefused("a{l=\"\\t\"} 1\n", "undefined escape");
    }

    @Test
    void shouldRefuseBadMetricName()
    {
        assertRefused("1a 1\n", "bad metric name");
    }

    @Test
    void shouldRefuseBadLabelName()
    {
        assertRefused("a{1l=\"x\"} 1\n", "bad label name");
    }

    @Test
    void shouldRefuseUnknownType()
    {
        assertRefused("# TYPE a meter\na 1\n", "TYPE must be one of");
    }

    @Test
    void shouldRefuseSecondType()
    {
        assertRefused("# TYPE a gauge\n# TYPE a gauge\na 1\n", "second TYPE");
    }

    @Test
    void shouldRefuseFamilySplitByAnother()
    {
        assertRefused("# TYPE a gauge\na{x=\"1\"} 1\n# TYPE b gauge\nb 1\na{x=\"2\"} 2\n", "not together");
    }

    @Test
    void shouldRefuseSameSampleTwice()
    {
        assertRefused("a 1\na 2\n", "the same sample twice");
    }

    @Test
    void shouldRefuseBadValue()
    {
        assertRefused("a one\n", "bad value");
    }

    @Test
    void shouldRefuseMissingFinalLineFeed()
    {
        assertRefused("a 1", "must end with a line feed");
    }

    private static void assertRefused(final String text, final String reasonPart)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse(text));
        assertTrue(ex.getMessage().contains(reasonPart), ex.getMessage());
    }
}
