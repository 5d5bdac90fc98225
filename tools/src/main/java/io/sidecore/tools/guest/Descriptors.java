package io.sidecore.tools.guest;

import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Encoding of the 16-byte little-endian descriptors the driver writes (SDM 3.2.3, 3.3.3, 3.3.6, 3.3.7), with the
 * field offsets and bits of {@link E1000TxDescriptor} and {@link E1000RxDescriptor}. Each writer stores the address
 * first and the control dwords after it, as Linux does before its {@code wmb()} and doorbell.
 */
public final class Descriptors
{
    /** Largest length a legacy descriptor's 16-bit field holds. */
    public static final int LEGACY_MAX_LENGTH = 0xFFFF;

    private Descriptors()
    {
    }

    /**
     * Bytes 8-15 of a legacy TX descriptor (SDM 3.3.3): LENGTH (15:0), CSO (23:16), CMD (31:24), STA (39:32), CSS
     * (47:40), SPECIAL (63:48). DEXT is cleared from {@code cmd}: with it set the descriptor is not a legacy one.
     * Every field is masked to its width, so a test can write any value a hostile guest could.
     *
     * @param lengthBytes LENGTH, 16 bits.
     * @param cmd         CMD: EOP, IFCS, IC, RS, RPS, VLE, IDE.
     * @param cso         checksum offset.
     * @param status      STA as the guest leaves it (a driver writes 0).
     * @param css         checksum start.
     * @param special     VLAN tag for VLE.
     * @return the little-endian quadword at byte 8.
     */
    public static long legacyTxHigh(
        final int lengthBytes, final int cmd, final int cso, final int status, final int css, final int special)
    {
        return (lengthBytes & LEGACY_MAX_LENGTH) |
            (long)(cso & 0xFF) << 16 |
            (long)(cmd & ~E1000TxDescriptor.CMD_DEXT & 0xFF) << 24 |
            (long)(status & 0xFF) << 32 |
            (long)(css & 0xFF) << 40 |
            (long)(special & 0xFFFF) << 48;
    }

    /**
     * Bytes 8-15 of an extended TX descriptor (SDM 3.3.6, 3.3.7): a 20-bit length (19:0), DTYP (23:20), the command
     * byte with DEXT set (31:24), STA (39:32), byte 13 (47:40: HDRLEN of a context, POPTS of a data descriptor) and
     * bytes 14-15 (63:48: MSS of a context, SPECIAL of a data descriptor). {@link #contextTxHigh} and
     * {@link #dataTxHigh} are the usual cases; this form also writes a reserved DTYP or a status a driver never
     * leaves.
     *
     * @param lengthBytes PAYLEN or DTALEN, 20 bits.
     * @param dtyp        descriptor type, 4 bits.
     * @param cmd         TUCMD or DCMD (DEXT is set here).
     * @param status      STA as the guest leaves it.
     * @param byte13      HDRLEN or POPTS.
     * @param word14      MSS or SPECIAL.
     * @return the little-endian quadword at byte 8.
     */
    public static long extendedTxHigh(
        final int lengthBytes, final int dtyp, final int cmd, final int status, final int byte13, final int word14)
    {
        return (lengthBytes & E1000TxDescriptor.EXT_LENGTH_MASK) |
            (long)(dtyp & 0xF) << E1000TxDescriptor.DTYP_SHIFT |
            (long)((cmd | E1000TxDescriptor.CMD_DEXT) & 0xFF) << 24 |
            (long)(status & 0xFF) << 32 |
            (long)(byte13 & 0xFF) << 40 |
            (long)(word14 & 0xFFFF) << 48;
    }

    /**
     * Bytes 0-7 of a TCP/IP context descriptor (SDM 3.3.6): IPCSS, IPCSO, IPCSE (16 bits), TUCSS, TUCSO, TUCSE (16
     * bits).
     *
     * @param ipcss IP checksum start.
     * @param ipcso IP checksum offset.
     * @param ipcse IP checksum end (inclusive, 0 = to the end).
     * @param tucss TCP/UDP checksum start.
     * @param tucso TCP/UDP checksum offset.
     * @param tucse TCP/UDP checksum end (0 = to the end).
     * @return the little-endian quadword at byte 0.
     */
    public static long contextTxLow(
        final int ipcss, final int ipcso, final int ipcse, final int tucss, final int tucso, final int tucse)
    {
        return (ipcss & 0xFFL) |
            (long)(ipcso & 0xFF) << 8 |
            (long)(ipcse & 0xFFFF) << 16 |
            (long)(tucss & 0xFF) << 32 |
            (long)(tucso & 0xFF) << 40 |
            (long)(tucse & 0xFFFF) << 48;
    }

