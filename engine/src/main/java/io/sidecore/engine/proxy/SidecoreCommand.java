package io.sidecore.engine.proxy;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.port.Port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A request a control or socket thread hands to a sidecore through its bounded command queue, executed on the
 * sidecore's thread, with a completion state the requester waits on.
 * <p>
 * The queue's offer and poll order the requester's writes of the request fields before the agent's reads; the agent
 * publishes the outcome with a release store of the state, read by the requester with an acquire load.
 */
public abstract class SidecoreCommand
{
    /** Not in use (a reusable command between requests). */
    static final int IDLE = 0;
    /** Filled and offered, or being filled; the agent has not finished it. */
    static final int PENDING = 1;
    /** Executed. */
    static final int DONE = 2;
    /** Executed and failed; see {@link #failure()}. */
    static final int FAILED = 3;

    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(SidecoreCommand.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused")
    private volatile int state;
    private Exception failure;

    SidecoreCommand()
    {
    }

    /**
     * Run on the agent thread and publish the outcome. An exception becomes the command's failure, reported to the
     * requester; it never escapes into the agent.
     *
     * @param agent the executing sidecore.
     * @param nowNs the agent's time for this duty cycle.
     */
    public final void execute(final SidecoreAgent agent, final long nowNs)
    {
        try
        {
            run(agent, nowNs);
            failure = null;
            STATE.setRelease(this, DONE);
        }
        catch (final Exception ex)
        {
            failure = ex;
            STATE.setRelease(this, FAILED);
        }
    }

    /**
     * The work, on the agent thread.
     *
     * @param agent the executing sidecore.
     * @param nowNs the agent's time for this duty cycle.
     */
    abstract void run(SidecoreAgent agent, long nowNs);

    /**
     * A command about one port runs only on the sidecore that serves it.
     *
     * @param agent the executing sidecore.
     * @param port  the port the command is about.
     * @throws IllegalStateException when the sidecore does not serve the port (it was removed meanwhile).
     */
    static void requireServedBy(final SidecoreAgent agent, final Port port)
    {
        if (!agent.owns(port))
        {
            throw new IllegalStateException("port not served by sidecore " + agent.index() + ": " + port.name());
        }
    }

    /**
     * @return true once the agent executed the command (successfully or not).
     */
    public final boolean isComplete()
    {
        final int current = (int)STATE.getAcquire(this);
        return DONE == current || FAILED == current;
    }

    /**
     * @return why the command failed, or null; valid after {@link #isComplete()}.
     */
    public final Exception failure()
    {
        return (int)STATE.getAcquire(this) == FAILED ? failure : null;
    }

    /**
     * @return the current state (acquire).
     */
    final int state()
    {
        return (int)STATE.getAcquire(this);
    }

    /**
     * @param expected state expected.
     * @param update   new state.
     * @return true if swapped.
     */
    final boolean compareAndSetState(final int expected, final int update)
    {
        return STATE.compareAndSet(this, expected, update);
    }

    /**
     * @param update new state, release store.
     */
    final void state(final int update)
    {
        STATE.setRelease(this, update);
    }
}
