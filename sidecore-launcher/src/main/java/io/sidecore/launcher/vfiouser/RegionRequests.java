package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserRegionAccess;
import io.sidecore.shm.vfiouser.VfioUserRegionInfo;
import io.sidecore.shm.vfiouser.VfioUserVersion;
import io.sidecore.shm.vfiouser.VfioUserWriteMulti;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sidecore.launcher.vfiouser.MessageFields.getData;
import static io.sidecore.launcher.vfiouser.MessageFields.putData;
import static io.sidecore.launcher.vfiouser.MessageFields.u32;
import static io.sidecore.launcher.vfiouser.MessageFields.u64;
import static io.sidecore.launcher.vfiouser.VfioUserRequestHandler.putAccessFields;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * REGION_READ, REGION_WRITE and REGION_WRITE_MULTI: check each access against {@link RegionAccessRules}, pass it to
 * the device with its size, count it ({@link TrappedAccessCounts}). Connection thread only.
 */
final class RegionRequests
{
    private final VfioUserDevice device;
    private final TrappedAccessCounts counts;

    RegionRequests(final VfioUserDevice device, final TrappedAccessCounts counts)
    {
        this.device = device;
        this.counts = counts;
    }

    int read(final VfioUserRequestHandler handler, final UnsafeBuffer request, final int size,
        final UnsafeBuffer reply)
    {
        if (VfioUserRegionAccess.MESSAGE_LENGTH != size)
        {
            return handler.reject(VfioUserErrno.EINVAL, "REGION_READ size not " + VfioUserRegionAccess.MESSAGE_LENGTH);
        }
        final long offset = u64(request, VfioUserRegionAccess.OFFSET_OFFSET);
        final long region = u32(request, VfioUserRegionAccess.REGION_OFFSET);
        final long count = u32(request, VfioUserRegionAccess.COUNT_OFFSET);
        final int refused = check(handler, region, offset, count, false);
        if (0 != refused)
        {
            return refused;
        }
        final int regionIndex = (int)region;
        if (VfioUserRegionInfo.CONFIG_REGION_INDEX == regionIndex && count > RegionAccessRules.CONFIG_DWORD_BYTES)
        {
            // a dword run of config space: the device takes config space in accesses of at most a dword
            for (int i = 0; i < count; i += RegionAccessRules.CONFIG_DWORD_BYTES)
            {
                final long value = device.regionRead(regionIndex, offset + i, RegionAccessRules.CONFIG_DWORD_BYTES);
                putData(reply, VfioUserRegionAccess.DATA_OFFSET + i, RegionAccessRules.CONFIG_DWORD_BYTES, value);
            }
        }
        else
        {
            putData(reply, VfioUserRegionAccess.DATA_OFFSET, (int)count,
                device.regionRead(regionIndex, offset, (int)count));
        }
        counts.record(regionIndex, offset, (int)count, false, false);
        putAccessFields(reply, offset, region, count);
        return VfioUserRegionAccess.lengthWithData((int)count);
    }

    int write(final VfioUserRequestHandler handler, final UnsafeBuffer request, final int size,
        final UnsafeBuffer reply, final boolean posted)
    {
        if (size < VfioUserRegionAccess.MESSAGE_LENGTH)
        {
            return handler.reject(VfioUserErrno.EINVAL, "truncated REGION_WRITE");
        }
        final long offset = u64(request, VfioUserRegionAccess.OFFSET_OFFSET);
        final long region = u32(request, VfioUserRegionAccess.REGION_OFFSET);
        final long count = u32(request, VfioUserRegionAccess.COUNT_OFFSET);
        if (count != size - VfioUserRegionAccess.MESSAGE_LENGTH)
        {
            return handler.reject(VfioUserErrno.EINVAL, "REGION_WRITE count " + count + " but " +
                (size - VfioUserRegionAccess.MESSAGE_LENGTH) + " data bytes");
        }
        final int refused = check(handler, region, offset, count, true);
        if (0 != refused)
        {
            return refused;
        }
        device.regionWrite((int)region, offset, (int)count,
            getData(request, VfioUserRegionAccess.DATA_OFFSET, (int)count));
        counts.record((int)region, offset, (int)count, true, posted);
        putAccessFields(reply, offset, region, count);
        return VfioUserRegionAccess.MESSAGE_LENGTH;
    }

