package io.sidecore.launcher.vfiouser;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrappedAccessCountsTest
{
    private final TrappedAccessCounts counts = new TrappedAccessCounts();

    @Test
    void shouldCountEachServiceTimeInTheBucketBelowItsBound()
    {
        counts.recordServiceNs(15_999);
        counts.recordServiceNs(16_000);
        counts.recordServiceNs(1_500_000);

        final long[] buckets = counts.serviceTimeBuckets();
        assertEquals(1, buckets[0], "15.999 us is below 16 us");
        assertEquals(1, buckets[1], "16 us is in [16, 32) us");
        assertEquals(1, buckets[7], "1.5 ms is in [1024, 2048) us");
        assertEquals(3, sum(buckets));
        assertEquals(1_500_000, counts.serviceTimeMaxNs());
    }

    @Test
    void shouldCountEverythingFromTheLastBoundInTheLastBucket()
    {
        counts.recordServiceNs(16_384_000);
        counts.recordServiceNs(5_000_000_000L);

        final long[] buckets = counts.serviceTimeBuckets();
        assertEquals(TrappedAccessCounts.SERVICE_TIME_BUCKET_BOUNDS_US.length + 1, buckets.length);
        assertEquals(2, buckets[buckets.length - 1]);
        assertEquals(2, sum(buckets));
        assertEquals(5_000_000_000L, counts.serviceTimeMaxNs());
    }

    private static long sum(final long[] values)
    {
        long total = 0;
        for (final long value : values)
        {
            total += value;
        }
        return total;
    }
}
