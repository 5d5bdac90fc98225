package io.sidecore.engine.l2;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The switch logic alone, over recording destinations: two sidecores' shards joined by real rings, driven by hand.
 */
class L2SwitchTest
{
    private static final long AGING_NS = 10_000_000_000L;
    private static final long START_NS = 1_000_000_000_000L;
    private static final int SLOTS = 32;
    /** Metadata of a complete frame: what every frame handed to the switch carries. */
    private static final FrameMetadata PLAIN = new FrameMetadata();

    private final SidecoreCounters countersA = SidecoreCounters.inPrivateMemory(0);
    private final SidecoreCounters countersB = SidecoreCounters.inPrivateMemory(1);
    private final ShardRing ringAtoB = new ShardRing(1 << 16, 0, 1, SLOTS);
    private final ShardRing ringBtoA = new ShardRing(1 << 16, 1, 0, SLOTS);
    private final L2Switch switchA = new L2Switch(0, SLOTS, new MacTable(64, AGING_NS),
        new ShardRing[]{null, ringAtoB}, countersA);
    private final L2Switch switchB = new L2Switch(1, SLOTS, new MacTable(64, AGING_NS),
        new ShardRing[]{ringBtoA, null}, countersB);
    private final Recorder[] ports = new Recorder[SLOTS];
    private long nowNs = START_NS;

    @BeforeEach
    void setUp()
    {
        setTime(START_NS);
    }

    @Test
    void shouldFloodBroadcastToEveryPortButSource()
    {
        attachLocal(0, 1, 2, 3);
        final byte[] frame = frame(broadcast(), mac(1), 60, 7);

        switchA.forward(1, new UnsafeBuffer(frame), 0, frame.length, PLAIN);

        assertEquals(1, ports[0].frames.size());
        assertEquals(0, ports[1].frames.size());
        assertEquals(1, ports[2].frames.size());
        assertEquals(1, ports[3].frames.size());
        assertArrayEquals(frame, ports[2].frames.get(0));
        assertEquals(2, countersA.switchFloodCopies().get());
    }

    @Test
    void shouldFloodMulticastToEveryPortButSource()
    {
        attachLocal(0, 1, 2);
        final byte[] frame = frame(0x01_00_5E_00_00_01L, mac(0), 60, 1);

        switchA.forward(0, new UnsafeBuffer(frame), 0, frame.length, PLAIN);

        assertEquals(0, ports[0].frames.size());
        assertEquals(1, ports[1].frames.size());
        assertEquals(1, ports[2].frames.size());
    }

    @Test
    void shouldFloodUnknownUnicast()
    {
        attachLocal(0, 1, 2);

        send(switchA, 0, mac(2), mac(0));

        assertEquals(1, ports[1].frames.size());
        assertEquals(1, ports[2].frames.size());
        assertEquals(1, countersA.switchFloodCopies().get());
    }

    @Test
    void shouldDeliverKnownUnicastOnlyToLearnedPort()
    {
        attachLocal(0, 1, 2);
        send(switchA, 2, broadcast(), mac(2));
        clearAll();

        send(switchA, 0, mac(2), mac(0));

        assertEquals(0, ports[1].frames.size());
        assertEquals(1, ports[2].frames.size());
        assertEquals(0, countersA.switchFloodCopies().get(), "known unicast is not flooded");
    }

    @Test
    void shouldNeverSendBackToSourceWhenDestinationIsBehindSource()
    {
        attachLocal(0, 1);
        send(switchA, 0, broadcast(), mac(0));
        clearAll();

        send(switchA, 0, mac(0), 0x02_AA_00_00_00_01L);

        assertEquals(0, ports[0].frames.size());
        assertEquals(0, ports[1].frames.size());
        assertEquals(1, ports[0].counters.get(PortCounter.TX_DROP_NO_DESTINATION));
    }

    @Test
    void shouldCountNoDestinationWhenAloneOnSwitch()
    {
        attachLocal(0);

        send(switchA, 0, broadcast(), mac(0));

        assertEquals(0, ports[0].frames.size());
        assertEquals(1, ports[0].counters.get(PortCounter.TX_DROP_NO_DESTINATION));
        assertEquals(0, countersA.switchFloodCopies().get());
    }