    /**
     * Bytes 8-15 of a TCP/IP context descriptor (SDM 3.3.6): DEXT set, DTYP = context, status 0.
     *
     * @param payloadBytes PAYLEN, 20 bits.
     * @param tucmd        TUCMD without DEXT: TCP, IP, TSE, RS, IDE.
     * @param headerBytes  HDRLEN.
     * @param mss          MSS.
     * @return the little-endian quadword at byte 8.
     */
    public static long contextTxHigh(final int payloadBytes, final int tucmd, final int headerBytes, final int mss)
    {
        return extendedTxHigh(payloadBytes, E1000TxDescriptor.DTYP_CONTEXT, tucmd, 0, headerBytes, mss);
    }

    /**
     * Bytes 8-15 of a TCP/IP data descriptor (SDM 3.3.7): DEXT set, DTYP = data, status 0.
     *
     * @param lengthBytes DTALEN, 20 bits.
     * @param dcmd        DCMD without DEXT: EOP, IFCS, TSE, RS, VLE, IDE.
     * @param popts       POPTS: IXSM, TXSM.
     * @param special     VLAN tag for VLE.
     * @return the little-endian quadword at byte 8.
     */
    public static long dataTxHigh(final int lengthBytes, final int dcmd, final int popts, final int special)
    {
        return extendedTxHigh(lengthBytes, E1000TxDescriptor.DTYP_DATA, dcmd, 0, popts, special);
    }

