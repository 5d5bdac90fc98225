package io.sidecore.engine.port;

import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.InterruptController;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.CsbDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

/**
 * The host side of the Communication Status Block ({@link CsbDescriptor}, Rizzo/Lettieri/Maffione, ANCS 2013) of one
 * port that offers it. Only the owning agent uses it.
 * <p>
 * <b>Registration.</b> CSBAL/CSBAH live in the shared RX ring page, so their writes do not trap: every pass compares
 * CSBAL with its last value, and a change commits the address (the guest writes CSBAH first). The block is served
 * only if the address is aligned, the whole block translates into guest memory, and the version (read first, with
 * acquire) and magic are right; then the host group is initialised and {@code host_version} written last. Anything
 * else leaves the port in register mode without touching guest memory. A zero address, or a MAC reset (which clears
 * CSBAL/CSBAH), releases the block. When a guest-memory region is removed or replaced (the VMM unmapped it), the
 * block is translated again before its next use, and released if it is no longer mapped.
 * <p>
 * <b>Doorbells.</b> While served, {@code guest_tdt}/{@code guest_rdt} are read once per pass (acquire) and a change
 * is applied exactly as a TDT/RDT write: the value is stored into the register image, where the TX and RX
 * processors validate it against the ring (so a tail beyond the ring faults the port like a bad TDT write), and
 * counted in {@link PortCounter#DOORBELLS_CSB}. After the pass, TDH/RDH are published to {@code host_tdh}/
 * {@code host_rdh} when they moved. The host never reads its own group back.
 * <p>
 * <b>Kicks.</b> While the sidecore polls, {@code host_need_txkick} stays 0, so the guest never kicks. Before the
 * sidecore parks, {@link #prepareToPark()} sets it to 1 with a volatile store and re-reads {@code guest_tdt} with a
 * volatile load (the store-load fence the protocol requires); new work cancels the park. Waking clears it. A kick is
 * the guest writing TDT or RDT (in the shared page or trapped) while its block is served: the host applies the
 * guest's tails to those registers itself, so a register that differs from the tail the host last applied was
 * written by the guest, and is counted once in {@link PortCounter#CSB_KICKS} at the next pass. (A kick that writes the
 * very tail the host has just taken from the block cannot be told from no write at all and is not counted.)
 * {@code host_need_rxkick} is set when a frame for this port was dropped for want of RX buffers (and before a park),
 * and cleared once buffers are available again. {@code host_txcycles_lim} is published as 0: this host asks for TX
 * kicks only when it parks.
 * <p>
 * <b>Interrupt suppression.</b> The guest's {@code guest_need_rxkick}/{@code guest_need_txkick} say whether it wants
 * RX ({@link #RX_COMPLETION_CAUSES}) and TX ({@link #TX_COMPLETION_CAUSES}) completion interrupts; while a flag is
 * {@link CsbDescriptor#NO_KICK} (the guest polls in NAPI) those causes are withheld
 * ({@link InterruptController#suppressCauses}), any other value lets them through, so a guest that scribbles on its
 * flags at worst gets the interrupts a plain e1000 would post. The flags are read when the block is registered,
 * at the end of every pass, and before a park. The end-of-pass read follows this pass's descriptor write-backs;
 * when an interrupt is being withheld it is preceded by a full fence, the host half of the protocol's "set flag,
 * then re-read" handshake: the guest stores its flag, then looks for completed descriptors; the host completes
 * descriptors, then reads the flag, so at least one of them sees the other and an interrupt the guest asks for
 * right after its last look is posted in the same pass. Other causes (link, overrun, ...) are never suppressed.
 * <p>
 * <b>Bus mastering.</b> The block is guest memory, so the host reads and writes it only while the PCI command
 * register allows the device to master the bus (PCI 3.0 6.2.2, bit 2): with it off the block is released, and
 * registered again (validated anew) once it is back on. A whole-device reset releases it too ({@link #reset}).
 */
public final class CsbPort
{
    /** Causes withheld while {@code guest_need_rxkick} is 0: receive completion and the descriptor low mark. */
    public static final int RX_COMPLETION_CAUSES = E1000Registers.ICR_RXT0 | E1000Registers.ICR_RXDMT0;
    /** Causes withheld while {@code guest_need_txkick} is 0: descriptors done, queue empty, descriptor low mark. */
    public static final int TX_COMPLETION_CAUSES =
        E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE | E1000Registers.ICR_TXD_LOW;
    private static final byte[] NO_BLOCK = new byte[0];

