package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.engine.backend.TapBackend;
import io.sidecore.engine.backend.TapOpener;
import io.sidecore.engine.backend.TestFrames;
import io.sidecore.engine.backend.VirtioNetHeader;
import io.sidecore.engine.e1000.TcpTsoDescriptors;
import io.sidecore.engine.e1000.TxTestSupport;
import io.sidecore.engine.os.TapDevice;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.LibC;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The work one hostile guest can make the sidecore do in one pass is bounded by its port's budgets, whatever it
 * writes into its shared pages and rings (issue 10 §0). Each test runs one attack through {@code doWork()} on an
 * injected clock and counts the work per pass (descriptors examined, segments produced, bytes copied) with the port's
 * counters: nothing is timed.
 */
class HostileGuestWorkBoundsTest
{
    /** RX descriptors a port's scans may examine per pass (the engine default). */
    private static final int RX_DESCRIPTOR_BUDGET = 1024;
    /** The largest RX ring a guest can program: RDLEN is 20 bits of 128-byte units (SDM 13.4.27). */
    private static final int LARGEST_RING = 65_528;
    private static final long HUGE_RING_GPA = TestGuest.RAM_GPA + 0x30_0000L;
    /** Frames a port's backend may hand its guest per pass (the engine default). */
    private static final int RX_FRAME_BUDGET = 64;
    /** TX frames (TSO segments included) a port may produce per pass (the engine default). */
    private static final int TX_SEGMENT_BUDGET = 256;
    /** TX frame bytes a port may produce per pass (the engine default). */
    private static final long TX_BYTE_BUDGET = 256 * 1024;
    /** The largest packet the device assembles, less one byte. */
    private static final int LARGEST_PACKET_BYTES = 65_535;
    private static final long TSO_PACKET_GPA = TestGuest.RAM_GPA + 0x10_0000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<TestGuest> guests = new ArrayList<>();
    private SidecoreEngine engine;

    @AfterEach
    void tearDown()
    {
        if (null != engine)
        {
            engine.close();
        }
    }

    /**
     * Hole 1: a ring of 65,528 null buffers whose RDT the guest moves every pass made the sidecore rescan the whole
     * ring for every frame flooded to it (the failed-scan cache is keyed by RDT). Now the scans of one port examine
     * at most its RX descriptor budget per pass, and every frame is still accounted for.
     */
    @Test
    void shouldExamineAtMostRxDescriptorBudgetPerPassWhenGuestFlipsRdtOverNullRing()
    {
        start(1);
        final TestGuest attacker = guest(0);
        final TestGuest sender = guest(1);
        programNullRing(attacker);

        long sent = 0;
        for (int pass = 0; pass < 6; pass++)
        {
            for (int i = 0; i < 16; i++)
            {
                assertTrue(sender.queue(sender.frameTo(attacker.mac, 64, i)));
                sent++;
            }
            sender.ringTx();
            attacker.registers.setRelease(E1000Registers.RDT, LARGEST_RING - 1 - (pass & 1));
            final long examinedBefore = attacker.port.counters().get(PortCounter.RX_DESCRIPTORS_EXAMINED);

            engine.doWork();

            final long examined =
                attacker.port.counters().get(PortCounter.RX_DESCRIPTORS_EXAMINED) - examinedBefore;
            assertTrue(examined <= RX_DESCRIPTOR_BUDGET,
                "pass " + pass + ": " + examined + " RX descriptors examined, budget " + RX_DESCRIPTOR_BUDGET);
            clock.advance(1_000);
        }
        assertEquals(0, attacker.port.counters().get(PortCounter.RX_FRAMES), "a ring of null buffers takes nothing");
        assertEquals(sent, attacker.port.counters().totalDrops(), "every frame flooded to it is counted");
        assertEquals(sent, sender.port.counters().get(PortCounter.TX_FRAMES));
    }

    /**
     * Hole 2: sixteen 64 KiB TSO packets at MSS 48 were 21,840 segments and 2.4 MB in one pass (the byte budget was
     * looked at every 16 descriptors and segments had no budget at all). Now a pass produces at most the segment
     * budget and the byte budget plus one segment; the packet resumes in the next pass, and every segment goes out.
     */
    @Test
    void shouldProduceAtMostSegmentAndByteBudgetPerPassWhenGuestSendsLargeTsoPacketsAtSmallMss()
    {
        assertTsoWithinBudgetsEveryPass(16, 48);
    }

    /**
     * The smallest MSS the SDM allows (issue 12 §3): a 64 KiB packet at MSS 1 is 65,481 segments, cut over 256 passes
     * of at most the segment budget each.
     */
    @Test
    void shouldProduceAtMostSegmentBudgetPerPassWhenTsoPacketHasMss1()
    {
        assertTsoWithinBudgetsEveryPass(1, 1);
    }

