package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000Registers;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The receive filters of the 82540EM: the VLAN filter (SDM 3.2.1, 13.4.22 VFE/CFIEN, 13.5.5 VFTA) and the
 * destination address filter (SDM 3.2.1, 13.4.22 UPE/MPE/BAM/MO, 13.5.2-13.5.3 RAL/RAH, 13.5.1 MTA). It only reads
 * registers and frame bytes; it writes nothing, so the ring writer stays separate from the accept decision.
 * <p>
 * Decision order (the order QEMU's e1000 uses, so a frame failing both is counted as VLAN-filtered):
 * <ol>
 *   <li>VLAN: the EtherType at byte 12 equals VET and RCTL.VFE is set: the VID's VFTA bit must be set, and with
 *   RCTL.CFIEN the CFI bit must equal RCTL.CFI;</li>
 *   <li>broadcast with RCTL.BAM; any group address (broadcast included, the I/G bit is set) with RCTL.MPE; any
 *   individual address with RCTL.UPE;</li>
 *   <li>exact match against the 16 RAL/RAH pairs whose AV bit is set and whose ASEL selects the destination address
 *   (ASEL 00; SDM 13.5.3: other values select the source address or are reserved, so they never match here);</li>
 *   <li>group addresses only: the MTA hash, bits selected by RCTL.MO (00: DA[47:36], 01: DA[46:35], 10: DA[45:34],
 *   11: DA[43:32]; SDM 13.4.22), that is {@code (((DA[5] << 8) | DA[4]) >> shift) & 0xFFF} with shift 4, 3, 2, 0.
 *   SDM 3.2.1 describes the hash as the multicast filter; QEMU also hashes individual addresses, which no driver
 *   relies on (Linux never puts unicast addresses in the MTA), so the model follows the SDM.</li>
 * </ol>
 * A frame accepted only through the hash is reported with PIF (SDM 3.2.3.1: passed in-exact filter).
 */
final class RxFilter
{
    /** Accepted by promiscuous, broadcast or exact filtering. */
    static final int ACCEPTED = 0;
    /** Accepted only through the MTA hash: status PIF. */
    static final int ACCEPTED_INEXACT = 1;
    /** Rejected by the destination address filter. */
    static final int REJECTED_ADDRESS = 2;
    /** Rejected by the VLAN filter. */
    static final int REJECTED_VLAN = 3;

    /** Offset of the EtherType (or TPID of an 802.1Q tag). */
    static final int ETHER_TYPE_OFFSET = 12;
    /** Offset of the TCI of an 802.1Q tag. */
    static final int TCI_OFFSET = 14;

    private static final int VID_MASK = 0xFFF;
    private static final int CFI_BIT = 1 << 12;
    private static final int RAH_ASEL_MASK = 3 << 16;
    private static final int RAH_ADDRESS_MASK = 0xFFFF;
    private static final int MTA_INDEX_MASK = 0xFFF;

    private final RegisterImage registers;

    /**
     * @param registers the port's register image (RAL/RAH, MTA, VFTA are read from it).
     */
    RxFilter(final RegisterImage registers)
    {
        this.registers = registers;
    }

    /**
     * Decide whether a frame passes the VLAN and address filters.
     *
     * @param frame  frame bytes, at least 18 readable from {@code offset} (the caller pads short frames to 60).
     * @param offset first byte of the frame.
     * @param rctl   the RCTL value for this frame.
     * @param vet    the VLAN EtherType (VET register, low 16 bits).
     * @return {@link #ACCEPTED}, {@link #ACCEPTED_INEXACT}, {@link #REJECTED_ADDRESS} or {@link #REJECTED_VLAN}.
     */
    int filter(final DirectBuffer frame, final int offset, final int rctl, final int vet)
    {
        if (0 != (rctl & E1000Registers.RCTL_VFE) && isVlanTagged(frame, offset, vet) &&
            !vlanAccepted(tci(frame, offset), rctl))
        {
            return REJECTED_VLAN;
        }
        final int destinationLow = frame.getInt(offset, ByteOrder.LITTLE_ENDIAN);
        final int destinationHigh = frame.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return addressFilter(destinationLow, destinationHigh, rctl);
    }

    /**
     * VLAN filter for a tagged frame with RCTL.VFE set (SDM 13.5.5: VFTA[VID >> 5] bit VID & 31).
     *
     * @param tci  the tag control information (priority, CFI, VID).
     * @param rctl the RCTL value.
     * @return true if the frame passes.
     */
    boolean vlanAccepted(final int tci, final int rctl)
    {
        if (0 != (rctl & E1000Registers.RCTL_CFIEN))
        {
            final boolean frameCfi = 0 != (tci & CFI_BIT);
            final boolean wantedCfi = 0 != (rctl & E1000Registers.RCTL_CFI);
            if (frameCfi != wantedCfi)
            {
                return false;
            }
        }
        final int vid = tci & VID_MASK;
        final int vfta = registers.get(E1000Registers.VFTA + ((vid >>> 5) << 2));
        return 0 != (vfta & (1 << (vid & 31)));
    }

    /**
     * Destination address filter.
     *
     * @param destinationLow  destination bytes 0-3 as a little-endian int (the RAL layout).
     * @param destinationHigh destination bytes 4-5 as a little-endian 16-bit value (the RAH address layout).
     * @param rctl            the RCTL value.
     * @return {@link #ACCEPTED}, {@link #ACCEPTED_INEXACT} or {@link #REJECTED_ADDRESS}.
     */
    int addressFilter(final int destinationLow, final int destinationHigh, final int rctl)
    {
        final boolean group = 0 != (destinationLow & 1);
        if (group)
        {
            if (0 != (rctl & E1000Registers.RCTL_BAM) && isBroadcast(destinationLow, destinationHigh))
            {
                return ACCEPTED;
            }
            if (0 != (rctl & E1000Registers.RCTL_MPE))
            {
                return ACCEPTED;
            }
        }
        else if (0 != (rctl & E1000Registers.RCTL_UPE))
        {
            return ACCEPTED;
        }
        if (exactMatch(destinationLow, destinationHigh))
        {
            return ACCEPTED;
        }
        if (group)
        {
            final int mo = (rctl & E1000Registers.RCTL_MO_MASK) >>> E1000Registers.RCTL_MO_SHIFT;
            final int bit = mtaBitIndex(destinationHigh, mo);
            if (0 != (registers.get(E1000Registers.MTA + ((bit >>> 5) << 2)) & (1 << (bit & 31))))
            {
                return ACCEPTED_INEXACT;
            }
        }
        return REJECTED_ADDRESS;
    }

    private boolean exactMatch(final int destinationLow, final int destinationHigh)
    {
        for (int n = 0; n < E1000Registers.RA_COUNT; n++)
        {
            final int rah = registers.get(E1000Registers.rah(n));
            if (0 != (rah & E1000Registers.RAH_AV) && 0 == (rah & RAH_ASEL_MASK) &&
                (rah & RAH_ADDRESS_MASK) == destinationHigh &&
                registers.get(E1000Registers.ral(n)) == destinationLow)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The MTA bit a group address selects (SDM 13.4.22 MO, 13.5.1).
     *
     * @param destinationHigh destination bytes 4-5 as little-endian ({@code DA[4] | DA[5] << 8}).
     * @param mo              RCTL.MO, 0..3.
     * @return bit index 0..4095 into the 128 × 32-bit MTA.
     */
    static int mtaBitIndex(final int destinationHigh, final int mo)
    {
        final int shift = 3 == mo ? 0 : 4 - mo;
        return (destinationHigh >>> shift) & MTA_INDEX_MASK;
    }

    /**
     * @param destinationLow  bytes 0-3 (little-endian).
     * @param destinationHigh bytes 4-5 (little-endian).
     * @return true for ff:ff:ff:ff:ff:ff.
     */
    static boolean isBroadcast(final int destinationLow, final int destinationHigh)
    {
        return -1 == destinationLow && 0xFFFF == destinationHigh;
    }

    /**
     * @param frame  frame bytes, at least 14 readable.
     * @param offset first byte.
     * @return true for ff:ff:ff:ff:ff:ff.
     */
    static boolean isBroadcast(final DirectBuffer frame, final int offset)
    {
        return isBroadcast(frame.getInt(offset, ByteOrder.LITTLE_ENDIAN),
            frame.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
    }

    /**
     * An 802.1Q frame as the device sees it: the EtherType equals VET (SDM 13.4.8, 3.2.3.1 VP).
     *
     * @param frame  frame bytes, at least 14 readable.
     * @param offset first byte.
     * @param vet    VET, low 16 bits.
     * @return true if the frame carries a tag.
     */
    static boolean isVlanTagged(final DirectBuffer frame, final int offset, final int vet)
    {
        return (frame.getShort(offset + ETHER_TYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) == vet;
    }

    /**
     * @param frame  a tagged frame, at least 16 readable.
     * @param offset first byte.
     * @return the TCI (network order in the frame).
     */
    static int tci(final DirectBuffer frame, final int offset)
    {
        return frame.getShort(offset + TCI_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }
}
