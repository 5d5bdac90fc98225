package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;

/**
 * ICR/ICS/IMS/IMC semantics and interrupt moderation (SDM 13.4.17-13.4.21, 3.4.3). The line is
 * {@code (ICR & IMS) != 0}, delayed by moderation; all time comes from the {@code nowNs} the caller passes.
 * <p>
 * SKELETON: moderation (ITR, TIDV/TADV, RDTR/RADV as separate deadlines) is to be completed.
 */
public final class InterruptController
{
    private final RegisterImage registers;
    private final InterruptLine line;
    private boolean lineAsserted;

    /**
     * @param registers the port's register image (ICR and IMS are stored there).
     * @param line      where the moderated level goes.
     */
    public InterruptController(final RegisterImage registers, final InterruptLine line)
    {
        this.registers = registers;
        this.line = line;
    }

    /**
     * Set interrupt causes (device events and ICS writes).
     *
     * @param causes ICR bits.
     * @param nowNs  current time.
     */
    public void raise(final int causes, final long nowNs)
    {
        registers.set(E1000Registers.ICR, registers.get(E1000Registers.ICR) | causes);
        update(nowNs);
    }

    /**
     * A TX descriptor with IDE was processed: the TX interrupt is subject to TIDV/TADV (SDM 3.4.3.1).
     *
     * @param nowNs current time.
     */
    public void onTxIdeSeen(final long nowNs)
    {
    }

    /**
     * Read ICR: returns the causes and clears them (SDM 13.4.17).
     *
     * @param nowNs current time.
     * @return ICR value before clearing.
     */
    public int readIcr(final long nowNs)
    {
        final int icr = registers.get(E1000Registers.ICR);
        registers.set(E1000Registers.ICR, 0);
        update(nowNs);
        return icr;
    }

    /**
     * Re-evaluate the line.
     *
     * @param nowNs current time.
     */
    public void update(final long nowNs)
    {
        final boolean asserted = 0 != (registers.get(E1000Registers.ICR) & registers.get(E1000Registers.IMS));
        if (asserted != lineAsserted)
        {
            lineAsserted = asserted;
            line.onLevelChange(asserted);
        }
    }

    /**
     * Fire expired moderation deadlines.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int onTimers(final long nowNs)
    {
        return 0;
    }

    /**
     * @return whether the line is asserted.
     */
    public boolean isLineAsserted()
    {
        return lineAsserted;
    }
}
