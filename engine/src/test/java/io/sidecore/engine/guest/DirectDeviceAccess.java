package io.sidecore.engine.guest;

import io.sidecore.engine.e1000.DeviceHarness;
import io.sidecore.engine.e1000.E1000Device;
import io.sidecore.tools.guest.DeviceAccess;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestRam;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test support: the guest driver model's {@link DeviceAccess} straight over an {@link E1000Device} in a
 * {@link DeviceHarness}, the way a VMM would connect them but in one thread. Trapped accesses call the device at the
 * harness clock; when the doorbell pages are shared the model writes them into the device's register image
 * directly. {@link #runDevice()} is one sidecore pass for the port (timers, the shared registers, TX, and an optional
 * wire loopback that feeds every transmitted frame back into {@link E1000Device#receive});
 * {@link #takeInterrupt()} reports each rising edge of the INTx line once, as an irqfd would.
 */
public final class DirectDeviceAccess implements DeviceAccess
{
    /** Guest-physical base of the model's part of the harness RAM (the upper half). */
    public static final long MODEL_RAM_GPA = DeviceHarness.RAM_GPA + DeviceHarness.RAM_BYTES / 2;
    /** Descriptors per {@link E1000Device#pollTx} call in {@link #runDevice()}. */
    public static final int TX_BUDGET = 1 << 16;

    private final DeviceHarness harness;
    private final E1000Device device;
    private final boolean shareDoorbellPages;
    private boolean loopback;
    private int wireDelivered;
    private int levelsSeen;
    private int risingEdges;
    private int wakeups;

    /**
     * @param harness            the device.
     * @param shareDoorbellPages true: the model sees the port's shared pages (exitless doorbells); false: every
     *                           access traps.
     */
    public DirectDeviceAccess(final DeviceHarness harness, final boolean shareDoorbellPages)
    {
        this.harness = harness;
        this.device = harness.device;
        this.shareDoorbellPages = shareDoorbellPages;
    }

    /**
     * @return the upper half of the harness RAM as the model's guest RAM window (the same bytes the device DMAs).
     */
    public GuestRam guestRam()
    {
        final long half = DeviceHarness.RAM_BYTES / 2;
        return new GuestRam(harness.ram.asSlice(half, half), MODEL_RAM_GPA);
    }

    /**
     * @param on feed every frame the device transmits back into its receive path on {@link #runDevice()}.
     * @return this.
     */
    public DirectDeviceAccess loopback(final boolean on)
    {
        this.loopback = on;
        return this;
    }

    public int configRead(final int offset, final int sizeBytes)
    {
        return device.configRead(offset, sizeBytes);
    }

    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        device.configWrite(offset, sizeBytes, value);
    }

    public int bar0Read(final int offset)
    {
        return device.mmioRead(offset, harness.nowNs);
    }

    public void bar0Write(final int offset, final int value)
    {
        device.mmioWrite(offset, value, harness.nowNs);
    }

    public int ioRead(final int offset)
    {
        return device.ioRead(offset, harness.nowNs);
    }

    public void ioWrite(final int offset, final int value)
    {
        device.ioWrite(offset, value, harness.nowNs);
    }

    public int sharedPages()
    {
        return shareDoorbellPages ? device.config().sharedPages() : 0;
    }

    public AtomicBuffer sharedBar0()
    {
        return shareDoorbellPages ? harness.registers.doorbellPages() : null;
    }

    public void wakeHost(final int doorbellOffset)
    {
        wakeups++;
    }

    public void delay(final long durationNs)
    {
        advance(durationNs);
    }

    /**
     * Move the clock on and fire the device's expired timers.
     *
     * @param durationNs how far.
     */
    public void advance(final long durationNs)
    {
        harness.nowNs += durationNs;
        device.onTimers(harness.nowNs);
    }

    /**
     * One sidecore pass for this port: timers, TX doorbell poll, then the looped-back frames into RX.
     *
     * @return work done.
     */
    public int runDevice()
    {
        int work = device.onTimers(harness.nowNs);
        work += device.pollSharedRegisters(harness.nowNs);
        work += device.pollTx(harness.nowNs, TX_BUDGET);
        if (loopback)
        {
            while (wireDelivered < harness.wire.size())
            {
                final byte[] frame = harness.wire.get(wireDelivered++);
                device.receive(new UnsafeBuffer(frame), 0, frame.length, harness.nowNs);
                work++;
            }
        }
        return work;
    }

    /**
     * @return true once for every rising edge of the interrupt line since the last call.
     */
    public boolean takeInterrupt()
    {
        while (levelsSeen < harness.irqLevels.size())
        {
            if (harness.irqLevels.get(levelsSeen++))
            {
                risingEdges++;
            }
        }
        if (risingEdges > 0)
        {
            risingEdges--;
            return true;
        }
        return false;
    }

    /**
     * Run the device and the guest until both are idle: device passes, interrupts delivered to
     * {@link GuestDriverModel#onInterrupt()}, NAPI polls while scheduled; when nothing moves, time advances by
     * {@code idleStepNs} (moderation timers) up to {@code idleSteps} times.
     *
     * @param model      the guest.
     * @param idleStepNs clock step when idle.
     * @param idleSteps  idle steps allowed before giving up.
     * @return interrupts delivered.
     */
    public int pump(final GuestDriverModel model, final long idleStepNs, final int idleSteps)
    {
        int interrupts = 0;
        int idle = 0;
        for (int round = 0; round < 100_000 && idle <= idleSteps; round++)
        {
            boolean moved = runDevice() > 0;
            if (takeInterrupt())
            {
                model.onInterrupt();
                interrupts++;
                moved = true;
            }
            else if (model.isNapiScheduled())
            {
                model.napiPoll();
                moved = true;
            }
            if (moved)
            {
                idle = 0;
            }
            else
            {
                idle++;
                advance(idleStepNs);
            }
        }
        return interrupts;
    }

    /**
     * @return frames the device has put on the wire so far.
     */
    public int wireFrames()
    {
        return harness.wire.size();
    }

    /**
     * @return {@link #wakeHost} calls.
     */
    public int wakeups()
    {
        return wakeups;
    }

    /**
     * @return the harness.
     */
    public DeviceHarness harness()
    {
        return harness;
    }
}
