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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * THREADED TEST, kept apart on purpose: the one place where the agents run on their own threads with the system
 * clock, to check the proxy's cross-thread round trip (offer, execution by the running sidecore, reply) including a
 * sidecore that parks between requests.
 */
class EngineProxyCrossThreadTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldAnswerTrappedAccessesFromAnotherThreadWhileSidecoresRun()
    {
        final EngineContext ctx = TestContexts.invoker(new org.agrona.concurrent.CachedNanoClock(), 2)
            .threadingMode(ThreadingMode.DEDICATED)
            .nanoClock(org.agrona.concurrent.SystemNanoClock.INSTANCE)
            .idleStrategy(SidecoreIdleStrategy.ADAPTIVE);
        try (SidecoreEngine engine = new SidecoreEngine(ctx).start())
        {
            final Port first = new TestGuest(1).attachToSwitch(engine.proxy());
            final Port second = new TestGuest(2).attachToSwitch(engine.proxy());
            assertEquals(0, engine.proxy().sidecoreIndex(first));
            assertEquals(1, engine.proxy().sidecoreIndex(second));

            final int rounds = 20_000;
            final long startNs = System.nanoTime();
            for (int i = 0; i < rounds; i++)
            {
                final Port port = 0 == (i & 1) ? first : second;
                engine.proxy().mmioWrite(port, E1000Registers.ICS, E1000Registers.ICR_RXT0);
                final int icr = engine.proxy().mmioRead(port, E1000Registers.ICR);
                assertEquals(E1000Registers.ICR_RXT0, icr & E1000Registers.ICR_RXT0, "round " + i);
            }
            final long meanRoundTripNs = (System.nanoTime() - startNs) / (2L * rounds);

            assertEquals(rounds / 2, first.counters().get(PortCounter.ICR_READS));
            assertEquals(rounds / 2, second.counters().get(PortCounter.ICR_READS));
            assertTrue(meanRoundTripNs < 1_000_000, "mean round trip " + meanRoundTripNs + " ns");
            assertEquals(0, engine.proxy().offerFailures());
        }
    }
}
