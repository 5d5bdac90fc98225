package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.e1000.InterruptController;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.port.PortTimerQueue;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deadline queue of a sidecore's ports against a plain map of port to deadline: random queuing (earlier only),
 * re-queuing (any time, or none) and removals keep the earliest deadline, each port's deadline and the count equal
 * to the map's, wrap-safe across the 64-bit clock wrap; emptying it yields the ports in deadline order.
 */
class PortTimerQueueTest
{
    private static final int PORTS = 40;
    private static final int OPERATIONS = 20_000;
    // Deadlines straddle the wrap of the signed 64-bit clock: wrap-safe order must hold across it.
    private static final long BASE_NS = Long.MAX_VALUE - 500_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 1));

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldKeepEarliestDeadlineAndOrderOfRandomOperationsAsPlainMapDoes()
    {
        final PortTimerQueue queue = new PortTimerQueue(PORTS);
        final List<Port> ports = new ArrayList<>();
        final Map<Port, Long> model = new HashMap<>();
        for (int i = 0; i < PORTS; i++)
        {
            final TestGuest guest = new TestGuest(i + 1);
            final Port port = guest.attachToSwitch(engine.proxy());
            // Moved from its sidecore's queue to this one (a port is in one queue at most), then emptied.
            port.timerQueue(queue);
            queue.remove(port);
            ports.add(port);
        }
        assertEquals(0, queue.size());

        final Random random = new Random(11);
        for (int op = 0; op < OPERATIONS; op++)
        {
            final Port port = ports.get(random.nextInt(PORTS));
            final long drawnNs = BASE_NS + random.nextInt(1_000_000);
            // Long.MAX_VALUE is the device's "no deadline": no real deadline takes it.
            final long deadlineNs = InterruptController.NO_DEADLINE == drawnNs ? drawnNs + 1 : drawnNs;
            switch (random.nextInt(4))
            {
                case 0, 1 ->
                {
                    queue.scheduleNoLaterThan(port, deadlineNs);
                    model.merge(port, deadlineNs, (old, now) -> now - old < 0 ? now : old);
                }
                case 2 ->
                {
                    final long exactNs = random.nextInt(8) == 0 ? InterruptController.NO_DEADLINE : deadlineNs;
                    queue.requeue(port, exactNs);
                    if (InterruptController.NO_DEADLINE == exactNs)
                    {
                        model.remove(port);
                    }
                    else
                    {
                        model.put(port, exactNs);
                    }
                }
                default ->
                {
                    queue.remove(port);
                    model.remove(port);
                }
            }
            assertSameAsModel(queue, ports, model, op);
        }

        long previousNs = BASE_NS - 1;
        while (queue.size() > 0)
        {
            final long earliestNs = queue.earliestDeadlineNs();
            final Port due = queue.duePort(earliestNs);
            assertEquals(earliestNs, model.remove(due), "the earliest port is due at its deadline");
            assertNull(queue.duePort(earliestNs - 1), "and not a nanosecond before");
            assertTrue(earliestNs - previousNs >= 0, "ports come out in deadline order");
            previousNs = earliestNs;
            queue.remove(due);
        }
        assertTrue(model.isEmpty());
    }

    private static void assertSameAsModel(
        final PortTimerQueue queue, final List<Port> ports, final Map<Port, Long> model, final int op)
    {
        assertEquals(model.size(), queue.size(), "size after operation " + op);
        long earliestNs = InterruptController.NO_DEADLINE;
        for (final Map.Entry<Port, Long> entry : model.entrySet())
        {
            if (InterruptController.NO_DEADLINE == earliestNs || entry.getValue() - earliestNs < 0)
            {
                earliestNs = entry.getValue();
            }
        }
        assertEquals(earliestNs, queue.earliestDeadlineNs(), "earliest after operation " + op);
        for (final Port port : ports)
        {
            assertEquals(model.getOrDefault(port, InterruptController.NO_DEADLINE), queue.deadlineNs(port),
                port.name() + " after operation " + op);
        }
    }
}
