package io.sidecore.engine.status;

import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.charset.StandardCharsets;

/**
 * The named counters of one port (see {@link PortCounter}), written only by the agent that owns the port
 * ({@code incrementOpaque}) and read lock-free by other processes through the counters file.
 */
public final class PortCounters
{
    /** Counter type id of a per-port counter record in the counters file. */
    public static final int PORT_COUNTER_TYPE_ID = io.sidecore.shm.CounterTypes.PORT_COUNTER_TYPE_ID;

    private final AtomicCounter[] counters = new AtomicCounter[PortCounter.SLOTS_PER_PORT];

    /**
     * Allocate one counter per {@link PortCounter} for a port, labelled {@code port=<name> <counter>}.
     *
     * @param countersManager where to allocate.
     * @param portId          numeric port id, stored in the key.
     * @param portName        port name, used in the label.
     */
    public PortCounters(final CountersManager countersManager, final int portId, final String portName)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[io.sidecore.shm.CounterTypes.PORT_KEY_LENGTH]);
        for (final PortCounter counter : PortCounter.values())
        {
            io.sidecore.shm.CounterTypes.encodePortKey(key, portId, counter.id());
            final UnsafeBuffer label = new UnsafeBuffer(
                ("port=" + portName + " " + counter.counterName()).getBytes(StandardCharsets.US_ASCII));
            counters[counter.id()] = countersManager.newCounter(
                PORT_COUNTER_TYPE_ID, key, 0, io.sidecore.shm.CounterTypes.PORT_KEY_LENGTH,
                label, 0, label.capacity());
        }
    }

    /**
     * Counters in private memory, for tests and benchmarks: off the heap and aligned, as the counters file is (an
     * atomic counter over a {@code byte[]} makes Agrona print "not correctly aligned by 8" on standard error).
     *
     * @param portName label prefix.
     * @return counters backed by private memory.
     */
    public static PortCounters inPrivateMemory(final String portName)
    {
        final int count = PortCounter.values().length;
        final CountersManager manager = CountersFile.privateCountersManager(count);
        return new PortCounters(manager, 0, portName);
    }

    /**
     * Add one.
     *
     * @param counter which.
     */
    public void increment(final PortCounter counter)
    {
        counters[counter.id()].incrementOpaque();
    }

    /**
     * Add a delta.
     *
     * @param counter which.
     * @param delta   amount.
     */
    public void add(final PortCounter counter, final long delta)
    {
        counters[counter.id()].getAndAddOpaque(delta);
    }

    /**
     * @param counter which.
     * @return current value.
     */
    public long get(final PortCounter counter)
    {
        return counters[counter.id()].get();
    }

    /**
     * @param counter which.
     * @return the underlying counter.
     */
    public AtomicCounter counter(final PortCounter counter)
    {
        return counters[counter.id()];
    }

    /**
     * @return the sum of every drop counter.
     */
    public long totalDrops()
    {
        long total = 0;
        final PortCounter[] all = PortCounter.values();
        for (int i = 0; i < all.length; i++)
        {
            if (all[i].isDrop())
            {
                total += counters[all[i].id()].get();
            }
        }
        return total;
    }

    /**
     * Free the counters (port removal).
     */
    public void close()
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
