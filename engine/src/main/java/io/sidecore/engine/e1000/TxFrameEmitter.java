package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.engine.net.PacketHeaders;
import io.sidecore.engine.status.PortCounters;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The last step of the transmit path: inserts the VLAN tag a packet asked for, accounts the frame (host counters,
 * the guest-visible statistics registers and the pass's {@link TxPassBudget}) and hands it, with its
 * {@link FrameMetadata}, to the port's {@link FrameSink}.
 * <p>
 * Frames are passed as a range of a staging buffer that has at least {@link #VLAN_TAG_LENGTH} bytes of headroom
 * before the frame, so the tag is inserted in place by moving the two MAC addresses forward (SDM 3.3.3.1 VLE: "the
 * Ethertype field comes from the VET register and the VLAN tag comes from the special field"; the tag follows the
 * source address, IEEE 802.1Q).
 */
final class TxFrameEmitter
{
    /** Length of an 802.1Q tag (TPID + TCI). */
    static final int VLAN_TAG_LENGTH = 4;
    /** Destination plus source MAC address. */
    static final int MAC_ADDRESSES_LENGTH = 12;

    private final RegisterImage registers;
    private final PortCounters counters;
    private final Statistics statistics;
    private final FrameSink sink;
    private final FrameMetadata metadata = new FrameMetadata();
    private final TxPassBudget budget = new TxPassBudget();
    /** RCTL lives in a shared page: the offload question cannot be kept for a pass (see the constructor). */
    private final boolean askedPerFrame;
    private int unpublishedFrames;
    private long unpublishedBytes;
    /** The sink's answer to {@link FrameSink#acceptsOffload} for the current pass. */
    private boolean offloadAccepted;
    private boolean insertVlan;
    private int vlanTci;
    private long nowNs;

    /**
     * @param registers  CTRL.VME and VET are read here; whether RCTL is in a shared page decides how often the sink is
     *                   asked whether it takes offload frames.
     * @param counters   host counters (frames and bytes sent).
     * @param statistics the guest-visible transmit statistics.
     * @param sink       where the frames go.
     */
    TxFrameEmitter(
        final RegisterImage registers,
        final PortCounters counters,
        final Statistics statistics,
        final FrameSink sink)
    {
        this.registers = registers;
        this.counters = counters;
        this.statistics = statistics;
        this.sink = sink;
        // The device's sink answers no while the device loops back (SDM 13.4.22 RCTL.LBM). With RCTL in a shared page
        // the guest can set LBM with a plain store from another vCPU in the middle of a pass, so the answer is asked
        // for every frame there, as before: offload work must never be looped back.
        this.askedPerFrame = registers.isShared(E1000Registers.RCTL);
    }

    /**
     * @return the current pass's budget, charged with every frame emitted.
     */
    TxPassBudget budget()
    {
        return budget;
    }

    /**
     * Ask the sink whether it takes whole frames with offload work left, once for the pass that begins: the answer
     * does not change within a pass ({@link FrameSink#acceptsOffload}), and asking per frame was a chain of calls
     * down to the backend (the device's loopback test, the port, the backend) that the daemon's profile showed at
     * 5-10 % of the sidecore's samples (issue 11 §0). Not kept when RCTL is in a shared page (see the constructor).
     */
    void beginPass()
    {
        if (!askedPerFrame)
        {
            offloadAccepted = sink.acceptsOffload();
        }
    }

    /**
     * @return whether the sink takes whole frames with offload work left ({@link #emitOffload}), as asked at the
     *         start of the pass ({@link #beginPass}), or now when RCTL is in a shared page.
     */
    boolean acceptsOffload()
    {
        return askedPerFrame ? sink.acceptsOffload() : offloadAccepted;
    }

    /**
     * Decide VLAN insertion for the frames of the packet being sent: only when CTRL.VME and the descriptor's VLE are
     * both set (SDM 3.3.3.1 / 3.3.7.1 VLE: "if the CTRL.VME bit is not set ... does not insert VLAN tags").
     *
     * @param vleRequested VLE bit of the descriptor that carries it for this packet.
     * @param tci          the descriptor's special field.
     */
    void prepareVlan(final boolean vleRequested, final int tci)
    {
        insertVlan = vleRequested && 0 != (registers.get(E1000Registers.CTRL) & E1000Registers.CTRL_VME);
        vlanTci = tci & 0xFFFF;
    }

    /**
     * The time handed on with the frames of this TX pass.
     *
     * @param nowNs the agent's time for this duty cycle.
     */
    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    /**
     * @return whether frames of the current packet get a tag.
     */
    boolean isInsertingVlan()
    {
        return insertVlan;
    }

    /**
     * The reused metadata filled by the offload preparation before {@link #emitOffload}.
     *
     * @return the port's TX {@link FrameMetadata}, reset.
     */
    FrameMetadata resetOffloadInfo()
    {
        return metadata.reset();
    }

    /**
     * Emit one complete frame (checksums done, no offload left).
     *
     * @param buffer      staging buffer with {@link #VLAN_TAG_LENGTH} bytes of headroom before {@code start}.
     * @param start       first byte of the untagged frame.
     * @param lengthBytes untagged length, at least {@link PacketHeaders#ETHERNET_HEADER_BYTES}.
     */
    void emit(final UnsafeBuffer buffer, final int start, final int lengthBytes)
    {
        metadata.reset();
        emitWithMetadata(buffer, start, lengthBytes);
    }

    /**
     * Emit one complete frame (checksums done, no offload left) with the metadata returned by
     * {@link #resetOffloadInfo()}, whose carried checksum ({@link FrameMetadata#checksumCarried}) is relative to the
     * untagged frame.
     *
     * @param buffer      staging buffer with {@link #VLAN_TAG_LENGTH} bytes of headroom before {@code start}.
     * @param start       first byte of the untagged frame.
     * @param lengthBytes untagged length, at least {@link PacketHeaders#ETHERNET_HEADER_BYTES}.
     */
    void emitWithMetadata(final UnsafeBuffer buffer, final int start, final int lengthBytes)
    {
        int frameStart = start;
        int frameLength = lengthBytes;
        if (insertVlan)
        {
            frameStart = insertTag(buffer, start);
            frameLength += VLAN_TAG_LENGTH;
            if (metadata.checksumCarried)
            {
                metadata.carriedChecksumStartBytes += VLAN_TAG_LENGTH;
                metadata.carriedChecksumEndBytes += VLAN_TAG_LENGTH;
                metadata.carriedChecksumFieldBytes += VLAN_TAG_LENGTH;
            }
        }
        countHost(frameLength);
        countGuest(buffer, frameStart, frameLength);
        sink.onFrame(buffer, frameStart, frameLength, metadata, nowNs);
    }

    /**
     * Emit one whole frame whose segmentation and/or transport checksum the sink performs, as described by the
     * metadata returned by {@link #resetOffloadInfo()} and filled relative to the untagged frame.
     *
     * @param buffer      staging buffer with headroom.
     * @param start       first byte of the untagged frame.
     * @param lengthBytes untagged length.
     */
    void emitOffload(final UnsafeBuffer buffer, final int start, final int lengthBytes)
    {
        int frameStart = start;
        int frameLength = lengthBytes;
        if (insertVlan)
        {
            frameStart = insertTag(buffer, start);
            frameLength += VLAN_TAG_LENGTH;
            metadata.headerLengthBytes += VLAN_TAG_LENGTH;
            if (metadata.needsChecksum)
            {
                metadata.checksumStartBytes += VLAN_TAG_LENGTH;
            }
        }
        countHost(frameLength);
        if (FrameMetadata.GSO_NONE == metadata.gsoType)
        {
            countGuest(buffer, frameStart, frameLength);
        }
        else
        {
            countGuestSegments(buffer, frameStart, frameLength);
        }
        sink.onFrame(buffer, frameStart, frameLength, metadata, nowNs);
    }

    private int insertTag(final UnsafeBuffer buffer, final int start)
    {
        final long macsHigh = buffer.getLong(start);
        final int macsLow = buffer.getInt(start + 8);
        final int tagged = start - VLAN_TAG_LENGTH;
        buffer.putLong(tagged, macsHigh);
        buffer.putInt(tagged + 8, macsLow);
        buffer.putShort(tagged + MAC_ADDRESSES_LENGTH,
            (short)registers.get(E1000Registers.VET), ByteOrder.BIG_ENDIAN);
        buffer.putShort(tagged + MAC_ADDRESSES_LENGTH + 2, (short)vlanTci, ByteOrder.BIG_ENDIAN);
        metadata.vlanTci = vlanTci;
        return tagged;
    }

    private void countHost(final int frameLength)
    {
        budget.onFrame(frameLength);
        unpublishedFrames++;
        unpublishedBytes += frameLength;
    }

    /**
     * Add the frames and bytes emitted since the last call to {@link PortCounter#TX_FRAMES} and
     * {@link PortCounter#TX_BYTES}, and the guest-visible transmit statistics to their registers: once per pass, not
     * per frame, because each counter store is an opaque store to memory other processes read (issue 11 §0;
     * {@code CounterIncrementBenchmark}: 12.7 vs 0.6 ns per frame), and each statistic a read-modify-write of the
     * register image.
     */
    void publishCounts()
    {
        statistics.publishTransmit();
        if (0 != unpublishedFrames)
        {
            counters.add(PortCounter.TX_FRAMES, unpublishedFrames);
            counters.add(PortCounter.TX_BYTES, unpublishedBytes);
            unpublishedFrames = 0;
            unpublishedBytes = 0;
        }
    }

    private void countGuest(final UnsafeBuffer buffer, final int frameStart, final int frameLength)
    {
        statistics.onTransmit(frameLength, buffer.getByte(frameStart), isBroadcast(buffer, frameStart));
    }

    /**
     * The guest sees the segments the device would have put on the wire (SDM 13.7: GPTC, GOTC and the size bins
     * count transmitted packets), even though the sink segments them.
     */
    private void countGuestSegments(final UnsafeBuffer buffer, final int frameStart, final int frameLength)
    {
        final int firstByte = buffer.getByte(frameStart);
        final boolean broadcast = isBroadcast(buffer, frameStart);
        final int headerLength = metadata.headerLengthBytes;
        final int mss = metadata.gsoSizeBytes;
        int remaining = frameLength - headerLength;
        do
        {
            final int chunk = Math.min(remaining, mss);
            statistics.onTransmit(headerLength + chunk, firstByte, broadcast);
            remaining -= chunk;
        }
        while (remaining > 0);
    }

    private static boolean isBroadcast(final UnsafeBuffer buffer, final int frameStart)
    {
        return -1 == buffer.getInt(frameStart) && -1 == buffer.getShort(frameStart + 4);
    }
}
