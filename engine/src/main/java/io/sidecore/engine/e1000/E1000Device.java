package io.sidecore.engine.e1000;

import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;

/**
 * One emulated 82540EM: the device model of one guest NIC. Only the agent thread that owns the port calls it.
 * <p>
 * Entry points: trapped accesses from the VMM ({@link #configRead}, {@link #mmioRead}, {@link #mmioWrite},
 * {@link #ioRead}, {@link #ioWrite}), doorbell polling and TX ({@link #pollTx}), frames from the backend
 * ({@link #receive}) and moderation timers ({@link #onTimers}). No guest input makes any of them throw.
 * <p>
 * SKELETON: register semantics to be completed.
 */
public final class E1000Device
{
    final PortConfig config;
    final RegisterImage registers;
    final GuestMemory guestMemory;
    final PortCounters counters;
    final Statistics statistics;
    final InterruptController interrupts;
    final FrameSink sink;
    final TxProcessor tx;
    final RxProcessor rx;
    private boolean faulted;
    private String faultReason;

    /**
     * @param config      identity and policy.
     * @param registers   the BAR0 image (shared with the guest for the shared pages).
     * @param guestMemory the guest's RAM.
     * @param counters    host-side counters.
     * @param sink        where transmitted frames go.
     * @param line        interrupt output.
     */
    public E1000Device(
        final PortConfig config,
        final RegisterImage registers,
        final GuestMemory guestMemory,
        final PortCounters counters,
        final FrameSink sink,
        final InterruptLine line)
    {
        this.config = config;
        this.registers = registers;
        this.guestMemory = guestMemory;
        this.counters = counters;
        this.sink = sink;
        this.statistics = new Statistics(registers);
        this.interrupts = new InterruptController(registers, line);
        this.tx = new TxProcessor(this);
        this.rx = new RxProcessor(this);
    }

    /**
     * Read PCI configuration space.
     *
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @return value.
     */
    public int configRead(final int offset, final int sizeBytes)
    {
        return 0;
    }

    /**
     * Write PCI configuration space.
     *
     * @param offset    byte offset.
     * @param sizeBytes 1, 2 or 4.
     * @param value     value.
     */
    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
    }

    /**
     * Trapped 32-bit BAR0 read.
     *
     * @param offset BAR0 byte offset.
     * @param nowNs  current time.
     * @return value.
     */
    public int mmioRead(final int offset, final long nowNs)
    {
        counters.increment(PortCounter.TRAPPED_READS);
        if (offset < 0 || offset > E1000Registers.BAR0_LENGTH - 4 || 0 != (offset & 3))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return 0;
        }
        if (E1000Registers.ICR == offset)
        {
            counters.increment(PortCounter.ICR_READS);
            return interrupts.readIcr(nowNs);
        }
        return registers.get(offset);
    }

    /**
     * Trapped 32-bit BAR0 write.
     *
     * @param offset BAR0 byte offset.
     * @param value  value.
     * @param nowNs  current time.
     */
    public void mmioWrite(final int offset, final int value, final long nowNs)
    {
        counters.increment(PortCounter.TRAPPED_WRITES);
        if (offset < 0 || offset > E1000Registers.BAR0_LENGTH - 4 || 0 != (offset & 3))
        {
            counters.increment(PortCounter.BAD_REGISTER_ACCESSES);
            return;
        }
        switch (offset)
        {
            case E1000Registers.IMS:
                registers.set(E1000Registers.IMS, registers.get(E1000Registers.IMS) | value);
                interrupts.update(nowNs);
                break;
            case E1000Registers.IMC:
                registers.set(E1000Registers.IMS, registers.get(E1000Registers.IMS) & ~value);
                interrupts.update(nowNs);
                break;
            case E1000Registers.ICS:
                interrupts.raise(value, nowNs);
                break;
            case E1000Registers.TDT:
            case E1000Registers.RDT:
                counters.increment(PortCounter.DOORBELLS_TRAPPED);
                registers.setRelease(offset, value & E1000Registers.HEAD_TAIL_MASK);
                break;
            default:
                registers.set(offset, value);
                break;
        }
    }

    /**
     * Trapped BAR1 (I/O) read: IOADDR, or IODATA proxying the BAR0 register IOADDR selects (SDM 13.2).
     *
     * @param offset BAR1 byte offset.
     * @param nowNs  current time.
     * @return value.
     */
    public int ioRead(final int offset, final long nowNs)
    {
        return 0;
    }

    /**
     * Trapped BAR1 (I/O) write.
     *
     * @param offset BAR1 byte offset.
     * @param value  value.
     * @param nowNs  current time.
     */
    public void ioWrite(final int offset, final int value, final long nowNs)
    {
    }

    /**
     * Poll the TX doorbell and process up to {@code descriptorBudget} descriptors.
     *
     * @param nowNs            current time.
     * @param descriptorBudget bound on descriptors.
     * @return work done.
     */
    public int pollTx(final long nowNs, final int descriptorBudget)
    {
        if (faulted)
        {
            return 0;
        }
        return tx.process(nowNs, descriptorBudget);
    }

    /**
     * A frame from the backend or switch for this port's guest.
     *
     * @param frame       bytes.
     * @param offset      first byte.
     * @param lengthBytes length without FCS.
     * @param nowNs       current time.
     * @return true if delivered; false if dropped (and counted).
     */
    public boolean receive(final org.agrona.DirectBuffer frame, final int offset, final int lengthBytes,
        final long nowNs)
    {
        if (faulted)
        {
            counters.increment(PortCounter.RX_DROP_DISABLED);
            return false;
        }
        return rx.receive(frame, offset, lengthBytes, nowNs);
    }

    /**
     * Fire expired moderation deadlines.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int onTimers(final long nowNs)
    {
        return interrupts.onTimers(nowNs);
    }

    /**
     * Quarantine the port after a ring-level guest fault: it stops processing until reset.
     *
     * @param reason why.
     */
    void fault(final String reason)
    {
        if (!faulted)
        {
            faulted = true;
            faultReason = reason;
            counters.increment(PortCounter.RING_FAULTS);
        }
    }

    /**
     * PCI command register bus-master bit: gates every DMA the device does (SDM 4.1).
     *
     * @return true if the device may access guest memory.
     */
    public boolean isBusMasterEnabled()
    {
        return true;
    }

    /**
     * @return STATUS.LU.
     */
    public boolean isLinkUp()
    {
        return 0 != (registers.get(E1000Registers.STATUS) & E1000Registers.STATUS_LU);
    }

    /**
     * @return true if quarantined.
     */
    public boolean isFaulted()
    {
        return faulted;
    }

    /**
     * @return fault reason or null.
     */
    public String faultReason()
    {
        return faultReason;
    }

    /**
     * @return identity.
     */
    public PortConfig config()
    {
        return config;
    }

    /**
     * @return the register image.
     */
    public RegisterImage registers()
    {
        return registers;
    }

    /**
     * @return host counters.
     */
    public PortCounters counters()
    {
        return counters;
    }

    /**
     * @return interrupt state.
     */
    public InterruptController interrupts()
    {
        return interrupts;
    }
}
