package io.sidecore.engine.agent;

/**
 * How the sidecore agents are run.
 */
public enum ThreadingMode
{
    /** Each agent runs on its own thread (pinned by the launcher): the daemon. */
    DEDICATED,

    /**
     * No engine threads: the caller drives every agent with {@link SidecoreEngine#doWork()}, and the proxy runs the
     * agents itself while it waits for a command's reply. For tests and embedding, where time is a manual clock.
     */
    INVOKER
}
