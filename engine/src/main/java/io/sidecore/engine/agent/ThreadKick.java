package io.sidecore.engine.agent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Kick} for a sidecore running on a Java thread: a signalled flag plus {@link LockSupport} park/unpark.
 * <p>
 * The waiter publishes itself before it checks the flag and the signaller sets the flag before it reads the waiter,
 * both with volatile accesses, so either the waiter sees the flag or the signaller sees the waiter and unparks it.
 */
public final class ThreadKick implements Kick
{
    private static final VarHandle SIGNALLED;

    static
    {
        try
        {
            SIGNALLED = MethodHandles.lookup().findVarHandle(ThreadKick.class, "signalled", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused")
    private volatile boolean signalled;
    private volatile Thread waiter;

    /**
     * {@inheritDoc}
     */
    public void signal()
    {
        if (!(boolean)SIGNALLED.getAndSet(this, true))
        {
            final Thread thread = waiter;
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public boolean await(final long timeoutNs)
    {
        waiter = Thread.currentThread();
        if ((boolean)SIGNALLED.getAndSet(this, false))
        {
            return true;
        }
        LockSupport.parkNanos(this, timeoutNs);
        return (boolean)SIGNALLED.getAndSet(this, false);
    }

    /**
     * @return true if a signal is pending (tests, diagnostics).
     */
    public boolean isSignalled()
    {
        return signalled;
    }
}
