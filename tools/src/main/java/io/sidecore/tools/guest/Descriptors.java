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
        buffer.putLong(offset + E1000TxDescriptor.BUFFER_ADDR_OFFSET, bufferGpa, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + E1000TxDescriptor.LENGTH_OFFSET,
            (lengthBytes & LEGACY_MAX_LENGTH) | ((cmd & 0xFF) << 24), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + E1000TxDescriptor.STATUS_OFFSET, (special & 0xFFFF) << 16, ByteOrder.LITTLE_ENDIAN);
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
        buffer.putLong(offset + E1000TxDescriptor.BUFFER_ADDR_OFFSET, bufferGpa, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + E1000TxDescriptor.TYPE_LENGTH_CMD_OFFSET,
            (lengthBytes & E1000TxDescriptor.EXT_LENGTH_MASK) |
            (E1000TxDescriptor.DTYP_DATA << E1000TxDescriptor.DTYP_SHIFT) |
            (((dcmd | E1000TxDescriptor.CMD_DEXT) & 0xFF) << 24), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + E1000TxDescriptor.STATUS_OFFSET,
            ((popts & 0xFF) << 8) | ((special & 0xFFFF) << 16), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A TCP/IP context descriptor (SDM 3.3.6): DEXT set, DTYP = context.
     *
     * @param buffer     where the ring lives.
     * @param offset     descriptor offset in {@code buffer}.
     * @param ipcss      IP checksum start.
     * @param ipcso      IP checksum offset.
     * @param ipcse      IP checksum end (inclusive, 0 = to the end).
     * @param tucss      TCP/UDP checksum start.
     * @param tucso      TCP/UDP checksum offset.
     * @param tucse      TCP/UDP checksum end (0 = to the end).
     * @param payloadBytes PAYLEN, 20 bits.
     * @param tucmd      TUCMD without DEXT: TCP, IP, TSE, RS, IDE.
     * @param headerBytes HDRLEN.
     * @param mss        MSS.
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
        buffer.putInt(offset, (ipcss & 0xFF) | ((ipcso & 0xFF) << 8) | ((ipcse & 0xFFFF) << 16),
            ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + 4, (tucss & 0xFF) | ((tucso & 0xFF) << 8) | ((tucse & 0xFFFF) << 16),
            ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + E1000TxDescriptor.TYPE_LENGTH_CMD_OFFSET,
            (payloadBytes & E1000TxDescriptor.EXT_LENGTH_MASK) |
            (E1000TxDescriptor.DTYP_CONTEXT << E1000TxDescriptor.DTYP_SHIFT) |
            (((tucmd | E1000TxDescriptor.TUCMD_DEXT) & 0xFF) << 24), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + E1000TxDescriptor.STATUS_OFFSET,
            ((headerBytes & 0xFF) << 8) | ((mss & 0xFFFF) << 16), ByteOrder.LITTLE_ENDIAN);
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
        buffer.putLong(offset + E1000RxDescriptor.BUFFER_ADDR_OFFSET, bufferGpa, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(offset + E1000RxDescriptor.LENGTH_OFFSET, 0L, ByteOrder.LITTLE_ENDIAN);
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
