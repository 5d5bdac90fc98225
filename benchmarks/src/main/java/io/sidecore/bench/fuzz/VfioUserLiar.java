package io.sidecore.bench.fuzz;

import io.sidecore.launcher.vfiouser.DoorbellPages;
import io.sidecore.launcher.vfiouser.IntxLine;
import io.sidecore.launcher.vfiouser.VfioUserDevice;
import io.sidecore.launcher.vfiouser.VfioUserServer;
import io.sidecore.launcher.vfiouser.VfioUserServerSettings;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.os.MemFd;
import io.sidecore.shm.vfiouser.VfioUserClient;
import io.sidecore.shm.vfiouser.VfioUserCommand;
import io.sidecore.shm.vfiouser.VfioUserDeviceInfo;
import io.sidecore.shm.vfiouser.VfioUserDmaMap;
import io.sidecore.shm.vfiouser.VfioUserDmaUnmap;
import io.sidecore.shm.vfiouser.VfioUserHeader;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import io.sidecore.shm.vfiouser.VfioUserReply;
import io.sidecore.shm.vfiouser.VfioUserSetIrqs;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The fuzzer's vfio-user messages that lie (issue 10 §1): a {@link VfioUserServer} over a device that checks every
 * call against the promises the server makes to it ({@link VfioUserDevice}: accesses inside the region, naturally
 * aligned, 1/2/4/8 bytes; DMA ranges 4 KiB aligned, not wrapping, not overlapping a live one; unmaps exactly as
 * mapped). Each round sends every kind of lie once, with random values, then checks that the server still serves
 * (a well-formed DEVICE_GET_INFO gets its reply, after a reconnect if the lie ended the connection).
 * <p>
 * The server is not yet bound to engine ports (that is the binding's work), so the lies reach the protocol layer and
 * the device interface, not the emulated device: what is checked here is that nothing a client says passes a broken
 * promise through to the device, and that the server keeps serving.
 */
final class VfioUserLiar implements AutoCloseable
{
    private static final int REPLY_TIMEOUT_MS = (int)TimeUnit.SECONDS.toMillis(20);
    private static final long PAGE = VfioUserRegionInfo.MMAP_PAGE_SIZE;
    private static final int CONFIG_BYTES = 256;
    private static final long[] HOSTILE_OFFSETS = {
        0, 1, 3, 0x7FFF_FFFFL, 0xFFFF_FFFFL, Long.MAX_VALUE, -1, -4, -8, 0x1_0000_0000L, 0x2_0000L, 0x1_FFFCL, 0xFC,
        0x100 };
    private static final int[] HOSTILE_COUNTS = { 0, 1, 2, 3, 4, 5, 8, 16, 0xFFFF, 0x1_0000, Integer.MAX_VALUE, -1 };

    /** The kinds of lie, each a named case of the fuzzer's report. */
    enum Lie
    {
        ARGSZ("vfio-user-argsz-lies"),
        TRUNCATED("vfio-user-truncated-payload"),
        SIZE_BELOW_HEADER("vfio-user-size-below-header"),
        UNKNOWN_COMMAND("vfio-user-unknown-command"),
        BAD_FLAGS("vfio-user-reply-or-unknown-flags-in-request"),
        REGION_OUT_OF_RANGE("vfio-user-region-access-out-of-range"),
        REGION_COUNT_MISMATCH("vfio-user-region-write-count-exceeds-payload"),
        REGION_INFO_BAD_INDEX("vfio-user-region-info-bad-index"),
        DMA_MAP_BAD_RANGE("vfio-user-dma-map-unaligned-or-wrapping"),
        DMA_MAP_OVERLAP("vfio-user-dma-map-overlapping"),
        DMA_UNMAP_NOT_MAPPED("vfio-user-dma-unmap-not-as-mapped"),
        SET_IRQS_BAD("vfio-user-set-irqs-bad-index-or-count"),
        VERSION_AGAIN("vfio-user-version-repeated");

        final String caseName;

        Lie(final String caseName)
        {
            this.caseName = caseName;
        }
    }

    private final FuzzTally tally;
    private final SplittableRandom random;
    private final Path directory;
    private final CheckingDevice device = new CheckingDevice();
    private final VfioUserServer server;
    private VfioUserClient client;

    VfioUserLiar(final FuzzTally tally, final SplittableRandom random)
    {
        this.tally = tally;
        this.random = random;
        for (final Lie lie : Lie.values())
        {
            tally.declareCase(lie.caseName, null);
        }
        try
        {
            directory = Files.createTempDirectory("sidecore-fuzz-vfio-user");
            server = new VfioUserServer(VfioUserServerSettings.of("hv", directory.resolve("hv.sock")), device,
                new IntxLine());
            server.start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        client = connect();
    }

    /**
     * Send every kind of lie once, and check the server after each.
     *
     * @param iteration the fuzzer's iteration, for findings.
     */
    void round(final long iteration)
    {
        for (final Lie lie : Lie.values())
        {
            tally.hitCase(lie.caseName, null);
            String failure;
            try
            {
                failure = tell(lie);
                if (null == failure)
                {
                    failure = stillServing();
                }
            }
            catch (final RuntimeException ex)
            {
                failure = "the exchange failed: " + ex;
            }
            tally.escape("vfio-user-unserved", null == failure ? 0 : 1, iteration, lie.caseName + ": " + failure);
            final String broken = device.takeViolation();
            tally.escape("vfio-user-broken-promise", null == broken ? 0 : 1, iteration, lie.caseName + ": " + broken);
        }
    }

    /**
     * @return null when the server answered as a server must (a reply of the right id, or the connection closed for
     * a stream that cannot be framed), else what went wrong.
     */
    private String tell(final Lie lie)
    {
        final UnsafeBuffer message;
        switch (lie)
        {
            case ARGSZ ->
            {
                message = client.newMessage(VfioUserCommand.DEVICE_GET_INFO, VfioUserDeviceInfo.MESSAGE_LENGTH,
                    VfioUserHeader.TYPE_COMMAND);
                message.putInt(VfioUserDeviceInfo.ARGSZ_OFFSET, HOSTILE_COUNTS[random.nextInt(HOSTILE_COUNTS.length)],
                    LITTLE_ENDIAN);
            }
            case TRUNCATED ->
            {
                final int[] commands = { VfioUserCommand.DMA_MAP, VfioUserCommand.DMA_UNMAP,
                    VfioUserCommand.DEVICE_GET_REGION_INFO, VfioUserCommand.DEVICE_SET_IRQS,
                    VfioUserCommand.REGION_READ, VfioUserCommand.REGION_WRITE };
                message = client.newMessage(commands[random.nextInt(commands.length)],
                    VfioUserHeader.HEADER_LENGTH + random.nextInt(8), VfioUserHeader.TYPE_COMMAND);
            }
            case SIZE_BELOW_HEADER ->
            {
                message = client.newMessage(VfioUserCommand.DEVICE_GET_INFO, VfioUserHeader.HEADER_LENGTH,
                    VfioUserHeader.TYPE_COMMAND);
                message.putInt(VfioUserHeader.SIZE_OFFSET, random.nextInt(VfioUserHeader.HEADER_LENGTH),
                    LITTLE_ENDIAN);
                client.sendRaw(message.byteArray());
                return expectClosed();
            }
            case UNKNOWN_COMMAND ->
            {
                final int command = random.nextBoolean() ? 0 : VfioUserCommand.MIG_DATA_WRITE + 1 +
                    random.nextInt(0xFFFF - VfioUserCommand.MIG_DATA_WRITE);
                message = client.newMessage(command, VfioUserHeader.HEADER_LENGTH + 8 * random.nextInt(4),
                    VfioUserHeader.TYPE_COMMAND);
            }
            case BAD_FLAGS ->
            {
                message = client.newMessage(VfioUserCommand.DEVICE_GET_INFO, VfioUserDeviceInfo.MESSAGE_LENGTH,
                    random.nextBoolean() ? VfioUserHeader.TYPE_REPLY : 0x40 << random.nextInt(20));
                message.putInt(VfioUserDeviceInfo.ARGSZ_OFFSET, VfioUserDeviceInfo.ARGSZ, LITTLE_ENDIAN);
            }
            case REGION_OUT_OF_RANGE -> message = regionOutOfRange();
            case REGION_COUNT_MISMATCH -> message = regionCountMismatch();
            case REGION_INFO_BAD_INDEX -> message = regionInfoBadIndex();
            case DMA_MAP_BAD_RANGE ->
            {
                message = dmaMap(HOSTILE_OFFSETS[random.nextInt(HOSTILE_OFFSETS.length)] & ~(random.nextBoolean() ?
                    PAGE - 1 : 0), random.nextBoolean() ? -PAGE : random.nextLong(1, 3 * PAGE));
            }
            case DMA_MAP_OVERLAP ->
            {
                // One good fd-less map, then a second that overlaps it by at least a page; both unmapped after.
                final long iova = PAGE * (1 + random.nextInt(1 << 16)) * 16;
                final VfioUserReply first = client.call(dmaMap(iova, 4 * PAGE), VfioUserDmaMap.REPLY_LENGTH, 0);
                if (first.isError())
                {
                    return "a well-formed DMA_MAP was refused: " + first;
                }
                final VfioUserReply second = exchange(dmaMap(iova + PAGE * random.nextInt(-3, 4), 4 * PAGE));
                client.dmaUnmapAll();
                return null == second ? "the connection closed" : null;
            }
            case DMA_UNMAP_NOT_MAPPED -> message = dmaUnmapNotMapped();
            case SET_IRQS_BAD -> message = setIrqsBad();
            case VERSION_AGAIN ->
            {
                message = client.newMessage(VfioUserCommand.VERSION, VfioUserHeader.HEADER_LENGTH + 4 +
                    random.nextInt(16), VfioUserHeader.TYPE_COMMAND);
                message.putShort(VfioUserHeader.HEADER_LENGTH, (short)random.nextInt(), LITTLE_ENDIAN);
            }
            default -> throw new IllegalStateException(lie.name());
        }
        return null == exchange(message) ? "the connection closed on a message it could frame" : null;
    }

    private UnsafeBuffer regionOutOfRange()
    {
        final boolean write = random.nextBoolean();
        final int count = HOSTILE_COUNTS[random.nextInt(HOSTILE_COUNTS.length)];
        final int payload = write ? Math.max(0, Math.min(count, 16)) : 0;
        final UnsafeBuffer message = client.newMessage(
            write ? VfioUserCommand.REGION_WRITE : VfioUserCommand.REGION_READ,
            VfioUserRegionAccess.lengthWithData(payload), VfioUserHeader.TYPE_COMMAND);
        message.putLong(VfioUserRegionAccess.OFFSET_OFFSET,
            HOSTILE_OFFSETS[random.nextInt(HOSTILE_OFFSETS.length)], LITTLE_ENDIAN);
        message.putInt(VfioUserRegionAccess.REGION_OFFSET, random.nextInt(3) == 0 ? random.nextInt() :
            random.nextInt(VfioUserRegionInfo.REGION_COUNT + 2), LITTLE_ENDIAN);
        message.putInt(VfioUserRegionAccess.COUNT_OFFSET, count, LITTLE_ENDIAN);
        return message;
    }

    private UnsafeBuffer regionCountMismatch()
    {
        final int sent = 1 << random.nextInt(4);
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.REGION_WRITE,
            VfioUserRegionAccess.lengthWithData(sent), VfioUserHeader.TYPE_COMMAND);
        message.putLong(VfioUserRegionAccess.OFFSET_OFFSET, 0, LITTLE_ENDIAN);
        message.putInt(VfioUserRegionAccess.REGION_OFFSET, VfioUserRegionInfo.BAR0_REGION_INDEX, LITTLE_ENDIAN);
        message.putInt(VfioUserRegionAccess.COUNT_OFFSET, sent * 2 + random.nextInt(64), LITTLE_ENDIAN);
        return message;
    }

    private UnsafeBuffer regionInfoBadIndex()
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DEVICE_GET_REGION_INFO,
            VfioUserRegionInfo.MESSAGE_LENGTH, VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserRegionInfo.ARGSZ_OFFSET, random.nextBoolean() ? VfioUserRegionInfo.INFO_ARGSZ :
            HOSTILE_COUNTS[random.nextInt(HOSTILE_COUNTS.length)], LITTLE_ENDIAN);
        message.putInt(VfioUserRegionInfo.INDEX_OFFSET, random.nextBoolean() ? -1 - random.nextInt(4) :
            VfioUserRegionInfo.REGION_COUNT + random.nextInt(1000), LITTLE_ENDIAN);
        return message;
    }

    private UnsafeBuffer dmaUnmapNotMapped()
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DMA_UNMAP, VfioUserDmaUnmap.MESSAGE_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserDmaUnmap.ARGSZ_OFFSET, VfioUserDmaUnmap.ARGSZ, LITTLE_ENDIAN);
        message.putInt(VfioUserDmaUnmap.FLAGS_OFFSET, random.nextInt(4) == 0 ? VfioUserDmaUnmap.FLAG_ALL |
            random.nextInt(2) : 0, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaUnmap.IOVA_OFFSET, HOSTILE_OFFSETS[random.nextInt(HOSTILE_OFFSETS.length)],
            LITTLE_ENDIAN);
        message.putLong(VfioUserDmaUnmap.SIZE_OFFSET, random.nextBoolean() ? PAGE : -1, LITTLE_ENDIAN);
        return message;
    }

    private UnsafeBuffer setIrqsBad()
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DEVICE_SET_IRQS,
            VfioUserSetIrqs.MESSAGE_LENGTH, VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserSetIrqs.ARGSZ_OFFSET, VfioUserSetIrqs.MESSAGE_LENGTH -
            VfioUserHeader.HEADER_LENGTH, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.FLAGS_OFFSET, random.nextInt(), LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.INDEX_OFFSET, random.nextInt(8) - 2, LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.START_OFFSET, HOSTILE_COUNTS[random.nextInt(HOSTILE_COUNTS.length)],
            LITTLE_ENDIAN);
        message.putInt(VfioUserSetIrqs.COUNT_OFFSET, HOSTILE_COUNTS[random.nextInt(HOSTILE_COUNTS.length)],
            LITTLE_ENDIAN);
        return message;
    }

    private UnsafeBuffer dmaMap(final long iova, final long sizeBytes)
    {
        final UnsafeBuffer message = client.newMessage(VfioUserCommand.DMA_MAP, VfioUserDmaMap.MESSAGE_LENGTH,
            VfioUserHeader.TYPE_COMMAND);
        message.putInt(VfioUserDmaMap.ARGSZ_OFFSET, VfioUserDmaMap.ARGSZ, LITTLE_ENDIAN);
        message.putInt(VfioUserDmaMap.FLAGS_OFFSET, VfioUserDmaMap.FLAG_READ | VfioUserDmaMap.FLAG_WRITE,
            LITTLE_ENDIAN);
        message.putLong(VfioUserDmaMap.FILE_OFFSET_OFFSET, 0, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaMap.IOVA_OFFSET, iova, LITTLE_ENDIAN);
        message.putLong(VfioUserDmaMap.SIZE_OFFSET, sizeBytes, LITTLE_ENDIAN);
        return message;
    }

    /**
     * @return the reply to {@code message}, or null when the server closed the connection (then reconnected).
     */
    private VfioUserReply exchange(final UnsafeBuffer message)
    {
        final int id = message.getShort(VfioUserHeader.MESSAGE_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        client.sendRaw(message.byteArray());
        final VfioUserReply reply = client.receive();
        if (null == reply)
        {
            reconnect();
            return null;
        }
        reply.closeFds();
        if (reply.id() != id)
        {
            throw new IllegalStateException("reply to message " + reply.id() + ", expected " + id + ": " + reply);
        }
        return reply;
    }

    private String expectClosed()
    {
        final VfioUserReply reply = client.receive();
        reconnect();
        return null == reply || reply.isError() ? null : "an unframeable message got a success reply: " + reply;
    }

    private String stillServing()
    {
        final int[] info = client.deviceInfo();
        return VfioUserDeviceInfo.E1000_FLAGS == info[0] ? null : "DEVICE_GET_INFO answered flags " + info[0];
    }

    private VfioUserClient connect()
    {
        try
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MS);
            while (server.hasClient())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("the vfio-user server did not release its last client");
                }
                Thread.onSpinWait();
            }
            final VfioUserClient connected = VfioUserClient.connect(server.socketPath());
            connected.replyTimeoutMs(REPLY_TIMEOUT_MS);
            connected.negotiateVersion();
            return connected;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void reconnect()
    {
        client.close();
        client = connect();
    }

    @Override
    public void close()
    {
        client.close();
        server.close();
        device.close();
        try (var paths = Files.walk(directory))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A device that holds the server to its promises and answers like a quiet E1000: zeros, writes ignored.
     */
    static final class CheckingDevice implements VfioUserDevice
    {
        private final MemFd doorbells = MemFd.create("fuzz-doorbells", E1000Registers.TX_RING_PAGE_OFFSET + PAGE);
        private final List<long[]> mapped = new ArrayList<>();
        private volatile String violation;
        private boolean connected;

        String takeViolation()
        {
            final String taken = violation;
            violation = null;
            return taken;
        }

        private void broken(final String what)
        {
            if (null == violation)
            {
                violation = what;
            }
        }

        private void checkAccess(final String kind, final int regionIndex, final long offset, final int sizeBytes)
        {
            final long regionBytes = switch (regionIndex)
            {
                case VfioUserRegionInfo.BAR0_REGION_INDEX -> E1000Registers.BAR0_LENGTH;
                case VfioUserRegionInfo.BAR1_REGION_INDEX -> E1000Registers.BAR1_LENGTH;
                case VfioUserRegionInfo.CONFIG_REGION_INDEX -> CONFIG_BYTES;
                default -> -1;
            };
            final boolean sizeOk = 1 == sizeBytes || 2 == sizeBytes || 4 == sizeBytes ||
                8 == sizeBytes && VfioUserRegionInfo.CONFIG_REGION_INDEX != regionIndex;
            if (regionBytes < 0 || !sizeOk || offset < 0 || 0 != offset % sizeBytes ||
                offset > regionBytes - sizeBytes)
            {
                broken(kind + " region " + regionIndex + " offset 0x" + Long.toHexString(offset) + " size " +
                    sizeBytes + " reached the device");
            }
        }

        @Override
        public long regionRead(final int regionIndex, final long offset, final int sizeBytes)
        {
            checkAccess("read", regionIndex, offset, sizeBytes);
            return 0;
        }

        @Override
        public void regionWrite(final int regionIndex, final long offset, final int sizeBytes, final long value)
        {
            checkAccess("write", regionIndex, offset, sizeBytes);
        }

        @Override
        public synchronized int dmaMap(final int fd, final long fileOffset, final long iova, final long sizeBytes,
            final boolean readable, final boolean writable)
        {
            if (sizeBytes <= 0 || 0 != iova % PAGE || 0 != sizeBytes % PAGE ||
                Long.compareUnsigned(iova + sizeBytes - 1, iova) < 0)
            {
                broken("DMA map iova 0x" + Long.toHexString(iova) + " size 0x" + Long.toHexString(sizeBytes) +
                    " reached the device");
                return 0;
            }
            for (final long[] range : mapped)
            {
                if (Long.compareUnsigned(iova, range[0] + range[1]) < 0 &&
                    Long.compareUnsigned(range[0], iova + sizeBytes) < 0)
                {
                    broken("DMA map iova 0x" + Long.toHexString(iova) + " overlaps a live map at 0x" +
                        Long.toHexString(range[0]));
                }
            }
            mapped.add(new long[]{ iova, sizeBytes });
            return 0;
        }

        @Override
        public synchronized int dmaUnmap(final long iova, final long sizeBytes)
        {
            for (int i = 0; i < mapped.size(); i++)
            {
                if (mapped.get(i)[0] == iova && mapped.get(i)[1] == sizeBytes)
                {
                    mapped.remove(i);
                    return 0;
                }
            }
            broken("DMA unmap of iova 0x" + Long.toHexString(iova) + " size 0x" + Long.toHexString(sizeBytes) +
                ", never mapped, reached the device");
            return 0;
        }

        @Override
        public synchronized int dmaUnmapAll()
        {
            mapped.clear();
            return 0;
        }

        @Override
        public DoorbellPages doorbellPages()
        {
            return new DoorbellPages(doorbells.fd(), 0,
                new long[]{ E1000Registers.RX_RING_PAGE_OFFSET, E1000Registers.TX_RING_PAGE_OFFSET });
        }

        @Override
        public void reset()
        {
        }

        @Override
        public synchronized void connected(final long peerPid)
        {
            if (connected)
            {
                broken("connected again before the previous client was disconnected");
            }
            connected = true;
        }

        @Override
        public synchronized void disconnected()
        {
            if (!connected)
            {
                broken("disconnected without a connected client");
            }
            connected = false;
            mapped.clear();
        }

        void close()
        {
            doorbells.close();
        }
    }
}
