package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.status.CountersFile;
import io.sidecore.engine.status.PortFaultListener;
import io.sidecore.shm.CounterTypes;
import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineContextTest
{
    private final CachedNanoClock clock = new CachedNanoClock();

    @Test
    void shouldConcludeWhenEverySettingValid()
    {
        final EngineContext ctx = TestContexts.invoker(clock, 2).conclude();

        assertTrue(ctx.isConcluded());
        assertTrue(null != ctx.countersManager());
        assertTrue(null != ctx.errorHandler());
    }

    @Test
    void shouldRejectMoreCountersThanPrivateMemoryHoldsNamingTheSetting()
    {
        final int tooMany = CountersFile.MAX_PRIVATE_COUNTERS + 1;
        assertMessage("maxCounters must be in [1, " + CountersFile.MAX_PRIVATE_COUNTERS + "]: " + tooMany,
            TestContexts.invoker(clock, 1).countersFile(null).maxCounters(tooMany));
        assertThrows(IllegalArgumentException.class, () -> CountersFile.privateCountersManager(tooMany));
        assertThrows(IllegalArgumentException.class, () -> CountersFile.privateCountersManager(0));
    }

    @Test
    void shouldRejectZeroSidecores()
    {
        assertMessage("sidecoreCount must be in [1, 64]: 0", TestContexts.invoker(clock, 0));
    }

    @Test
    void shouldRejectUnknownIdleStrategy()
    {
        assertMessage("idleStrategy must be 'busy' or 'adaptive': backoff",
            TestContexts.invoker(clock, 1).idleStrategy("backoff"));
    }

    @Test
    void shouldRejectParkBoundBelowFirstPark()
    {
        assertMessage("idleMaxParkNs must be in [1000, 1000000000]: 500",
            TestContexts.invoker(clock, 1).idleMaxParkNs(500));
    }

    @Test
    void shouldRejectCommandQueueCapacityNotPowerOfTwo()
    {
        assertMessage("commandQueueCapacity must be a power of two: 100",
            TestContexts.invoker(clock, 1).commandQueueCapacity(100));
    }

    @Test
    void shouldRejectDrainLimitAboveQueueCapacity()
    {
        assertMessage("commandDrainLimit must be in [1, 64]: 65", TestContexts.invoker(clock, 1).commandDrainLimit(65));
    }

    @Test
    void shouldRejectMissingPortDefaults()
    {
        assertMessage("portDefaults must be set", TestContexts.invoker(clock, 1).portDefaults(null));
    }

    @Test
    void shouldRejectSmallCrossShardRing()
    {
        assertMessage("crossShardRingLengthBytes must be in [65536, 1073741824]: 4096",
            TestContexts.invoker(clock, 1).crossShardRingLengthBytes(4096));
    }

    @Test
    void shouldRejectConcludingTwice()
    {
        final EngineContext ctx = TestContexts.invoker(clock, 1).conclude();

        final IllegalStateException ex = assertThrows(IllegalStateException.class, ctx::conclude);
        assertEquals("engine context already concluded", ex.getMessage());
    }

    @Test
    void shouldRejectBadPortSettingsWithNamedValue()
    {
        final IllegalArgumentException budget = assertThrows(IllegalArgumentException.class,
            () -> TestContexts.PORT_DEFAULTS.withTxDescriptorBudget(0));
        final IllegalArgumentException burst = assertThrows(IllegalArgumentException.class,
            () -> TestContexts.PORT_DEFAULTS.withTxByteRate(1_000_000, 100));
        final IllegalArgumentException rxBudget = assertThrows(IllegalArgumentException.class,
            () -> TestContexts.PORT_DEFAULTS.withRxDescriptorBudget(256));

        assertEquals("txDescriptorBudget must be in [1, 65536]: 0", budget.getMessage());
        assertEquals("txBurstBytes must be in [16384, 1000000000]: 100", burst.getMessage());
        assertEquals("rxDescriptorBudget must be in [257, 65536]: 256", rxBudget.getMessage());
    }

    @Test
    void shouldCreateCountersFileReadableByAnotherReader(@TempDir final Path dir)
    {
        final Path file = dir.resolve("sub").resolve(CountersFileDescriptor.FILE_NAME);
        final EngineContext ctx = TestContexts.invoker(clock, 2).countersFile(file).errorLogLengthBytes(64 * 1024);

        try (SidecoreEngine engine = new SidecoreEngine(ctx))
        {
            new TestGuest(7).attachToSwitch(engine.proxy());
            assertTrue(Files.exists(file));
            final var buffer = ctx.mappedCountersFile().buffer();
            CountersFileDescriptor.checkReady(buffer, buffer.capacity());
            assertEquals(ProcessHandle.current().pid(), CountersFileDescriptor.pid(buffer));

            final CountersReader reader = new CountersReader(
                CountersFileDescriptor.createCountersMetaDataBuffer(buffer),
                CountersFileDescriptor.createCountersValuesBuffer(buffer));
            final List<String> labels = new ArrayList<>();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (CounterTypes.SIDECORE_COUNTER_TYPE_ID == typeId || CounterTypes.PORT_COUNTER_TYPE_ID == typeId)
                {
                    labels.add(label);
                }
            });
            assertTrue(labels.contains("sidecore=1 busy_ratio_ppm"), labels.toString());
            assertTrue(labels.contains("port=g7 rx_frames"), labels.toString());
        }
    }

    @Test
    void shouldRecordPortFaultsInTheCountersFileWithARecordForEveryPortItsCountersCanHold(@TempDir final Path dir)
    {
        final EngineContext ctx = TestContexts.invoker(clock, 1)
            .countersFile(dir.resolve(CountersFileDescriptor.FILE_NAME))
            .errorLogLengthBytes(64 * 1024)
            .conclude();
        try
        {
            final var file = ctx.mappedCountersFile().buffer();
            assertEquals(64 * 200 / PortCounter.values().length, ctx.portFaultTable().slotCount());
            assertEquals(CountersFileDescriptor.portFaultsOffset(file),
                ctx.portFaultTable().section().addressOffset() - file.addressOffset());
            assertEquals(CountersFileDescriptor.portFaultsLength(file), ctx.portFaultTable().section().capacity());
        }
        finally
        {
            ctx.close();
        }
    }

    @Test
    void shouldRecordPortFaultsInTheHeapWithoutACountersFile()
    {
        final EngineContext ctx = TestContexts.invoker(clock, 1).conclude();

        assertEquals(64 * 200 / PortCounter.values().length, ctx.portFaultTable().slotCount());
        assertEquals(PortFaultListener.NONE, ctx.portFaultListener());
    }

    @Test
    void shouldRejectMissingPortFaultListener()
    {
        assertMessage("portFaultListener must be set", TestContexts.invoker(clock, 1).portFaultListener(null));
    }

    private static void assertMessage(final String expected, final EngineContext ctx)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, ctx::conclude);
        assertEquals(expected, ex.getMessage());
    }
}
