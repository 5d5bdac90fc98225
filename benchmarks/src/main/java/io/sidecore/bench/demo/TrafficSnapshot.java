package io.sidecore.bench.demo;

import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.shm.PortCounter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The engine's frame counters at one instant, per port and in total, split the way the demo accounts for every frame:
 * <ul>
 *   <li>{@code tx_frames}: frames the guests' devices emitted ({@link PortCounter#TX_FRAMES});</li>
 *   <li>{@code rx_frames}/{@code rx_bytes}: frames and bytes written into guests' RX rings
 *       ({@link PortCounter#RX_FRAMES}, {@link PortCounter#RX_BYTES});</li>
 *   <li>{@code dropped}: emitted frames dropped on the way, each counted once: every {@code rx_drop_*} counter of
 *       the destination ports, the switch's and backends' drops charged to the source port ({@link #isDropOfEmitted})
 *       and the switch drops a sidecore counts itself;</li>
 *   <li>{@code refused}: the other {@code tx_drop_*} counters, packets the device refused before emitting them
 *       (bad descriptors, runts, oversize): never in {@code tx_frames}, so not part of the balance.</li>
 * </ul>
 * With unicast traffic between known addresses (no flooding), {@code tx_frames = rx_frames + dropped} once the
 * engine is idle. A snapshot minus an earlier one gives the counts of the interval between them.
 */
final class TrafficSnapshot
{
    /** The {@code tx_drop_*} counters that count frames after the device emitted them (switch, backend). */
    static final List<String> EMITTED_TX_DROPS =
        List.of("tx_drop_no_destination", "tx_drop_switch_ring_full", "tx_drop_backend");

    private static final PortCounter[] DROPS_OF_EMITTED;
    private static final PortCounter[] REFUSALS;

    static
    {
        final List<PortCounter> dropsOfEmitted = new ArrayList<>();
        final List<PortCounter> refusals = new ArrayList<>();
        for (final PortCounter counter : PortCounter.values())
        {
            if (isDropOfEmitted(counter))
            {
                dropsOfEmitted.add(counter);
            }
            else if (counter.isDrop())
            {
                refusals.add(counter);
            }
        }
        DROPS_OF_EMITTED = dropsOfEmitted.toArray(new PortCounter[0]);
        REFUSALS = refusals.toArray(new PortCounter[0]);
    }

    private final long[] txFrames;
    private final long[] rxFrames;
    private final long[] rxBytes;
    private final long[] dropped;
    private final long[] refused;
    private final long sidecoreDrops;
    private final long floodCopies;

    TrafficSnapshot(
        final long[] txFrames,
        final long[] rxFrames,
        final long[] rxBytes,
        final long[] dropped,
        final long[] refused,
        final long sidecoreDrops,
        final long floodCopies)
    {
        final int ports = txFrames.length;
        if (rxFrames.length != ports || rxBytes.length != ports || dropped.length != ports || refused.length != ports)
        {
            throw new IllegalArgumentException("per-port arrays differ in length");
        }
        this.txFrames = txFrames;
        this.rxFrames = rxFrames;
        this.rxBytes = rxBytes;
        this.dropped = dropped;
        this.refused = refused;
        this.sidecoreDrops = sidecoreDrops;
        this.floodCopies = floodCopies;
    }

    /**
     * @param counter a port counter.
     * @return true if it counts frames the device had already emitted (so they are in {@code tx_frames}).
     */
    static boolean isDropOfEmitted(final PortCounter counter)
    {
        return counter.isDrop() &&
            (counter.counterName().startsWith("rx_drop_") || EMITTED_TX_DROPS.contains(counter.counterName()));
    }

    /**
     * Read the counters now. Any thread (counters are read with volatile loads); exact once the engine is idle.
     *
     * @param ports     every port's counters, in guest order.
     * @param sidecores every sidecore's counters (their switch drops and flood copies).
     * @return the snapshot.
     */
    static TrafficSnapshot take(final PortCounters[] ports, final SidecoreCounters[] sidecores)
    {
        final int count = ports.length;
        final long[] txFrames = new long[count];
        final long[] rxFrames = new long[count];
        final long[] rxBytes = new long[count];
        final long[] dropped = new long[count];
        final long[] refused = new long[count];
        for (int i = 0; i < count; i++)
        {
            final PortCounters counters = ports[i];
            txFrames[i] = counters.get(PortCounter.TX_FRAMES);
            rxFrames[i] = counters.get(PortCounter.RX_FRAMES);
            rxBytes[i] = counters.get(PortCounter.RX_BYTES);
            dropped[i] = sum(counters, DROPS_OF_EMITTED);
            refused[i] = sum(counters, REFUSALS);
        }
        long sidecoreDrops = 0;
        long floodCopies = 0;
        for (int i = 0; i < sidecores.length; i++)
        {
            final SidecoreCounters counters = sidecores[i];
            sidecoreDrops += counters.switchDropNoDestination().get() + counters.switchDropStalePort().get();
            floodCopies += counters.switchFloodCopies().get();
        }
        return new TrafficSnapshot(txFrames, rxFrames, rxBytes, dropped, refused, sidecoreDrops, floodCopies);
    }

    private static long sum(final PortCounters counters, final PortCounter[] which)
    {
        long total = 0;
        for (int i = 0; i < which.length; i++)
        {
            total += counters.get(which[i]);
        }
        return total;
    }

    /**
     * @param earlier a snapshot of the same ports taken before this one.
     * @return the counts of the interval between them.
     */
    TrafficSnapshot minus(final TrafficSnapshot earlier)
    {
        if (earlier.portCount() != portCount())
        {
            throw new IllegalArgumentException("snapshots of different ports: " + earlier.portCount() + " and " +
                portCount());
        }
        return new TrafficSnapshot(
            minus(txFrames, earlier.txFrames),
            minus(rxFrames, earlier.rxFrames),
            minus(rxBytes, earlier.rxBytes),
            minus(dropped, earlier.dropped),
            minus(refused, earlier.refused),
            sidecoreDrops - earlier.sidecoreDrops,
            floodCopies - earlier.floodCopies);
    }

    private static long[] minus(final long[] later, final long[] earlier)
    {
        final long[] result = new long[later.length];
        for (int i = 0; i < later.length; i++)
        {
            result[i] = later[i] - earlier[i];
        }
        return result;
    }

    /**
     * @return number of ports.
     */
    int portCount()
    {
        return txFrames.length;
    }

    /**
     * @param port port index.
     * @return frames the port's device emitted.
     */
    long txFrames(final int port)
    {
        return txFrames[port];
    }

    /**
     * @param port port index.
     * @return frames written into the port's RX ring.
     */
    long rxFrames(final int port)
    {
        return rxFrames[port];
    }

    /**
     * @param port port index.
     * @return bytes written into the port's RX ring.
     */
    long rxBytes(final int port)
    {
        return rxBytes[port];
    }

    /**
     * @param port port index.
     * @return drops of emitted frames charged to the port (as source or as destination).
     */
    long dropped(final int port)
    {
        return dropped[port];
    }

    /**
     * @param port port index.
     * @return packets the port's device refused before emitting them.
     */
    long refused(final int port)
    {
        return refused[port];
    }

    /**
     * @return sum of {@code tx_frames}.
     */
    long totalTxFrames()
    {
        return total(txFrames);
    }

    /**
     * @return sum of {@code rx_frames}.
     */
    long totalRxFrames()
    {
        return total(rxFrames);
    }

    /**
     * @return sum of {@code rx_bytes}.
     */
    long totalRxBytes()
    {
        return total(rxBytes);
    }

    /**
     * @return every drop of an emitted frame: the ports' and the sidecores' own.
     */
    long totalDropped()
    {
        return total(dropped) + sidecoreDrops;
    }

    /**
     * @return packets refused before emission, over every port.
     */
    long totalRefused()
    {
        return total(refused);
    }

    /**
     * @return switch drops counted by the sidecores rather than by a port.
     */
    long sidecoreDrops()
    {
        return sidecoreDrops;
    }

    /**
     * @return extra copies the switch made by flooding (zero while every destination is known).
     */
    long floodCopies()
    {
        return floodCopies;
    }

    /**
     * @return {@code tx_frames - rx_frames - dropped}: frames neither delivered nor counted as dropped.
     */
    long unaccounted()
    {
        return totalTxFrames() - totalRxFrames() - totalDropped();
    }

    /**
     * @param other another snapshot.
     * @return true if every count is the same.
     */
    boolean sameCounts(final TrafficSnapshot other)
    {
        return Arrays.equals(txFrames, other.txFrames) &&
            Arrays.equals(rxFrames, other.rxFrames) &&
            Arrays.equals(rxBytes, other.rxBytes) &&
            Arrays.equals(dropped, other.dropped) &&
            Arrays.equals(refused, other.refused) &&
            sidecoreDrops == other.sidecoreDrops &&
            floodCopies == other.floodCopies;
    }

    private static long total(final long[] values)
    {
        long sum = 0;
        for (int i = 0; i < values.length; i++)
        {
            sum += values[i];
        }
        return sum;
    }
}