    @Test
    void shouldCountNoDestinationWhenFrameShorterThanEthernetHeader()
    {
        attachLocal(0, 1);
        final byte[] runt = new byte[13];

        final int outcome = switchA.forward(0, new UnsafeBuffer(runt), 0, runt.length, PLAIN);

        assertEquals(PortCounter.TX_DROP_NO_DESTINATION.id(), outcome);
        assertEquals(0, ports[1].frames.size());
        assertEquals(1, ports[0].counters.get(PortCounter.TX_DROP_NO_DESTINATION));
    }

    @Test
    void shouldFloodAgainWhenLearnedAddressAged()
    {
        attachLocal(0, 1, 2);
        send(switchA, 2, broadcast(), mac(2));
        setTime(START_NS + AGING_NS);
        clearAll();

        send(switchA, 0, mac(2), mac(0));

        assertEquals(1, ports[1].frames.size(), "aged entry means unknown unicast: flooded");
        assertEquals(1, ports[2].frames.size());
    }

    @Test
    void shouldRemoveAgedAddressesWhenAgingSweeps()
    {
        attachLocal(0, 1);
        send(switchA, 0, broadcast(), mac(0));
        send(switchA, 1, broadcast(), mac(1));
        assertEquals(2, countersA.macEntries().get());
        setTime(START_NS + AGING_NS);

        final int removed = switchA.age(64);

        assertEquals(2, removed);
        assertEquals(0, switchA.macTable().size());
        assertEquals(0, countersA.macEntries().get());
    }

    @Test
    void shouldFollowAddressWhenItMovesToAnotherPort()
    {
        attachLocal(0, 1, 2);
        send(switchA, 1, broadcast(), 0x02_BB_00_00_00_01L);
        send(switchA, 2, broadcast(), 0x02_BB_00_00_00_01L);
        clearAll();

        send(switchA, 0, 0x02_BB_00_00_00_01L, mac(0));

        assertEquals(0, ports[1].frames.size());
        assertEquals(1, ports[2].frames.size());
    }

    @Test
    void shouldNotLearnMulticastSourceAddress()
    {
        attachLocal(0, 1, 2);
        send(switchA, 1, broadcast(), 0x03_00_00_00_00_01L);

        assertEquals(0, switchA.macTable().size());
    }

    @Test
    void shouldCountMacTableFullAndStillFlood()
    {
        final L2Switch tiny = new L2Switch(0, SLOTS, new MacTable(16, AGING_NS), new ShardRing[]{null}, countersA);
        final Recorder first = new Recorder(0);
        final Recorder second = new Recorder(1);
        tiny.attachLocal(0, 100, first, first.counters);
        tiny.attachLocal(1, 101, second, second.counters);
        tiny.nowNs(START_NS);
        for (int i = 0; i < 13; i++)
        {
            send(tiny, 0, broadcast(), 0x02_CC_00_00_00_00L + i);
        }

        assertEquals(1, countersA.macTableFull().get());
        assertEquals(12, countersA.macEntries().get());
        assertEquals(13, second.frames.size());
    }

    @Test
    void shouldForgetPortAddressesWhenDetached()
    {
        attachLocal(0, 1, 2);
        send(switchA, 2, broadcast(), mac(2));
        clearAll();

        assertTrue(switchA.detach(2));
        send(switchA, 0, mac(2), mac(0));

        assertEquals(1, ports[1].frames.size(), "unknown again: flooded to the remaining port");
        assertEquals(0, ports[2].frames.size());
        assertFalse(switchA.detach(2));
    }

    @Test
    void shouldDeliverToPinnedAddressWithoutFloodingBeforePortTransmits()
    {
        attachLocal(0, 1);
        final Recorder pinned = new Recorder(2);
        ports[2] = pinned;
        switchA.attachLocal(2, 102, mac(2), pinned, pinned.counters);
        switchB.attachRemote(2, 102, mac(2), 0);

        send(switchA, 0, mac(2), mac(0));

        assertEquals(1, pinned.frames.size());
        assertEquals(0, ports[1].frames.size());
        assertEquals(0, countersA.switchFloodCopies().get());
    }