    int writeMulti(final VfioUserRequestHandler handler, final UnsafeBuffer request, final int size,
        final UnsafeBuffer reply, final boolean posted)
    {
        if (size < VfioUserWriteMulti.WRITES_OFFSET)
        {
            return handler.reject(VfioUserErrno.EINVAL, "truncated REGION_WRITE_MULTI");
        }
        final long writeCount = u64(request, VfioUserWriteMulti.WRITE_COUNT_OFFSET);
        if (writeCount < 1 || writeCount > VfioUserWriteMulti.MAX_WRITES ||
            size != VfioUserWriteMulti.messageLength((int)writeCount))
        {
            return handler.reject(VfioUserErrno.EINVAL, "REGION_WRITE_MULTI wr_cnt " +
                Long.toUnsignedString(writeCount) + " does not match size " + size + " (1.." +
                VfioUserWriteMulti.MAX_WRITES + " entries)");
        }
        for (int i = 0; i < writeCount; i++)
        {
            final int entry = VfioUserWriteMulti.WRITES_OFFSET + i * VfioUserWriteMulti.WRITE_LENGTH;
            final long count = u32(request, entry + VfioUserWriteMulti.WRITE_COUNT_FIELD_OFFSET);
            final int refused = count > VfioUserWriteMulti.WRITE_DATA_LENGTH ?
                handler.reject(VfioUserErrno.EINVAL, "write " + i + " longer than 8 bytes") :
                check(handler, u32(request, entry + VfioUserWriteMulti.WRITE_REGION_OFFSET),
                    u64(request, entry + VfioUserWriteMulti.WRITE_OFFSET_OFFSET), count, true);
            if (0 != refused)
            {
                return refused;
            }
        }
        for (int i = 0; i < writeCount; i++)
        {
            final int entry = VfioUserWriteMulti.WRITES_OFFSET + i * VfioUserWriteMulti.WRITE_LENGTH;
            final int region = (int)u32(request, entry + VfioUserWriteMulti.WRITE_REGION_OFFSET);
            final long offset = u64(request, entry + VfioUserWriteMulti.WRITE_OFFSET_OFFSET);
            final int count = (int)u32(request, entry + VfioUserWriteMulti.WRITE_COUNT_FIELD_OFFSET);
            device.regionWrite(region, offset, count, getData(request, entry + VfioUserWriteMulti.WRITE_DATA_OFFSET,
                count));
            counts.record(region, offset, count, true, posted);
        }
        reply.putLong(VfioUserWriteMulti.WRITE_COUNT_OFFSET, writeCount, LITTLE_ENDIAN);
        return VfioUserWriteMulti.REPLY_LENGTH;
    }

    private int check(final VfioUserRequestHandler handler, final long region, final long offset, final long count,
        final boolean write)
    {
        if (count > VfioUserVersion.DEFAULT_MAX_DATA_XFER_SIZE || region >= VfioUserRegionInfo.REGION_COUNT)
        {
            counts.recordRejected();
            return handler.reject(VfioUserErrno.EINVAL, "count " + count + " or region " + region + " out of range");
        }
        final String problem = RegionAccessRules.problem((int)region, offset, count, write);
        if (null != problem)
        {
            counts.recordRejected();
            return handler.reject(VfioUserErrno.EINVAL, (write ? "write" : "read") + " of " + count + " bytes at 0x" +
                Long.toHexString(offset) + " in region " + region + ": " + problem);
        }
        return 0;
    }
}
