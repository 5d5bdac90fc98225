package io.sidecore.engine.proxy;

import io.sidecore.engine.TestContexts;
import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In {@link io.sidecore.engine.agent.ThreadingMode#INVOKER} mode (tests, the fuzzer, the isolation rig) a caller of
 * the proxy runs the agents' duty cycles itself while it waits; two callers at once must take turns, or two threads
 * would write the same device state (rule 2: one writer per state). An interposer wraps every status query so that
 * the first one to run holds its duty cycle until the other call's query has been offered and then, for a while, until
 * that query runs too: with the callers serialised it cannot run meanwhile (one query at a time), without it the other
 * caller's duty cycle runs it at once (two). The turns cover only the proxy's callers: a harness that drives the
 * agents itself ({@code SidecoreEngine.doWork}, {@code agent(i).doWork}, as the fuzzer and the isolation rig do) must
 * drive them from one thread and make no waiting proxy call from another while it does (the isolation rig's guests
 * only offer trapped accesses and wait for their answers; its ports are made before its sidecore thread starts).
 */
class InvokerSerialisationTest
{
    /** Far longer than the test: a call that waits behind the other never gives up. */
    private static final long COMMAND_TIMEOUT_NS = 60_000_000_000L;
    private static final long OFFER_WAIT_NS = 30_000_000_000L;
    /** How long the first query gives the other caller to run the second one beside it. */
    private static final long OVERLAP_WAIT_NS = 1_000_000_000L;
    private static final long CALL_LIMIT_MS = 60_000;

    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(new CachedNanoClock(), 1)
        .commandTimeoutNs(COMMAND_TIMEOUT_NS));
    private final EngineProxy proxy = engine.proxy();
    private final ExecutorService callers = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown()
    {
        callers.shutdownNow();
        engine.close();
    }

    @Test
    void shouldNeverRunTheAgentsForTwoInvokingCallersAtOnce() throws Exception
    {
        final Port first = add(1);
        final Port second = add(2);
        final AtomicInteger offered = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostRunning = new AtomicInteger();
        final AtomicBoolean held = new AtomicBoolean();
        final AtomicBoolean otherOfferedWhileHeld = new AtomicBoolean();
        proxy.interposer((index, command) ->
        {
            if (!(command instanceof Commands.QueryPortStatus))
            {
                return command;
            }
            offered.incrementAndGet();
            return new Recorded(command, running, mostRunning, () ->
            {
                if (held.compareAndSet(false, true))
                {
                    otherOfferedWhileHeld.set(awaitAtLeast(offered, 2, OFFER_WAIT_NS));
                    awaitAtLeast(running, 2, OVERLAP_WAIT_NS);
                }
            });
        });

        final CompletableFuture<PortStatus> one = CompletableFuture.supplyAsync(() -> proxy.portStatus(first), callers);
        final CompletableFuture<PortStatus> other =
            CompletableFuture.supplyAsync(() -> proxy.portStatus(second), callers);

        assertFalse(one.get(CALL_LIMIT_MS, TimeUnit.MILLISECONDS).faulted());
        assertFalse(other.get(CALL_LIMIT_MS, TimeUnit.MILLISECONDS).faulted());
        assertTrue(otherOfferedWhileHeld.get(), "the other caller offered its query while the first one ran");
        assertEquals(1, mostRunning.get(), "the agents' duty cycles ran for one caller at a time");
    }

    private Port add(final int id)
    {
        final PortConfig config = new PortConfig(id, "g" + id, new byte[]{0x02, 0, 0, 0, 0, (byte)id}, false,
            PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        return proxy.addPort(config, RegisterImage.allocate(), new GuestMemory(), InterruptLine.NONE, 0,
            counters -> new NullBackend());
    }

    /**
     * @return true once the count reached the least, false when the wait ran out first.
     */
    private static boolean awaitAtLeast(final AtomicInteger count, final int least, final long waitNs)
    {
        final long deadlineNs = System.nanoTime() + waitNs;
        while (count.get() < least)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            LockSupport.parkNanos(100_000);
        }
        return true;
    }

    /**
     * Runs the command it wraps, counting how many such commands run at once; {@code whileRunning} runs inside.
     */
    private static final class Recorded extends SidecoreCommand
    {
        private final SidecoreCommand command;
        private final AtomicInteger running;
        private final AtomicInteger mostRunning;
        private final Runnable whileRunning;

        Recorded(
            final SidecoreCommand command, final AtomicInteger running, final AtomicInteger mostRunning,
            final Runnable whileRunning)
        {
            this.command = command;
            this.running = running;
            this.mostRunning = mostRunning;
            this.whileRunning = whileRunning;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try
            {
                whileRunning.run();
                command.execute(agent, nowNs);
            }
            finally
            {
                running.decrementAndGet();
            }
            if (command.failure() instanceof RuntimeException failure)
            {
                throw failure;
            }
        }
    }
}
