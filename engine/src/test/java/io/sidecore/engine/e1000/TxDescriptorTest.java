package io.sidecore.engine.e1000;

import io.sidecore.shm.E1000TxDescriptor;
import io.sidecore.tools.guest.Descriptors;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decoding of the three TX descriptor formats (SDM 3.3.3, 3.3.6, 3.3.7) from little-endian ring memory, written by
 * the guest's encoder ({@link Descriptors}, whose byte positions {@code DescriptorsTest} pins to the SDM layout).
 */
final class TxDescriptorTest
{
    private static TxDescriptor decode(final long low, final long high)
    {
        final UnsafeBuffer ring = new UnsafeBuffer(new byte[32]);
        Descriptors.put(ring, 16, low, high);
        final TxDescriptor descriptor = new TxDescriptor();
        descriptor.decode(ring, 16);
        return descriptor;
    }

    @Test
    void shouldDecodeLegacyFields()
    {
        final TxDescriptor d = decode(0x1122_3344_5566_7788L, Descriptors.legacyTxHigh(0x05DC, 0x9B, 0x22, 0x01, 0x2A,
            0xBEEF));

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
        final TxDescriptor d = decode(Descriptors.contextTxLow(14, 24, 33, 34, 50, 0),
            Descriptors.contextTxHigh(0xABCDE, 0x0F, 54, 1448));

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
        final TxDescriptor d = decode(0x4000L, Descriptors.dataTxHigh(0xF1234, E1000TxDescriptor.CMD_TSE, 3, 0x0064));

        assertEquals(TxDescriptor.KIND_DATA, d.kind());
        assertEquals(0xF1234, d.lengthBytes());
        assertEquals(3, d.popts());
        assertEquals(0x64, d.special());
    }

    @Test
    void shouldReportReservedDescriptorTypeAsUnknown()
    {
        final TxDescriptor d = decode(0, Descriptors.extendedTxHigh(0, 5, 0, 0, 0, 0));

        assertEquals(TxDescriptor.KIND_UNKNOWN, d.kind());
    }
}
