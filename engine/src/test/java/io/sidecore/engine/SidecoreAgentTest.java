package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreAgent;
import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.agent.ThreadKick;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.engine.l2.L2Switch;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.Commands;
import io.sidecore.engine.proxy.SidecoreCommand;
import io.sidecore.engine.proxy.TrappedAccess;
import io.sidecore.shm.CountersFileDescriptor;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PassTimeHistogram;
import io.sidecore.shm.SidecoreCounter;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's duty cycle, commands and bookkeeping, driven by {@code doWork()} on the test thread with a manual clock.
 */
class SidecoreAgentTest
{
    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;

    @AfterEach
    void tearDown()
    {
        if (null != engine)
        {
            engine.close();
        }
    }

    @Test
    void shouldAnswerTrappedReadWhenDoWorkRuns()
    {
        final SidecoreAgent agent = start(1).agent(0);
        final TestGuest guest = new TestGuest(1);
        final Port port = guest.attachToSwitch(engine.proxy());
        engine.proxy().mmioWrite(port, E1000Registers.ICS, E1000Registers.ICR_LSC);

        final TrappedAccess access = engine.proxy().offerAccess(
            port, TrappedAccess.MMIO_SPACE, false, E1000Registers.ICR, 4, 0);
        assertNotNull(access);
        assertFalse(access.isComplete());

        agent.doWork();

        assertTrue(access.isComplete());
        assertNull(access.failure());
        assertEquals(E1000Registers.ICR_LSC, access.result() & E1000Registers.ICR_LSC);
        access.end();
        assertEquals(1, port.counters().get(PortCounter.ICR_READS));
    }

    @Test
    void shouldRefuseSecondAccessWhileFirstInFlight()
    {
        start(1);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());

        final TrappedAccess first = engine.proxy().offerAccess(
            port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 4, 0);
        final TrappedAccess second = engine.proxy().offerAccess(
            port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 4, 0);

