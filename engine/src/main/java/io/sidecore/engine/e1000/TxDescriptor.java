package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000TxDescriptor;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * One TX descriptor, decoded (SDM 3.3.3 legacy, 3.3.6 context, 3.3.7 data). The guest owns the ring memory and may
 * rewrite it at any time, so {@link #decode} copies the two 64-bit words once (explicit little-endian) and every
 * accessor works from that private copy. A reused, per-port flyweight: decoding allocates nothing.
 */
final class TxDescriptor
{
    /** Legacy descriptor, CMD.DEXT = 0 (SDM 3.3.3). */
    static final int KIND_LEGACY = 0;
    /** TCP/IP context descriptor, DEXT = 1 and DTYP = 0000 (SDM 3.3.6). */
    static final int KIND_CONTEXT = 1;
    /** TCP/IP data descriptor, DEXT = 1 and DTYP = 0001 (SDM 3.3.7). */
    static final int KIND_DATA = 2;
    /** DEXT = 1 with a reserved DTYP: no defined meaning. */
    static final int KIND_UNKNOWN = 3;

    private long low;
    private long high;

    /**
     * Copy a descriptor out of the ring.
     *
     * @param ring   the ring memory.
     * @param offset byte offset of the descriptor, in range.
     */
    void decode(final DirectBuffer ring, final int offset)
    {
        low = ring.getLong(offset, ByteOrder.LITTLE_ENDIAN);
        high = ring.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Set the raw words directly (tests).
     *
     * @param low  bytes 0-7.
     * @param high bytes 8-15.
     */
    void set(final long low, final long high)
    {
        this.low = low;
        this.high = high;
    }

    /**
     * @return bytes 0-7 as copied (little-endian).
     */
    long low()
    {
        return low;
    }

    /**
     * @return bytes 8-15 as copied (little-endian).
     */
    long high()
    {
        return high;
    }

    /**
     * @return one of the KIND_* constants.
     */
    int kind()
    {
        if (0 == (command() & E1000TxDescriptor.CMD_DEXT))
        {
            return KIND_LEGACY;
        }
        final int dtyp = (dword2() & E1000TxDescriptor.DTYP_MASK) >>> E1000TxDescriptor.DTYP_SHIFT;
        if (E1000TxDescriptor.DTYP_CONTEXT == dtyp)
        {
            return KIND_CONTEXT;
        }
        return E1000TxDescriptor.DTYP_DATA == dtyp ? KIND_DATA : KIND_UNKNOWN;
    }

    private int dword2()
    {
        return (int)high;
    }

    private int byteAt(final int offset)
    {
        final long word = offset < 8 ? low : high;
        return (int)(word >>> ((offset & 7) << 3)) & 0xFF;
    }

    private int shortAt(final int offset)
    {
        final long word = offset < 8 ? low : high;
        return (int)(word >>> ((offset & 7) << 3)) & 0xFFFF;
    }

    /**
     * @return CMD (legacy), DCMD (data) or TUCMD (context): byte 11 in every format, so RS, IDE and DEXT sit at the
     *     same bit positions.
     */
    int command()
    {
        return byteAt(E1000TxDescriptor.CMD_OFFSET);
    }

    /**
     * @return buffer address (legacy, data), any 64-bit value.
     */
    long bufferGpa()
    {
        return low;
    }

    /**
     * @return legacy length (16 bits, SDM 3.3.3) or data DTALEN (20 bits, SDM 3.3.7).
     */
    int lengthBytes()
    {
        return KIND_LEGACY == kind() ?
            shortAt(E1000TxDescriptor.LENGTH_OFFSET) :
            dword2() & E1000TxDescriptor.EXT_LENGTH_MASK;
    }

    /**
     * @return status byte (STA in the low nibble).
     */
    int status()
    {
        return byteAt(E1000TxDescriptor.STATUS_OFFSET);
    }

    /**
     * @return VLAN tag control information (legacy and data, bytes 14-15).
     */
    int special()
    {
        return shortAt(E1000TxDescriptor.SPECIAL_OFFSET);
    }

    /**
     * @return legacy checksum offset (CSO).
     */
    int cso()
    {
        return byteAt(E1000TxDescriptor.CSO_OFFSET);
    }

    /**
     * @return legacy checksum start (CSS).
     */
    int css()
    {
        return byteAt(E1000TxDescriptor.CSS_OFFSET);
    }

    /**
     * @return data descriptor packet options (IXSM, TXSM).
     */
    int popts()
    {
        return byteAt(E1000TxDescriptor.POPTS_OFFSET);
    }

    /**
     * @return context IP checksum start.
     */
    int ipcss()
    {
        return byteAt(E1000TxDescriptor.IPCSS_OFFSET);
    }

    /**
     * @return context IP checksum offset.
     */
    int ipcso()
    {
        return byteAt(E1000TxDescriptor.IPCSO_OFFSET);
    }

    /**
     * @return context IP checksum end (inclusive, 0 = end of packet).
     */
    int ipcse()
    {
        return shortAt(E1000TxDescriptor.IPCSE_OFFSET);
    }

    /**
     * @return context TCP/UDP checksum start.
     */
    int tucss()
    {
        return byteAt(E1000TxDescriptor.TUCSS_OFFSET);
    }

    /**
     * @return context TCP/UDP checksum offset.
     */
    int tucso()
    {
        return byteAt(E1000TxDescriptor.TUCSO_OFFSET);
    }

    /**
     * @return context TCP/UDP checksum end (inclusive, 0 = end of packet).
     */
    int tucse()
    {
        return shortAt(E1000TxDescriptor.TUCSE_OFFSET);
    }

    /**
     * @return context payload length, 20 bits.
     */
    int payloadLengthBytes()
    {
        return dword2() & E1000TxDescriptor.EXT_LENGTH_MASK;
    }

    /**
     * @return context header length (HDRLEN).
     */
    int headerLengthBytes()
    {
        return byteAt(E1000TxDescriptor.HDRLEN_OFFSET);
    }

    /**
     * @return context maximum segment size.
     */
    int mss()
    {
        return shortAt(E1000TxDescriptor.MSS_OFFSET);
    }
}
