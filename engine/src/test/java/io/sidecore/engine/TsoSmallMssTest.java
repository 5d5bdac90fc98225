package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.e1000.TcpTsoDescriptors;
import io.sidecore.engine.e1000.TxPacketVerifier;
import io.sidecore.engine.e1000.TxTestSupport;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP segmentation with an MSS below 48 (issue 12 §3): Linux sends one when the peer's advertised MSS is near its
 * floor and TCP options shrink the payload. The SDM (3.5) sets no floor on MSS, so the device segments whatever a
 * guest asks for; the per-pass segment budget bounds what that costs (HostileGuestWorkBoundsTest).
 */
class TsoSmallMssTest
{
    private static final long PACKET_GPA = TestGuest.RAM_GPA + 0x10_0000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;

    @AfterEach
    void tearDown()
    {
        engine.close();
    }

    @Test
    void shouldDeliverTsoPacketWithMss36WholeToPeer()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        final SwitchPump pump = new SwitchPump(engine, clock);
        final TestGuest sender = pump.ready(new TestGuest(1));
        final TestGuest peer = new TestGuest(2);
        peer.attachToSwitch(engine.proxy());
        peer.setUpRx(64);
        final int mss = 36;
        final byte[] payload = TxTestSupport.payload(1000, 36);
        final int sequence = 0x1234_5678;
        final byte[] packet = TxTestSupport.build(true, true, 0, 0, payload,
            TxTestSupport.TCP_ACK | TxTestSupport.TCP_PSH, sequence, 0x4242, true).bytes;
        System.arraycopy(peer.mac, 0, packet, 0, 6);
        System.arraycopy(sender.mac, 0, packet, 6, 6);
        sender.ramBuffer.putBytes((int)(PACKET_GPA - TestGuest.RAM_GPA), packet);
        sender.putTx(TcpTsoDescriptors.CONTEXT_LOW, TcpTsoDescriptors.contextHigh(packet.length, mss));
        sender.putTx(PACKET_GPA, TcpTsoDescriptors.dataHigh(packet.length));
        sender.ringTx();

        pump.pump();

        final int segments = (payload.length + mss - 1) / mss;
        assertEquals(segments, sender.port.counters().get(PortCounter.TX_TSO_SEGMENTS));
        assertEquals(segments, peer.port.counters().get(PortCounter.RX_FRAMES), "every segment reached the peer");
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        for (int i = 0; i < segments; i++)
        {
            final byte[] frame = peer.rxFrame(i, rxLength(peer, i));
            final TxPacketVerifier.Parsed parsed = TxPacketVerifier.verify(frame, false);
            assertEquals(sequence + i * mss, parsed.tcpSequence, "segment " + i + " sequence");
            assertTrue(parsed.payloadLength <= mss, "segment " + i + " payload within the MSS");
            assertEquals(i == segments - 1, 0 != (parsed.tcpFlags & TxTestSupport.TCP_PSH), "PSH on the last only");
            received.write(frame, parsed.payloadStart, parsed.payloadLength);
        }
        assertArrayEquals(payload, received.toByteArray(), "the payload arrived whole and in order");
    }

    /**
     * @return the frame length the device wrote back in RX descriptor {@code slot}, less the FCS it counts.
     */
    private static int rxLength(final TestGuest guest, final int slot)
    {
        final int offset = (int)(TestGuest.RX_RING_GPA - TestGuest.RAM_GPA) + slot * E1000RxDescriptor.LENGTH;
        return (guest.ramBuffer.getShort(offset + E1000RxDescriptor.LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) -
            4;
    }
}
