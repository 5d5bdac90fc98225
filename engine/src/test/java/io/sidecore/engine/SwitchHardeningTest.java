package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in switch against a hostile guest (issue 10 §0 hole 3): it cannot fill the MAC table so that ports
 * created afterwards go unpinned and their unicast is flooded to it, nor send from another port's address.
 */
class SwitchHardeningTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;
    private SwitchPump pump;

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldKeepNewPortPinnedAndItsUnicastFromAttackerWhenAttackerFloodsSourceAddresses()
    {
        start(64);
        final TestGuest attacker = pump.ready(new TestGuest(1));
        final TestGuest sender = pump.ready(new TestGuest(2));
        promiscuous(attacker);
        for (int batch = 0; batch < 10; batch++)
        {
            for (int i = 0; i < 7; i++)
            {
                final byte[] frame = attacker.frameTo(sender.mac, 60, i);
                frame[6] = 0x06;
                frame[10] = (byte)batch;
                frame[11] = (byte)i;
                attacker.queue(frame);
            }
            attacker.ringTx();
            pump.pump();
            sender.drainRx();
        }
        final long attackerFramesBefore = attacker.port.counters().get(PortCounter.RX_FRAMES);

        final TestGuest late = pump.ready(new TestGuest(3));
        pump.sendAndPump(sender, late, 1);

        assertTrue(engine.agent(0).l2Switch().macTable().contains(L2Switch.macToLong(late.mac)),
            "the new port's address is pinned");
        assertEquals(attackerFramesBefore, attacker.port.counters().get(PortCounter.RX_FRAMES),
            "unicast for the new port is not flooded to the attacker");
        assertEquals(1, late.drainRx());
    }

    @Test
    void shouldDropAndCountFrameWhoseSourceIsAnotherPortsAddress()
    {
        start(1024);
        final TestGuest attacker = pump.ready(new TestGuest(1));
        final TestGuest victim = pump.ready(new TestGuest(2));
        final TestGuest bystander = pump.ready(new TestGuest(3));
        final byte[] spoofed = attacker.frameTo(bystander.mac, 60, 1);
        System.arraycopy(victim.mac, 0, spoofed, 6, 6);

        attacker.send(spoofed);
        pump.pump();

        assertEquals(0, bystander.drainRx(), "a frame claiming the victim's address goes nowhere");
        assertEquals(1, attacker.port.counters().totalDrops(), "and is counted on the port that sent it");
    }

    private void start(final int macTableCapacity)
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1).macTableCapacity(macTableCapacity)
            .maxSwitchPorts(8));
        pump = new SwitchPump(engine, clock);
    }

    private void promiscuous(final TestGuest guest)
    {
        engine.proxy().mmioWrite(guest.port, E1000Registers.RCTL, E1000Registers.RCTL_EN | E1000Registers.RCTL_BAM |
            E1000Registers.RCTL_UPE | E1000Registers.RCTL_MPE);
    }
}
