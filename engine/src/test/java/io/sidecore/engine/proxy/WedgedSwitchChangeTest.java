package io.sidecore.engine.proxy;

import io.sidecore.engine.TestContexts;
import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.shm.PortRegionDescriptor;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A switch port added to or removed from several sidecores, when one sidecore never finishes its step (wedged inside
 * the command: the caller's answer is "outcome unknown"). Each sidecore runs on its own thread, as in the daemon; the
 * wedge ({@link CommandWedge}) holds its sidecore's thread after the command ran, until the test lets it go.
 */
class WedgedSwitchChangeTest
{
    private static final long COMMAND_TIMEOUT_NS = 250_000_000L;
    private static final long WAIT_LIMIT_MS = 30_000;
    private static final long POLL_NS = 1_000_000;
    private static final int OWNER = 0;
    private static final int OTHER = 1;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(clock, 2)
        .threadingMode(ThreadingMode.DEDICATED)
        .commandTimeoutNs(COMMAND_TIMEOUT_NS));
    private final EngineProxy proxy = engine.proxy();
    private final SidecoreThreads sidecores = new SidecoreThreads(engine);

    @AfterEach
    void tearDown() throws InterruptedException
    {
        sidecores.close();
    }

    /**
     * Review finding (a): an announcement whose outcome is unknown may have reached the wedged sidecore, so its switch
     * slot may be held there: the add answers that the slot is quarantined (not a refusal that changed nothing; not
     * outcome unknown either: the port was taken back and what it used freed, F6) and the slot is not handed to
     * another port while that sidecore may hold it (its add would fail "slot already in use" there).
     */
    @Test
    void shouldQuarantineTheSlotOfAnAddWhoseAnnouncementHasAnUnknownOutcome()
    {
        sidecores.wedgeNext(OTHER, Commands.RemoteSwitchPort.class);
        sidecores.startAll();
        final PortConfig first = config(1);

        final RuntimeException failed = failure(() -> proxy.addPort(first, RegisterImage.allocate(),
            new GuestMemory(), InterruptLine.NONE, OWNER, null));

        assertEquals(0, assertInstanceOf(SwitchSlotQuarantinedException.class, failed,
            "not a refusal that changed nothing").switchSlot());
        assertTrue(failed.getMessage().contains("RemoteSwitchPort"), failed.getMessage());
        assertTrue(failed.getMessage().contains("quarantined"), failed.getMessage());
        assertEquals(List.of(), proxy.ports(), "not listed");
        assertEquals(0, proxy.portCount(OWNER));
        assertEquals(1, proxy.quarantinedSwitchSlots(), "the slot the wedged sidecore may hold");
        final Port local = await(() -> proxy.addPort(config(2), RegisterImage.allocate(), new GuestMemory(),
            InterruptLine.NONE, OWNER, counters -> new NullBackend()));
        assertEquals(List.of(local), proxy.ports(), "a port off the switch is served meanwhile");
        assertEquals(1, proxy.quarantinedSwitchSlots(), "still held: the wedged sidecore has not run since");
    }

    /**
     * Robustness finding: a quarantined switch slot was never handed out again. Once the wedged sidecore goes on, it
     * takes the slot's leaving (offered again, in order behind the announcement it was wedged in), the proxy learns
     * it without waiting for it, and the slot goes to the next switch port, which that sidecore takes.
     */
    @Test
    void shouldHandAQuarantinedSlotOutAgainOnceTheWedgedSidecoreTookItsLeaving()
    {
        final CommandWedge wedge = sidecores.wedgeNext(OTHER, Commands.RemoteSwitchPort.class);
        sidecores.startAll();
        final PortConfig first = config(1);
        final RuntimeException failed = failure(() -> proxy.addPort(first, RegisterImage.allocate(),
            new GuestMemory(), InterruptLine.NONE, OWNER, null));
        assertEquals(0, assertInstanceOf(SwitchSlotQuarantinedException.class, failed).switchSlot());
        assertEquals(1, proxy.quarantinedSwitchSlots());

        wedge.release();
        final long deadlineMs = System.currentTimeMillis() + WAIT_LIMIT_MS;
        while (0 != proxy.quarantinedSwitchSlots())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new AssertionError("slot 0 still quarantined " + WAIT_LIMIT_MS + " ms after the wedged " +
                    "sidecore went on");
            }
            LockSupport.parkNanos(POLL_NS);
        }

        assertFalse(agent(OTHER).l2Switch().macTable().contains(L2Switch.macToLong(first.macAddress())),
            "the wedged sidecore took the first port's leaving");
        final PortConfig second = config(2);
        final Port port = await(() -> proxy.addPort(second, RegisterImage.allocate(), new GuestMemory(),
            InterruptLine.NONE, OWNER, null));
        assertEquals(0, proxy.switchSlot(port), "the reclaimed slot is handed out again");
        assertTrue(agent(OTHER).l2Switch().macTable().contains(L2Switch.macToLong(second.macAddress())),
            "the once-wedged sidecore took the port in that slot");
    }

    /**
     * Review finding (b): a removal whose own sidecore ran it but never finished answers outcome unknown; the port
     * stays listed. A retried removal finds the port no longer served by its sidecore: that is the removal done, so
     * the retry tells the other sidecores, frees the port's id and switch slot, and the same port can be added again.
     */
    @Test
    void shouldFinishARemovalWhoseOutcomeWasUnknownWhenItsRetryFindsThePortGone()
    {
        sidecores.startAll();
        final PortConfig config = config(1);
        final long mac = L2Switch.macToLong(config.macAddress());
        final Port port = await(() -> proxy.addPort(config, RegisterImage.allocate(), new GuestMemory(),
            InterruptLine.NONE, OWNER, null));
        final int slot = proxy.switchSlot(port);
        final CommandWedge wedge = sidecores.wedgeNext(OWNER, Commands.RemovePort.class);

        final RuntimeException failed = failure(() ->
        {
            proxy.removePort(port);
            return null;
        });
        assertInstanceOf(CommandOutcomeUnknownException.class, failed);
        assertTrue(failed.getMessage().contains("RemovePort"), failed.getMessage());
        assertEquals(List.of(port), proxy.ports(), "kept listed: its outcome is unknown");
        wedge.release();
        assertFalse(agent(OWNER).owns(port), "the removal ran");

        await(() ->
        {
            proxy.removePort(port);
            return null;
        });
        assertEquals(List.of(), proxy.ports(), "the retry finished the removal");
        assertEquals(0, proxy.portCount(OWNER));
        assertFalse(agent(OTHER).l2Switch().macTable().contains(mac), "the other sidecore forgot the port");
        assertEquals(0, proxy.quarantinedSwitchSlots());

        final Port again = await(() -> proxy.addPort(config, RegisterImage.allocate(), new GuestMemory(),
            InterruptLine.NONE, OWNER, null));
        assertEquals(slot, proxy.switchSlot(again), "its switch slot was given back");
        assertTrue(agent(OWNER).owns(again), "the same id and MAC are served again");
        assertTrue(agent(OTHER).l2Switch().macTable().contains(mac), "and known to the other sidecore");
    }

    /**
     * Review finding F1: the announcement to the other sidecore is not started in time (that sidecore does not run)
     * and the undo's RemovePort on the port's own sidecore never finishes (wedged): the port stays listed, and the
     * failure hands its handle back so the caller can finish it with removePort.
     */
    @Test
    void shouldHandBackThePortAnAddKeepsListedWhenItsUndoHasAnUnknownOutcome()
    {
        final CommandWedge wedge = sidecores.wedgeNext(OWNER, Commands.RemovePort.class);
        sidecores.start(OWNER);
        final PortConfig config = config(1);

        final RuntimeException failed = failure(() -> proxy.addPort(config, RegisterImage.allocate(),
            new GuestMemory(), InterruptLine.NONE, OWNER, null));

        final PortKeptAfterFailedAddException kept = assertInstanceOf(PortKeptAfterFailedAddException.class, failed);
        assertTrue(kept.outcomeUnknown(), kept.getMessage());
        assertInstanceOf(CommandCancelledException.class, kept.getCause(), "the announcement not started comes first");
        assertEquals(1, kept.getSuppressed().length, "the undo's failure is kept too");
        assertEquals(List.of(kept.port()), proxy.ports(), "kept listed: its sidecore may serve it");
        assertEquals(1, proxy.portCount(OWNER));
        wedge.release();
        sidecores.start(OTHER);

        await(() ->
        {
            proxy.removePort(kept.port());
            return null;
        });
        assertEquals(List.of(), proxy.ports(), "removePort finished it");
        assertEquals(0, proxy.portCount(OWNER));
        assertFalse(agent(OWNER).owns(kept.port()));
    }

    private SidecoreAgent agent(final int index)
    {
        return engine.agent(index);
    }

    private static PortConfig config(final int id)
    {
        return new PortConfig(id, "g" + id, new byte[]{0x02, 0, 0, 0, 0, (byte)id}, false,
            PortRegionDescriptor.DEFAULT_SHARED_PAGES);
    }

    private static <T> T await(final Supplier<T> call)
    {
        try
        {
            return CompletableFuture.supplyAsync(call).get(WAIT_LIMIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new AssertionError("the control call failed: " + ex.getCause(), ex.getCause());
        }
        catch (final Exception ex)
        {
            throw new AssertionError("the control call did not return within " + WAIT_LIMIT_MS + " ms", ex);
        }
    }

    private static RuntimeException failure(final Supplier<?> call)
    {
        try
        {
            CompletableFuture.supplyAsync(call).get(WAIT_LIMIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException failure)
            {
                return failure;
            }
            throw new AssertionError("the control call failed with " + ex.getCause(), ex.getCause());
        }
        catch (final Exception ex)
        {
            throw new AssertionError("the control call did not return within " + WAIT_LIMIT_MS + " ms", ex);
        }
        throw new AssertionError("the control call did not fail");
    }
}
