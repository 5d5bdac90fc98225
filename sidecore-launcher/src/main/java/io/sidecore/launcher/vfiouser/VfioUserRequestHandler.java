package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserCommand;
import io.sidecore.shm.vfiouser.VfioUserDeviceFeature;
import io.sidecore.shm.vfiouser.VfioUserDeviceInfo;
import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserDmaUnmap;
import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserIrqInfo;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import io.sidecore.shm.vfiouser.VfioUserVersion;
import io.sidecore.shm.vfiouser.ReceivedFds;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

import static io.sidecore.launcher.vfiouser.MessageFields.u16;
import static io.sidecore.launcher.vfiouser.MessageFields.u32;
import static io.sidecore.launcher.vfiouser.MessageFields.u64;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Serves the messages of one client connection, strictly in order: checks each message against its wire contract
 * ({@code io.sidecore.shm.vfiouser}), turns it into calls on the {@link VfioUserDevice}, the {@link IntxLine} and
 * its own DMA map table, and builds the reply. Every malformed message gets an error reply (a header with the
 * errno) and a logged reason; the connection keeps serving. A message that asked for no reply never gets one, not
 * even an error: its failure is only logged. VERSION must come first. Connection thread only.
 * <p>
 * Region and interrupt requests are in {@link RegionRequests} and {@link IrqRequests}; this class frames replies,
 * checks headers and serves VERSION, DMA_MAP/UNMAP, the info queries, DEVICE_RESET and DEVICE_FEATURE.
 */
final class VfioUserRequestHandler
{
    /** {@link #handle} result: send nothing. */
    static final int NO_REPLY = -1;
    /** A DMA_MAP without fd this large and writable means guest RAM is not shared: warn the operator. */
    static final long UNSHARED_RAM_WARNING_BYTES = 2L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(VfioUserRequestHandler.class);

    private final String name;
    private final VfioUserDevice device;
    private final DmaMapTable dmaMaps = new DmaMapTable(VfioUserVersion.DEFAULT_MAX_DMA_MAPS);
    private final RegionRequests regionRequests;
    private final IrqRequests irqRequests;
    private final LogRateLimit refusalLog;
    private long refusals;
    private boolean versionNegotiated;
    private int replyFd = -1;
    private String problem;

    /**
     * @param name   the port, for logs.
     * @param device the device.
     * @param intx   the port's INTx line.
     * @param counts where trapped accesses are counted.
     */
    VfioUserRequestHandler(
        final String name, final VfioUserDevice device, final IntxLine intx, final TrappedAccessCounts counts)
    {
        this(name, device, intx, counts, new LogRateLimit(System::nanoTime));
    }

    /**
     * @param name       the port, for logs.
     * @param device     the device.
     * @param intx       the port's INTx line.
     * @param counts     where trapped accesses are counted.
     * @param refusalLog bounds the lines logged about refused messages.
     */
    VfioUserRequestHandler(
        final String name, final VfioUserDevice device, final IntxLine intx, final TrappedAccessCounts counts,
        final LogRateLimit refusalLog)
    {
        this.refusalLog = refusalLog;
        this.name = name;
        this.device = device;
        this.regionRequests = new RegionRequests(device, counts);
        this.irqRequests = new IrqRequests(intx);
    }