    @Test
    void shouldSweepOnlyOnceEverySweepIntervalWhenAgedEveryCycle()
    {
        attachLocal(0, 1);
        send(switchA, 0, broadcast(), mac(0));
        send(switchA, 1, broadcast(), mac(1));
        final long intervalNs = switchA.macTable().sweepIntervalNs(64);
        assertEquals(AGING_NS / MacTable.SWEEPS_PER_AGING_PERIOD, intervalNs, "64 slots in one sweep of 64");
        final long firstSweepNs = START_NS + AGING_NS - intervalNs / 2;
        setTime(firstSweepNs);
        assertEquals(0, switchA.age(64), "nothing expired yet");

        setTime(START_NS + AGING_NS);
        assertEquals(0, switchA.age(64), "expired, but the next sweep is not due");
        assertEquals(2, switchA.macTable().size());
        assertEquals(MacTable.UNKNOWN, switchA.macTable().lookup(mac(0), START_NS + AGING_NS),
            "an expired entry is ignored before it is swept");

        setTime(firstSweepNs + intervalNs - 1);
        assertEquals(0, switchA.age(64));
        setTime(firstSweepNs + intervalNs);
        assertEquals(2, switchA.age(64));
        assertEquals(0, switchA.macTable().size());
        assertEquals(0, countersA.macEntries().get());
    }

    @Test
    void shouldKeepPinnedAddressWhenAnotherPortClaimsItOrItAges()
    {
        attachLocal(0, 1);
        final Recorder pinned = new Recorder(2);
        ports[2] = pinned;
        switchA.attachLocal(2, 102, mac(2), pinned, pinned.counters);

        send(switchA, 1, broadcast(), mac(2));
        setTime(START_NS + 10 * AGING_NS);
        switchA.age(64);
        clearAll();
        send(switchA, 0, mac(2), mac(0));

        assertEquals(1, pinned.frames.size());
        assertEquals(0, ports[1].frames.size());
    }

    @Test
    void shouldPinRemotePortAddressSoUnicastCrossesSidecoresDirectly()
    {
        attachLocal(0);
        final Recorder remote = new Recorder(1);
        ports[1] = remote;
        switchB.attachLocal(1, 101, mac(1), remote, remote.counters);
        switchA.attachRemote(1, 101, mac(1), 1);

        send(switchA, 0, mac(1), mac(0));
        switchB.drain(ringAtoB, 10);

        assertEquals(1, remote.frames.size());
        assertEquals(0, countersA.switchFloodCopies().get());
        assertEquals(1, countersA.crossShardFrames().get());
    }

    @Test
    void shouldConvertMacBytesToLong()
    {
        assertEquals(0x02_0A_0B_0C_0D_FEL, L2Switch.macToLong(new byte[]{2, 10, 11, 12, 13, (byte)0xFE}));
    }

    @Test
    void shouldRefuseSlotAlreadyInUse()
    {
        attachLocal(0);

        assertThrows(IllegalStateException.class, () -> switchA.attachRemote(0, 55, 1));
        assertThrows(IllegalStateException.class, () -> switchA.attachRemote(5, 55, 0));
    }

    @Test
    void shouldCarryUnicastToOtherSidecoreThroughRing()
    {
        attachLocal(0);
        attachOnB(1);
        send(switchB, 1, broadcast(), mac(1));
        assertEquals(1, switchA.drain(ringBtoA, 10));
        clearAll();

        final byte[] frame = frame(mac(1), mac(0), 200, 9);
        final int outcome = switchA.forward(0, new UnsafeBuffer(frame), 0, frame.length, PLAIN);

        assertEquals(FrameSink.DELIVERED, outcome, "handed on to the other sidecore, which accounts for it");
        assertEquals(0, ports[1].frames.size(), "not delivered until the other sidecore drains its ring");
        assertEquals(1, switchB.drain(ringAtoB, 10));
        assertEquals(1, ports[1].frames.size());
        assertArrayEquals(frame, ports[1].frames.get(0));
        assertEquals(1, countersA.crossShardFrames().get());
        assertEquals(0, countersA.switchFloodCopies().get(), "unicast after learning: no flood");
    }

