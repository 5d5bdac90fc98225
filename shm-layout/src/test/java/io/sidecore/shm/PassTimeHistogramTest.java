package io.sidecore.shm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PassTimeHistogramTest
{
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "TYPE_ID, 1004", "MIN_EXPONENT, 7", "MAX_EXPONENT, 30", "SUB_BUCKET_BITS, 2", "SUB_BUCKETS, 4",
        "BUCKETS, 94" })
    void shouldPinPassTimeHistogramConstant(final String name, final String value)
    {
        assertEquals(LayoutAssertions.parseInt(value), LayoutAssertions.intConstant(PassTimeHistogram.class, name));
    }

    @Test
    void shouldPinEveryPassTimeHistogramConstant()
    {
        LayoutAssertions.assertEveryConstantPinned(
            PassTimeHistogram.class, PassTimeHistogramTest.class, "shouldPinPassTimeHistogramConstant");
    }

    @ParameterizedTest(name = "{0} ns -> bucket {1}")
    @CsvSource({
        "-5, 0", "0, 0", "127, 0", "128, 1", "159, 1", "160, 2", "223, 3", "224, 4", "255, 4", "256, 5",
        "1073741823, 92", "1073741824, 93", "9223372036854775807, 93" })
    void shouldPlaceDurationInItsBucket(final long durationNs, final int bucket)
    {
        assertEquals(bucket, PassTimeHistogram.bucketOf(durationNs));
    }

    @Test
    void shouldTileTheTimeAxisWithoutGapsOrOverlaps()
    {
        assertEquals(94, PassTimeHistogram.BUCKETS);
        assertEquals(0, PassTimeHistogram.lowerBoundNs(0));
        for (int bucket = 0; bucket < PassTimeHistogram.BUCKETS - 1; bucket++)
        {
            final long lower = PassTimeHistogram.lowerBoundNs(bucket);
            final long upper = PassTimeHistogram.upperBoundNs(bucket);
            assertEquals(upper, PassTimeHistogram.lowerBoundNs(bucket + 1));
            assertEquals(bucket, PassTimeHistogram.bucketOf(lower));
            assertEquals(bucket, PassTimeHistogram.bucketOf(upper - 1));
            if (bucket > 0)
            {
                assertTrue((upper - lower) * 4 <= lower, "bucket " + bucket + " is wider than a quarter of its bound");
            }
        }
        assertEquals(Long.MAX_VALUE, PassTimeHistogram.upperBoundNs(PassTimeHistogram.BUCKETS - 1));
    }

    @Test
    void shouldReadPercentileAsUpperBoundOfItsBucket()
    {
        final long[] counts = new long[PassTimeHistogram.BUCKETS];
        counts[PassTimeHistogram.bucketOf(1_000)] = 990;
        counts[PassTimeHistogram.bucketOf(50_000)] = 9;
        counts[PassTimeHistogram.bucketOf(9_000_000)] = 1;

        assertEquals(PassTimeHistogram.upperBoundNs(PassTimeHistogram.bucketOf(1_000)),
            PassTimeHistogram.percentileUpperBoundNs(counts, 0.5));
        assertEquals(PassTimeHistogram.upperBoundNs(PassTimeHistogram.bucketOf(1_000)),
            PassTimeHistogram.percentileUpperBoundNs(counts, 0.99));
        assertEquals(PassTimeHistogram.upperBoundNs(PassTimeHistogram.bucketOf(50_000)),
            PassTimeHistogram.percentileUpperBoundNs(counts, 0.999));
        assertEquals(PassTimeHistogram.upperBoundNs(PassTimeHistogram.bucketOf(9_000_000)),
            PassTimeHistogram.percentileUpperBoundNs(counts, 1.0));
        assertEquals(0, PassTimeHistogram.percentileUpperBoundNs(new long[PassTimeHistogram.BUCKETS], 0.99));
    }

    @Test
    void shouldNameBucketsByTheirBounds()
    {
        assertEquals("pass_time_lt_128ns", PassTimeHistogram.bucketName(0));
        assertEquals("pass_time_lt_160ns", PassTimeHistogram.bucketName(1));
        assertEquals("pass_time_ge_1073741824ns", PassTimeHistogram.bucketName(PassTimeHistogram.BUCKETS - 1));
    }

    @Test
    void shouldRefuseBucketOutsideTheHistogram()
    {
        assertThrows(IllegalArgumentException.class, () -> PassTimeHistogram.lowerBoundNs(-1));
        assertThrows(IllegalArgumentException.class, () -> PassTimeHistogram.upperBoundNs(PassTimeHistogram.BUCKETS));
        assertThrows(IllegalArgumentException.class,
            () -> PassTimeHistogram.percentileUpperBoundNs(new long[3], 0.5));
    }
}
