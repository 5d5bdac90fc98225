package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.E1000Registers;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fairness in the queue that carries trapped accesses (issue 10 §8): a guest storming its trapped registers has at
 * most one access queued at a time (its port's one {@link TrappedAccess} slot), so another guest's trapped read
 * waits behind at most one access per port, whatever the storm, counted in duty cycles on an injected clock.
 */
class TrapQueueFairnessTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine =
        new SidecoreEngine(TestContexts.invoker(clock, 1).commandDrainLimit(1));

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldCompleteVictimsTrappedReadWithinTwoCyclesWhileAnotherGuestStormsItsTraps()
    {
        final TestGuest stormer = new TestGuest(1);
        stormer.attachToSwitch(engine.proxy());
        final TestGuest victim = new TestGuest(2);
        victim.attachToSwitch(engine.proxy());
        int stormAccesses = 0;
        int mostCycles = 0;

        for (int read = 0; read < 100; read++)
        {
            TrappedAccess storm = offerStorm(stormer);
            assertNotNull(storm, "the stormer's slot is free between its accesses");
            for (int extra = 0; extra < 50; extra++)
            {
                assertNull(offerStorm(stormer), "a second access of the same port is refused while one is queued");
            }

            final TrappedAccess victimRead = engine.proxy().offerAccess(
                victim.port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, Integer.BYTES, 0);
            assertNotNull(victimRead);
            int cycles = 0;
            while (!victimRead.isComplete())
            {
                engine.doWork();
                cycles++;
                if (storm.isComplete())
                {
                    storm.end();
                    stormAccesses++;
                    storm = offerStorm(stormer);
                    assertNotNull(storm);
                }
                assertTrue(cycles <= 2, "the victim's read waited " + cycles + " cycles");
            }
            assertTrue(0 != victimRead.result(), "STATUS read");
            victimRead.end();
            mostCycles = Math.max(mostCycles, cycles);
            while (!storm.isComplete())
            {
                engine.doWork();
            }
            storm.end();
            stormAccesses++;
        }

        assertEquals(2, mostCycles, "one stormer access ahead, then the victim's (one command per cycle)");
        assertTrue(stormAccesses >= 200, "the storm went on: " + stormAccesses);
    }

    private TrappedAccess offerStorm(final TestGuest stormer)
    {
        return engine.proxy().offerAccess(
            stormer.port, TrappedAccess.MMIO_SPACE, true, E1000Registers.ICS, Integer.BYTES, 0);
    }
}
