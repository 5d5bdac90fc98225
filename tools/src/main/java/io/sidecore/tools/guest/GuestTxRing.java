package io.sidecore.tools.guest;

import io.sidecore.shm.E1000TxDescriptor;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * The transmit ring as Linux e1000 keeps it ({@code struct e1000_tx_ring}): descriptors in guest RAM, one
 * preallocated buffer per descriptor, {@code next_to_use} (the tail the driver publishes) and {@code next_to_clean}
 * (the oldest frame not yet reclaimed). A frame is copied into the buffers of consecutive descriptors; only its last
 * descriptor carries EOP and RS, so DD is written back there and reclaim checks that one ({@code next_to_watch}).
 * Allocation-free after construction.
 */
final class GuestTxRing extends GuestRing
{
    /** Linux pads short frames to ETH_ZLEN itself (the 82540 may corrupt hardware padding). */
    static final int ETH_ZLEN = 60;
    /** Linux keeps this many descriptors spare ({@code e1000_maybe_stop_tx(count + 2)}). */
    static final int RESERVED_DESCRIPTORS = 2;

    private final boolean dataDescriptors;
    private final int[] eopIndex;
    private final int[] frameLengths;
    private int lastCommand;
    /** No tag to insert. */
    static final int NO_VLAN_TAG = -1;
    private long cleanedFrames;
    private long cleanedBytes;

    GuestTxRing(final GuestRam ram, final int count, final int bufferBytes, final TxDescriptorFormat format)
    {
        super(ram, count, E1000TxDescriptor.LENGTH, bufferBytes);
        this.dataDescriptors = TxDescriptorFormat.DATA == format;
        this.eopIndex = new int[count];
        this.frameLengths = new int[count];
        reset();
    }

    /**
     * Empty the ring and zero the descriptors (Linux {@code e1000_clean_tx_ring} before configure).
     */
    void reset()
    {
        clearRing();
        Arrays.fill(eopIndex, -1);
    }

    /**
     * @param command CMD bits for the last descriptor of a frame: EOP | IFCS | RS, plus IDE when TIDV is set.
     */
    void lastCommand(final int command)
    {
        this.lastCommand = command;
    }

    /**
     * @param lengthBytes frame length.
     * @return descriptors the frame needs.
     */
    int descriptorsFor(final int lengthBytes)
    {
        final int padded = Math.max(lengthBytes, ETH_ZLEN);
        return (padded + bufferBytes - 1) / bufferBytes;
    }

    /**
     * Copy a frame into the ring without publishing the tail (Linux with {@code xmit_more}).
     *
     * @param frame       source.
     * @param offset      first byte.
     * @param lengthBytes frame length, 14..{@link GuestDriverConfig#MAX_FRAME_BYTES}.
     * @return false when the ring has no room (nothing written).
     */
    boolean queue(final DirectBuffer frame, final int offset, final int lengthBytes)
    {
        return queue(frame, offset, lengthBytes, null, NO_VLAN_TAG);
    }

    /**
     * Like {@link #queue(DirectBuffer, int, int)}, with the 802.1Q tag the device inserts (Linux
     * {@code e1000_tx_queue} with {@code E1000_TX_FLAGS_VLAN}: VLE and the tag in the special field of every
     * descriptor of the frame; SDM 3.3.3, 3.3.11).
     *
     * @param vlanTag the TCI (priority, CFI, VLAN id), or {@link #NO_VLAN_TAG}.
     */
    boolean queue(final DirectBuffer frame, final int offset, final int lengthBytes, final int vlanTag)
    {
        return queue(frame, offset, lengthBytes, null, vlanTag);
    }

    /**
     * Copy a frame into the ring behind a TCP/IP context descriptor that asks for {@code offload} (Linux
     * {@code e1000_tso}/{@code e1000_tx_csum} then {@code e1000_tx_queue}): extended data descriptors with the
     * offload's POPTS and, for TSO, DCMD.TSE; PAYLEN is the frame minus its headers for TSO, as Linux writes it.
     *
     * @param frame       source.
     * @param offset      first byte.
     * @param lengthBytes frame length; up to 64 KiB for TSO.
     * @param offload     the context to write first, or null for none (the ring's own descriptor format).
     * @return false when the ring has no room (nothing written).
     */
    boolean queue(final DirectBuffer frame, final int offset, final int lengthBytes, final TxOffload offload)
    {
        return queue(frame, offset, lengthBytes, offload, NO_VLAN_TAG);
    }