    /**
     * Serve one message.
     *
     * @param request      the message, from offset 0.
     * @param size         its length (the header's size, already framed).
     * @param fds          fds that came with it; taken ones are the handler's, the rest the caller closes.
     * @param misplacedFds fds arrived with the payload rather than the header.
     * @param reply        receives the reply from offset 0.
     * @return reply length, or {@link #NO_REPLY}.
     */
    int handle(
        final UnsafeBuffer request, final int size, final ReceivedFds fds, final boolean misplacedFds,
        final UnsafeBuffer reply)
    {
        replyFd = -1;
        problem = null;
        final int id = u16(request, VfioUserHeader.MESSAGE_ID_OFFSET);
        final int command = u16(request, VfioUserHeader.COMMAND_OFFSET);
        final int flags = request.getInt(VfioUserHeader.FLAGS_OFFSET, LITTLE_ENDIAN);
        int result = checkHeader(command, flags, misplacedFds);
        if (result >= 0)
        {
            result = dispatchGuarded(command, flags, request, size, fds, reply);
        }
        if (result < 0)
        {
            refusals++;
            final long heldBack = refusalLog.acquire();
            if (heldBack >= 0)
            {
                LOG.warn("vfio-user {}: {} (id {}, size {}) refused with {}: {}{}", name,
                    VfioUserCommand.name(command), id, size, VfioUserErrno.name(-result), problem,
                    0 == heldBack ? "" : " (" + heldBack + " earlier refusals not logged: at most " +
                    LogRateLimit.LINES_PER_WINDOW + " lines per " + LogRateLimit.WINDOW_NS / 1_000_000_000L + " s)");
            }
            replyFd = -1;
        }
        if (VfioUserHeader.isNoReply(flags))
        {
            return NO_REPLY;
        }
        final int length = result < 0 ? VfioUserHeader.HEADER_LENGTH : result;
        reply.putShort(VfioUserHeader.MESSAGE_ID_OFFSET, (short)id, LITTLE_ENDIAN);
        reply.putShort(VfioUserHeader.COMMAND_OFFSET, (short)command, LITTLE_ENDIAN);
        reply.putInt(VfioUserHeader.SIZE_OFFSET, length, LITTLE_ENDIAN);
        reply.putInt(VfioUserHeader.FLAGS_OFFSET,
            result < 0 ? VfioUserHeader.ERROR_REPLY_FLAGS : VfioUserHeader.TYPE_REPLY, LITTLE_ENDIAN);
        reply.putInt(VfioUserHeader.ERROR_OFFSET, result < 0 ? -result : 0, LITTLE_ENDIAN);
        return length;
    }

    /**
     * @return the fd to send with the reply {@link #handle} just built, or -1.
     */
    int replyFd()
    {
        return replyFd;
    }

    /**
     * The connection ended: forget the client's mappings (the device releases its own).
     */
    void disconnected()
    {
        dmaMaps.clear();
        versionNegotiated = false;
    }

    /**
     * @return messages refused with an error on this connection (logged or held back).
     */
    long refusals()
    {
        return refusals;
    }

    /**
     * @return live DMA mappings.
     */
    int dmaMappingCount()
    {
        return dmaMaps.size();
    }

    /**
     * Record why a message is refused, for the log line.
     *
     * @param errno  errno for the reply.
     * @param reason what is wrong.
     * @return {@code -errno}.
     */
    int reject(final int errno, final String reason)
    {
        problem = reason;
        return -errno;
    }

    private int checkHeader(final int command, final int flags, final boolean misplacedFds)
    {
        if (VfioUserHeader.type(flags) != VfioUserHeader.TYPE_COMMAND)
        {
            return reject(VfioUserErrno.EINVAL, "message type " + VfioUserHeader.type(flags) + " is not a command");
        }
        if (0 != (flags & ~VfioUserHeader.KNOWN_FLAGS) || VfioUserHeader.isError(flags))
        {
            return reject(VfioUserErrno.EINVAL, "bad flags 0x" + Integer.toHexString(flags));
        }
        if (misplacedFds)
        {
            return reject(VfioUserErrno.EINVAL, "fds arrived with the payload, not with the header");
        }
        if (!versionNegotiated && VfioUserCommand.VERSION != command)
        {
            return reject(VfioUserErrno.EINVAL, "VERSION must be the first message");
        }
        return 0;
    }

