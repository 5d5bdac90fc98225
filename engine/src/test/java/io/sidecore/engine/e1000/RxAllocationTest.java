package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive path allocates nothing in steady state, on every branch a busy port takes: delivery (padding, VLAN
 * strip, checksum offload, spanning), filter drops, oversize drops and ring-full drops.
 */
class RxAllocationTest
{
    private static final int RING = 256;
    private static final int ROUNDS_PER_WINDOW = 5000;
    /**
     * A window receives 35,000 frames, so one allocation per frame, however small, shows as hundreds of kilobytes.
     * The bound only absorbs the rare bytes the JIT itself attributes to the thread (deoptimisation, OSR); run with
     * -Xint the receive path measures exactly 0 after its first frames.
     */
    private static final long NOISE_BYTES = 1024;

    @Test
    void shouldNotAllocateWhenReceivingAndDropping()
    {
        final DeviceHarness h = new DeviceHarness();
        RxFrames.ready(h, RING);
        h.write(E1000Registers.CTRL, E1000Registers.CTRL_SLU | E1000Registers.CTRL_VME);
        h.write(E1000Registers.RXCSUM, E1000Registers.RXCSUM_IPOFL | E1000Registers.RXCSUM_TUOFL);
        h.write(E1000Registers.RCTL, h.registers.get(E1000Registers.RCTL) | E1000Registers.RCTL_LPE);
        final UnsafeBuffer[] frames = {
            new UnsafeBuffer(DeviceHarness.broadcastFrame(1000, 1)),
            new UnsafeBuffer(DeviceHarness.broadcastFrame(30, 2)),
            new UnsafeBuffer(RxFrames.tagged(RxFrames.BROADCAST, RxFrames.VET_8021Q, 5, 500, 3)),
            new UnsafeBuffer(RxFrames.ipv4(RxFrames.PROTOCOL_TCP, 1400, 7)),
            new UnsafeBuffer(DeviceHarness.broadcastFrame(5000, 4)),
            new UnsafeBuffer(RxFrames.frame(new byte[]{0x02, 9, 9, 9, 9, 9}, RxFrames.ETHER_TYPE_TEST, 100, 5)),
            new UnsafeBuffer(DeviceHarness.broadcastFrame(17000, 6)),
        };
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        receiveAll(h, frames, 20_000);
        for (int window = 0; window < 5; window++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            receiveAll(h, frames, ROUNDS_PER_WINDOW);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < NOISE_BYTES, "window " + window + " allocated " + allocated + " bytes");
        }
        assertTrue(h.counter(PortCounter.RX_FRAMES) > 0);
        assertTrue(h.counter(PortCounter.RX_DROP_FILTERED) > 0);
        assertTrue(h.counter(PortCounter.RX_DROP_OVERSIZE) > 0);
        assertTrue(h.counter(PortCounter.RX_DROP_RING_FULL) > 0);
    }

    private static void receiveAll(final DeviceHarness h, final UnsafeBuffer[] frames, final int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < frames.length; i++)
            {
                h.device.receive(frames[i], 0, frames[i].capacity(), h.nowNs);
            }
            final int head = h.registers.getAcquire(E1000Registers.RDH);
            final int tail = 0 == (round & 7) ? head : (head + RING - 1) % RING;
            h.writeShared(E1000Registers.RDT, tail);
        }
    }
}
