package io.sidecore.shm;

/**
 * The per-sidecore (per pinned core, one agent each) counters, each with a stable id (its slot within the sidecore's
 * block of counters in the counters file, key layout {@link CounterTypes#SIDECORE_COUNTER_TYPE_ID}) and a stable
 * name. Written only by the sidecore's own agent thread, except {@link #PROXY_OFFER_FAILURES}, which the threads
 * offering commands to that agent increment.
 * <p>
 * A gauge holds a current value that is set, not accumulated; tools show it as is rather than as a rate.
 * <p>
 * Adding a counter: append it with the next unused id. Ids never change meaning; duplicates fail at class
 * initialisation.
 */
public enum SidecoreCounter
{
    DUTY_CYCLES(0, "duty_cycles", false, "doWork passes of the agent"),
    BUSY_RATIO_PPM(1, "busy_ratio_ppm", true,
        "share of the last measurement window spent in duty cycles that did work, parts per million"),
    MAX_CYCLE_TIME_NS(2, "max_cycle_time_ns", true, "longest duty cycle observed, nanoseconds"),
    CYCLE_TIME_THRESHOLD_EXCEEDED(3, "cycle_time_threshold_exceeded", false,
        "duty cycles longer than the configured threshold"),
    PARKS(4, "parks", false, "times the idle strategy parked the thread"),
    PORTS_OWNED(5, "ports_owned", true, "ports currently served by this sidecore"),
    COMMANDS_PROCESSED(6, "commands_processed", false, "commands drained from the command queue"),
    PROXY_OFFER_FAILURES(7, "proxy_offer_failures", false, "command offers refused because the queue was full"),
    WAKEUPS(8, "wakeups", false, "parks ended early by a kick or a command"),
    TIMERS_EXPIRED(9, "timers_expired", false, "moderation and PHY autonegotiation deadlines that fired"),
    CROSS_SHARD_FRAMES(10, "cross_shard_frames", false, "frames handed to another sidecore through an SPSC ring"),
    ERRORS(11, "errors", false, "engine errors caught by the agent runner and written to the error log"),
    SWITCH_FLOOD_COPIES(12, "switch_flood_copies", false,
        "extra copies made by flooding: a frame flooded to n destinations (local ports or other sidecores) adds n-1"),
    SWITCH_DROP_NO_DESTINATION(13, "switch_drop_no_destination", false,
        "frames flooded by another sidecore that found no port of this sidecore on the switch"),
    SWITCH_DROP_STALE_PORT(14, "switch_drop_stale_port", false,
        "frames from another sidecore for a port that left the switch while they were in flight"),
    MAC_TABLE_FULL(15, "mac_table_full", false, "source addresses not learned because the MAC table was full"),
    MAC_ENTRIES(16, "mac_entries", true, "addresses in this sidecore's MAC table, expired ones until swept"),
    BUSY_NS(17, "busy_ns", false,
        "wall time spent in duty cycles that did work, nanoseconds (its rate over wall time is the busy fraction)"),
    BUSY_CYCLES(18, "busy_cycles", false, "duty cycles that did work (their times are in the pass time histogram)"),
    ALLOCATED_BYTES(19, "allocated_bytes", true,
        "bytes the sidecore's thread has allocated since it started, read once a second (0 growth in steady state)"),
    GC_COUNT(20, "gc_count", true, "garbage collections of the daemon's JVM, all collectors, read once a second"),
    GC_TIME_MS(21, "gc_time_ms", true,
        "accumulated collection time of the daemon's JVM, milliseconds, all collectors, read once a second"),
    JVM_READINGS(22, "jvm_readings", false,
        "times allocated_bytes, gc_count, gc_time_ms and core_work_unit_ns were read and published, once a second, " +
            "after them: a reader " +
            "that sees it move reads values taken at that moment"),
    CROSS_SHARD_DRAIN_NS(23, "cross_shard_drain_ns", false,
        "time spent taking the frames other sidecores switched to this one, nanoseconds (charged to no port: the " +
        "senders are other sidecores' ports, the receivers would be blamed for a flood)"),
    CORE_WORK_UNIT_NS(24, "core_work_unit_ns", true,
        "how fast the sidecore's core runs: the fastest of 4 timings of a fixed arithmetic loop in the L1 cache, " +
        "nanoseconds, read once a second (higher when the host clocks the core lower or a busy sibling hardware " +
        "thread shares it; compare figures only at like values)");

    /** Number of counter slots reserved per sidecore; ids are below this. */
    public static final int SLOTS_PER_SIDECORE = 32;

    private static final SidecoreCounter[] BY_ID = new SidecoreCounter[SLOTS_PER_SIDECORE];

    static
    {
        final SidecoreCounter[] counters = values();
        final int[] ids = new int[counters.length];
        for (int i = 0; i < counters.length; i++)
        {
            ids[i] = counters[i].id;
        }
        LayoutUtil.checkUniqueIds("sidecore counter", ids, SLOTS_PER_SIDECORE);
        for (final SidecoreCounter counter : counters)
        {
            BY_ID[counter.id] = counter;
        }
    }

    private final int id;
    private final String counterName;
    private final boolean gauge;
    private final String description;

    SidecoreCounter(final int id, final String counterName, final boolean gauge, final String description)
    {
        this.id = id;
        this.counterName = counterName;
        this.gauge = gauge;
        this.description = description;
    }

    /**
     * @return stable id, the slot within the sidecore's block.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return stable snake_case name used in labels and tool output.
     */
    public String counterName()
    {
        return counterName;
    }

    /**
     * @return true when the value is set (a level), false when it only grows.
     */
    public boolean isGauge()
    {
        return gauge;
    }

    /**
     * @return one-line description.
     */
    public String description()
    {
        return description;
    }

    /**
     * @param id slot id.
     * @return the counter, or null when the slot is unused.
     */
    public static SidecoreCounter byId(final int id)
    {
        return id >= 0 && id < SLOTS_PER_SIDECORE ? BY_ID[id] : null;
    }
}
