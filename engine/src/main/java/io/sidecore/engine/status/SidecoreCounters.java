package io.sidecore.engine.status;

import io.sidecore.shm.CounterTypes;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The counters of one sidecore (one agent on one core), labelled {@code sidecore=<index> <name>}. Written by the
 * sidecore's own thread with opaque stores, except {@link #proxyOfferFailures()}, which command-offering threads
 * increment atomically. Read lock-free by other processes through the counters file.
 */
public final class SidecoreCounters
{
    private static final int DUTY_CYCLES = 0;
    private static final int BUSY_RATIO_PPM = 1;
    private static final int MAX_CYCLE_TIME_NS = 2;
    private static final int CYCLE_TIME_THRESHOLD_EXCEEDED = 3;
    private static final int PARKS = 4;
    private static final int PORTS_OWNED = 5;
    private static final int COMMANDS_PROCESSED = 6;
    private static final int PROXY_OFFER_FAILURES = 7;
    private static final int WAKEUPS = 8;
    private static final int TIMERS_EXPIRED = 9;
    private static final int CROSS_SHARD_FRAMES = 10;
    private static final int ERRORS = 11;
    private static final int SWITCH_FLOOD_COPIES = 12;
    private static final int SWITCH_DROP_NO_DESTINATION = 13;
    private static final int SWITCH_DROP_STALE_PORT = 14;
    private static final int MAC_TABLE_FULL = 15;
    private static final int MAC_ENTRIES = 16;
    private static final String[] NAMES =
    {
        "duty_cycles", "busy_ratio_ppm", "max_cycle_time_ns", "cycle_time_threshold_exceeded", "parks",
        "ports_owned", "commands_processed", "proxy_offer_failures", "wakeups", "timers_expired",
        "cross_shard_frames", "errors", "switch_flood_copies", "switch_drop_no_destination",
        "switch_drop_stale_port", "mac_table_full", "mac_entries"
    };

    private final AtomicCounter[] counters = new AtomicCounter[NAMES.length];

    /**
     * Allocate the counters of one sidecore.
     *
     * @param countersManager where to allocate.
     * @param sidecoreIndex   the sidecore's index, stored in the key.
     */
    public SidecoreCounters(final CountersManager countersManager, final int sidecoreIndex)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[CounterTypes.SIDECORE_KEY_LENGTH]);
        for (int id = 0; id < NAMES.length; id++)
        {
            key.putInt(CounterTypes.SIDECORE_INDEX_KEY_OFFSET, sidecoreIndex, ByteOrder.LITTLE_ENDIAN);
            key.putInt(CounterTypes.COUNTER_ID_KEY_OFFSET, id, ByteOrder.LITTLE_ENDIAN);
            final byte[] label = ("sidecore=" + sidecoreIndex + " " + NAMES[id]).getBytes(StandardCharsets.US_ASCII);
            counters[id] = countersManager.newCounter(
                CounterTypes.SIDECORE_COUNTER_TYPE_ID, key, 0, key.capacity(),
                new UnsafeBuffer(label), 0, label.length);
        }
    }

    /**
     * Counters in a private heap buffer, for tests.
     *
     * @param sidecoreIndex the index used in labels.
     * @return the counters.
     */
    public static SidecoreCounters inHeap(final int sidecoreIndex)
    {
        return new SidecoreCounters(new CountersManager(
            new UnsafeBuffer(new byte[NAMES.length * CountersManager.METADATA_LENGTH]),
            new UnsafeBuffer(new byte[NAMES.length * CountersManager.COUNTER_LENGTH])), sidecoreIndex);
    }

    /**
     * @return doWork passes.
     */
    public AtomicCounter dutyCycles()
    {
        return counters[DUTY_CYCLES];
    }

    /**
     * @return share of the last window's time spent in duty cycles that did work, parts per million (a gauge).
     */
    public AtomicCounter busyRatioPpm()
    {
        return counters[BUSY_RATIO_PPM];
    }

    /**
     * @return longest busy duty cycle, ns (a gauge).
     */
    public AtomicCounter maxCycleTimeNs()
    {
        return counters[MAX_CYCLE_TIME_NS];
    }

    /**
     * @return busy duty cycles longer than the configured threshold.
     */
    public AtomicCounter cycleTimeThresholdExceeded()
    {
        return counters[CYCLE_TIME_THRESHOLD_EXCEEDED];
    }

    /**
     * @return times the idle strategy parked.
     */
    public AtomicCounter parks()
    {
        return counters[PARKS];
    }

    /**
     * @return ports currently owned (a gauge).
     */
    public AtomicCounter portsOwned()
    {
        return counters[PORTS_OWNED];
    }

    /**
     * @return commands executed.
     */
    public AtomicCounter commandsProcessed()
    {
        return counters[COMMANDS_PROCESSED];
    }

    /**
     * @return command offers refused because the queue was full (multiple writers: increment atomically).
     */
    public AtomicCounter proxyOfferFailures()
    {
        return counters[PROXY_OFFER_FAILURES];
    }

    /**
     * @return parks ended early by a kick.
     */
    public AtomicCounter wakeups()
    {
        return counters[WAKEUPS];
    }

    /**
     * @return moderation timer deadlines that fired.
     */
    public AtomicCounter timersExpired()
    {
        return counters[TIMERS_EXPIRED];
    }

    /**
     * @return frames handed to another sidecore through a cross-shard ring.
     */
    public AtomicCounter crossShardFrames()
    {
        return counters[CROSS_SHARD_FRAMES];
    }

    /**
     * @return engine errors.
     */
    public AtomicCounter errors()
    {
        return counters[ERRORS];
    }

    /**
     * @return extra copies made by flooding: a frame flooded to {@code n} destinations adds {@code n - 1}.
     */
    public AtomicCounter switchFloodCopies()
    {
        return counters[SWITCH_FLOOD_COPIES];
    }

    /**
     * @return flooded frames from another sidecore that found no local port to go to.
     */
    public AtomicCounter switchDropNoDestination()
    {
        return counters[SWITCH_DROP_NO_DESTINATION];
    }

    /**
     * @return frames from another sidecore addressed to a port that left the switch while they were in flight.
     */
    public AtomicCounter switchDropStalePort()
    {
        return counters[SWITCH_DROP_STALE_PORT];
    }

    /**
     * @return source addresses not learned because the MAC table was full.
     */
    public AtomicCounter macTableFull()
    {
        return counters[MAC_TABLE_FULL];
    }

    /**
     * @return entries in the MAC table (a gauge).
     */
    public AtomicCounter macEntries()
    {
        return counters[MAC_ENTRIES];
    }

    /**
     * Free the counters.
     */
    public void close()
    {
        for (int i = 0; i < counters.length; i++)
        {
            counters[i].close();
        }
    }
}
