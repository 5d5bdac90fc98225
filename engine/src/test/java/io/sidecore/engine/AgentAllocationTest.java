package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.proxy.CaptureSummary;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data path allocates nothing in steady state: doorbells, TX, switching (unicast, flooding, cross-sidecore
 * rings), RX, MAC aging and duty-cycle accounting, port capture with its file writes, and the sidecore's readings of
 * the JVM and its core once a second, measured with the thread's allocation counter.
 */
class AgentAllocationTest
{
    @Test
    void shouldNotAllocateInDutyCyclesWhenGuestsExchangeFrames()
    {
        assertSteadyStateAllocatesNothing(null);
    }

    @Test
    void shouldNotAllocateInDutyCyclesWhenPortCapturesBothDirections(@TempDir final Path directory)
    {
        assertSteadyStateAllocatesNothing(directory);
    }

    @Test
    void shouldNotAllocateWhenTheSidecorePublishesItsReadingsEverySecond()
    {
        // This JVM's readings (allocated bytes, collections, the core's speed), taken in every duty cycle here since
        // each one starts a second after the last.
        final CachedNanoClock clock = new CachedNanoClock();
        try (SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 1)))
        {
            for (int i = 0; i < 2_000; i++)
            {
                clock.update(clock.nanoTime() + 1_000_000_000L);
                engine.doWork();
            }
            final long readingsBefore = engine.agent(0).counters().get(SidecoreCounter.JVM_READINGS).get();
            final long[] allocatedPerWindow = allocatedPerWindowUntilNone(() ->
            {
                for (int i = 0; i < 200; i++)
                {
                    clock.update(clock.nanoTime() + 1_000_000_000L);
                    engine.doWork();
                }
            });
            final int windows = allocatedPerWindow.length;
            final long allocated = allocatedPerWindow[windows - 1];

            assertEquals(0, allocated, "bytes allocated per window of 200 readings: " +
                java.util.Arrays.toString(allocatedPerWindow));
            assertEquals(200L * windows, engine.agent(0).counters().get(SidecoreCounter.JVM_READINGS).get() -
                readingsBefore, "a reading in every cycle");
            assertTrue(engine.agent(0).counters().get(SidecoreCounter.CORE_WORK_UNIT_NS).get() > 0);
        }
    }

    /**
     * @param captureDirectory where guest 1's port captures its traffic (rotating, so the files stay small), or
     *                         null for no capture.
     */
    private static void assertSteadyStateAllocatesNothing(final Path captureDirectory)
    {
        final CachedNanoClock clock = new CachedNanoClock();
        try (SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 2)))
        {
            final TestGuest[] guests = new TestGuest[4];
            final byte[][] unicast = new byte[4][];
            final byte[][] broadcast = new byte[4][];
            for (int i = 0; i < guests.length; i++)
            {
                guests[i] = new TestGuest(i);
                guests[i].attachToSwitch(engine.proxy());
                guests[i].setUpTx(256);
                guests[i].setUpRx(256);
            }
            for (int i = 0; i < guests.length; i++)
            {
                unicast[i] = guests[i].frameTo(guests[(i + 1) % guests.length].mac, 300, i);
                broadcast[i] = guests[i].frameTo(new byte[]{-1, -1, -1, -1, -1, -1}, 60, i);
            }
            if (null != captureDirectory)
            {
                engine.proxy().startCapture(guests[1].port, captureDirectory.resolve("g1.pcapng"), 4 << 20, 2);
            }
            for (int i = 0; i < 20_000; i++)
            {
                cycle(engine, clock, guests, unicast, broadcast);
            }
            final long rxBefore = guests[1].port.counters().get(PortCounter.RX_FRAMES);
            final long[] allocatedPerWindow = allocatedPerWindowUntilNone(() ->
            {
                for (int i = 0; i < 2_000; i++)
                {
                    cycle(engine, clock, guests, unicast, broadcast);
                }
            });
            final long allocated = allocatedPerWindow[allocatedPerWindow.length - 1];

            assertEquals(0, allocated, "bytes allocated per window of 2000 cycles: " +
                java.util.Arrays.toString(allocatedPerWindow) +
                " (a one-off, e.g. objects re-materialised by a JIT deoptimisation, is tolerated; steady state is " +
                "not)");
            assertTrue(guests[1].port.counters().get(PortCounter.RX_FRAMES) - rxBefore >= 2_000,
                "frames flowed during the measurement");
            assertTrue(engine.agent(0).counters().crossShardFrames().get() > 0);
            if (null != captureDirectory)
            {
                final CaptureSummary summary = engine.proxy().stopCapture(guests[1].port);
                assertNull(summary.failure());
                assertTrue(summary.framesCaptured() > 4_000 && summary.filesRotated() > 0,
                    "captured both directions and rotated its file: " + summary);
            }
        }
    }

    /**
     * Run windows of work on this thread until one allocates nothing, at most five (a one-off, e.g. objects
     * re-materialised by a JIT deoptimisation, is tolerated; steady state is not).
     *
     * @param window one window's work.
     * @return the bytes each window run allocated; the last is 0 unless every window allocated.
     */
    private static long[] allocatedPerWindowUntilNone(final Runnable window)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        final long[] allocatedPerWindow = new long[5];
        int windows = 0;
        long allocated = -1;
        while (0 != allocated && windows < allocatedPerWindow.length)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            window.run();
            allocated = threads.getThreadAllocatedBytes(threadId) - before;
            allocatedPerWindow[windows++] = allocated;
        }
        return java.util.Arrays.copyOf(allocatedPerWindow, windows);
    }

    private static void cycle(
        final SidecoreEngine engine,
        final CachedNanoClock clock,
        final TestGuest[] guests,
        final byte[][] unicast,
        final byte[][] broadcast)
    {
        for (int g = 0; g < guests.length; g++)
        {
            final TestGuest guest = guests[g];
            if (guest.txFree() > 2)
            {
                guest.queue(unicast[g]);
                guest.queue(broadcast[g]);
                guest.ringTx();
            }
        }
        clock.update(clock.nanoTime() + 1_000);
        engine.doWork();
        engine.doWork();
        for (int g = 0; g < guests.length; g++)
        {
            guests[g].drainRx();
        }
    }
}
