package io.sidecore.tools.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserRegion;
import io.sidecore.shm.vfiouser.VfioUserReply;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.ReceivedFds;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PciConfig;
import io.sidecore.shm.os.EventFd;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserIrqInfo;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import io.sidecore.shm.vfiouser.VfioUserSetIrqs;
import io.sidecore.tools.guest.DeviceAccess;
import io.sidecore.tools.guest.GuestRam;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link DeviceAccess} over vfio-user, set up the way QEMU's {@code vfio-user-pci} sets up a device, so the
 * synthetic guest drives exactly the path a VM does:
 * <ol>
 *   <li>VERSION; DMA_MAP of the guest RAM memfd with its fd (QEMU maps guest RAM before it asks anything else);</li>
 *   <li>DEVICE_GET_INFO; DEVICE_GET_REGION_INFO of BARs 0-5 and config space, with the argsz two-step; the BAR0
 *   sparse-mmap areas (the doorbell pages) mapped from the reply's fd, so doorbell writes land in shared memory
 *   without a message;</li>
 *   <li>a read of the whole config space; SET_IRQS with a trigger eventfd for INTx, and, in resample mode, the
 *   KVM sequence (MASK, UNMASK with a resample eventfd, UNMASK).</li>
 * </ol>
 * Trapped registers become REGION_READ/REGION_WRITE of 4 bytes (config space with its size); BAR writes are sent
 * synchronously, as QEMU does once a region offered mmap. Interrupts: {@link #awaitInterrupt} waits on the trigger
 * eventfd; after the guest's handler ran, {@link #endOfInterrupt()} plays the EOI as QEMU does (UNMASK message
 * under TCG, or a signal of the resample eventfd as KVM does). Single-threaded, like the driver model.
 */
public final class VfioUserDeviceAccess implements DeviceAccess, AutoCloseable
{
    private final VfioUserClient client;
    private final EventFd trigger;
    private final EventFd resample;
    private final Arena arena = Arena.ofShared();
    private final AtomicBuffer sharedBar0;
    private final int sharedPages;
    private final byte[] configSpace;
    private long trappedAccesses;