    /**
     * Store a 16-byte descriptor, little-endian: the first quadword (buffer address, or a context's checksum
     * fields) first, then the second, as Linux does before its {@code wmb()} and doorbell.
     *
     * @param buffer where the ring lives.
     * @param offset descriptor offset in {@code buffer}.
     * @param low    bytes 0-7.
     * @param high   bytes 8-15.
     */
    public static void put(final MutableDirectBuffer buffer, final int offset, final long low, final long high)
    {
        buffer.putLong(offset, low, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + E1000TxDescriptor.LENGTH_OFFSET, high, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A legacy TX descriptor (SDM 3.3.3): buffer address, 16-bit length, CMD; CSO, CSS, status and special 0.
     *
     * @param buffer      where the ring lives.
     * @param offset      descriptor offset in {@code buffer}.
     * @param bufferGpa   guest-physical address of the data.
     * @param lengthBytes data length, 1..65535.
     * @param cmd         CMD byte: EOP, IFCS, RS, IDE, ... (DEXT must be clear).
     */
    public static void putLegacyTx(
        final MutableDirectBuffer buffer, final int offset, final long bufferGpa, final int lengthBytes, final int cmd)
    {
        putLegacyTx(buffer, offset, bufferGpa, lengthBytes, cmd, 0);
    }

    /**
     * A legacy TX descriptor with its special field (SDM 3.3.3: the VLAN tag inserted when CMD.VLE is set).
     *
     * @param buffer      where the ring lives.
     * @param offset      descriptor offset in {@code buffer}.
     * @param bufferGpa   guest-physical address of the data.
     * @param lengthBytes length, 16 bits.
     * @param cmd         CMD byte.
     * @param special     VLAN tag for VLE.
     */
    public static void putLegacyTx(
        final MutableDirectBuffer buffer,
        final int offset,
        final long bufferGpa,
        final int lengthBytes,
        final int cmd,
        final int special)
    {
        put(buffer, offset, bufferGpa, legacyTxHigh(lengthBytes, cmd, 0, 0, 0, special));
    }

    /**
     * An extended data descriptor (SDM 3.3.7): DEXT and DTYP = data are set here.
     *
     * @param buffer      where the ring lives.
     * @param offset      descriptor offset in {@code buffer}.
     * @param bufferGpa   guest-physical address of the data.
     * @param lengthBytes DTALEN, 20 bits.
     * @param dcmd        DCMD byte without DEXT: EOP, IFCS, TSE, RS, VLE, IDE.
     * @param popts       POPTS: IXSM, TXSM.
     * @param special     VLAN tag for VLE.
     */
    public static void putDataTx(
        final MutableDirectBuffer buffer,
        final int offset,
        final long bufferGpa,
        final int lengthBytes,
        final int dcmd,
        final int popts,
        final int special)
    {
        put(buffer, offset, bufferGpa, dataTxHigh(lengthBytes, dcmd, popts, special));
    }

    /**
     * A TCP/IP context descriptor (SDM 3.3.6): DEXT set, DTYP = context.
     *
     * @param buffer       where the ring lives.
     * @param offset       descriptor offset in {@code buffer}.
     * @param ipcss        IP checksum start.
     * @param ipcso        IP checksum offset.
     * @param ipcse        IP checksum end (inclusive, 0 = to the end).
     * @param tucss        TCP/UDP checksum start.
     * @param tucso        TCP/UDP checksum offset.
     * @param tucse        TCP/UDP checksum end (0 = to the end).
     * @param payloadBytes PAYLEN, 20 bits.
     * @param tucmd        TUCMD without DEXT: TCP, IP, TSE, RS, IDE.
     * @param headerBytes  HDRLEN.
     * @param mss          MSS.
     */
    public static void putContextTx(
        final MutableDirectBuffer buffer,
        final int offset,
        final int ipcss,
        final int ipcso,
        final int ipcse,
        final int tucss,
        final int tucso,
        final int tucse,
        final int payloadBytes,
        final int tucmd,
        final int headerBytes,
        final int mss)
    {
        put(buffer, offset, contextTxLow(ipcss, ipcso, ipcse, tucss, tucso, tucse),
            contextTxHigh(payloadBytes, tucmd, headerBytes, mss));
    }

    /**
     * The TX status byte (DD and error bits), read with acquire ordering: the device writes it back last.
     *
     * @param buffer where the ring lives.
     * @param offset descriptor offset.
     * @return the STA field.
     */
    public static int txStatus(final org.agrona.concurrent.AtomicBuffer buffer, final int offset)
    {
        return buffer.getIntVolatile(offset + E1000TxDescriptor.STATUS_OFFSET) & 0xF;
    }

    /**
     * Hand an RX descriptor to the device: buffer address, everything else zero (Linux
     * {@code e1000_alloc_rx_buffers}, with the status cleared when the previous frame was harvested).
     *
     * @param buffer    where the ring lives.
     * @param offset    descriptor offset.
     * @param bufferGpa guest-physical address of the receive buffer.
     */
    public static void putRx(final MutableDirectBuffer buffer, final int offset, final long bufferGpa)
    {
        putRx(buffer, offset, bufferGpa, 0);
    }

    /**
     * An RX descriptor (SDM 3.2.3) with the buffer address and a status dword left as the guest chooses (a driver
     * clears it; a hostile guest need not): length and checksum 0, status (7:0), errors (15:8), special (31:16).
     *
     * @param buffer     where the ring lives.
     * @param offset     descriptor offset.
     * @param bufferGpa  guest-physical address of the receive buffer.
     * @param statusWord bytes 12-15.
     */
    public static void putRx(
        final MutableDirectBuffer buffer, final int offset, final long bufferGpa, final int statusWord)
    {
        put(buffer, offset, bufferGpa, (long)statusWord << 32);
    }

    /**
     * Dword 3 of an RX descriptor (status, errors, special), read with acquire ordering so that a set DD makes the
     * rest of the descriptor and the buffer visible.
     *
     * @param buffer where the ring lives.
     * @param offset descriptor offset.
     * @return status in bits 7:0, errors in 15:8, special in 31:16.
     */
    public static int rxStatusWord(final org.agrona.concurrent.AtomicBuffer buffer, final int offset)
    {
        return buffer.getIntVolatile(offset + E1000RxDescriptor.STATUS_OFFSET);
    }

    /**
     * @param buffer where the ring lives.
     * @param offset descriptor offset.
     * @return the RX length field.
     */
    public static int rxLength(final MutableDirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + E1000RxDescriptor.LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }
}
