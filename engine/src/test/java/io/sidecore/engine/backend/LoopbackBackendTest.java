package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.engine.e1000.InterruptLine;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The device here is in its reset state (receiver off), so every frame the loopback hands it is counted once under
 * {@code rx_drop_disabled}: the count shows how many frames reached the device.
 */
class LoopbackBackendTest
{
    private static final long NOW_NS = 1_000L;

    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
    private LoopbackBackend backend;
    private final FrameMetadata metadata = new FrameMetadata();
    private PortCounters counters;
    private E1000Device device;
    private FrameSink toDevice;

    @BeforeEach
    void setUp()
    {
        counters = PortCounters.inPrivateMemory("g0");
        backend = new LoopbackBackend(counters);
        device = new E1000Device(
            PortConfig.of(0, "g0", TestFrames.DST_MAC), RegisterImage.allocate(), new GuestMemory(), counters, backend,
            InterruptLine.NONE);
        toDevice = (bytes, offset, lengthBytes, frameMetadata, nowNs) ->
            device.receive(bytes, offset, lengthBytes, nowNs);
    }

    @Test
    void shouldHandEveryQueuedFrameToDeviceWhenPolled()
    {
        backend.onFrame(frame, 0, 64, metadata, NOW_NS);
        backend.onFrame(frame, 0, 64, metadata, NOW_NS);
        backend.onFrame(frame, 0, 64, metadata, NOW_NS);

        assertEquals(3, backend.poll(NOW_NS, toDevice, 64));
        assertEquals(3, counters.get(PortCounter.RX_DROP_DISABLED));
        assertEquals(0, backend.poll(NOW_NS, toDevice, 64));
        assertEquals(3, counters.get(PortCounter.RX_DROP_DISABLED));
    }

    @Test
    void shouldHandAtMostFrameBudgetPerPoll()
    {
        for (int i = 0; i < 5; i++)
        {
            backend.onFrame(frame, 0, 64, metadata, NOW_NS);
        }

        assertEquals(2, backend.poll(NOW_NS, toDevice, 2));
        assertEquals(2, backend.poll(NOW_NS, toDevice, 2));
        assertEquals(1, backend.poll(NOW_NS, toDevice, 2));
        assertEquals(5, counters.get(PortCounter.RX_DROP_DISABLED));
    }

    @Test
    void shouldCountRxDropBackendWhenQueueFull()
    {
        for (int i = 0; i < LoopbackBackend.SLOTS; i++)
        {
            assertEquals(FrameSink.DELIVERED, backend.onFrame(frame, 0, 64, metadata, NOW_NS));
        }

        assertEquals(PortCounter.RX_DROP_BACKEND.id(), backend.onFrame(frame, 0, 64, metadata, NOW_NS));
        assertEquals(1, counters.get(PortCounter.RX_DROP_BACKEND));
        int delivered = 0;
        int polled;
        while ((polled = backend.poll(NOW_NS, toDevice, 64)) > 0)
        {
            delivered += polled;
        }
        assertEquals(LoopbackBackend.SLOTS, delivered);
        assertEquals(LoopbackBackend.SLOTS, counters.get(PortCounter.RX_DROP_DISABLED));
    }

    @Test
    void shouldCountRxDropBackendWhenFrameLongerThanSlot()
    {
        final UnsafeBuffer jumbo = new UnsafeBuffer(new byte[LoopbackBackend.SLOT_BYTES + 1]);

        assertEquals(PortCounter.RX_DROP_BACKEND.id(),
            backend.onFrame(jumbo, 0, jumbo.capacity(), metadata, NOW_NS));

        assertEquals(1, counters.get(PortCounter.RX_DROP_BACKEND));
        assertEquals(0, backend.poll(NOW_NS, toDevice, 64));
    }

    @Test
    void shouldNameItselfLoopback()
    {
        assertEquals("loopback", backend.typeName());
    }
}
