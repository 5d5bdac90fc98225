package io.sidecore.engine.proxy;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.port.Port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A request a control or socket thread hands to a sidecore through its bounded command queue, executed on the
 * sidecore's thread, with one atomic state the requester waits on:
 * <pre>
 *   IDLE -> QUEUED -> RUNNING -> DONE | FAILED      (the sidecore took it: its outcome is known once complete)
 *           QUEUED -> CANCELLED                     (the requester gave up first: it never runs)
 * </pre>
 * The sidecore starts a command only by winning QUEUED to RUNNING, and a requester that stops waiting cancels it only
 * by winning QUEUED to CANCELLED, so exactly one of them decides: a cancelled command has changed nothing and what
 * the requester brought for it is the requester's again to free; a command that was running is finished by the
 * sidecore in bounded time, and the requester waits for its outcome rather than guess it, up to a second deadline
 * (a sidecore wedged inside a command, or whose thread died there): past it the outcome is unknown, and the requester
 * must treat what it brought as possibly in use ({@link CommandOutcomeUnknownException}).
 * <p>
 * The queue's offer and poll order the requester's writes of the request fields before the agent's reads; the agent
 * publishes the outcome with a release store of the state, read by the requester with an acquire load.
 */
public abstract class SidecoreCommand
{
    /** Not in use (a reusable slot between requests). */
    static final int IDLE = 0;
    /** Filled and offered, or being filled; the agent has not started it. */
    static final int QUEUED = 1;
    /** Executed. */
    static final int DONE = 2;
    /** Executed and failed; see {@link #failure()}. */
    static final int FAILED = 3;
    /** Being executed by the agent. */
    static final int RUNNING = 4;
    /** Given up by its requester before the agent started it: the agent skips it. */
    static final int CANCELLED = 5;

    /**
     * The failure of a command during which the sidecore thread threw an {@link Error}: made once, without a stack
     * trace or suppressed exceptions, so publishing it allocates nothing; the error itself propagates into the
     * agent's runner, which records it.
     */
    static final RuntimeException SIDECORE_FAILED = new SidecoreFailure();

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

    /**
     * A one-shot command starts {@link #QUEUED}: made to be offered once; a reusable slot resets itself to
     * {@link #IDLE}.
     */
    SidecoreCommand()
    {
        state = QUEUED;
    }

    /**
     * Run on the agent thread and publish the outcome, unless the requester cancelled the command first. An exception
     * becomes the command's failure, reported to the requester; it never escapes into the agent. An error (the agent's
     * own failure), or anything thrown while handling one, still completes the command before it propagates: the
     * outcome is published from a {@code finally}, with the preallocated {@link #SIDECORE_FAILED} as the failure, so
     * no allocation (which may be what failed) stands between the error and the requester's answer, and no requester
     * waits for ever on a command left {@link #RUNNING}.
     *
     * @param agent the executing sidecore.
     * @param nowNs the agent's time for this duty cycle.
     * @return false when the command was cancelled and nothing was done.
     */
    public final boolean execute(final SidecoreAgent agent, final long nowNs)
    {
        if (!STATE.compareAndSet(this, QUEUED, RUNNING))
        {
            return false;
        }
        boolean published = false;
        try
        {
            run(agent, nowNs);
            failure = null;
            STATE.setRelease(this, DONE);
            published = true;
        }
        catch (final Exception ex)
        {
            failure = ex;
            STATE.setRelease(this, FAILED);
            published = true;
        }
        finally
        {
            if (!published)
            {
                failure = SIDECORE_FAILED;
                STATE.setRelease(this, FAILED);
            }
        }
        return true;
    }

    /**
     * Give the command up if the agent has not started it: it will never run, and what it carries is the requester's
     * again. Requester thread.
     *
     * @return true when cancelled; false when the agent is running it or has completed it (or it was cancelled
     *         already), so the requester must wait for {@link #isComplete()}.
     */
    public final boolean tryCancel()
    {
        return STATE.compareAndSet(this, QUEUED, CANCELLED);
    }

    /**
     * @return true once the requester cancelled the command before the agent started it.
     */
    public final boolean isCancelled()
    {
        return CANCELLED == (int)STATE.getAcquire(this);
    }

    /**
     * The work, on the agent thread.
     *
     * @param agent the executing sidecore.
     * @param nowNs the agent's time for this duty cycle.
     */
    abstract void run(SidecoreAgent agent, long nowNs);

    /**
     * Whether running this command may give a port work without telling it, so every quiet port must take a full
     * pass next ({@code Port#pollUnlessQuiet}). True unless a command knows it changes nothing a pass acts on: a
     * query only reads, and a trapped access wakes its own port.
     *
     * @return true when quiet ports must wake after this command.
     */
    public boolean mayWakePorts()
    {
        return true;
    }

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

    /**
     * The preallocated failure of {@link #SIDECORE_FAILED}.
     */
    private static final class SidecoreFailure extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private SidecoreFailure()
        {
            super("the sidecore thread failed with an Error while running the command (reported by the " +
                "sidecore's error handler); what the command changed is unknown", null, false, false);
        }
    }
}
