package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.mem.GuestMemoryRegion;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.CommandOutcomeUnknownException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A control call that gives up waiting ({@code commandTimeoutNs}) must leave nothing behind that runs later: a
 * command the sidecore had not started is cancelled (the sidecore skips it, the caller may free what it brought), one
 * it had started is waited for (the sidecore finishes a command in bounded time). The sidecore is "stalled" by not
 * calling its {@code doWork()} until the call has timed out; the agents are not started and the test thread drives
 * them.
 */
class TimedOutCommandTest
{
    private static final long COMMAND_TIMEOUT_NS = 100_000_000L;
    private static final long DRIVE_LIMIT_MS = 30_000;
    private static final long REGION_GPA = 0x10_0000L;
    private static final long REGION_BYTES = 64 * 1024;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final Arena arena = Arena.ofShared();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 1)
        .threadingMode(ThreadingMode.DEDICATED)
        .commandTimeoutNs(COMMAND_TIMEOUT_NS));

    @AfterEach
    void tearDown()
    {
        engine.close();
        arena.close();
    }

    @Test
    void shouldNotAdoptTheGuestOfABindGuestThatTimedOutBeforeTheSidecoreRanIt()
    {
        final StallingBackend backend = new StallingBackend();
        final Port port = unboundPort(backend);
        final RegisterImage before = port.registers();
        final TestGuest guest = new TestGuest(1);

        final IllegalStateException timedOut = assertThrows(IllegalStateException.class,
            () -> engine.proxy().bindGuest(port, guest.registers, guest.guestMemory, InterruptLine.NONE));
        pump(8);

        assertSame(before, port.registers(), "the cancelled binding was never adopted");
        assertNotSame(guest.registers, port.registers());
        assertTrue(timedOut.getMessage().contains("cancelled"), timedOut.getMessage());
        driven(() ->
        {
            engine.proxy().bindGuest(port, guest.registers, guest.guestMemory, InterruptLine.NONE);
            return null;
        });
        assertSame(guest.registers, port.registers(), "the port still takes a guest");
    }

    @Test
    void shouldWaitForABindGuestTheSidecoreIsRunningWhenItsWaiterTimesOut()
    {
        final StallingBackend backend = new StallingBackend();
        final Port port = unboundPort(backend);
        final TestGuest guest = new TestGuest(1);
        // Asked while the port adopts the guest (its registers are swapped in first): inside the command.
        backend.stallOnce(() -> guest.registers == port.registers());

        driven(() ->
        {
            engine.proxy().bindGuest(port, guest.registers, guest.guestMemory, InterruptLine.NONE);
            return null;
        });

        assertTrue(backend.stalled, "the sidecore was still running the command when the waiter's time was up");
        assertSame(guest.registers, port.registers(), "the caller was told the guest is bound, and it is");
    }

    @Test
    void shouldAnswerOutcomeUnknownWhenTheSidecoreNeverFinishesARunningBindGuest() throws Exception
    {
        final StallingBackend backend = new StallingBackend();
        final Port port = unboundPort(backend);
        final TestGuest guest = new TestGuest(1);
        final CountDownLatch release = new CountDownLatch(1);
        // Wedged inside the command (the port adopts the guest's registers first) until the test lets it go.
        backend.wedgeOnce(() -> guest.registers == port.registers(), release);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread sidecore = new Thread(() ->
        {
            while (!stop.get())
            {
                clock.advance(1_000);
                engine.doWork();
            }
        }, "wedged-sidecore");
        sidecore.start();
        try
        {
            final CompletableFuture<Void> call = CompletableFuture.runAsync(
                () -> engine.proxy().bindGuest(port, guest.registers, guest.guestMemory, InterruptLine.NONE));

            final ExecutionException failed = assertThrows(ExecutionException.class,
                () -> call.get(DRIVE_LIMIT_MS, TimeUnit.MILLISECONDS), "the waiter answers, it does not hang");

            final Throwable unknown = failed.getCause();
            assertTrue(unknown instanceof IllegalStateException, String.valueOf(unknown));
            assertTrue(unknown.getMessage().contains("outcome unknown"), unknown.getMessage());
            assertTrue(unknown.getMessage().contains("BindGuest"), unknown.getMessage());
            assertSame(guest.registers, port.registers(),
                "the port uses the guest the caller was told nothing certain about: freeing it would be wrong");
        }
        finally
        {
            release.countDown();
            stop.set(true);
            sidecore.join(DRIVE_LIMIT_MS);
        }
        assertFalse(sidecore.isAlive());
    }

    /**
     * An Error on the sidecore thread inside a command (here: the port's backend fails to close as RemovePort frees
     * it) may have left the command half done, unlike a refusal: the caller is told the outcome is unknown, so it
     * keeps what it gave instead of freeing it (review finding on the outcome-unknown change).
     */
    @Test
    void shouldAnswerOutcomeUnknownWhenAnErrorCutsACommandShort() throws Exception
    {
        final StallingBackend backend = new StallingBackend();
        final Port port = unboundPort(backend);
        backend.errorOnClose = true;
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread sidecore = new Thread(() ->
        {
            while (!stop.get())
            {
                clock.advance(1_000);
                try
                {
                    engine.doWork();
                }
                catch (final InternalError expected)
                {
                    // As the agent runner does: the error is logged and the sidecore goes on.
                }
            }
        }, "sidecore");
        sidecore.start();
        try
        {
            final CompletableFuture<Void> call = CompletableFuture.runAsync(() -> engine.proxy().removePort(port));

            final ExecutionException failed = assertThrows(ExecutionException.class,
                () -> call.get(DRIVE_LIMIT_MS, TimeUnit.MILLISECONDS));

            assertTrue(failed.getCause() instanceof CommandOutcomeUnknownException, String.valueOf(failed.getCause()));
            assertTrue(failed.getCause().getMessage().contains("outcome unknown"), failed.getCause().getMessage());
        }
        finally
        {
            stop.set(true);
            sidecore.join(DRIVE_LIMIT_MS);
        }
        assertFalse(sidecore.isAlive());
    }

    @Test
    void shouldNotAddTheRegionOfAMapGuestMemoryThatTimedOutBeforeTheSidecoreRanIt()
    {
        final Port port = unboundPort(new StallingBackend());
        final GuestMemory guestMemory = bindEmptyGuest(port);
        final GuestMemoryRegion region = region();

        final IllegalStateException timedOut = assertThrows(IllegalStateException.class,
            () -> engine.proxy().mapGuestMemory(port, guestMemory, region));
        pump(8);

        assertEquals(0, guestMemory.regionCount(), "the cancelled map never reached the guest memory");
        assertFalse(region.isAttached());
        assertTrue(timedOut.getMessage().contains("cancelled"), timedOut.getMessage());
        region.close();
        assertTrue(region.isClosed(), "the caller frees the region it still owns");
    }

    @Test
    void shouldKeepTheRegionOfAnUnmapGuestMemoryThatTimedOutBeforeTheSidecoreRanIt()
    {
        final Port port = unboundPort(new StallingBackend());
        final GuestMemory guestMemory = bindEmptyGuest(port);
        final GuestMemoryRegion region = region();
        driven(() ->
        {
            engine.proxy().mapGuestMemory(port, guestMemory, region);
            return null;
        });

        final IllegalStateException timedOut = assertThrows(IllegalStateException.class,
            () -> engine.proxy().unmapGuestMemory(port, guestMemory, REGION_GPA, REGION_BYTES));
        pump(8);

        assertEquals(1, guestMemory.regionCount(), "the region stays mapped, not taken out for nobody to close");
        assertTrue(region.isAttached());
        assertTrue(timedOut.getMessage().contains("cancelled"), timedOut.getMessage());
        final GuestMemoryRegion removed = driven(
            () -> engine.proxy().unmapGuestMemory(port, guestMemory, REGION_GPA, REGION_BYTES));
        assertSame(region, removed, "a retried unmap takes it out, for the caller to close");
        removed.close();
        assertTrue(removed.isClosed());
    }

    @Test
    void shouldKeepListingAPortWhoseRemovalTimedOutBeforeTheSidecoreRanIt()
    {
        final Port port = unboundPort(new StallingBackend());

        final IllegalStateException timedOut =
            assertThrows(IllegalStateException.class, () -> engine.proxy().removePort(port));
        pump(8);

        assertTrue(engine.agent(0).owns(port), "the cancelled removal left the port on its sidecore");
        assertEquals(List.of(port), engine.proxy().ports(), "and in the proxy's list");
        assertTrue(timedOut.getMessage().contains("cancelled"), timedOut.getMessage());
        driven(() ->
        {
            engine.proxy().removePort(port);
            return null;
        });
        assertFalse(engine.agent(0).owns(port), "a retried removal removes it");
        assertEquals(List.of(), engine.proxy().ports());
    }

    private Port unboundPort(final PortBackend backend)
    {
        final TestGuest identity = new TestGuest(1);
        return driven(() -> engine.proxy().addPort(identity.config, RegisterImage.allocate(), new GuestMemory(),
            InterruptLine.NONE, counters -> backend));
    }

    private GuestMemory bindEmptyGuest(final Port port)
    {
        final GuestMemory guestMemory = new GuestMemory();
        driven(() ->
        {
            engine.proxy().bindGuest(port, RegisterImage.allocate(), guestMemory, InterruptLine.NONE);
            return null;
        });
        return guestMemory;
    }

    private GuestMemoryRegion region()
    {
        return GuestMemoryRegion.ofSegment(REGION_GPA, arena.allocate(REGION_BYTES, 4096),
            GuestMemoryRegion.READ_WRITE);
    }

    /**
     * Make a control call on another thread while this thread is the sidecore.
     */
    private <T> T driven(final Supplier<T> call)
    {
        final CompletableFuture<T> result = CompletableFuture.supplyAsync(call);
        final long deadlineMs = System.currentTimeMillis() + DRIVE_LIMIT_MS;
        while (!result.isDone())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError("the control call did not return within " + DRIVE_LIMIT_MS + " ms");
            }
            clock.advance(1_000);
            engine.doWork();
        }
        try
        {
            return result.get(DRIVE_LIMIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new AssertionError("the control call failed: " + ex.getCause(), ex.getCause());
        }
        catch (final InterruptedException | TimeoutException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private void pump(final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            clock.advance(1_000);
            engine.doWork();
        }
    }

    /**
     * A backend with no traffic whose carrier query, asked every pass and when a guest is adopted, can hold the
     * sidecore longer than the command timeout once, when a condition holds: a command that is running when its
     * waiter's time is up.
     */
    private static final class StallingBackend implements PortBackend
    {
        private final AtomicBoolean armed = new AtomicBoolean();
        private volatile BooleanSupplier stallWhen = () -> false;
        private volatile boolean stalled;

        private volatile CountDownLatch wedgedUntil;
        volatile boolean errorOnClose;

        void stallOnce(final BooleanSupplier condition)
        {
            stallWhen = condition;
            armed.set(true);
        }

        /**
         * Hold the sidecore, once the condition holds, until the latch opens (not for a bounded time).
         */
        void wedgeOnce(final BooleanSupplier condition, final CountDownLatch until)
        {
            wedgedUntil = until;
            stallOnce(condition);
        }

        public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
        {
            return 0;
        }

        public boolean hasCarrier(final long nowNs)
        {
            if (armed.get() && stallWhen.getAsBoolean() && armed.compareAndSet(true, false))
            {
                final CountDownLatch until = wedgedUntil;
                if (null != until)
                {
                    awaitQuietly(until);
                    stalled = true;
                    return true;
                }
                final long untilNs = System.nanoTime() + 3 * COMMAND_TIMEOUT_NS;
                while (System.nanoTime() - untilNs < 0)
                {
                    Thread.onSpinWait();
                }
                stalled = true;
            }
            return true;
        }

        private static void awaitQuietly(final CountDownLatch until)
        {
            try
            {
                if (!until.await(DRIVE_LIMIT_MS, TimeUnit.MILLISECONDS))
                {
                    throw new AssertionError("the wedged sidecore was never released");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            return DELIVERED;
        }

        public void close()
        {
            if (errorOnClose)
            {
                throw new InternalError("injected: the backend fails as the port is removed");
            }
        }

        public String typeName()
        {
            return "stalling";
        }
    }
}
