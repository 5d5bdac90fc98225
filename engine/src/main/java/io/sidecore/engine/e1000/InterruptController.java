package io.sidecore.engine.e1000;

import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;

/**
 * ICR/ICS/IMS/IMC semantics and interrupt moderation of one port (SDM 13.4.17-13.4.21, 13.4.18 ITR, 3.2.7.1 and
 * 13.4.30-13.4.31 RDTR/RADV, 13.4.41 and 13.4.44 TIDV/TADV). ICR and IMS live in the register image; all time is
 * the {@code nowNs} the caller passes.
 *
 * <h2>Model</h2>
 * A cause is latched in ICR the moment it happens (so an ICR read always reports everything that happened), but a
 * cause subject to a delay timer is <em>held</em>: it does not count towards the line until its delay expires. The
 * line level is
 * <pre>
 *   want = (ICR &amp; IMS &amp; ~held) != 0
 * </pre>
 * and it may only <em>rise</em> when the ITR window is closed. It falls as soon as {@code want} is false.
 *
 * <h2>Delays, each with its own deadline</h2>
 * <ul>
 *     <li><b>RX packet timer (RDTR)</b>: every {@link #raiseRx} with RXT0 (one call per delivered packet) holds RXT0
 *     and restarts the deadline {@code now + RDTR * 1.024 us}.</li>
 *     <li><b>RX absolute timer (RADV)</b>: started by the first held packet, {@code now + RADV * 1.024 us}, and not
 *     restarted by later packets. RADV = 0 disables it.</li>
 *     <li>RDTR = 0 means no RX delay at all: RXT0 counts at once and RADV is ignored (SDM 3.2.7.1.2).</li>
 *     <li><b>TX packet timer (TIDV)</b>: {@link #onTxIdeSeen} (one call per written-back descriptor with RS and IDE)
 *     restarts the deadline {@code now + TIDV * 1.024 us}; the following TXDW of that run is held.</li>
 *     <li><b>TX absolute timer (TADV)</b>: started by the first IDE descriptor, {@code now + TADV * 1.024 us}, not
 *     restarted. TADV = 0 disables it; TIDV = 0 ("not allowed", SDM 13.4.41) means no TX delay.</li>
 *     <li>When either timer of a direction expires, that direction's held cause is released and both its timers
 *     stop (SDM 13.4.30: an RADV expiry cancels the pending RDTR; 13.4.44: a TIDV expiry or an immediate TX
 *     interrupt halts TADV). An immediate raise of the same cause (RXT0 with RDTR = 0, TXDW without IDE, or an ICS
 *     write) releases it too.</li>
 *     <li>Clearing a held cause from ICR (read, or write-1-to-clear) stops its timers: the guest has seen it.</li>
 *     <li>A delayed raise of a cause that is already latched <em>and released</em> holds nothing and arms nothing:
 *     it is already deliverable.</li>
 * </ul>
 * All other causes (TXQE, LSC, RXSEQ, RXDMT0, RXO, MDAC, ICS writes, ...) are immediate.
 *
 * <h2>Throttling (ITR)</h2>
 * Each rising edge at time {@code t} opens a window that ends at {@code t + ITR * 256 ns}, with ITR read at the edge
 * (SDM 13.4.18: a guaranteed inter-interrupt delay; ITR = 0 disables throttling). A rising edge wanted inside the
 * window is deferred to its end. A deferred edge is dropped if {@code want} becomes false first (a polling guest
 * read ICR).
 *
 * <h2>Minimum moderation delay (host policy)</h2>
 * The host may impose a floor on the inter-interrupt interval ({@link #minModerationDelayNs(long)}, from the
 * engine's {@code minModerationDelayNs} setting): the window opened by an edge then lasts
 * {@code max(ITR * 256 ns, floor)}, so the edge itself is still raised at once and only the next one waits, exactly as
 * with ITR. A floor applies even when ITR = 0, capping a guest's interrupt rate at {@code 1 / floor} whatever it
 * programs. The default, 0, moderates exactly as the guest's ITR says. QEMU's newest e1000 hard-codes such a floor
 * of 500 ITR units, 128 µs ("at most 7813 interrupts/s"); here it is configurable and off by default. The floor is
 * host configuration, not device state: a MAC reset keeps it.
 *
 * <h2>Suppressed causes (CSB)</h2>
 * A port serving a CSB ({@code CsbDescriptor}) learns from {@code guest_need_rxkick}/{@code guest_need_txkick}
 * whether the guest wants RX and TX completion interrupts at all: while a flag is 0 the guest polls the ring and an
 * interrupt would only cost it an exit. The port passes the causes the guest does not want to
 * {@link #suppressCauses}; they keep being latched in ICR (an ICR read still reports them) and their delay timers
 * still run, but they do not count towards the line:
 * <pre>
 *   want = (ICR &amp; IMS &amp; ~held &amp; ~suppressed) != 0
 * </pre>
 * When the guest asks for interrupts again the mask shrinks and the line is re-evaluated, so a cause latched
 * meanwhile is posted then (subject to ITR as usual): nothing the guest asked for is lost. This is not part of the
 * 82540EM; it is the CSB extension's rule that the host posts completion interrupts only while the guest asks for
 * them. {@link PortCounter#INTERRUPTS_SUPPRESSED_CSB} counts withheld edges: once each time a suppressed, enabled
 * and released cause would have raised the line (nothing else raising it), until that cause is cleared or no longer
 * suppressed.
 *
 * <h2>Timers and counting</h2>
 * Every entry point first fires the deadlines that have passed, so the result does not depend on how often
 * {@link #onTimers} is called; every timer armed is reported to a {@link DeadlineListener} (the serving sidecore's
 * deadline queue, which calls {@link #onTimers} once {@link #nextDeadlineNs()} has come).
 * Each timer is a {@link Deadline} (stopped, or armed at an absolute time), compared wrap-safe
 * ({@code deadline - now <= 0}). {@link PortCounter#INTERRUPTS_POSTED} counts rising edges
 * presented to the {@link InterruptLine}; {@link PortCounter#INTERRUPTS_MODERATED} counts edges that would have
 * been raised without moderation but were deferred (once per deferred edge, whether by a delay timer, by ITR, or
 * both). PCI command.INTx-disable holds the output low without changing the internal level or the ITR window.
 *
 * <h2>API for the TX and RX processors</h2>
 * <ul>
 *     <li>RX: {@code raiseRx(ICR_RXT0 [| ICR_RXDMT0], nowNs)} once per delivered packet; {@code raise(ICR_RXO | ...,
 *     nowNs)} for overruns. {@link #raise} treats RXT0 exactly like {@link #raiseRx}.</li>
 *     <li>TX: {@code onTxIdeSeen(nowNs)} for each written-back descriptor with RS and IDE, then at the end of the run
 *     {@code raise(ICR_TXDW | ICR_TXQE, nowNs)}: TXDW is held iff onTxIdeSeen was called since the previous TX
 *     raise. For a run that also wrote back a descriptor without IDE use {@code raiseTx(causes, nowNs, false)},
 *     which makes TXDW immediate (SDM 13.4.41: IDE = 0 means an immediate interrupt).</li>
 * </ul>
 */