        assertNotNull(first);
        assertNull(second);
        engine.doWork();
        first.end();
        assertNotNull(engine.proxy().offerAccess(port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 4, 0));
    }

    @Test
    void shouldReclaimAbandonedSlotOnceCompleted()
    {
        start(1);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());
        final TrappedAccess first = engine.proxy().offerAccess(
            port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 4, 0);
        first.abandon();
        assertNull(engine.proxy().offerAccess(port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 4, 0));

        engine.doWork();

        assertNotNull(engine.proxy().offerAccess(port, TrappedAccess.MMIO_SPACE, false, E1000Registers.STATUS, 4, 0));
    }

    @Test
    void shouldCountTrappedDoorbellAsTrappedOnly()
    {
        start(1);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());

        engine.proxy().mmioWrite(port, E1000Registers.RDT, 5);
        engine.doWork();
        engine.doWork();

        assertEquals(1, port.counters().get(PortCounter.DOORBELLS_TRAPPED));
        assertEquals(0, port.counters().get(PortCounter.DOORBELLS_SHARED));
    }

    @Test
    void shouldCountSharedDoorbellOnceWhenTailChanges()
    {
        start(1);
        final TestGuest guest = new TestGuest(1);
        final Port port = guest.attachToSwitch(engine.proxy());

        guest.registers.setRelease(E1000Registers.RDT, 7);
        final int work = engine.doWork();
        engine.doWork();
        guest.registers.setRelease(E1000Registers.RDT, 9);
        engine.doWork();

        assertTrue(work > 0);
        assertEquals(2, port.counters().get(PortCounter.DOORBELLS_SHARED));
        assertEquals(0, port.counters().get(PortCounter.DOORBELLS_TRAPPED));
    }

    @Test
    void shouldCountSharedDoorbellThatATrappedWriteOvertook()
    {
        // The guest stores RDT through the mapped page, then writes IMS through a trap before the sidecore's next
        // pass has looked at the page (a preempted or parked sidecore takes its commands first): the RDT update
        // still came through the shared page and is counted there, and the IMS write is no doorbell.
        start(1);
        final TestGuest guest = new TestGuest(1);
        final Port port = guest.attachToSwitch(engine.proxy());
        engine.doWork();

        guest.registers.setRelease(E1000Registers.RDT, 7);
        engine.proxy().mmioWrite(port, E1000Registers.IMS, E1000Registers.ICR_RXT0);
        engine.doWork();

        assertEquals(1, port.counters().get(PortCounter.DOORBELLS_SHARED));
        assertEquals(0, port.counters().get(PortCounter.DOORBELLS_TRAPPED));
        assertEquals(7, guest.registers.getAcquire(E1000Registers.RDT));
    }

    @Test
    void shouldCountSharedAndTrappedDoorbellsEachOnceWhenATrappedTailOvertakesTheOther()
    {
        start(1);
        final TestGuest guest = new TestGuest(1);
        final Port port = guest.attachToSwitch(engine.proxy());
        engine.doWork();

        guest.registers.setRelease(E1000Registers.RDT, 7);
        engine.proxy().mmioWrite(port, E1000Registers.TDT, 0);
        engine.proxy().mmioWrite(port, E1000Registers.TDT, 0);
        engine.doWork();

        assertEquals(1, port.counters().get(PortCounter.DOORBELLS_SHARED));
        assertEquals(2, port.counters().get(PortCounter.DOORBELLS_TRAPPED));
    }

    @Test
    void shouldCountSharedDoorbellBeforeATrappedResetClearsIt()
    {
        // CTRL.RST (8254x SDM 13.4.1) clears RDT; the update the guest made before it came through the shared page,
        // the clearing is the device's own and no doorbell.
        start(1);
        final TestGuest guest = new TestGuest(1);
        final Port port = guest.attachToSwitch(engine.proxy());
        engine.doWork();

        guest.registers.setRelease(E1000Registers.RDT, 7);
        engine.proxy().mmioWrite(port, E1000Registers.CTRL, E1000Registers.CTRL_RST);
        engine.doWork();
        engine.doWork();

        assertEquals(1, port.counters().get(PortCounter.DOORBELLS_SHARED));
        assertEquals(0, port.counters().get(PortCounter.DOORBELLS_TRAPPED));
        assertEquals(0, guest.registers.getAcquire(E1000Registers.RDT));
    }

    @Test
    void shouldStartEachPassOnePortLater()
    {
        final SidecoreAgent agent = start(1).agent(0);
        final List<String> log = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            new TestGuest(i).attach(engine.proxy(), new RecordingBackend("p" + i, log));
        }
        log.clear();

        final List<List<String>> passes = new ArrayList<>();
        for (int pass = 0; pass < 4; pass++)
        {
            assertEquals(pass % 3, agent.nextPassStart());
            agent.doWork();
            passes.add(new ArrayList<>(log));
            log.clear();
        }

        assertEquals(List.of(
            List.of("p0", "p1", "p2"),
            List.of("p1", "p2", "p0"),
            List.of("p2", "p0", "p1"),
            List.of("p0", "p1", "p2")), passes);
    }

    @Test
    void shouldPassRxFrameBudgetToBackendAndChangeItAtRuntime()
    {
        start(1);
        final RecordingBackend backend = new RecordingBackend("p", new ArrayList<>());
        final Port port = new TestGuest(1).attach(engine.proxy(), backend);
        engine.doWork();
        assertEquals(64, backend.budgets.get(backend.budgets.size() - 1));

        engine.proxy().updatePortSettings(port, port.settings().withRxFrameBudget(5));
        engine.doWork();

        assertEquals(5, backend.budgets.get(backend.budgets.size() - 1));
        assertEquals(5, port.settings().rxFrameBudget());
    }

    @Test
    void shouldExecuteAtMostDrainLimitCommandsPerCycle()
    {
        final SidecoreAgent agent = start(1).agent(0);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());
        final long processedBefore = agent.counters().commandsProcessed().get();
        final List<SidecoreCommand> commands = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final SidecoreCommand command = new Commands.UpdatePortSettings(port, port.settings());
            assertTrue(agent.offer(command));
            commands.add(command);
        }

        agent.doWork();

        assertEquals(8, commands.stream().filter(SidecoreCommand::isComplete).count());
        assertEquals(processedBefore + 8, agent.counters().commandsProcessed().get());
        agent.doWork();
        agent.doWork();
        assertEquals(20, commands.stream().filter(SidecoreCommand::isComplete).count());
    }

    @Test
    void shouldCountOfferFailureWhenQueueFull()
    {
        final SidecoreAgent agent = start(1).agent(0);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());
        for (int i = 0; i < 64; i++)
        {
            assertTrue(agent.offer(new Commands.UpdatePortSettings(port, port.settings())));
        }

        assertFalse(agent.offer(new Commands.UpdatePortSettings(port, port.settings())));

        assertEquals(1, agent.counters().proxyOfferFailures().get());
        assertEquals(1, engine.proxy().offerFailures());
    }

    @Test
    void shouldReportCommandFailureToCaller()
    {
        start(1);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());
        final TrappedAccess access = engine.proxy().offerAccess(port, 7, false, E1000Registers.STATUS, 4, 0);

        engine.doWork();

        assertTrue(access.isComplete());
        assertEquals("unknown access space: 7", access.failure().getMessage());
        access.end();
        assertEquals(E1000Registers.STATUS_RESET_VALUE & E1000Registers.STATUS_LU,
            engine.proxy().mmioRead(port, E1000Registers.STATUS) & E1000Registers.STATUS_LU, "the slot is free again");
    }

    @Test
    void shouldRefuseTrappedAccessWhenPortRemoved()
    {
        start(1);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());
        engine.proxy().removePort(port);
        final long commandsBefore = engine.agent(0).counters().commandsProcessed().get();

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> engine.proxy().mmioRead(port, E1000Registers.STATUS));

        assertEquals("port not served: g1", ex.getMessage());
        engine.doWork();
        assertEquals(commandsBefore, engine.agent(0).counters().commandsProcessed().get(),
            "nothing reached the sidecore");
    }

    @Test
    void shouldPlaceNewPortOnLeastLoadedSidecore()
    {
        start(3);
        final List<Port> ports = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            ports.add(new TestGuest(i).attachToSwitch(engine.proxy()));
        }
        assertEquals(List.of(0, 1, 2, 0, 1, 2), ports.stream().map(engine.proxy()::sidecoreIndex).toList());

        engine.proxy().removePort(ports.get(4));
        final Port next = new TestGuest(10).attachToSwitch(engine.proxy());

        assertEquals(1, engine.proxy().sidecoreIndex(next));
        assertEquals(2, engine.agent(1).portCount());
        assertEquals(2, engine.agent(1).counters().portsOwned().get());
    }

    @Test
    void shouldCloseBackendAndReuseSwitchSlotWhenPortRemoved()
    {
        start(2);
        final RecordingBackend backend = new RecordingBackend("p", new ArrayList<>());
        final Port other = new TestGuest(1).attach(engine.proxy(), backend);
        final Port first = new TestGuest(2).attachToSwitch(engine.proxy());
        final int slot = engine.proxy().switchSlot(first);
        assertEquals(L2Switch.NO_SLOT, engine.proxy().switchSlot(other), "a backend port is not on the switch");

        engine.proxy().removePort(other);
        engine.proxy().removePort(first);
        final Port second = new TestGuest(3).attachToSwitch(engine.proxy());

        assertTrue(backend.closed);
        assertEquals(slot, engine.proxy().switchSlot(second));
        assertThrows(IllegalArgumentException.class, () -> engine.proxy().switchSlot(first), "forgotten once removed");
        assertEquals(0, engine.agent(0).portCount() + engine.agent(1).portCount() - 1);
        assertEquals(List.of(second), engine.proxy().ports());
    }

    @Test
    void shouldRejectDuplicatePortId()
    {
        start(1);
        new TestGuest(1).attachToSwitch(engine.proxy());

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new TestGuest(1).attachToSwitch(engine.proxy()));

        assertEquals("port id already in use: 1", ex.getMessage());
    }

    @Test
    void shouldFailAddAndFreeSlotWhenSidecoreFull()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1).maxPortsPerSidecore(2));
        new TestGuest(1).attachToSwitch(engine.proxy());
        new TestGuest(2).attachToSwitch(engine.proxy());

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> new TestGuest(3).attachToSwitch(engine.proxy()));

        assertEquals("AddPort failed on sidecore 0: sidecore 0 is full: maxPortsPerSidecore=2", ex.getMessage());
        assertEquals(2, engine.proxy().ports().size());
    }

    @Test
    void shouldMeasureBusyRatioAndMaxCycleTime()
    {
        final SidecoreAgent agent = start(1).agent(0);
        final TestGuest guest = new TestGuest(1);
        guest.attachToSwitch(engine.proxy());

        TestContexts.busyCycleOf200Ms(clock, agent, guest);

        assertEquals(200_000_000L, agent.counters().maxCycleTimeNs().get());
        assertEquals(1, agent.counters().cycleTimeThresholdExceeded().get());
        assertTrue(agent.counters().dutyCycles().get() >= 4);
        assertEquals(100_000L, agent.counters().busyRatioPpm().get(), "200 ms busy in a 2 s window");
    }

    @Test
    void shouldCountBusyCycleInItsPassTimeBucketAndBusyTime()
    {
        final SidecoreAgent agent = start(1).agent(0);
        final TestGuest guest = new TestGuest(1);
        guest.attachToSwitch(engine.proxy());
        final int bucket = PassTimeHistogram.bucketOf(200_000_000L);
        final long busyNsBefore = agent.counters().get(SidecoreCounter.BUSY_NS).get();
        final long inBucketBefore = agent.counters().passTimeBucket(bucket).get();

        TestContexts.busyCycleOf200Ms(clock, agent, guest);

        assertEquals(1, agent.counters().passTimeBucket(bucket).get() - inBucketBefore);
        assertEquals(200_000_000L, agent.counters().get(SidecoreCounter.BUSY_NS).get() - busyNsBefore);
        assertTrue(PassTimeHistogram.lowerBoundNs(bucket) <= 200_000_000L);
        assertTrue(PassTimeHistogram.upperBoundNs(bucket) > 200_000_000L);
    }

    @Test
    void shouldCancelParkWhenCommandPending()
    {
        final SidecoreAgent agent = start(1).agent(0);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());

        assertEquals(50_000, agent.onParkPrepare(50_000));
        agent.offer(new Commands.UpdatePortSettings(port, port.settings()));
        assertEquals(0, agent.onParkPrepare(50_000));

        assertEquals(1, agent.counters().parks().get(), "a cancelled park is not counted");
    }

    @Test
    void shouldCountWakeupWhenKicked()
    {
        final SidecoreAgent agent = start(1).agent(0);

        agent.onParkEnd(false);
        agent.onParkEnd(true);

        assertEquals(1, agent.counters().wakeups().get());
    }

    @Test
    void shouldSignalKickWhenCommandOffered()
    {
        final SidecoreAgent agent = start(1).agent(0);
        final Port port = new TestGuest(1).attachToSwitch(engine.proxy());
        final ThreadKick kick = (ThreadKick)agent.kick();
        kick.await(0);

        agent.offer(new Commands.UpdatePortSettings(port, port.settings()));

        assertTrue(kick.isSignalled());
    }

    @Test
    void shouldNameRoleAfterIndex()
    {
        start(2);

        assertEquals("sidecore-0", engine.agent(0).roleName());
        assertEquals("sidecore-1", engine.agent(1).roleName());
    }

    @Test
    void shouldRefuseDoWorkFromOutsideWhenThreadsRun()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));

        assertThrows(IllegalStateException.class, () -> engine.start());
    }

    @Test
    void shouldCountFramesIntoNullSinkAndBoundGeneratedFrames()
    {
        start(1);
        final NullBackend backend = new NullBackend(new byte[64], 100);
        final Port port = new TestGuest(1).attach(engine.proxy(), backend);
        engine.proxy().updatePortSettings(port, port.settings().withRxFrameBudget(16));
        final long before = backend.framesGenerated();

        engine.doWork();

        assertEquals(16, backend.framesGenerated() - before);
        assertEquals("null", port.backend().typeName());
    }

    @Test
    void shouldGiveEveryPortTheContextsMinimumModerationDelay()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 2).minModerationDelayNs(128_000));
        final TestGuest first = new TestGuest(1);
        final TestGuest second = new TestGuest(2);
        first.attachToSwitch(engine.proxy());
        second.attachToSwitch(engine.proxy());

        assertEquals(128_000, first.port.device().interrupts().minModerationDelayNs());
        assertEquals(128_000, second.port.device().interrupts().minModerationDelayNs());
        assertTrue(engine.proxy().sidecoreIndex(first.port) != engine.proxy().sidecoreIndex(second.port),
            "both sidecores apply it");
    }

    @Test
    void shouldSpaceInterruptsByMinimumModerationDelayWhenGuestItrZero()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1).minModerationDelayNs(128_000));
        final TestGuest guest = new TestGuest(1);
        final Port port = guest.attachToSwitch(engine.proxy());
        engine.proxy().mmioWrite(port, E1000Registers.IMS, E1000Registers.ICR_LSC);
        engine.proxy().mmioWrite(port, E1000Registers.ICS, E1000Registers.ICR_LSC);
        engine.proxy().mmioRead(port, E1000Registers.ICR);
        final long firstEdgeNs = clock.nanoTime();

        engine.proxy().mmioWrite(port, E1000Registers.ICS, E1000Registers.ICR_LSC);
        clock.update(firstEdgeNs + 127_999);
        engine.doWork();
        assertEquals(1, port.counters().get(PortCounter.INTERRUPTS_POSTED));
        clock.update(firstEdgeNs + 128_000);
        engine.doWork();

        assertEquals(2, port.counters().get(PortCounter.INTERRUPTS_POSTED));
        assertEquals(List.of(true, false, true), guest.irqLevels);
    }

    @Test
    void shouldBeatCountersFileHeartbeatOncePerSecondOfAgentClock(@TempDir final Path dir)
    {
        final long[] epochMs = {1_700_000_000_000L};
        engine = new SidecoreEngine(TestContexts.invoker(clock, 2)
            .countersFile(dir.resolve("counters.dat"))
            .errorLogLengthBytes(64 * 1024)
            .epochClock(() -> epochMs[0]));
        final UnsafeBuffer file = engine.context().mappedCountersFile().buffer();
        final long startNs = clock.nanoTime();
        epochMs[0] += 5;

        engine.doWork();
        assertEquals(1_700_000_000_005L, CountersFileDescriptor.heartbeatMs(file), "first cycle beats at once");

        epochMs[0] += 990;
        clock.update(startNs + SidecoreAgent.HEARTBEAT_INTERVAL_NS - 1);
        engine.doWork();
        assertEquals(1_700_000_000_005L, CountersFileDescriptor.heartbeatMs(file), "not due yet");

        clock.update(startNs + SidecoreAgent.HEARTBEAT_INTERVAL_NS);
        engine.doWork();
        assertEquals(1_700_000_000_995L, CountersFileDescriptor.heartbeatMs(file));
    }

    @Test
    void shouldResumeHeartbeatAfterStallWithoutCatchingUp(@TempDir final Path dir)
    {
        final long[] epochMs = {1_700_000_000_000L};
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1)
            .countersFile(dir.resolve("counters.dat"))
            .errorLogLengthBytes(64 * 1024)
            .epochClock(() -> epochMs[0]));
        final UnsafeBuffer file = engine.context().mappedCountersFile().buffer();
        final long startNs = clock.nanoTime();
        engine.doWork();

        epochMs[0] += 10_000;
        clock.update(startNs + 10 * SidecoreAgent.HEARTBEAT_INTERVAL_NS);
        engine.doWork();
        assertEquals(1_700_000_000_000L + 10_000, CountersFileDescriptor.heartbeatMs(file), "one beat after a stall");

        epochMs[0] += 1;
        clock.update(startNs + 10 * SidecoreAgent.HEARTBEAT_INTERVAL_NS + 1);
        engine.doWork();
        assertEquals(1_700_000_000_000L + 10_000, CountersFileDescriptor.heartbeatMs(file),
            "the next beat is an interval after the late one, not a burst");
    }

    @Test
    void shouldBeatHeartbeatOnlyFromSidecoreZero(@TempDir final Path dir)
    {
        final long[] epochMs = {1_700_000_000_000L};
        engine = new SidecoreEngine(TestContexts.invoker(clock, 2)
            .countersFile(dir.resolve("counters.dat"))
            .errorLogLengthBytes(64 * 1024)
            .epochClock(() -> epochMs[0]));
        final UnsafeBuffer file = engine.context().mappedCountersFile().buffer();
        epochMs[0] += 7;

        engine.agent(1).doWork();
        assertEquals(1_700_000_000_000L, CountersFileDescriptor.heartbeatMs(file));
        engine.agent(0).doWork();
        assertEquals(1_700_000_000_007L, CountersFileDescriptor.heartbeatMs(file));
    }

    @Test
    void shouldNotCountHeartbeatAsWork(@TempDir final Path dir)
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1)
            .countersFile(dir.resolve("counters.dat"))
            .errorLogLengthBytes(64 * 1024));

        assertEquals(0, engine.doWork(), "an idle sidecore may still park");
    }

    private SidecoreEngine start(final int sidecores)
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, sidecores));
        return engine;
    }
}
