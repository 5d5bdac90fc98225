package io.sidecore.bench.system;

import io.sidecore.shm.CounterTypes;
import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.PassTimeHistogram;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.IoUtil;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One reading of the daemon's counters file (read-only, checked as {@link CountersFileDescriptor} says): sidecore 0's
 * counters and pass time buckets, and every port's counters by port name. Two readings subtract to an interval.
 *
 * @param nanoTime when it was taken ({@link System#nanoTime()}).
 * @param sidecore sidecore 0's counters by {@link SidecoreCounter#id()}.
 * @param passTimeBuckets sidecore 0's pass time histogram.
 * @param ports    per port name, its counters by {@link PortCounter#id()}.
 */
record CounterSnapshot(long nanoTime, long[] sidecore, long[] passTimeBuckets, Map<String, long[]> ports)
{
    /**
     * The counters file mapped read-only.
     */
    static final class Reader implements AutoCloseable
    {
        private static final long READING_POLL_NS = 100_000;

        private final MappedByteBuffer mapped;
        private final CountersReader counters;
        private int jvmReadingsCounterId = CountersReader.NULL_COUNTER_ID;

        private Reader(final MappedByteBuffer mapped)
        {
            this.mapped = mapped;
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            this.counters = new CountersReader(
                CountersFileDescriptor.createCountersMetaDataBuffer(buffer),
                CountersFileDescriptor.createCountersValuesBuffer(buffer));
        }

        /**
         * Map the file and check its version and magic.
         *
         * @param file the counters file.
         * @return the reader.
         * @throws IOException when it cannot be mapped.
         * @throws IllegalStateException when it is not a ready counters file of this major version.
         */
        static Reader open(final Path file) throws IOException
        {
            final MappedByteBuffer mapped;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            }
            final AtomicBuffer buffer = new UnsafeBuffer(mapped);
            final int version = CountersFileDescriptor.version(buffer);
            if (SemanticVersion.major(version) != CountersFileDescriptor.MAJOR_VERSION ||
                CountersFileDescriptor.MAGIC != CountersFileDescriptor.magic(buffer))
            {
                IoUtil.unmap(mapped);
                throw new IllegalStateException("not a ready counters file of version " +
                    CountersFileDescriptor.MAJOR_VERSION + ".x: " + file + " (version " +
                    SemanticVersion.toString(version) + ")");
            }
            return new Reader(mapped);
        }

        /**
         * @return a reading of every counter now.
         */
        CounterSnapshot read()
        {
            final long[] sidecore = new long[SidecoreCounter.SLOTS_PER_SIDECORE];
            final long[] buckets = new long[PassTimeHistogram.BUCKETS];
            final Map<String, long[]> ports = new HashMap<>();
            final long nanoTime = System.nanoTime();
            counters.forEach((counterId, typeId, key, label) ->
            {
                final long value = counters.getCounterValue(counterId);
                final int id = CounterTypes.counterId(key, 0);
                if (CounterTypes.SIDECORE_COUNTER_TYPE_ID == typeId && 0 == CounterTypes.sidecoreIndex(key, 0) &&
                    id >= 0 && id < sidecore.length)
                {
                    sidecore[id] = value;
                }
                else if (PassTimeHistogram.TYPE_ID == typeId && 0 == CounterTypes.sidecoreIndex(key, 0) &&
                    id >= 0 && id < buckets.length)
                {
                    buckets[id] = value;
                }
                else if (CounterTypes.PORT_COUNTER_TYPE_ID == typeId && label.startsWith("port=") &&
                    id >= 0 && id < PortCounter.SLOTS_PER_PORT)
                {
                    final int space = label.indexOf(' ');
                    final String name = space > 0 ? label.substring("port=".length(), space) : label;
                    ports.computeIfAbsent(name, unused -> new long[PortCounter.SLOTS_PER_PORT])[id] = value;
                }
            });
            return new CounterSnapshot(nanoTime, sidecore, buckets, ports);
        }

        /**
         * Wait until sidecore 0 next reads and publishes its thread's allocated bytes and the JVM's collections
         * ({@link SidecoreCounter#JVM_READINGS} moves, once a second), so that a snapshot taken right after holds
         * values read at that moment rather than up to a second before. Polls every 0.1 ms.
         *
         * @param timeoutMs how long to wait at most.
         * @throws IOException when no reading is published within the timeout, or the file has no such counter.
         * @throws InterruptedException when interrupted.
         */
        void awaitJvmReading(final long timeoutMs) throws IOException, InterruptedException
        {
            if (CountersReader.NULL_COUNTER_ID == jvmReadingsCounterId)
            {
                counters.forEach((counterId, typeId, key, label) ->
                {
                    if (CounterTypes.SIDECORE_COUNTER_TYPE_ID == typeId && 0 == CounterTypes.sidecoreIndex(key, 0) &&
                        SidecoreCounter.JVM_READINGS.id() == CounterTypes.counterId(key, 0))
                    {
                        jvmReadingsCounterId = counterId;
                    }
                });
                if (CountersReader.NULL_COUNTER_ID == jvmReadingsCounterId)
                {
                    throw new IOException("the counters file has no counter " +
                        SidecoreCounter.JVM_READINGS.counterName() + " of sidecore 0 (a daemon older than the bench?)");
                }
            }
            final long readings = counters.getCounterValue(jvmReadingsCounterId);
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (readings == counters.getCounterValue(jvmReadingsCounterId))
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    throw new IOException("sidecore 0 published no reading of its allocated bytes for " + timeoutMs +
                        " ms (counter " + SidecoreCounter.JVM_READINGS.counterName() + " stayed at " + readings + ")");
                }
                LockSupport.parkNanos(READING_POLL_NS);
                if (Thread.interrupted())
                {
                    throw new InterruptedException("waiting for sidecore 0's allocation reading");
                }
            }
        }

        public void close()
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * @param counter a sidecore counter.
     * @return its value.
     */
    long sidecore(final SidecoreCounter counter)
    {
        return sidecore[counter.id()];
    }

    /**
     * @param names   ports.
     * @param counter a port counter.
     * @return its sum over those ports (a port not in the file counts 0).
     */
    long sum(final Iterable<String> names, final PortCounter counter)
    {
        long total = 0;
        for (final String name : names)
        {
            final long[] values = ports.get(name);
            if (null != values)
            {
                total += values[counter.id()];
            }
        }
        return total;
    }

    /**
     * @param names ports.
     * @return frames they dropped, every drop counter summed.
     */
    long drops(final Iterable<String> names)
    {
        long total = 0;
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.isDrop())
            {
                total += sum(names, counter);
            }
        }
        return total;
    }
}
