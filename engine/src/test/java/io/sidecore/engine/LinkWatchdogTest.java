package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.tools.guest.GuestDriverConfig;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guest driver model's link watchdog (Linux {@code e1000_watchdog}, run on LSC) against the engine through
 * {@code doWork()}: every link change the operator, the PHY or the guest makes reaches the guest as LSC with the
 * right STATUS.LU, and the watchdog prints Linux's "NIC Link is Down" / "NIC Link is Up ..." sequence.
 */
class LinkWatchdogTest
{
    private static final long STEP_NS = 1_000_000L;
    private static final String UP_1000 = "NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX, LU=1";
    private static final String DOWN = "NIC Link is Down, LU=0";

    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;
    private ModelGuest guest;

    @BeforeEach
    void bringUp()
    {
        clock.update(TestContexts.START_NS);
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        guest = new ModelGuest(engine, clock, 1, false, new GuestDriverConfig());
        guest.bringUp();
        assertEquals(List.of(UP_1000), guest.linkEvents, "the link came up once at open");
        guest.linkEvents.clear();
    }

    @AfterEach
    void close()
    {
        engine.close();
    }

    /** Run the engine and the guest for a while of engine time. */
    private void run(final long durationNs)
    {
        guest.run(durationNs, STEP_NS);
    }

    @Test
    void shouldReportLinkDownThenUpWhenTheOperatorPullsAndPlugsTheCable()
    {
        engine.proxy().setLink(guest.port, false);
        run(10 * STEP_NS);
        assertEquals(List.of(DOWN), guest.linkEvents);
        assertFalse(guest.model.isLinkUp());
        assertTrue(0 != (guest.model.lastIcr() & E1000Registers.ICR_LSC), "the interrupt was LSC");

        engine.proxy().setLink(guest.port, true);
        run(1_000 * STEP_NS);

        assertEquals(List.of(DOWN, UP_1000), guest.linkEvents);
        assertTrue(guest.model.isLinkUp());
    }

    @Test
    void shouldReportLinkDownThenUpWhenTheGuestRestartsAutonegotiation()
    {
        guest.model.restartAutonegotiation();
        run(10 * STEP_NS);
        assertEquals(List.of(DOWN), guest.linkEvents);

        run(1_000 * STEP_NS);
        assertEquals(List.of(DOWN, UP_1000), guest.linkEvents);
    }

    @Test
    void shouldReportTheForcedSpeedAndDuplexWhenTheGuestForcesThem()
    {
        guest.model.setLinkSettings(100, true);
        run(100 * STEP_NS);
        assertEquals(List.of("NIC Link is Up 100 Mbps Full Duplex, Flow Control: None, LU=1"), guest.linkEvents);
        assertEquals(100, guest.model.linkSpeedMbps());

        guest.model.setLinkSettings(10, false);
        run(100 * STEP_NS);
        assertEquals("NIC Link is Up 10 Mbps Half Duplex, Flow Control: None, LU=1", guest.linkEvents.get(1));

        guest.model.setLinkSettings(0, true);
        run(1_000 * STEP_NS);
        assertEquals(UP_1000, guest.linkEvents.get(guest.linkEvents.size() - 1));
    }

    @Test
    void shouldDropAndCountWhatTheGuestSendsWhileTheLinkIsDown()
    {
        engine.proxy().setLink(guest.port, false);
        run(10 * STEP_NS);
        final long before = guest.port.counters().get(PortCounter.TX_DROP_LINK_DOWN);

        assertTrue(guest.send(guest.frameTo(TestGuest.macOf(2), 100, 1)));
        run(10 * STEP_NS);

        assertEquals(1, guest.port.counters().get(PortCounter.TX_DROP_LINK_DOWN) - before);
    }
}
