package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.SidecoreIdleStrategy;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.port.Port;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * THREADED TEST, kept apart on purpose: the one place where the agents run on their own threads with the system
 * clock, to check the proxy's cross-thread round trip (offer, execution by the running sidecore, reply) including a
 * sidecore that parks between requests.
 * <p>
 * How fast a round trip is depends on what the machine gives the two threads at that moment (on a loaded 2-core
 * host, a fixed bound failed at load 14 while nothing was wrong). So the round trip is measured against a baseline in
 * the same run: the bare hand-off between the same two kinds of thread (a caller that spins then parks as the proxy
 * waits, an echo thread that spins, yields and parks as the adaptive sidecore idles, woken as a kick wakes it), in
 * alternating blocks so both see the same load. The sidecore's share (its duty cycle, the device's work) is bounded
 * by {@value #BASELINE_RATIO} times the hand-off plus {@value #ALLOWANCE_NS} ns: a reply that waits for a park to
 * time out, a command timeout, or a coarse sleep in the proxy is far outside it, on a quiet machine or a loaded one.
 * Measured at load 7-10: round trip 94-124 us against a hand-off of 42-57 us (ratio 1.7-2.9); with a planted 1 ms
 * park in the proxy's wait, 1 224 us against 108 us (ratio 11: it fails this bound).
 */
class EngineProxyCrossThreadTest
{
    private static final int BLOCKS = 10;
    private static final int ROUNDS_PER_BLOCK = 2_000;
    private static final long BASELINE_RATIO = 6;
    private static final long ALLOWANCE_NS = 100_000;
    /** As the proxy waits for a reply. */
    private static final int CALLER_SPINS = 1_000;
    private static final long CALLER_PARK_NS = 10_000;
    /** As TestContexts' adaptive sidecore idles. */
    private static final int ECHO_SPINS = 10;
    private static final int ECHO_YIELDS = 2;
    private static final long ECHO_MAX_PARK_NS = 50_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldAnswerTrappedAccessesFromAnotherThreadWhileSidecoresRun() throws InterruptedException
    {
        final EngineContext ctx = TestContexts.invoker(new org.agrona.concurrent.CachedNanoClock(), 2)
            .threadingMode(ThreadingMode.DEDICATED)
            .nanoClock(org.agrona.concurrent.SystemNanoClock.INSTANCE)
            .idleStrategy(SidecoreIdleStrategy.ADAPTIVE);
        final Echo echo = new Echo();
        try (SidecoreEngine engine = new SidecoreEngine(ctx).start())
        {
            final Port first = new TestGuest(1).attachToSwitch(engine.proxy());
            final Port second = new TestGuest(2).attachToSwitch(engine.proxy());
            assertEquals(0, engine.proxy().sidecoreIndex(first));
            assertEquals(1, engine.proxy().sidecoreIndex(second));
            echo.start();

            long trappedNs = 0;
            long handOffNs = 0;
            for (int block = 0; block < BLOCKS; block++)
            {
                final long trappedStartNs = System.nanoTime();
                for (int i = 0; i < ROUNDS_PER_BLOCK; i++)
                {
                    final Port port = 0 == (i & 1) ? first : second;
                    engine.proxy().mmioWrite(port, E1000Registers.ICS, E1000Registers.ICR_RXT0);
                    final int icr = engine.proxy().mmioRead(port, E1000Registers.ICR);
                    assertEquals(E1000Registers.ICR_RXT0, icr & E1000Registers.ICR_RXT0,
                        "block " + block + " round " + i);
                }
                trappedNs += System.nanoTime() - trappedStartNs;
                final long handOffStartNs = System.nanoTime();
                for (int i = 0; i < 2 * ROUNDS_PER_BLOCK; i++)
                {
                    echo.roundTrip();
                }
                handOffNs += System.nanoTime() - handOffStartNs;
            }
            final long accesses = 2L * BLOCKS * ROUNDS_PER_BLOCK;
            final long meanRoundTripNs = trappedNs / accesses;
            final long meanHandOffNs = handOffNs / accesses;

            System.out.println("mean trapped round trip " + meanRoundTripNs + " ns, bare hand-off " + meanHandOffNs +
                " ns");
            assertEquals(accesses / 4, first.counters().get(PortCounter.ICR_READS));
            assertEquals(accesses / 4, second.counters().get(PortCounter.ICR_READS));
            assertTrue(meanRoundTripNs <= BASELINE_RATIO * meanHandOffNs + ALLOWANCE_NS, "mean trapped round trip " +
                meanRoundTripNs + " ns against a bare hand-off of " + meanHandOffNs + " ns in the same run");
            assertEquals(0, engine.proxy().offerFailures());
        }
        finally
        {
            echo.stop();
        }
    }

    /**
     * The baseline: a thread that answers a request number, idling between requests as the adaptive sidecore does
     * (spins, yields, then parks until woken or its longest park passes), woken by an unpark as a thread kick wakes
     * the sidecore.
     */
    private static final class Echo
    {
        private final Thread thread = new Thread(this::run, "echo");
        private volatile long request;
        private volatile long reply;
        private volatile boolean stopped;

        void start()
        {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException
        {
            stopped = true;
            LockSupport.unpark(thread);
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }

        /**
         * Ask, wake the echo thread, and wait for the answer as the proxy waits (spins, then short parks).
         */
        void roundTrip()
        {
            final long asked = request + 1;
            request = asked;
            LockSupport.unpark(thread);
            int spins = 0;
            while (reply != asked)
            {
                if (spins < CALLER_SPINS)
                {
                    Thread.onSpinWait();
                    spins++;
                }
                else
                {
                    LockSupport.parkNanos(CALLER_PARK_NS);
                }
            }
        }

        private void run()
        {
            int idle = 0;
            while (!stopped)
            {
                final long asked = request;
                if (asked != reply)
                {
                    reply = asked;
                    idle = 0;
                }
                else if (idle < ECHO_SPINS)
                {
                    Thread.onSpinWait();
                    idle++;
                }
                else if (idle < ECHO_SPINS + ECHO_YIELDS)
                {
                    Thread.yield();
                    idle++;
                }
                else
                {
                    LockSupport.parkNanos(ECHO_MAX_PARK_NS);
                }
            }
        }
    }
}
