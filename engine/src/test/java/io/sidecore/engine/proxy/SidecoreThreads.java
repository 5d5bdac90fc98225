package io.sidecore.engine.proxy;

import io.sidecore.engine.agent.SidecoreEngine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Test support: an engine's sidecores each on a thread of its own, as the daemon runs them (so a {@link CommandWedge}
 * can hold one), and their tear-down in one place: {@link #close()} lets every wedge taken through
 * {@link #wedgeNext} go, stops the threads and waits for them.
 */
public final class SidecoreThreads
{
    /** Longest the tear-down waits for one thread (a wedge lets its thread go at once once released). */
    private static final long JOIN_LIMIT_MS = 30_000;
    /** A thread with no work parks: the machine is shared with other builds, no core of its own to spin on. */
    private static final long IDLE_PARK_NS = 50_000;

    private final SidecoreEngine engine;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final List<CommandWedge> wedges = new ArrayList<>();

    /**
     * @param engine the engine whose agents the threads run (not started: nothing else runs them).
     */
    public SidecoreThreads(final SidecoreEngine engine)
    {
        this.engine = engine;
    }

    /**
     * Run every sidecore on a thread of its own until {@link #close()}.
     */
    public void startAll()
    {
        for (int i = 0; i < engine.proxy().sidecoreCount(); i++)
        {
            start(i);
        }
    }

    /**
     * Run one sidecore on a thread of its own until {@link #close()}.
     *
     * @param index the sidecore.
     */
    public void start(final int index)
    {
        start(index, stop::get);
    }

    /**
     * Run one sidecore on a thread of its own until it serves a port (or {@link #close()}), then stop it: a later
     * command to it is not started in time (cancelled).
     *
     * @param index the sidecore.
     * @return the thread, to join.
     */
    public Thread startUntilServing(final int index)
    {
        return start(index, () -> stop.get() || 0 != engine.agent(index).portCount());
    }

    /**
     * {@link CommandWedge#next}, released by {@link #close()} if the test does not release it.
     *
     * @param sidecoreIndex the sidecore to wedge.
     * @param type          the command's type.
     * @return the wedge.
     */
    public CommandWedge wedgeNext(final int sidecoreIndex, final Class<? extends SidecoreCommand> type)
    {
        final CommandWedge wedge = CommandWedge.next(engine.proxy(), sidecoreIndex, type);
        wedges.add(wedge);
        return wedge;
    }

    /**
     * Let every wedge go, stop the threads and wait for each, then close the engine.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    public void close() throws InterruptedException
    {
        for (int i = 0; i < wedges.size(); i++)
        {
            wedges.get(i).release();
        }
        stop.set(true);
        for (int i = 0; i < threads.size(); i++)
        {
            threads.get(i).join(JOIN_LIMIT_MS);
        }
        engine.close();
    }

    private Thread start(final int index, final BooleanSupplier done)
    {
        final Thread thread = new Thread(() ->
        {
            while (!done.getAsBoolean())
            {
                if (0 == engine.agent(index).doWork())
                {
                    LockSupport.parkNanos(IDLE_PARK_NS);
                }
            }
        }, "sidecore-" + index);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }
}