public final class InterruptController
{
    /** {@link #nextDeadlineNs()} when nothing is scheduled. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final int TX_CAUSES = E1000Registers.ICR_TXDW | E1000Registers.ICR_TXQE | E1000Registers.ICR_TXD_LOW;

    private final RegisterImage registers;
    private final InterruptLine line;
    private final PortCounters counters;

    private int heldCauses;
    private boolean txIdeSeen;

    /** RDTR: restarted by every delayed RX packet. */
    private final Deadline rxPacketTimer = new Deadline();
    /** RADV: started by the first delayed RX packet, not restarted. */
    private final Deadline rxAbsoluteTimer = new Deadline();
    /** TIDV: restarted by every descriptor written back with RS and IDE. */
    private final Deadline txPacketTimer = new Deadline();
    /** TADV: started by the first IDE descriptor, not restarted. */
    private final Deadline txAbsoluteTimer = new Deadline();
    /** End of the ITR window opened by the last rising edge; armed while the window is open. */
    private final Deadline itrWindow = new Deadline();

    private long minModerationDelayNs;
    private boolean edgeDeferred;

    private int suppressedCauses;
    private boolean edgeSuppressed;

    private boolean lineAsserted;
    private boolean outputAsserted;
    private boolean outputDisabled;

    /**
     * @param registers the port's register image (ICR, IMS and the timer registers are read there).
     * @param line      where the moderated level goes.
     * @param counters  the port's counters.
     */
    public InterruptController(final RegisterImage registers, final InterruptLine line, final PortCounters counters)
    {
        this.registers = registers;
        this.line = line;
        this.counters = counters;
    }