    @Test
    void shouldHandTheFramesMetadataToLocalPortsButNoCarriedChecksumAcrossTheRing()
    {
        // A receiving device verifies a carried checksum without summing only because it gets the very bytes the
        // sender summed, with their metadata; a ring carries bytes only, so a frame from another sidecore must arrive
        // with nothing carried (FrameMetadata#checksumCarried) and be summed.
        attachLocal(0, 1);
        attachOnB(2);
        final FrameMetadata carried = new FrameMetadata();
        carried.checksumCarried = true;
        carried.carriedChecksumStartBytes = 34;
        carried.carriedChecksumEndBytes = 60;
        carried.carriedChecksumFieldBytes = 40;
        final byte[] frame = frame(broadcast(), mac(0), 60, 0);

        switchA.forward(0, new UnsafeBuffer(frame), 0, frame.length, carried);
        switchB.drain(ringAtoB, 10);

        assertEquals(List.of(true), ports[1].checksumCarried, "a local destination gets the sender's metadata");
        assertEquals(List.of(false), ports[2].checksumCarried, "a remote destination gets none");
        assertArrayEquals(frame, ports[2].frames.get(0));
    }

    @Test
    void shouldFloodOnceToEachOtherSidecore()
    {
        attachLocal(0, 1);
        attachOnB(2, 3, 4);

        send(switchA, 0, broadcast(), mac(0));

        assertEquals(1, ports[1].frames.size());
        assertEquals(1, switchB.drain(ringAtoB, 10), "one ring message for three remote ports");
        assertEquals(1, ports[2].frames.size());
        assertEquals(1, ports[3].frames.size());
        assertEquals(1, ports[4].frames.size());
        assertEquals(1, countersA.switchFloodCopies().get(), "local port + one ring message: 2 attempts");
        assertEquals(2, countersB.switchFloodCopies().get(), "three remote deliveries from one message");
    }

    @Test
    void shouldLearnRemoteSourceFromRing()
    {
        attachLocal(0);
        attachOnB(1, 2);
        send(switchA, 0, broadcast(), mac(0));
        switchB.drain(ringAtoB, 10);
        clearAll();

        send(switchB, 1, mac(0), mac(1));

        assertEquals(0, ports[2].frames.size(), "known remote destination: not flooded locally");
        assertEquals(1, switchA.drain(ringBtoA, 10));
        assertEquals(1, ports[0].frames.size());
    }

    @Test
    void shouldCountRingFullOnSourcePortWhenOtherSidecoreLags()
    {
        attachLocal(0);
        attachOnB(1);
        send(switchB, 1, broadcast(), mac(1));
        switchA.drain(ringBtoA, 10);

        int sent = 0;
        while (0 == ports[0].counters.get(PortCounter.TX_DROP_SWITCH_RING_FULL))
        {
            send(switchA, 0, mac(1), mac(0));
            sent++;
        }
        final int drained = switchB.drain(ringAtoB, 100_000);

        assertEquals(sent - 1, drained);
        assertEquals(sent - 1, ports[1].frames.size());
        assertEquals(1, ports[0].counters.get(PortCounter.TX_DROP_SWITCH_RING_FULL));
    }

