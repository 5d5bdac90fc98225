package io.sidecore.engine.e1000;

/**
 * Asked by a port's TX pass between two frames: does another thread wait for the sidecore (a trapped access of a
 * guest, whose vCPU is stuck in its exit until the answer comes, or a command of the control plane)? If so, the pass
 * stops at the next descriptor or TSO segment boundary, once it has done a minimum of work
 * ({@link TxPassBudget#MIN_FRAMES_BEFORE_YIELD}), so the agent can answer before the rest of the port's work, which
 * goes on in the next pass. Agent thread; must not allocate.
 */
@FunctionalInterface
public interface YieldSignal
{
    /** Never asks a pass to stop early (a device no agent serves: tests, tools). */
    YieldSignal NEVER = () -> false;

    /**
     * @return true when a pass should stop at its next boundary.
     */
    boolean isYieldRequested();
}
