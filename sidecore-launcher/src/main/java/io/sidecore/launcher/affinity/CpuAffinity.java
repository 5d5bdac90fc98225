package io.sidecore.launcher.affinity;

import net.openhft.affinity.Affinity;
import net.openhft.affinity.AffinityLock;

import java.util.BitSet;

/**
 * Affinity of threads that are not sidecores (guests of the demo, benchmark drivers): keep them off the cores the
 * sidecores hold, so a busy-polling sidecore never shares its core.
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
}
