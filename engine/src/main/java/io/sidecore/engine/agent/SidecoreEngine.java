package io.sidecore.engine.agent;

import io.sidecore.engine.EngineContext;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.l2.MacTable;
import io.sidecore.engine.l2.ShardRing;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.jctools.queues.MpscArrayQueue;

import java.util.concurrent.ThreadFactory;
import java.util.function.IntFunction;

/**
 * The sidecores of one daemon: {@code N} agents, each with its switch shard, command queue and kick, the SPSC rings
 * between every ordered pair of them, and the {@link EngineProxy} through which other threads reach them.
 * <p>
 * In {@link ThreadingMode#DEDICATED} mode {@link #start(IntFunction)} runs each agent in an Agrona
 * {@link AgentRunner} on a thread from a caller-supplied factory (the launcher pins it to its core). In
 * {@link ThreadingMode#INVOKER} mode nothing runs by itself: {@link #doWork()} runs one duty cycle of every agent.
 */
public final class SidecoreEngine implements AutoCloseable
{
    /** How long {@link #close()} waits for an agent thread to stop before kicking it awake again, ms. */
    private static final int CLOSE_RETRY_MS = 1;

    private final EngineContext ctx;
    private final SidecoreAgent[] agents;
    private final SidecoreIdleStrategy[] idleStrategies;
    private final Kick[] kicks;
    private final AgentRunner[] runners;
    private final EngineProxy proxy;
    private boolean started;
    private boolean closed;

    /**
     * Build the sidecores from a context, concluding it first if needed. First in a JVM, intern the string
     * constants of the classes the sidecores run ({@link StringConstants}), so that no optimising compilation their
     * threads request allocates.
     *
     * @param ctx the context.
     */
    public SidecoreEngine(final EngineContext ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        this.ctx = ctx;
        try
        {
            StringConstants.internFor(
                SidecoreEngine.class, SidecoreCounter.class, UnsafeBuffer.class, MpscArrayQueue.class);
        }
        catch (final RuntimeException ex)
        {
            // Only an allocation-free first compile depends on it, not the engine's work: a code source that cannot
            // be read as files (a nested jar) costs a few hundred bytes on a sidecore thread, not the daemon's start.
            System.getLogger(SidecoreEngine.class.getName()).log(System.Logger.Level.WARNING,
                "string constants not interned ahead (a first compile may allocate on a sidecore thread): " + ex);
        }
        final int count = ctx.sidecoreCount();
        final ShardRing[][] rings = new ShardRing[count][count];
        for (int from = 0; from < count; from++)
        {
            for (int to = 0; to < count; to++)
            {
                if (from != to)
                {
                    rings[from][to] = new ShardRing(ctx.crossShardRingLengthBytes(), from, to, ctx.maxSwitchPorts());
                }
            }
        }

        agents = new SidecoreAgent[count];
        idleStrategies = new SidecoreIdleStrategy[count];
        kicks = new Kick[count];
        runners = new AgentRunner[count];
        for (int i = 0; i < count; i++)
        {
            final SidecoreCounters counters = new SidecoreCounters(ctx.countersManager(), i);
            final L2Switch l2Switch = new L2Switch(
                i, ctx.maxSwitchPorts(), new MacTable(ctx.macTableCapacity(), ctx.macAgingNs(), ctx.maxSwitchPorts(),
                ctx.maxSwitchPorts()), rings[i], counters);
            final ShardRing[] inbound = new ShardRing[count - 1];
            int n = 0;
            for (int from = 0; from < count; from++)
            {
                if (from != i)
                {
                    inbound[n++] = rings[from][i];
                }
            }
            final Kick kick = ctx.kickFactory().apply(i);
            kicks[i] = kick;
            agents[i] = new SidecoreAgent(i, ctx, counters, l2Switch, inbound, kick);
            idleStrategies[i] = new SidecoreIdleStrategy(
                ctx.idleStrategy(), ctx.idleSpins(), ctx.idleYields(), ctx.idleMinParkNs(), ctx.idleMaxParkNs(), kick)
                .parkListener(agents[i]);
        }
        if (ThreadingMode.INVOKER == ctx.threadingMode())
        {
            for (final SidecoreAgent agent : agents)
            {
                agent.shareThreadWith(agents);
            }
        }
        proxy = new EngineProxy(this, ctx, agents);
        if (null != ctx.mappedCountersFile())
        {
            ctx.mappedCountersFile().signalReady();
        }
    }

    /**
     * Run every agent on its own thread ({@link ThreadingMode#DEDICATED}).
     *
     * @param threadFactories the factory for each sidecore's thread, by index (pins it to its core).
     * @return this.
     * @throws IllegalStateException in invoker mode or when already started.
     */
    public SidecoreEngine start(final IntFunction<ThreadFactory> threadFactories)
    {
        if (ThreadingMode.DEDICATED != ctx.threadingMode())
        {
            throw new IllegalStateException("start() needs ThreadingMode.DEDICATED: " + ctx.threadingMode());
        }
        if (started)
        {
            throw new IllegalStateException("engine already started");
        }
        started = true;
        for (int i = 0; i < agents.length; i++)
        {
            final AtomicCounter errorCounter =
                null != ctx.errorCounter() ? ctx.errorCounter() : agents[i].counters().errors();
            runners[i] = new AgentRunner(idleStrategies[i], ctx.errorHandler(), errorCounter, agents[i]);
            AgentRunner.startOnThread(runners[i], threadFactories.apply(i));
        }
        return this;
    }

    /**
     * Run every agent on a plain daemon thread.
     *
     * @return this.
     */
    public SidecoreEngine start()
    {
        return start(index -> runnable ->
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * One duty cycle of every agent, in index order ({@link ThreadingMode#INVOKER}).
     *
     * @return total work count.
     * @throws IllegalStateException when agents run on their own threads.
     */
    public int doWork()
    {
        if (started)
        {
            throw new IllegalStateException("agents run on their own threads");
        }
        int workCount = 0;
        for (int i = 0; i < agents.length; i++)
        {
            workCount += agents[i].doWork();
        }
        return workCount;
    }

    /**
     * @return the proxy other threads use.
     */
    public EngineProxy proxy()
    {
        return proxy;
    }

    /**
     * @return number of sidecores.
     */
    public int sidecoreCount()
    {
        return agents.length;
    }

    /**
     * @param index sidecore index.
     * @return the agent.
     */
    public SidecoreAgent agent(final int index)
    {
        return agents[index];
    }

    /**
     * @param index sidecore index.
     * @return its idle strategy.
     */
    public SidecoreIdleStrategy idleStrategy(final int index)
    {
        return idleStrategies[index];
    }

    /**
     * @return the concluded context.
     */
    public EngineContext context()
    {
        return ctx;
    }

    /**
     * Stop the agent threads (each agent closes its ports' backends on its own thread; a parked agent is kicked
     * awake rather than waited for), close the kicks, then release the context's resources.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (started)
        {
            for (int i = 0; i < runners.length; i++)
            {
                // The runner's stop flag is set first; an agent still running a millisecond later is parked, so
                // wake it (rather than wait out its park) and it sees the flag.
                final Kick kick = kicks[i];
                runners[i].close(CLOSE_RETRY_MS, thread -> kick.signal());
            }
        }
        else
        {
            for (int i = 0; i < agents.length; i++)
            {
                agents[i].onClose();
            }
        }
        CloseHelper.closeAll(kicks);
        ctx.close();
    }
}
