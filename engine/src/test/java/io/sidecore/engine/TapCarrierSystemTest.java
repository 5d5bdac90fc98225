package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.NetNamespace;
import io.sidecore.engine.backend.TapBackend;
import io.sidecore.engine.backend.TapOpener;
import io.sidecore.shm.E1000Registers;
import io.sidecore.tools.guest.GuestDriverConfig;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System test (root, a network namespace this test creates and deletes, real kernel): a port whose backend is a
 * TAP, and the guest driver model on it through {@code doWork()}. The port's link follows the TAP's carrier: down
 * while the TAP is down or has no carrier, up (after autonegotiation) when it has; each change reaches the guest as
 * LSC with the right STATUS.LU, and its watchdog reports it.
 */
@Tag("system")
class TapCarrierSystemTest
{
    private static final long STEP_NS = 1_000_000L;
    private static final String UP = "NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX, LU=1";
    private static final String DOWN = "NIC Link is Down, LU=0";

    private final CachedNanoClock clock = new CachedNanoClock();
    private NetNamespace namespace;
    private String tapName;
    private SidecoreEngine engine;
    private ModelGuest guest;

    @BeforeEach
    void createPortOnATapThatIsDown() throws Exception
    {
        namespace = NetNamespace.create();
        tapName = "sclink" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xFFFFF));
        clock.update(TestContexts.START_NS);
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        guest = new ModelGuest(engine, clock, 1, false, new GuestDriverConfig(), counters ->
        {
            try
            {
                return namespace.callInside(() -> TapOpener.open(tapName, counters));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException("TAP " + tapName + " could not be opened: " + ex, ex);
            }
        });
    }

    @AfterEach
    void removeEverything() throws Exception
    {
        try
        {
            engine.close();
        }
        finally
        {
            namespace.close();
        }
    }

    private void run(final long durationNs)
    {
        guest.run(durationNs, STEP_NS);
    }

    private void ip(final String... args)
    {
        try
        {
            namespace.ip(args);
        }
        catch (final java.io.IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Run the guest and the engine until the guest's watchdog has reported {@code expected}, for up to 10 s of real
     * time: the kernel shows a carrier change in the TAP's IFF_RUNNING only when its link watch runs (up to a second
     * later), while the injected clock runs ahead of real time.
     */
    private void runUntilLinkEvents(final List<String> expected)
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (!expected.equals(guest.linkEvents) && System.nanoTime() - deadlineNs < 0)
        {
            run(TapBackend.CARRIER_CHECK_INTERVAL_NS);
        }
        assertEquals(expected, guest.linkEvents);
    }

    private boolean statusLu()
    {
        return 0 != (engine.proxy().mmioRead(guest.port, E1000Registers.STATUS) & E1000Registers.STATUS_LU);
    }

    @Test
    void shouldKeepTheLinkDownUntilTheTapIsUpThenBringItUp()
    {
        assertEquals("tap", guest.port.backend().typeName());
        guest.model.probe();
        guest.model.open();
        assertFalse(guest.model.waitForLink(1_000_000_000L, STEP_NS), "the TAP is down: no link");
        assertFalse(statusLu());

        ip("link", "set", tapName, "up");
        assertTrue(guest.model.waitForLink(2_000_000_000L, STEP_NS), "the TAP is up: link after autonegotiation");
        assertTrue(statusLu());
    }

    @Test
    void shouldReportLinkDownAndUpWhenTheTapCarrierGoesAndComes()
    {
        ip("link", "set", tapName, "up");
        guest.bringUp();
        assertEquals(List.of(UP), guest.linkEvents);
        assertTrue(((TapBackend)guest.port.backend()).hasCarrier(clock.nanoTime()));

        ip("link", "set", tapName, "carrier", "off");
        runUntilLinkEvents(List.of(UP, DOWN));
        assertTrue(0 != (guest.model.lastIcr() & E1000Registers.ICR_LSC));

        ip("link", "set", tapName, "carrier", "on");
        runUntilLinkEvents(List.of(UP, DOWN, UP));

        ip("link", "set", tapName, "down");
        runUntilLinkEvents(List.of(UP, DOWN, UP, DOWN));
        ip("link", "set", tapName, "up");
        runUntilLinkEvents(List.of(UP, DOWN, UP, DOWN, UP));
        assertTrue(statusLu());
    }
}
