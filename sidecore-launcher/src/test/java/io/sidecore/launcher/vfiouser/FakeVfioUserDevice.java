package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.os.Fds;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.os.Mmap;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A device for server tests: records every call in order, keeps a small register file (BAR0, BAR1 and config
 * space as plain little-endian bytes, so a read returns what was written), maps DMA fds the way the engine
 * binding will (so a test can check the server hands over a usable fd), and owns a doorbell memfd of 16 KiB whose
 * pages 0x2000 and 0x3000 are offered for mmap. Hooks let a test hold a DMA_UNMAP inside the device.
 */
public final class FakeVfioUserDevice implements VfioUserDevice
{
    /** Size of the doorbell memfd: BAR0 offsets 0..0x3FFF, only the two ring pages offered. */
    static final int DOORBELL_FILE_BYTES = 0x4000;

    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final byte[] bar0 = new byte[E1000Registers.BAR0_LENGTH];
    final byte[] bar1 = new byte[E1000Registers.BAR1_LENGTH];
    public final byte[] config = new byte[256];
    final MemFd doorbells = MemFd.create("fake-doorbells", DOORBELL_FILE_BYTES);
    final MemorySegment doorbellView = doorbells.map(Arena.ofAuto());
    public final List<MemorySegment> mappedGuestMemory = Collections.synchronizedList(new ArrayList<>());
    volatile DoorbellPages offeredPages = new DoorbellPages(doorbells.fd(), 0,
        new long[]{E1000Registers.RX_RING_PAGE_OFFSET, E1000Registers.TX_RING_PAGE_OFFSET});
    volatile CountDownLatch unmapEntered = new CountDownLatch(1);
    volatile CountDownLatch unmapRelease;
    volatile int dmaMapErrno;
    public volatile boolean mappedFdWasUsable;
    volatile CountDownLatch disconnectedLatch = new CountDownLatch(1);

    /** When set, {@link #connected} refuses with it. */
    volatile String refusal;
    /** When set, {@link #connected} throws it (a device bug during set-up). */
    volatile RuntimeException connectFailure;

    /** Clients the device was told of ({@link #connected}; not in {@link #calls}, which the tests compare whole). */
    final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void connected(final long peerPid)
    {
        connections.incrementAndGet();
        final RuntimeException failure = connectFailure;
        if (null != failure)
        {
            connectFailure = null;
            throw failure;
        }
        if (null != refusal)
        {
            throw new VfioUserDeviceException(io.sidecore.shm.vfiouser.VfioUserErrno.EBUSY, refusal);
        }
    }

    @Override
    public long regionRead(final int regionIndex, final long offset, final int sizeBytes)
    {
        calls.add("read " + regionIndex + " 0x" + Long.toHexString(offset) + " " + sizeBytes);
        final byte[] bytes = bytes(regionIndex);
        long value = 0;
        for (int i = sizeBytes - 1; i >= 0; i--)
        {
            value = (value << 8) | (bytes[(int)offset + i] & 0xFF);
        }
        return value;
    }

    @Override
    public void regionWrite(final int regionIndex, final long offset, final int sizeBytes, final long value)
    {
        calls.add("write " + regionIndex + " 0x" + Long.toHexString(offset) + " " + sizeBytes + " 0x" +
            Long.toHexString(value));
        final byte[] bytes = bytes(regionIndex);
        for (int i = 0; i < sizeBytes; i++)
        {
            bytes[(int)offset + i] = (byte)(value >>> (8 * i));
        }
    }

    @Override
    public int dmaMap(final int fd, final long fileOffset, final long iova, final long sizeBytes,
        final boolean readable, final boolean writable)
    {
        calls.add("map 0x" + Long.toHexString(iova) + " 0x" + Long.toHexString(sizeBytes) +
            (fd >= 0 ? " fd" : " nofd") + (readable ? " r" : "") + (writable ? " w" : ""));
        if (0 != dmaMapErrno)
        {
            return dmaMapErrno;
        }
        if (fd >= 0)
        {
            // map it, as the engine binding will: the mapping outlives the server's fd
            final MemorySegment mapping = Mmap.mapShared(fd, fileOffset, sizeBytes, writable, Arena.ofAuto());
            mappedGuestMemory.add(mapping);
            mappedFdWasUsable = true;
        }
        return 0;
    }

    @Override
    public int dmaUnmap(final long iova, final long sizeBytes)
    {
        calls.add("unmap-begin 0x" + Long.toHexString(iova) + " 0x" + Long.toHexString(sizeBytes));
        unmapEntered.countDown();
        final CountDownLatch release = unmapRelease;
        if (null != release)
        {
            try
            {
                if (!release.await(30, TimeUnit.SECONDS))
                {
                    throw new IllegalStateException("test never released the unmap");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        calls.add("unmap-end 0x" + Long.toHexString(iova));
        return 0;
    }

    @Override
    public int dmaUnmapAll()
    {
        calls.add("unmap-all");
        return 0;
    }

    @Override
    public DoorbellPages doorbellPages()
    {
        return offeredPages;
    }

    @Override
    public void reset()
    {
        calls.add("reset");
    }

    @Override
    public void disconnected()
    {
        calls.add("disconnected");
        disconnectedLatch.countDown();
    }

    public long doorbellLong(final int bar0Offset)
    {
        return doorbellView.get(JAVA_LONG_UNALIGNED, bar0Offset);
    }

    void close()
    {
        doorbells.close();
    }

    static int openFdCount()
    {
        final String[] entries = new java.io.File("/proc/self/fd").list();
        return null == entries ? -1 : entries.length;
    }

    private byte[] bytes(final int regionIndex)
    {
        return switch (regionIndex)
        {
            case VfioUserRegionInfo.BAR0_REGION_INDEX -> bar0;
            case VfioUserRegionInfo.BAR1_REGION_INDEX -> bar1;
            case VfioUserRegionInfo.CONFIG_REGION_INDEX -> config;
            default -> throw new IllegalArgumentException("region " + regionIndex);
        };
    }

    static void closeFd(final int fd)
    {
        Fds.close(fd);
    }
}
