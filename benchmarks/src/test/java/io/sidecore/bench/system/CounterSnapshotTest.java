package io.sidecore.bench.system;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadingMode;
import io.sidecore.engine.status.JvmActivity;
import io.sidecore.launcher.Configuration;
import io.sidecore.shm.SidecoreCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's reading of the counters file: an interval boundary waits for the sidecore's next reading of its
 * allocated bytes, so a snapshot taken then holds that reading, not one up to a second old.
 */
class CounterSnapshotTest
{
    private final CachedNanoClock clock = new CachedNanoClock();

    @Test
    void shouldWaitForTheSidecoresNextAllocationReadingThenSnapshotIt(@TempDir final Path directory)
        throws Exception
    {
        final long[] allocatedBytes = {1_000};
        try (SidecoreEngine engine = engine(directory, allocatedBytes);
            CounterSnapshot.Reader reader = CounterSnapshot.Reader.open(directory.resolve("counters.dat")))
        {
            engine.doWork();
            assertEquals(1_000, reader.read().sidecore(SidecoreCounter.ALLOCATED_BYTES), "first cycle reads at once");

            final CompletableFuture<CounterSnapshot> afterReading = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    reader.awaitJvmReading(30_000);
                    return reader.read();
                }
                catch (final IOException | InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            allocatedBytes[0] = 5_000;
            clock.advance(SidecoreAgent.HEARTBEAT_INTERVAL_NS - 1);
            engine.doWork();
            Thread.sleep(50);
            assertFalse(afterReading.isDone(), "no reading yet: a second has not passed on the sidecore's clock");

            clock.advance(1);
            engine.doWork();
            final CounterSnapshot snapshot = afterReading.get(30, TimeUnit.SECONDS);
            assertEquals(5_000, snapshot.sidecore(SidecoreCounter.ALLOCATED_BYTES));
            assertEquals(2, snapshot.sidecore(SidecoreCounter.JVM_READINGS));
        }
    }

    @Test
    void shouldFailNamingTheCounterWhenTheSidecorePublishesNoReading(@TempDir final Path directory) throws Exception
    {
        try (SidecoreEngine engine = engine(directory, new long[]{0});
            CounterSnapshot.Reader reader = CounterSnapshot.Reader.open(directory.resolve("counters.dat")))
        {
            engine.doWork();
            final IOException failure = assertThrows(IOException.class, () -> reader.awaitJvmReading(20));
            assertTrue(failure.getMessage().contains("jvm_readings stayed at 1"), failure.getMessage());
        }
    }

    private SidecoreEngine engine(final Path directory, final long[] allocatedBytes)
    {
        return new SidecoreEngine(Configuration.defaults().engineContext()
            .threadingMode(ThreadingMode.INVOKER).nanoClock(clock).sidecoreCount(1)
            .countersFile(directory.resolve("counters.dat"))
            .jvmActivity(new JvmActivity()
            {
                public long currentThreadAllocatedBytes()
                {
                    return allocatedBytes[0];
                }

                public long gcCount()
                {
                    return 0;
                }

                public long gcTimeMs()
                {
                    return 0;
                }

                public long coreWorkUnitNs()
                {
                    return 0;
                }
            }));
    }
}
