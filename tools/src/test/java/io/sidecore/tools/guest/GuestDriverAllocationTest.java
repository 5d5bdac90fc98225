package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model is the synthetic guest of the benchmarks: its steady state (send, TX completion, receive, interrupt,
 * NAPI, ITR update) allocates nothing, measured with the JVM's per-thread allocation counter.
 */
class GuestDriverAllocationTest
{
    private static final int FRAME_BYTES = 256;
    private static final int WARM_UP_CYCLES = 50_000;
    private static final int ROUNDS = 10;
    private static final int CYCLES_PER_ROUND = 2_000;

    private final FakeE1000 device = new FakeE1000();
    private final GuestRam ram = GuestRam.allocate(0x100_0000L, 2 * 1024 * 1024);
    private final AtomicBuffer memory = ram.buffer();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
    private long framesSeen;
    private GuestDriverModel model;

    private void cycle(final int i)
    {
        model.send(frame, 0, FRAME_BYTES);
        // The device completes the frame and receives one.
        final int txIndex = i % 256;
        memory.putIntVolatile(ram.offset(model.txRingGpa(), 4096) + txIndex * 16 + 12, E1000TxDescriptor.STA_DD);
        final int rxDescriptor = ram.offset(model.rxRingGpa(), 4096) + (i % 256) * 16;
        memory.putShort(rxDescriptor + E1000RxDescriptor.LENGTH_OFFSET, (short)(FRAME_BYTES + 4),
            ByteOrder.LITTLE_ENDIAN);
        memory.putByteVolatile(rxDescriptor + E1000RxDescriptor.STATUS_OFFSET,
            (byte)(E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP));
        device.bar0Write(E1000Registers.ICS, E1000Registers.ICR_RXT0 | E1000Registers.ICR_TXDW);
        model.onInterrupt();
    }

    @Test
    void shouldNotAllocateWhenSendingReceivingAndServicingInterruptsInSteadyState()
    {
        device.recording = false;
        model = new GuestDriverModel(device, ram, new GuestDriverConfig().interruptThrottleRate(1),
            (buffer, offset, lengthBytes, status, special) -> framesSeen++);
        model.probe();
        model.open();
        model.onInterrupt();
        frame.setMemory(0, 6, (byte)0xFF);
        for (int i = 0; i < WARM_UP_CYCLES; i++)
        {
            cycle(i);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long framesBefore = framesSeen;

        // Ten rounds of 2000 cycles. Any allocation on the path, even once per thousand cycles, shows up in every
        // round; a round or two may see a one-off from a late JIT recompilation on a busy machine (deoptimisation
        // re-materialises scalar-replaced objects on this thread).
        int allocatingRounds = 0;
        long allocatedTotal = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < CYCLES_PER_ROUND; i++)
            {
                cycle(WARM_UP_CYCLES + round * CYCLES_PER_ROUND + i);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            allocatedTotal += allocated;
            if (0 != allocated)
            {
                allocatingRounds++;
            }
        }

        assertTrue(allocatingRounds <= 2, "rounds that allocated: " + allocatingRounds + ", bytes=" + allocatedTotal);
        assertEquals(ROUNDS * CYCLES_PER_ROUND, framesSeen - framesBefore);
        assertEquals(WARM_UP_CYCLES + ROUNDS * CYCLES_PER_ROUND, model.txCompletedFrames());
    }
}
