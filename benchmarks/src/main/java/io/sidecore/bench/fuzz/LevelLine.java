package io.sidecore.bench.fuzz;

import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.tools.guest.GuestDriverModel;

/**
 * An interrupt line of the fuzzer's guests: remembers a rising edge until the guest takes it (as an irqfd would),
 * and counts the edges.
 */
final class LevelLine implements InterruptLine
{
    private boolean asserted;
    private boolean pendingEdge;
    private long risingEdges;

    public void onLevelChange(final boolean asserted)
    {
        if (asserted && !this.asserted)
        {
            pendingEdge = true;
            risingEdges++;
        }
        this.asserted = asserted;
    }

    /**
     * @return true once per rising edge since the last call.
     */
    boolean takeRisingEdge()
    {
        final boolean edge = pendingEdge;
        pendingEdge = false;
        return edge;
    }

    /**
     * What a guest's vCPU does with this line: the driver's interrupt handler when the line rose, else a scheduled
     * NAPI poll.
     *
     * @param model the guest's driver.
     */
    void serve(final GuestDriverModel model)
    {
        if (takeRisingEdge())
        {
            model.onInterrupt();
        }
        else if (model.isNapiScheduled())
        {
            model.napiPoll();
        }
    }

    long risingEdges()
    {
        return risingEdges;
    }
}
