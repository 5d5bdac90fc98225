package io.sidecore.tools.stat;

/**
 * What a counter in the counters file belongs to, from its type id ({@link io.sidecore.shm.CounterTypes}).
 */
enum CounterKind
{
    /** A per-port counter, labelled {@code port=<name> <counter>}. */
    PORT,
    /** A per-sidecore counter, labelled {@code sidecore=<index> <counter>}. */
    SIDECORE,
    /** Any other counter (daemon-wide, or a type this tool does not know): shown by its label. */
    OTHER
}
