package io.sidecore.engine.proxy;

import io.sidecore.engine.agent.SidecoreAgent;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test support: a sidecore wedged inside a command. The next command of a type offered to a sidecore runs, then holds
 * the sidecore's thread until {@link #release()}: the command did its work, but its caller gives up after the command
 * timeout and the grace a running command gets, and is answered "outcome unknown" (nothing in the engine can be made
 * to hang inside a command from outside, so the proxy's interposer wraps it).
 */
public final class CommandWedge implements AutoCloseable
{
    /** Longest a wedge holds its sidecore when a test never releases it. */
    private static final long HOLD_LIMIT_MS = 60_000;

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    private CommandWedge()
    {
    }

    /**
     * Wedge the next command of the type that the proxy offers to the sidecore (later ones run as usual).
     *
     * @param proxy         the engine's proxy.
     * @param sidecoreIndex the sidecore to wedge.
     * @param type          the command's type ({@code Commands.*}).
     * @return the wedge, holding once that command ran.
     */
    public static CommandWedge next(
        final EngineProxy proxy, final int sidecoreIndex, final Class<? extends SidecoreCommand> type)
    {
        final CommandWedge wedge = new CommandWedge();
        final AtomicBoolean armed = new AtomicBoolean(true);
        proxy.interposer((index, command) -> index == sidecoreIndex && type.isInstance(command) &&
            armed.compareAndSet(true, false) ? wedge.new Wedged(command) : command);
        return wedge;
    }

    /**
     * @param timeoutMs how long to wait.
     * @return true once the wedged command ran and holds its sidecore.
     * @throws InterruptedException when interrupted.
     */
    public boolean awaitHolding(final long timeoutMs) throws InterruptedException
    {
        return entered.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Let the sidecore go on.
     */
    public void release()
    {
        released.countDown();
    }

    /**
     * Same as {@link #release()}.
     */
    public void close()
    {
        release();
    }

    /**
     * Runs the command it wraps, then holds the sidecore's thread until released; reports the command's own failure.
     */
    private final class Wedged extends SidecoreCommand
    {
        private final SidecoreCommand command;

        Wedged(final SidecoreCommand command)
        {
            this.command = command;
        }

        void run(final SidecoreAgent agent, final long nowNs)
        {
            command.execute(agent, nowNs);
            entered.countDown();
            try
            {
                if (!released.await(HOLD_LIMIT_MS, TimeUnit.MILLISECONDS))
                {
                    throw new IllegalStateException("the wedged sidecore was never released");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            if (command.failure() instanceof RuntimeException failure)
            {
                throw failure;
            }
        }
    }
}
