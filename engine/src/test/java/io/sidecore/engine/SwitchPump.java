package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Test support: guests on an invoker-mode engine's switch, one frame at a time, with the manual clock stepping a
 * microsecond per duty cycle.
 *
 * @param engine the engine (invoker mode).
 * @param clock  its manual clock.
 */
record SwitchPump(SidecoreEngine engine, CachedNanoClock clock)
{
    /** Clock step per duty cycle. */
    static final long STEP_NS = 1_000L;

    /**
     * Attach a guest to the switch with small TX and RX rings.
     *
     * @param guest the guest.
     * @return it.
     */
    TestGuest ready(final TestGuest guest)
    {
        guest.attachToSwitch(engine.proxy());
        guest.setUpTx(8);
        guest.setUpRx(8);
        return guest;
    }

    /**
     * Send one 80-byte frame from one guest to another and run the engine until it arrived.
     *
     * @param from sender.
     * @param to   receiver.
     * @param seed payload pattern.
     */
    void sendAndPump(final TestGuest from, final TestGuest to, final int seed)
    {
        assertEquals(1, from.send(from.frameTo(to.mac, 80, seed)));
        pump();
        assertEquals(0, from.port.counters().get(PortCounter.TX_DROP_NO_DESTINATION));
    }

    /**
     * Four duty cycles, a step apart.
     */
    void pump()
    {
        for (int i = 0; i < 4; i++)
        {
            engine.doWork();
            clock.advance(STEP_NS);
        }
    }
}