    /**
     * @param listener told whenever {@link #nextDeadlineNs()} may have moved earlier (see {@link DeadlineListener}).
     */
    void deadlineListener(final DeadlineListener listener)
    {
        rxPacketTimer.listener(listener);
        rxAbsoluteTimer.listener(listener);
        txPacketTimer.listener(listener);
        txAbsoluteTimer.listener(listener);
        itrWindow.listener(listener);
    }

    /**
     * Set the host's floor on the inter-interrupt interval (see the class description). Takes effect at the next
     * edge; a window already open keeps its end.
     *
     * @param minModerationDelayNs floor in ns, 0 (no floor) or more.
     * @throws IllegalArgumentException when negative.
     */
    public void minModerationDelayNs(final long minModerationDelayNs)
    {
        if (minModerationDelayNs < 0)
        {
            throw new IllegalArgumentException("minModerationDelayNs must not be negative: " + minModerationDelayNs);
        }
        this.minModerationDelayNs = minModerationDelayNs;
    }

    /**
     * @return the host's floor on the inter-interrupt interval in ns (0 = none).
     */
    public long minModerationDelayNs()
    {
        return minModerationDelayNs;
    }

    /**
     * Device events: latch causes in ICR. RXT0 is subject to RDTR/RADV (as {@link #raiseRx}); TXDW is held by
     * TIDV/TADV iff {@link #onTxIdeSeen} was called since the previous TX raise; everything else is immediate.
     *
     * @param causes ICR bits.
     * @param nowNs  current time.
     */
    public void raise(final int causes, final long nowNs)
    {
        final boolean txDelayed = txIdeSeen;
        if (0 != (causes & TX_CAUSES))
        {
            txIdeSeen = false;
        }
        latch(causes, nowNs, txDelayed);
    }

    /**
     * RX events of one delivered packet: RXT0 is delayed by RDTR/RADV, other causes are immediate.
     *
     * @param causes ICR bits.
     * @param nowNs  current time.
     */
    public void raiseRx(final int causes, final long nowNs)
    {
        latch(causes, nowNs, false);
    }

    /**
     * TX events at the end of a TX run.
     *
     * @param causes     ICR bits (TXDW, TXQE, TXD_LOW).
     * @param nowNs      current time.
     * @param ideDelayed true if every descriptor written back with RS in this run had IDE: TXDW waits for
     *                   TIDV/TADV; false makes TXDW immediate.
     */
    public void raiseTx(final int causes, final long nowNs, final boolean ideDelayed)
    {
        if (ideDelayed && !txPacketTimer.isArmed() && 0 != (causes & E1000Registers.ICR_TXDW))
        {
            armTx(nowNs);
        }
        txIdeSeen = false;
        latch(causes, nowNs, ideDelayed);
    }

    /**
     * A TX descriptor with RS and IDE was written back: (re)start the TIDV deadline and start TADV if it is not
     * running (SDM 13.4.41, 13.4.44). The TXDW of the run is then held until one of them expires.
     *
     * @param nowNs current time.
     */
    public void onTxIdeSeen(final long nowNs)
    {
        expire(nowNs);
        txIdeSeen = true;
        armTx(nowNs);
    }

