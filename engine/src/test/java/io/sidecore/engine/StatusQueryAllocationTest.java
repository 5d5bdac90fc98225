package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.proxy.Commands;
import io.sidecore.engine.proxy.PortStatus;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher asks the sidecore for every port's status on each housekeeping tick: answering allocates nothing on
 * the sidecore (the requester builds the {@link PortStatus}; issue 11 §0: one PortStatus per port per tick was the
 * sidecore's steady-state allocation).
 */
class StatusQueryAllocationTest
{
    private static final int QUERIES = 2_000;

    @Test
    void shouldAnswerPortStatusQueriesWithoutAllocatingOnTheSidecore()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        try (SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 1)))
        {
            final TestGuest guest = new TestGuest(1);
            guest.attachToSwitch(engine.proxy());
            final SidecoreAgent agent = engine.agent(0);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long threadId = Thread.currentThread().threadId();

            long allocated = -1;
            Commands.QueryPortStatus last = null;
            for (int round = 0; round < 10 && 0 != allocated; round++)
            {
                final Commands.QueryPortStatus[] queries = new Commands.QueryPortStatus[QUERIES];
                for (int i = 0; i < QUERIES; i++)
                {
                    queries[i] = new Commands.QueryPortStatus(guest.port);
                }
                final long before = threads.getThreadAllocatedBytes(threadId);
                for (int i = 0; i < QUERIES; i++)
                {
                    queries[i].execute(agent, clock.nanoTime());
                }
                allocated = threads.getThreadAllocatedBytes(threadId) - before;
                last = queries[QUERIES - 1];
            }

            assertEquals(0, allocated, "bytes the sidecore allocated answering " + QUERIES + " status queries");
            assertTrue(last.isComplete());
            final PortStatus status = engine.proxy().portStatus(guest.port);
            assertFalse(status.faulted());
            assertTrue(status.operatorLinkUp());
        }
    }
}
