package io.sidecore.launcher.affinity;

import net.openhft.affinity.AffinityLock;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Makes the thread of one sidecore and pins it, from inside the new thread, to a core reserved with OpenHFT Affinity
 * ({@link AffinityLock}): a requested core, or any core Affinity may reserve that no other process holds (Affinity's
 * lock files make the reservation visible across processes). The lock is released when the thread's work ends.
 * <p>
 * Pinning is best effort, as a sidecore on a shared host must still run: when there is no free core, the requested
 * one is taken or the OS refuses, one line goes to the warning stream and the thread runs unpinned.
 * {@link #awaitCpu(long)} tells the starter where the thread ended up.
 */
public final class PinnedThreadFactory implements ThreadFactory
{
    /** Pass as the requested CPU to take any free core. */
    public static final int ANY_FREE_CPU = -1;

    /** {@link #awaitCpu(long)} result of a thread that runs unpinned. */
    public static final int NOT_PINNED = -1;

    /** {@link #awaitCpu(long)} result while the thread has not yet tried to pin itself. */
    public static final int PENDING = -2;

    private final String threadName;
    private final int requestedCpu;
    private final boolean pin;
    private final Consumer<String> warnings;
    private final CountDownLatch decided = new CountDownLatch(1);
    private volatile int boundCpu = PENDING;

    /**
     * @param threadName   name of the thread (the agent runner may rename it to the agent's role name).
     * @param requestedCpu a CPU number, or {@link #ANY_FREE_CPU}.
     * @param pin          false to run unpinned without trying (tests on a shared machine, single-CPU hosts).
     * @param warnings     where a failed pinning is reported, one line.
     */
    public PinnedThreadFactory(
        final String threadName, final int requestedCpu, final boolean pin, final PrintStream warnings)
    {
        this(threadName, requestedCpu, pin, (Consumer<String>)warnings::println);
    }

    /**
     * @param threadName   name of the thread (the agent runner may rename it to the agent's role name).
     * @param requestedCpu a CPU number, or {@link #ANY_FREE_CPU}.
     * @param pin          false to run unpinned without trying.
     * @param warnings     takes the one line that reports a failed pinning (the daemon logs it).
     */
    public PinnedThreadFactory(
        final String threadName, final int requestedCpu, final boolean pin, final Consumer<String> warnings)
    {
        if (requestedCpu < ANY_FREE_CPU)
        {
            throw new IllegalArgumentException("requested CPU must be a CPU number or ANY_FREE_CPU: " + requestedCpu);
        }
        this.threadName = threadName;
        this.requestedCpu = requestedCpu;
        this.pin = pin;
        this.warnings = warnings;
    }

    /**
     * {@inheritDoc}
     */
    public Thread newThread(final Runnable work)
    {
        final Thread thread = new Thread(() -> runPinned(work), threadName);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Wait until the thread made by this factory has pinned itself or given up.
     *
     * @param timeoutMs bound on the wait.
     * @return the CPU the thread is bound to, {@link #NOT_PINNED}, or {@link #PENDING} on timeout.
     * @throws InterruptedException if interrupted while waiting.
     */
    public int awaitCpu(final long timeoutMs) throws InterruptedException
    {
        decided.await(timeoutMs, TimeUnit.MILLISECONDS);
        return boundCpu;
    }

    /**
     * @return the CPU the thread is bound to, {@link #NOT_PINNED}, or {@link #PENDING}.
     */
    public int boundCpu()
    {
        return boundCpu;
    }

    private void runPinned(final Runnable work)
    {
        final AffinityLock lock;
        if (pin)
        {
            lock = acquire();
        }
        else
        {
            lock = null;
            boundCpu = NOT_PINNED;
            decided.countDown();
        }
        try
        {
            work.run();
        }
        finally
        {
            if (null != lock)
            {
                lock.release();
            }
        }
    }

    private AffinityLock acquire()
    {
        AffinityLock lock = null;
        String failure = null;
        if (AffinityLock.PROCESSORS < 2)
        {
            failure = "only " + AffinityLock.PROCESSORS + " CPU, none to dedicate";
        }
        else
        {
            try
            {
                lock = ANY_FREE_CPU == requestedCpu ?
                    AffinityLock.acquireLock() : AffinityLock.acquireLock(new int[]{ requestedCpu });
                if (!lock.isBound() || (ANY_FREE_CPU != requestedCpu && lock.cpuId() != requestedCpu))
                {
                    failure = ANY_FREE_CPU == requestedCpu ? "no free core" : "CPU " + requestedCpu + " is not free";
                    lock.release();
                    lock = null;
                }
            }
            catch (final RuntimeException | LinkageError ex)
            {
                failure = ex.toString();
                lock = null;
            }
        }

        if (null == lock)
        {
            boundCpu = NOT_PINNED;
            warnings.accept("sidecore: warning: " + threadName + " not pinned (" + failure + "); running unpinned");
        }
        else
        {
            boundCpu = lock.cpuId();
        }
        decided.countDown();
        return lock;
    }
}