    /**
     * ICS write: set causes immediately (SDM 13.4.19), releasing any of them that were held.
     *
     * @param causes ICR bits.
     * @param nowNs  current time.
     */
    public void writeIcs(final int causes, final long nowNs)
    {
        expire(nowNs);
        final int valid = causes & E1000Registers.ICR_VALID_MASK;
        registers.set(E1000Registers.ICR, registers.get(E1000Registers.ICR) | valid);
        release(valid);
        evaluate(nowNs);
    }

    /**
     * Read ICR: returns the causes and clears all of them (SDM 13.4.17), stopping every delay timer.
     *
     * @param nowNs current time.
     * @return ICR value before clearing.
     */
    public int readIcr(final long nowNs)
    {
        expire(nowNs);
        final int icr = registers.get(E1000Registers.ICR);
        clearCauses(icr);
        evaluate(nowNs);
        return icr;
    }

    /**
     * ICR write: write-1-to-clear (SDM 13.4.17).
     *
     * @param value bits to clear.
     * @param nowNs current time.
     */
    public void writeIcr(final int value, final long nowNs)
    {
        expire(nowNs);
        clearCauses(value);
        evaluate(nowNs);
    }

    /**
     * @return ICR without side effects (ICS reads mirror it, SDM 13.4.19).
     */
    public int peekIcr()
    {
        return registers.get(E1000Registers.ICR);
    }

    /**
     * IMS write: enable causes (write-1-to-set, SDM 13.4.20).
     *
     * @param value bits to enable.
     * @param nowNs current time.
     */
    public void writeIms(final int value, final long nowNs)
    {
        expire(nowNs);
        registers.set(E1000Registers.IMS,
            registers.get(E1000Registers.IMS) | (value & E1000Registers.ICR_VALID_MASK));
        evaluate(nowNs);
    }

    /**
     * IMC write: disable causes (write-1-to-clear the mask, SDM 13.4.21).
     *
     * @param value bits to disable.
     * @param nowNs current time.
     */
    public void writeImc(final int value, final long nowNs)
    {
        expire(nowNs);
        registers.set(E1000Registers.IMS, registers.get(E1000Registers.IMS) & ~value);
        evaluate(nowNs);
    }

    /**
     * RDTR written with FPD (SDM 13.4.30): the RX packet timer expires at once.
     *
     * @param nowNs current time.
     */
    public void flushRx(final long nowNs)
    {
        expire(nowNs);
        release(E1000Registers.ICR_RXT0);
        evaluate(nowNs);
    }

    /**
     * TIDV written with FPD (SDM 13.4.41): the TX delay expires at once.
     *
     * @param nowNs current time.
     */
    public void flushTx(final long nowNs)
    {
        expire(nowNs);
        release(E1000Registers.ICR_TXDW);
        evaluate(nowNs);
    }

    /**
     * Re-evaluate the line (after any change of ICR or IMS made elsewhere).
     *
     * @param nowNs current time.
     */
    public void update(final long nowNs)
    {
        expire(nowNs);
        evaluate(nowNs);
    }

    /**
     * Fire expired deadlines and re-evaluate the line.
     *
     * @param nowNs current time.
     * @return number of deadlines that fired.
     */
    public int onTimers(final long nowNs)
    {
        final int fired = expire(nowNs);
        evaluate(nowNs);
        return fired;
    }

    /**
     * @return the earliest pending deadline (a delay timer, or the end of the ITR window while an edge waits for
     * it), or {@link #NO_DEADLINE}.
     */
    public long nextDeadlineNs()
    {
        long next = rxPacketTimer.earliest(NO_DEADLINE, NO_DEADLINE);
        next = rxAbsoluteTimer.earliest(next, NO_DEADLINE);
        next = txPacketTimer.earliest(next, NO_DEADLINE);
        next = txAbsoluteTimer.earliest(next, NO_DEADLINE);
        if (edgeDeferred)
        {
            next = itrWindow.earliest(next, NO_DEADLINE);
        }
        return next;
    }