    private final RegisterImage registers;
    private final GuestMemory guestMemory;
    private final PortCounters counters;
    private final InterruptController interrupts;
    private final E1000Device device;
    private final UnsafeBuffer csb;
    private boolean active;
    private boolean registrationStale;
    private long csbGpa;
    private long csbMappingEpoch;
    private int lastCsbal;
    private int appliedTdt;
    private int appliedRdt;
    private int lastGuestTdt;
    private int lastGuestRdt;
    private int publishedTdh;
    private int publishedRdh;
    private boolean txKickRequested;
    private boolean rxKickRequested;
    private long lastRingFullDrops;
    private int suppressedCauses;

    CsbPort(
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final PortCounters counters,
        final E1000Device device)
    {
        this.registers = registers;
        this.guestMemory = guestMemory;
        this.counters = counters;
        this.interrupts = device.interrupts();
        this.device = device;
        this.csb = guestMemory.newView(true);
    }

    /**
     * Count the kicks the guest wrote into the doorbell registers since the last pass, before something else (a
     * trapped write, a reset, a new binding) takes the registers' tails as seen; what {@link #poll} would count
     * first thing in the next pass. Nothing while no block is served.
     *
     * @param port  the port, whose doorbell shadows follow the kicks.
     * @param nowNs current time.
     * @return kicks counted (0 to 2).
     */
    int takeKicks(final Port port, final long nowNs)
    {
        if (!device.isBusMasterEnabled() || !isServed(nowNs))
        {
            return 0;
        }
        return detectKick(port, E1000Registers.TDT, appliedTdt) + detectKick(port, E1000Registers.RDT, appliedRdt);
    }

    /**
     * Check for (re)registration, then apply new guest tails. Start of the port's pass.
     *
     * @param port  the port, whose doorbell shadows follow the applied tails.
     * @param nowNs current time.
     * @return work done.
     */
    int poll(final Port port, final long nowNs)
    {
        if (!device.isBusMasterEnabled())
        {
            if (active)
            {
                release(nowNs);
            }
            registrationStale = true;
            return 0;
        }
        int workCount = 0;
        final int csbal = registers.getAcquire(E1000Registers.CSBAL);
        if (csbal != lastCsbal || registrationStale)
        {
            lastCsbal = csbal;
            registrationStale = false;
            register(csbal, registers.getAcquire(E1000Registers.CSBAH), nowNs);
            workCount++;
        }
        if (!isServed(nowNs))
        {
            return workCount;
        }
        workCount += detectKick(port, E1000Registers.TDT, appliedTdt);
        workCount += detectKick(port, E1000Registers.RDT, appliedRdt);

        final int guestTdt = csb.getIntVolatile(CsbDescriptor.GUEST_TDT_FIELD_OFFSET);
        if (guestTdt != lastGuestTdt)
        {
            lastGuestTdt = guestTdt;
            appliedTdt = guestTdt;
            registers.setRelease(E1000Registers.TDT, guestTdt);
            port.onCsbTail(E1000Registers.TDT, guestTdt);
            counters.increment(PortCounter.DOORBELLS_CSB);
            workCount++;
        }
        final int guestRdt = csb.getIntVolatile(CsbDescriptor.GUEST_RDT_FIELD_OFFSET);
        if (guestRdt != lastGuestRdt)
        {
            lastGuestRdt = guestRdt;
            appliedRdt = guestRdt;
            registers.setRelease(E1000Registers.RDT, guestRdt);
            port.onCsbTail(E1000Registers.RDT, guestRdt);
            counters.increment(PortCounter.DOORBELLS_CSB);
            workCount++;
        }
        return workCount;
    }

