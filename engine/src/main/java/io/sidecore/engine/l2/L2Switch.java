package io.sidecore.engine.l2;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.net.PacketHeaders;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.engine.status.SidecoreCounters;
import io.sidecore.shm.PortCounter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One sidecore's part of the built-in learning Ethernet switch (in the manner of netmap's VALE): every sidecore
 * has one, together they form one logical switch whose ports are numbered by global <i>slots</i>.
 * <p>
 * <b>Forwarding.</b> A frame a local guest transmits arrives in {@link #forward} straight from the guest's TX
 * scratch. The source address is learned (with the agent's clock, so entries age). Broadcast, multicast and unknown
 * unicast frames are flooded to every port but the source; a known unicast frame goes to its one port; a frame whose
 * destination is behind its own source port is never sent back (no hairpin). A local destination gets the frame
 * copied straight into its guest's RX buffers (through the destination port's receive side, a {@link FrameSink});
 * a destination owned by another
 * sidecore gets it through that sidecore's {@link ShardRing}, once per sidecore when flooding. Nothing blocks: a full
 * guest RX ring is counted by that guest's device, a full cross-sidecore ring by the source port. Each local port has
 * a fair share of every cross-sidecore ring (see {@link ShardRing}), so one port filling it cannot make its
 * neighbours lose frames: a frame past the sender's share is a {@link PortCounter#TX_DROP_SWITCH_RING_FULL} of the
 * sender.
 * <p>
 * <b>Offload.</b> The switch does not {@link FrameSink#acceptsOffload() accept offload frames}: a transmitting device
 * segments and checksums before it hands a frame on, so every frame switched is complete, and so is every frame a
 * destination receives. The metadata of a local frame travels with it; a frame from another sidecore arrives with
 * complete metadata of the switch's own (the ring carries bytes only).
 * <p>
 * <b>Known addresses.</b> A port may join with its configured MAC address, which is then pinned in the forwarding
 * database of every sidecore (it never ages and is not moved by learning), so unicast to a guest that has not yet
 * transmitted is not flooded. Other addresses are learned. The table keeps room for every port's pin, so a guest
 * that sends from many addresses cannot leave a port created afterwards unpinned (its unicast flooded).
 * <p>
 * <b>Source addresses (anti-spoofing).</b> A local port's frame is switched only from a source it may use: its own
 * pinned address; never another port's pinned address nor a group address ({@link PortCounter#TX_DROP_SPOOFED});
 * and besides its own, at most its allowance of learned addresses ({@code sidecore.port.max.learned.macs}, 0 by
 * default, more for a guest that bridges other stations), past which a frame from a new address is dropped
 * ({@link PortCounter#TX_DROP_SOURCE_LIMIT}). A port that joined without an address has no limit.
 * <p>
 * <b>Accounting.</b> Every frame handed to the switch ends in exactly one of: a delivery attempt per destination
 * (each counted by the destination's device as received or under one drop reason), or one switch drop counter. With
 * {@code n} destinations the switch adds {@code n - 1} to {@link SidecoreCounters#switchFloodCopies()}, so across the
 * engine: {@code sum(tx_frames into the switch) + sum(switch_flood_copies) = sum(rx_frames) + sum(rx drops at the
 * destinations) + sum(switch drops)}, where the switch drops are {@link PortCounter#TX_DROP_NO_DESTINATION},
 * {@link PortCounter#TX_DROP_SPOOFED}, {@link PortCounter#TX_DROP_SOURCE_LIMIT} and
 * {@link PortCounter#TX_DROP_SWITCH_RING_FULL} on the source port and
 * {@link SidecoreCounters#switchDropNoDestination()} and {@link SidecoreCounters#switchDropStalePort()} on the
 * receiving sidecore.
 * <p>
 * <b>Threads.</b> Only the owning agent calls it. Membership changes ({@link #attachLocal}, {@link #attachRemote},
 * {@link #detach}) arrive as commands on that agent, so every sidecore's view is updated by its own thread.
 */
public final class L2Switch implements MessageHandler
{
    /** The switch slot of a port that is not on the switch. */
    public static final int NO_SLOT = -1;
    /** {@code mac} argument of {@link #attachLocal} / {@link #attachRemote} when the port's address is not pinned. */
    public static final long NO_MAC = -1L;

    private static final int FREE = -1;
    private static final long MULTICAST_BIT = 1L << 40;

    private final int shardIndex;
    private final MacTable macTable;
    private final int[] slotShards;
    private final int[] slotPortIds;
    private final long[] slotMacs;
    private final int[] sourceAllowances;
    private final FrameSink[] destinations;
    private final FrameMetadata inboundMetadata = new FrameMetadata();
    private final PortCounters[] sourceCounters;
    private final int[] localSlots;
    private int localCount;
    private long pass;
    private final int[] shardPortCounts;
    private final ShardRing[] outbound;
    private final SidecoreCounters counters;
    private long nowNs;
    private boolean agingStarted;
    private long nextAgingNs;

    /**
     * @param shardIndex this sidecore's index.
     * @param maxSlots   slots of the logical switch.
     * @param macTable   this sidecore's forwarding database.
     * @param outbound   ring to each other sidecore by index, null at {@code shardIndex}; length = sidecore count.
     * @param counters   this sidecore's counters.
     */
    public L2Switch(
        final int shardIndex,
        final int maxSlots,
        final MacTable macTable,
        final ShardRing[] outbound,
        final SidecoreCounters counters)
    {
        this.shardIndex = shardIndex;
        this.macTable = macTable;
        this.slotShards = new int[maxSlots];
        this.slotPortIds = new int[maxSlots];
        this.slotMacs = new long[maxSlots];
        this.sourceAllowances = new int[maxSlots];
        this.destinations = new FrameSink[maxSlots];
        this.sourceCounters = new PortCounters[maxSlots];
        this.localSlots = new int[maxSlots];
        this.shardPortCounts = new int[outbound.length];
        this.outbound = outbound.clone();
        this.counters = counters;
        Arrays.fill(slotShards, FREE);
        Arrays.fill(slotMacs, NO_MAC);
    }

    /**
     * Set the time used for learning and aging; the agent calls it once per duty cycle, which also counts the passes
     * by which the cross-sidecore rings tell active sources ({@link ShardRing#ACTIVE_WINDOW_PASSES}).
     *
     * @param nowNs current time.
     */
    public void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
        pass++;
    }

    /**
     * A port of this sidecore joins the switch.
     *
     * @param slot        its global slot.
     * @param portId      its port id.
     * @param destination where frames for it are copied.
     * @param portCounters its counters, charged for switch drops of the frames it transmits.
     * @throws IllegalStateException if the slot is in use.
     */
    public void attachLocal(
        final int slot, final int portId, final FrameSink destination, final PortCounters portCounters)
    {
        attachLocal(slot, portId, NO_MAC, destination, portCounters);
    }

    /**
     * A port of this sidecore joins the switch with its configured address pinned.
     *
     * @param slot         its global slot.
     * @param portId       its port id.
     * @param mac          its 48-bit unicast address (first octet in bits 47..40), or {@link #NO_MAC}.
     * @param destination  where frames for it are copied.
     * @param portCounters its counters, charged for switch drops of the frames it transmits.
     * @throws IllegalStateException if the slot is in use.
     */
    public void attachLocal(
        final int slot,
        final int portId,
        final long mac,
        final FrameSink destination,
        final PortCounters portCounters)
    {
        attachLocal(slot, portId, mac, destination, portCounters, MacTable.UNLIMITED_SOURCES);
    }

    /**
     * A port of this sidecore joins the switch with its configured address pinned and a limit on the other source
     * addresses it may send from.
     *
     * @param slot             its global slot.
     * @param portId           its port id.
     * @param mac              its 48-bit unicast address (first octet in bits 47..40), or {@link #NO_MAC}.
     * @param destination      where frames for it are copied.
     * @param portCounters     its counters, charged for switch drops of the frames it transmits.
     * @param sourceAllowance  learned source addresses it may have besides {@code mac}, or
     *                         {@link MacTable#UNLIMITED_SOURCES}.
     * @throws IllegalStateException if the slot is in use.
     */
    public void attachLocal(
        final int slot,
        final int portId,
        final long mac,
        final FrameSink destination,
        final PortCounters portCounters,
        final int sourceAllowance)
    {
        occupy(slot, portId, shardIndex);
        pin(mac, slot);
        destinations[slot] = destination;
        sourceCounters[slot] = portCounters;
        sourceAllowances[slot] = sourceAllowance;
        localSlots[localCount++] = slot;
    }

    /**
     * Change how many learned source addresses a local port may have; addresses learned beyond a lowered limit stay
     * until they age.
     *
     * @param slot            a local port's slot.
     * @param sourceAllowance learned source addresses it may have besides its own, or
     *                        {@link MacTable#UNLIMITED_SOURCES}.
     */
    public void sourceAllowance(final int slot, final int sourceAllowance)
    {
        if (isLocal(slot))
        {
            sourceAllowances[slot] = sourceAllowance;
        }
    }

    /**
     * A port of another sidecore joins the switch.
     *
     * @param slot          its global slot.
     * @param portId        its port id.
     * @param ownerShardIdx the sidecore that owns it.
     * @throws IllegalStateException if the slot is in use or the sidecore index is this one or out of range.
     */
    public void attachRemote(final int slot, final int portId, final int ownerShardIdx)
    {
        attachRemote(slot, portId, NO_MAC, ownerShardIdx);
    }

    /**
     * A port of another sidecore joins the switch with its configured address pinned.
     *
     * @param slot          its global slot.
     * @param portId        its port id.
     * @param mac           its 48-bit unicast address, or {@link #NO_MAC}.
     * @param ownerShardIdx the sidecore that owns it.
     * @throws IllegalStateException if the slot is in use or the sidecore index is this one or out of range.
     */
    public void attachRemote(final int slot, final int portId, final long mac, final int ownerShardIdx)
    {
        if (ownerShardIdx == shardIndex || ownerShardIdx < 0 || ownerShardIdx >= outbound.length)
        {
            throw new IllegalStateException("bad owner sidecore for remote switch port: " + ownerShardIdx);
        }
        occupy(slot, portId, ownerShardIdx);
        pin(mac, slot);
    }

    /**
     * @param mac a MAC address as 6 bytes in wire order.
     * @return it as a 48-bit value, first octet in bits 47..40.
     */
    public static long macToLong(final byte[] mac)
    {
        long value = 0;
        for (int i = 0; i < 6; i++)
        {
            value = (value << 8) | (mac[i] & 0xFFL);
        }
        return value;
    }

    /**
     * A port leaves the switch: forget it and every address learned behind it.
     *
     * @param slot its global slot.
     * @return true if the slot was attached.
     */
    public boolean detach(final int slot)
    {
        if (slot < 0 || slot >= slotShards.length || FREE == slotShards[slot])
        {
            return false;
        }
        final int owner = slotShards[slot];
        if (owner == shardIndex)
        {
            for (int i = 0; i < localCount; i++)
            {
                if (localSlots[i] == slot)
                {
                    localSlots[i] = localSlots[--localCount];
                    break;
                }
            }
            destinations[slot] = null;
            sourceCounters[slot] = null;
        }
        shardPortCounts[owner]--;
        slotShards[slot] = FREE;
        slotMacs[slot] = NO_MAC;
        macTable.removeSlot(slot);
        counters.macEntries().setRelease(macTable.size());
        return true;
    }

    /**
     * Switch a frame a local port transmitted.
     *
     * @param sourceSlot  the transmitting port's slot (attached locally).
     * @param frame       frame bytes, valid only during the call.
     * @param offset      first byte.
     * @param lengthBytes frame length.
     * @param metadata    the frame's metadata (complete: the switch takes no offload frames).
     * @return for a frame with one local destination, that destination's outcome; {@link FrameSink#DELIVERED} once
     *         the frame was queued for another sidecore or, flooded, handed to at least one destination (each
     *         accounts for its copy); otherwise the switch drop counted on the source port.
     */
    public int forward(
        final int sourceSlot,
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes,
        final FrameMetadata metadata)
    {
        final PortCounters source = sourceCounters[sourceSlot];
        if (lengthBytes < PacketHeaders.ETHERNET_HEADER_BYTES)
        {
            return dropAtSource(source, PortCounter.TX_DROP_NO_DESTINATION);
        }
        final long sourceMac = readMac(frame, offset + 6);
        if (sourceMac != slotMacs[sourceSlot])
        {
            final int refused = admitSource(sourceMac, sourceSlot, source);
            if (FrameSink.DELIVERED != refused)
            {
                return refused;
            }
        }

        final long destinationMac = readMac(frame, offset);
        final int destinationSlot = 0 != (destinationMac & MULTICAST_BIT) ?
            MacTable.UNKNOWN : macTable.lookup(destinationMac, nowNs);
        if (MacTable.UNKNOWN == destinationSlot || FREE == slotShards[destinationSlot])
        {
            return floodFromLocal(sourceSlot, frame, offset, lengthBytes, metadata);
        }
        if (destinationSlot == sourceSlot)
        {
            return dropAtSource(source, PortCounter.TX_DROP_NO_DESTINATION);
        }
        final int owner = slotShards[destinationSlot];
        if (owner == shardIndex)
        {
            return destinations[destinationSlot].onFrame(frame, offset, lengthBytes, metadata, nowNs);
        }
        return sendRemote(
            owner, destinationSlot, slotPortIds[destinationSlot], sourceSlot, frame, offset, lengthBytes);
    }

    /**
     * Deliver up to {@code limit} frames that another sidecore switched to this one.
     *
     * @param inbound the ring from that sidecore.
     * @param limit   frames at most.
     * @return frames taken.
     */
    public int drain(final ShardRing inbound, final int limit)
    {
        return inbound.read(this, limit);
    }

    /**
     * {@inheritDoc}
     */
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int destinationSlot = buffer.getInt(index + ShardRing.DESTINATION_SLOT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int destinationPortId =
            buffer.getInt(index + ShardRing.DESTINATION_PORT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int sourceSlot = buffer.getInt(index + ShardRing.SOURCE_SLOT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int sourcePortId = buffer.getInt(index + ShardRing.SOURCE_PORT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int frameOffset = index + ShardRing.HEADER_LENGTH;
        final int frameLength = length - ShardRing.HEADER_LENGTH;

        if (isAttached(sourceSlot, sourcePortId))
        {
            learnRemote(readMac(buffer, frameOffset + 6), sourceSlot);
        }

        final FrameMetadata metadata = inboundMetadata.reset();
        if (ShardRing.FLOOD == destinationSlot)
        {
            int attempts = 0;
            for (int i = 0; i < localCount; i++)
            {
                destinations[localSlots[i]].onFrame(buffer, frameOffset, frameLength, metadata, nowNs);
                attempts++;
            }
            countFloodAttempts(attempts);
        }
        else if (isAttached(destinationSlot, destinationPortId) && slotShards[destinationSlot] == shardIndex)
        {
            destinations[destinationSlot].onFrame(buffer, frameOffset, frameLength, metadata, nowNs);
        }
        else
        {
            counters.switchDropStalePort().incrementOpaque();
        }
    }

    /**
     * Remove expired addresses, examining up to {@code limit} table slots, when a sweep is due: the agent calls this
     * every duty cycle, the table is swept at the cadence {@link MacTable#sweepIntervalNs} gives (one comparison of
     * {@code nowNs} per cycle otherwise). The first call sweeps; after a stall the next sweep is an interval after the
     * late one, never a burst to catch up.
     *
     * @param limit table slots to examine.
     * @return entries removed.
     */
    public int age(final int limit)
    {
        if (agingStarted && nowNs - nextAgingNs < 0)
        {
            return 0;
        }
        agingStarted = true;
        nextAgingNs = nowNs + macTable.sweepIntervalNs(limit);
        final int removed = macTable.sweep(nowNs, limit);
        if (removed > 0)
        {
            counters.macEntries().setRelease(macTable.size());
        }
        return removed;
    }

    /**
     * @param slot a slot.
     * @return true if a port of this sidecore is attached there.
     */
    public boolean isLocal(final int slot)
    {
        return slot >= 0 && slot < slotShards.length && slotShards[slot] == shardIndex;
    }

    /**
     * @return ports of this sidecore attached to the switch.
     */
    public int localPortCount()
    {
        return localCount;
    }

    /**
     * @return this sidecore's forwarding database.
     */
    public MacTable macTable()
    {
        return macTable;
    }

    private void occupy(final int slot, final int portId, final int owner)
    {
        if (slot < 0 || slot >= slotShards.length)
        {
            throw new IllegalStateException("switch slot out of range: " + slot + " slots=" + slotShards.length);
        }
        if (FREE != slotShards[slot])
        {
            throw new IllegalStateException("switch slot already in use: " + slot);
        }
        slotShards[slot] = owner;
        slotPortIds[slot] = portId;
        shardPortCounts[owner]++;
    }

    private boolean isAttached(final int slot, final int portId)
    {
        return slot >= 0 && slot < slotShards.length && FREE != slotShards[slot] && slotPortIds[slot] == portId;
    }

    /**
     * Check and learn a source address a local port sent from that is not its own pinned address.
     *
     * @return {@link FrameSink#DELIVERED} when the frame may go on, else the drop counted on the source port.
     */
    private int admitSource(final long sourceMac, final int sourceSlot, final PortCounters source)
    {
        if (0 != (sourceMac & MULTICAST_BIT))
        {
            return dropAtSource(source, PortCounter.TX_DROP_SPOOFED);
        }
        final int sizeBefore = macTable.size();
        switch (macTable.learn(sourceMac, sourceSlot, nowNs, sourceAllowances[sourceSlot]))
        {
            case MacTable.LEARNED:
                if (macTable.size() != sizeBefore)
                {
                    counters.macEntries().setRelease(macTable.size());
                }
                return FrameSink.DELIVERED;

            case MacTable.TABLE_FULL:
                counters.macTableFull().incrementOpaque();
                return FrameSink.DELIVERED;

            case MacTable.SPOOFED:
                return dropAtSource(source, PortCounter.TX_DROP_SPOOFED);

            default:
                return dropAtSource(source, PortCounter.TX_DROP_SOURCE_LIMIT);
        }
    }

    private void pin(final long mac, final int slot)
    {
        slotMacs[slot] = mac;
        if (NO_MAC != mac && 0 == (mac & MULTICAST_BIT))
        {
            if (MacTable.TABLE_FULL == macTable.pin(mac, slot))
            {
                counters.macTableFull().incrementOpaque();
            }
            counters.macEntries().setRelease(macTable.size());
        }
    }

    /**
     * Learn the source of a frame another sidecore switched here: that sidecore admitted it (its source port is
     * its own), so only the address's place is learned, without a limit; an address pinned here to another port is
     * not moved.
     */
    private void learnRemote(final long sourceMac, final int sourceSlot)
    {
        if (0 == (sourceMac & MULTICAST_BIT) && sourceMac != slotMacs[sourceSlot])
        {
            final int sizeBefore = macTable.size();
            if (MacTable.TABLE_FULL == macTable.learn(sourceMac, sourceSlot, nowNs))
            {
                counters.macTableFull().incrementOpaque();
            }
            else if (macTable.size() != sizeBefore)
            {
                counters.macEntries().setRelease(macTable.size());
            }
        }
    }

    private int floodFromLocal(
        final int sourceSlot,
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes,
        final FrameMetadata metadata)
    {
        int attempts = 0;
        int outcome = FrameSink.DELIVERED;
        boolean handedOn = false;
        for (int i = 0; i < localCount; i++)
        {
            final int slot = localSlots[i];
            if (slot != sourceSlot)
            {
                destinations[slot].onFrame(frame, offset, lengthBytes, metadata, nowNs);
                handedOn = true;
                attempts++;
            }
        }
        for (int shard = 0; shard < shardPortCounts.length; shard++)
        {
            if (shard != shardIndex && shardPortCounts[shard] > 0)
            {
                final int sent = sendRemote(shard, ShardRing.FLOOD, 0, sourceSlot, frame, offset, lengthBytes);
                if (FrameSink.DELIVERED == sent)
                {
                    handedOn = true;
                }
                else
                {
                    outcome = sent;
                }
                attempts++;
            }
        }
        if (0 == attempts)
        {
            return dropAtSource(sourceCounters[sourceSlot], PortCounter.TX_DROP_NO_DESTINATION);
        }
        countFloodAttempts(attempts);
        return handedOn ? FrameSink.DELIVERED : outcome;
    }

    private static int dropAtSource(final PortCounters source, final PortCounter reason)
    {
        source.increment(reason);
        return FrameSink.dropped(reason);
    }

    private void countFloodAttempts(final int attempts)
    {
        if (0 == attempts)
        {
            counters.switchDropNoDestination().incrementOpaque();
        }
        else if (attempts > 1)
        {
            counters.switchFloodCopies().getAndAddOpaque(attempts - 1);
        }
    }

    private int sendRemote(
        final int shard,
        final int destinationSlot,
        final int destinationPortId,
        final int sourceSlot,
        final DirectBuffer frame,
        final int offset,
        final int lengthBytes)
    {
        if (outbound[shard].offer(
            destinationSlot, destinationPortId, sourceSlot, slotPortIds[sourceSlot], frame, offset, lengthBytes, pass))
        {
            counters.crossShardFrames().incrementOpaque();
            return FrameSink.DELIVERED;
        }
        return dropAtSource(sourceCounters[sourceSlot], PortCounter.TX_DROP_SWITCH_RING_FULL);
    }

    private static long readMac(final DirectBuffer frame, final int offset)
    {
        return ((frame.getInt(offset, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL) << 16) |
            (frame.getShort(offset + 4, ByteOrder.BIG_ENDIAN) & 0xFFFFL);
    }
}
