package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.NullBackend;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.EepromMicrowireTest;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.proxy.EngineProxy;
import io.sidecore.engine.proxy.PortStatus;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ports that outlive their guests: created with no guest, bound to one ({@link EngineProxy#bindGuest}), let go
 * ({@link EngineProxy#unbindGuest}) and bound again, each time in the device's power-on state; the per-port moderation
 * floor; the placement on a named sidecore. Driven by {@code doWork()} with a manual clock.
 */
class GuestBindingTest
{
    private static final int FRAME_BYTES = 60;

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
    void shouldTransmitForGuestBoundToPortCreatedWithoutOne()
    {
        start(1);
        final NullBackend backend = new NullBackend();
        final TestGuest guest = new TestGuest(1);
        final Port port = unboundPort(guest, backend, EngineProxy.LEAST_LOADED_SIDECORE);

        bind(guest, port);
        guest.setUpTx(8);
        guest.send(
            guest.frameTo(TestGuest.macOf(2), FRAME_BYTES, 1), guest.frameTo(TestGuest.macOf(2), FRAME_BYTES, 2));
        pump(4);

        assertEquals(2, backend.framesSunk());
        assertEquals(2, port.counters().get(PortCounter.TX_FRAMES));
        assertEquals(2, guest.registers.getAcquire(E1000Registers.TDH), "the device runs on the guest's image");
    }

    @Test
    void shouldStopRingsAndLeaveOldGuestMemoryUntouchedWhenUnbound()
    {
        start(1);
        final NullBackend backend = new NullBackend();
        final TestGuest guest = new TestGuest(1);
        final Port port = unboundPort(guest, backend, EngineProxy.LEAST_LOADED_SIDECORE);
        bind(guest, port);
        guest.setUpTx(8);
        guest.send(guest.frameTo(TestGuest.macOf(2), FRAME_BYTES, 1));
        pump(4);
        final RegisterImage guestImage = port.registers();

        engine.proxy().unbindGuest(port);
        guest.queue(guest.frameTo(TestGuest.macOf(2), FRAME_BYTES, 2));
        guest.ringTx();
        final byte[] ramBefore = snapshot(guest);
        pump(8);

        assertEquals(1, backend.framesSunk(), "a doorbell in the old guest's page is not polled any more");
        assertArrayEquals(ramBefore, snapshot(guest), "nothing written into the old guest's memory");
        assertNotSame(guestImage, port.registers());
        assertEquals(0, port.registers().get(E1000Registers.TCTL), "TX disabled: power-on state");
        assertEquals(0, port.registers().get(E1000Registers.TDBAL));
    }

    /**
     * Review finding 4: the fault/reset backoff is the port's. A guest that used up its allowance of faults and resets
     * and then reconnects (a new binding, as a vfio-user client that connects again) stays backed off until time, not
     * the reconnect, refills the allowance.
     */
    @Test
    void shouldKeepTheFaultAndResetBackoffOfAPortAcrossANewGuestBinding()
    {
        start(1);
        final TestGuest first = new TestGuest(1);
        final Port port = unboundPort(first, new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        bind(first, port);
        final long resetsPerSecond = 2;
        engine.proxy().updatePortSettings(port, port.settings().withFaultResetRate(resetsPerSecond));
        for (int i = 0; i < 2 * resetsPerSecond; i++)
        {
            engine.proxy().mmioWrite(port, E1000Registers.CTRL, E1000Registers.CTRL_RST);
        }
        pump(1);
        assertTrue(port.counters().get(PortCounter.PASSES_BACKED_OFF) > 0, "the resets used up the allowance");

        final TestGuest second = new TestGuest(1);
        engine.proxy().bindGuest(port, second.registers, second.guestMemory, second.irqLevels::add);
        final long backedOffBefore = port.counters().get(PortCounter.PASSES_BACKED_OFF);
        pump(4);

        assertEquals(4, port.counters().get(PortCounter.PASSES_BACKED_OFF) - backedOffBefore,
            "every pass after the new binding is still backed off");
        clock.advance(2_000_000_000L);
        final long backedOffAfterRefill = port.counters().get(PortCounter.PASSES_BACKED_OFF);
        pump(4);
        assertEquals(0, port.counters().get(PortCounter.PASSES_BACKED_OFF) - backedOffAfterRefill,
            "two seconds refilled the allowance");
    }

    @Test
    void shouldStartFromPowerOnStateWhenNextGuestBinds()
    {
        start(1);
        final TestGuest first = new TestGuest(1);
        final Port port = unboundPort(first, new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        bind(first, port);
        engine.proxy().mmioWrite(port, E1000Registers.IMS, E1000Registers.ICR_LSC);
        engine.proxy().mmioWrite(port, E1000Registers.RCTL, E1000Registers.RCTL_EN);
        engine.proxy().unbindGuest(port);

        final TestGuest second = new TestGuest(1);
        engine.proxy().bindGuest(port, second.registers, second.guestMemory, second.irqLevels::add);

        assertEquals(0, engine.proxy().mmioRead(port, E1000Registers.IMS));
        assertEquals(0, engine.proxy().mmioRead(port, E1000Registers.RCTL));
        assertEquals(0, engine.proxy().configRead(port, PciConfig.COMMAND_OFFSET, 2),
            "PCI configuration space back to power-on (bus mastering off)");
        assertEquals(E1000Registers.CTRL_RESET_VALUE, second.registers.get(E1000Registers.CTRL));
    }

    @Test
    void shouldKeepTheEepromAGuestWroteForTheNextGuestAndLoadItsMacAddress()
    {
        start(1);
        final TestGuest first = new TestGuest(1);
        final Port port = unboundPort(first, new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        bind(first, port);
        final EepromMicrowireTest.Eecd pins = new EepromMicrowireTest.Eecd()
        {
            public int read()
            {
                return engine.proxy().mmioRead(port, E1000Registers.EECD);
            }

            public void write(final int value)
            {
                engine.proxy().mmioWrite(port, E1000Registers.EECD, value);
            }
        };
        EepromMicrowireTest.enabledWrite(pins, 0, 0x5452);
        EepromMicrowireTest.enabledWrite(pins, 0x30, 0x1234);
        engine.proxy().unbindGuest(port);

        final TestGuest second = new TestGuest(1);
        engine.proxy().bindGuest(port, second.registers, second.guestMemory, second.irqLevels::add);

        assertEquals(0x1234, eepromWordByEerd(port, 0x30), "SDM 5: the EEPROM is the port's, kept for its lifetime");
        assertEquals(0x5452, second.registers.get(E1000Registers.ral(0)) & 0xFFFF,
            "SDM 5.6.1: the power-on RAL0 comes from EEPROM words 0-2");
    }

    private int eepromWordByEerd(final Port port, final int address)
    {
        engine.proxy().mmioWrite(port, E1000Registers.EERD,
            E1000Registers.EERD_START | address << E1000Registers.EERD_ADDR_SHIFT);
        return engine.proxy().mmioRead(port, E1000Registers.EERD) >>> E1000Registers.EERD_DATA_SHIFT;
    }

    @Test
    void shouldRaiseNewGuestInterruptLineOnlyAfterRebind()
    {
        start(1);
        final TestGuest first = new TestGuest(1);
        final Port port = unboundPort(first, new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        final AtomicBoolean firstRaised = new AtomicBoolean();
        final AtomicBoolean secondRaised = new AtomicBoolean();
        engine.proxy().bindGuest(port, first.registers, first.guestMemory, asserted -> firstRaised.set(asserted));
        engine.proxy().unbindGuest(port);
        engine.proxy().bindGuest(port, RegisterImage.allocate(), new GuestMemory(),
            asserted -> secondRaised.set(asserted));

        engine.proxy().mmioWrite(port, E1000Registers.IMS, E1000Registers.ICR_LSC);
        engine.proxy().mmioWrite(port, E1000Registers.ICS, E1000Registers.ICR_LSC);
        pump(2);

        assertFalse(firstRaised.get(), "the old guest's line is never raised again");
        assertTrue(secondRaised.get());
    }

    @Test
    void shouldApplyModerationOverrideAndKeepItAcrossRebind()
    {
        final EngineContext ctx = TestContexts.invoker(clock, 1).minModerationDelayNs(10_000);
        engine = new SidecoreEngine(ctx);
        final TestGuest guest = new TestGuest(1);
        final Port port = unboundPort(guest, new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        assertEquals(10_000, engine.proxy().portStatus(port).minModerationDelayNs(), "the engine's default");

        engine.proxy().updateModeration(port, 250_000);
        assertEquals(250_000, engine.proxy().portStatus(port).minModerationDelayNs());
        bind(guest, port);
        assertEquals(250_000, engine.proxy().portStatus(port).minModerationDelayNs(), "kept by the new device");

        engine.proxy().updateModeration(port, Port.NO_MODERATION_OVERRIDE);
        assertEquals(10_000, engine.proxy().portStatus(port).minModerationDelayNs());
    }

    /**
     * The engine's RX read-ahead ({@code sidecore.rx.read.ahead.descriptors}) is given to a port's first device and
     * to every device a later guest brings (a binding builds a new device, whose own default would be 32).
     */
    @Test
    void shouldGiveEveryDeviceOfAPortTheEnginesRxReadAhead()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1).rxReadAheadDescriptors(5));
        final TestGuest guest = new TestGuest(1);
        final Port port = unboundPort(guest, new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        assertEquals(5, port.device().rxReadAheadDescriptors(), "the port's first device");

        bind(guest, port);

        assertEquals(5, port.device().rxReadAheadDescriptors(), "the bound guest's device");
    }

    @Test
    void shouldRejectModerationOutOfRange()
    {
        start(1);
        final Port port = unboundPort(new TestGuest(1), new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);

        assertThrows(IllegalArgumentException.class, () -> engine.proxy().updateModeration(port, -5));
        assertThrows(IllegalArgumentException.class, () -> engine.proxy().updateModeration(port, 2_000_000_000L));
    }

    @Test
    void shouldReportFaultOfBoundGuestAndClearItOnUnbind()
    {
        start(1);
        final TestGuest guest = new TestGuest(1);
        final Port port = unboundPort(guest, new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        bind(guest, port);
        guest.setUpTx(8);
        guest.registers.setRelease(E1000Registers.TDT, 200);
        pump(2);

        final PortStatus faulted = engine.proxy().portStatus(port);
        engine.proxy().unbindGuest(port);

        assertTrue(faulted.faulted(), "TDT beyond the ring faults the port");
        assertFalse(engine.proxy().portStatus(port).faulted());
    }

    @Test
    void shouldPlacePortOnNamedSidecore()
    {
        start(2);
        final Port first = unboundPort(new TestGuest(1), new NullBackend(), 1);
        final Port second = unboundPort(new TestGuest(2), new NullBackend(), 1);

        assertEquals(1, engine.proxy().sidecoreIndex(first));
        assertEquals(1, engine.proxy().sidecoreIndex(second));
        assertEquals(2, engine.proxy().portCount(1));
        assertEquals(0, engine.proxy().portCount(0));
    }

    @Test
    void shouldRejectSidecoreThatDoesNotExist()
    {
        start(2);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> unboundPort(new TestGuest(1), new NullBackend(), 2));
        assertEquals("no sidecore 2: there are 2", ex.getMessage());
    }

    @Test
    void shouldCloseBackendWhenAddFails()
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, 1).maxPortsPerSidecore(1));
        unboundPort(new TestGuest(1), new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        final TestGuest guest = new TestGuest(2);
        final AtomicBoolean closed = new AtomicBoolean();
        final PortBackend refused = new PortBackend()
        {
            public int poll(final long nowNs, final FrameSink toGuest, final int frameBudget, final long byteBudget)
            {
                return 0;
            }

            public void close()
            {
                closed.set(true);
            }

            public String typeName()
            {
                return "refused";
            }

            public int onFrame(
                final DirectBuffer frame, final int offset, final int length, final FrameMetadata metadata,
                final long nowNs)
            {
                return FrameSink.DELIVERED;
            }
        };

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> engine.proxy().addPort(
            guest.config, RegisterImage.allocate(), new GuestMemory(), InterruptLine.NONE,
            EngineProxy.LEAST_LOADED_SIDECORE, counters -> refused));

        assertTrue(ex.getMessage().contains("sidecore 0 is full"), ex.getMessage());
        assertTrue(closed.get(), "the backend made for the refused port is closed");
        assertEquals(1, engine.proxy().ports().size());
    }

    @Test
    void shouldRefuseBindOfRemovedPort()
    {
        start(1);
        final TestGuest guest = new TestGuest(1);
        final Port port = unboundPort(guest, new NullBackend(), EngineProxy.LEAST_LOADED_SIDECORE);
        engine.proxy().removePort(port);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> engine.proxy().bindGuest(port, guest.registers, guest.guestMemory, InterruptLine.NONE));
        assertTrue(ex.getMessage().contains("port not served: "), ex.getMessage());
    }

    private SidecoreEngine start(final int sidecores)
    {
        engine = new SidecoreEngine(TestContexts.invoker(clock, sidecores));
        return engine;
    }

    private Port unboundPort(final TestGuest guest, final NullBackend backend, final int sidecore)
    {
        return engine.proxy().addPort(guest.config, RegisterImage.allocate(), new GuestMemory(), InterruptLine.NONE,
            sidecore, counters -> backend);
    }

    private void bind(final TestGuest guest, final Port port)
    {
        engine.proxy().bindGuest(port, guest.registers, guest.guestMemory, guest.irqLevels::add);
        guest.proxy = engine.proxy();
        guest.port = port;
        guest.enableBusMastering();
    }

    private void pump(final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            clock.advance(1_000);
            engine.doWork();
        }
    }

    private static byte[] snapshot(final TestGuest guest)
    {
        final byte[] copy = new byte[TestGuest.RAM_BYTES];
        guest.ramBuffer.getBytes(0, copy);
        return copy;
    }
}
