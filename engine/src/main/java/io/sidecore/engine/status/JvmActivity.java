package io.sidecore.engine.status;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What the JVM and the machine did that a sidecore cannot see from its own loop: bytes its thread allocated, the
 * collections of the whole JVM, and how fast its core runs. A sidecore publishes these once a second
 * ({@code allocated_bytes}, {@code gc_count}, {@code gc_time_ms}, {@code core_work_unit_ns}), so a benchmark or an
 * operator can check that the data path allocates nothing in steady state, attribute long passes to collections, and
 * tell a slower figure from a slower core. The readings are made on the sidecore thread and must not allocate.
 */
public interface JvmActivity
{
    /** Returned when the JVM does not measure per-thread allocation. */
    long UNSUPPORTED = -1;

    /**
     * @return bytes allocated by the calling thread since it started, or {@link #UNSUPPORTED}.
     */
    long currentThreadAllocatedBytes();

    /**
     * @return collections so far, every collector of the JVM.
     */
    long gcCount();

    /**
     * @return accumulated collection time so far, ms, every collector of the JVM.
     */
    long gcTimeMs();

    /**
     * @return how fast the calling thread's core runs: the fastest of {@link CoreSpeed#SIDECORE_TIMINGS} timings of
     *     {@link CoreSpeed#workUnit}, nanoseconds.
     */
    long coreWorkUnitNs();

    /**
     * The readings of this JVM: the thread MXBean's allocated bytes of the current thread and the collector MXBeans'
     * counts, native reads of values the JVM keeps (nothing allocated), and the process's {@link CoreSpeed#warmed()}
     * timed on the calling thread. The beans are looked up here, once; the first call in a process also warms the
     * core-speed loop up (tens of milliseconds).
     *
     * @return the readings.
     */
    static JvmActivity ofThisJvm()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        final com.sun.management.ThreadMXBean threads;
        if (bean instanceof com.sun.management.ThreadMXBean extended && extended.isThreadAllocatedMemorySupported())
        {
            if (!extended.isThreadAllocatedMemoryEnabled())
            {
                extended.setThreadAllocatedMemoryEnabled(true);
            }
            threads = extended;
        }
        else
        {
            threads = null;
        }
        final List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        final GarbageCollectorMXBean[] collectors = beans.toArray(new GarbageCollectorMXBean[0]);
        final CoreSpeed coreSpeed = CoreSpeed.warmed();
        return new JvmActivity()
        {
            public long currentThreadAllocatedBytes()
            {
                return null == threads ? UNSUPPORTED : threads.getCurrentThreadAllocatedBytes();
            }

            public long gcCount()
            {
                long total = 0;
                for (int i = 0; i < collectors.length; i++)
                {
                    total += Math.max(0, collectors[i].getCollectionCount());
                }
                return total;
            }

            public long gcTimeMs()
            {
                long total = 0;
                for (int i = 0; i < collectors.length; i++)
                {
                    total += Math.max(0, collectors[i].getCollectionTime());
                }
                return total;
            }

            public long coreWorkUnitNs()
            {
                return coreSpeed.fastestWorkUnitNs(CoreSpeed.SYSTEM_CLOCK, CoreSpeed.SIDECORE_TIMINGS);
            }
        };
    }
}
