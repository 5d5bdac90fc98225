package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import org.agrona.collections.Long2LongCounterMap;

import java.util.ArrayList;
import java.util.List;

/**
 * What a port's client made the server trap: every REGION_READ/REGION_WRITE (and each write of a WRITE_MULTI) by
 * region, offset and direction, and separately the doorbell writes (TDT 0x3818, RDT 0x2818) that arrived as
 * trapped writes instead of landing in the shared page. QEMU sends doorbells that way whenever it has the BAR
 * mmaps switched off: under TCG, while an INTx is pending. Operators read these to see which registers a guest
 * still traps on; the engine binding publishes them as counters.
 * <p>
 * It also keeps how long the server took to serve each message, from the moment the connection thread saw the
 * socket readable to the moment its reply was written ({@link #serviceTimeBuckets()}): for a trapped access, the
 * daemon's part of the client's round trip (the hand-off to the port's sidecore, its answer and both socket calls).
 * <p>
 * Written by the connection thread; read by any thread. The per-offset table grows only when a new offset is
 * seen (at most one entry per distinct register), so counting allocates nothing in steady state. The lock is
 * uncontended except while a reader takes a {@link #snapshot()}.
 */
public final class TrappedAccessCounts
{
    /**
     * The count of one region/offset/direction.
     *
     * @param regionIndex region.
     * @param offset      byte offset of the accesses.
     * @param write       true for writes.
     * @param count       accesses.
     */
    public record OffsetCount(int regionIndex, long offset, boolean write, long count)
    {
    }

    private static final int REGION_SHIFT = 40;
    private static final long WRITE_BIT = 1L << 39;
    private static final long OFFSET_MASK = WRITE_BIT - 1;

    /**
     * Upper bounds (exclusive) of the service-time buckets in microseconds: powers of two from 16 us to 16 ms; one
     * more bucket takes everything from 16 ms on.
     */
    public static final long[] SERVICE_TIME_BUCKET_BOUNDS_US = {
        16, 32, 64, 128, 256, 512, 1_024, 2_048, 4_096, 8_192, 16_384 };

    private final Long2LongCounterMap countsByKey = new Long2LongCounterMap(0);
    private final long[] serviceTimeBuckets = new long[SERVICE_TIME_BUCKET_BOUNDS_US.length + 1];
    private long serviceTimeMaxNs;
    private long trappedTdtWrites;
    private long trappedRdtWrites;
    private long otherTrappedAccesses;
    private long postedWrites;
    private long rejectedAccesses;

    /**
     * Count one trapped access that passed the server's checks.
     *
     * @param regionIndex region.
     * @param offset      byte offset (within the region's size, so below 2^39).
     * @param sizeBytes   access size.
     * @param write       true for a write.
     * @param posted      true for a write the client did not wait for (NO_REPLY).
     */
    synchronized void record(
        final int regionIndex, final long offset, final int sizeBytes, final boolean write, final boolean posted)
    {
        countsByKey.incrementAndGet(key(regionIndex, offset, write));
        if (write && VfioUserRegionInfo.BAR0_REGION_INDEX == regionIndex && overlaps(offset, sizeBytes,
            E1000Registers.TDT))
        {
            trappedTdtWrites++;
        }
        else if (write && VfioUserRegionInfo.BAR0_REGION_INDEX == regionIndex && overlaps(offset, sizeBytes,
            E1000Registers.RDT))
        {
            trappedRdtWrites++;
        }
        else
        {
            otherTrappedAccesses++;
        }
        if (posted)
        {
            postedWrites++;
        }
    }

    /**
     * Count one served message's service time. Allocation-free.
     *
     * @param serviceNs from the socket seen readable to the reply written (or the message applied, when it takes
     *                  no reply).
     */
    synchronized void recordServiceNs(final long serviceNs)
    {
        final long serviceUs = serviceNs / 1_000;
        int bucket = 0;
        while (bucket < SERVICE_TIME_BUCKET_BOUNDS_US.length && serviceUs >= SERVICE_TIME_BUCKET_BOUNDS_US[bucket])
        {
            bucket++;
        }
        serviceTimeBuckets[bucket]++;
        serviceTimeMaxNs = Math.max(serviceTimeMaxNs, serviceNs);
    }

    /**
     * @return messages served per service-time bucket: index i counts times below
     *     {@link #SERVICE_TIME_BUCKET_BOUNDS_US}{@code [i]} (and at least the bound before it); the last index counts
     *     the rest.
     */
    public synchronized long[] serviceTimeBuckets()
    {
        return serviceTimeBuckets.clone();
    }

    /**
     * @return the longest service time seen, in ns.
     */
    public synchronized long serviceTimeMaxNs()
    {
        return serviceTimeMaxNs;
    }

    /**
     * Count an access the server refused (out of range, misaligned, bad size).
     */
    synchronized void recordRejected()
    {
        rejectedAccesses++;
    }

    /**
     * @return TDT writes that trapped (a write whose bytes cover any byte of TDT).
     */
    public synchronized long trappedTdtWrites()
    {
        return trappedTdtWrites;
    }

    /**
     * @return RDT writes that trapped.
     */
    public synchronized long trappedRdtWrites()
    {
        return trappedRdtWrites;
    }

    /**
     * @return every other trapped access, reads and writes, all regions.
     */
    public synchronized long otherTrappedAccesses()
    {
        return otherTrappedAccesses;
    }

    /**
     * @return trapped writes that were posted (no reply).
     */
    public synchronized long postedWrites()
    {
        return postedWrites;
    }

    /**
     * @return accesses refused with an error.
     */
    public synchronized long rejectedAccesses()
    {
        return rejectedAccesses;
    }

    /**
     * @param regionIndex region.
     * @param offset      byte offset.
     * @param write       direction.
     * @return trapped accesses of that region, offset and direction.
     */
    public synchronized long count(final int regionIndex, final long offset, final boolean write)
    {
        return countsByKey.get(key(regionIndex, offset, write));
    }

    /**
     * @return every non-zero per-offset count, ordered by region, offset, reads before writes.
     */
    public synchronized List<OffsetCount> snapshot()
    {
        final List<OffsetCount> counts = new ArrayList<>(countsByKey.size());
        countsByKey.forEach((key, count) -> counts.add(new OffsetCount(
            (int)(key >>> REGION_SHIFT), key & OFFSET_MASK, 0 != (key & WRITE_BIT), count)));
        counts.sort((a, b) -> a.regionIndex() != b.regionIndex() ? Integer.compare(a.regionIndex(), b.regionIndex()) :
            a.offset() != b.offset() ? Long.compare(a.offset(), b.offset()) : Boolean.compare(a.write(), b.write()));
        return counts;
    }

    private static long key(final int regionIndex, final long offset, final boolean write)
    {
        return ((long)regionIndex << REGION_SHIFT) | (write ? WRITE_BIT : 0) | (offset & OFFSET_MASK);
    }

    private static boolean overlaps(final long offset, final int sizeBytes, final int register)
    {
        return offset < register + 4 && register < offset + sizeBytes;
    }
}
