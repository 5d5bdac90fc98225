package io.sidecore.tools.stat;

import java.io.PrintWriter;

/**
 * Writes one snapshot in one output format.
 */
interface SnapshotRenderer
{
    /**
     * @param snapshot what was read.
     * @param rates    rates since the previous snapshot ({@link Rates#NONE} for the first).
     * @param out      where to write.
     */
    void render(Snapshot snapshot, Rates rates, PrintWriter out);
}
