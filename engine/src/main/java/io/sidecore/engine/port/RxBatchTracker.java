package io.sidecore.engine.port;

/**
 * The owning agent's side of its ports' RX batches (issue 11 §0: RDH and the RX interrupt causes published once per
 * duty cycle). A port opens its batch when the first frame of a cycle reaches it, and reports it here; the agent ends
 * the batches of exactly those ports when the cycle's delivering steps are over, and flushes them before a command
 * runs. So the cost of batching follows the ports that received frames, not every port the agent owns. Agent thread.
 */
public interface RxBatchTracker
{
    /**
     * @return true while the owning agent's delivering steps run (a frame arriving now is batched).
     */
    boolean isBatching();

    /**
     * A port opened its RX batch; the agent is to end it with the others of this duty cycle.
     *
     * @param port  the port.
     * @param nowNs current time.
     */
    void onRxBatchOpened(Port port, long nowNs);
}