    /**
     * Withhold interrupts for these causes (the CSB guest polls; see the class description), or stop withholding
     * them. A cause latched while suppressed is posted once it is no longer suppressed.
     *
     * @param causes ICR bits not to interrupt for; 0 to suppress nothing.
     * @param nowNs  current time.
     */
    public void suppressCauses(final int causes, final long nowNs)
    {
        final int valid = causes & E1000Registers.ICR_VALID_MASK;
        if (valid != suppressedCauses)
        {
            expire(nowNs);
            suppressedCauses = valid;
            evaluate(nowNs);
        }
    }

    /**
     * @return ICR bits currently withheld from the line ({@link #suppressCauses}).
     */
    public int suppressedCauses()
    {
        return suppressedCauses;
    }

    /**
     * @return true if a suppressed cause is latched and enabled: an interrupt is withheld now, and the port should
     *         re-check promptly whether the guest wants it after all.
     */
    public boolean isInterruptSuppressed()
    {
        return 0 != (registers.get(E1000Registers.ICR) & registers.get(E1000Registers.IMS) & suppressedCauses);
    }

    /**
     * @return the internal (moderated) line level; PCI status bit 3 shows it.
     */
    public boolean isLineAsserted()
    {
        return lineAsserted;
    }

    /**
     * @return the level presented on the {@link InterruptLine} (internal level unless INTx is disabled).
     */
    public boolean isOutputAsserted()
    {
        return outputAsserted;
    }

    /**
     * @return ICR bits latched but held back by a delay timer.
     */
    public int heldCauses()
    {
        return heldCauses;
    }

    /**
     * PCI command.INTx-disable: hold the output deasserted (PCI 3.0 6.2.2).
     *
     * @param disabled true to hold the output low.
     */
    public void setOutputDisabled(final boolean disabled)
    {
        outputDisabled = disabled;
        drive();
    }

    /**
     * MAC reset: clear ICR and IMS, stop every timer, close the ITR window and deassert the line. The host's
     * {@link #minModerationDelayNs() floor} and the {@link #suppressCauses suppressed causes} stay: they are not
     * device state (the CSB port lifts the suppression when the reset releases its block).
     */
    public void reset()
    {
        registers.set(E1000Registers.ICR, 0);
        registers.set(E1000Registers.IMS, 0);
        heldCauses = 0;
        txIdeSeen = false;
        rxPacketTimer.stop();
        rxAbsoluteTimer.stop();
        txPacketTimer.stop();
        txAbsoluteTimer.stop();
        itrWindow.stop();
        edgeDeferred = false;
        edgeSuppressed = false;
        lineAsserted = false;
        drive();
    }

    private void latch(final int causes, final long nowNs, final boolean txDelayed)
    {
        expire(nowNs);
        final int valid = causes & E1000Registers.ICR_VALID_MASK;
        final int icr = registers.get(E1000Registers.ICR);
        int immediate = valid;
        if (0 != (valid & E1000Registers.ICR_RXT0) && 0 != rdtrUnits())
        {
            immediate &= ~E1000Registers.ICR_RXT0;
            holdRx(icr, nowNs);
        }
        if (0 != (valid & E1000Registers.ICR_TXDW) && txDelayed && txPacketTimer.isArmed())
        {
            immediate &= ~E1000Registers.ICR_TXDW;
            if (0 == (icr & E1000Registers.ICR_TXDW) || 0 != (heldCauses & E1000Registers.ICR_TXDW))
            {
                heldCauses |= E1000Registers.ICR_TXDW;
            }
            else
            {
                stopTxTimers();
            }
        }
        registers.set(E1000Registers.ICR, icr | valid);
        release(immediate);
        evaluate(nowNs);
    }

    private void holdRx(final int icr, final long nowNs)
    {
        if (0 != (icr & E1000Registers.ICR_RXT0) && 0 == (heldCauses & E1000Registers.ICR_RXT0))
        {
            return;
        }
        heldCauses |= E1000Registers.ICR_RXT0;
        rxPacketTimer.arm(nowNs + rdtrUnits() * E1000Registers.DELAY_UNIT_NS);
        final int radv = registers.get(E1000Registers.RADV) & E1000Registers.TIMER_MASK;
        if (0 != radv)
        {
            rxAbsoluteTimer.armIfStopped(nowNs + (long)radv * E1000Registers.DELAY_UNIT_NS);
        }
    }

