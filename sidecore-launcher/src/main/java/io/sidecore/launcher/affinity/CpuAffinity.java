package io.sidecore.launcher.affinity;

import net.openhft.affinity.Affinity;
import net.openhft.affinity.AffinityLock;

import java.util.BitSet;

/**
 * Affinity of threads that are not sidecores (guests of the demo, benchmark drivers, the daemon's socket threads): keep
 * them off the cores the sidecores hold, so a busy-polling sidecore never shares its core. A thread that shares it
 * costs both: a vfio-user connection thread woken on the sidecore's core waits for the scheduler to preempt the
 * sidecore, then spins for an answer from the sidecore it has just displaced.
 */
public final class CpuAffinity
{
    private CpuAffinity()
    {
    }

    /**
     * Restrict the calling thread to the CPUs the process may use, minus some.
     *
     * @param excludedCpus the CPUs to avoid (the sidecores'); negative entries (unpinned sidecores) are ignored.
     * @return the CPUs the thread may now run on, or null when nothing was changed (no CPU to exclude, or no CPU
     *     would be left).
     */
    public static BitSet avoid(final int... excludedCpus)
    {
        final BitSet allowed = (BitSet)AffinityLock.BASE_AFFINITY.clone();
        boolean excluded = false;
        for (final int cpu : excludedCpus)
        {
            if (cpu >= 0)
            {
                allowed.clear(cpu);
                excluded = true;
            }
        }
        if (!excluded || allowed.isEmpty())
        {
            return null;
        }
        Affinity.setAffinity(allowed);
        return allowed;
    }

    /**
     * Run {@code start} with the calling thread kept off some CPUs, then give the caller back its own affinity.
     * Threads started inside keep the restriction for their whole life, and so do the threads they start (Linux
     * copies the creating thread's CPU mask into a new thread); the caller does not.
     *
     * @param excludedCpus the CPUs to avoid (the sidecores'); negative entries (unpinned sidecores) are ignored.
     * @param start        starts the threads.
     * @return the CPUs those threads may run on, or null when nothing was restricted (as {@link #avoid}).
     */
    public static BitSet whileAvoiding(final int[] excludedCpus, final Runnable start)
    {
        final BitSet callerAffinity = Affinity.getAffinity();
        final BitSet allowed = avoid(excludedCpus);
        try
        {
            start.run();
        }
        finally
        {
            if (null != allowed)
            {
                Affinity.setAffinity(callerAffinity);
            }
        }
        return allowed;
    }
}