    /**
     * Publish head progress and the RX kick request, and take the guest's interrupt wishes. End of the port's pass.
     *
     * @param nowNs current time.
     */
    void publish(final long nowNs)
    {
        if (!active)
        {
            return;
        }
        if (interrupts.isInterruptSuppressed())
        {
            // Order this pass's descriptor write-backs before the flag reads (see the class description).
            VarHandle.fullFence();
        }
        updateSuppression(nowNs);
        final int tdh = registers.getAcquire(E1000Registers.TDH);
        if (tdh != publishedTdh)
        {
            publishedTdh = tdh;
            csb.putIntRelease(CsbDescriptor.HOST_TDH_FIELD_OFFSET, tdh);
        }
        final int rdh = registers.getAcquire(E1000Registers.RDH);
        if (rdh != publishedRdh)
        {
            publishedRdh = rdh;
            csb.putIntRelease(CsbDescriptor.HOST_RDH_FIELD_OFFSET, rdh);
        }

        final long ringFullDrops = counters.get(PortCounter.RX_DROP_RING_FULL);
        if (ringFullDrops != lastRingFullDrops)
        {
            lastRingFullDrops = ringFullDrops;
            if (!rxKickRequested)
            {
                rxKickRequested = true;
                csb.putIntVolatile(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
            }
        }
        else if (rxKickRequested && rdh != (registers.getAcquire(E1000Registers.RDT) & E1000Registers.HEAD_TAIL_MASK))
        {
            rxKickRequested = false;
            csb.putIntRelease(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        }
    }

    /**
     * The sidecore is about to park: ask the guest to kick, then look once more for work.
     *
     * @param nowNs time of the agent's last duty cycle.
     * @return true if the guest published new work meanwhile (do not park).
     */
    boolean prepareToPark(final long nowNs)
    {
        if (!isServed(nowNs))
        {
            return false;
        }
        txKickRequested = true;
        csb.putIntVolatile(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        if (!rxKickRequested)
        {
            rxKickRequested = true;
            csb.putIntVolatile(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NEED_KICK);
        }
        // A guest that asked for an interrupt after the last pass must not wait for the park to end.
        updateSuppression(nowNs);
        return csb.getIntVolatile(CsbDescriptor.GUEST_TDT_FIELD_OFFSET) != lastGuestTdt ||
            csb.getIntVolatile(CsbDescriptor.GUEST_RDT_FIELD_OFFSET) != lastGuestRdt;
    }

    /**
     * The sidecore polls again: no kicks needed.
     */
    void onWake()
    {
        if (guestMemory.mappingEpoch() != csbMappingEpoch)
        {
            return; // the block may be gone: the next poll translates it again, or releases it
        }
        if (txKickRequested)
        {
            txKickRequested = false;
            csb.putIntRelease(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        }
        if (rxKickRequested)
        {
            rxKickRequested = false;
            csb.putIntRelease(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        }
    }

    /**
     * @return true while the guest's block is served.
     */
    boolean isActive()
    {
        return active;
    }

    /**
     * @return the causes withheld on the guest's behalf (agent thread, tests).
     */
    int suppressedCauses()
    {
        return suppressedCauses;
    }

    /**
     * Whole-device reset: release the block without touching it (its address registers are cleared by the reset,
     * and bus mastering is off).
     *
     * @param nowNs current time.
     */
    void reset(final long nowNs)
    {
        release(nowNs);
        lastCsbal = 0;
        registrationStale = false;
    }

    /**
     * A doorbell register the guest wrote since the host last applied a tail there is a kick.
     */
    private int detectKick(final Port port, final int doorbellOffset, final int applied)
    {
        final int doorbell = registers.getAcquire(doorbellOffset);
        if (doorbell == applied)
        {
            return 0;
        }
        if (E1000Registers.TDT == doorbellOffset)
        {
            appliedTdt = doorbell;
        }
        else
        {
            appliedRdt = doorbell;
        }
        port.onCsbTail(doorbellOffset, doorbell);
        counters.increment(PortCounter.CSB_KICKS);
        return 1;
    }

    private void release(final long nowNs)
    {
        active = false;
        txKickRequested = false;
        rxKickRequested = false;
        csb.wrap(NO_BLOCK);
        applySuppression(0, nowNs);
    }

    /**
     * Read the guest's need-kick flags once each and withhold the completion causes it does not want.
     */
    private void updateSuppression(final long nowNs)
    {
        int causes = 0;
        if (CsbDescriptor.NO_KICK == csb.getIntVolatile(CsbDescriptor.GUEST_NEED_RXKICK_FIELD_OFFSET))
        {
            causes |= RX_COMPLETION_CAUSES;
        }
        if (CsbDescriptor.NO_KICK == csb.getIntVolatile(CsbDescriptor.GUEST_NEED_TXKICK_FIELD_OFFSET))
        {
            causes |= TX_COMPLETION_CAUSES;
        }
        applySuppression(causes, nowNs);
    }

    /**
     * @return true while the block is served, translated again first if guest memory changed since.
     */
    private boolean isServed(final long nowNs)
    {
        if (active && guestMemory.mappingEpoch() != csbMappingEpoch)
        {
            remap(nowNs);
        }
        return active;
    }

    /**
     * A guest-memory region was removed or replaced (DMA_UNMAP): the block's host address may point into memory
     * that is gone. Translate it again, keeping the doorbell state, or stop serving it if it is no longer mapped
     * writable with the right version and magic.
     */
    private void remap(final long nowNs)
    {
        csbMappingEpoch = guestMemory.mappingEpoch();
        final long address = guestMemory.translateForWrite(csbGpa, CsbDescriptor.CSB_LENGTH);
        if (GuestMemory.NO_MAPPING != address)
        {
            csb.wrap(address, CsbDescriptor.CSB_LENGTH);
            final int version = csb.getIntAcquire(CsbDescriptor.VERSION_FIELD_OFFSET);
            final int magic = csb.getInt(CsbDescriptor.MAGIC_FIELD_OFFSET);
            if (CsbDescriptor.CSB_OK == CsbDescriptor.csbStatus(magic, version))
            {
                return;
            }
        }
        // Nothing may touch the old address again: not even onWake's withdrawal of a kick request.
        release(nowNs);
    }

    private void applySuppression(final int causes, final long nowNs)
    {
        if (causes != suppressedCauses)
        {
            suppressedCauses = causes;
            interrupts.suppressCauses(causes, nowNs);
        }
    }

    private void register(final int csbal, final int csbah, final long nowNs)
    {
        // Register mode (or a block that fails validation): every interrupt as a plain e1000 posts it.
        release(nowNs);
        final long gpa = CsbDescriptor.csbGpa(csbal, csbah);
        if (0 == gpa || !CsbDescriptor.isCsbAddressAligned(gpa))
        {
            return;
        }
        final long address = guestMemory.translateForWrite(gpa, CsbDescriptor.CSB_LENGTH);
        if (GuestMemory.NO_MAPPING == address)
        {
            return;
        }
        csbGpa = gpa;
        csbMappingEpoch = guestMemory.mappingEpoch();
        csb.wrap(address, CsbDescriptor.CSB_LENGTH);
        final int version = csb.getIntAcquire(CsbDescriptor.VERSION_FIELD_OFFSET);
        final int magic = csb.getInt(CsbDescriptor.MAGIC_FIELD_OFFSET);
        if (CsbDescriptor.CSB_OK != CsbDescriptor.csbStatus(magic, version))
        {
            return;
        }

        // The tails the device acts on are the baseline: a guest_tdt/guest_rdt published before the block was (again)
        // served, e.g. while bus mastering was off, differs from them and is applied by this same poll.
        appliedTdt = registers.getAcquire(E1000Registers.TDT);
        appliedRdt = registers.getAcquire(E1000Registers.RDT);
        lastGuestTdt = appliedTdt;
        lastGuestRdt = appliedRdt;
        publishedTdh = registers.getAcquire(E1000Registers.TDH);
        publishedRdh = registers.getAcquire(E1000Registers.RDH);
        lastRingFullDrops = counters.get(PortCounter.RX_DROP_RING_FULL);
        csb.putInt(CsbDescriptor.HOST_TDH_FIELD_OFFSET, publishedTdh);
        csb.putInt(CsbDescriptor.HOST_RDH_FIELD_OFFSET, publishedRdh);
        csb.putInt(CsbDescriptor.HOST_NEED_TXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        csb.putInt(CsbDescriptor.HOST_NEED_RXKICK_FIELD_OFFSET, CsbDescriptor.NO_KICK);
        csb.putInt(CsbDescriptor.HOST_TXCYCLES_LIM_FIELD_OFFSET, 0);
        csb.putInt(CsbDescriptor.HOST_TXCYCLES_FIELD_OFFSET, 0);
        csb.putIntVolatile(CsbDescriptor.HOST_VERSION_FIELD_OFFSET, CsbDescriptor.CSB_VERSION);
        active = true;
        updateSuppression(nowNs);
    }
}