    private void assertTsoWithinBudgetsEveryPass(final int packets, final int mss)
    {
        start(1);
        final TestGuest attacker = new TestGuest(0);
        attacker.attach(engine.proxy(), new NullBackend());
        attacker.setUpTx(512);
        postTsoPackets(attacker, packets, mss);
        final long segmentsPerPacket = (LARGEST_PACKET_BYTES - TcpTsoDescriptors.HEADER_BYTES + mss - 1) / mss;

        int passes = 0;
        while (attacker.port.counters().get(PortCounter.TX_TSO_SEGMENTS) < packets * segmentsPerPacket)
        {
            final long segmentsBefore = attacker.port.counters().get(PortCounter.TX_TSO_SEGMENTS);
            final long bytesBefore = attacker.port.counters().get(PortCounter.TX_BYTES);

            engine.doWork();

            final long segments = attacker.port.counters().get(PortCounter.TX_TSO_SEGMENTS) - segmentsBefore;
            final long bytes = attacker.port.counters().get(PortCounter.TX_BYTES) - bytesBefore;
            assertTrue(segments <= TX_SEGMENT_BUDGET, "pass " + passes + ": " + segments + " segments");
            assertTrue(bytes <= TX_BYTE_BUDGET + TcpTsoDescriptors.HEADER_BYTES + mss,
                "pass " + passes + ": " + bytes + " bytes");
            assertTrue(segments > 0, "pass " + passes + " made progress");
            clock.advance(1_000);
            passes++;
        }
        assertEquals(packets * segmentsPerPacket, attacker.port.counters().get(PortCounter.TX_FRAMES),
            "every segment was sent once");
        assertEquals(0, attacker.port.counters().totalDrops());
        assertEquals(2 * packets, attacker.registers.getAcquire(E1000Registers.TDH), "every descriptor consumed");
    }

    /**
     * Hole 6: a TAP that sends GSO super-frames (from the host kernel, or whoever writes the TAP) hands a port's guest
     * at most its RX frame budget and about its RX byte budget per pass, counted after segmentation; each
     * super-frame goes on over the next passes, and every segment arrives.
     */
    @Test
    void shouldHandGuestAtMostRxFrameAndByteBudgetPerPassWhenTapSendsGsoSuperFrames()
    {
        start(1);
        final int[] pair = Fds.socketPair(LibC.SOCK_SEQPACKET | LibC.SOCK_NONBLOCK);
        final TestGuest guest = new TestGuest(3);
        guest.attachWith(engine.proxy(), counters -> new TapBackend(
            TapDevice.adopt(pair[0], "hostile", TapOpener.TAP_FLAGS), counters, TapBackend.DEFAULT_MAX_RX_FRAME_BYTES,
            TapOpener.WANTED_OFFLOADS));
        guest.setUpRx(1024);
        final long rxByteBudget = 20_000;
        engine.proxy().updatePortSettings(guest.port, guest.port.settings().withRxByteBudget(rxByteBudget));
        final int superFrames = 3;
        final int mss = TapBackend.MIN_GSO_SIZE_BYTES;
        final int payload = 60_000;
        try (TapDevice peer = TapDevice.adopt(pair[1], "hostile-peer", TapOpener.TAP_FLAGS);
            Arena arena = Arena.ofConfined())
        {
            final byte[] frame = TestFrames.tcp(false, payload, 1, TestFrames.TCP_ACK, 1);
            System.arraycopy(guest.mac, 0, frame, 0, 6);
            final MemorySegment message = arena.allocate(VirtioNetHeader.LENGTH + frame.length);
            VirtioNetHeader.write(new UnsafeBuffer(message.address(), VirtioNetHeader.LENGTH), 0, 0,
                VirtioNetHeader.GSO_TCPV4, 54, mss, 0, 0);
            MemorySegment.copy(frame, 0, message, JAVA_BYTE, VirtioNetHeader.LENGTH, frame.length);
            for (int i = 0; i < superFrames; i++)
            {
                assertEquals((int)message.byteSize(), peer.write(message, (int)message.byteSize()));
            }

            final long segments = superFrames * ((payload + mss - 1L) / mss);
            int pass = 0;
            while (guest.port.counters().get(PortCounter.RX_FRAMES) < segments)
            {
                final long framesBefore = guest.port.counters().get(PortCounter.RX_FRAMES);
                final long bytesBefore = guest.port.counters().get(PortCounter.RX_BYTES);

                engine.doWork();

                final long frames = guest.port.counters().get(PortCounter.RX_FRAMES) - framesBefore;
                final long bytes = guest.port.counters().get(PortCounter.RX_BYTES) - bytesBefore;
                assertTrue(frames > 0 && frames <= RX_FRAME_BUDGET, "pass " + pass + ": " + frames + " frames");
                assertTrue(bytes <= rxByteBudget + 54 + mss, "pass " + pass + ": " + bytes + " bytes");
                guest.drainRx();
                pass++;
            }
            assertEquals(segments, guest.port.counters().get(PortCounter.RX_FRAMES), "every segment arrived once");
            assertEquals(0, guest.port.counters().totalDrops());
        }
    }

