package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.MacTable;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.SidecoreCounter;
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
    private static final long AGING_NS = 1_000_000_000L;

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

    @Test
    void shouldAcceptNewSourceAddressesAtOnceWhenThePortsLearnedAddressesExpired()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1).macTableCapacity(1024).maxSwitchPorts(8)
            .macAgingNs(AGING_NS).macAgingSweepLimit(1));
        pump = new SwitchPump(engine, clock);
        final TestGuest bridge = pump.ready(new TestGuest(1));
        final TestGuest receiver = pump.ready(new TestGuest(2));
        engine.proxy().updatePortSettings(bridge.port, bridge.port.settings().withMaxLearnedMacs(2));
        sendFromSources(bridge, receiver, 0, 2);
        assertEquals(2, receiver.drainRx());
        final long refusedBefore = bridge.port.counters().get(PortCounter.TX_DROP_SOURCE_LIMIT);

        clock.advance(AGING_NS);
        sendFromSources(bridge, receiver, 2, 2);

        assertEquals(2, receiver.drainRx(), "the two new addresses are the port's: its old ones expired");
        assertEquals(refusedBefore, bridge.port.counters().get(PortCounter.TX_DROP_SOURCE_LIMIT));
        final MacTable table = engine.agent(0).l2Switch().macTable();
        final int bridgeSlot = table.lookup(sourceMac(bridge, 2), clock.nanoTime());
        assertEquals(bridgeSlot, table.lookup(sourceMac(bridge, 3), clock.nanoTime()));
        assertEquals(2, table.learnedCount(bridgeSlot), "the expired addresses no longer count against the port");
        assertEquals(engine.agent(0).l2Switch().macTable().size(),
            engine.agent(0).counters().get(SidecoreCounter.MAC_ENTRIES).get());
    }

    private void sendFromSources(final TestGuest from, final TestGuest to, final int firstSource, final int sources)
    {
        for (int i = firstSource; i < firstSource + sources; i++)
        {
            final byte[] frame = from.frameTo(to.mac, 60, i);
            frame[10] = 0x10;
            frame[11] = (byte)i;
            from.queue(frame);
        }
        from.ringTx();
        pump.pump();
    }

    private static long sourceMac(final TestGuest from, final int source)
    {
        final byte[] mac = from.mac.clone();
        mac[4] = 0x10;
        mac[5] = (byte)source;
        return L2Switch.macToLong(mac);
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
