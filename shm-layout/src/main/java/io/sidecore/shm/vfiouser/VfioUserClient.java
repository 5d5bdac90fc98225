package io.sidecore.shm.vfiouser;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.agrona.concurrent.UnsafeBuffer;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * A vfio-user client that speaks as QEMU 11.1's {@code vfio-user-pci} does: the same messages, sizes and fd
 * placement, and the same checks of the replies (QEMU's {@code rsize} limits, the VERSION reply rules, at most one
 * fd per region-info reply). Typed calls ({@link #negotiateVersion()}, {@link #dmaMap}, {@link #regionInfo}, ...)
 * wait for their reply; posted writes do not.
 * <p>
 * For tests it also has a scripted mode: {@link #sendRaw} writes arbitrary bytes with arbitrary fds, and
 * {@link #receive()} returns whatever comes back, so malformed messages can be sent and their replies inspected.
 * One thread uses a client at a time.
 */
public final class VfioUserClient implements AutoCloseable
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Largest reply the client reads (QEMU reads region data of at most max_data_xfer_size). */
    private static final int MAX_REPLY_BYTES = VfioUserRegionAccess.lengthWithData(
        VfioUserVersion.DEFAULT_MAX_DATA_XFER_SIZE);

    private final VfioUserSocket socket;
    private final UnsafeBuffer send = new UnsafeBuffer(new byte[MAX_REPLY_BYTES]);
    private final UnsafeBuffer receive = new UnsafeBuffer(new byte[MAX_REPLY_BYTES]);
    private final ReceivedFds receivedFds = new ReceivedFds();
    private int nextId;

    private VfioUserClient(final VfioUserSocket socket)
    {
        this.socket = socket;
    }

    /**
     * Connect to a device socket.
     *
     * @param socketPath the server's socket.
     * @return the client.
     * @throws IOException when the connection fails.
     */
    public static VfioUserClient connect(final Path socketPath) throws IOException
    {
        return new VfioUserClient(new VfioUserSocket(AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socketPath))));
    }

    /**
     * Bound the wait for each reply.
     *
     * @param timeoutMs milliseconds (0: forever).
     */
    public void replyTimeoutMs(final int timeoutMs)
    {
        try
        {
            socket.readTimeoutMs(timeoutMs);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    // ---- scripted mode ----

    /**
     * Write bytes as they are, with fds attached (scripted mode: the bytes may be any message, well formed or not).
     *
     * @param bytes message bytes.
     * @param fds   descriptors to attach (still the caller's).
     */
    public void sendRaw(final byte[] bytes, final int... fds)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        try
        {
            socket.writeMessage(buffer, bytes.length, fds);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Read the next message from the server.
     *
     * @return it, or null when the server closed the connection.
     */
    public VfioUserReply receive()
    {
        try
        {
            final int status = socket.readMessage(receive, receivedFds);
            final int[] fds = new int[receivedFds.count()];
            for (int i = 0; i < fds.length; i++)
            {
                fds[i] = receivedFds.take(i);
            }
            receivedFds.closeRemaining();
            if (VfioUserSocket.READ_EOF == status)
            {
                return null;
            }
            if (VfioUserSocket.READ_OK != status)
            {
                throw new VfioUserClientException(0, 0, "unframeable message from the server (status " + status + ")");
            }
            final int size = receive.getInt(VfioUserHeader.SIZE_OFFSET, LITTLE_ENDIAN);
            final UnsafeBuffer copy = new UnsafeBuffer(Arrays.copyOf(receive.byteArray(), size));
            return new VfioUserReply(
                copy.getShort(VfioUserHeader.MESSAGE_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF,
                copy.getShort(VfioUserHeader.COMMAND_OFFSET, LITTLE_ENDIAN) & 0xFFFF,
                size,
                copy.getInt(VfioUserHeader.FLAGS_OFFSET, LITTLE_ENDIAN),
                copy.getInt(VfioUserHeader.ERROR_OFFSET, LITTLE_ENDIAN),
                copy,
                fds);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Build a request header into a fresh message (scripted mode and typed calls).
     *
     * @param command command.
     * @param length  whole message length, written as the header's size.
     * @param flags   header flags.
     * @return the message buffer, payload zeroed; the id is {@link #lastId()}.
     */
    public UnsafeBuffer newMessage(final int command, final int length, final int flags)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[length]);
        nextId = (nextId + 1) & 0xFFFF;
        message.putShort(VfioUserHeader.MESSAGE_ID_OFFSET, (short)nextId, LITTLE_ENDIAN);
        message.putShort(VfioUserHeader.COMMAND_OFFSET, (short)command, LITTLE_ENDIAN);
        message.putInt(VfioUserHeader.SIZE_OFFSET, length, LITTLE_ENDIAN);
        message.putInt(VfioUserHeader.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        return message;
    }

    /**
     * @return the id of the last message built by {@link #newMessage}.
     */
    public int lastId()
    {
        return nextId;
    }

    /**
     * Send a message and wait for its reply, checking the reply echoes the id and command and fits QEMU's
     * receive buffer.
     *
     * @param message  the request (from {@link #newMessage}).
     * @param maxReply QEMU's {@code rsize} for this command.
     * @param maxFds   fds QEMU accepts with this reply.
     * @param fds      fds to send.
     * @return the reply; an error reply is thrown as {@link VfioUserClientException}.
     */
    public VfioUserReply call(final UnsafeBuffer message, final int maxReply, final int maxFds, final int... fds)
    {
        final int id = message.getShort(VfioUserHeader.MESSAGE_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        final int command = message.getShort(VfioUserHeader.COMMAND_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        sendRaw(message.byteArray(), fds);
        final VfioUserReply reply = receive();
        if (null == reply)
        {
            throw new VfioUserClientException(command, 0, "server closed the connection");
        }
        String problem = null;
        if (reply.id() != id || reply.command() != command)
        {
            problem = "reply id/command " + reply.id() + "/" + reply.command() + " for request " + id + "/" + command;
        }
        else if (VfioUserHeader.type(reply.flags()) != VfioUserHeader.TYPE_REPLY)
        {
            problem = "not a reply: flags 0x" + Integer.toHexString(reply.flags());
        }
        else if (reply.size() > maxReply)
        {
            problem = "reply larger than recv buffer: " + reply.size() + " > " + maxReply;
        }
        else if (reply.fds().length > maxFds)
        {
            problem = "unexpected FDs: " + reply.fds().length;
        }
        if (null != problem)
        {
            reply.closeFds();
            throw new VfioUserClientException(command, 0, problem);
        }
        if (reply.isError())
        {
            throw new VfioUserClientException(command, reply.error(), "error reply");
        }
        return reply;
    }

    // ---- typed calls, as QEMU sends them ----

    /**
     * VERSION with QEMU's proposal; checks the reply as QEMU does.
     *
     * @return the server's capabilities object.
     */
    public JsonNode negotiateVersion()
    {
        final byte[] json = qemuCapabilities().getBytes(StandardCharsets.UTF_8);
        final int length = VfioUserVersion.messageLength(json.length);
        final UnsafeBuffer message = newMessage(VfioUserCommand.VERSION, length, VfioUserHeader.TYPE_COMMAND);
        message.putShort(VfioUserVersion.MAJOR_OFFSET, (short)VfioUserVersion.MAJOR, LITTLE_ENDIAN);
        message.putShort(VfioUserVersion.MINOR_OFFSET, (short)VfioUserVersion.MINOR, LITTLE_ENDIAN);
        message.putBytes(VfioUserVersion.JSON_OFFSET, json);
        final VfioUserReply reply = call(message, length, 0);
        final int major = reply.message().getShort(VfioUserVersion.MAJOR_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        final int minor = reply.message().getShort(VfioUserVersion.MINOR_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (VfioUserVersion.MAJOR != major || minor > VfioUserVersion.MINOR)
        {
            throw new VfioUserClientException(VfioUserCommand.VERSION, 0, "incompatible server version " + major +
                "." + minor);
        }
        if (reply.size() <= VfioUserVersion.JSON_OFFSET || 0 != reply.message().getByte(reply.size() - 1))
        {
            throw new VfioUserClientException(VfioUserCommand.VERSION, 0, "corrupt version reply");
        }
        final String text = new String(reply.message().byteArray(), VfioUserVersion.JSON_OFFSET,
            reply.size() - 1 - VfioUserVersion.JSON_OFFSET, StandardCharsets.UTF_8);
        try
        {
            final JsonNode root = MAPPER.readTree(text);
            if (null == root || !root.isObject())
            {
                throw new VfioUserClientException(VfioUserCommand.VERSION, 0, "capabilities not an object: " + text);
            }
            final JsonNode capabilities = root.get(VfioUserVersion.CAPABILITIES);
            return null == capabilities ? MAPPER.createObjectNode() : capabilities;
        }
        catch (final JacksonException ex)
        {
            throw new VfioUserClientException(VfioUserCommand.VERSION, 0, "malformed capabilities " + text);
        }
    }

    /**
     * The capability JSON QEMU proposes.
     *
     * @return the JSON text.
     */
    public static String qemuCapabilities()
    {
        final ObjectNode root = MAPPER.createObjectNode();
        final ObjectNode capabilities = root.putObject(VfioUserVersion.CAPABILITIES);
        capabilities.put(VfioUserVersion.MAX_MSG_FDS, VfioUserVersion.MAX_MSG_FDS_LIMIT);
        capabilities.put(VfioUserVersion.MAX_DATA_XFER_SIZE, VfioUserVersion.DEFAULT_MAX_DATA_XFER_SIZE);
        capabilities.put(VfioUserVersion.PGSIZES, VfioUserVersion.PAGE_SIZE);
        capabilities.put(VfioUserVersion.MAX_DMA_MAPS, VfioUserVersion.DEFAULT_MAX_DMA_MAPS);
        final ObjectNode migration = capabilities.putObject(VfioUserVersion.MIGRATION);
        migration.put("pgsize", VfioUserVersion.PAGE_SIZE);
        migration.put("max_bitmap_size", 256L * 1024 * 1024);
        capabilities.put(VfioUserVersion.WRITE_MULTIPLE, true);
        return root.toString();
    }

    /**
     * DMA_MAP.
     *
     * @param fd         descriptor of the memory, or -1 for an fd-less map.
     * @param fileOffset offset of the range in the fd.
     * @param iova       guest-physical address.
     * @param sizeBytes  length.
     * @param flags      {@code VfioUserDmaMap.FLAG_READ | FLAG_WRITE}.
     */
    public void dmaMap(final int fd, final long fileOffset, final long iova, final long sizeBytes, final int flags)
    {
        final UnsafeBuffer message = newMessage(VfioUserCommand.DMA_MAP, VfioUserDmaMap.MESSAGE_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserDmaMap.ARGSZ_OFFSET, VfioUserDmaMap.ARGSZ, LITTLE_ENDIAN);
        message.putInt(VfioUserDmaMap.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaMap.FILE_OFFSET_OFFSET, fileOffset, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaMap.IOVA_OFFSET, iova, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaMap.SIZE_OFFSET, sizeBytes, LITTLE_ENDIAN);
        call(message, VfioUserDmaMap.MESSAGE_LENGTH, 0, fd >= 0 ? new int[]{fd} : new int[0]);
    }

    /**
     * DMA_UNMAP of one mapping; returns once the server says it released it.
     *
     * @param iova      the mapping's address.
     * @param sizeBytes the mapping's length.
     */
    public void dmaUnmap(final long iova, final long sizeBytes)
    {
        unmap(0, iova, sizeBytes);
    }

    /**
     * DMA_UNMAP of every mapping.
     */
    public void dmaUnmapAll()
    {
        unmap(VfioUserDmaUnmap.FLAG_ALL, 0, 0);
    }

    private void unmap(final int flags, final long iova, final long sizeBytes)
    {
        final UnsafeBuffer message = newMessage(VfioUserCommand.DMA_UNMAP, VfioUserDmaUnmap.MESSAGE_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserDmaUnmap.ARGSZ_OFFSET, VfioUserDmaUnmap.ARGSZ, LITTLE_ENDIAN);
        message.putInt(VfioUserDmaUnmap.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaUnmap.IOVA_OFFSET, iova, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaUnmap.SIZE_OFFSET, sizeBytes, LITTLE_ENDIAN);
        call(message, VfioUserDmaUnmap.MESSAGE_LENGTH, 0);
    }

    /**
     * DEVICE_GET_INFO; checks the flags and counts QEMU requires.
     *
     * @return {flags, num_regions, num_irqs}.
     */
    public int[] deviceInfo()
    {
        final UnsafeBuffer message = newMessage(VfioUserCommand.DEVICE_GET_INFO, VfioUserDeviceInfo.MESSAGE_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserDeviceInfo.ARGSZ_OFFSET, VfioUserDeviceInfo.ARGSZ, LITTLE_ENDIAN);
        final VfioUserReply reply = call(message, VfioUserDeviceInfo.MESSAGE_LENGTH, 0);
        final int flags = reply.intAt(VfioUserDeviceInfo.FLAGS_OFFSET);
        final int regions = reply.intAt(VfioUserDeviceInfo.NUM_REGIONS_OFFSET);
        final int irqs = reply.intAt(VfioUserDeviceInfo.NUM_IRQS_OFFSET);
        if (0 == (flags & VfioUserDeviceInfo.FLAG_PCI) || regions < 8 || regions > 100 || irqs < 3 || irqs > 50)
        {
            throw new VfioUserClientException(VfioUserCommand.DEVICE_GET_INFO, 0, "not a PCI device QEMU accepts: " +
                "flags=" + flags + " regions=" + regions + " irqs=" + irqs);
        }
        return new int[]{flags, regions, irqs};
    }

    /**
     * DEVICE_GET_REGION_INFO with QEMU's two-step: ask with argsz 32, and again with the argsz the server needs.
     *
     * @param index region index.
     * @return the region; its fd (if any) is the caller's to close.
     */
    public VfioUserRegion regionInfo(final int index)
    {
        VfioUserReply reply = regionInfoOnce(index, VfioUserRegionInfo.INFO_ARGSZ);
        final int neededArgsz = reply.intAt(VfioUserRegionInfo.ARGSZ_OFFSET);
        if (neededArgsz > VfioUserRegionInfo.INFO_ARGSZ)
        {
            reply.closeFds();
            reply = regionInfoOnce(index, neededArgsz);
        }
        final int flags = reply.intAt(VfioUserRegionInfo.FLAGS_OFFSET);
        final int capOffset = reply.intAt(VfioUserRegionInfo.CAP_OFFSET_OFFSET);
        final int argsz = reply.intAt(VfioUserRegionInfo.ARGSZ_OFFSET);
        int areas = 0;
        if (0 != (flags & VfioUserRegionInfo.FLAG_CAPS))
        {
            if (capOffset < VfioUserRegionInfo.INFO_ARGSZ || capOffset > argsz ||
                capOffset != VfioUserRegionInfo.CAP_OFFSET_VALUE ||
                VfioUserRegionInfo.CAP_SPARSE_MMAP_ID != (reply.intAt(VfioUserRegionInfo.CAP_ID_OFFSET) & 0xFFFF))
            {
                reply.closeFds();
                throw new VfioUserClientException(VfioUserCommand.DEVICE_GET_REGION_INFO, 0, "bad capability chain");
            }
            areas = reply.intAt(VfioUserRegionInfo.SPARSE_NR_AREAS_OFFSET);
            if (areas < 0 || VfioUserRegionInfo.areaOffset(areas) > reply.size())
            {
                reply.closeFds();
                throw new VfioUserClientException(VfioUserCommand.DEVICE_GET_REGION_INFO, 0, "truncated areas");
            }
        }
        final long[] offsets = new long[areas];
        final long[] sizes = new long[areas];
        for (int i = 0; i < areas; i++)
        {
            offsets[i] = reply.longAt(VfioUserRegionInfo.areaOffset(i) + VfioUserRegionInfo.SPARSE_AREA_OFFSET_OFFSET);
            sizes[i] = reply.longAt(VfioUserRegionInfo.areaOffset(i) + VfioUserRegionInfo.SPARSE_AREA_SIZE_OFFSET);
        }
        return new VfioUserRegion(index, flags, reply.longAt(VfioUserRegionInfo.SIZE_OFFSET),
            reply.longAt(VfioUserRegionInfo.REGION_FILE_OFFSET_OFFSET), offsets, sizes,
            0 == reply.fds().length ? -1 : reply.fds()[0]);
    }

    private VfioUserReply regionInfoOnce(final int index, final int argsz)
    {
        final UnsafeBuffer message = newMessage(VfioUserCommand.DEVICE_GET_REGION_INFO,
            VfioUserRegionInfo.MESSAGE_LENGTH, VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserRegionInfo.ARGSZ_OFFSET, argsz, LITTLE_ENDIAN);
        message.putInt(VfioUserRegionInfo.INDEX_OFFSET, index, LITTLE_ENDIAN);
        return call(message, VfioUserHeader.HEADER_LENGTH + argsz, VfioUserRegionInfo.MAX_REPLY_FDS);
    }

    /**
     * DEVICE_GET_IRQ_INFO.
     *
     * @param index IRQ index.
     * @return {flags, count}.
     */
    public int[] irqInfo(final int index)
    {
        final UnsafeBuffer message = newMessage(VfioUserCommand.DEVICE_GET_IRQ_INFO, VfioUserIrqInfo.MESSAGE_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserIrqInfo.ARGSZ_OFFSET, VfioUserIrqInfo.ARGSZ, LITTLE_ENDIAN);
        message.putInt(VfioUserIrqInfo.INDEX_OFFSET, index, LITTLE_ENDIAN);
        final VfioUserReply reply = call(message, VfioUserIrqInfo.MESSAGE_LENGTH, 0);
        return new int[]{reply.intAt(VfioUserIrqInfo.FLAGS_OFFSET), reply.intAt(VfioUserIrqInfo.COUNT_OFFSET)};
    }

    /**
     * DEVICE_SET_IRQS in the NONE or EVENTFD form (no data bytes).
     *
     * @param flags one data and one action flag.
     * @param index IRQ index.
     * @param start first interrupt.
     * @param count interrupts addressed.
     * @param fds   eventfds (EVENTFD form), or none.
     */
    public void setIrqs(final int flags, final int index, final int start, final int count, final int... fds)
    {
        final UnsafeBuffer message = newMessage(VfioUserCommand.DEVICE_SET_IRQS, VfioUserSetIrqs.MESSAGE_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserSetIrqs.ARGSZ_OFFSET, VfioUserSetIrqs.ARGSZ, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.FLAGS_OFFSET, flags, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.INDEX_OFFSET, index, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.START_OFFSET, start, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.COUNT_OFFSET, count, LITTLE_ENDIAN);
        call(message, VfioUserSetIrqs.MESSAGE_LENGTH, 0, fds);
    }

    /**
     * REGION_READ.
     *
     * @param region    region index.
     * @param offset    offset within the region.
     * @param sizeBytes 1, 2, 4 or 8.
     * @return the value, zero-extended.
     */
    public long regionRead(final int region, final long offset, final int sizeBytes)
    {
        final VfioUserReply reply = regionReadBytes(region, offset, sizeBytes);
        long value = 0;
        for (int i = sizeBytes - 1; i >= 0; i--)
        {
            value = (value << 8) | (reply.message().getByte(VfioUserRegionAccess.DATA_OFFSET + i) & 0xFF);
        }
        return value;
    }

    /**
     * REGION_READ of any length (QEMU reads the whole config space at realize).
     *
     * @param region region index.
     * @param offset offset.
     * @param count  bytes.
     * @return the reply, whose data starts at {@code VfioUserRegionAccess.DATA_OFFSET}.
     */
    public VfioUserReply regionReadBytes(final int region, final long offset, final int count)
    {
        final UnsafeBuffer message = newMessage(VfioUserCommand.REGION_READ, VfioUserRegionAccess.MESSAGE_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        message.putLong(VfioUserRegionAccess.OFFSET_OFFSET, offset, LITTLE_ENDIAN);
        message.putInt(VfioUserRegionAccess.REGION_OFFSET, region, LITTLE_ENDIAN);
        message.putInt(VfioUserRegionAccess.COUNT_OFFSET, count, LITTLE_ENDIAN);
        final VfioUserReply reply = call(message, VfioUserRegionAccess.lengthWithData(count), 0);
        if (reply.size() != VfioUserRegionAccess.lengthWithData(count) ||
            reply.intAt(VfioUserRegionAccess.COUNT_OFFSET) != count)
        {
            throw new VfioUserClientException(VfioUserCommand.REGION_READ, 0, "short read: " + reply.size());
        }
        return reply;
    }

    /**
     * REGION_WRITE.
     *
     * @param region    region index.
     * @param offset    offset within the region.
     * @param sizeBytes 1, 2, 4 or 8.
     * @param value     value (low {@code sizeBytes} bytes).
     * @param posted    send with NO_REPLY and do not wait (QEMU's posted BAR writes).
     */
    public void regionWrite(final int region, final long offset, final int sizeBytes, final long value,
        final boolean posted)
    {
        final int length = VfioUserRegionAccess.lengthWithData(sizeBytes);
        final UnsafeBuffer message = newMessage(VfioUserCommand.REGION_WRITE, length,
            posted ? VfioUserHeader.FLAG_NO_REPLY : VfioUserHeader.TYPE_COMMAND);
        message.putLong(VfioUserRegionAccess.OFFSET_OFFSET, offset, LITTLE_ENDIAN);
        message.putInt(VfioUserRegionAccess.REGION_OFFSET, region, LITTLE_ENDIAN);
        message.putInt(VfioUserRegionAccess.COUNT_OFFSET, sizeBytes, LITTLE_ENDIAN);
        for (int i = 0; i < sizeBytes; i++)
        {
            message.putByte(VfioUserRegionAccess.DATA_OFFSET + i, (byte)(value >>> (8 * i)));
        }
        if (posted)
        {
            sendRaw(message.byteArray());
        }
        else
        {
            call(message, length, 0);
        }
    }

    /**
     * DEVICE_RESET; the reply must be the header alone.
     */
    public void reset()
    {
        final UnsafeBuffer message = newMessage(VfioUserCommand.DEVICE_RESET, VfioUserHeader.HEADER_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        call(message, VfioUserHeader.HEADER_LENGTH, 0);
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
