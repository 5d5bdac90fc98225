package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.shm.SidecoreCounter;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestSelfTest;
import io.sidecore.tools.guest.RegisterSelfTest;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ethtool -t eth0 offline} on the guest driver model against the engine through {@code doWork()}: the Linux
 * driver's offline self-test sequence (link, register, EEPROM, interrupt, loopback) passes every part except the
 * register-test rows the README lists for the shared doorbell pages, and its loopback frames come back on the port's
 * own ring while the switch and the other port see none of them.
 */
class DriverSelfTestTest
{
    private static final long STEP_NS = 1_000_000L;

    private final CachedNanoClock clock = new CachedNanoClock();
    private SidecoreEngine engine;
    private ModelGuest tested;
    private ModelGuest bystander;

    @BeforeEach
    void bringUpTwoGuestsOnTheSwitch()
    {
        clock.update(TestContexts.START_NS);
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1));
        tested = new ModelGuest(engine, clock, 1, false, new GuestDriverConfig());
        bystander = new ModelGuest(engine, clock, 2, false, new GuestDriverConfig());
        tested.bringUp();
        bystander.bringUp();
    }

    @AfterEach
    void close()
    {
        engine.close();
    }

    private long switchCounter(final SidecoreCounter counter)
    {
        return engine.agent(0).counters().get(counter).get();
    }

    @Test
    void shouldPassEveryPartExceptTheSharedPageRegisterRowsTheReadmeLists()
    {
        final GuestSelfTest.Result result = new GuestSelfTest(tested.model, tested::takeInterrupt).runOffline();

        final List<RegisterSelfTest.Row> differing =
            RegisterSelfTest.rowsReadBackUnmasked(PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        assertEquals(differing.get(0).offset(), result.register(), "the first row a shared page differs in: " +
            differing.get(0).name() + "\n" + result.ethtoolOutput());
        assertEquals(E1000Registers.RDTR, result.register());
        assertEquals(GuestSelfTest.PASSED, result.eeprom(), result.ethtoolOutput());
        assertEquals(GuestSelfTest.PASSED, result.interrupt(), result.ethtoolOutput());
        assertEquals(GuestSelfTest.PASSED, result.loopback(), result.ethtoolOutput());
        assertEquals(GuestSelfTest.PASSED, result.link(), result.ethtoolOutput());
    }

    @Test
    void shouldLoopEveryTestFrameBackOnTheOwnRingAndLetNoneReachTheSwitch()
    {
        final long txBefore = tested.port.counters().get(PortCounter.TX_FRAMES);
        final long rxBefore = tested.port.counters().get(PortCounter.RX_FRAMES);
        final long floodsBefore = switchCounter(SidecoreCounter.SWITCH_FLOOD_COPIES);
        final long bystanderRxBefore = bystander.port.counters().get(PortCounter.RX_FRAMES);

        new GuestSelfTest(tested.model, tested::takeInterrupt).runOffline();

        final int frames = (GuestSelfTest.TEST_RING_DESCRIPTORS / GuestSelfTest.FRAMES_PER_ROUND * 2 + 2) *
            GuestSelfTest.FRAMES_PER_ROUND;
        final long sent = tested.port.counters().get(PortCounter.TX_FRAMES) - txBefore;
        final long looped = tested.port.counters().get(PortCounter.RX_FRAMES) - rxBefore;
        final long overrun = tested.port.counters().get(PortCounter.RX_DROP_RING_FULL);
        assertEquals(frames, sent, "every loopback frame was transmitted");
        assertEquals(GuestSelfTest.TEST_RING_DESCRIPTORS - 1, looped, "the ring's buffers took one each");
        assertEquals(frames - looped, overrun, "the rest found the ring full (the driver never returns buffers)");
        assertEquals(0, switchCounter(SidecoreCounter.SWITCH_FLOOD_COPIES) - floodsBefore, "the switch saw none");
        assertEquals(0, switchCounter(SidecoreCounter.SWITCH_DROP_NO_DESTINATION));
        assertEquals(0, tested.port.counters().get(PortCounter.TX_DROP_NO_DESTINATION));
        assertEquals(bystanderRxBefore, bystander.port.counters().get(PortCounter.RX_FRAMES), "nor the other port");
        assertEquals(0, bystander.port.counters().get(PortCounter.RX_DROP_FILTERED) +
            bystander.port.counters().get(PortCounter.RX_DROP_RING_FULL));
    }

    @Test
    void shouldCarryTrafficAgainOnceTheSelfTestReopenedTheInterface()
    {
        new GuestSelfTest(tested.model, tested::takeInterrupt).runOffline();
        tested.run(1_000 * STEP_NS, STEP_NS);
        assertTrue(tested.model.isLinkUp(), "the link came back after the final reset");
        bystander.run(10 * STEP_NS, STEP_NS);
        bystander.received.clear();

        assertTrue(tested.send(tested.frameTo(bystander.mac, 200, 1)));
        tested.run(10 * STEP_NS, STEP_NS);
        bystander.run(10 * STEP_NS, STEP_NS);

        assertEquals(1, bystander.received.size());
    }
}
