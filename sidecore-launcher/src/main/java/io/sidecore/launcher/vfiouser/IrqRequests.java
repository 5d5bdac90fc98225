package io.sidecore.launcher.vfiouser;

import io.sidecore.shm.vfiouser.VfioUserErrno;
import io.sidecore.shm.vfiouser.VfioUserIrqInfo;
import io.sidecore.shm.vfiouser.VfioUserSetIrqs;
import io.sidecore.shm.vfiouser.ReceivedFds;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sidecore.launcher.vfiouser.MessageFields.u32;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * DEVICE_GET_IRQ_INFO and DEVICE_SET_IRQS for the 82540EM: one INTx interrupt, no MSI, MSI-X, ERR or REQ
 * interrupts. SET_IRQS is checked as the kernel's vfio does ({@code vfio_set_irqs_validate_and_prepare}): one data
 * and one action flag, an index below {@link VfioUserIrqInfo#IRQ_INDEX_COUNT}, {@code start + count} within the
 * index, argsz matching the data form, fds matching the count. Connection thread only.
 */
final class IrqRequests
{
    private final IntxLine intx;

    IrqRequests(final IntxLine intx)
    {
        this.intx = intx;
    }

    int irqInfo(final VfioUserRequestHandler handler, final UnsafeBuffer request, final int size,
        final UnsafeBuffer reply)
    {
        final long index = u32(request, VfioUserIrqInfo.INDEX_OFFSET);
        if (VfioUserIrqInfo.MESSAGE_LENGTH != size ||
            u32(request, VfioUserIrqInfo.ARGSZ_OFFSET) < VfioUserIrqInfo.ARGSZ)
        {
            return handler.reject(VfioUserErrno.EINVAL, "IRQ_INFO size not " + VfioUserIrqInfo.MESSAGE_LENGTH +
                " or argsz below " + VfioUserIrqInfo.ARGSZ);
        }
        if (index >= VfioUserIrqInfo.IRQ_INDEX_COUNT)
        {
            return handler.reject(VfioUserErrno.EINVAL, "no IRQ index " + index);
        }
        final boolean intxIndex = VfioUserIrqInfo.INTX_IRQ_INDEX == index;
        reply.putInt(VfioUserIrqInfo.ARGSZ_OFFSET, VfioUserIrqInfo.ARGSZ, LITTLE_ENDIAN);
        reply.putInt(VfioUserIrqInfo.FLAGS_OFFSET, intxIndex ? VfioUserIrqInfo.INTX_FLAGS : 0, LITTLE_ENDIAN);
        reply.putInt(VfioUserIrqInfo.INDEX_OFFSET, (int)index, LITTLE_ENDIAN);
        reply.putInt(VfioUserIrqInfo.COUNT_OFFSET, intxIndex ? VfioUserIrqInfo.INTX_COUNT : 0, LITTLE_ENDIAN);
        return VfioUserIrqInfo.MESSAGE_LENGTH;
    }

    int setIrqs(final VfioUserRequestHandler handler, final UnsafeBuffer request, final int size,
        final ReceivedFds fds)
    {
        if (size < VfioUserSetIrqs.MESSAGE_LENGTH || u32(request, VfioUserSetIrqs.ARGSZ_OFFSET) != size - 16L)
        {
            return handler.reject(VfioUserErrno.EINVAL, "SET_IRQS argsz does not match its size " + size);
        }
        final int flags = request.getInt(VfioUserSetIrqs.FLAGS_OFFSET, LITTLE_ENDIAN);
        final long index = u32(request, VfioUserSetIrqs.INDEX_OFFSET);
        final long start = u32(request, VfioUserSetIrqs.START_OFFSET);
        final long count = u32(request, VfioUserSetIrqs.COUNT_OFFSET);
        final int dataType = flags & VfioUserSetIrqs.DATA_TYPE_MASK;
        final int action = flags & VfioUserSetIrqs.ACTION_TYPE_MASK;
        final String problem = problem(flags, index, start, count, size, fds.count());
        if (null != problem)
        {
            return handler.reject(VfioUserErrno.EINVAL, problem);
        }
        if (0 == count)
        {
            if (VfioUserIrqInfo.INTX_IRQ_INDEX == index)
            {
                intx.disable();
            }
            return VfioUserSetIrqs.REPLY_LENGTH;
        }
        // Only INTx (index 0, start 0, count 1) gets here: every other index has no interrupts.
        final boolean selected =
            VfioUserSetIrqs.DATA_BOOL != dataType || 0 != request.getByte(VfioUserSetIrqs.DATA_OFFSET);
        switch (action)
        {
            case VfioUserSetIrqs.ACTION_TRIGGER ->
            {
                if (VfioUserSetIrqs.DATA_EVENTFD == dataType)
                {
                    if (0 == fds.count())
                    {
                        intx.clearTrigger();
                    }
                    else
                    {
                        intx.setTrigger(fds.take(0));
                    }
                }
                else if (selected)
                {
                    intx.triggerNow();
                }
            }
            case VfioUserSetIrqs.ACTION_MASK ->
            {
                if (VfioUserSetIrqs.DATA_EVENTFD == dataType)
                {
                    return handler.reject(VfioUserErrno.EINVAL, "a mask eventfd is not served for INTx");
                }
                if (selected)
                {
                    intx.mask();
                }
            }
            default ->
            {
                if (VfioUserSetIrqs.DATA_EVENTFD == dataType)
                {
                    if (0 == fds.count())
                    {
                        intx.clearResample();
                    }
                    else
                    {
                        intx.setResample(fds.take(0));
                    }
                }
                else if (selected)
                {
                    intx.unmask();
                }
            }
        }
        return VfioUserSetIrqs.REPLY_LENGTH;
    }

    private static String problem(
        final int flags, final long index, final long start, final long count, final int size, final int fdCount)
    {
        if (!VfioUserSetIrqs.isWellFormedFlags(flags))
        {
            return "SET_IRQS flags 0x" + Integer.toHexString(flags) + " not one data and one action flag";
        }
        if (index >= VfioUserIrqInfo.IRQ_INDEX_COUNT)
        {
            return "no IRQ index " + index;
        }
        final int dataType = flags & VfioUserSetIrqs.DATA_TYPE_MASK;
        final long dataBytes = size - (long)VfioUserSetIrqs.MESSAGE_LENGTH;
        if (VfioUserSetIrqs.DATA_BOOL == dataType ? dataBytes != count : 0 != dataBytes)
        {
            return "SET_IRQS carries " + dataBytes + " data bytes for count " + count;
        }
        if (VfioUserSetIrqs.DATA_EVENTFD == dataType ? fdCount != 0 && fdCount != count : fdCount != 0)
        {
            return "SET_IRQS with " + fdCount + " fds for count " + count;
        }
        if (0 == count)
        {
            final boolean disable = VfioUserSetIrqs.DATA_NONE == dataType &&
                VfioUserSetIrqs.ACTION_TRIGGER == (flags & VfioUserSetIrqs.ACTION_TYPE_MASK) && 0 == start;
            return disable ? null : "SET_IRQS count 0 is only the disable form (TRIGGER|NONE, start 0)";
        }
        final long irqCount = VfioUserIrqInfo.INTX_IRQ_INDEX == index ? VfioUserIrqInfo.INTX_COUNT : 0;
        return start + count > irqCount ?
            "interrupts " + start + ".." + (start + count - 1) + " outside index " + index + " (" + irqCount + ")" :
            null;
    }
}
