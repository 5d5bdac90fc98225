package io.sidecore.shm;

/**
 * The pass-time histogram of a sidecore: how long its duty cycles that did work took, as counters in the counters
 * file (type {@link #TYPE_ID}), one per bucket, written by the sidecore's own thread and read lock-free by tools and
 * the system benchmark, which subtract two readings to get the distribution of an interval (p50, p99, p99.9).
 * <p>
 * Buckets are log-linear: {@link #SUB_BUCKETS} equal sub-buckets per power of two from {@link #MIN_TRACKED_NS},
 * so a bucket's width is at most a quarter of its lower bound (a percentile read as a bucket's upper bound is at most
 * 25 % high). Bucket 0 holds everything below {@link #MIN_TRACKED_NS}; the last bucket everything from
 * {@link #MAX_TRACKED_NS} on.
 * <pre>
 *   key: the per-sidecore key of {@link CounterTypes} (sidecore index at 0, the bucket index as the counter id
 *   at 4; {@link CounterTypes#encodeSidecoreKey}, {@link CounterTypes#sidecoreIndex}, {@link CounterTypes#counterId})
 *
 *   bucket index:  0             1 .. 4            5 .. 8       ...   BUCKETS - 1
 *   pass time:     [0, 128 ns)   [128, 256) in 4   [256, 512)   ...   [2^30 ns, inf)
 * </pre>
 */
public final class PassTimeHistogram
{
    /** Counter type id of a bucket ({@link CounterTypes} keeps the registry of type ids). */
    public static final int TYPE_ID = CounterTypes.PASS_TIME_BUCKET_TYPE_ID;
    /** log2 of {@link #MIN_TRACKED_NS}. */
    public static final int MIN_EXPONENT = 7;
    /** log2 of {@link #MAX_TRACKED_NS}. */
    public static final int MAX_EXPONENT = 30;
    /** Lower bound of bucket 1; shorter passes land in bucket 0. */
    public static final long MIN_TRACKED_NS = 1L << MIN_EXPONENT;
    /** Lower bound of the last bucket, which has no upper bound. */
    public static final long MAX_TRACKED_NS = 1L << MAX_EXPONENT;
    /** log2 of the sub-buckets per power of two. */
    public static final int SUB_BUCKET_BITS = 2;
    /** Sub-buckets per power of two. */
    public static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    /** Buckets per sidecore. */
    public static final int BUCKETS = 2 + (MAX_EXPONENT - MIN_EXPONENT) * SUB_BUCKETS;

    private PassTimeHistogram()
    {
    }

    /**
     * @param durationNs a pass time; negative counts as 0.
     * @return its bucket, 0 to {@link #BUCKETS} - 1.
     */
    public static int bucketOf(final long durationNs)
    {
        if (durationNs < MIN_TRACKED_NS)
        {
            return 0;
        }
        if (durationNs >= MAX_TRACKED_NS)
        {
            return BUCKETS - 1;
        }
        final int exponent = 63 - Long.numberOfLeadingZeros(durationNs);
        final int subBucket = (int)(durationNs >>> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1);
        return 1 + (exponent - MIN_EXPONENT) * SUB_BUCKETS + subBucket;
    }

    /**
     * @param bucket a bucket index.
     * @return the smallest pass time it holds, ns.
     */
    public static long lowerBoundNs(final int bucket)
    {
        checkBucket(bucket);
        if (0 == bucket)
        {
            return 0;
        }
        if (BUCKETS - 1 == bucket)
        {
            return MAX_TRACKED_NS;
        }
        final int exponent = MIN_EXPONENT + (bucket - 1) / SUB_BUCKETS;
        final int subBucket = (bucket - 1) % SUB_BUCKETS;
        return (1L << exponent) + ((long)subBucket << (exponent - SUB_BUCKET_BITS));
    }

    /**
     * @param bucket a bucket index.
     * @return the first pass time it no longer holds, ns; {@link Long#MAX_VALUE} for the last bucket.
     */
    public static long upperBoundNs(final int bucket)
    {
        checkBucket(bucket);
        return BUCKETS - 1 == bucket ? Long.MAX_VALUE : lowerBoundNs(bucket + 1);
    }

    /**
     * @param bucket a bucket index.
     * @return the counter's name, {@code pass_time_lt_<upper bound>ns} ({@code pass_time_ge_<lower bound>ns} for the
     *     last bucket).
     */
    public static String bucketName(final int bucket)
    {
        return BUCKETS - 1 == bucket ? "pass_time_ge_" + lowerBoundNs(bucket) + "ns" :
            "pass_time_lt_" + upperBoundNs(bucket) + "ns";
    }

    /**
     * The smallest bucket upper bound below which at least {@code fraction} of the counted passes lie: a percentile
     * read conservatively (never lower than the true value).
     *
     * @param counts   passes per bucket (e.g. the difference of two readings).
     * @param fraction 0 to 1, e.g. 0.99.
     * @return the bound in ns, 0 when nothing was counted, {@link Long#MAX_VALUE} when it lies in the last bucket.
     */
    public static long percentileUpperBoundNs(final long[] counts, final double fraction)
    {
        if (counts.length != BUCKETS)
        {
            throw new IllegalArgumentException("counts must have " + BUCKETS + " buckets: " + counts.length);
        }
        long total = 0;
        for (final long count : counts)
        {
            total += count;
        }
        if (0 == total)
        {
            return 0;
        }
        final long rank = Math.max(1, (long)Math.ceil(fraction * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return upperBoundNs(i);
            }
        }
        return upperBoundNs(BUCKETS - 1);
    }

    private static void checkBucket(final int bucket)
    {
        if (bucket < 0 || bucket >= BUCKETS)
        {
            throw new IllegalArgumentException("bucket must be in [0, " + BUCKETS + "): " + bucket);
        }
    }
}
