package io.sidecore.launcher.affinity;

import net.openhft.affinity.Affinity;
import net.openhft.affinity.AffinityLock;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuAffinityTest
{
    @Test
    void shouldStartThreadsOffTheAvoidedCpuAndGiveTheCallerItsAffinityBack() throws InterruptedException
    {
        assertTrue(AffinityLock.PROCESSORS >= 2,
            "this test needs at least 2 CPUs to keep a thread off one; the machine has " + AffinityLock.PROCESSORS);
        final int avoided = AffinityLock.BASE_AFFINITY.length() - 1;
        final BitSet callerBefore = Affinity.getAffinity();
        final AtomicReference<BitSet> startedThreadAffinity = new AtomicReference<>();
        final Thread[] started = new Thread[1];

        final BitSet allowed = CpuAffinity.whileAvoiding(new int[]{ avoided }, () ->
        {
            started[0] = new Thread(() -> startedThreadAffinity.set(Affinity.getAffinity()), "avoiding");
            started[0].start();
        });
        started[0].join(10_000);

        assertNotNull(allowed);
        assertFalse(allowed.get(avoided));
        assertNotNull(startedThreadAffinity.get(), "the thread started inside did not run");
        assertFalse(startedThreadAffinity.get().get(avoided),
            "a thread started inside may run on cpu " + avoided + ": " + startedThreadAffinity.get());
        assertEquals(allowed, startedThreadAffinity.get());
        assertEquals(callerBefore, Affinity.getAffinity());
    }

    @Test
    void shouldChangeNothingWhenNoCpuIsPinned()
    {
        final BitSet callerBefore = Affinity.getAffinity();
        final AtomicReference<BitSet> insideAffinity = new AtomicReference<>();

        final BitSet allowed = CpuAffinity.whileAvoiding(new int[]{ PinnedThreadFactory.NOT_PINNED },
            () -> insideAffinity.set(Affinity.getAffinity()));

        assertEquals(null, allowed);
        assertEquals(callerBefore, insideAffinity.get());
        assertEquals(callerBefore, Affinity.getAffinity());
    }
}
