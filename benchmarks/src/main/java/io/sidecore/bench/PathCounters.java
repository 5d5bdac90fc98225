package io.sidecore.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-benchmark-call work counters reported by JMH next to the primary score: in average-time mode each is shown
 * as time per unit ({@code ns/op} of the counter), so {@code frames} gives ns per frame and {@code descriptors} ns per
 * descriptor; 1000 divided by ns per frame is Mpps.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class PathCounters
{
    /** Descriptors consumed. */
    public long descriptors;

    /** Frames emitted to the sink (TX) or written into the ring (RX). */
    public long frames;

    /**
     * Start each iteration from zero.
     */
    @Setup(Level.Iteration)
    public void clear()
    {
        descriptors = 0;
        frames = 0;
    }
}
