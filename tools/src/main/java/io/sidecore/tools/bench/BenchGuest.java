package io.sidecore.tools.bench;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.tools.guest.DeviceAccess;
import io.sidecore.tools.guest.GuestDriverConfig;
import io.sidecore.tools.guest.GuestDriverException;
import io.sidecore.tools.guest.GuestDriverModel;
import io.sidecore.tools.guest.GuestFrameHandler;
import io.sidecore.tools.guest.GuestRam;
import io.sidecore.tools.guest.NativeAttachment;
import io.sidecore.tools.guest.TxOffload;
import io.sidecore.tools.vfiouser.VfioUserDeviceAccess;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One benchmark guest: the Linux e1000 driver model attached to a daemon's port as a VMM attaches it (natively over
 * the control socket, or by vfio-user on the port's socket), sending prepared frames ({@link BenchFrames}) in
 * batches with one doorbell each, as Linux does with {@code xmit_more}, and receiving.
 * <p>
 * Two interrupt modes: {@link IrqMode#POLL}, a driver under sustained load that stays in NAPI polling with interrupts
 * masked (IMC written once after the link came up; no trapped access in steady state), and {@link IrqMode#NAPI},
 * Linux's interrupt path (eventfd, ICR read, IMC, NAPI poll, IMS: trapped accesses per interrupt, moderated by ITR).
 * <p>
 * Only its own thread drives it; the main thread reads its statistics, which the owner publishes with ordered stores.
 */
final class BenchGuest implements AutoCloseable
{
    /** Guest-physical address of the guest's RAM. */
    static final long RAM_GPA = 0x4000_0000L;

    /** Frames queued for transmission. */
    static final int TX_FRAMES = 0;
    /** Frames harvested from the RX ring. */
    static final int RX_FRAMES = 1;
    /** Send rounds. */
    static final int ROUNDS = 2;
    /** Send rounds that found the TX ring full before the batch was queued: the sidecore was behind. */
    static final int RING_FULL = 3;
    /** Send rounds that found every frame sent before completed: the sidecore waited for this guest. */
    static final int RING_EMPTY = 4;
    /** Trapped accesses made. */
    static final int TRAPPED_ACCESSES = 5;
    /** Interrupts taken. */
    static final int INTERRUPTS = 6;
    /** Number of statistics. */
    static final int STAT_COUNT = 7;

    /**
     * How the guest learns of completions.
     */
    enum IrqMode
    {
        /** NAPI polling with interrupts masked, as Linux under sustained load. */
        POLL,
        /** Interrupts, each read (ICR) and re-enabled (IMS) through trapped accesses, moderated by ITR. */
        NAPI
    }

    /**
     * How the guest is attached.
     */
    enum Attach
    {
        /** The daemon's native attach over the control socket. */
        NATIVE,
        /** vfio-user on the port's socket, as QEMU's vfio-user-pci. */
        VFIO_USER
    }

    private static final long LINK_TIMEOUT_NS = 10_000_000_000L;
    private static final long LINK_POLL_NS = 1_000_000L;
    private static final int RX_BUDGET = 64;

    private final String portName;
    private final byte[] destination;
    private final int sourceIp;
    private final int destinationIp;
    private final int frameBytes;
    private final TxOffload offload;
    private final boolean sends;
    private final IrqMode irqMode;
    private final AtomicLongArray stats = new AtomicLongArray(STAT_COUNT);
    private NativeAttachment nativeAttachment;
    private VfioUserDeviceAccess vfioUser;
    private MemFd vfioUserRam;
    private CountingAccess access;
    private GuestDriverModel model;
    private UnsafeBuffer frame;
    private long rxFrames;

    private BenchGuest(
        final String portName, final byte[] destination, final int sourceIp, final int destinationIp,
        final int frameBytes, final boolean sends, final IrqMode irqMode)
    {
        this.portName = portName;
        this.destination = destination;
        this.sourceIp = sourceIp;
        this.destinationIp = destinationIp;
        this.frameBytes = frameBytes;
        this.offload = BenchFrames.offloadFor(frameBytes);
        this.sends = sends;
        this.irqMode = irqMode;
    }

    /**
     * Attach, probe and open: the link comes up later ({@link #awaitLink}).
     *
     * @param settings      what the guests do.
     * @param portName      the port.
     * @param index         the guest's number, for its IP address.
     * @param destination   MAC its frames go to, or null for a guest that only receives.
     * @param destinationIndex the destination guest's number, for its IP address.
     * @return the guest, its link negotiating.
     * @throws IOException when the attach fails.
     */
    static BenchGuest open(
        final LoadSettings settings, final String portName, final int index, final byte[] destination,
        final int destinationIndex)
        throws IOException
    {
        final BenchGuest guest = new BenchGuest(portName, destination, ip(index), ip(destinationIndex),
            settings.frameBytes(), null != destination, settings.irqMode());
        try
        {
            guest.attach(settings);
            return guest;
        }
        catch (final IOException | RuntimeException ex)
        {
            guest.close();
            throw ex;
        }
    }

    private static int ip(final int index)
    {
        return 0x0A00_0000 | (index + 1);
    }

    private void attach(final LoadSettings settings) throws IOException
    {
        final long ramBytes = settings.ramBytes();
        final DeviceAccess device;
        final GuestRam ram;
        if (Attach.NATIVE == settings.attach())
        {
            nativeAttachment = NativeAttachment.attach(
                settings.controlSocket(), portName, ramBytes, RAM_GPA, true, settings.hugePages());
            device = nativeAttachment.access();
            ram = nativeAttachment.ram();
        }
        else
        {
            final Path socket = settings.portSocketDirectory().resolve(portName + ".sock");
            vfioUserRam = MemFd.createSealed("sidecore-bench-" + portName, ramBytes, settings.hugePages());
            final VfioUserClient client;
            try
            {
                client = VfioUserClient.connect(socket);
            }
            catch (final IOException ex)
            {
                throw new IOException("the daemon does not serve vfio-user on port " + portName + "'s socket " +
                    socket + " (" + ex.getMessage() + ")", ex);
            }
            vfioUser = VfioUserDeviceAccess.attach(client, vfioUserRam, RAM_GPA, false);
            device = vfioUser;
            ram = vfioUser.guestRam(vfioUserRam, RAM_GPA);
        }
        access = new CountingAccess(device, settings.trapDoorbells());
        final GuestDriverConfig config = new GuestDriverConfig()
            .txBufferBytes(BenchFrames.Kind.TCP_TSO == BenchFrames.kindOf(frameBytes) ?
                GuestDriverConfig.MAX_BYTES_PER_TX_DESCRIPTOR : 2048)
            .useCsbWhenOffered(true)
            // the probe is set-up, not measured: its 70 EEPROM word reads through EERD are 140 trapped accesses
            // instead of the bulk of the ~12 000 of Linux's bit-banged EECD, which starved --quick's 64-guest set-up
            .eepromThroughEerd(true);
        final GuestFrameHandler handler = (buffer, offset, lengthBytes, status, special) -> rxFrames++;
        model = new GuestDriverModel(access, ram, config, handler);
        model.probe();
        if (sends)
        {
            frame = BenchFrames.build(frameBytes, destination, model.macAddress(), sourceIp, destinationIp);
        }
        model.open();
    }

    /**
     * Wait for the link the probe's PHY reset started negotiating (half a second of the device's time), then settle
     * the interrupt mode. Apart from {@link #open} so that many guests' autonegotiations run at once: waiting in each
     * open made the set-up of N guests last N / set-up threads half-seconds (32 s for 256 guests).
     *
     * @throws GuestDriverException when the link does not come up within 10 s.
     */
    void awaitLink()
    {
        if (!model.waitForLink(LINK_TIMEOUT_NS, LINK_POLL_NS))
        {
            throw new GuestDriverException("the link of port " + portName + " did not come up");
        }
        if (IrqMode.POLL == irqMode)
        {
            // NAPI under sustained load: interrupts masked, the driver polls (Linux e1000_irq_disable).
            model.registers().write(E1000Registers.IMC, 0xFFFF_FFFF);
            model.registers().flush();
            takeInterrupt();
        }
        else
        {
            // The link's interrupt (LSC) is taken as the driver takes it: ICR read, which lowers the line. Draining
            // the eventfd alone left the cause latched and the line up, so no later cause made an edge and the guest
            // never took another interrupt (every paced case showed interrupts_posted=0).
            takeInterrupt();
            model.onInterrupt();
            endOfInterrupt();
        }
        publish();
    }

    /**
     * Harvest received frames and completed transmissions: a NAPI poll, or the interrupt path.
     */
    void service()
    {
        if (IrqMode.POLL == irqMode)
        {
            model.reclaimTx();
            model.poll(RX_BUDGET);
        }
        else if (takeInterrupt())
        {
            model.onInterrupt();
            endOfInterrupt();
        }
        else if (model.isNapiScheduled())
        {
            model.napiPoll();
        }
    }

    /**
     * One send round: queue up to {@code batch} frames and write the doorbell once.
     *
     * @param batch frames per doorbell.
     */
    void send(final int batch)
    {
        if (!sends)
        {
            return;
        }
        if (!model.hasTxPending())
        {
            increment(RING_EMPTY);
        }
        int queued = 0;
        while (queued < batch)
        {
            if (!model.queue(frame, 0, frameBytes, offload))
            {
                increment(RING_FULL);
                break;
            }
            queued++;
        }
        model.flushTx();
        increment(ROUNDS);
    }

    /**
     * One frame, its doorbell, then spin until the device completed it (DD): the latency probe's measurement.
     *
     * @param timeoutNs give up after this long.
     * @return nanoseconds from just before the doorbell write to the sight of DD, or -1 on timeout.
     */
    long sendOneAndAwaitCompletion(final long timeoutNs)
    {
        model.reclaimTx();
        final long startNs = System.nanoTime();
        if (!model.queue(frame, 0, frameBytes, offload))
        {
            return -1;
        }
        model.flushTx();
        while (true)
        {
            model.reclaimTx();
            final long nowNs = System.nanoTime();
            if (!model.hasTxPending())
            {
                return nowNs - startNs;
            }
            if (nowNs - startNs > timeoutNs)
            {
                return -1;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Make the owner's counts visible to other threads (ordered stores); called after each round.
     */
    void publish()
    {
        stats.lazySet(TX_FRAMES, model.txFrames());
        stats.lazySet(RX_FRAMES, rxFrames);
        stats.lazySet(TRAPPED_ACCESSES, access.trappedAccesses());
        stats.lazySet(INTERRUPTS, model.interrupts());
    }

    /**
     * @param stat which statistic.
     * @return its value as last published (any thread).
     */
    long stat(final int stat)
    {
        return stats.get(stat);
    }

    /**
     * @return the port.
     */
    String portName()
    {
        return portName;
    }

    private void increment(final int stat)
    {
        stats.lazySet(stat, stats.get(stat) + 1);
    }

    private boolean takeInterrupt()
    {
        if (null != nativeAttachment)
        {
            return nativeAttachment.interrupt().drain() > 0;
        }
        return vfioUser.awaitInterrupt(0);
    }

    private void endOfInterrupt()
    {
        if (null != vfioUser)
        {
            vfioUser.endOfInterrupt();
        }
    }

    /**
     * Detach: the connection ends and the daemon lets the port go.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(nativeAttachment, vfioUser, vfioUserRam);
    }
}
