package io.sidecore.bench.fuzz;

import io.sidecore.bench.InMemoryCounters;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.launcher.Configuration;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestRam;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 §2, overload: a guest that drains one frame per round while it is offered twenty, from two guests on the
 * switch and from its backend. The sidecore does not livelock (every pass is bounded, the engine goes idle once the
 * senders stop), the other guests are unaffected (a pair exchanging frames on the same sidecore gets every one of
 * them through, round after round), and every frame of the whole run is delivered or counted under exactly one drop
 * counter. Deterministic: the real agent and switch driven with a manual clock.
 */
class OverloadTest
{
    private static final long RAM_GPA = 0x4000_0000L;
    private static final int RAM_BYTES = 4 << 20;
    private static final int ROUNDS = 2000;
    private static final int FRAME_BYTES = 128;
    private static final int OFFERED_PER_SENDER = 10;
    private static final int PAIR_FRAMES = 4;
    private static final int PASSES_PER_ROUND = 2;
    private static final int IDLE_WITHIN_PASSES = 1000;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final Arena arena = Arena.ofShared();
    private final List<Port> ports = new ArrayList<>();
    private SidecoreEngine engine;
    private EngineProxy proxy;

    @AfterEach
    void tearDown()
    {
        if (null != engine)
        {
            engine.close();
        }
        arena.close();
    }

    private void startEngine()
    {
        clock.update(1_000_000_000_000L);
        engine = new SidecoreEngine(Configuration.fromSystemProperties().engineContext()
            .threadingMode(ThreadingMode.INVOKER).nanoClock(clock).sidecoreCount(1).countersFile(null)
            .countersManager(InMemoryCounters.create(1024)));
        proxy = engine.proxy();
    }

    private int pass()
    {
        clock.advance(10_000L);
        return engine.doWork();
    }

    private final class Guest
    {
        final byte[] mac;
        final LevelLine line = new LevelLine();
        final Port port;
        final GuestDriverModel model;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
        long received;
        long sent;

        Guest(final int id, final NullBackend backend)
        {
            mac = new byte[]{ 0x02, 0, 0, 0, 0x02, (byte)id };
            final GuestMemory memory = new GuestMemory();
            final java.lang.foreign.MemorySegment ram = arena.allocate(RAM_BYTES, 4096);
            memory.addRegion(RAM_GPA, ram);
            final PortConfig config = new PortConfig(id, "g" + id, mac, false,
                PortRegionDescriptor.DEFAULT_SHARED_PAGES);
            final RegisterImage registers = RegisterImage.allocate(PortRegionDescriptor.DEFAULT_SHARED_PAGES);
            port = null == backend ? proxy.addPort(config, registers, memory, line, 0, null) :
                proxy.addPort(config, registers, memory, line, 0, counters -> backend);
            ports.add(port);
            model = new GuestDriverModel(new InvokerDeviceAccess(proxy, port), new GuestRam(ram, RAM_GPA),
                new GuestDriverConfig(), (buffer, offset, length, status, special) -> received++);
            model.probe();
            model.open();
            for (int i = 0; i < 1000 && !model.isLinkUp(); i++)
            {
                // A millisecond per poll: autonegotiation takes 500 ms of the manual clock after the reset.
                clock.advance(1_000_000L);
                pass();
                model.watchdog();
            }
            assertTrue(model.isLinkUp(), "link of g" + id);
        }

        void aim(final byte[] destination)
        {
            frame.putBytes(0, destination);
            frame.putBytes(6, mac);
            frame.putShort(12, (short)0x88B5, ByteOrder.BIG_ENDIAN);
        }

        void service()
        {
            line.serve(model);
        }

        void send(final int frames)
        {
            for (int i = 0; i < frames && model.queue(frame, 0, FRAME_BYTES); i++)
            {
                sent++;
            }
            model.flushTx();
        }

        long counter(final PortCounter counter)
        {
            return port.counters().get(counter);
        }
    }

