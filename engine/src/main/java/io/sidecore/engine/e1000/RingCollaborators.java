package io.sidecore.engine.e1000;

import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;

/**
 * What the TX and RX processors of one port work with, handed to each at construction so that neither reaches into
 * {@link E1000Device}.
 *
 * @param registers   the register image: ring registers, control registers, STATUS.LU; heads are published here.
 * @param guestMemory where the rings and buffers are.
 * @param counters    host counters.
 * @param statistics  the guest-visible statistics registers.
 * @param interrupts  causes and moderation timers.
 * @param pci         the PCI command register's bus-master bit, which gates every DMA (SDM 4.1).
 * @param faults      where a ring the device cannot trust quarantines the port.
 */
record RingCollaborators(
    RegisterImage registers,
    GuestMemory guestMemory,
    PortCounters counters,
    Statistics statistics,
    InterruptController interrupts,
    PciConfigSpace pci,
    PortFaultState faults)
{
}
