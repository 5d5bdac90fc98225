package io.sidecore.tools.guest;

import io.sidecore.shm.E1000RxDescriptor;
import io.sidecore.shm.E1000TxDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DescriptorsTest
{
    private final UnsafeBuffer ring = new UnsafeBuffer(new byte[64]);

    private byte[] bytes(final int offset)
    {
        final byte[] out = new byte[16];
        ring.getBytes(offset, out);
        return out;
    }

    @Test
    void shouldEncodeLegacyTxDescriptorLittleEndian()
    {
        ring.setMemory(0, 64, (byte)0x5A);

        Descriptors.putLegacyTx(ring, 16, 0x0000_0001_2345_6780L, 1514,
            E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_IFCS | E1000TxDescriptor.CMD_RS);

        assertArrayEquals(new byte[]{
            (byte)0x80, 0x67, 0x45, 0x23, 0x01, 0, 0, 0,
            (byte)0xEA, 0x05, 0x00, 0x0B,
            0, 0, 0, 0}, bytes(16));
        assertEquals(0x5A, ring.getByte(15));
        assertEquals(0x5A, ring.getByte(32));
    }

    @Test
    void shouldSetDextAndDataTypeWhenEncodingDataDescriptor()
    {
        Descriptors.putDataTx(ring, 0, 0x1000L, 0x12345, E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS,
            E1000TxDescriptor.POPTS_TXSM, 0x0123);

        final int dword2 = ring.getInt(8, ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x12345, dword2 & E1000TxDescriptor.EXT_LENGTH_MASK);
        assertEquals(E1000TxDescriptor.DTYP_DATA,
            (dword2 & E1000TxDescriptor.DTYP_MASK) >>> E1000TxDescriptor.DTYP_SHIFT);
        assertEquals(E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_DEXT,
            ring.getByte(E1000TxDescriptor.TUCMD_OFFSET) & 0xFF);
        assertEquals(0, ring.getByte(E1000TxDescriptor.STATUS_OFFSET));
        assertEquals(E1000TxDescriptor.POPTS_TXSM, ring.getByte(E1000TxDescriptor.POPTS_OFFSET));
        assertEquals(0x0123, ring.getShort(E1000TxDescriptor.SPECIAL_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldPlaceEveryContextFieldAtItsOffset()
    {
        Descriptors.putContextTx(ring, 0, 14, 24, 33, 34, 50, 0, 9000,
            E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TSE, 54, 1448);

        assertEquals(14, ring.getByte(E1000TxDescriptor.IPCSS_OFFSET));
        assertEquals(24, ring.getByte(E1000TxDescriptor.IPCSO_OFFSET));
        assertEquals(33, ring.getShort(E1000TxDescriptor.IPCSE_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(34, ring.getByte(E1000TxDescriptor.TUCSS_OFFSET));
        assertEquals(50, ring.getByte(E1000TxDescriptor.TUCSO_OFFSET));
        assertEquals(0, ring.getShort(E1000TxDescriptor.TUCSE_OFFSET, ByteOrder.LITTLE_ENDIAN));
        final int dword2 = ring.getInt(8, ByteOrder.LITTLE_ENDIAN);
        assertEquals(9000, dword2 & E1000TxDescriptor.EXT_LENGTH_MASK);
        assertEquals(E1000TxDescriptor.DTYP_CONTEXT, (dword2 & E1000TxDescriptor.DTYP_MASK) >>> 20);
        assertEquals(0x27, ring.getByte(E1000TxDescriptor.TUCMD_OFFSET) & 0xFF);
        assertEquals(54, ring.getByte(E1000TxDescriptor.HDRLEN_OFFSET));
        assertEquals(1448, ring.getShort(E1000TxDescriptor.MSS_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldClearStatusWhenHandingRxDescriptorToDevice()
    {
        ring.setMemory(0, 16, (byte)0xFF);

        Descriptors.putRx(ring, 0, 0xABCD_EF00L);

        assertEquals(0xABCD_EF00L, ring.getLong(E1000RxDescriptor.BUFFER_ADDR_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0L, ring.getLong(E1000RxDescriptor.LENGTH_OFFSET));
    }

    @Test
    void shouldDecodeRxStatusErrorsSpecialAndLength()
    {
        ring.putShort(E1000RxDescriptor.LENGTH_OFFSET, (short)1518, ByteOrder.LITTLE_ENDIAN);
        ring.putByte(E1000RxDescriptor.STATUS_OFFSET, (byte)(E1000RxDescriptor.STA_DD | E1000RxDescriptor.STA_EOP |
            E1000RxDescriptor.STA_VP));
        ring.putByte(E1000RxDescriptor.ERRORS_OFFSET, (byte)E1000RxDescriptor.ERR_CE);
        ring.putShort(E1000RxDescriptor.SPECIAL_OFFSET, (short)0xE064, ByteOrder.LITTLE_ENDIAN);

        final int word = Descriptors.rxStatusWord(ring, 0);

        assertEquals(0x0B, word & 0xFF);
        assertEquals(E1000RxDescriptor.ERR_CE, (word >>> 8) & 0xFF);
        assertEquals(0xE064, word >>> 16);
        assertEquals(1518, Descriptors.rxLength(ring, 0));
    }

    @Test
    void shouldPlaceEveryLegacyFieldAtItsOffsetAndKeepDextClear()
    {
        Descriptors.put(ring, 16, 0x1234L, Descriptors.legacyTxHigh(0x1_05EA, 0xFF, 0x1C2, 0xA5, 0x122, 0x1_E064));

        final int base = 16;
        assertEquals(0x1234L, ring.getLong(base + E1000TxDescriptor.BUFFER_ADDR_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x05EA, ring.getShort(base + E1000TxDescriptor.LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF,
            "LENGTH keeps 16 bits");
        assertEquals(0xC2, ring.getByte(base + E1000TxDescriptor.CSO_OFFSET) & 0xFF);
        assertEquals(0xFF & ~E1000TxDescriptor.CMD_DEXT, ring.getByte(base + E1000TxDescriptor.CMD_OFFSET) & 0xFF,
            "a legacy descriptor never carries DEXT");
        assertEquals(0xA5, ring.getByte(base + E1000TxDescriptor.STATUS_OFFSET) & 0xFF);
        assertEquals(0x22, ring.getByte(base + E1000TxDescriptor.CSS_OFFSET) & 0xFF);
        assertEquals(0xE064, ring.getShort(base + E1000TxDescriptor.SPECIAL_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
    }

    @Test
    void shouldWriteReservedTypeAndGuestStatusWhenExtendedDescriptorIsRaw()
    {
        Descriptors.put(ring, 0, 0L, Descriptors.extendedTxHigh(0x1F_FFFF, 0x17, 0, 0x1F, 0x1AB, 0x1_2345));

        final int dword2 = ring.getInt(E1000TxDescriptor.TYPE_LENGTH_CMD_OFFSET, ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xF_FFFF, dword2 & E1000TxDescriptor.EXT_LENGTH_MASK, "the length keeps 20 bits");
        assertEquals(0x7, (dword2 & E1000TxDescriptor.DTYP_MASK) >>> E1000TxDescriptor.DTYP_SHIFT,
            "the type keeps 4 bits");
        assertEquals(E1000TxDescriptor.CMD_DEXT, ring.getByte(E1000TxDescriptor.TUCMD_OFFSET) & 0xFF);
        assertEquals(0x1F, ring.getByte(E1000TxDescriptor.STATUS_OFFSET) & 0xFF);
        assertEquals(0xAB, ring.getByte(E1000TxDescriptor.HDRLEN_OFFSET) & 0xFF);
        assertEquals(0x2345, ring.getShort(E1000TxDescriptor.MSS_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
    }

    @Test
    void shouldKeepGuestStatusWordWhenRxDescriptorIsWrittenWithOne()
    {
        ring.setMemory(0, 16, (byte)0xFF);

        Descriptors.putRx(ring, 0, 0x2000L, 0x1234_5603);

        assertEquals(0x2000L, ring.getLong(E1000RxDescriptor.BUFFER_ADDR_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0, ring.getShort(E1000RxDescriptor.LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0, ring.getShort(E1000RxDescriptor.CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x1234_5603, Descriptors.rxStatusWord(ring, 0));
    }
}
