package io.sidecore.engine.agent;

import io.sidecore.engine.TestContexts;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A method's first optimising compilation allocates nothing on the thread that made it hot once its class's string
 * constants are interned; building an engine interns those of the classes a sidecore runs.
 */
class StringConstantsTest
{
    private static final int CALLS = 400_000;

    @Test
    void shouldLetTheFirstOptimisingCompileOfAMethodAllocateNothingOnceItsClassIsInterned()
    {
        StringConstants.internFor(ColdLiterals.class);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long sum = ColdLiterals.classify(1);
        final long before = threads.getCurrentThreadAllocatedBytes();
        sum += callMany();
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(0, allocated, "bytes allocated while ColdLiterals.classify became hot enough for C2 (its " +
            "literals are resolved by the thread requesting the compilation)");
        assertEquals(1 + (long)CALLS * 7, sum);
    }

    @Test
    void shouldInternTheStringConstantsOfTheEngineAndItsLibrariesWhenAnEngineIsBuilt()
    {
        try (SidecoreEngine engine = new SidecoreEngine(TestContexts.invoker(new CachedNanoClock(), 1)))
        {
            assertTrue(engine.agent(0).roleName().startsWith("sidecore"));
        }

        final Class<?>[] sources = {SidecoreEngine.class, io.sidecore.shm.SidecoreCounter.class,
            org.agrona.concurrent.UnsafeBuffer.class, org.jctools.queues.MpscArrayQueue.class};
        for (final Class<?> source : sources)
        {
            assertTrue(StringConstants.isRead(source), "the string constants of the code source of " + source);
        }
    }

    private static long callMany()
    {
        long sum = 0;
        for (int i = 0; i < CALLS; i++)
        {
            sum += ColdLiterals.classify(7);
        }
        return sum;
    }
}
