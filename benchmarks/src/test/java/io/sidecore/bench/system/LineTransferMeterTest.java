package io.sidecore.bench.system;

import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineTransferMeterTest
{
    /** No machine this runs on has a CPU 1000 (a cpu_set_t holds 1024): sched_setaffinity refuses the mask. */
    private static final int NO_SUCH_CPU = 1000;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldTimeATransferBetweenTwoCoresAndStopBothThreads() throws InterruptedException
    {
        final BitSet allowed = Affinity.getAffinity();
        final int first = allowed.nextSetBit(0);
        final int second = allowed.nextSetBit(first + 1);
        assertTrue(first >= 0 && second >= 0, "the line transfer needs two cores; this process may use " + allowed);

        final double oneWayNs = LineTransferMeter.oneWayNs(second, first);

        assertNoMeterThreadLeft();
        // A hand-off between two cores takes tens to hundreds of nanoseconds (a hit in the core's own cache takes
        // about one); the meter also checks that the peer answered every round trip the initiator counted.
        assertTrue(oneWayNs > 5 && oneWayNs < 1_000_000, "one way: " + oneWayNs + " ns");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldReportAPeerThatCannotBePinnedInsteadOfWaitingForItsAnswerForever()
    {
        final int cpu = Affinity.getAffinity().nextSetBit(0);

        final IllegalStateException failed =
            assertThrows(IllegalStateException.class, () -> LineTransferMeter.oneWayNs(cpu, NO_SUCH_CPU));

        assertTrue(failed.getMessage().contains("cannot measure a line transfer between CPU " + cpu + " and CPU " +
            NO_SUCH_CPU), failed.getMessage());
        assertNoMeterThreadLeft();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldStopThePeerWhenTheInitiatorCannotBePinned()
    {
        final int peerCpu = Affinity.getAffinity().nextSetBit(0);

        final IllegalStateException failed =
            assertThrows(IllegalStateException.class, () -> LineTransferMeter.oneWayNs(NO_SUCH_CPU, peerCpu));

        assertTrue(failed.getMessage().contains("cannot measure a line transfer between CPU " + NO_SUCH_CPU +
            " and CPU " + peerCpu), failed.getMessage());
        assertNoMeterThreadLeft();
    }

    /**
     * Both threads have ended when the meter returns or throws: neither spins on on a core.
     */
    private static void assertNoMeterThreadLeft()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            assertTrue(!thread.getName().startsWith("line-transfer") || !thread.isAlive(),
                "still running: " + thread.getName());
        }
    }

    @Test
    void shouldRefuseOneCoreForBothThreads()
    {
        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> LineTransferMeter.oneWayNs(1, 1));

        assertTrue(refused.getMessage().contains("two different cores"), refused.getMessage());
    }
}