    /**
     * Hole 5: the ring that carries frames from one sidecore to another is shared by all ports of the sender; one
     * port flooding it made its neighbour lose half its frames. Each source port now has a fair share of the ring,
     * and drops past it are counted against the port that sent too much.
     */
    @Test
    void shouldKeepNeighboursShareOfCrossSidecoreRingWhenOnePortFloodsIt()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 2)
            .crossShardRingLengthBytes(1 << 16)
            .crossShardDrainLimit(4));
        final TestGuest flooder = guest(1);
        final TestGuest receiver = new TestGuest(2);
        receiver.attachToSwitch(engine.proxy());
        receiver.setUpRx(1024);
        final TestGuest neighbour = guest(3);
        assertEquals(engine.proxy().sidecoreIndex(flooder.port), engine.proxy().sidecoreIndex(neighbour.port));
        assertTrue(engine.proxy().sidecoreIndex(flooder.port) != engine.proxy().sidecoreIndex(receiver.port));

        int neighbourSent = 0;
        for (int pass = 0; pass < 20; pass++)
        {
            for (int i = 0; i < 64; i++)
            {
                flooder.queue(flooder.frameTo(receiver.mac, 1500, i));
            }
            flooder.ringTx();
            for (int i = 0; i < 2; i++)
            {
                assertTrue(neighbour.queue(neighbour.frameTo(receiver.mac, 1500, neighbourSent++)));
            }
            neighbour.ringTx();
            engine.doWork();
            receiver.drainRx();
            clock.advance(1_000);
        }
        for (int pass = 0; pass < 200; pass++)
        {
            engine.doWork();
            receiver.drainRx();
        }

        assertEquals(0, neighbour.port.counters().get(PortCounter.TX_DROP_SWITCH_RING_FULL),
            "the neighbour keeps its share of the ring");
        assertTrue(flooder.port.counters().get(PortCounter.TX_DROP_SWITCH_RING_FULL) > 0,
            "the flooder's excess is counted against it");
        assertEquals(flooder.port.counters().get(PortCounter.TX_FRAMES) + neighbourSent,
            receiver.port.counters().get(PortCounter.RX_FRAMES) + receiver.port.counters().totalDrops() +
            flooder.port.counters().get(PortCounter.TX_DROP_SWITCH_RING_FULL),
            "every frame delivered or counted once");
    }

    private void start(final int sidecores)
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, sidecores));
    }

    private TestGuest guest(final int index)
    {
        final TestGuest guest = new TestGuest(index);
        guest.attachToSwitch(engine.proxy());
        guest.setUpTx(512);
        guest.setUpRx(64);
        guests.add(guest);
        return guest;
    }

    /**
     * Queue {@code packets} TSO packets of {@link #LARGEST_PACKET_BYTES} (TCP/IPv4), each a context descriptor with
     * the MSS followed by one data descriptor of the whole packet, and ring TDT.
     */
    private static void postTsoPackets(final TestGuest guest, final int packets, final int mss)
    {
        final byte[] packet = TxTestSupport.build(true, true, 0, 0,
            TxTestSupport.payload(LARGEST_PACKET_BYTES - TcpTsoDescriptors.HEADER_BYTES, 1), TxTestSupport.TCP_ACK,
            1, 1, true).bytes;
        guest.ramBuffer.putBytes((int)(TSO_PACKET_GPA - TestGuest.RAM_GPA), packet);
        for (int i = 0; i < packets; i++)
        {
            guest.putTx(TcpTsoDescriptors.CONTEXT_LOW, TcpTsoDescriptors.contextHigh(LARGEST_PACKET_BYTES, mss));
            guest.putTx(TSO_PACKET_GPA, TcpTsoDescriptors.dataHigh(LARGEST_PACKET_BYTES));
        }
        guest.ringTx();
    }

    /**
     * The largest RX ring, every buffer address 0: the device consumes such descriptors without data (SDM 3.2.6),
     * so a frame never finds a buffer, after a scan of the whole ring.
     */
    private static void programNullRing(final TestGuest guest)
    {
        final int offset = (int)(HUGE_RING_GPA - TestGuest.RAM_GPA);
        guest.ramBuffer.setMemory(offset, LARGEST_RING * E1000RxDescriptor.LENGTH, (byte)0);
        guest.proxy.mmioWrite(guest.port, E1000Registers.RDBAL, (int)HUGE_RING_GPA);
        guest.proxy.mmioWrite(guest.port, E1000Registers.RDBAH, (int)(HUGE_RING_GPA >>> 32));
        guest.proxy.mmioWrite(guest.port, E1000Registers.RDLEN, LARGEST_RING * E1000RxDescriptor.LENGTH);
        guest.proxy.mmioWrite(guest.port, E1000Registers.RDH, 0);
        guest.proxy.mmioWrite(guest.port, E1000Registers.RDT, LARGEST_RING - 1);
    }
}