    boolean queue(
        final DirectBuffer frame, final int offset, final int lengthBytes, final TxOffload offload, final int vlanTag)
    {
        final int frameBytes = null == offload ? Math.max(lengthBytes, ETH_ZLEN) : lengthBytes;
        final int needed = (frameBytes + bufferBytes - 1) / bufferBytes + (null == offload ? 0 : 1);
        if (unused() < needed + RESERVED_DESCRIPTORS)
        {
            return false;
        }
        final int first = nextToUse;
        int index = first;
        int dataCommand = E1000TxDescriptor.CMD_IFCS;
        int popts = 0;
        if (null != offload)
        {
            final boolean tso = offload.isTso();
            Descriptors.putContextTx(memory, ringOffset + index * E1000TxDescriptor.LENGTH, offload.ipcss(),
                offload.ipcso(), offload.ipcse(), offload.tucss(), offload.tucso(), offload.tucse(),
                tso ? frameBytes - offload.headerBytes() : 0, offload.tucmd(), offload.headerBytes(), offload.mss());
            eopIndex[index] = -1;
            index = next(index);
            dataCommand |= tso ? E1000TxDescriptor.CMD_TSE : 0;
            popts = offload.popts();
        }
        int position = 0;
        int last = first;
        while (position < frameBytes)
        {
            final int chunk = Math.min(frameBytes - position, bufferBytes);
            final int bufferOffset = buffersOffset + index * bufferBytes;
            final int copyBytes = Math.max(0, Math.min(chunk, lengthBytes - position));
            if (copyBytes > 0)
            {
                memory.putBytes(bufferOffset, frame, offset + position, copyBytes);
            }
            if (copyBytes < chunk)
            {
                memory.setMemory(bufferOffset + copyBytes, chunk - copyBytes, (byte)0);
            }
            position += chunk;
            final boolean isLast = position >= frameBytes;
            final int command = (isLast ? lastCommand | dataCommand : dataCommand) |
                (NO_VLAN_TAG == vlanTag ? 0 : E1000TxDescriptor.CMD_VLE);
            final int special = NO_VLAN_TAG == vlanTag ? 0 : vlanTag;
            final int descriptorOffset = ringOffset + index * E1000TxDescriptor.LENGTH;
            final long bufferGpa = bufferGpa(index);
            if (dataDescriptors || null != offload)
            {
                Descriptors.putDataTx(memory, descriptorOffset, bufferGpa, chunk, command, popts, special);
            }
            else
            {
                Descriptors.putLegacyTx(memory, descriptorOffset, bufferGpa, chunk, command, special);
            }
            eopIndex[index] = -1;
            last = index;
            index = next(index);
        }
        eopIndex[first] = last;
        frameLengths[first] = frameBytes;
        nextToUse = index;
        return true;
    }

    /**
     * Linux {@code e1000_clean_tx_irq}: give back every frame whose EOP descriptor has DD, oldest first, looking
     * at no more than one ring's worth of descriptors.
     *
     * @return true when the ring was cleaned completely (Linux's {@code tx_clean_complete}).
     */
    boolean reclaim()
    {
        int index = nextToClean;
        int cleaned = 0;
        while (cleaned < count && index != nextToUse)
        {
            final int eop = eopIndex[index];
            if (eop < 0)
            {
                break;
            }
            final int eopOffset = ringOffset + eop * E1000TxDescriptor.LENGTH;
            if (0 == (Descriptors.txStatus(memory, eopOffset) & E1000TxDescriptor.STA_DD))
            {
                break;
            }
            cleanedFrames++;
            cleanedBytes += frameLengths[index];
            boolean done = false;
            while (!done)
            {
                done = index == eop;
                eopIndex[index] = -1;
                // Linux zeroes upper.data so a stale DD is never mistaken for a new completion.
                memory.putInt(ringOffset + index * E1000TxDescriptor.LENGTH + E1000TxDescriptor.STATUS_OFFSET, 0);
                index = next(index);
                cleaned++;
            }
        }
        nextToClean = index;
        return cleaned < count;
    }

    /**
     * @return true when frames are still waiting for DD.
     */
    boolean hasPending()
    {
        return nextToClean != nextToUse;
    }

    long cleanedFrames()
    {
        return cleanedFrames;
    }

    long cleanedBytes()
    {
        return cleanedBytes;
    }
}