    private void armTx(final long nowNs)
    {
        final int tidv = registers.get(E1000Registers.TIDV) & E1000Registers.TIMER_MASK;
        if (0 == tidv)
        {
            return;
        }
        txPacketTimer.arm(nowNs + (long)tidv * E1000Registers.DELAY_UNIT_NS);
        final int tadv = registers.get(E1000Registers.TADV) & E1000Registers.TIMER_MASK;
        if (0 != tadv)
        {
            txAbsoluteTimer.armIfStopped(nowNs + (long)tadv * E1000Registers.DELAY_UNIT_NS);
        }
    }

    private long rdtrUnits()
    {
        return registers.get(E1000Registers.RDTR) & E1000Registers.TIMER_MASK;
    }

    private void release(final int causes)
    {
        if (0 != (causes & E1000Registers.ICR_RXT0))
        {
            heldCauses &= ~E1000Registers.ICR_RXT0;
            rxPacketTimer.stop();
            rxAbsoluteTimer.stop();
        }
        if (0 != (causes & E1000Registers.ICR_TXDW))
        {
            stopTxTimers();
        }
    }

    private void stopTxTimers()
    {
        heldCauses &= ~E1000Registers.ICR_TXDW;
        txPacketTimer.stop();
        txAbsoluteTimer.stop();
    }

    private void clearCauses(final int bits)
    {
        final int icr = registers.get(E1000Registers.ICR);
        registers.set(E1000Registers.ICR, icr & ~bits);
        release(bits);
    }

    private int expire(final long nowNs)
    {
        int fired = 0;
        if (rxPacketTimer.expire(nowNs))
        {
            fired++;
        }
        if (rxAbsoluteTimer.expire(nowNs))
        {
            fired++;
        }
        if (0 != fired)
        {
            release(E1000Registers.ICR_RXT0);
        }
        int txFired = 0;
        if (txPacketTimer.expire(nowNs))
        {
            txFired++;
        }
        if (txAbsoluteTimer.expire(nowNs))
        {
            txFired++;
        }
        if (0 != txFired)
        {
            stopTxTimers();
            fired += txFired;
        }
        if (itrWindow.expire(nowNs) && edgeDeferred)
        {
            fired++;
        }
        return fired;
    }

    private void evaluate(final long nowNs)
    {
        final int enabled = registers.get(E1000Registers.ICR) & registers.get(E1000Registers.IMS);
        final int pending = enabled & ~suppressedCauses;
        final boolean want = 0 != (pending & ~heldCauses);
        if (lineAsserted)
        {
            if (want)
            {
                return;
            }
            lineAsserted = false;
            drive();
        }
        if (0 == (enabled & suppressedCauses & ~heldCauses))
        {
            edgeSuppressed = false;
        }
        else if (!want && !edgeSuppressed)
        {
            edgeSuppressed = true;
            counters.increment(PortCounter.INTERRUPTS_SUPPRESSED_CSB);
        }
        if (0 == pending)
        {
            edgeDeferred = false;
            return;
        }
        if (!want || itrWindow.isArmed())
        {
            if (!edgeDeferred)
            {
                edgeDeferred = true;
                counters.increment(PortCounter.INTERRUPTS_MODERATED);
                // The window's end now counts in nextDeadlineNs(): the serving sidecore must visit it then.
                itrWindow.report();
            }
            return;
        }
        edgeDeferred = false;
        lineAsserted = true;
        final long itrNs = (long)(registers.get(E1000Registers.ITR) & E1000Registers.TIMER_MASK) *
            E1000Registers.ITR_UNIT_NS;
        final long windowNs = Math.max(itrNs, minModerationDelayNs);
        if (0 != windowNs)
        {
            itrWindow.arm(nowNs + windowNs);
        }
        drive();
    }

    private void drive()
    {
        final boolean output = lineAsserted && !outputDisabled;
        if (output != outputAsserted)
        {
            outputAsserted = output;
            if (output)
            {
                counters.increment(PortCounter.INTERRUPTS_POSTED);
            }
            line.onLevelChange(output);
        }
    }
}