    /**
     * Issue 10 §0 hole 5, second half: the ring's share is divided among the sources that sent recently, not among
     * every port of the sidecore. One port floods another sidecore, one honest port sends bursts of full-size frames
     * there, thirty ports are idle; the other sidecore drains the ring every pass.
     */
    @Test
    void shouldLoseNothingOfHonestPortWhenOnePortFloodsTheRingAmongThirtyIdlePorts()
    {
        final int slots = 40;
        final int flooderSlot = 0;
        final int honestSlot = 1;
        final int destinationSlot = 32;
        final ShardRing toB = new ShardRing(1 << 16, 0, 1, slots);
        final L2Switch onA = new L2Switch(0, slots, new MacTable(128, AGING_NS), new ShardRing[]{null, toB},
            countersA);
        final L2Switch onB = new L2Switch(1, slots, new MacTable(128, AGING_NS),
            new ShardRing[]{new ShardRing(1 << 16, 1, 0, slots), null}, countersB);
        final Recorder[] local = new Recorder[destinationSlot];
        for (int slot = 0; slot < destinationSlot; slot++)
        {
            local[slot] = new Recorder(slot);
            onA.attachLocal(slot, 100 + slot, mac(slot), local[slot], local[slot].counters);
            onB.attachRemote(slot, 100 + slot, mac(slot), 0);
        }
        final Recorder destination = new Recorder(destinationSlot);
        onB.attachLocal(destinationSlot, 100 + destinationSlot, mac(destinationSlot), destination,
            destination.counters);
        onA.attachRemote(destinationSlot, 100 + destinationSlot, mac(destinationSlot), 1);
        final int passes = 50;
        final int honestBurst = 8;
        final UnsafeBuffer flooderFrame = new UnsafeBuffer(frame(mac(destinationSlot), mac(flooderSlot), 1514, 1));
        final UnsafeBuffer honestFrame = new UnsafeBuffer(frame(mac(destinationSlot), mac(honestSlot), 1514, 2));

        for (int pass = 0; pass < passes; pass++)
        {
            onA.nowNs(START_NS + pass);
            onB.nowNs(START_NS + pass);
            if (0 == pass % 2)
            {
                sendBurst(onA, honestSlot, honestFrame, honestBurst);
                sendBurst(onA, flooderSlot, flooderFrame, 64);
            }
            else
            {
                sendBurst(onA, flooderSlot, flooderFrame, 64);
                sendBurst(onA, honestSlot, honestFrame, honestBurst);
            }
            while (toB.size() > 0)
            {
                onB.drain(toB, 1_000_000);
            }
        }

        assertEquals(0, local[honestSlot].counters.totalDrops(), "the honest port lost nothing");
        int honestDelivered = 0;
        for (final byte[] frame : destination.frames)
        {
            honestDelivered += frame[11] == (byte)honestSlot ? 1 : 0;
        }
        assertEquals(passes * honestBurst, honestDelivered);
        final long flooderDrops = local[flooderSlot].counters.get(PortCounter.TX_DROP_SWITCH_RING_FULL);
        assertTrue(flooderDrops > 0, "the flooder is held to its share");
        assertEquals(flooderDrops, local[flooderSlot].counters.totalDrops(), "and its drops are counted against it");
        assertEquals(passes * 64, flooderDrops + destination.frames.size() - honestDelivered);
        for (int slot = 2; slot < destinationSlot; slot++)
        {
            assertEquals(0, local[slot].counters.totalDrops(), "idle port " + slot);
        }
    }

