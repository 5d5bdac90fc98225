package io.sidecore.tools.guest;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.CompilationMXBean;
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
    private static final long JIT_QUIET_MS = 1_000;
    private static final long WARM_UP_LIMIT_MS = 60_000;
    private static final int ROUNDS = 40;
    private static final int MIN_CLEAN_ROUNDS = 10;
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

    /**
     * Run the cycle until the JIT has finished with it: at least {@link #WARM_UP_CYCLES}, then on until the JVM's
     * total compilation time stayed the same for {@link #JIT_QUIET_MS} of cycling. A fixed count alone is not a warm
     * state on a loaded machine: 50 000 cycles take a fifth of a second, and C2 compiled the path only half a second
     * after the measurement had started (JFR), so the old test measured tier transitions and the deoptimisations
     * that come with them.
     *
     * @return cycles run.
     */
    private int warmUpUntilTheJitIsQuiet()
    {
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        final long limitMs = System.currentTimeMillis() + WARM_UP_LIMIT_MS;
        int cycles = 0;
        long compiledMs = -1;
        long quietSinceMs = System.currentTimeMillis();
        while (true)
        {
            for (int i = 0; i < CYCLES_PER_ROUND; i++)
            {
                cycle(cycles++);
            }
            final long nowMs = System.currentTimeMillis();
            final long totalMs = jit.getTotalCompilationTime();
            if (totalMs != compiledMs)
            {
                compiledMs = totalMs;
                quietSinceMs = nowMs;
            }
            else if (cycles >= WARM_UP_CYCLES && nowMs - quietSinceMs >= JIT_QUIET_MS)
            {
                return cycles;
            }
            if (nowMs > limitMs)
            {
                throw new AssertionError("the JIT did not settle within " + WARM_UP_LIMIT_MS + " ms of warm-up (" +
                    cycles + " cycles)");
            }
        }
    }

    @Test
    void shouldNotAllocateWhenSendingReceivingAndServicingInterruptsInSteadyState() throws InterruptedException
    {
        try (JitActivity jit = JitActivity.start())
        {
            device.recording = false;
            model = new GuestDriverModel(device, ram, new GuestDriverConfig().interruptThrottleRate(1),
                (buffer, offset, lengthBytes, status, special) -> framesSeen++);
            model.probe();
            model.open();
            model.onInterrupt();
            frame.setMemory(0, 6, (byte)0xFF);
            final int warmUpCycles = warmUpUntilTheJitIsQuiet();
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long framesBefore = framesSeen;

            // Rounds of 2000 cycles, each measured with this thread's allocation counter. Any allocation on the path,
            // even once per thousand cycles, shows in every round. The JIT's own work may not: while a method runs
            // deoptimised (interpreted, between a deoptimisation and its recompilation) the objects C2 had
            // scalar-replaced are allocated for real, on this thread. Such rounds are told apart by the JIT's events
            // (JFR), never by how much they allocated; every other round must allocate nothing.
            final long[] roundStartNs = new long[ROUNDS];
            final long[] roundEndNs = new long[ROUNDS];
            final long[] allocated = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++)
            {
                roundStartNs[round] = JitActivity.nowNs();
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CYCLES_PER_ROUND; i++)
                {
                    cycle(warmUpCycles + round * CYCLES_PER_ROUND + i);
                }
                allocated[round] = threads.getCurrentThreadAllocatedBytes() - before;
                roundEndNs[round] = JitActivity.nowNs();
            }
            jit.awaitEventsUntilNow();

            final String measuredJitEvents = jit.eventsBetween(roundStartNs[0], roundEndNs[ROUNDS - 1]);
            int cleanRounds = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                final String activity = jit.activityBetween(roundStartNs[0], roundStartNs[round], roundEndNs[round]);
                if (activity.isEmpty())
                {
                    assertEquals(0, allocated[round], "round " + round + " allocated " + allocated[round] +
                        " bytes with no JIT compilation or deoptimisation during it; JIT events: " + measuredJitEvents);
                    cleanRounds++;
                }
            }
            assertTrue(cleanRounds >= MIN_CLEAN_ROUNDS, "only " + cleanRounds + " of " + ROUNDS + " rounds ran " +
                "without JIT activity (at least " + MIN_CLEAN_ROUNDS + " must, to show the steady state); JIT " +
                "events: " + measuredJitEvents);
            assertEquals(ROUNDS * CYCLES_PER_ROUND, framesSeen - framesBefore);
            assertEquals(warmUpCycles + ROUNDS * CYCLES_PER_ROUND, model.txCompletedFrames());
        }
    }
}