    private VfioUserDeviceAccess(final VfioUserClient client, final boolean useResample)
    {
        this.client = client;
        this.trigger = EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        this.resample = useResample ? EventFd.create(EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC) : null;
        client.deviceInfo();
        AtomicBuffer view = null;
        int pages = 0;
        for (int index = 0; index <= VfioUserRegionInfo.CONFIG_REGION_INDEX; index++)
        {
            if (VfioUserRegionInfo.ROM_REGION_INDEX == index)
            {
                continue;
            }
            final VfioUserRegion region = client.regionInfo(index);
            if (region.fd() >= 0)
            {
                try
                {
                    if (VfioUserRegionInfo.BAR0_REGION_INDEX == index && region.areaCount() > 0)
                    {
                        final MemorySegment bar0 = SparseBarMapping.map(region, arena);
                        view = new UnsafeBuffer(bar0.address(), (int)bar0.byteSize());
                        pages = pageBitmap(region);
                    }
                }
                finally
                {
                    ReceivedFds.closeQuietly(region.fd());
                }
            }
        }
        this.sharedBar0 = view;
        this.sharedPages = pages;
        final VfioUserReply config = client.regionReadBytes(VfioUserRegionInfo.CONFIG_REGION_INDEX, 0,
            PciConfig.CONFIG_SPACE_LENGTH);
        this.configSpace = new byte[PciConfig.CONFIG_SPACE_LENGTH];
        config.message().getBytes(VfioUserRegionAccess.DATA_OFFSET, configSpace);
        client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_TRIGGER,
            VfioUserIrqInfo.INTX_IRQ_INDEX, 0, 1, trigger.fd());
        if (null != resample)
        {
            client.setIrqs(
                VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_MASK, VfioUserIrqInfo.INTX_IRQ_INDEX, 0, 1);
            client.setIrqs(VfioUserSetIrqs.DATA_EVENTFD | VfioUserSetIrqs.ACTION_UNMASK,
                VfioUserIrqInfo.INTX_IRQ_INDEX, 0, 1, resample.fd());
            client.setIrqs(VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_UNMASK,
                VfioUserIrqInfo.INTX_IRQ_INDEX, 0, 1);
        }
    }

    /**
     * Attach to a device as QEMU does, with {@code guestRam} as the guest's memory.
     *
     * @param client      a connected client (the access owns it from now on; closed here when the attach fails).
     * @param guestRam    the guest RAM memfd (mapped by the device through DMA_MAP).
     * @param ramGpa      guest-physical address of its first byte.
     * @param useResample true for KVM's INTx resample path, false for QEMU's TCG path (UNMASK messages).
     * @return the access.
     */
    public static VfioUserDeviceAccess attach(
        final VfioUserClient client, final MemFd guestRam, final long ramGpa, final boolean useResample)
    {
        try
        {
            client.negotiateVersion();
            // Huge pages are reserved before DMA_MAP hands the memory to the device, which maps it first: a short
            // pool then fails here, with the sysctl that grows it, not as the device's refusal of the DMA_MAP.
            guestRam.reservePages();
            client.dmaMap(guestRam.fd(), 0, ramGpa, guestRam.sizeBytes(),
                VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE);
            return new VfioUserDeviceAccess(client, useResample);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(client);
            throw ex;
        }
    }

    /**
     * The guest's view of its RAM for the driver model.
     *
     * @param guestRam the memfd given to {@link #attach}.
     * @param ramGpa   its guest-physical address.
     * @return a {@link GuestRam} over a shared mapping of it.
     */
    public GuestRam guestRam(final MemFd guestRam, final long ramGpa)
    {
        return new GuestRam(guestRam.map(arena), ramGpa);
    }

    /**
     * @return the client (for messages the {@link DeviceAccess} interface has no word for).
     */
    public VfioUserClient client()
    {
        return client;
    }

    /**
     * @return the config space as read at attach.
     */
    public byte[] configSpaceAtAttach()
    {
        return configSpace.clone();
    }

    /**
     * Wait for the device's interrupt on the trigger eventfd and take it.
     *
     * @param timeoutMs bound on the wait.
     * @return true when an interrupt came.
     */
    public boolean awaitInterrupt(final int timeoutMs)
    {
        if (!trigger.await(timeoutMs))
        {
            return false;
        }
        return trigger.drain() > 0;
    }

    /**
     * Wait for the device's interrupt without taking it.
     *
     * @param timeoutMs bound on the wait.
     * @return true when one is pending.
     */
    public boolean awaitTrigger(final int timeoutMs)
    {
        return trigger.await(timeoutMs);
    }

    /**
     * @return register accesses sent as messages (config space, BAR0 outside the shared pages, BAR1) since attach.
     */
    public long trappedAccesses()
    {
        return trappedAccesses;
    }

    /**
     * The guest finished handling the interrupt: unmask INTx as QEMU does (UNMASK message under TCG; a signal of
     * the resample eventfd, KVM's EOI notification, in resample mode).
     */
    public void endOfInterrupt()
    {
        if (null != resample)
        {
            resample.signal();
        }
        else
        {
            client.setIrqs(VfioUserSetIrqs.DATA_NONE | VfioUserSetIrqs.ACTION_UNMASK, VfioUserIrqInfo.INTX_IRQ_INDEX,
                0, 1);
        }
    }

    @Override
    public int configRead(final int offset, final int sizeBytes)
    {
        trappedAccesses++;
        return (int)client.regionRead(VfioUserRegionInfo.CONFIG_REGION_INDEX, offset, sizeBytes);
    }

    @Override
    public void configWrite(final int offset, final int sizeBytes, final int value)
    {
        trappedAccesses++;
        client.regionWrite(VfioUserRegionInfo.CONFIG_REGION_INDEX, offset, sizeBytes, value, false);
    }

    @Override
    public int bar0Read(final int offset)
    {
        trappedAccesses++;
        return (int)client.regionRead(VfioUserRegionInfo.BAR0_REGION_INDEX, offset, 4);
    }

    @Override
    public void bar0Write(final int offset, final int value)
    {
        trappedAccesses++;
        client.regionWrite(VfioUserRegionInfo.BAR0_REGION_INDEX, offset, 4, Integer.toUnsignedLong(value), false);
    }

    @Override
    public int ioRead(final int offset)
    {
        trappedAccesses++;
        return (int)client.regionRead(VfioUserRegionInfo.BAR1_REGION_INDEX, offset, 4);
    }

    @Override
    public void ioWrite(final int offset, final int value)
    {
        trappedAccesses++;
        client.regionWrite(VfioUserRegionInfo.BAR1_REGION_INDEX, offset, 4, Integer.toUnsignedLong(value), false);
    }

    @Override
    public int sharedPages()
    {
        return sharedPages;
    }

    @Override
    public AtomicBuffer sharedBar0()
    {
        return sharedBar0;
    }

    @Override
    public void delay(final long durationNs)
    {
        LockSupport.parkNanos(durationNs);
    }

    @Override
    public void close()
    {
        try
        {
            client.close();
        }
        finally
        {
            trigger.close();
            if (null != resample)
            {
                resample.close();
            }
            arena.close();
        }
    }

    private static int pageBitmap(final VfioUserRegion region)
    {
        int bitmap = 0;
        for (int i = 0; i < region.areaCount(); i++)
        {
            final long first = region.areaOffsets()[i] / E1000Registers.PAGE_LENGTH;
            final long last = (region.areaOffsets()[i] + region.areaSizes()[i] - 1) / E1000Registers.PAGE_LENGTH;
            for (long page = first; page <= last && page < Integer.SIZE; page++)
            {
                bitmap |= 1 << page;
            }
        }
        return bitmap;
    }
}
