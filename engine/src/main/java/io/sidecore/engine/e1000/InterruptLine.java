package io.sidecore.engine.e1000;

/**
 * The port's INTx line as the VMM sees it. The device model drives the level after moderation; an eventfd-backed
 * implementation signals the VMM (KVM irqfd) on each rising edge.
 */
public interface InterruptLine
{
    /** A line that goes nowhere. */
    InterruptLine NONE = asserted -> {};

    /**
     * The line changed level.
     *
     * @param asserted true when the interrupt is raised, false when it is deasserted.
     */
    void onLevelChange(boolean asserted);
}