    private static void sendBurst(final L2Switch l2Switch, final int sourceSlot, final UnsafeBuffer frame,
        final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            l2Switch.forward(sourceSlot, frame, 0, frame.capacity(), PLAIN);
        }
    }

    @Test
    void shouldCountStalePortWhenDestinationLeftWhileInFlight()
    {
        attachLocal(0);
        attachOnB(1);
        send(switchB, 1, broadcast(), mac(1));
        switchA.drain(ringBtoA, 10);
        send(switchA, 0, mac(1), mac(0));

        switchB.detach(1);
        switchA.detach(1);
        switchB.drain(ringAtoB, 10);

        assertEquals(0, ports[1].frames.size());
        assertEquals(1, countersB.switchDropStalePort().get());
    }

    @Test
    void shouldCountNoDestinationWhenFloodReachesSidecoreWithoutPorts()
    {
        attachLocal(0);
        attachOnB(1);
        send(switchA, 0, broadcast(), mac(0));

        switchB.detach(1);
        switchB.drain(ringAtoB, 10);

        assertEquals(1, countersB.switchDropNoDestination().get());
    }

    @Test
    void shouldAccountForEveryFrameWhenRandomTrafficCrossesSidecores()
    {
        final int[] onA = {0, 1, 2, 3, 4};
        final int[] onB = {5, 6, 7, 8};
        attachLocal(onA);
        attachOnB(onB);
        final Random random = new Random(7);
        for (int i = 0; i < SLOTS; i++)
        {
            if (null != ports[i])
            {
                ports[i].acceptPercent = 70;
                ports[i].random = random;
            }
        }
        long framesIntoSwitch = 0;
        for (int step = 0; step < 5000; step++)
        {
            final int source = random.nextInt(9);
            final int destinationPick = random.nextInt(12);
            final long destination = destinationPick >= 9 ?
                (destinationPick == 9 ? broadcast() : 0x02_DD_00_00_00_00L + destinationPick) : mac(destinationPick);
            send(source < 5 ? switchA : switchB, source, destination, mac(source));
            framesIntoSwitch++;
            if (random.nextInt(4) == 0)
            {
                switchA.drain(ringBtoA, 3);
                switchB.drain(ringAtoB, 3);
            }
        }
        switchA.drain(ringBtoA, 1_000_000);
        switchB.drain(ringAtoB, 1_000_000);

        long delivered = 0;
        long refused = 0;
        long switchDrops = countersA.switchDropNoDestination().get() + countersB.switchDropNoDestination().get() +
            countersA.switchDropStalePort().get() + countersB.switchDropStalePort().get();
        for (int i = 0; i < 9; i++)
        {
            delivered += ports[i].frames.size();
            refused += ports[i].refused;
            switchDrops += ports[i].counters.get(PortCounter.TX_DROP_NO_DESTINATION) +
                ports[i].counters.get(PortCounter.TX_DROP_SWITCH_RING_FULL);
        }
        final long floodCopies = countersA.switchFloodCopies().get() + countersB.switchFloodCopies().get();
        assertTrue(floodCopies > 0 && refused > 0 && switchDrops > 0, "all paths exercised");
        assertEquals(framesIntoSwitch + floodCopies, delivered + refused + switchDrops);
    }

    private void attachLocal(final int... slots)
    {
        for (final int slot : slots)
        {
            ports[slot] = new Recorder(slot);
            switchA.attachLocal(slot, 100 + slot, ports[slot], ports[slot].counters);
            switchB.attachRemote(slot, 100 + slot, 0);
        }
    }

    private void attachOnB(final int... slots)
    {
        for (final int slot : slots)
        {
            ports[slot] = new Recorder(slot);
            switchB.attachLocal(slot, 100 + slot, ports[slot], ports[slot].counters);
            switchA.attachRemote(slot, 100 + slot, 1);
        }
    }

    private void setTime(final long timeNs)
    {
        nowNs = timeNs;
        switchA.nowNs(nowNs);
        switchB.nowNs(nowNs);
    }

    private void clearAll()
    {
        for (final Recorder port : ports)
        {
            if (null != port)
            {
                port.frames.clear();
            }
        }
        countersA.switchFloodCopies().set(0);
        countersB.switchFloodCopies().set(0);
    }

    private static void send(final L2Switch l2Switch, final int sourceSlot, final long destination, final long source)
    {
        final byte[] frame = frame(destination, source, 60, sourceSlot);
        l2Switch.forward(sourceSlot, new UnsafeBuffer(frame), 0, frame.length, PLAIN);
    }

    static long mac(final int slot)
    {
        return 0x02_00_00_00_01_00L + slot;
    }

    static long broadcast()
    {
        return 0xFF_FF_FF_FF_FF_FFL;
    }

    static byte[] frame(final long destination, final long source, final int lengthBytes, final int seed)
    {
        final byte[] frame = new byte[lengthBytes];
        for (int i = 0; i < 6; i++)
        {
            frame[i] = (byte)(destination >>> (40 - 8 * i));
            frame[6 + i] = (byte)(source >>> (40 - 8 * i));
        }
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        for (int i = 14; i < lengthBytes; i++)
        {
            frame[i] = (byte)(seed * 31 + i);
        }
        return frame;
    }

    /**
     * A destination that records what it receives and may refuse (like a full RX ring counted by a device).
     */
    static final class Recorder implements FrameSink
    {
        final List<byte[]> frames = new ArrayList<>();
        final List<Boolean> checksumCarried = new ArrayList<>();
        final PortCounters counters;
        int acceptPercent = 100;
        Random random;
        long refused;

        Recorder(final int slot)
        {
            counters = PortCounters.inPrivateMemory("p" + slot);
        }

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            if (acceptPercent < 100 && random.nextInt(100) >= acceptPercent)
            {
                refused++;
                counters.increment(PortCounter.RX_DROP_RING_FULL);
                return FrameSink.dropped(PortCounter.RX_DROP_RING_FULL);
            }
            final byte[] copy = new byte[lengthBytes];
            frame.getBytes(offset, copy);
            frames.add(copy);
            checksumCarried.add(metadata.checksumCarried);
            return DELIVERED;
        }
    }
}
