package io.sidecore.engine.status;

import io.sidecore.shm.CounterTypes;
import io.sidecore.shm.PassTimeHistogram;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.charset.StandardCharsets;

/**
 * The counters of one sidecore (one agent on one core, see {@link SidecoreCounter}), labelled
 * {@code sidecore=<index> <name>}. Written by the sidecore's own thread with opaque stores, except
 * {@link #proxyOfferFailures()}, which command-offering threads increment atomically. Read lock-free by other
 * processes through the counters file.
 */
public final class SidecoreCounters
{
    private final AtomicCounter[] counters = new AtomicCounter[SidecoreCounter.SLOTS_PER_SIDECORE];
    private final AtomicCounter[] passTimeBuckets = new AtomicCounter[PassTimeHistogram.BUCKETS];

    /**
     * Allocate the counters of one sidecore.
     *
     * @param countersManager where to allocate.
     * @param sidecoreIndex   the sidecore's index, stored in the key.
     */
    public SidecoreCounters(final CountersManager countersManager, final int sidecoreIndex)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[CounterTypes.SIDECORE_KEY_LENGTH]);
        for (final SidecoreCounter counter : SidecoreCounter.values())
        {
            CounterTypes.encodeSidecoreKey(key, sidecoreIndex, counter.id());
            final byte[] label =
                ("sidecore=" + sidecoreIndex + " " + counter.counterName()).getBytes(StandardCharsets.US_ASCII);
            counters[counter.id()] = countersManager.newCounter(
                CounterTypes.SIDECORE_COUNTER_TYPE_ID, key, 0, key.capacity(),
                new UnsafeBuffer(label), 0, label.length);
        }
        for (int bucket = 0; bucket < PassTimeHistogram.BUCKETS; bucket++)
        {
            CounterTypes.encodeSidecoreKey(key, sidecoreIndex, bucket);
            final byte[] label = ("sidecore=" + sidecoreIndex + " " + PassTimeHistogram.bucketName(bucket))
                .getBytes(StandardCharsets.US_ASCII);
            passTimeBuckets[bucket] = countersManager.newCounter(
                PassTimeHistogram.TYPE_ID, key, 0, key.capacity(), new UnsafeBuffer(label), 0, label.length);
        }
    }

    /**
     * @return counters one sidecore takes in a counters file: its named counters and its pass time buckets.
     */
    public static int countersPerSidecore()
    {
        return SidecoreCounter.values().length + PassTimeHistogram.BUCKETS;
    }

    /**
     * Counters in private memory, for tests: off the heap and aligned, as the counters file is (an atomic counter
     * over a {@code byte[]} makes Agrona print "not correctly aligned by 8" on standard error).
     *
     * @param sidecoreIndex the index used in labels.
     * @return the counters.
     */
    public static SidecoreCounters inPrivateMemory(final int sidecoreIndex)
    {
        final int count = countersPerSidecore();
        return new SidecoreCounters(CountersFile.privateCountersManager(count), sidecoreIndex);
    }

    /**
     * @param counter which.
     * @return the counter.
     */
    public AtomicCounter get(final SidecoreCounter counter)
    {
        return counters[counter.id()];
    }

    /**
     * @return doWork passes.
     */
    public AtomicCounter dutyCycles()
    {
        return counters[SidecoreCounter.DUTY_CYCLES.id()];
    }

    /**
     * @return share of the last window's time spent in duty cycles that did work, parts per million (a gauge).
     */
    public AtomicCounter busyRatioPpm()
    {
        return counters[SidecoreCounter.BUSY_RATIO_PPM.id()];
    }

    /**
     * @return longest busy duty cycle, ns (a gauge).
     */
    public AtomicCounter maxCycleTimeNs()
    {
        return counters[SidecoreCounter.MAX_CYCLE_TIME_NS.id()];
    }

    /**
     * @return busy duty cycles longer than the configured threshold.
     */
    public AtomicCounter cycleTimeThresholdExceeded()
    {
        return counters[SidecoreCounter.CYCLE_TIME_THRESHOLD_EXCEEDED.id()];
    }

    /**
     * @return times the idle strategy parked.
     */
    public AtomicCounter parks()
    {
        return counters[SidecoreCounter.PARKS.id()];
    }

    /**
     * @return ports currently owned (a gauge).
     */
    public AtomicCounter portsOwned()
    {
        return counters[SidecoreCounter.PORTS_OWNED.id()];
    }

    /**
     * @return commands executed.
     */
    public AtomicCounter commandsProcessed()
    {
        return counters[SidecoreCounter.COMMANDS_PROCESSED.id()];
    }

    /**
     * @return command offers refused because the queue was full (multiple writers: increment atomically).
     */
    public AtomicCounter proxyOfferFailures()
    {
        return counters[SidecoreCounter.PROXY_OFFER_FAILURES.id()];
    }

    /**
     * @return parks ended early by a kick.
     */
    public AtomicCounter wakeups()
    {
        return counters[SidecoreCounter.WAKEUPS.id()];
    }

    /**
     * @return moderation timer deadlines that fired.
     */
    public AtomicCounter timersExpired()
    {
        return counters[SidecoreCounter.TIMERS_EXPIRED.id()];
    }

    /**
     * @return frames handed to another sidecore through a cross-shard ring.
     */
    public AtomicCounter crossShardFrames()
    {
        return counters[SidecoreCounter.CROSS_SHARD_FRAMES.id()];
    }

    /**
     * @return engine errors.
     */
    public AtomicCounter errors()
    {
        return counters[SidecoreCounter.ERRORS.id()];
    }

    /**
     * @return extra copies made by flooding: a frame flooded to {@code n} destinations adds {@code n - 1}.
     */
    public AtomicCounter switchFloodCopies()
    {
        return counters[SidecoreCounter.SWITCH_FLOOD_COPIES.id()];
    }

    /**
     * @return flooded frames from another sidecore that found no local port to go to.
     */
    public AtomicCounter switchDropNoDestination()
    {
        return counters[SidecoreCounter.SWITCH_DROP_NO_DESTINATION.id()];
    }

    /**
     * @return frames from another sidecore addressed to a port that left the switch while they were in flight.
     */
    public AtomicCounter switchDropStalePort()
    {
        return counters[SidecoreCounter.SWITCH_DROP_STALE_PORT.id()];
    }

    /**
     * @return source addresses not learned because the MAC table was full.
     */
    public AtomicCounter macTableFull()
    {
        return counters[SidecoreCounter.MAC_TABLE_FULL.id()];
    }

    /**
     * @return entries in the MAC table (a gauge).
     */
    public AtomicCounter macEntries()
    {
        return counters[SidecoreCounter.MAC_ENTRIES.id()];
    }

    /**
     * Account one duty cycle that did work: its time goes to {@link SidecoreCounter#BUSY_NS}, the cycle to
     * {@link SidecoreCounter#BUSY_CYCLES} and to its pass time bucket. Sidecore thread; allocation-free.
     *
     * @param cycleNs how long the cycle took.
     */
    public void recordBusyCycle(final long cycleNs)
    {
        counters[SidecoreCounter.BUSY_NS.id()].getAndAddOpaque(cycleNs);
        counters[SidecoreCounter.BUSY_CYCLES.id()].incrementOpaque();
        passTimeBuckets[PassTimeHistogram.bucketOf(cycleNs)].incrementOpaque();
    }

    /**
     * @param bucket a {@link PassTimeHistogram} bucket.
     * @return the busy cycles counted in it.
     */
    public AtomicCounter passTimeBucket(final int bucket)
    {
        return passTimeBuckets[bucket];
    }

    /**
     * Free the counters.
     */
    public void close()
    {
        closeAll(counters);
        closeAll(passTimeBuckets);
    }

    private static void closeAll(final AtomicCounter[] counters)
    {
        for (int i = 0; i < counters.length; i++)
        {
            if (null != counters[i])
            {
                counters[i].close();
                counters[i] = null;
            }
        }
    }
}
