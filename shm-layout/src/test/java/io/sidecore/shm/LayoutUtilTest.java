package io.sidecore.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LayoutUtilTest
{
    @Test
    void shouldPinCacheLineAndWriterGroupLengths()
    {
        assertEquals(64, LayoutUtil.CACHE_LINE_LENGTH);
        assertEquals(128, LayoutUtil.WRITER_GROUP_LENGTH);
    }

    @ParameterizedTest(name = "align({0}, {1}) = {2}")
    @CsvSource({ "0, 128, 0", "1, 128, 128", "128, 128, 128", "129, 128, 256", "36, 8, 40", "7, 1, 7" })
    void shouldRoundUpToAlignment(final int value, final int alignment, final int expected)
    {
        assertEquals(expected, LayoutUtil.align(value, alignment));
    }

    @ParameterizedTest(name = "isAligned({0}, {1}) = {2}")
    @CsvSource({ "0, 128, true", "256, 128, true", "192, 128, false", "-128, 128, true", "4, 8, false" })
    void shouldTellWhetherAligned(final long value, final int alignment, final boolean expected)
    {
        assertEquals(expected, LayoutUtil.isAligned(value, alignment));
    }
}
