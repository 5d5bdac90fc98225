package io.sidecore.tools.stat;

import io.sidecore.shm.CounterTypes;
import io.sidecore.shm.PassTimeHistogram;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFaultDescriptor;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one look at the counters file shows: the header fields, the selected counters grouped by port, by
 * sidecore and the rest, and the error log.
 *
 * @param file             the file read.
 * @param version          file version, {@code major.minor.patch}.
 * @param pid              daemon pid.
 * @param pidAlive         whether a process with that pid exists here.
 * @param startTimestampMs daemon start, epoch ms.
 * @param heartbeatMs      daemon's last heartbeat, epoch ms.
 * @param timestampMs      when the snapshot was taken, epoch ms.
 * @param nanoTime         when the snapshot was taken, monotonic ns (for rates).
 * @param groups           selected counters: ports in allocation order, then sidecores by index, then the rest.
 * @param missingPorts     ports asked for with {@code --port} that the file does not hold.
 * @param errors           distinct errors in the log, or null when they were not asked for.
 * @param portFaults       each port's fault record, by port id (ports the file records faults for).
 */
record Snapshot(
    String file,
    String version,
    long pid,
    boolean pidAlive,
    long startTimestampMs,
    long heartbeatMs,
    long timestampMs,
    long nanoTime,
    List<CounterGroup> groups,
    List<String> missingPorts,
    List<ErrorEntry> errors,
    Map<Integer, PortFaultDescriptor.Reading> portFaults)
{
    /** Attempts at a consistent reading of a fault record the sidecore is writing at that moment. */
    static final int FAULT_READ_ATTEMPTS = 1000;

    /** A heartbeat older than this means the daemon is not running (or is stuck). */
    static final long STALE_HEARTBEAT_MS = 3000;

    /**
     * The counters of one port, one sidecore, or the rest.
     *
     * @param kind    what they belong to.
     * @param ownerId port id or sidecore index; -1 for the rest.
     * @param name    port name, sidecore index as text, or empty for the rest.
     * @param entries the counters in allocation order.
     */
    record CounterGroup(CounterKind kind, int ownerId, String name, List<CounterEntry> entries)
    {
    }

    /**
     * @param portId a port id.
     * @return the port's fault record, or null when the file holds none for it.
     */
    PortFaultDescriptor.Reading portFault(final int portId)
    {
        return portFaults.get(portId);
    }

    /**
     * @return age of the heartbeat when the snapshot was taken, ms (negative when the clocks disagree).
     */
    long heartbeatAgeMs()
    {
        return timestampMs - heartbeatMs;
    }

    /**
     * @return true when the heartbeat is older than {@link #STALE_HEARTBEAT_MS}.
     */
    boolean isStale()
    {
        return heartbeatAgeMs() > STALE_HEARTBEAT_MS;
    }

    /**
     * Read the counters file once.
     *
     * @param reader        the mapped file.
     * @param selection     which counters to keep.
     * @param includeErrors whether to read the error log.
     * @param pidAlive      whether the daemon's pid is alive.
     * @param epochClock    wall clock, read after the heartbeat so that a live daemon never shows a negative age.
     * @param nanoClock     monotonic clock, for rates.
     * @return the snapshot.
     */
    static Snapshot capture(
        final CountersFileReader reader,
        final CounterSelection selection,
        final boolean includeErrors,
        final boolean pidAlive,
        final EpochClock epochClock,
        final NanoClock nanoClock)
    {
        final long heartbeatMs = reader.heartbeatMs();
        final long timestampMs = epochClock.time();
        final long nanoTime = nanoClock.nanoTime();
        final Map<Integer, CounterGroup> ports = new LinkedHashMap<>();
        final Map<Integer, CounterGroup> sidecores = new TreeMap<>();
        final CounterGroup other = new CounterGroup(CounterKind.OTHER, -1, "", new ArrayList<>());
        final CountersReader counters = reader.countersReader();

        counters.forEach(
            (final int counterId, final int typeId, final DirectBuffer key, final String label) ->
            {
                final CounterEntry entry = entry(counterId, typeId, key, label, counters.getCounterValue(counterId));
                if (!selection.accepts(entry))
                {
                    return;
                }
                final CounterGroup group = switch (entry.kind())
                {
                    case PORT -> ports.computeIfAbsent(entry.ownerId(),
                        (final Integer id) -> new CounterGroup(CounterKind.PORT, id, entry.ownerName(),
                            new ArrayList<>()));
                    case SIDECORE -> sidecores.computeIfAbsent(entry.ownerId(),
                        (final Integer id) -> new CounterGroup(CounterKind.SIDECORE, id, entry.ownerName(),
                            new ArrayList<>()));
                    case OTHER -> other;
                };
                group.entries().add(entry);
            });

        final List<CounterGroup> groups = new ArrayList<>(ports.values());
        groups.addAll(sidecores.values());
        if (!other.entries().isEmpty())
        {
            groups.add(other);
        }

        final List<String> missingPorts = new ArrayList<>();
        for (final String portName : selection.portNames())
        {
            if (!containsPort(groups, portName))
            {
                missingPorts.add(portName);
            }
        }

        List<ErrorEntry> errors = null;
        if (includeErrors)
        {
            final List<ErrorEntry> read = new ArrayList<>();
            ErrorLogReader.read(
                reader.errorLogBuffer(),
                (final int count, final long firstMs, final long lastMs, final String encoded) ->
                    read.add(new ErrorEntry(count, firstMs, lastMs, encoded)));
            errors = List.copyOf(read);
        }

        final Map<Integer, PortFaultDescriptor.Reading> portFaults = new TreeMap<>();
        final AtomicBuffer faultRecords = reader.portFaultsBuffer();
        for (int slot = 0, slots = PortFaultDescriptor.slotCount(faultRecords.capacity()); slot < slots; slot++)
        {
            final PortFaultDescriptor.Reading reading =
                PortFaultDescriptor.read(faultRecords, slot, FAULT_READ_ATTEMPTS);
            if (null != reading && PortFaultDescriptor.SLOT_IN_USE == reading.slotState())
            {
                portFaults.put(reading.portId(), reading);
            }
        }

        return new Snapshot(
            reader.path().toString(),
            reader.versionText(),
            reader.pid(),
            pidAlive,
            reader.startTimestampMs(),
            heartbeatMs,
            timestampMs,
            nanoTime,
            List.copyOf(groups),
            List.copyOf(missingPorts),
            errors,
            Map.copyOf(portFaults));
    }

    /**
     * Decode one counter record: per-port and per-sidecore keys give the owner and the counter id, the label gives
     * the port name.
     */
    static CounterEntry entry(
        final int counterId, final int typeId, final DirectBuffer key, final String label, final long value)
    {
        if (CounterTypes.PORT_COUNTER_TYPE_ID == typeId)
        {
            final int portId = CounterTypes.portId(key, 0);
            final PortCounter counter = PortCounter.byId(CounterTypes.counterId(key, 0));
            return new CounterEntry(counterId, typeId, label, CounterKind.PORT, portId,
                portName(label, portId), null != counter ? counter.counterName() : labelRemainder(label), false, value);
        }
        if (CounterTypes.SIDECORE_COUNTER_TYPE_ID == typeId)
        {
            final int index = CounterTypes.sidecoreIndex(key, 0);
            final SidecoreCounter counter = SidecoreCounter.byId(CounterTypes.counterId(key, 0));
            return new CounterEntry(counterId, typeId, label, CounterKind.SIDECORE, index, Integer.toString(index),
                null != counter ? counter.counterName() : labelRemainder(label), null != counter && counter.isGauge(),
                value);
        }
        if (PassTimeHistogram.TYPE_ID == typeId)
        {
            final int index = CounterTypes.sidecoreIndex(key, 0);
            final int bucket = CounterTypes.counterId(key, 0);
            final String name = bucket >= 0 && bucket < PassTimeHistogram.BUCKETS ?
                PassTimeHistogram.bucketName(bucket) : labelRemainder(label);
            return new CounterEntry(counterId, typeId, label, CounterKind.SIDECORE, index, Integer.toString(index),
                name, false, value);
        }
        return new CounterEntry(counterId, typeId, label, CounterKind.OTHER, -1, "", label, false, value);
    }

    /**
     * The engine labels a port counter {@code port=<name> <counter>}; the key holds only the numeric id.
     */
    private static String portName(final String label, final int portId)
    {
        final String prefix = "port=";
        final int space = label.indexOf(' ');
        if (label.startsWith(prefix) && space > prefix.length())
        {
            return label.substring(prefix.length(), space);
        }
        return "#" + portId;
    }

    private static String labelRemainder(final String label)
    {
        final int space = label.indexOf(' ');
        return space >= 0 ? label.substring(space + 1) : label;
    }

    private static boolean containsPort(final List<CounterGroup> groups, final String portName)
    {
        for (final CounterGroup group : groups)
        {
            if (CounterKind.PORT == group.kind() && group.name().equals(portName))
            {
                return true;
            }
        }
        return false;
    }
}
