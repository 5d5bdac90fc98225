package io.sidecore.engine.backend;

import io.sidecore.engine.e1000.DeviceHarness;
import io.sidecore.engine.frame.FrameSink;
import io.sidecore.shm.E1000Registers;
import io.sidecore.shm.E1000TxDescriptor;

/**
 * Test support: drives the device model's TX path as a Linux e1000 guest does for one IPv4 TSO packet (a context
 * descriptor, then one data descriptor with TSE, TXSM and IXSM; SDM 3.3.5-3.3.7), so backend tests see exactly what
 * the device hands an offload-capable sink.
 */
final class GuestTso
{
    private GuestTso()
    {
    }

    /**
     * A device whose sink is {@code sink}, link up, TX ring of 8.
     */
    static DeviceHarness device(final FrameSink sink)
    {
        final DeviceHarness h = new DeviceHarness(false, sink);
        h.registers.set(E1000Registers.STATUS, h.registers.get(E1000Registers.STATUS) | E1000Registers.STATUS_LU);
        h.setUpTxRing(8);
        return h;
    }

    /**
     * Transmit {@code packet} (an untagged IPv4/TCP frame with a 20-byte IP and TCP header, prepared as the guest
     * prepares TSO packets) with the given MSS.
     */
    static void transmitTcpv4(final DeviceHarness h, final byte[] packet, final int mss)
    {
        final int ipStart = 14;
        final int l4Start = 34;
        final int headerLength = 54;
        final long low = (ipStart & 0xFFL) |
            ((long)(ipStart + 10) << 8) |
            ((long)(l4Start - 1) << 16) |
            ((long)l4Start << 32) |
            ((long)(l4Start + 16) << 40);
        final int tucmd = E1000TxDescriptor.TUCMD_IP | E1000TxDescriptor.TUCMD_TCP | E1000TxDescriptor.TUCMD_TSE |
            E1000TxDescriptor.TUCMD_DEXT;
        final long contextHigh = ((packet.length - headerLength) & 0xFFFFFL) |
            ((long)E1000TxDescriptor.DTYP_CONTEXT << 20) |
            ((long)tucmd << 24) |
            ((long)headerLength << 40) |
            ((long)mss << 48);
        h.putRawTx(0, low, contextHigh);
        final long bufferGpa = DeviceHarness.BUFFERS_GPA;
        h.putBytes(bufferGpa, packet);
        final int dcmd = E1000TxDescriptor.CMD_EOP | E1000TxDescriptor.CMD_RS | E1000TxDescriptor.CMD_TSE |
            E1000TxDescriptor.CMD_DEXT;
        final long dataHigh = (packet.length & 0xFFFFFL) |
            ((long)E1000TxDescriptor.DTYP_DATA << 20) |
            ((long)dcmd << 24) |
            ((long)(E1000TxDescriptor.POPTS_TXSM | E1000TxDescriptor.POPTS_IXSM) << 40);
        h.putRawTx(1, bufferGpa, dataHigh);
        h.writeShared(E1000Registers.TDT, 2);
        h.pollTx();
    }
}