    private int dispatchGuarded(
        final int command, final int flags, final UnsafeBuffer request, final int size, final ReceivedFds fds,
        final UnsafeBuffer reply)
    {
        try
        {
            return dispatch(command, flags, request, size, fds, reply);
        }
        catch (final VfioUserDeviceException ex)
        {
            return reject(ex.errno(), "device: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            LOG.error("vfio-user {}: device failed on {}", name, VfioUserCommand.name(command), ex);
            return reject(VfioUserErrno.EIO, "device failed: " + ex);
        }
    }

    private int dispatch(
        final int command, final int flags, final UnsafeBuffer request, final int size, final ReceivedFds fds,
        final UnsafeBuffer reply)
    {
        if (VfioUserCommand.DMA_MAP != command && VfioUserCommand.DEVICE_SET_IRQS != command && fds.count() != 0)
        {
            return reject(VfioUserErrno.EINVAL, fds.count() + " fds on a command that takes none");
        }
        final boolean posted = VfioUserHeader.isNoReply(flags);
        return switch (command)
        {
            case VfioUserCommand.VERSION -> version(request, size, reply);
            case VfioUserCommand.DMA_MAP -> dmaMap(request, size, fds);
            case VfioUserCommand.DMA_UNMAP -> dmaUnmap(request, size, reply);
            case VfioUserCommand.DEVICE_GET_INFO -> deviceInfo(request, size, reply);
            case VfioUserCommand.DEVICE_GET_REGION_INFO -> regionInfo(request, size, reply);
            case VfioUserCommand.DEVICE_GET_IRQ_INFO -> irqRequests.irqInfo(this, request, size, reply);
            case VfioUserCommand.DEVICE_SET_IRQS -> irqRequests.setIrqs(this, request, size, fds);
            case VfioUserCommand.REGION_READ -> regionRequests.read(this, request, size, reply);
            case VfioUserCommand.REGION_WRITE -> regionRequests.write(this, request, size, reply, posted);
            case VfioUserCommand.REGION_WRITE_MULTI -> regionRequests.writeMulti(this, request, size, reply, posted);
            case VfioUserCommand.DEVICE_RESET -> reset(size);
            case VfioUserCommand.DEVICE_FEATURE -> size < VfioUserDeviceFeature.MIN_MESSAGE_LENGTH ?
                reject(VfioUserErrno.EINVAL, "truncated DEVICE_FEATURE") :
                reject(VfioUserErrno.ENOTTY, "no device feature is offered (no migration support)");
            default -> reject(VfioUserErrno.ENOSYS, "command not served");
        };
    }

    private int version(final UnsafeBuffer request, final int size, final UnsafeBuffer reply)
    {
        if (versionNegotiated)
        {
            return reject(VfioUserErrno.EINVAL, "VERSION repeated");
        }
        if (size < VfioUserVersion.MIN_MESSAGE_LENGTH || size > VfioUserVersion.MAX_MESSAGE_LENGTH)
        {
            return reject(VfioUserErrno.EINVAL, "VERSION size out of " + VfioUserVersion.MIN_MESSAGE_LENGTH + ".." +
                VfioUserVersion.MAX_MESSAGE_LENGTH);
        }
        final int major = u16(request, VfioUserVersion.MAJOR_OFFSET);
        if (VfioUserVersion.MAJOR != major)
        {
            return reject(VfioUserErrno.EINVAL, "major version " + major + " not spoken (only " +
                VfioUserVersion.MAJOR + ")");
        }
        final int jsonLength = size - 1 - VfioUserVersion.JSON_OFFSET;
        for (int i = 0; i < jsonLength; i++)
        {
            if (0 == request.getByte(VfioUserVersion.JSON_OFFSET + i))
            {
                return reject(VfioUserErrno.EINVAL, "NUL inside the capabilities JSON at byte " + i);
            }
        }
        if (0 != request.getByte(size - 1))
        {
            return reject(VfioUserErrno.EINVAL, "capabilities JSON not NUL-terminated");
        }
        final String json = new String(request.byteArray(), VfioUserVersion.JSON_OFFSET, jsonLength,
            StandardCharsets.UTF_8);
        final String jsonProblem = VersionNegotiation.problem(json);
        if (null != jsonProblem)
        {
            return reject(VfioUserErrno.EINVAL, jsonProblem);
        }
        final byte[] replyJson = VersionNegotiation.replyJson(size);
        reply.putShort(VfioUserVersion.MAJOR_OFFSET, (short)VfioUserVersion.MAJOR, LITTLE_ENDIAN);
        reply.putShort(VfioUserVersion.MINOR_OFFSET, (short)VfioUserVersion.MINOR, LITTLE_ENDIAN);
        reply.putBytes(VfioUserVersion.JSON_OFFSET, replyJson);
        reply.putByte(VfioUserVersion.JSON_OFFSET + replyJson.length, (byte)0);
        versionNegotiated = true;
        LOG.info("vfio-user {}: client proposed {}.{} {}; serving {}.{}", name, major,
            u16(request, VfioUserVersion.MINOR_OFFSET), json, VfioUserVersion.MAJOR, VfioUserVersion.MINOR);
        return VfioUserVersion.messageLength(replyJson.length);
    }

    private int dmaMap(final UnsafeBuffer request, final int size, final ReceivedFds fds)
    {
        if (VfioUserDmaMap.MESSAGE_LENGTH != size || VfioUserDmaMap.ARGSZ != u32(request, VfioUserDmaMap.ARGSZ_OFFSET))
        {
            return reject(VfioUserErrno.EINVAL, "DMA_MAP size/argsz not " + VfioUserDmaMap.MESSAGE_LENGTH + "/" +
                VfioUserDmaMap.ARGSZ);
        }
        if (fds.count() > VfioUserDmaMap.MAX_FDS)
        {
            return reject(VfioUserErrno.EINVAL, fds.count() + " fds on DMA_MAP (at most 1)");
        }
        final int flags = request.getInt(VfioUserDmaMap.FLAGS_OFFSET, LITTLE_ENDIAN);
        final long fileOffset = u64(request, VfioUserDmaMap.FILE_OFFSET_OFFSET);
        final long iova = u64(request, VfioUserDmaMap.IOVA_OFFSET);
        final long sizeBytes = u64(request, VfioUserDmaMap.SIZE_OFFSET);
        final boolean hasFd = 1 == fds.count();
        final int checked = dmaMaps.checkMap(iova, sizeBytes, fileOffset, flags, hasFd);
        if (0 != checked)
        {
            return reject(checked, "bad range iova=0x" + Long.toHexString(iova) + " size=0x" +
                Long.toHexString(sizeBytes) + " offset=0x" + Long.toHexString(fileOffset) + " flags=" + flags);
        }
        final boolean writable = 0 != (flags & VfioUserDmaMap.FLAG_WRITE);
        final int fd = hasFd ? fds.take(0) : -1;
        final int errno;
        try
        {
            errno = device.dmaMap(fd, hasFd ? fileOffset : 0, iova, sizeBytes,
                0 != (flags & VfioUserDmaMap.FLAG_READ), writable);
        }
        finally
        {
            if (fd >= 0)
            {
                ReceivedFds.closeQuietly(fd);
            }
        }
        if (0 != errno)
        {
            return reject(errno, "device refused the mapping iova=0x" + Long.toHexString(iova));
        }
        if (!hasFd && writable && Long.compareUnsigned(sizeBytes, UNSHARED_RAM_WARNING_BYTES) >= 0)
        {
            LOG.warn("vfio-user {}: {} MiB of writable memory at 0x{} came without an fd, so the device cannot " +
                "reach it: harmless for a device's own memory (VGA VRAM), fatal for guest RAM (give QEMU " +
                "-object memory-backend-memfd,share=on)", name, sizeBytes >>> 20, Long.toHexString(iova));
        }
        dmaMaps.add(new DmaMapTable.Mapping(iova, sizeBytes, flags, hasFd));
        return VfioUserDmaMap.REPLY_LENGTH;
    }

    private int dmaUnmap(final UnsafeBuffer request, final int size, final UnsafeBuffer reply)
    {
        if (VfioUserDmaUnmap.MESSAGE_LENGTH != size ||
            u32(request, VfioUserDmaUnmap.ARGSZ_OFFSET) < VfioUserDmaUnmap.ARGSZ)
        {
            return reject(VfioUserErrno.EINVAL, "DMA_UNMAP size not " + VfioUserDmaUnmap.MESSAGE_LENGTH +
                " or argsz below " + VfioUserDmaUnmap.ARGSZ);
        }
        final int flags = request.getInt(VfioUserDmaUnmap.FLAGS_OFFSET, LITTLE_ENDIAN);
        final long iova = u64(request, VfioUserDmaUnmap.IOVA_OFFSET);
        final long sizeBytes = u64(request, VfioUserDmaUnmap.SIZE_OFFSET);
        final int errno;
        if (VfioUserDmaUnmap.FLAG_ALL == flags)
        {
            if (0 != iova || 0 != sizeBytes)
            {
                return reject(VfioUserErrno.EINVAL, "DMA_UNMAP ALL with a non-zero iova or size");
            }
            errno = device.dmaUnmapAll();
            if (0 == errno)
            {
                dmaMaps.clear();
            }
        }
        else if (0 != flags)
        {
            return reject(VfioUserErrno.EINVAL, "DMA_UNMAP flags 0x" + Integer.toHexString(flags) + " not served");
        }
        else
        {
            final DmaMapTable.Mapping mapping = dmaMaps.findExact(iova, sizeBytes);
            if (null == mapping)
            {
                return reject(VfioUserErrno.ENOENT, "no mapping at iova=0x" + Long.toHexString(iova) + " size=0x" +
                    Long.toHexString(sizeBytes));
            }
            errno = device.dmaUnmap(iova, sizeBytes);
            if (0 == errno)
            {
                dmaMaps.remove(mapping);
            }
        }
        if (0 != errno)
        {
            return reject(errno, "device could not release the range");
        }
        reply.putBytes(VfioUserDmaUnmap.ARGSZ_OFFSET, request, VfioUserDmaUnmap.ARGSZ_OFFSET,
            VfioUserDmaUnmap.ARGSZ);
        reply.putInt(VfioUserDmaUnmap.ARGSZ_OFFSET, VfioUserDmaUnmap.ARGSZ, LITTLE_ENDIAN);
        return VfioUserDmaUnmap.REPLY_LENGTH;
    }

    private int deviceInfo(final UnsafeBuffer request, final int size, final UnsafeBuffer reply)
    {
        if (VfioUserDeviceInfo.MESSAGE_LENGTH != size ||
            u32(request, VfioUserDeviceInfo.ARGSZ_OFFSET) < VfioUserDeviceInfo.ARGSZ)
        {
            return reject(VfioUserErrno.EINVAL, "DEVICE_GET_INFO size not " + VfioUserDeviceInfo.MESSAGE_LENGTH +
                " or argsz below " + VfioUserDeviceInfo.ARGSZ);
        }
        reply.putInt(VfioUserDeviceInfo.ARGSZ_OFFSET, VfioUserDeviceInfo.ARGSZ, LITTLE_ENDIAN);
        reply.putInt(VfioUserDeviceInfo.FLAGS_OFFSET, VfioUserDeviceInfo.E1000_FLAGS, LITTLE_ENDIAN);
        reply.putInt(VfioUserDeviceInfo.NUM_REGIONS_OFFSET, VfioUserRegionInfo.REGION_COUNT, LITTLE_ENDIAN);
        reply.putInt(VfioUserDeviceInfo.NUM_IRQS_OFFSET, VfioUserIrqInfo.IRQ_INDEX_COUNT, LITTLE_ENDIAN);
        return VfioUserDeviceInfo.MESSAGE_LENGTH;
    }

    private int regionInfo(final UnsafeBuffer request, final int size, final UnsafeBuffer reply)
    {
        final long argsz = u32(request, VfioUserRegionInfo.ARGSZ_OFFSET);
        final long index = u32(request, VfioUserRegionInfo.INDEX_OFFSET);
        if (VfioUserRegionInfo.MESSAGE_LENGTH != size || argsz < VfioUserRegionInfo.INFO_ARGSZ)
        {
            return reject(VfioUserErrno.EINVAL, "REGION_INFO size not " + VfioUserRegionInfo.MESSAGE_LENGTH +
                " or argsz below " + VfioUserRegionInfo.INFO_ARGSZ);
        }
        if (index >= VfioUserRegionInfo.REGION_COUNT)
        {
            return reject(VfioUserErrno.EINVAL, "no region " + index);
        }
        final int regionIndex = (int)index;
        final long regionSize = RegionAccessRules.regionSize(regionIndex);
        final DoorbellPages pages = VfioUserRegionInfo.BAR0_REGION_INDEX == regionIndex ? doorbellPages() : null;
        final int areaCount = null == pages ? 0 : pages.pageCount();
        final int fullArgsz = VfioUserRegionInfo.fullArgsz(areaCount);
        int flags = 0 == regionSize ? 0 : VfioUserRegionInfo.FLAG_READ | VfioUserRegionInfo.FLAG_WRITE;
        reply.setMemory(VfioUserRegionInfo.ARGSZ_OFFSET, VfioUserRegionInfo.INFO_ARGSZ, (byte)0);
        reply.putInt(VfioUserRegionInfo.ARGSZ_OFFSET, fullArgsz, LITTLE_ENDIAN);
        reply.putInt(VfioUserRegionInfo.INDEX_OFFSET, regionIndex, LITTLE_ENDIAN);
        reply.putLong(VfioUserRegionInfo.SIZE_OFFSET, regionSize, LITTLE_ENDIAN);
        int length = VfioUserRegionInfo.MESSAGE_LENGTH;
        if (null != pages)
        {
            // The first step of QEMU's two-step query gets MMAP but not CAPS: QEMU rejects CAPS with cap_offset 0.
            flags |= VfioUserRegionInfo.FLAG_MMAP;
            reply.putLong(VfioUserRegionInfo.REGION_FILE_OFFSET_OFFSET, pages.regionFileOffset(), LITTLE_ENDIAN);
            if (argsz >= fullArgsz)
            {
                flags |= VfioUserRegionInfo.FLAG_CAPS;
                putSparseMmapCapability(reply, pages);
                replyFd = pages.fd();
                length = VfioUserRegionInfo.ARGSZ_OFFSET + fullArgsz;
            }
        }
        reply.putInt(VfioUserRegionInfo.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        return length;
    }

    private DoorbellPages doorbellPages()
    {
        final DoorbellPages pages = device.doorbellPages();
        if (null == pages)
        {
            return null;
        }
        final String pagesProblem = pages.problem();
        if (null != pagesProblem)
        {
            LOG.error("vfio-user {}: device described unusable doorbell pages ({}); BAR0 is offered without mmap, " +
                "every access traps", name, pagesProblem);
            return null;
        }
        return pages;
    }

    private static void putSparseMmapCapability(final UnsafeBuffer reply, final DoorbellPages pages)
    {
        reply.putInt(VfioUserRegionInfo.CAP_OFFSET_OFFSET, VfioUserRegionInfo.CAP_OFFSET_VALUE, LITTLE_ENDIAN);
        reply.putShort(VfioUserRegionInfo.CAP_ID_OFFSET, (short)VfioUserRegionInfo.CAP_SPARSE_MMAP_ID,
            LITTLE_ENDIAN);
        reply.putShort(VfioUserRegionInfo.CAP_VERSION_OFFSET, (short)VfioUserRegionInfo.CAP_SPARSE_MMAP_VERSION,
            LITTLE_ENDIAN);
        reply.putInt(VfioUserRegionInfo.CAP_NEXT_OFFSET, 0, LITTLE_ENDIAN);
        reply.putInt(VfioUserRegionInfo.SPARSE_NR_AREAS_OFFSET, pages.pageCount(), LITTLE_ENDIAN);
        reply.putInt(VfioUserRegionInfo.SPARSE_RESERVED_OFFSET, 0, LITTLE_ENDIAN);
        for (int i = 0; i < pages.pageCount(); i++)
        {
            final int area = VfioUserRegionInfo.areaOffset(i);
            reply.putLong(area + VfioUserRegionInfo.SPARSE_AREA_OFFSET_OFFSET, pages.pageOffset(i), LITTLE_ENDIAN);
            reply.putLong(area + VfioUserRegionInfo.SPARSE_AREA_SIZE_OFFSET, DoorbellPages.PAGE_SIZE,
                LITTLE_ENDIAN);
        }
    }

    private int reset(final int size)
    {
        if (VfioUserHeader.HEADER_LENGTH != size)
        {
            return reject(VfioUserErrno.EINVAL, "DEVICE_RESET carries no payload");
        }
        device.reset();
        return VfioUserHeader.HEADER_LENGTH;
    }

    /**
     * @return true once VERSION succeeded on this connection.
     */
    boolean versionNegotiated()
    {
        return versionNegotiated;
    }

    /**
     * Region accesses need the reply's region fields echoed; shared by {@link RegionRequests}.
     *
     * @param reply  reply buffer.
     * @param offset offset field.
     * @param region region field.
     * @param count  count field.
     */
    static void putAccessFields(final UnsafeBuffer reply, final long offset, final long region, final long count)
    {
        reply.putLong(VfioUserRegionAccess.OFFSET_OFFSET, offset, LITTLE_ENDIAN);
        reply.putInt(VfioUserRegionAccess.REGION_OFFSET, (int)region, LITTLE_ENDIAN);
        reply.putInt(VfioUserRegionAccess.COUNT_OFFSET, (int)count, LITTLE_ENDIAN);
    }
}
