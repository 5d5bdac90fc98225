package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static io.sidecore.engine.e1000.TxTestSupport.TCP_ACK;
import static io.sidecore.engine.e1000.TxTestSupport.bufferGpa;
import static io.sidecore.engine.e1000.TxTestSupport.putContext;
import static io.sidecore.engine.e1000.TxTestSupport.putData;
import static io.sidecore.engine.e1000.TxTestSupport.putLegacy;
import static io.sidecore.shm.E1000TxDescriptor.CMD_EOP;
import static io.sidecore.shm.E1000TxDescriptor.CMD_RS;
import static io.sidecore.shm.E1000TxDescriptor.CMD_TSE;
import static io.sidecore.shm.E1000TxDescriptor.CMD_VLE;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_IXSM;
import static io.sidecore.shm.E1000TxDescriptor.POPTS_TXSM;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The transmit path allocates nothing in steady state: legacy, checksum-offload, TSO and VLAN packets and a dropped
 * packet, measured with the per-thread allocation counter of the JVM.
 */
final class TxAllocationTest
{
    /** Counts frames without keeping them (the capturing wire of the harness allocates a copy per frame). */
    private static final class CountingSink implements FrameSink
    {
        long frames;

        public int onFrame(
            final DirectBuffer frame, final int offset, final int lengthBytes, final FrameMetadata metadata,
            final long nowNs)
        {
            frames++;
            return DELIVERED;
        }
    }

    private static void armRing(final DeviceHarness h, final int tsoLength, final int csumLength)
    {
        final int ctrl = CMD_RS | CMD_EOP;
        putData(h, 1, bufferGpa(0), tsoLength, ctrl | CMD_TSE | CMD_VLE, POPTS_TXSM | POPTS_IXSM, 5);
        putData(h, 3, bufferGpa(1), csumLength, ctrl, POPTS_TXSM | POPTS_IXSM, 0);
        putLegacy(h, 4, bufferGpa(2), 60, ctrl, 0, 0, 0);
        putLegacy(h, 5, 0x10L, 60, ctrl, 0, 0, 0);
        h.registers.set(E1000Registers.TDH, 0);
        h.writeShared(E1000Registers.TDT, 6);
    }

    @Test
    void shouldNotAllocateWhenTransmittingInSteadyState()
    {
        final CountingSink sink = new CountingSink();
        final DeviceHarness h = TxTestSupport.harness(8, sink);
        h.registers.set(E1000Registers.CTRL, E1000Registers.CTRL_VME);
        final TxTestSupport.Packet tso = TxTestSupport.build(true, true, 0, 0, TxTestSupport.payload(8000, 1),
            TCP_ACK, 1, 1, true);
        final TxTestSupport.Packet csum = TxTestSupport.build(true, false, 0, 0, TxTestSupport.payload(500, 2),
            0, 0, 2, false);
        h.putBytes(bufferGpa(0), tso.bytes);
        h.putBytes(bufferGpa(1), csum.bytes);
        h.putBytes(bufferGpa(2), DeviceHarness.broadcastFrame(60, 1));
        putContext(h, 0, tso.ipStart, tso.ipStart + 10, tso.l4Start - 1, tso.l4Start, tso.tucso(), 0,
            tso.payloadLength, tso.tucmd(true), tso.headerLength, 1448);
        putContext(h, 2, csum.ipStart, csum.ipStart + 10, csum.l4Start - 1, csum.l4Start, csum.tucso(), 0, 0,
            csum.tucmd(false), 0, 0);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();

        for (int i = 0; i < 20_000; i++)
        {
            armRing(h, tso.bytes.length, csum.bytes.length);
            h.device.pollTx(h.nowNs, 64);
        }
        final long framesBefore = sink.frames;
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 1_000; i++)
        {
            armRing(h, tso.bytes.length, csum.bytes.length);
            h.device.pollTx(h.nowNs, 64);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertEquals(0, allocated);
        assertEquals(1_000 * (6 + 1 + 1), sink.frames - framesBefore);
        assertEquals(21_000, h.counter(PortCounter.TX_DROP_DMA_FAULT));
    }
}
