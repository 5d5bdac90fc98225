package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.port.Port;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adding or removing a switch port with several sidecores is one change from the caller's view: the port is served by
 * its sidecore and known to every other sidecore's part of the switch, or neither. A sidecore is "stalled" by not
 * calling its {@code doWork()}: its {@code RemoteSwitchPort} command is cancelled by the timeout, and what the other
 * sidecore did must be undone. The agents are not started; the test thread drives them.
 */
class MultiSidecorePortTest
{
    private static final long COMMAND_TIMEOUT_NS = 100_000_000L;
    private static final long DRIVE_LIMIT_MS = 30_000;
    private static final int OWNER = 0;
    private static final int STALLED = 1;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 2)
        .threadingMode(ThreadingMode.DEDICATED)
        .commandTimeoutNs(COMMAND_TIMEOUT_NS));

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldUndoTheAddOnItsSidecoreWhenAnotherSidecoreDidNotTakeThePortInTime()
    {
        final TestGuest guest = new TestGuest(1);
        final long mac = L2Switch.macToLong(guest.config.macAddress());

        final IllegalStateException timedOut = failedWhileDriving(() -> engine.proxy().addPort(guest.config,
            guest.registers, guest.guestMemory, InterruptLine.NONE, OWNER, null), OWNER);
        drive(8, OWNER, STALLED);

        assertTrue(timedOut.getMessage().contains("RemoteSwitchPort"), timedOut.getMessage());
        assertEquals(List.of(), engine.proxy().ports(), "not listed");
        assertEquals(0, engine.proxy().portCount(OWNER));
        assertEquals(0, engine.agent(OWNER).l2Switch().localPortCount(), "not served by its sidecore");
        assertFalse(engine.agent(OWNER).l2Switch().macTable().contains(mac), "not on the owner's switch");
        assertFalse(engine.agent(STALLED).l2Switch().macTable().contains(mac), "nor on the other's");

        final Port port = driven(() -> engine.proxy().addPort(guest.config, guest.registers, guest.guestMemory,
            InterruptLine.NONE, OWNER, null), OWNER, STALLED);
        assertEquals(List.of(port), engine.proxy().ports(), "the id and the switch slot were given back");
        assertTrue(engine.agent(OWNER).owns(port));
        assertTrue(engine.agent(STALLED).l2Switch().macTable().contains(mac), "a retry reaches both sidecores");
    }

    @Test
    void shouldKeepThePortOnEverySidecoreWhenAnotherSidecoreDidNotLetItGoInTime()
    {
        final TestGuest guest = new TestGuest(1);
        final long mac = L2Switch.macToLong(guest.config.macAddress());
        final Port port = driven(() -> engine.proxy().addPort(guest.config, guest.registers, guest.guestMemory,
            InterruptLine.NONE, OWNER, null), OWNER, STALLED);

        final IllegalStateException timedOut = failedWhileDriving(() ->
        {
            engine.proxy().removePort(port);
            return null;
        }, OWNER);
        drive(8, OWNER, STALLED);

        assertTrue(timedOut.getMessage().contains("RemoteSwitchPort"), timedOut.getMessage());
        assertEquals(List.of(port), engine.proxy().ports(), "still listed");
        assertEquals(1, engine.proxy().portCount(OWNER));
        assertTrue(engine.agent(OWNER).owns(port), "still served by its sidecore");
        assertTrue(engine.agent(OWNER).l2Switch().isLocal(engine.proxy().switchSlot(port)), "still on its switch");
        assertTrue(engine.agent(STALLED).l2Switch().macTable().contains(mac), "and on the other's");

        driven(() ->
        {
            engine.proxy().removePort(port);
            return null;
        }, OWNER, STALLED);
        assertEquals(List.of(), engine.proxy().ports());
        assertFalse(engine.agent(OWNER).owns(port), "a retried removal removes it");
        assertFalse(engine.agent(STALLED).l2Switch().macTable().contains(mac), "from both sidecores");
    }

    private IllegalStateException failedWhileDriving(final Supplier<?> call, final int... sidecores)
    {
        try
        {
            driven(call, sidecores);
        }
        catch (final IllegalStateException ex)
        {
            return ex;
        }
        throw new AssertionError("the call did not fail");
    }

    /**
     * Make a control call on another thread while this thread is the given sidecores (and not the others).
     */
    private <T> T driven(final Supplier<T> call, final int... sidecores)
    {
        final CompletableFuture<T> result = CompletableFuture.supplyAsync(call);
        final long deadlineMs = System.currentTimeMillis() + DRIVE_LIMIT_MS;
        while (!result.isDone())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError("the control call did not return within " + DRIVE_LIMIT_MS + " ms");
            }
            drive(1, sidecores);
        }
        try
        {
            return result.get();
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof IllegalStateException failure)
            {
                throw failure;
            }
            throw new AssertionError("the control call failed: " + ex.getCause(), ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private void drive(final int cycles, final int... sidecores)
    {
        for (int i = 0; i < cycles; i++)
        {
            clock.advance(1_000);
            for (final int sidecore : sidecores)
            {
                engine.agent(sidecore).doWork();
            }
        }
    }
}