    @Test
    void shouldStayLiveKeepNeighboursWholeAndAccountForEveryFrameWhenGuestDrainsOneTwentieth()
    {
        startEngine();
        final NullBackend flood = new NullBackend(frameTo(new byte[]{ 0x02, 0, 0, 0, 0x02, 6 }), 20);
        final Guest victim = new Guest(1, null);
        final Guest senderA = new Guest(2, null);
        final Guest senderB = new Guest(3, null);
        final Guest pairA = new Guest(4, null);
        final Guest pairB = new Guest(5, null);
        final Guest backendVictim = new Guest(6, flood);
        senderA.aim(victim.mac);
        senderB.aim(victim.mac);
        pairA.aim(pairB.mac);
        pairB.aim(pairA.mac);
        final long[] pairReceivedAt = new long[ROUNDS];

        int maxPassWork = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            senderA.service();
            senderB.service();
            pairA.service();
            pairB.service();
            senderA.send(OFFERED_PER_SENDER);
            senderB.send(OFFERED_PER_SENDER);
            pairA.send(PAIR_FRAMES);
            pairB.send(PAIR_FRAMES);
            victim.model.poll(1);
            backendVictim.model.poll(1);
            for (int p = 0; p < PASSES_PER_ROUND; p++)
            {
                maxPassWork = Math.max(maxPassWork, pass());
            }
            pairReceivedAt[round] = pairA.counter(PortCounter.RX_FRAMES) + pairB.counter(PortCounter.RX_FRAMES);
        }
        // The senders stop; the switch traffic drains within a bounded number of passes (the backend source
        // offers frames every pass by design, so the drain is judged by the senders' rings).
        int passes = 0;
        while ((senderA.model.hasTxPending() || senderB.model.hasTxPending()) && passes < IDLE_WITHIN_PASSES)
        {
            senderA.service();
            senderB.service();
            pairA.service();
            pairB.service();
            pass();
            passes++;
        }
        assertTrue(passes < IDLE_WITHIN_PASSES, "the senders' rings drained within " + IDLE_WITHIN_PASSES + " passes");

        // Overloaded: the victims took a twentieth and dropped the rest, counted as ring full.
        assertTrue(victim.counter(PortCounter.RX_DROP_RING_FULL) > ROUNDS * 10L, "switch victim overflowed: " +
            victim.counter(PortCounter.RX_DROP_RING_FULL));
        assertTrue(backendVictim.counter(PortCounter.RX_DROP_RING_FULL) > ROUNDS * 10L, "backend victim overflowed");
        assertTrue(victim.received >= ROUNDS - 256 && victim.received <= ROUNDS, "drained one per round: " +
            victim.received);
        // No livelock: each pass bounded by the budgets; the neighbours got every frame, every round.
        assertTrue(maxPassWork < 2000, "work of one pass: " + maxPassWork);
        for (int round = 1; round < ROUNDS; round++)
        {
            assertEquals(2 * PAIR_FRAMES, pairReceivedAt[round] - pairReceivedAt[round - 1],
                "frames the pair's devices received in round " + round);
        }
        assertEquals(pairA.sent + pairB.sent, pairA.counter(PortCounter.RX_FRAMES) +
            pairB.counter(PortCounter.RX_FRAMES), "every pair frame delivered");
        assertEquals(0, dropsOf(pairA) + dropsOf(pairB), "no pair frame dropped");
        // Conservation over the whole run: switch traffic, then the backend's frames.
        long emitted = 0;
        long accounted = 0;
        for (final Port port : ports)
        {
            emitted += port.counters().get(PortCounter.TX_FRAMES);
            accounted += port.counters().get(PortCounter.RX_FRAMES) - (port == backendVictim.port ?
                backendVictim.counter(PortCounter.RX_FRAMES) : 0);
            for (final PortCounter counter : PortCounter.values())
            {
                if (counter.isDrop() && port != backendVictim.port)
                {
                    accounted += port.counters().get(counter);
                }
            }
        }
        assertEquals(senderA.sent + senderB.sent + pairA.sent + pairB.sent, emitted, "every queued frame emitted");
        assertEquals(emitted, accounted, "switch frames: delivered or counted once");
        long backendDrops = 0;
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.isDrop())
            {
                backendDrops += backendVictim.counter(counter);
            }
        }
        assertEquals(flood.framesGenerated(), backendVictim.counter(PortCounter.RX_FRAMES) + backendDrops,
            "backend frames: delivered or counted once");
        assertEquals(flood.framesDelivered(), backendVictim.counter(PortCounter.RX_FRAMES));
    }

    private static long dropsOf(final Guest guest)
    {
        long drops = 0;
        for (final PortCounter counter : PortCounter.values())
        {
            if (counter.isDrop())
            {
                drops += guest.counter(counter);
            }
        }
        return drops;
    }

    private static byte[] frameTo(final byte[] destination)
    {
        final byte[] frame = new byte[FRAME_BYTES];
        System.arraycopy(destination, 0, frame, 0, 6);
        frame[6] = 0x02;
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        return frame;
    }
}
