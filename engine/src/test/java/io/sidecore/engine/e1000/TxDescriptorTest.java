package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000TxDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decoding of the three TX descriptor formats (SDM 3.3.3, 3.3.6, 3.3.7) from little-endian ring memory.
 */
final class TxDescriptorTest
{
    private static TxDescriptor decode(final long low, final long high)
    {
        final UnsafeBuffer ring = new UnsafeBuffer(new byte[32]);
        ring.putLong(16, low, ByteOrder.LITTLE_ENDIAN);
        ring.putLong(24, high, ByteOrder.LITTLE_ENDIAN);
        final TxDescriptor descriptor = new TxDescriptor();
        descriptor.decode(ring, 16);
        return descriptor;
    }

    @Test
    void shouldDecodeLegacyFields()
    {
        final TxDescriptor d = decode(0x1122_3344_5566_7788L, 0xBEEF_2A01_9B22_05DCL);

        assertEquals(TxDescriptor.KIND_LEGACY, d.kind());
        assertEquals(0x1122_3344_5566_7788L, d.bufferGpa());
        assertEquals(0x05DC, d.lengthBytes());
        assertEquals(0x22, d.cso());
        assertEquals(0x9B, d.command());
        assertEquals(0x01, d.status());
        assertEquals(0x2A, d.css());
        assertEquals(0xBEEF, d.special());
    }

    @Test
    void shouldDecodeContextFields()
    {
        final long low = 14L | 24L << 8 | 33L << 16 | 34L << 32 | 50L << 40 | 0L << 48;
        final long high = 0xABCDEL | 0x2FL << 24 | 54L << 40 | 1448L << 48;
        final TxDescriptor d = decode(low, high);

        assertEquals(TxDescriptor.KIND_CONTEXT, d.kind());
        assertEquals(14, d.ipcss());
        assertEquals(24, d.ipcso());
        assertEquals(33, d.ipcse());
        assertEquals(34, d.tucss());
        assertEquals(50, d.tucso());
        assertEquals(0, d.tucse());
        assertEquals(0xABCDE, d.payloadLengthBytes());
        assertEquals(54, d.headerLengthBytes());
        assertEquals(1448, d.mss());
        assertEquals(0x2F, d.command());
    }

    @Test
    void shouldDecodeDataDescriptorWithTwentyBitLength()
    {
        final long high = 0xF1234L | 1L << 20 | (long)(E1000TxDescriptor.CMD_DEXT | E1000TxDescriptor.CMD_TSE) << 24 |
            3L << 40 | 0x0064L << 48;
        final TxDescriptor d = decode(0x4000L, high);

        assertEquals(TxDescriptor.KIND_DATA, d.kind());
        assertEquals(0xF1234, d.lengthBytes());
        assertEquals(3, d.popts());
        assertEquals(0x64, d.special());
    }

    @Test
    void shouldReportReservedDescriptorTypeAsUnknown()
    {
        final TxDescriptor d = decode(0, 5L << 20 | (long)E1000TxDescriptor.CMD_DEXT << 24);

        assertEquals(TxDescriptor.KIND_UNKNOWN, d.kind());
    }
}
