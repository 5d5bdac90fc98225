package io.sidecore.bench.demo;

import io.sidecore.tools.guest.DeviceRegisters;
import io.sidecore.tools.guest.GuestDriverModel;

/**
 * What the guests' drivers counted, as a VMM would see it: interrupts taken, accesses that trapped (a VM exit each
 * on real hardware) and writes into the shared doorbell pages (no exit).
 */
enum GuestStat
{
    /** Interrupt handler runs (eventfd fired). */
    INTERRUPTS,
    /** Trapped register reads and writes: BAR0 outside the shared pages, and BAR1. */
    TRAPPED_ACCESSES,
    /** Register writes into the shared pages (TDT/RDT doorbells). */
    SHARED_PAGE_WRITES,
    /** Attempts to queue a frame into a full TX ring. */
    TX_RING_FULL;

    /** Number of constants. */
    static final int COUNT = values().length;

    /**
     * Read every guest's counts into {@code values[guest * COUNT + stat]}. Guest thread.
     *
     * @param guests the guests.
     * @param values destination.
     */
    static void read(final GuestPort[] guests, final long[] values)
    {
        for (int i = 0; i < guests.length; i++)
        {
            final GuestDriverModel model = guests[i].model();
            final DeviceRegisters registers = model.registers();
            final int base = i * COUNT;
            values[base + INTERRUPTS.ordinal()] = model.interrupts();
            values[base + TRAPPED_ACCESSES.ordinal()] =
                registers.trappedReads() + registers.trappedWrites() + registers.ioAccesses();
            values[base + SHARED_PAGE_WRITES.ordinal()] = registers.sharedWrites();
            values[base + TX_RING_FULL.ordinal()] = model.txRingFullEvents();
        }
    }
}
