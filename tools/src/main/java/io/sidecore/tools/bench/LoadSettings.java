package io.sidecore.tools.bench;

import java.nio.file.Path;

/**
 * What the benchmark's guests do, the same for every guest of a run.
 *
 * @param attach              how each guest is attached.
 * @param controlSocket       the daemon's control socket (native attach).
 * @param portSocketDirectory the daemon's port sockets (vfio-user attach).
 * @param frameBytes          frame length without FCS ({@link BenchFrames}).
 * @param txBatch             frames per doorbell.
 * @param trapDoorbells       the trap baseline: TDT/RDT writes are trapped accesses.
 * @param irqMode             interrupt handling.
 * @param ramBytes            each guest's RAM.
 * @param hugePages           each guest's RAM in 2 MiB huge pages (the host's reserved pool), else 4 KiB pages.
 */
record LoadSettings(
    BenchGuest.Attach attach,
    Path controlSocket,
    Path portSocketDirectory,
    int frameBytes,
    int txBatch,
    boolean trapDoorbells,
    BenchGuest.IrqMode irqMode,
    long ramBytes,
    boolean hugePages)
{
}
