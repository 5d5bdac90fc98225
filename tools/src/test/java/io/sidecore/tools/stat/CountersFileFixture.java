package io.sidecore.tools.stat;

import io.sidecore.shm.CounterTypes;
import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortFault;
import io.sidecore.shm.PortFaultDescriptor;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.IoUtil;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * A counters file made as the daemon makes it (descriptor protocol, Agrona {@code CountersManager}, labels
 * {@code port=<name> <counter>} and {@code sidecore=<index> <counter>} with the shm-layout keys, a
 * {@code DistinctErrorLog}), mapped read-write in the test while the tool maps it read-only.
 */
final class CountersFileFixture implements AutoCloseable
{
    static final long PID = 4242;
    static final int MAX_COUNTERS = 256;
    static final int ERROR_LOG_LENGTH = 64 * 1024;
    static final int PORT_SLOTS = 4;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final CountersManager countersManager;
    private final DistinctErrorLog errorLog;
    private final UnsafeBuffer portFaults;

    private CountersFileFixture(final Path path, final long pid, final EpochClock clock)
    {
        this.path = path;
        final int valuesLength = CountersFileDescriptor.countersValuesLength(MAX_COUNTERS);
        final int metaDataLength = CountersFileDescriptor.countersMetaDataLength(valuesLength);
        final int portFaultsLength = CountersFileDescriptor.portFaultsLength(PORT_SLOTS);
        final long fileLength = CountersFileDescriptor.computeFileLength(
            metaDataLength, valuesLength, portFaultsLength, ERROR_LOG_LENGTH);
        final File file = path.toFile();
        IoUtil.deleteIfExists(file);
        mapped = IoUtil.mapNewFile(file, fileLength);
        buffer = new UnsafeBuffer(mapped);
        CountersFileDescriptor.fillMetaData(
            buffer, metaDataLength, valuesLength, portFaultsLength, ERROR_LOG_LENGTH, pid, clock.time());
        countersManager = new CountersManager(
            CountersFileDescriptor.createCountersMetaDataBuffer(buffer),
            CountersFileDescriptor.createCountersValuesBuffer(buffer));
        errorLog = new DistinctErrorLog(CountersFileDescriptor.createErrorLogBuffer(buffer), clock);
        portFaults = CountersFileDescriptor.createPortFaultsBuffer(buffer);
    }

    /**
     * Create the file with metadata filled in (version still 0: call {@link #signalReady()}).
     */
    static CountersFileFixture create(final Path path, final EpochClock clock)
    {
        return create(path, PID, clock);
    }

    static CountersFileFixture create(final Path path, final long pid, final EpochClock clock)
    {
        return new CountersFileFixture(path, pid, clock);
    }

    Path path()
    {
        return path;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    CountersFileFixture signalReady()
    {
        CountersFileDescriptor.signalReady(buffer);
        return this;
    }

    void heartbeat(final long nowMs)
    {
        CountersFileDescriptor.updateHeartbeat(buffer, nowMs);
    }

    boolean recordError(final Throwable error)
    {
        return errorLog.record(error);
    }

    /**
     * Every {@link PortCounter} of a port, as the engine allocates them.
     */
    Map<PortCounter, AtomicCounter> addPort(final int portId, final String portName)
    {
        final Map<PortCounter, AtomicCounter> counters = new EnumMap<>(PortCounter.class);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[CounterTypes.PORT_KEY_LENGTH]);
        for (final PortCounter counter : PortCounter.values())
        {
            CounterTypes.encodePortKey(key, portId, counter.id());
            counters.put(counter, newCounter(
                CounterTypes.PORT_COUNTER_TYPE_ID, key, "port=" + portName + " " + counter.counterName()));
        }
        return counters;
    }

    /**
     * Every {@link SidecoreCounter} of a sidecore, as the engine allocates them.
     */
    Map<SidecoreCounter, AtomicCounter> addSidecore(final int sidecoreIndex)
    {
        final Map<SidecoreCounter, AtomicCounter> counters = new EnumMap<>(SidecoreCounter.class);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[CounterTypes.SIDECORE_KEY_LENGTH]);
        for (final SidecoreCounter counter : SidecoreCounter.values())
        {
            CounterTypes.encodeSidecoreKey(key, sidecoreIndex, counter.id());
            counters.put(counter, newCounter(
                CounterTypes.SIDECORE_COUNTER_TYPE_ID, key, "sidecore=" + sidecoreIndex + " " + counter.counterName()));
        }
        return counters;
    }

    /**
     * A port's fault record as the engine writes it (seqlock, one writer).
     */
    void writePortFault(
        final int slot,
        final int portId,
        final PortFault fault,
        final int register,
        final long value,
        final long timestampMs,
        final long faultCount)
    {
        PortFaultDescriptor.write(portFaults, PortFaultDescriptor.recordOffset(slot), PortFaultDescriptor.SLOT_IN_USE,
            portId, null == fault ? PortFault.NO_FAULT_ID : fault.id(), register, value, timestampMs, faultCount);
    }

    /**
     * One counter with an explicit type, 8-byte key (two ints) and label.
     */
    AtomicCounter addCounter(final int typeId, final int keyFirst, final int keySecond, final String label)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        CounterTypes.encodePortKey(key, keyFirst, keySecond);
        return newCounter(typeId, key, label);
    }

    private AtomicCounter newCounter(final int typeId, final UnsafeBuffer key, final String label)
    {
        final byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
        return countersManager.newCounter(
            typeId, key, 0, key.capacity(), new UnsafeBuffer(labelBytes), 0, labelBytes.length);
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
