package io.sidecore.engine.e1000;

import io.sidecore.engine.frame.FrameMetadata;
import io.sidecore.engine.net.InternetChecksum;
import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.shm.PortCounter;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Checksum insertion for packets that are not segmented: the legacy descriptor's IC/CSO/CSS (SDM 3.3.3) and the
 * data descriptor's POPTS IXSM/TXSM with the offsets of the checksum context (SDM 3.3.5, 3.3.6).
 * <p>
 * Offsets come from the guest. {@link #validate} checks every one against the packet before {@link #insert} touches
 * a byte, so insertion never reads or writes outside the packet.
 */
final class TxChecksumOffload
{
    private TxChecksumOffload()
    {
    }

    /**
     * Check the checksum context against a packet for the checksums POPTS asks for.
     *
     * @param context           the checksum (non-TSE) context slot.
     * @param popts             the packet's POPTS (from its first data descriptor, SDM 3.3.7).
     * @param packetLengthBytes staged packet length.
     * @return null if usable, else {@link PortCounter#TX_DROP_NO_CONTEXT} or {@link PortCounter#TX_DROP_MALFORMED}.
     */
    static PortCounter validate(final TxContext context, final int popts, final int packetLengthBytes)
    {
        if (0 == (popts & (E1000TxDescriptor.POPTS_IXSM | E1000TxDescriptor.POPTS_TXSM)))
        {
            return null;
        }
        if (!context.isLoaded())
        {
            return PortCounter.TX_DROP_NO_CONTEXT;
        }
        if (0 != (popts & E1000TxDescriptor.POPTS_IXSM) &&
            !isRangeValid(context.ipcss(), context.ipcso(), context.ipcse(), packetLengthBytes))
        {
            return PortCounter.TX_DROP_MALFORMED;
        }
        if (0 != (popts & E1000TxDescriptor.POPTS_TXSM) &&
            !isRangeValid(context.tucss(), context.tucso(), context.tucse(), packetLengthBytes))
        {
            return PortCounter.TX_DROP_MALFORMED;
        }
        return null;
    }

    /**
     * A checksum range is usable when its start and the 2-byte field lie inside the packet and its inclusive end, if
     * given, is not before its start (SDM 3.3.6: CSS/CSO/CSE are byte offsets from the start of the packet; an end of
     * 0 means "to the end of the packet"; an end beyond the packet is clamped to the packet).
     */
    private static boolean isRangeValid(final int start, final int fieldOffset, final int end, final int packetLength)
    {
        return start < packetLength && fieldOffset + 2 <= packetLength && (0 == end || end >= start);
    }

    /**
     * Inclusive end of a validated checksum range.
     *
     * @param end          the context's CSE (0 = end of packet).
     * @param packetLength packet length.
     * @return last byte index to sum.
     */
    static int lastByte(final int end, final int packetLength)
    {
        return 0 == end || end >= packetLength ? packetLength - 1 : end;
    }

    /**
     * Insert the checksums POPTS asks for, transport first then IP (the IP header range does not normally include
     * the transport checksum, and this order matches what the hardware documents for TSO, SDM 3.5).
     *
     * @param buffer      packet bytes.
     * @param start       first byte of the packet.
     * @param lengthBytes packet length.
     * @param context     a context that passed {@link #validate}.
     * @param popts       the packet's POPTS.
     * @param carried     reset metadata of the frame, told what a receiver needs to verify the inserted transport
     *                    checksum without summing again ({@link FrameMetadata#checksumCarried}), or null.
     */
    static void insert(
        final UnsafeBuffer buffer,
        final int start,
        final int lengthBytes,
        final TxContext context,
        final int popts,
        final FrameMetadata carried)
    {
        if (0 != (popts & E1000TxDescriptor.POPTS_TXSM))
        {
            final int partial = insertTransport(buffer, start, lengthBytes, context);
            if (null != carried)
            {
                carry(context, lengthBytes, popts, partial, carried);
            }
        }
        if (0 != (popts & E1000TxDescriptor.POPTS_IXSM))
        {
            insertIp(buffer, start, lengthBytes, context);
        }
    }

    /**
     * Describe the inserted transport checksum for a receiver, unless the IP checksum inserted after it lands inside
     * its range (the range would no longer hold the bytes summed) or its field is not a whole word of the range.
     */
    private static void carry(
        final TxContext context, final int lengthBytes, final int popts, final int partial, final FrameMetadata carried)
    {
        final int first = context.tucss();
        final int end = lastByte(context.tucse(), lengthBytes) + 1;
        final int field = context.tucso();
        if (field < first || field + 2 > end || 0 != ((field - first) & 1))
        {
            return;
        }
        if (0 != (popts & E1000TxDescriptor.POPTS_IXSM) && context.ipcso() + 2 > first && context.ipcso() < end)
        {
            return;
        }
        carried.checksumCarried = true;
        carried.carriedChecksumStartBytes = first;
        carried.carriedChecksumEndBytes = end;
        carried.carriedChecksumFieldBytes = field;
        carried.carriedGuestPartial = partial;
    }

    /**
     * TCP/UDP checksum from TUCSS to TUCSE (or the end) stored at TUCSO. The guest pre-fills the field with the
     * pseudo-header sum, which is summed with the rest. A UDP result of 0 is sent as 0xFFFF (RFC 768: 0 means "no
     * checksum").
     *
     * @return the field's value before the insertion (the guest's partial sum), 16 bits.
     */
    static int insertTransport(
        final UnsafeBuffer buffer, final int start, final int lengthBytes, final TxContext context)
    {
        final int first = context.tucss();
        final int last = lastByte(context.tucse(), lengthBytes);
        final int field = start + context.tucso();
        final int partial = buffer.getShort(field, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int checksum = InternetChecksum.finishTransport(
            InternetChecksum.sum(buffer, start + first, last - first + 1), !context.isTcp());
        buffer.putShort(field, (short)checksum, ByteOrder.BIG_ENDIAN);
        return partial;
    }

    /**
     * IP header checksum from IPCSS to IPCSE (or the end) stored at IPCSO.
     */
    static void insertIp(final UnsafeBuffer buffer, final int start, final int lengthBytes, final TxContext context)
    {
        final int first = context.ipcss();
        final int last = lastByte(context.ipcse(), lengthBytes);
        final int checksum = InternetChecksum.compute(buffer, start + first, last - first + 1);
        buffer.putShort(start + context.ipcso(), (short)checksum, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Legacy checksum insertion: sum from CSS to the end of the packet, stored at CSO. SDM 3.3.3.1 IC: "IC is ignored
     * if CSO and CSS are out of the packet range. This occurs when (CSS >= length) OR (CSO >= length - 1)", so an
     * out-of-range request sends the packet unchanged.
     *
     * @param buffer      packet bytes.
     * @param start       first byte of the packet.
     * @param lengthBytes packet length.
     * @param css         checksum start (from the first descriptor of the packet).
     * @param cso         checksum offset (from the EOP descriptor).
     * @return true if a checksum was inserted.
     */
    static boolean insertLegacy(
        final UnsafeBuffer buffer, final int start, final int lengthBytes, final int css, final int cso)
    {
        if (css >= lengthBytes || cso >= lengthBytes - 1)
        {
            return false;
        }
        final int checksum = InternetChecksum.compute(buffer, start + css, lengthBytes - css);
        buffer.putShort(start + cso, (short)checksum, ByteOrder.BIG_ENDIAN);
        return true;
    }

    /**
     * Prepare a non-segmented packet for an offload-capable sink: the IP checksum is inserted here, the transport
     * checksum is left to the sink (its field already holds the pseudo-header sum, as the sink expects).
     *
     * @param buffer      packet bytes.
     * @param start       first byte.
     * @param lengthBytes packet length.
     * @param context     a validated checksum context.
     * @param popts       the packet's POPTS.
     * @param info        filled on success.
     * @return false if the packet needs no transport checksum or one the sink cannot express (an explicit TUCSE
     *     before the end, or a field before the start); nothing is modified then.
     */
    static boolean prepareOffload(
        final UnsafeBuffer buffer,
        final int start,
        final int lengthBytes,
        final TxContext context,
        final int popts,
        final FrameMetadata info)
    {
        if (0 == (popts & E1000TxDescriptor.POPTS_TXSM) ||
            lengthBytes - 1 != lastByte(context.tucse(), lengthBytes) ||
            context.tucso() < context.tucss())
        {
            return false;
        }
        if (0 != (popts & E1000TxDescriptor.POPTS_IXSM))
        {
            insertIp(buffer, start, lengthBytes, context);
        }
        info.gsoType = FrameMetadata.GSO_NONE;
        info.headerLengthBytes = context.tucss();
        info.needsChecksum = true;
        info.checksumStartBytes = context.tucss();
        info.checksumOffsetBytes = context.tucso() - context.tucss();
        return true;
    }
}
