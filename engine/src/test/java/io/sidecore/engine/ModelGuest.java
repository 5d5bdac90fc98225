package io.sidecore.engine;

import io.sidecore.engine.agent.SidecoreEngine;
import io.sidecore.engine.backend.PortBackend;
import io.sidecore.engine.e1000.PortConfig;
import io.sidecore.engine.e1000.RegisterImage;
import io.sidecore.engine.mem.GuestMemory;
import io.sidecore.engine.port.Port;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortRegionDescriptor;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestRam;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Test support: one guest running the Linux-like guest driver model (probe, open, NAPI receive, interrupt handling)
 * on a port served by the engine, with its own RAM and an interrupt line that queues rising edges.
 */
final class ModelGuest
{
    static final long RAM_GPA = 0x4000_0000L;
    static final int RAM_BYTES = 2 << 20;
    static final long LINK_TIMEOUT_NS = 5_000_000_000L;

    final int index;
    final byte[] mac;
    final Port port;
    final GuestDriverModel model;
    final EngineDeviceAccess access;
    final List<byte[]> received = new ArrayList<>();
    /** The link watchdog's messages, each with STATUS.LU as the device showed it: "NIC Link is Down, LU=0". */
    final List<String> linkEvents = new ArrayList<>();
    final RegisterImage registers = RegisterImage.allocate();
    private int pendingEdges;
    private boolean serviced = true;

    ModelGuest(
        final SidecoreEngine engine,
        final CachedNanoClock clock,
        final int index,
        final boolean csbOffered,
        final GuestDriverConfig config)
    {
        this(engine, clock, index, csbOffered, config, null);
    }

    /**
     * @param backendFactory the port's backend made for its counters, or null for the built-in switch.
     */
    ModelGuest(
        final SidecoreEngine engine,
        final CachedNanoClock clock,
        final int index,
        final boolean csbOffered,
        final GuestDriverConfig config,
        final Function<PortCounters, PortBackend> backendFactory)
    {
        this.index = index;
        this.mac = TestGuest.macOf(index);
        final GuestRam ram = GuestRam.allocate(RAM_GPA, RAM_BYTES);
        final GuestMemory guestMemory = new GuestMemory();
        guestMemory.addRegion(RAM_GPA, ram.segment());
        final PortConfig portConfig = new PortConfig(
            index, "g" + index, mac, csbOffered, PortRegionDescriptor.DEFAULT_SHARED_PAGES);
        port = null == backendFactory ?
            engine.proxy().addSwitchPort(portConfig, registers, guestMemory, this::onLevel) :
            engine.proxy().addPort(portConfig, registers, guestMemory, this::onLevel, backendFactory);
        access = new EngineDeviceAccess(engine, clock, port);
        model = new GuestDriverModel(access, ram, config, this::onFrame);
        model.linkListener((up, status, message) ->
            linkEvents.add(message + ", LU=" + ((status & E1000Registers.STATUS_LU) >>> 1)));
    }

    /**
     * Probe, open and wait for the link, as the Linux driver does at boot and ifup.
     */
    void bringUp()
    {
        model.probe();
        model.open();
        if (!model.waitForLink(LINK_TIMEOUT_NS, 1_000_000L))
        {
            throw new IllegalStateException("link did not come up on g" + index);
        }
        while (service())
        {
            access.delay(0);
        }
        received.clear();
    }

    /**
     * Let engine time pass in steps, the guest taking its interrupts and polling after each.
     *
     * @param durationNs how long.
     * @param stepNs     each step.
     */
    void run(final long durationNs, final long stepNs)
    {
        for (long waited = 0; waited < durationNs; waited += stepNs)
        {
            access.delay(stepNs);
            while (service())
            {
                access.delay(0);
            }
        }
    }

    /**
     * Stop servicing interrupts and NAPI (a guest that does not return RX buffers).
     *
     * @param on false to stop.
     */
    void serviced(final boolean on)
    {
        serviced = on;
    }

    /**
     * Take one pending interrupt or run one NAPI poll.
     *
     * @return true if the guest did something.
     */
    boolean service()
    {
        if (!serviced)
        {
            return false;
        }
        if (pendingEdges > 0)
        {
            pendingEdges--;
            model.onInterrupt();
            return true;
        }
        if (model.isNapiScheduled())
        {
            model.napiPoll();
            return true;
        }
        return false;
    }

    /**
     * Take one pending interrupt without running the driver's handler (a self-test installs its own).
     *
     * @return true if an interrupt was pending.
     */
    boolean takeInterrupt()
    {
        if (pendingEdges > 0)
        {
            pendingEdges--;
            return true;
        }
        return false;
    }

    boolean send(final byte[] frame)
    {
        return model.send(new UnsafeBuffer(frame), 0, frame.length);
    }

    boolean queue(final byte[] frame)
    {
        return model.queue(new UnsafeBuffer(frame), 0, frame.length);
    }

    byte[] frameTo(final byte[] destination, final int lengthBytes, final int sequence)
    {
        final byte[] frame = new byte[lengthBytes];
        System.arraycopy(destination, 0, frame, 0, 6);
        System.arraycopy(mac, 0, frame, 6, 6);
        frame[12] = (byte)0x88;
        frame[13] = (byte)0xB5;
        frame[14] = (byte)index;
        frame[15] = (byte)(sequence >>> 16);
        frame[16] = (byte)(sequence >>> 8);
        frame[17] = (byte)sequence;
        for (int i = 18; i < lengthBytes; i++)
        {
            frame[i] = (byte)(sequence + i);
        }
        return frame;
    }

    private void onLevel(final boolean asserted)
    {
        if (asserted)
        {
            pendingEdges++;
        }
    }

    private void onFrame(
        final DirectBuffer buffer, final int offset, final int lengthBytes, final int status, final int special)
    {
        final byte[] copy = new byte[lengthBytes];
        buffer.getBytes(offset, copy);
        received.add(copy);
    }
}
